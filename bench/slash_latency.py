"""Every slash command of the real `oov-bot serve` against a bare Bolt app, fresh and warmed up.

The processes are the real ones: `oov-bot serve` (the console script, as the Procfile starts it)
and `bench/bare_app.py`, a Bolt app that imports only slack_bolt and Flask and only acknowledges,
both on waitress with the same threads, each in its own process and directory, pointed at a local
fake Slack Web API. oov-bot serves SQLite in a temporary directory (or --database-url) holding
the bundled config with Slack IDs and 1,000 action items.

The client is raw keep-alive HTTP/1.1 over sockets, its requests signed before the timed loop: it
costs tens of microseconds per request (printed), the server milliseconds. Each command (/wie,
/taken, /overleg, /acties, /piket) is measured at concurrency 1 and 20 in two ways:

- fresh: every round starts both processes anew and measures their first requests (after a few
  for each command), so start-up effects such as the first full garbage collection count;
- warm: one pair of processes, after a warm-up, measured in many short rounds.

In both, the apps take turns (ABBA) and each ratio is oov-bot ÷ bare within one round; the table
gives the median of the per-round ratios and its 95 % confidence interval (bench/verdict.py), so
the verdict ("met", "NOT met", "inconclusive (noise)") does not flip with noise. Both servers
log their collections (OOV_GC_LOG, bot/heap.py); the report counts and times the full ones that
fell in the measured windows.

    python bench/slash_latency.py                 # the full run, about 14 minutes
    python bench/slash_latency.py --smoke         # seconds: proves the benchmark runs
    python bench/slash_latency.py --commands /wie,/taken --rounds 24
    python bench/slash_latency.py --database-url postgresql://user:pw@127.0.0.1/scratch

Exit code 0 whenever it measured (also when a goal is missed), 1 when it could not run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    DEFAULT_THREADS,
    LATENCY_HEADER,
    BenchError,
    abba,
    bench_main,
    cpu_summary,
    database_label,
    prepare_database,
    progress,
)
from bench.real import BARE, SERVE, Batch, Client, Collection, Server, SignedSlash, start_all
from bench.verdict import Check, Spread, ratio_spread, verdict_line
from testkit.fake_slack import FakeSlack
from testkit.team_config import copy_config

OOV_BOT = "oov-bot"
APPS = (OOV_BOT, "bare")
KIND = {OOV_BOT: SERVE, "bare": BARE}

# What people type after /wie: abbreviations, typos, plurals, whole questions, synonyms that
# only an alias knows, a word matching several tasks and one matching none.
QUERIES = (
    "bibob",
    "huisverbod",
    "jaarwiseling",
    "azc",
    "coffeeshop",
    "tvo",
    "boa briefing",
    "Wie doet de Bibob?",
    "explossieven",
    "mensen handel",
    "noodbevel",
    "casuistiek",
    "vuurwerk",
    "wie is de contactpersoon voor het AZC?",
    "hennep",
    "radicalisring",
    "zaak systeem",
    "VRD",
    "overleg",
    "parkeervergunning",
)
COMMANDS: dict[str, tuple[str, ...]] = {
    "/wie": QUERIES,
    # The asker (U0AOV0001 is aov-1) and colleagues by key and by mention.
    "/taken": ("", "aov-2", "<@U0AOV0003|aov3>", "boa-coordinator", "teamleider"),
    "/overleg": ("", "boa-briefing", "teamoverleg", "tvo", "gezagsdriehoek"),
    "/acties": ("", "open", "boa-briefing", "<@U0AOV0002|aov2>", "teamoverleg"),
    "/piket": ("", "volgende", "<@U0AOV0001|aov1>", "agenda"),
}
ACTION_ITEMS = 1_000
# Answers that mean the benchmark set something up wrong (an unknown person, meeting, ...).
WRONG_ANSWERS = ("Ik ken geen", "Geef een persoon op", "Er ging iets mis")

GOAL_RATIO = 1.2  # p50 and p99, every command, both concurrencies, fresh and warm
GOAL_PAUSE_MS = 20.0
GOAL_MAX_MS = 3000.0  # Slack shows the user an error when an ack takes longer than 3 s
TABLE_HEADER = f"{'concurrency':>11}  {'app':<8} {LATENCY_HEADER} {'server CPU ms/req':>18}"
# 20 rounds: 12 let one hiccup of the machine stretch an interval past the goal, so the verdict
# moved between runs of one commit (ratios of 1.03-1.06 with intervals up to 1.30).
DEFAULT_ROUNDS = 20
SMOKE_ROUNDS = 6  # the fewest rounds whose min–max reaches 95 %, so smoke runs can give verdicts


@dataclass(frozen=True)
class Plan:
    per_round: dict[int, int]  # concurrency -> requests per app per round (warm)
    fresh_per_round: dict[int, int]  # concurrency -> requests per app per fresh process
    warmup: int  # per command and app, before the warm rounds
    fresh_warmup: int  # per command and app in a fresh process, before measuring
    rounds: int
    fresh_rounds: int

    @classmethod
    def choose(cls, *, smoke: bool, rounds: int | None, fresh_rounds: int | None) -> Plan:
        if smoke:
            return cls({1: 6, 20: 40}, {1: 10, 20: 40}, 20, 3, rounds or SMOKE_ROUNDS,
                       fresh_rounds or 2)  # fmt: skip
        # Warm rounds of 200/600 requests, so that a round's p99 is its 2nd/6th slowest request
        # rather than its slowest (60/200 made one scheduling hiccup of the machine decide it);
        # a fresh process's first 60/200 are what fresh measures, over as many rounds as warm.
        return cls({1: 200, 20: 600}, {1: 60, 20: 200}, 400, 5, rounds or DEFAULT_ROUNDS,
                   fresh_rounds or DEFAULT_ROUNDS)  # fmt: skip


# -- measuring ------------------------------------------------------------------------------


def check_for(app: str) -> object:
    if app == OOV_BOT:

        def oov_bot(status: int, body: bytes) -> str | None:
            if status != 200 or b'"blocks"' not in body:
                return f"oov-bot: HTTP {status}: {body[:200]!r}"
            return None

        return oov_bot

    def bare(status: int, body: bytes) -> str | None:
        return None if status == 200 else f"bare: HTTP {status}: {body[:200]!r}"

    return bare


@dataclass
class Level:
    """One command at one concurrency in one mode: each app's batch per round."""

    rounds: dict[str, list[Batch]] = field(default_factory=lambda: {app: [] for app in APPS})

    def ratio(self, metric: str) -> Spread:
        return ratio_spread(
            self.rounds[OOV_BOT], self.rounds["bare"], lambda batch: percentile(batch, metric)
        )


