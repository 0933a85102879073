"""`bench/programma.py --smoke` still runs end to end (the full run takes minutes)."""

from __future__ import annotations

from pathlib import Path

from testkit.bench_runner import run_bench


def test_smoke_run_prints_the_table_the_ratios_and_the_report_time(tmp_path: Path) -> None:
    done = run_bench("programma.py", "--smoke", cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.lstrip().startswith("activities"))
    rows = [line.split() for line in lines[header + 1 : header + 5]]
    assert [(r[0], r[1]) for r in rows] == [
        (size, command) for size in ("20", "200") for command in ("overzicht", "kaart")
    ]
    assert all(float(value) > 0 for row in rows for value in row[3:6])
    assert any(line.startswith("p99 at 200 / p99 at 20: kaart ") for line in lines)
    assert any(
        line.startswith("report for 50 activities (Word + Markdown): median ") for line in lines
    )
    assert any(line.startswith("Result: ") for line in lines)
