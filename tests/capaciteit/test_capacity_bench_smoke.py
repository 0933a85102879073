"""`bench/capaciteit.py --smoke` still runs end to end and reports against the 3 s budget."""

from __future__ import annotations

import re
from pathlib import Path

from testkit.bench_runner import run_bench


def test_smoke_run_prints_every_measure_and_the_ratio(tmp_path: Path) -> None:
    done = run_bench("capaciteit.py", "--smoke", cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for measure in (
        "compute, new data version",
        "/capaciteit (team) + charts in DM",
        "/capaciteit aov-2 over HTTP",
        "/taken aov-2 over HTTP",
        "charts drawn (2 PNGs)",
    ):
        assert re.search(rf"{re.escape(measure)} +p50 +[\d.]+ ms +p99 +[\d.]+ ms", out), measure
    assert re.search(r"ratio p99 /capaciteit aov-2 ÷ /taken aov-2: \d+\.\d\d", out)
    assert "people 6, tasks 59, unknown budgets 43" in out
    assert out.strip().splitlines()[-1].startswith("Result: met")
