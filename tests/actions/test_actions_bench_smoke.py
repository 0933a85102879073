"""`bench/actions_scale.py --smoke` still runs end to end (the full run takes minutes)."""

from __future__ import annotations

from pathlib import Path

from testkit.bench_runner import run_bench


def test_smoke_run_prints_the_table_the_ratios_and_the_plans(tmp_path: Path) -> None:
    done = run_bench("actions_scale.py", "--smoke", "--explain", cwd=tmp_path, timeout=90)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("database"))
    rows = [line.split() for line in lines[header + 1 : header + 7]]
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("sqlite", size, listing)
        for size in ("200", "1,000")
        for listing in ("mijn", "open", "overleg")
    ]
    assert all(float(value) > 0 for row in rows for value in row[4:7])
    assert any(line.startswith("sqlite: p99 at 1,000 / p99 at 200: mijn ") for line in lines)
    assert "USING INDEX ix_action_items_owner_status_id" in done.stdout
    assert any(line.startswith("Result: ") for line in lines)


def test_a_benchmark_that_cannot_run_exits_non_zero(tmp_path: Path) -> None:
    done = run_bench(
        "actions_scale.py",
        "--smoke",
        "--postgresql-url",
        "sqlite:///x.db",
        cwd=tmp_path,
        timeout=30,
    )
    assert done.returncode != 0
    assert "must be a PostgreSQL URL" in done.stderr
    assert "Traceback" not in done.stderr
