"""Piket iCal feed throughput: oov-bot's feed against a static file with the same bytes.

A rota of five years (two roles, ten people) is planned into a scratch database; oov-bot is served
by waitress in its own process, and the same Flask app also serves the feed's bytes as a static
file (werkzeug's send_file, with its own ETag and 304 handling). Both are fetched alternately at
concurrency 1 and 20, in full (200) and conditionally (If-None-Match: 304).

    .venv/bin/python bench/ical_feed.py            # the full run (about a minute)
    .venv/bin/python bench/ical_feed.py --smoke    # a few seconds
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests

from bench.common import (
    BatchResult,
    BenchError,
    HttpCall,
    LatencyStats,
    ServedApp,
    abba,
    add_threads_option,
    bench_main,
    cpu_ms,
    cpu_since,
    cpu_summary,
    database_label,
    new_sessions,
    progress,
    result_line,
    run_batch,
    serve_on_free_port,
)
from bot.settings import Settings

FEED, STATIC = "feed", "static"
TARGETS = (FEED, STATIC)
YEARS = 5
PEOPLE = 10
GOAL_FULL_RATIO = 2.0
GOAL_NOT_MODIFIED_RATIO = 1.2
STATIC_PATH = "/bench/static-feed.ics"


# -- the data ----------------------------------------------------------------------------------


def write_config(config_dir: Path, cycle_weeks: int) -> None:
    """people.yaml with ten people and a piket.yaml whose feed shows all five years."""
    from ruamel.yaml import YAML

    config_dir.mkdir(parents=True, exist_ok=True)
    yaml = YAML()
    people = [
        {"key": f"functionaris-{n}", "name": f"Functionaris {n} van Ëlsloo-Brühl", "slack_id": ""}
        for n in range(1, PEOPLE + 1)
    ]
    with (config_dir / "people.yaml").open("w", encoding="utf-8") as handle:
        yaml.dump({"people": people}, handle)
    with (config_dir / "tasks.yaml").open("w", encoding="utf-8") as handle:
        yaml.dump({"tasks": []}, handle)
    half = PEOPLE // 2
    piket = {
        "cycle_weeks": cycle_weeks,
        "first_duty_week": "2024-W02",
        "handover": {"weekday": "maandag", "time": "08:00"},
        "feed": {"past_months": YEARS * 6 + 1, "future_months": YEARS * 6 + 1},
        "roles": [
            {"name": "OVD-BZ", "people": [p["key"] for p in people[:half]]},
            {"name": "IM-ACBZ", "people": [p["key"] for p in people[half:]]},
        ],
    }
    with (config_dir / "piket.yaml").open("w", encoding="utf-8") as handle:
        yaml.dump(piket, handle)


def prepare(database_url: str, config_dir: Path, now: datetime) -> str:
    """Plan five years around `now` (as if the clock had rolled on for years) and return a
    whole-rota feed token."""
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from bot.core.config_files import ConfigError
    from bot.core.piket_feed import FeedScope
    from bot.features import import_config, load_config
    from storage.piket import PiketStore
    from storage.session import Database

    try:
        db = Database(database_url)
    except (ArgumentError, ImportError) as exc:
        raise BenchError(f"unusable database URL: {exc}") from exc
    try:
        db.upgrade()
        start = now - timedelta(days=365 * YEARS / 2)
        import_config(db, load_config(config_dir), start)
        store = PiketStore(db, Settings(_env_file=None).tz)  # type: ignore[call-arg]
        moment = start
        while moment < now + timedelta(days=365 * (YEARS / 2 - 1)):
            moment += timedelta(days=180)
            store.plan(moment)  # the clock's daily roll-on, half-yearly here
        person = next(p for p in db_people(db) if p.key == "functionaris-1")
        tokens, _ = store.issue_tokens(person.id, now=now)
        return tokens[FeedScope.ALL]
    except (SQLAlchemyError, ConfigError) as exc:
        raise BenchError(f"could not prepare the database: {exc}") from exc
    finally:
        db.dispose()


def db_people(db: Any) -> list[Any]:
    from storage.team import TeamStore

    return TeamStore(db).people()


# -- the server --------------------------------------------------------------------------------


def serve_main(argv: Sequence[str]) -> int:
    """Server process: oov-bot's web app plus a static route, on waitress, on a free port."""
    parser = argparse.ArgumentParser(prog="bench/ical_feed.py serve")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--config-dir", type=Path, required=True)
    parser.add_argument("--static-file", type=Path, required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--ready-file", type=Path, required=True)
    args = parser.parse_args(argv)

    from flask import send_file

    from bot.app import create_context
    from bot.cli import setup_logging
    from bot.web import create_web_app

    setup_logging()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=args.database_url,
        oov_config_dir=args.config_dir,
        slack_bot_token=None,
        slack_app_token=None,
    )
    web = create_web_app(create_context(settings), None)
    static = args.static_file.resolve()
    web.add_url_rule(
        STATIC_PATH,
        "bench_static",
        lambda: send_file(static, mimetype="text/calendar", conditional=True, max_age=300),
    )
    serve_on_free_port(web, args.threads, args.ready_file)
    return 0


