"""Does `/programma` stay fast as the programme grows, and is the report quick enough?

For each size (50 and 5,000 activities, each with 20 updates) a temporary SQLite database gets a
generated programma.yaml imported and the updates inserted; oov-bot is started on waitress in its
own process, and correctly signed requests are timed over HTTP: `/programma` (the overview) and
`/programma <activiteit>` (a card, asked for by name). Each answer is checked to be a real one
first. Then the progress report (Word and Markdown) is built for 500 activities, in process, the
way `/programma rapport` builds it after its acknowledgement.

    python bench/programma.py            # 50 and 5,000 activities; the report for 500
    python bench/programma.py --smoke    # seconds: proves the benchmark runs

Goals: p99 at 5,000 activities no more than 1.5x p99 at 50, per command; the report for 500
activities within REPORT_GOAL_SECONDS (well under Slack's 3 seconds for an acknowledgement; the
upload itself follows the acknowledgement).
Exit code 0 whenever it measured (also when a goal is missed), 1 when it could not run.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests
from ruamel.yaml import YAML
from sqlalchemy import insert, select

from bench.common import (
    LATENCY_HEADER,
    OOV_BOT,
    BenchError,
    LatencyStats,
    ServedApp,
    SlashCommands,
    bench_main,
    cpu_summary,
    latency_cells,
    new_sessions,
    prepare_database,
    progress,
    result_line,
    run_batch,
    start_servers,
)
from bot.core.documents import render_docx, render_markdown
from bot.core.programme import PROGRAMMA_FILE, Status
from bot.services.programma import ProgrammeService
from storage.models.programme import programme_activities, programme_updates
from storage.programme import ProgrammeStore
from storage.session import Database
from storage.team import TeamStore
from testkit.fake_slack import FakeSlack
from testkit.team_config import copy_config

SIZES = (50, 5_000)
SMOKE_SIZES = (20, 200)
REPORT_SIZE = 500
SMOKE_REPORT_SIZE = 50
UPDATES_EACH = 20
GOAL_P99_RATIO = 1.5
REPORT_GOAL_SECONDS = 1.5
OWNERS = ("aov-1", "aov-2", "aov-3", "beleidsmedewerker", "boa-coordinator")
WORDS = (
    "bibob", "damocles", "cyber", "jeugd", "zorg", "ondermijning", "vakantiepark", "horeca",
    "drugs", "mensenhandel", "buurtpreventie", "evenementen", "oefening", "crisis", "campagne",
)  # fmt: skip
START = datetime(2024, 1, 8, 9, 0, tzinfo=UTC)


def programme_yaml(size: int, rng: random.Random) -> dict[str, object]:
    """A programme of `size` activities under four priorities, criteria with years in them."""
    priorities = [
        {"key": f"prioriteit-{p}", "name": f"Prioriteit {p}", "activities": []} for p in range(4)
    ]
    for n in range(size):
        year = 2024 + n % 2
        a, b = rng.sample(WORDS, 2)
        priorities[n % 4]["activities"].append(  # type: ignore[attr-defined]
            {
                "key": f"activiteit-{n}",
                "name": f"Activiteit {n} {a} en {b}",
                "approach": f"Aanpak van {a} samen met de partners; {b} waar nodig.",
                "criterion": f"In {year} is {a} aangepakt. In {year + 1} is het geëvalueerd.",
                "partners": "RIEC, politie",
                "budget": "Bestaande middelen",
                "owner": OWNERS[n % len(OWNERS)],
            }
        )
    return {
        "period": {"name": "Benchmarkprogramma", "start": "2024-01-01", "end": "2025-12-31"},
        "regievoerders": ["aov-1"],
        "priorities": priorities,
    }


def prepare(workdir: Path, size: int, rng: random.Random) -> tuple[str, Path]:
    """A database with a programme of `size` activities and UPDATES_EACH updates each."""
    config = copy_config(workdir / f"config-{size}")
    yaml = YAML()
    yaml.width = 4096
    with (config / PROGRAMMA_FILE).open("w", encoding="utf-8") as handle:
        yaml.dump(programme_yaml(size, rng), handle)
    url = f"sqlite:///{workdir / f'programma-{size}.db'}"
    prepare_database(url, config)
    db = Database(url)
    try:
        with db.transaction() as conn:
            ids = list(conn.scalars(select(programme_activities.c.id)))
            statuses = [s.value for s in Status]
            rows = [
                {
                    "activity_id": activity,
                    "at": START + timedelta(days=n * 7, minutes=activity % 600),
                    "by": "U0AOV0001",
                    "kind": "status",
                    "status_from": statuses[(n - 1) % 3] if n else statuses[0],
                    "status_to": statuses[n % 3],
                    "note": f"Stand van zaken {n}: overleg gevoerd, volgende stap gepland.",
                    "note_purged": False,
                }
                for activity in ids
                for n in range(UPDATES_EACH)
            ]
            for chunk in range(0, len(rows), 10_000):
                conn.execute(insert(programme_updates), rows[chunk : chunk + 10_000])
    finally:
        db.dispose()
    return url, config


def names(url: str, count: int, rng: random.Random) -> list[str]:
    db = Database(url)
    try:
        activities = ProgrammeStore(db).activities()
    finally:
        db.dispose()
    return [a.name for a in rng.sample(activities, min(count, len(activities)))]


def time_report(url: str, repeats: int) -> list[float]:
    """Seconds to build the report (the document, its Word file and its Markdown)."""
    db = Database(url)
    try:
        service = ProgrammeService(ProgrammeStore(db), TeamStore(db), tz=UTC)
        now = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
        seconds = []
        for _ in range(repeats):
            started = time.perf_counter()
            document = service.report(now.date(), now)
            render_docx(document)
            render_markdown(document)
            seconds.append(time.perf_counter() - started)
        return seconds
    finally:
        db.dispose()


def is_answer(header: str | None) -> object:
    def check(response: requests.Response) -> str | None:
        if response.status_code != 200:
            return f"HTTP {response.status_code}"
        blocks = response.json().get("blocks") or []
        if not blocks:
            return "an answer without blocks"
        if header is not None and blocks[0].get("type") != "header":
            return "no card or overview"
        return None

    return check


def run(args: argparse.Namespace) -> list[str]:
    sizes = SMOKE_SIZES if args.smoke else SIZES
    requests_per_run = 60 if args.smoke else args.requests
    report_size = SMOKE_REPORT_SIZE if args.smoke else REPORT_SIZE
    rng = random.Random(11)
    lines = [f"{'activities':>10} {'command':<10} {LATENCY_HEADER}"]
    p99: dict[tuple[int, str], float] = {}
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-prog-")))
        fake = stack.enter_context(FakeSlack())
        for size in sizes:
            progress(f"preparing {size} activities with {UPDATES_EACH} updates each")
            url, config = prepare(workdir, size, rng)
            served = workdir / f"served-{size}"  # one port file per server
            served.mkdir()
            server = ServedApp(
                OOV_BOT, served, threads=args.threads, slack_api_url=fake.url,
                database_url=url, config_dir=config,
            )  # fmt: skip
            with ExitStack() as servers:
                start_servers(servers, [server])
                response_url = fake.response_url("bench")
                commands = {
                    "overzicht": SlashCommands(server.url, "/programma", [""], response_url),
                    "kaart": SlashCommands(
                        server.url, "/programma", names(url, 50, rng), response_url
                    ),
                }
                sessions = new_sessions(args.threads)
                for label, calls in commands.items():
                    check = is_answer("header")
                    warm = run_batch(sessions, calls.call, check, len(calls) * 2)  # type: ignore[arg-type]
                    if warm.failures:
                        raise BenchError(f"/programma ({label}) failed: {warm.failures[0]}")
                    result = run_batch(sessions, calls.call, check, requests_per_run)  # type: ignore[arg-type]
                    if result.failures:
                        raise BenchError(f"/programma ({label}) failed: {result.failures[0]}")
                    stats = LatencyStats.of(result)
                    p99[(size, label)] = stats.p99
                    lines.append(f"{size:>10,} {label:<10} {latency_cells(stats)}")
        progress(f"report for {report_size} activities")
        url, _ = prepare(workdir, report_size, rng)
        seconds = sorted(time_report(url, 3 if args.smoke else 5))
    small, large = sizes
    misses = []
    for label in ("overzicht", "kaart"):
        ratio = p99[(large, label)] / p99[(small, label)]
        lines.append(
            f"p99 at {large:,} / p99 at {small:,}: {label} {ratio:.2f} (goal ≤ {GOAL_P99_RATIO})"
        )
        if ratio > GOAL_P99_RATIO:
            misses.append(f"{label} p99 ratio {ratio:.2f}")
    median = seconds[len(seconds) // 2]
    lines.append(
        f"report for {report_size} activities (Word + Markdown): median {median:.2f} s, "
        f"max {seconds[-1]:.2f} s (goal ≤ {REPORT_GOAL_SECONDS} s)"
    )
    if seconds[-1] > REPORT_GOAL_SECONDS:
        misses.append(f"report {seconds[-1]:.2f} s")
    lines += [cpu_summary(), result_line(misses)]
    return lines


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: seconds, not minutes")
    parser.add_argument("--requests", type=int, default=400, help="timed requests per command")
    parser.add_argument("--threads", type=int, default=4, help="load threads and server threads")
    return parser.parse_args(argv)


if __name__ == "__main__":
    raise SystemExit(bench_main(parse_args, run))
