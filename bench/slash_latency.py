"""How much latency does oov-bot add to a `/wie` slash command, compared with a bare Bolt app?

Starts oov-bot (SQLite in a temporary directory with the bundled config/, or --database-url) and a
Bolt app whose /wie only acknowledges, each on waitress with the same thread count in its own
process, both pointed at a local fake Slack Web API. Then sends correctly signed /wie requests
with loosely typed queries at concurrency 1 and 20, alternating between the apps in many short
rounds (ABBA) so that drift on the machine hits both alike, and prints p50/p99/max and throughput
per app, and the oov-bot/bare ratios as the median of the per-round ratios with a 95 % confidence
interval (bench/verdict.py). The verdict is "met", "NOT met" or "inconclusive (noise)" when the
interval straddles the goal, so noise alone cannot turn "met" into "NOT met".

    python bench/slash_latency.py                 # the full run, about a minute
    python bench/slash_latency.py --smoke         # a few seconds: proves the benchmark runs
    python bench/slash_latency.py --rounds 32     # a narrower interval, a longer run
    python bench/slash_latency.py --database-url postgresql://user:pw@127.0.0.1/scratch

Exit code 0 whenever it measured (also when the goal is missed), 1 when it could not run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests

from bench.common import (
    APP_KINDS,
    BARE_BOLT,
    LATENCY_HEADER,
    OOV_BOT,
    BatchResult,
    BenchError,
    LatencyStats,
    ServedApp,
    SlashCommands,
    abba,
    add_threads_option,
    bench_main,
    cpu_ms,
    cpu_since,
    cpu_summary,
    database_label,
    latency_cells,
    new_sessions,
    prepare_database,
    progress,
    run_batch,
    start_servers,
)
from bench.verdict import Check, Spread, ratio_spread, verdict_line
from testkit.fake_slack import FakeSlack

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

GOAL_P99_RATIO = 1.5
GOAL_MAX_MS = 3000.0  # Slack shows the user an error when an ack takes longer than 3 s
TABLE_HEADER = f"{'concurrency':>11}  {'app':<8} {LATENCY_HEADER} {'server CPU ms/req':>18}"


DEFAULT_ROUNDS = 16  # the 4th smallest to 4th largest ratio is a 97.9 % interval of the median
SMOKE_ROUNDS = 6  # the fewest rounds whose min–max reaches 95 %, so smoke runs can give verdicts


@dataclass(frozen=True)
class Plan:
    requests_per_level: dict[int, int]  # concurrency -> requests per app
    warmup: int  # requests per app before measuring
    rounds: int  # alternations between the apps per concurrency level

    @classmethod
    def choose(cls, *, smoke: bool, requests: int | None, rounds: int | None) -> Plan:
        # Per round, each app gets requests/rounds requests: at the defaults 125 at concurrency
        # 1 and 250 at 20, enough for a per-round p99 while keeping the run near a minute.
        if smoke:
            return cls(
                {1: requests or 60, 20: requests or 120}, warmup=40, rounds=rounds or SMOKE_ROUNDS
            )
        return cls(
            {1: requests or 2000, 20: requests or 4000},
            warmup=400,
            rounds=rounds or DEFAULT_ROUNDS,
        )


def oov_bot_problem(response: requests.Response) -> str | None:
    if response.status_code != 200:
        return f"oov-bot: HTTP {response.status_code}: {response.text[:200]}"
    if b'"blocks"' not in response.content:
        return f"oov-bot: answer without blocks: {response.text[:200]}"
    return None


def bare_problem(response: requests.Response) -> str | None:
    if response.status_code != 200:
        return f"bare Bolt app: HTTP {response.status_code}: {response.text[:200]}"
    return None


CHECKS = {OOV_BOT: oov_bot_problem, BARE_BOLT: bare_problem}


def verify_answers(commands: SlashCommands) -> Counter[str]:
    """Ask oov-bot every query once and make sure it answers properly, so the benchmark measures
    real answers rather than an error path. Counts the kinds of answer."""
    kinds: Counter[str] = Counter()
    with requests.Session() as session:
        for index, query in enumerate(QUERIES):
            call = commands.call(index)
            try:
                response = session.post(call.url, data=call.body, headers=call.headers, timeout=30)
            except requests.RequestException as exc:
                raise BenchError(f"/wie {query}: {exc.__class__.__name__}: {exc}") from exc
            if problem := oov_bot_problem(response):
                raise BenchError(f"/wie {query}: {problem}")
            blocks = json.loads(response.text)["blocks"]
            kinds["card" if blocks[0]["type"] == "header" else "list"] += 1
    if not kinds["card"]:
        raise BenchError("oov-bot found no task for any query: was the config imported?")
    return kinds


def split(total: int, parts: int) -> list[int]:
    """`total` in `parts` near-equal positive counts."""
    parts = max(1, min(parts, total))
    return [total // parts + (i < total % parts) for i in range(parts)]


@dataclass
class Level:
    """One concurrency level's measurements: each app's batch of every round, in round order."""

    rounds: dict[str, list[BatchResult]] = field(
        default_factory=lambda: {kind: [] for kind in APP_KINDS}
    )

    def pooled(self, kind: str) -> LatencyStats:
        """`kind`'s figures over all rounds together (the table's rows per app)."""
        result = BatchResult()
        for batch in self.rounds[kind]:
            result.add(batch)
        return LatencyStats.of(result)

    def ratio(self, metric: str) -> Spread:
        """oov-bot's `metric` ("p50", "p99") over bare's, per round: median and interval."""
        per_round = {kind: [LatencyStats.of(b) for b in self.rounds[kind]] for kind in APP_KINDS}
        return ratio_spread(
            per_round[OOV_BOT], per_round[BARE_BOLT], lambda stats: getattr(stats, metric)
        )


class AlternatingLoad:
    """Closed-loop load on both apps, one persistent session per load thread and app."""

    def __init__(
        self,
        apps: dict[str, ServedApp],
        commands: dict[str, SlashCommands],
        max_concurrency: int,
    ) -> None:
        self._apps = apps
        self._commands = commands
        self._sessions = {kind: new_sessions(max_concurrency) for kind in commands}
        self._sent = dict.fromkeys(commands, 0)  # keeps each app's query cycle going

    def batch(self, kind: str, concurrency: int, count: int) -> BatchResult:
        cpu_before = self._apps[kind].cpu_seconds()
        result = run_batch(
            self._sessions[kind][:concurrency],
            self._commands[kind].call,
            CHECKS[kind],
            count,
            first_index=self._sent[kind],
        )
        self._sent[kind] += count
        result.server_cpu_seconds = cpu_since(self._apps[kind], cpu_before)
        if result.failures:
            shown = "\n".join(f"  {line}" for line in result.failures[:5])
            raise BenchError(f"{len(result.failures)} of {count} requests failed:\n{shown}")
        return result

    def measure(self, plan: Plan) -> dict[int, Level]:
        levels = {concurrency: Level() for concurrency in plan.requests_per_level}
        for concurrency, total in plan.requests_per_level.items():
            progress(f"concurrency {concurrency}: {total} requests per app in {plan.rounds} rounds")
            for round_number, count in enumerate(split(total, plan.rounds)):
                for kind in abba(APP_KINDS, round_number):
                    levels[concurrency].rounds[kind].append(self.batch(kind, concurrency, count))
        return levels

    def close(self) -> None:
        for sessions in self._sessions.values():
            for session in sessions:
                session.close()


def report(
    levels: dict[int, Level],
    *,
    plan: Plan,
    threads: int,
    database: str,
    answers: Counter[str],
    slack_calls: Counter[str],
) -> list[str]:
    """The printed report: the table and whether the goal was met."""
    lines = [
        "/wie latency: oov-bot versus a bare Bolt app that only acknowledges",
        f"waitress with {threads} threads per app, each app in its own process; "
        f"database: {database}; {cpu_summary()}",
        f"{len(QUERIES)} loosely typed queries in turn: {answers['card']} answered with a task "
        f"card, {answers['list']} with a choice or suggestions",
        f"warm-up {plan.warmup} requests per app; the apps alternate (ABBA) in {plan.rounds} "
        "rounds per concurrency",
        "ratio: oov-bot/bare within each round, median over the rounds; beside it the median's "
        "confidence interval (order statistics of the per-round ratios)",
        "",
        TABLE_HEADER,
    ]
    checks = []
    for concurrency, level in levels.items():
        for name in APP_KINDS:
            s = level.pooled(name)
            lines.append(f"{concurrency:>11}  {name:<8} {latency_cells(s)} {cpu_ms(s):>18}")
        p50, p99 = level.ratio("p50"), level.ratio("p99")
        lines.append(
            f"{concurrency:>11}  {'ratio':<8} {'':>8} {p50.median:>8.2f} {p99.median:>8.2f}   "
            f"p50 {p50.interval()}, p99 {p99.interval()} "
            f"({p99.coverage:.0%} interval, {p99.rounds} rounds)"
        )
        where = f"at concurrency {concurrency}"
        checks.append(Check.ratio_at_most("p99 ratio", p99, GOAL_P99_RATIO, where))
        slowest = level.pooled(OOV_BOT).max
        checks.append(
            Check.plain(f"slowest request {slowest / 1000:.1f} s {where}", slowest <= GOAL_MAX_MS)
        )
    calls = ", ".join(f"{method} ×{n}" for method, n in sorted(slack_calls.items())) or "none"
    lines += [
        "",
        f"Slack Web API calls while measuring (local fake): {calls}",
        f"Goal: oov-bot/bare p99 ratio ≤ {GOAL_P99_RATIO} at every concurrency (met when the "
        "whole interval is within it, NOT met when the whole interval is above it), and no "
        f"oov-bot request over {GOAL_MAX_MS / 1000:.0f} s.",
        verdict_line(checks),
    ]
    return lines


def run(args: argparse.Namespace) -> list[str]:
    plan = Plan.choose(smoke=args.smoke, requests=args.requests, rounds=args.rounds)
    with (
        tempfile.TemporaryDirectory(prefix="oov-bench-") as workdir,
        FakeSlack() as fake,
        ExitStack() as servers,
    ):
        database_url = args.database_url or f"sqlite:///{Path(workdir) / 'oov.db'}"
        progress("preparing the database")
        prepare_database(database_url)
        apps = {
            kind: ServedApp(
                kind,
                Path(workdir),
                threads=args.threads,
                slack_api_url=fake.url,
                database_url=database_url if kind == OOV_BOT else None,
            )
            for kind in APP_KINDS
        }
        progress("starting the servers")
        start_servers(servers, apps.values())
        response_url = fake.response_url("commands/wie")
        commands = {
            kind: SlashCommands(app.url, "/wie", QUERIES, response_url)
            for kind, app in apps.items()
        }
        answers = verify_answers(commands[OOV_BOT])
        load = AlternatingLoad(apps, commands, max(plan.requests_per_level))
        servers.callback(load.close)
        progress(f"warming up: {plan.warmup} requests per app")
        for kind in APP_KINDS:
            load.batch(kind, max(plan.requests_per_level), plan.warmup)
        fake.reset()  # from here on, count only the Slack calls made while measuring
        levels = load.measure(plan)
        return report(
            levels,
            plan=plan,
            threads=args.threads,
            database=database_label(args.database_url),
            answers=answers,
            slack_calls=Counter(call.method for call in fake.calls()),
        )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/slash_latency.py",
        description="/wie latency of oov-bot against a bare Bolt app (exit 0 when it measured).",
    )
    parser.add_argument(
        "--requests",
        type=int,
        metavar="N",
        help="measured requests per app per concurrency (default: 2000 at 1, 4000 at 20)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        metavar="N",
        help=f"turns the apps take per concurrency (default: {DEFAULT_ROUNDS}, "
        f"--smoke {SMOKE_ROUNDS})",
    )
    parser.add_argument("--smoke", action="store_true", help="a few seconds, tiny counts")
    parser.add_argument(
        "--database-url",
        help="a scratch database for oov-bot (the bundled config/ is imported into it); "
        "default: a temporary SQLite file",
    )
    add_threads_option(parser, "waitress threads per app")
    args = parser.parse_args(argv)
    if args.rounds is not None and args.rounds < 1:
        parser.error("--rounds needs at least 1")
    plan = Plan.choose(smoke=args.smoke, requests=args.requests, rounds=args.rounds)
    if min(plan.requests_per_level.values()) < 2 * plan.rounds:
        parser.error("--requests needs at least 2 per round (for percentiles)")
    return args


if __name__ == "__main__":
    raise SystemExit(bench_main(parse_args, run))
