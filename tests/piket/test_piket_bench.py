"""`bench/ical_feed.py` still runs: a tiny measurement end to end."""

from __future__ import annotations

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
    assert any(line.startswith("Result: ") for line in done.stdout.splitlines())