def percentile(batch: Batch, metric: str) -> float:
    ms = sorted(latency * 1000 for latency in batch.latencies)
    if metric == "max":
        return ms[-1]
    if len(ms) < 2:
        return ms[0]
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    return cuts[49] if metric == "p50" else cuts[98]


@dataclass
class Mode:
    name: str
    description: str
    levels: dict[str, dict[int, Level]]  # command -> concurrency -> Level
    collections: dict[str, list[Collection]] = field(
        default_factory=lambda: {app: [] for app in APPS}
    )  # the collections inside measured windows, per app
    start_objects: dict[str, list[int]] = field(default_factory=lambda: {app: [] for app in APPS})
    slack_calls: Counter[str] = field(default_factory=Counter)  # while measuring


class Apps:
    """The two servers and a client for each."""

    def __init__(self, servers: dict[str, Server], max_concurrency: int) -> None:
        self.servers = servers
        self.clients = {app: Client(s.port, max_concurrency) for app, s in servers.items()}

    def batch(self, app: str, requests: list[bytes], concurrency: int) -> Batch:
        batch = self.clients[app].batch(
            requests,
            concurrency,
            check_for(app),
            self.servers[app],  # type: ignore[arg-type]
        )
        if batch.failures:
            shown = "\n".join(f"  {line}" for line in batch.failures[:5])
            raise BenchError(f"{len(batch.failures)} of {len(requests)} requests failed:\n{shown}")
        return batch

    def close(self) -> None:
        for client in self.clients.values():
            client.close()
        for server in self.servers.values():
            server.stop()


def verify_answers(apps: Apps, signed: dict[str, SignedSlash]) -> None:
    """Every text once, looked at: the benchmark must measure real answers, not error paths."""
    client = apps.clients[OOV_BOT]
    for command, requests in signed.items():
        for text, request in zip(requests.texts, requests.build(len(requests.texts)), strict=True):
            answers: list[bytes] = []

            def keep(status: int, body: bytes, answers: list[bytes] = answers) -> str | None:
                answers.append(body)
                return None if status == 200 else f"HTTP {status}"

            batch = client.batch([request], 1, keep)
            body = answers[0] if answers else b""
            wrong = next((w for w in WRONG_ANSWERS if w.encode() in body), None)
            if batch.failures or b'"blocks"' not in body or wrong:
                problem = batch.failures or [body[:300].decode(errors="replace")]
                raise BenchError(f"{command} {text!r}: no proper answer: {problem[0]}")


