"""`bench/slash_latency.py` still runs: a tiny measurement end to end, as `make bench` runs it."""

from __future__ import annotations

from pathlib import Path

from testkit.bench_runner import run_bench


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
    assert all(value == "n/a" or float(value) > 0 for row in rows[:6] for value in row[2:])
    assert "Slack Web API calls while measuring (local fake): none" in done.stdout
    assert any(line.startswith("Result: ") for line in lines)


def test_a_benchmark_that_cannot_run_exits_non_zero(tmp_path: Path) -> None:
    unreachable = f"sqlite:///{tmp_path / 'missing-dir' / 'oov.db'}"

    done = run_bench("slash_latency.py", "--smoke", "--database-url", unreachable, cwd=tmp_path)

    assert done.returncode == 1
    assert "could not run" in done.stderr
    assert "Traceback" not in done.stderr