class FeedServerProcess(ServedApp):
    """bench.common's child-process server, started with this module's `serve` instead."""

    def __init__(self, workdir: Path, *, threads: int, database_url: str, config_dir: Path,
                 static_file: Path) -> None:  # fmt: skip
        super().__init__("ical", workdir, threads=threads, slack_api_url="")
        self._command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "serve",
            f"--database-url={database_url}",
            f"--config-dir={config_dir}",
            f"--static-file={static_file}",
            f"--threads={threads}",
            f"--ready-file={self._ready_file}",
        ]


# -- load ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    url: str
    body: bytes
    etag: str


def fetch_get(
    sessions: Sequence[requests.Session],
    target: Target,
    count: int,
    *,
    conditional: bool,
) -> BatchResult:
    """`count` GETs from len(sessions) threads (closed loop), checking every answer."""
    headers = {"If-None-Match": target.etag} if conditional else {}
    call = HttpCall(target.url, b"", headers, method="GET")
    expected = 304 if conditional else 200

    def check(response: requests.Response) -> str | None:
        if response.status_code != expected:
            return f"{target.url}: HTTP {response.status_code}"
        if not conditional and response.content != target.body:
            return f"{target.url}: other bytes than expected"
        return None

    return run_batch(sessions, lambda _index: call, check, count)


@dataclass(frozen=True)
class Plan:
    warmup: int
    per_level: dict[int, int]
    rounds: int

    @classmethod
    def choose(cls, *, smoke: bool, requests_per_level: int | None) -> Plan:
        if smoke:
            return cls(warmup=20, per_level={1: 40, 20: 80}, rounds=2)
        n = requests_per_level
        return cls(warmup=300, per_level={1: n or 1500, 20: n or 4000}, rounds=4)


