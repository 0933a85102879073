"""`bench/reminder_lateness.py` still runs: a tiny measurement end to end."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.team_config import REPO

BENCH = REPO / "bench" / "reminder_lateness.py"


def run_bench(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCH), *args],
        capture_output=True,
        text=True,
        cwd=cwd,  # not the repository: the script must find its own way
        timeout=60,
        check=False,
    )


def test_smoke_run_prints_lateness_and_planning(tmp_path: Path) -> None:
    done = run_bench("--smoke", cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    header = lines.index(next(line for line in lines if "late ms" in line))
    rows = [line.split() for line in lines[header + 1 : header + 4]]
    assert [row[0] for row in rows] == ["1", "2", "3"]
    assert all(0 <= float(row[2]) < 5000 for row in rows)
    summary = next(line for line in lines if line.startswith("median "))
    assert re.search(r"goal: median ≤ 1000 ms\): (met|NOT met)$", summary)
    planning = next(line for line in lines if line.startswith("Planning 10 series"))
    assert re.search(r"a year ahead = \d+ deliveries in \d+ ms", planning)


def test_a_benchmark_that_cannot_run_exits_non_zero(tmp_path: Path) -> None:
    done = run_bench("--smoke", "--database-url", "nosuchdb://x", cwd=tmp_path)
    assert done.returncode == 1
    assert "could not run" in done.stderr
    assert "Traceback" not in done.stderr
