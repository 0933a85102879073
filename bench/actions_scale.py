"""Does `/acties` stay fast as action items pile up? p99 at 1,000,000 items against 1,000.

For each database (a temporary SQLite file, and PostgreSQL when --postgresql-url is given) and each
size, the action_items table is filled with items across 50 people and 20 meeting series (newest
mostly open, older mostly done, as a team that closes its items leaves them), oov-bot is started
on waitress in its own process, and correctly signed `/acties` requests are timed over HTTP for
three listings: mine (open), all open, and one series (open). Each listing is checked to be a real
answer first. With --explain the query plans are printed (EXPLAIN ANALYZE on PostgreSQL).

    python bench/actions_scale.py                      # SQLite, 1,000 and 1,000,000 items
    python bench/actions_scale.py --postgresql-url postgresql://u:p@127.0.0.1/scratch
    python bench/actions_scale.py --smoke              # seconds: proves the benchmark runs

The PostgreSQL database must be a scratch database: it is migrated and its action_items emptied.
Goal: p99 at the largest size no more than 2x p99 at the smallest, per database and listing.
Exit code 0 whenever it measured (also when the goal is missed), 1 when it could not run.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests
from ruamel.yaml import YAML
from sqlalchemy import delete, insert, text
from sqlalchemy.engine import make_url

from bench.common import (
    LATENCY_HEADER,
    OOV_BOT,
    BatchResult,
    BenchError,
    LatencyStats,
    ResponseCheck,
    ServedApp,
    SlashCommands,
    abba,
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
from storage.actions import ActionQuery, page_statement
from storage.models.actions import action_items
from storage.session import Database, normalise_url
from testkit.fake_slack import FakeSlack
from testkit.slack_requests import DEFAULT_USER_ID
from testkit.team_config import copy_config

PEOPLE = 50
SERIES = 20
SIZES = (1_000, 1_000_000)
SMOKE_SIZES = (200, 1_000)
GOAL_P99_RATIO = 2.0
HISTORY = timedelta(days=5 * 365)  # items are spread over five years, whatever their number
OPEN_WHILE_YOUNGER_THAN = timedelta(days=60)
COLUMNS = (
    "channel",
    "message_ts",
    "thread_ts",
    "source",
    "text",
    "owner_slack_id",
    "author_slack_id",
    "due_on",
    "due_kind",
    "series_key",
    "status",
    "created_at",
    "updated_at",
    "closed_at",
    "closed_by",
)
TABLE_HEADER = f"{'database':<10} {'items':>9}  {'listing':<8} {LATENCY_HEADER}"
WORDS = (
    "bel de wijkagent over de overlast",
    "stuur het verslag rond",
    "agendeer de evaluatie jaarwisseling",
    "vraag de cijfers op bij de politie",
    "plan een schouw met de brandweer",
    "werk het draaiboek bij",
)


@dataclass(frozen=True)
class Listing:
    name: str
    texts: tuple[str, ...]  # what follows /acties; cycled through
    header: str  # what a real answer's header starts with


# --- data ------------------------------------------------------------------------------------


def people() -> list[str]:
    """50 Slack IDs; the first is the user the benchmark's requests come from ("mine")."""
    return [DEFAULT_USER_ID] + [f"U0BENCH{n:03d}" for n in range(1, PEOPLE)]


def bench_config(workdir: Path) -> tuple[Path, list[tuple[str, str]]]:
    """The bundled config with meeting series added up to 20; returns (dir, [(key, name)])."""
    # The team linked to the test Slack IDs: /acties is for team members (the requests come
    # from DEFAULT_USER_ID, aov-1).
    target = copy_config(workdir / "config")
    yaml = YAML()
    path = target / "meetings.yaml"
    data = yaml.load(path.read_text(encoding="utf-8"))
    series = data["meetings"]
    template = dict(series[0])
    for n in range(len(series) + 1, SERIES + 1):
        extra = dict(template, key=f"bench-overleg-{n}", name=f"Benchoverleg {n}", aliases=[])
        extra.pop("task", None)
        extra["cadence"] = "1 uur per week"
        series.append(extra)
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    return target, [(s["key"], s["name"]) for s in series[:SERIES]]


