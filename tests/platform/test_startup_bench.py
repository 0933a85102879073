"""`bench/startup.py` still runs: start-up time and idle memory of the real processes."""

from __future__ import annotations

import re
from pathlib import Path

from testkit.bench_runner import run_bench


def test_smoke_run_times_start_up_and_reads_memory(tmp_path: Path) -> None:
    done = run_bench("startup.py", "--smoke", "--rounds", "2", cwd=tmp_path, timeout=240)

    assert done.returncode == 0, done.stderr
    rows = {
        line[:14].strip(): line[14:].split()
        for line in done.stdout.splitlines()
        if line.startswith(("oov-bot serve ", "oov-bot run ", "bare Bolt ")) and "÷" not in line
    }
    assert rows.keys() == {"oov-bot serve", "oov-bot run", "bare Bolt"}
    for label, cells in rows.items():
        start, start_range, rss, rss_range, objects = cells
        assert 0 < float(start) < 60_000, label
        assert 10 < float(rss) < 1000, label
        assert re.fullmatch(r"\d+–\d+", start_range) and re.fullmatch(r"[\d.]+–[\d.]+", rss_range)
        assert int(objects.replace(",", "")) > 10_000, label
    # oov-bot's start-up heap is frozen; the bare app's is simply counted.
    assert "objects: tracked by the collector at start (oov-bot: frozen)" in done.stdout
    for app in ("oov-bot serve", "oov-bot run"):
        assert re.search(
            rf"^{app} ÷ bare: start [\d.]+ \([\d.]+–[\d.]+\) \(\d+% interval\), "
            rf"RSS [\d.]+ \([\d.]+–[\d.]+\) \(\d+% interval\)$",
            done.stdout,
            re.MULTILINE,
        )
    # Two rounds give a 50 % interval: too little for any verdict but "inconclusive".
    (result,) = [line for line in done.stdout.splitlines() if line.startswith("Result: ")]
    assert result.startswith("Result: inconclusive (noise) — start ratio ")