def new_servers(workdir: Path, fake_url: str, database_url: str, config: Path, threads: int,
                round_number: int = 0) -> dict[str, Server]:  # fmt: skip
    return {
        app: Server(
            KIND[app],
            workdir,
            threads=threads,
            slack_api_url=fake_url,
            database_url=database_url if app == OOV_BOT else "",
            config_dir=config if app == OOV_BOT else None,
            name=f"{app}-{round_number}",
        )
        for app in APPS
    }


def record_gc(mode: Mode, apps: Apps, windows: dict[str, list[tuple[float, float]]]) -> None:
    for app, server in apps.servers.items():
        log = server.gc_log()
        mode.collections[app] += log.within(windows[app])
        if log.start_objects is not None:
            mode.start_objects[app].append(log.start_objects)


def measure_warm(
    args: argparse.Namespace, plan: Plan, setup: Setup, measuring: Callable[[], None]
) -> Mode:
    commands = setup.commands
    mode = Mode(
        "warm",
        f"one process per app, after {plan.warmup} requests per command; {plan.rounds} rounds",
        {command: {c: Level() for c in plan.per_round} for command in commands},
    )
    servers = new_servers(setup.workdir, setup.fake_url, setup.database_url, setup.config,
                          args.threads)  # fmt: skip
    progress("warm: starting oov-bot serve and the bare app")
    start_all(list(servers.values()))
    apps = Apps(servers, max(plan.per_round))
    windows: dict[str, list[tuple[float, float]]] = {app: [] for app in APPS}
    try:
        signed = {app: setup.signed() for app in APPS}
        verify_answers(apps, signed[OOV_BOT])
        progress(f"warm: warming up, {plan.warmup} requests per command and app")
        for command in commands:
            for app in APPS:
                apps.batch(app, signed[app][command].build(plan.warmup), max(plan.per_round))
        measuring()
        for command in commands:
            progress(f"warm: {command}")
            for concurrency, count in plan.per_round.items():
                for round_number in range(plan.rounds):
                    for app in abba(APPS, round_number):
                        batch = apps.batch(app, signed[app][command].build(count), concurrency)
                        mode.levels[command][concurrency].rounds[app].append(batch)
                        windows[app].append(batch.window)
        record_gc(mode, apps, windows)
    finally:
        apps.close()
    return mode


def measure_fresh(args: argparse.Namespace, plan: Plan, setup: Setup) -> Mode:
    commands = setup.commands
    mode = Mode(
        "fresh",
        f"both processes started anew in each of {plan.fresh_rounds} rounds; per command "
        f"{plan.fresh_warmup} requests, then measured",
        {command: {c: Level() for c in plan.fresh_per_round} for command in commands},
    )
    for round_number in range(plan.fresh_rounds):
        progress(f"fresh: round {round_number + 1} of {plan.fresh_rounds}")
        servers = new_servers(setup.workdir, setup.fake_url, setup.database_url, setup.config,
                              args.threads, round_number)  # fmt: skip
        start_all(list(servers.values()))
        apps = Apps(servers, max(plan.fresh_per_round))
        windows: dict[str, list[tuple[float, float]]] = {app: [] for app in APPS}
        try:
            signed = {app: setup.signed() for app in APPS}
            for command in commands:
                for app in abba(APPS, round_number):
                    apps.batch(app, signed[app][command].build(plan.fresh_warmup), 1)
                    for concurrency, count in plan.fresh_per_round.items():
                        batch = apps.batch(app, signed[app][command].build(count), concurrency)
                        mode.levels[command][concurrency].rounds[app].append(batch)
                        windows[app].append(batch.window)
            record_gc(mode, apps, windows)
        finally:
            apps.close()
    return mode


# -- set-up -----------------------------------------------------------------------------------


@dataclass
class Setup:
    workdir: Path
    fake_url: str
    response_url: str
    database_url: str
    config: Path
    commands: tuple[str, ...]

    def signed(self) -> dict[str, SignedSlash]:
        return {c: SignedSlash(c, COMMANDS[c], self.response_url) for c in self.commands}


def prepare(workdir: Path, database_url: str) -> Path:
    """The bundled config with Slack IDs, migrated and imported, plus 1,000 action items."""
    from ruamel.yaml import YAML

    from bench.actions_scale import SERIES, fill
    from storage.session import Database

    config = copy_config(workdir / "config")
    prepare_database(database_url, config)
    meetings = YAML().load((config / "meetings.yaml").read_text(encoding="utf-8"))["meetings"]
    db = Database(database_url)
    try:
        keys = [m["key"] for m in meetings]
        fill(db, ACTION_ITEMS, (keys * SERIES)[:SERIES], datetime.now(UTC))
    finally:
        db.dispose()
    return config


