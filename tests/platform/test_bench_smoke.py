"""`bench/slash_latency.py` still runs: a tiny measurement end to end, as `make bench` runs it,
on the real `oov-bot serve` against the bare Bolt app, warm and fresh."""

from __future__ import annotations

import re
from pathlib import Path

from testkit.bench_runner import run_bench

RATIO_ROW = re.compile(
    r" +(1|20)  ratio +(\d+\.\d\d) +(\d+\.\d\d)   p50 (\d+\.\d\d)–(\d+\.\d\d), "
    r"p99 (\d+\.\d\d)–(\d+\.\d\d) \((?P<coverage>\d+)% interval, (?P<rounds>\d+) rounds\)"
)
COMMANDS = ("/wie", "/taken", "/overleg", "/acties", "/piket")
GOAL = 1.2


def test_smoke_run_prints_the_comparison_table(tmp_path: Path) -> None:
    done = run_bench("slash_latency.py", "--smoke", cwd=tmp_path, timeout=240)

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
    # A table per command, warm and fresh, each with its two ratio rows.
    titles = [line for line in lines if line.startswith("/") and line.endswith(")")]
    assert titles == [f"{c} ({mode})" for mode in ("warm", "fresh") for c in COMMANDS]
    ratios = [RATIO_ROW.fullmatch(line) for line in lines if "  ratio  " in line]
    assert len(ratios) == 2 * 2 * len(COMMANDS) and all(ratios), lines
    intervals = []
    for ratio in ratios:
        assert ratio is not None
        p50, p99, p50_low, p50_high, p99_low, p99_high = map(float, ratio.group(2, 3, 4, 5, 6, 7))
        # Each median lies in its interval.
        assert 0 < p50_low <= p50 <= p50_high
        assert 0 < p99_low <= p99 <= p99_high
        cover = ratio["coverage"]
        intervals += [(p50_low, p50_high, cover), (p99_low, p99_high, cover)]
    # The warm rounds (first half) are 6: a 97 % interval; the fresh smoke rounds are 2.
    assert {r["rounds"] for r in ratios[: len(ratios) // 2]} == {"6"}
    # The collections in the measured windows are counted and timed, from the servers' logs.
    gc_lines = [line for line in lines if "collections in the measured windows:" in line]
    assert len(gc_lines) == 2 and all("oov-bot " in g and "; bare " in g for g in gc_lines)
    started = [line for line in lines if "objects the collector tracks at start:" in line]
    assert all(re.search(r"oov-bot [\d,]+ \(frozen", line) for line in started)
    assert re.search(r"^client CPU per request .*: \d+ µs$", done.stdout, re.MULTILINE)
    assert "Slack Web API calls while measuring (local fake): none (warm)" in done.stdout
    # A fresh process asks Slack who the user is once (the access check), then remembers.
    fresh_calls = next(line for line in lines if line.endswith("(fresh)") and "Slack Web" in line)
    assert fresh_calls in (
        "Slack Web API calls while measuring (local fake): none (fresh)",
        "Slack Web API calls while measuring (local fake): users.info ×2 (fresh)",
    )
    results = [line for line in lines if line.startswith("Result: ")]
    assert len(results) == 1
    # The verdict follows from the printed figures: NOT met when an interval lies wholly above
    # the goal or a collection was too long; else inconclusive when an interval straddles it or
    # has too little coverage (the 2 fresh rounds); else met.
    longest = re.compile(r"^   longest oov-bot collection: ([\d.]+) ms of CPU", re.MULTILINE)
    cpu = [float(ms) for ms in longest.findall(done.stdout)]
    assert len(cpu) == 2  # warm and fresh
    too_long = any(ms > 20 for ms in cpu)
    if too_long or any(low > GOAL and cover != "50" for low, _, cover in intervals):
        assert results[0].startswith("Result: NOT met — ")
    elif any(high > GOAL or cover == "50" for _, high, cover in intervals):
        assert results[0].startswith("Result: inconclusive (noise) — ")
    else:
        assert results[0] == "Result: met."


def test_a_benchmark_that_cannot_run_exits_non_zero(tmp_path: Path) -> None:
    unreachable = f"sqlite:///{tmp_path / 'missing-dir' / 'oov.db'}"

    done = run_bench("slash_latency.py", "--smoke", "--database-url", unreachable, cwd=tmp_path)

    assert done.returncode == 1
    assert "could not run" in done.stderr
    assert "Traceback" not in done.stderr