def rows(count: int, series_keys: Sequence[str], now: datetime) -> Iterator[dict[str, object]]:
    """`count` items, oldest first (ids follow creation), deterministic."""
    rng = random.Random(20261123)
    owners = people()
    for n in range(count):
        created = now - HISTORY * ((count - n) / count)
        age = now - created
        young = age < OPEN_WHILE_YOUNGER_THAN
        roll = rng.random()
        status = "open" if (young and roll < 0.9) or roll < 0.03 else "done"
        if status == "done" and rng.random() < 0.05:
            status = "cancelled"
        owner = owners[rng.randrange(PEOPLE)]
        closed = created + timedelta(days=rng.randint(1, 40)) if status != "open" else None
        yield {
            "channel": f"C0BENCH{n % SERIES:02d}",
            "message_ts": f"{1_600_000_000 + n}.000100",
            "thread_ts": f"{1_599_000_000 + n // 8}.000100",
            "source": "prefix",
            "text": f"{WORDS[n % len(WORDS)]} (#{n})",
            "owner_slack_id": owner,
            "author_slack_id": owners[(n * 7) % PEOPLE],
            "due_on": (created + timedelta(days=7 + n % 21)).date(),
            "due_kind": "date",
            "series_key": series_keys[rng.randrange(SERIES)],
            "status": status,
            "created_at": created,
            "updated_at": closed or created,
            "closed_at": min(closed, now) if closed else None,
            "closed_by": owner if status == "done" else None,
        }