# -- report -----------------------------------------------------------------------------------


def pooled_cells(batches: list[Batch]) -> str:
    latencies = [latency for batch in batches for latency in batch.latencies]
    pooled = Batch(latencies=latencies)
    wall = sum(batch.wall for batch in batches)
    cpu = [batch.server_cpu for batch in batches]
    cpu_ms = "n/a" if None in cpu else f"{sum(cpu) * 1000 / len(latencies):.2f}"  # type: ignore[arg-type]
    return (
        f"{len(latencies):>8} {percentile(pooled, 'p50'):>8.2f} {percentile(pooled, 'p99'):>8.2f} "
        f"{percentile(pooled, 'max'):>8.1f} {len(latencies) / wall:>7.0f} {cpu_ms:>18}"
    )


def gc_summary(collections: list[Collection]) -> str:
    """E.g. "2 full (longest 9.1 ms, CPU 8.0 ms); gen 1: 3 over 1 ms (longest 4.2 ms, ...)"."""

    def longest(found: list[Collection]) -> str:
        return (
            f"longest {max(c.ms for c in found):.1f} ms, CPU {max(c.cpu_ms for c in found):.1f} ms"
        )

    full = [c for c in collections if c.generation == 2]
    text = f"{len(full)} full"
    if full:
        text += f" ({longest(full)}, total {sum(c.ms for c in full):.0f} ms)"
    for generation in (0, 1):
        slow = [c for c in collections if c.generation == generation]
        if slow:
            text += f"; gen {generation}: {len(slow)} over 1 ms ({longest(slow)})"
    return text


def report(modes: list[Mode], *, plan: Plan, threads: int, database: str) -> list[str]:
    lines = [
        "Slash commands: the real `oov-bot serve` versus a bare Bolt app (slack_bolt + Flask) "
        "that only acknowledges",
        f"waitress with {threads} threads per app, each app in its own process; "
        f"database: {database} with the bundled config and {ACTION_ITEMS:,} action items; "
        f"{cpu_summary()}",
        "ratio: oov-bot/bare within each round, median over the rounds; beside it the median's "
        "confidence interval (order statistics of the per-round ratios)",
    ]
    checks: list[Check] = []
    client_cpu, requests = 0.0, 0
    for mode in modes:
        objects = {app: mode.start_objects[app] for app in APPS}
        lines += [
            "",
            f"== {mode.name}: {mode.description}",
            "   objects the collector tracks at start: "
            + ", ".join(
                f"{app} {statistics.median(n):,.0f}"
                + (" (frozen: never scanned)" if app == OOV_BOT else "")
                for app, n in objects.items()
                if n
            ),
            "   collections in the measured windows: "
            f"oov-bot {gc_summary(mode.collections[OOV_BOT])}; "
            f"bare {gc_summary(mode.collections['bare'])}",
        ]
        # Judged on the collector's CPU time: its wall time also holds whatever else the
        # machine ran meanwhile (other processes, the client), which is noise, not the pause.
        longest = max((c.cpu_ms for c in mode.collections[OOV_BOT]), default=0.0)
        wall = max((c.ms for c in mode.collections[OOV_BOT]), default=0.0)
        lines.append(
            f"   longest oov-bot collection: {longest:.1f} ms of CPU ({wall:.1f} ms wall, any)"
        )
        what = f"longest collection {longest:.1f} ms of CPU ({mode.name})"
        checks.append(Check.plain(what, longest <= GOAL_PAUSE_MS))
        for command, levels in mode.levels.items():
            lines += ["", f"{command} ({mode.name})", TABLE_HEADER]
            for concurrency, level in levels.items():
                for app in APPS:
                    lines.append(f"{concurrency:>11}  {app:<8} {pooled_cells(level.rounds[app])}")
                p50, p99 = level.ratio("p50"), level.ratio("p99")
                lines.append(
                    f"{concurrency:>11}  {'ratio':<8} {'':>8} {p50.median:>8.2f} {p99.median:>8.2f}"
                    f"   p50 {p50.interval()}, p99 {p99.interval()} "
                    f"({p99.coverage:.0%} interval, {p99.rounds} rounds)"
                )
                where = f"{command} at concurrency {concurrency} ({mode.name})"
                checks.append(Check.ratio_at_most("p50 ratio", p50, GOAL_RATIO, where))
                checks.append(Check.ratio_at_most("p99 ratio", p99, GOAL_RATIO, where))
                slowest = max(percentile(b, "max") for b in level.rounds[OOV_BOT])
                if slowest > GOAL_MAX_MS:
                    checks.append(Check.plain(f"slowest {slowest / 1000:.1f} s {where}", False))
                for app in APPS:
                    for batch in level.rounds[app]:
                        client_cpu += batch.client_cpu
                        requests += len(batch.latencies)
    lines += [
        "",
        f"client CPU per request (raw sockets, signed before timing): "
        f"{client_cpu * 1e6 / max(requests, 1):.0f} µs",
    ]
    for mode in modes:
        calls = ", ".join(f"{m} ×{n}" for m, n in sorted(mode.slack_calls.items())) or "none"
        lines.append(f"Slack Web API calls while measuring (local fake): {calls} ({mode.name})")
    lines += [
        f"Goal: oov-bot/bare p50 and p99 ratios ≤ {GOAL_RATIO} for every command at both "
        f"concurrencies, fresh and warm (met when the whole interval is within it, NOT met when "
        f"the whole interval is above it); no collection over {GOAL_PAUSE_MS:.0f} ms of CPU in "
        f"the measured windows; no request over {GOAL_MAX_MS / 1000:.0f} s.",
        verdict_line(checks),
    ]
    return lines


