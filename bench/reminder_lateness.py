"""How late do meeting reminders arrive, and what does planning them cost?

1. Lateness: 20 meetings whose reminders fall due a few seconds apart are imported into a fresh
   database; `oov-bot clock` runs in its own process (default settings) against a local fake
   Slack Web API; the time each reminder reaches the fake is compared with its due time. Then
   the same on `oov-bot run` (web and clock in one process, the one-team default) while a client
   keeps 20 `/wie` requests in flight.
2. Planning: 100 meeting series with mixed rhythms (weekly … quarterly), their reminders and
   chair DMs; how long the meetings planner takes for a whole year ahead (first call, when the
   recurrence rules are expanded, and again), and one ordinary planning round of the clock
   (25 hours ahead, as it runs every minute).

    python bench/reminder_lateness.py             # about half a minute
    python bench/reminder_lateness.py --smoke     # a few seconds: proves the benchmark runs
    python bench/reminder_lateness.py --database-url postgresql://user:pw@127.0.0.1/scratch

Exit code 0 whenever it measured (also when the goal is missed), 1 when it could not run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dateutil import rrule
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bench.common import (
    BOT_TOKEN,
    DEFAULT_THREADS,
    BenchError,
    bench_main,
    cpu_summary,
    masked_url,
    prepare_database,
    progress,
    stop_process,
)
from bench.real import RUN, Client, Server, SignedSlash
from bot.app import create_context
from bot.clock import Clock
from bot.language import TZ
from bot.settings import Settings
from handlers.meetings.clock import plan_deliveries
from storage.session import Database
from testkit.fake_slack import FakeSlack
from testkit.team_config import copy_config, write_yaml

GOAL_MEDIAN_S = 1.0
CHANNEL = "#bench"
TASK = "Boa-briefing"
CADENCES = (
    ("2 uur per week", None),
    ("2 uur per 2 weken", None),
    ("3 uur per 4 week", None),
    ("1 keer per 6 week 5 uur", None),
    ("2 uur per maand", 1),
    ("8 uur per 3 maanden", 2),
    ("2 uur per kwartaal", -1),
)
WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag")
RRULE_DAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR)


# -- 1. lateness ----------------------------------------------------------------------------------


def lateness_meetings(first_due: datetime, count: int, spacing: float) -> list[dict[str, Any]]:
    """One meeting per reminder, which falls due on the day of its meeting, to the microsecond
    (a reminder must come before its meeting's start, or the clock drops it as stale: the
    meeting is 5 s later, so a reminder made late by a loaded machine is measured, not dropped)."""
    meetings = []
    for n in range(count):
        due = (first_due + timedelta(seconds=n * spacing)).astimezone(TZ)
        start = due + timedelta(seconds=5)
        meetings.append(
            {
                "key": f"bench-{n + 1:02d}",
                "name": f"Bench {n + 1}",
                "task": TASK,
                "dates": [start.strftime("%Y-%m-%d %H:%M:%S.%f")],
                "channel": CHANNEL,
                "chair_dm_at": None,
                "remind": [{"days_before": 0, "at": due.strftime("%H:%M:%S.%f")}],
                "on_holiday": "doorgaan",
            }
        )
    return meetings


def start_clock(workdir: Path, database_url: str, fake: FakeSlack) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OOV_"))}
    env |= {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": fake.url,
        "OOV_CONFIG_DIR": str(workdir / "config"),
    }
    with (workdir / "clock.log").open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "clock"],
            cwd=workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


class WebLoad:
    """`/wie` requests from `concurrency` threads, back to back, until stopped."""

    def __init__(self, server: Server, response_url: str, concurrency: int = 20) -> None:
        from bench.slash_latency import QUERIES

        self._client = Client(server.port, concurrency)
        self._signed = SignedSlash("/wie", QUERIES, response_url)
        self._concurrency = concurrency
        self._stop = threading.Event()
        self.requests = 0
        self.failures: list[str] = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        def ok(status: int, body: bytes) -> str | None:
            return None if status == 200 and b'"blocks"' in body else f"HTTP {status}"

        while not self._stop.is_set():
            batch = self._client.batch(self._signed.build(200), self._concurrency, ok)
            self.requests += len(batch.latencies)
            self.failures += batch.failures

    def rate(self) -> float:
        """Requests answered per second since the load began."""
        return self.requests / (time.monotonic() - self._began)

    def __enter__(self) -> WebLoad:
        self._began = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._client.close()


def measure_lateness(
    workdir: Path,
    database_url: str,
    *,
    count: int,
    spacing: float,
    lead: float,
    under_load: bool = False,
) -> tuple[list[tuple[datetime, float]], tuple[int, float]]:
    """(due, lateness in seconds) per reminder, in due order; and the web requests served
    meanwhile and per second (under_load: `oov-bot run` with 20 /wie requests in flight, else
    `oov-bot clock`)."""
    name = "run" if under_load else "clock"
    config = copy_config(workdir / f"config-{name}")
    first_due = datetime.now(UTC) + timedelta(seconds=lead)
    meetings = lateness_meetings(first_due, count, spacing)
    write_yaml(config / "meetings.yaml", {"meetings": meetings})
    due_times = [first_due + timedelta(seconds=n * spacing) for n in range(count)]
    prepare_database(database_url, config)
    served = (0, 0.0)
    with FakeSlack() as fake, ExitStack() as stack:
        if under_load:
            server = Server(RUN, workdir, threads=DEFAULT_THREADS, slack_api_url=fake.url,
                            database_url=database_url, config_dir=config)  # fmt: skip
            stack.callback(server.stop)
            server.launch()
            server.wait_healthy()
            load = stack.enter_context(WebLoad(server, fake.response_url("commands/wie")))
            log_tail = server.log_tail
        else:
            clock = start_clock(workdir, database_url, fake)
            stack.callback(stop_process, clock, 10)

            def log_tail() -> str:
                return (workdir / "clock.log").read_text(errors="replace")[-2000:]

        wait = lead + count * spacing + 10
        try:
            calls = fake.wait_for("chat.postMessage", count, timeout=wait)
        except AssertionError as exc:
            tail = log_tail()
            raise BenchError(f"not every reminder arrived: {exc}\n{name} log:\n{tail}") from exc
        if under_load:
            served = (load.requests, load.rate())
            if load.failures:
                raise BenchError(f"web requests failed under load: {load.failures[:3]}")
        # The fake stamps calls with the monotonic clock; convert to wall-clock time.
        offset = time.time() - time.monotonic()
        arrived = sorted(call.at + offset for call in calls)
        if len(arrived) != count:
            raise BenchError(f"expected {count} posts, got {len(arrived)}: a reminder twice?")
    lateness = [(due, at - due.timestamp()) for due, at in zip(due_times, arrived, strict=True)]
    return lateness, served


# -- 2. planning ----------------------------------------------------------------------------------


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    rule = rrule.rrule(
        rrule.MONTHLY, dtstart=datetime(year, month, 1), byweekday=RRULE_DAYS[weekday](nth)
    )
    return rule[0].date()


def planning_series(count: int) -> list[dict[str, Any]]:
    series = []
    for n in range(count):
        cadence, week_of_month = CADENCES[n % len(CADENCES)]
        weekday = n % len(WEEKDAYS)
        entry: dict[str, Any] = {
            "key": f"series-{n + 1:03d}",
            "name": f"Overleg {n + 1}",
            "task": TASK,
            "cadence": cadence,
            "weekday": WEEKDAYS[weekday],
            "time": f"{8 + n % 9:02d}:{15 * (n % 4):02d}",
            "channel": CHANNEL,
            "chair": "boa-coordinator",
            "minute_takers": ["aov-1", "aov-2", "aov-3"],
            "on_holiday": ("overslaan", "volgende werkdag", "doorgaan")[n % 3],
        }
        if week_of_month is None:
            entry["first_date"] = date(2026, 1, 5) + timedelta(days=weekday)
        else:
            entry["week_of_month"] = week_of_month
            entry["first_date"] = nth_weekday(2026, 1, weekday, week_of_month)
        series.append(entry)
    return series


def measure_planning(workdir: Path, database_url: str, count: int) -> dict[str, float]:
    config = copy_config(workdir / "planning-config")
    write_yaml(config / "meetings.yaml", {"meetings": planning_series(count)})
    prepare_database(database_url, config)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        oov_config_dir=config,
    )
    ctx = create_context(settings)
    start = datetime(2027, 1, 4, 0, 0, tzinfo=TZ)
    results: dict[str, float] = {}
    for label in ("year_cold", "year_warm"):
        began = time.perf_counter()
        deliveries = list(plan_deliveries(ctx, start, start + timedelta(days=365)))
        results[label] = time.perf_counter() - began
    results["deliveries"] = len(deliveries)
    clock = Clock(ctx, [plan_deliveries], grace=timedelta(hours=2))
    clock.scheduler.start(paused=True)  # plan() schedules the jobs; none fires
    try:
        rounds = []
        for _ in range(5):
            began = time.perf_counter()
            clock.plan()
            rounds.append(time.perf_counter() - began)
        results["round"] = statistics.median(rounds)
        results["round_jobs"] = len(clock.scheduler.get_jobs())
    finally:
        clock.scheduler.shutdown(wait=False)
        ctx.db.dispose()
    return results


# -- report ---------------------------------------------------------------------------------------


def lateness_lines(lateness: list[tuple[datetime, float]], heading: str) -> tuple[list[str], float]:
    lates = [late for _, late in lateness]
    median, worst = statistics.median(lates), max(lates)
    lines = [heading, "", f"{'reminder':>8}  {'due (Amsterdam)':<15} {'late ms':>8}"]
    for n, (due, late) in enumerate(lateness, 1):
        shown = due.astimezone(TZ).strftime("%H:%M:%S.%f")[:-3]
        lines.append(f"{n:>8}  {shown:<15} {late * 1000:>8.1f}")
    met = median <= GOAL_MEDIAN_S
    lines += [
        "",
        f"median {median * 1000:.1f} ms, max {worst * 1000:.1f} ms "
        f"(goal: median ≤ {GOAL_MEDIAN_S * 1000:.0f} ms): {'met' if met else 'NOT met'}",
    ]
    return lines, median


def report(
    lateness: list[tuple[datetime, float]],
    loaded: tuple[list[tuple[datetime, float]], tuple[int, float]] | None,
    planning: dict[str, float],
    *,
    spacing: float,
    series: int,
    database: str,
) -> list[str]:
    lines, _ = lateness_lines(
        lateness,
        f"Reminder lateness: {len(lateness)} reminders {spacing:g} s apart; `oov-bot clock` in its "
        f"own process against a local fake Slack Web API; database: {database}; {cpu_summary()}",
    )
    if loaded is not None:
        under_load, (served, rate) = loaded
        more, _ = lateness_lines(
            under_load,
            f"Under web load: the same on `oov-bot run` (web + clock in one process) while 20 "
            f"/wie requests are in flight ({served} served, {rate:.0f} per second)",
        )
        lines += ["", *more]
    lines += [
        "",
        f"Planning {series} series (weekly … quarterly, reminders and chair DMs): "
        f"a year ahead = {int(planning['deliveries'])} deliveries in "
        f"{planning['year_cold'] * 1000:.0f} ms (first call) / "
        f"{planning['year_warm'] * 1000:.0f} ms (again); "
        f"one planning round of the clock (25 h ahead, {int(planning['round_jobs'])} jobs): "
        f"{planning['round'] * 1000:.1f} ms",
    ]
    return lines


def run(args: argparse.Namespace) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="oov-bench-") as tmp:
        workdir = Path(tmp)
        url = args.database_url or f"sqlite:///{workdir / 'lateness.db'}"
        if args.database_url:
            reset(url)
        progress(f"lateness: {args.reminders} reminders, {args.spacing:g} s apart")
        lateness, _ = measure_lateness(
            workdir, url, count=args.reminders, spacing=args.spacing, lead=args.lead
        )
        loaded = None
        if not args.no_load:
            url = args.database_url or f"sqlite:///{workdir / 'lateness-run.db'}"
            if args.database_url:
                reset(url)
            progress("lateness on `oov-bot run` under web load")
            under_load, served = measure_lateness(
                workdir, url, count=args.reminders, spacing=args.spacing,
                lead=args.lead + 3, under_load=True,
            )  # fmt: skip
            loaded = (under_load, served)
        planning_url = args.database_url or f"sqlite:///{workdir / 'planning.db'}"
        if args.database_url:
            reset(planning_url)
        progress(f"planning: {args.series} series, a year ahead")
        planning = measure_planning(workdir, planning_url, args.series)
        database = masked_url(args.database_url) if args.database_url else "SQLite (temporary file)"
        return report(
            lateness,
            loaded,
            planning,
            spacing=args.spacing,
            series=args.series,
            database=database,
        )


def reset(url: str) -> None:
    """Empty the scratch PostgreSQL database given with --database-url (reminder keys hold the
    date: a second run on the same day would find its reminders done already)."""
    try:
        db = Database(url)
    except Exception as exc:
        raise BenchError(f"unusable database URL: {exc.__class__.__name__}: {exc}") from exc
    try:
        if db.engine.dialect.name != "postgresql":
            raise BenchError("--database-url must be a scratch PostgreSQL database")
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    except SQLAlchemyError as exc:
        raise BenchError(f"could not empty the database: {exc.__class__.__name__}") from exc
    finally:
        db.dispose()


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/reminder_lateness.py",
        description="Lateness of meeting reminders and the cost of planning them.",
    )
    parser.add_argument("--reminders", type=int, default=20, help="default: %(default)s")
    parser.add_argument(
        "--spacing", type=float, default=1.0, help="seconds between reminders (%(default)s)"
    )
    parser.add_argument(
        "--lead",
        type=float,
        default=6.0,
        help="seconds until the first is due, for the clock to start (%(default)s)",
    )
    parser.add_argument("--series", type=int, default=100, help="for planning (%(default)s)")
    parser.add_argument("--smoke", action="store_true", help="a few seconds, tiny counts")
    parser.add_argument(
        "--no-load", action="store_true", help="skip the run on `oov-bot run` under web load"
    )
    parser.add_argument(
        "--database-url",
        help="a scratch PostgreSQL database (it is emptied!); default: temporary SQLite files",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.reminders, args.spacing, args.series, args.lead = 3, 0.5, 10, 4.0
    if args.reminders < 1 or args.series < 1 or args.spacing <= 0:
        parser.error("--reminders and --series need at least 1, --spacing more than 0")
    return args


if __name__ == "__main__":
    raise SystemExit(bench_main(parse_args, run))
