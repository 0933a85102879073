"""`bench/reminder_lateness.py` still runs: a tiny measurement end to end."""

from __future__ import annotations

import re
from pathlib import Path

from testkit.bench_runner import run_bench


def test_smoke_run_prints_lateness_and_planning(tmp_path: Path) -> None:
    done = run_bench("reminder_lateness.py", "--smoke", cwd=tmp_path, timeout=120)

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    header = lines.index(next(line for line in lines if "late ms" in line))
    rows = [line.split() for line in lines[header + 1 : header + 4]]
    assert [row[0] for row in rows] == ["1", "2", "3"]
    assert all(0 <= float(row[2]) < 5000 for row in rows)
    summary = next(line for line in lines if line.startswith("median "))
    assert re.search(r"goal: median ≤ 1000 ms\): (met|NOT met)$", summary)
    # The same reminders on `oov-bot run` while the web side answers /wie at concurrency 20.
    loaded = lines.index(next(line for line in lines if line.startswith("Under web load: ")))
    assert re.search(r"\((\d+) served, (\d+) per second\)$", lines[loaded])
    assert int(re.findall(r"\((\d+) served", lines[loaded])[0]) > 0
    header = next(n for n in range(loaded, len(lines)) if "late ms" in lines[n])
    rows = [line.split() for line in lines[header + 1 : header + 4]]
    assert [row[0] for row in rows] == ["1", "2", "3"]
    assert all(0 <= float(row[2]) < 5000 for row in rows)
    loaded_summary = next(line for line in lines[header:] if line.startswith("median "))
    assert re.search(r"goal: median ≤ 1000 ms\): (met|NOT met)$", loaded_summary)
    planning = next(line for line in lines if line.startswith("Planning 10 series"))
    assert re.search(r"a year ahead = \d+ deliveries in \d+ ms", planning)


def test_a_benchmark_that_cannot_run_exits_non_zero(tmp_path: Path) -> None:
    done = run_bench(
        "reminder_lateness.py", "--smoke", "--database-url", "nosuchdb://x", cwd=tmp_path
    )
    assert done.returncode == 1
    assert "could not run" in done.stderr
    assert "Traceback" not in done.stderr