def run(args: argparse.Namespace) -> list[str]:
    plan = Plan.choose(smoke=args.smoke, rounds=args.rounds, fresh_rounds=args.fresh_rounds)
    with tempfile.TemporaryDirectory(prefix="oov-bench-") as tmp, FakeSlack() as fake:
        workdir = Path(tmp)
        database_url = args.database_url or f"sqlite:///{workdir / 'oov.db'}"
        progress("preparing the database")
        config = prepare(workdir, database_url)
        setup = Setup(workdir, fake.url, fake.response_url("commands"), database_url, config,
                      tuple(args.commands))  # fmt: skip

        def calls() -> Counter[str]:
            # auth.test is the start-up token check, not a request's.
            return Counter(call.method for call in fake.calls() if call.method != "auth.test")

        modes = []
        if "warm" in args.modes:
            modes.append(measure_warm(args, plan, setup, fake.reset))
            modes[-1].slack_calls = calls()
        if "fresh" in args.modes:
            fake.reset()
            modes.append(measure_fresh(args, plan, setup))
            modes[-1].slack_calls = calls()
        return report(
            modes, plan=plan, threads=args.threads, database=database_label(args.database_url)
        )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/slash_latency.py",
        description="Slash commands of oov-bot serve against a bare Bolt app (exit 0 when it "
        "measured).",
    )
    parser.add_argument(
        "--rounds", type=int, metavar="N",
        help=f"warm rounds per command and concurrency (default {DEFAULT_ROUNDS}, --smoke "
        f"{SMOKE_ROUNDS})",
    )  # fmt: skip
    parser.add_argument(
        "--fresh-rounds",
        type=int,
        metavar="N",
        help=f"fresh processes per app (default {DEFAULT_ROUNDS})",
    )
    parser.add_argument(
        "--commands",
        type=lambda text: [c if c.startswith("/") else f"/{c}" for c in text.split(",")],
        default=list(COMMANDS),
        help="comma-separated, from " + ", ".join(COMMANDS),
    )
    parser.add_argument(
        "--modes", type=lambda text: text.split(","), default=["warm", "fresh"],
        help="warm, fresh or both (default: warm,fresh)",
    )  # fmt: skip
    parser.add_argument("--smoke", action="store_true", help="a few seconds, tiny counts")
    parser.add_argument(
        "--database-url",
        help="a scratch database for oov-bot (the bundled config and 1,000 action items go "
        "into it); default: a temporary SQLite file",
    )
    parser.add_argument(
        "--threads", type=int, default=DEFAULT_THREADS,
        help="waitress threads per app (default: OOV_WEB_THREADS' default, %(default)s)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if unknown := [c for c in args.commands if c not in COMMANDS]:
        parser.error(f"unknown command(s): {', '.join(unknown)}")
    if unknown := [m for m in args.modes if m not in ("warm", "fresh")]:
        parser.error(f"unknown mode(s): {', '.join(unknown)}")
    for name in ("rounds", "fresh_rounds"):
        if (value := getattr(args, name)) is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} needs at least 1")
    return args


if __name__ == "__main__":
    raise SystemExit(bench_main(parse_args, run))
