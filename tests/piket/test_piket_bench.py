"""`bench/ical_feed.py` still runs: a tiny measurement end to end."""

from __future__ import annotations

import re
from pathlib import Path

from testkit.bench_runner import run_bench


def test_smoke_run_compares_the_feed_with_a_static_file(tmp_path: Path) -> None:
    done = run_bench("ical_feed.py", "--smoke", cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines() if line[:11].strip().isdigit()]
    assert [row[:3] for row in rows] == [
        [level, answer, target]
        for level in ("1", "20")
        for answer in ("200", "304")
        for target in ("feed", "static", "ratio")
    ]
    assert "whole-rota feed of" in done.stdout and "KiB" in done.stdout
    assert "the real `oov-bot serve`" in done.stdout
    # Each ratio row: the per-round medians of feed ÷ static, each within its interval.
    for ratio in re.findall(r"p50 (\S+) \((\S+)–(\S+)\), p99 (\S+) \((\S+)–(\S+)\)", done.stdout):
        p50, p50_low, p50_high, p99, p99_low, p99_high = map(float, ratio)
        assert p50_low <= p50 <= p50_high and p99_low <= p99 <= p99_high
    # The first fetch after each rota change (which had to show the change) against repeats.
    # On serve (rendered on the request) and on run (pre-rendered by its clock).
    for process in ("serve", "run"):
        assert re.search(
            rf"^First fetch after a rota change on `oov-bot {process}` \(1 change, 8 tokens "
            r"each, concurrency 1\): median [\d.]+ ms, max [\d.]+ ms; repeated: median [\d.]+ ms$",
            done.stdout,
            re.MULTILINE,
        )
    idle = re.compile(r"^  cached after the same wait \(token looked up again\): median ", re.M)
    assert len(idle.findall(done.stdout)) == 2
    ratio = re.compile(r"^first ÷ cached after the same wait, per change: [\d.]+ \(", re.M)
    assert len(ratio.findall(done.stdout)) == 2
    assert any(line.startswith("Result: ") for line in done.stdout.splitlines())
