"""Run a benchmark script as `make bench` does, for the benchmarks' smoke tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from testkit.team_config import REPO


def run_bench(
    script: str, *args: str, cwd: Path, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """`python bench/<script> <args>` from `cwd`, which should not be the repository: the script
    must find its own way."""
    return subprocess.run(
        [sys.executable, str(REPO / "bench" / script), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