def _copy_value(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def fill(db: Database, count: int, series_keys: Sequence[str], now: datetime) -> float:
    """Empty action_items and insert `count` items; returns the seconds it took."""
    started = time.perf_counter()
    batch = 20_000
    with db.transaction() as conn:
        conn.execute(delete(action_items))
    source = rows(count, series_keys, now)
    if db.engine.dialect.name == "postgresql":
        # COPY: the fast path for bulk loads on PostgreSQL (psycopg 3).
        raw = db.engine.raw_connection()
        try:
            with raw.cursor() as cursor:
                sql = f"COPY action_items ({', '.join(COLUMNS)}) FROM STDIN"
                with cursor.copy(sql) as copy:  # type: ignore[attr-defined]
                    buffer = io.StringIO()
                    for n, row in enumerate(source, 1):
                        buffer.write("\t".join(_copy_value(row[c]) for c in COLUMNS) + "\n")
                        if n % batch == 0:
                            copy.write(buffer.getvalue())
                            buffer = io.StringIO()
                    copy.write(buffer.getvalue())
            raw.commit()
            with raw.cursor() as cursor:
                cursor.execute("ANALYZE action_items")
            raw.commit()
        finally:
            raw.close()
    else:
        statement = insert(action_items)
        chunk: list[dict[str, object]] = []
        with db.transaction() as conn:
            for row in source:
                chunk.append(row)
                if len(chunk) == batch:
                    conn.execute(statement, chunk)  # executemany
                    chunk = []
            if chunk:
                conn.execute(statement, chunk)
            conn.execute(text("ANALYZE"))
    return time.perf_counter() - started


def explain(db: Database, listings: dict[str, ActionQuery]) -> list[str]:
    """The plan of each listing's query, as the database runs it."""
    lines = []
    dialect = db.engine.dialect
    with db.engine.connect() as conn:
        for name, query in listings.items():
            sql = str(
                page_statement(query).compile(
                    dialect=dialect, compile_kwargs={"literal_binds": True}
                )
            )
            prefix = "EXPLAIN ANALYZE " if dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
            plan = conn.execute(text(prefix + sql)).all()
            lines.append(f"  {name}:")
            lines += [f"    {' '.join(str(c) for c in row[-1:])}" for row in plan]
    return lines


# --- measuring -------------------------------------------------------------------------------


def check_answer(listing: Listing) -> ResponseCheck:
    def check(response: requests.Response) -> str | None:
        if response.status_code != 200:
            return f"/acties: HTTP {response.status_code}: {response.text[:200]}"
        body = response.json()
        header = (body.get("blocks") or [{}])[0].get("text", {}).get("text", "")
        if not header.startswith(listing.header):
            return f"/acties {listing.name}: unexpected answer {response.text[:200]}"
        return None

    return check


def measure(
    apps: dict[int, ServedApp],
    listings: Sequence[Listing],
    response_url: str,
    args: argparse.Namespace,
) -> dict[int, dict[str, LatencyStats]]:
    """Every listing on every size, the servers taking turns in rounds (ABBA), so that drift on
    the machine hits all sizes alike."""
    sessions = {size: new_sessions(args.concurrency) for size in apps}
    results = {size: {listing.name: BatchResult() for listing in listings} for size in apps}
    try:
        for listing in listings:
            check = check_answer(listing)
            commands = {
                size: SlashCommands(app.url, "/acties", listing.texts, response_url)
                for size, app in apps.items()
            }
            order = list(apps)
            for size in order:  # warm-up: connections, caches, the database's pages
                batch = run_batch(sessions[size], commands[size].call, check, args.warmup)
                if batch.failures:
                    raise BenchError(f"/acties {listing.name}: {batch.failures[0]}")
            per_round = max(1, args.requests // args.rounds)
            for round_number in range(args.rounds):
                for size in abba(order, round_number):
                    batch = run_batch(
                        sessions[size],
                        commands[size].call,
                        check,
                        per_round,
                        first_index=round_number * per_round,
                    )
                    if batch.failures:
                        raise BenchError(f"/acties {listing.name}: {batch.failures[0]}")
                    results[size][listing.name].add(batch)
    finally:
        for pool in sessions.values():
            for session in pool:
                session.close()
    return {
        size: {name: LatencyStats.of(result) for name, result in by_listing.items()}
        for size, by_listing in results.items()
    }


@dataclass(frozen=True)
class Run:
    database: str
    size: int
    stats: dict[str, LatencyStats]
    fill_seconds: float
    plans: list[str]


def schema_name(size: int) -> str:
    return f"oov_bench_{size}"


def size_url(url: str, size: int, workdir: Path) -> str:
    """A database of its own per size: a SQLite file, or a PostgreSQL schema."""
    if make_url(normalise_url(url)).get_backend_name() == "sqlite":
        return f"sqlite:///{workdir / f'actions-{size}.db'}"
    schema = schema_name(size)
    db = Database(url)
    try:
        with db.transaction() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    finally:
        db.dispose()
    parsed = make_url(normalise_url(url))
    scoped = parsed.update_query_dict({"options": f"-csearch_path={schema}"})
    return scoped.render_as_string(hide_password=False)


def run_database(
    label: str,
    url: str,
    workdir: Path,
    sizes: Sequence[int],
    args: argparse.Namespace,
    fake: FakeSlack,
) -> list[Run]:
    home = workdir / label
    home.mkdir()
    config_dir, series = bench_config(home)
    keys = [key for key, _ in series]
    listings = [
        Listing("mijn", ("", "mijn"), "Jouw open actiepunten"),
        Listing("open", ("open",), "Alle open actiepunten"),
        Listing("overleg", tuple(name for _, name in series), "De open actiepunten van"),
    ]
    queries = {
        "mijn": ActionQuery(owner_slack_id=DEFAULT_USER_ID),
        "open": ActionQuery(),
        "overleg": ActionQuery(series_key=keys[0]),
    }
    urls = {size: size_url(url, size, home) for size in sizes}
    filled: dict[int, tuple[float, list[str]]] = {}
    for size, scoped in urls.items():
        progress(f"{label}: migrating, importing the config and filling {size:,} action items")
        prepare_database(scoped, config_dir)
        db = Database(scoped)
        try:
            seconds = fill(db, size, keys, datetime.now(UTC))
            filled[size] = (seconds, explain(db, queries) if args.explain else [])
        finally:
            db.dispose()
        progress(f"{label}: {size:,} items in {filled[size][0]:.1f} s")
    apps = {}
    for size, scoped in urls.items():
        serverdir = home / str(size)  # a ready file of its own per server
        serverdir.mkdir()
        apps[size] = ServedApp(
            OOV_BOT,
            serverdir,
            threads=args.threads,
            slack_api_url=fake.url,
            database_url=scoped,
            config_dir=config_dir,
        )
    with ExitStack() as servers:
        start_servers(servers, apps.values())
        progress(f"{label}: measuring")
        stats = measure(apps, listings, fake.response_url("acties"), args)
    drop_schemas(url, sizes)
    return [Run(label, size, stats[size], *filled[size]) for size in sizes]


def drop_schemas(url: str, sizes: Sequence[int]) -> None:
    """Leave the scratch PostgreSQL database as it was (a million rows take room)."""
    if make_url(normalise_url(url)).get_backend_name() != "postgresql":
        return
    db = Database(url)
    try:
        with db.transaction() as conn:
            for size in sizes:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema_name(size)} CASCADE"))
    finally:
        db.dispose()


def report(runs: Sequence[Run], args: argparse.Namespace) -> list[str]:
    lines = [
        "/acties latency by number of action items (50 people, 20 series)",
        f"one server per size (waitress, {args.threads} threads, own process), taking turns in "
        f"{args.rounds} rounds; {args.concurrency} concurrent client(s); {args.requests} requests "
        f"per listing and size after {args.warmup} to warm up; {cpu_summary()}",
        "",
        TABLE_HEADER,
    ]
    for run in runs:
        for name, s in run.stats.items():
            lines.append(f"{run.database:<10} {run.size:>9,}  {name:<8} {latency_cells(s)}")
    lines.append("")
    misses = []
    for database in dict.fromkeys(run.database for run in runs):
        mine = [run for run in runs if run.database == database]
        small, large = mine[0], mine[-1]
        ratios = []
        for name, s in large.stats.items():
            ratio = s.p99 / small.stats[name].p99
            ratios.append(f"{name} {ratio:.2f}")
            if ratio > GOAL_P99_RATIO:
                misses.append(f"{database} {name} {ratio:.2f}")
        lines.append(
            f"{database}: p99 at {large.size:,} / p99 at {small.size:,}: {', '.join(ratios)} "
            f"(filled in {large.fill_seconds:.0f} s)"
        )
    for run in runs:
        if run.plans:
            lines += ["", f"Query plans, {run.database}, {run.size:,} items:", *run.plans]
    lines += [
        "",
        f"Goal: p99 at the largest size ≤ {GOAL_P99_RATIO:g}× p99 at the smallest, per database "
        "and listing.",
        result_line(misses),
    ]
    return lines


def run(args: argparse.Namespace) -> list[str]:
    sizes = SMOKE_SIZES if args.smoke else tuple(args.sizes or SIZES)
    with tempfile.TemporaryDirectory(prefix="oov-bench-actions-") as tmp, FakeSlack() as fake:
        workdir = Path(tmp)
        databases = [("sqlite", "sqlite://")]
        if args.postgresql_url:
            databases.append(("postgresql", args.postgresql_url))
        runs: list[Run] = []
        for label, url in databases:
            runs += run_database(label, url, workdir, sizes, args, fake)
        return report(runs, args)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/actions_scale.py",
        description="/acties latency at 1,000 and 1,000,000 action items (exit 0 when it "
        "measured).",
    )
    parser.add_argument("--smoke", action="store_true", help="seconds: 200 and 1,000 items")
    parser.add_argument(
        "--sizes", type=int, nargs="+", metavar="N", help="item counts (default: 1000 1000000)"
    )
    parser.add_argument(
        "--postgresql-url",
        help="also measure on this scratch PostgreSQL database (its action_items are replaced)",
    )
    parser.add_argument("--requests", type=int, default=None, help="requests per listing")
    parser.add_argument("--concurrency", type=int, default=1, help="concurrent clients")
    parser.add_argument("--rounds", type=int, default=10, help="turns the servers take")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    args = parser.parse_args(argv)
    if args.requests is None:
        args.requests = 20 if args.smoke else 2000
    args.warmup = 10 if args.smoke else 200
    if args.smoke:
        args.rounds = 2
    if args.requests < 2:
        parser.error("--requests needs at least 2 (for percentiles)")
    if args.postgresql_url:
        try:
            if make_url(normalise_url(args.postgresql_url)).get_backend_name() != "postgresql":
                parser.error("--postgresql-url must be a PostgreSQL URL")
        except Exception:
            parser.error("--postgresql-url is not a database URL")
    return args


if __name__ == "__main__":
    raise SystemExit(bench_main(parse_args, run))