def measure(
    server: FeedServerProcess, targets: dict[str, Target], plan: Plan
) -> dict[tuple[int, bool, str], LatencyStats]:
    sessions = new_sessions(max(plan.per_level))
    try:
        for target in targets.values():
            fetch_get(sessions, target, plan.warmup, conditional=False)
        stats: dict[tuple[int, bool, str], LatencyStats] = {}
        for concurrency, total in plan.per_level.items():
            for conditional in (False, True):
                mode = "304" if conditional else "200"
                progress(f"concurrency {concurrency}, {mode}: {total} requests per target")
                results = {name: BatchResult() for name in targets}
                per_round = max(2, total // plan.rounds)
                for round_number in range(plan.rounds):
                    for name in abba(TARGETS, round_number):
                        cpu_before = server.cpu_seconds()
                        batch = fetch_get(
                            sessions[:concurrency], targets[name], per_round,
                            conditional=conditional,
                        )  # fmt: skip
                        batch.server_cpu_seconds = cpu_since(server, cpu_before)
                        if batch.failures:
                            raise BenchError("; ".join(batch.failures[:3]))
                        results[name].add(batch)
                for name, result in results.items():
                    stats[(concurrency, conditional, name)] = LatencyStats.of(result)
        return stats
    finally:
        for session in sessions:
            session.close()


# -- report --------------------------------------------------------------------------------------

TABLE_HEADER = (
    f"{'concurrency':>11}  {'answer':<6} {'target':<7} {'requests':>8} {'req/s':>8} "
    f"{'p50 ms':>7} {'p99 ms':>7} {'server CPU ms/req':>18}"
)


def report(
    stats: dict[tuple[int, bool, str], LatencyStats],
    *,
    plan: Plan,
    threads: int,
    database: str,
    body: bytes,
    events: int,
    cycle_weeks: int,
) -> list[str]:
    lines = [
        "Piket iCal feed: oov-bot's feed against a static file with the same bytes",
        f"waitress with {threads} threads, one process serving both; database: {database}; "
        f"{cpu_summary()}",
        f"rota: {YEARS} years, 2 roles, {PEOPLE} people, on duty 1 week in {cycle_weeks}; "
        f"whole-rota feed of {events} events, {len(body) / 1024:.0f} KiB",
        f"alternating in {plan.rounds} rounds (ABBA) per concurrency; 304 = If-None-Match",
        "",
        TABLE_HEADER,
    ]
    misses = []
    for concurrency in plan.per_level:
        for conditional in (False, True):
            answer = "304" if conditional else "200"
            feed = stats[(concurrency, conditional, FEED)]
            static = stats[(concurrency, conditional, STATIC)]
            for name, s in ((FEED, feed), (STATIC, static)):
                lines.append(
                    f"{concurrency:>11}  {answer:<6} {name:<7} {s.count:>8} {s.per_second:>8.0f} "
                    f"{s.p50:>7.2f} {s.p99:>7.2f} {cpu_ms(s):>18}"
                )
            throughput_ratio = static.per_second / feed.per_second
            p99_ratio = feed.p99 / static.p99
            lines.append(
                f"{concurrency:>11}  {answer:<6} {'ratio':<7} {'':>8} "
                f"{throughput_ratio:>7.2f}x {'':>7} {p99_ratio:>6.2f}x"
            )
            goal = GOAL_NOT_MODIFIED_RATIO if conditional else GOAL_FULL_RATIO
            if max(throughput_ratio, p99_ratio) > goal:
                misses.append(
                    f"{answer} at concurrency {concurrency}: {throughput_ratio:.2f}x req/s, "
                    f"{p99_ratio:.2f}x p99 (goal {goal}x)"
                )
    lines += [
        "",
        "ratio: static req/s ÷ feed req/s, and feed p99 ÷ static p99 (1.00x = as fast as static)",
        f"Goal: full feed within {GOAL_FULL_RATIO}x of the static file, 304 within "
        f"{GOAL_NOT_MODIFIED_RATIO}x.",
        result_line(misses),
    ]
    return lines


def run(args: argparse.Namespace) -> list[str]:
    plan = Plan.choose(smoke=args.smoke, requests_per_level=args.requests)
    with tempfile.TemporaryDirectory(prefix="oov-ical-bench-") as tmp:
        workdir = Path(tmp)
        database_url = args.database_url or f"sqlite:///{workdir / 'oov.db'}"
        config_dir = workdir / "config"
        write_config(config_dir, args.cycle_weeks)
        progress("planning five years of piket")
        token = prepare(database_url, config_dir, datetime.now(UTC))
        static_file = workdir / "feed.ics"
        static_file.write_bytes(b"")
        server = FeedServerProcess(
            workdir,
            threads=args.threads,
            database_url=database_url,
            config_dir=config_dir,
            static_file=static_file,
        )
        progress("starting the server")
        server.launch()
        try:
            base = server.wait_ready()
            feed_url = f"{base}/ical/piket/{token}.ics"
            first = requests.get(feed_url, timeout=30)
            if first.status_code != 200:
                raise BenchError(f"the feed answered HTTP {first.status_code}")
            static_file.write_bytes(first.content)  # the same bytes, served as a file
            static = requests.get(base + STATIC_PATH, timeout=30)
            if static.content != first.content:
                raise BenchError("the static file does not hold the feed's bytes")
            targets = {
                FEED: Target(feed_url, first.content, first.headers["ETag"]),
                STATIC: Target(base + STATIC_PATH, static.content, static.headers["ETag"]),
            }
            stats = measure(server, targets, plan)
        except BaseException:
            print(server.log_tail(), file=sys.stderr)
            raise
        finally:
            server.stop()
    return report(
        stats,
        plan=plan,
        threads=args.threads,
        database=database_label(args.database_url),
        body=first.content,
        events=first.content.count(b"BEGIN:VEVENT"),
        cycle_weeks=args.cycle_weeks,
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/ical_feed.py",
        description="Piket feed throughput against a static file (exit 0 when it measured).",
    )
    parser.add_argument("--smoke", action="store_true", help="a few seconds, tiny counts")
    parser.add_argument("--requests", type=int, metavar="N", help="requests per target and level")
    parser.add_argument("--database-url", help="a scratch database (default: temporary SQLite)")
    parser.add_argument(
        "--cycle-weeks",
        type=int,
        default=1,
        help="on duty one week in N (default 1: the largest feed, a duty every week)",
    )
    add_threads_option(parser, "waitress threads")
    args = parser.parse_args(argv)
    if args.requests is not None and args.requests < 8:
        parser.error("--requests needs at least 8")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"]:
        return serve_main(argv[1:])
    return bench_main(parse_args, run, argv)


if __name__ == "__main__":
    raise SystemExit(main())
