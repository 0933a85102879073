"""`bench/slash_latency.py` still runs: a tiny measurement end to end, as `make bench` runs it."""

from __future__ import annotations

import re
from pathlib import Path

from testkit.bench_runner import run_bench

RATIO_ROW = re.compile(
    r" +(1|20)  ratio +(\d+\.\d\d) +(\d+\.\d\d)   p50 (\d+\.\d\d)–(\d+\.\d\d), "
    r"p99 (\d+\.\d\d)–(\d+\.\d\d) \(\d+% interval, (?P<rounds>\d+) rounds\)"
)


def test_smoke_run_prints_the_comparison_table(tmp_path: Path) -> None:
    done = run_bench("slash_latency.py", "--smoke", cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    header = next(line for line in lines if "concurrency" in line and "p99 ms" in line)
    assert header.split()[:2] == ["concurrency", "app"]
    rows = [line.split() for line in lines[lines.index(header) + 1 :] if line.strip()]
    # One row per app and a ratio row, at concurrency 1 and 20.
    assert [row[:2] for row in rows[:6]] == [
        ["1", "oov-bot"],
        ["1", "bare"],
        ["1", "ratio"],
        ["20", "oov-bot"],
        ["20", "bare"],
        ["20", "ratio"],
    ]
    app_rows = [row for row in rows[:6] if row[1] != "ratio"]
    assert all(value == "n/a" or float(value) > 0 for row in app_rows for value in row[2:])
    # Each ratio row: the median per-round p50 and p99 ratios, then each one's interval, which
    # holds the median.
    p99_intervals = []
    for line in (lines[lines.index(header) + 3], lines[lines.index(header) + 6]):
        ratio = RATIO_ROW.fullmatch(line)
        assert ratio, line
        p50, p99, p50_low, p50_high, p99_low, p99_high = map(float, ratio.group(2, 3, 4, 5, 6, 7))
        assert 0 < p50_low <= p50 <= p50_high
        assert 0 < p99_low <= p99 <= p99_high
        assert ratio["rounds"] == "6"
        p99_intervals.append((p99_low, p99_high))
    assert "Slack Web API calls while measuring (local fake): none" in done.stdout
    results = [line for line in lines if line.startswith("Result: ")]
    assert len(results) == 1
    # The verdict follows from the printed intervals (goal: p99 ratio <= 1.5; 6 rounds give a
    # 97 % interval; the slowest oov-bot request, well under 3 s here, cannot decide it).
    assert all(float(row[5]) < 3000 for row in rows[:6] if row[1] == "oov-bot")
    if all(high <= 1.5 for _, high in p99_intervals):
        assert results[0] == "Result: met."
    elif any(low > 1.5 for low, _ in p99_intervals):
        assert results[0].startswith("Result: NOT met — p99 ratio ")
    else:
        assert results[0].startswith("Result: inconclusive (noise) — p99 ratio ")


def test_a_benchmark_that_cannot_run_exits_non_zero(tmp_path: Path) -> None:
    unreachable = f"sqlite:///{tmp_path / 'missing-dir' / 'oov.db'}"

    done = run_bench("slash_latency.py", "--smoke", "--database-url", unreachable, cwd=tmp_path)

    assert done.returncode == 1
    assert "could not run" in done.stderr
    assert "Traceback" not in done.stderr
