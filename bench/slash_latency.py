"""How much latency does oov-bot add to a `/wie` slash command, compared with a bare Bolt app?

Starts oov-bot (SQLite in a temporary directory with the bundled config/, or --database-url) and a
Bolt app whose /wie only acknowledges, each on waitress with the same thread count in its own
process, both pointed at a local fake Slack Web API. Then sends correctly signed /wie requests
with loosely typed queries at concurrency 1 and 20, alternating between the apps in rounds so
that drift on the machine hits both alike, and prints p50/p99/max and throughput per app.

    python bench/slash_latency.py                 # the full run, about a minute
    python bench/slash_latency.py --smoke         # a few seconds: proves the benchmark runs
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
from dataclasses import dataclass
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
    result_line,
    run_batch,
    start_servers,
)
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


@dataclass(frozen=True)
class Plan:
    requests_per_level: dict[int, int]  # concurrency -> requests per app
    warmup: int  # requests per app before measuring
    rounds: int  # alternations between the apps per concurrency level

    @classmethod
    def choose(cls, *, smoke: bool, requests: int | None) -> Plan:
        if smoke:
            return cls({1: requests or 40, 20: requests or 80}, warmup=40, rounds=2)
        return cls({1: requests or 2000, 20: requests or 4000}, warmup=400, rounds=10)


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

    def measure(self, plan: Plan) -> dict[tuple[int, str], BatchResult]:
        results = {
            (concurrency, kind): BatchResult()
            for concurrency in plan.requests_per_level
            for kind in APP_KINDS
        }
        for concurrency, total in plan.requests_per_level.items():
            progress(f"concurrency {concurrency}: {total} requests per app")
            for round_number, count in enumerate(split(total, plan.rounds)):
                for kind in abba(APP_KINDS, round_number):
                    results[(concurrency, kind)].add(self.batch(kind, concurrency, count))
        return results

    def close(self) -> None:
        for sessions in self._sessions.values():
            for session in sessions:
                session.close()


def report(
    stats: dict[tuple[int, str], LatencyStats],
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
        f"warm-up {plan.warmup} requests per app; the apps alternate in {plan.rounds} rounds "
        "per concurrency",
        "",
        TABLE_HEADER,
    ]
    misses = []
    for concurrency in plan.requests_per_level:
        oov, bare = stats[(concurrency, OOV_BOT)], stats[(concurrency, BARE_BOLT)]
        for name, s in ((OOV_BOT, oov), (BARE_BOLT, bare)):
            lines.append(f"{concurrency:>11}  {name:<8} {latency_cells(s)} {cpu_ms(s):>18}")
        p50_ratio, p99_ratio = oov.p50 / bare.p50, oov.p99 / bare.p99
        lines.append(f"{concurrency:>11}  {'ratio':<8} {'':>8} {p50_ratio:>8.2f} {p99_ratio:>8.2f}")
        if p99_ratio > GOAL_P99_RATIO:
            misses.append(f"p99 ratio {p99_ratio:.2f} at concurrency {concurrency}")
        if oov.max > GOAL_MAX_MS:
            misses.append(f"slowest request {oov.max / 1000:.1f} s at concurrency {concurrency}")
    calls = ", ".join(f"{method} ×{n}" for method, n in sorted(slack_calls.items())) or "none"
    lines += [
        "",
        f"Slack Web API calls while measuring (local fake): {calls}",
        f"Goal: oov-bot/bare p99 ratio ≤ {GOAL_P99_RATIO} at every concurrency, and no oov-bot "
        f"request over {GOAL_MAX_MS / 1000:.0f} s.",
        result_line(misses),
    ]
    return lines


def run(args: argparse.Namespace) -> list[str]:
    plan = Plan.choose(smoke=args.smoke, requests=args.requests)
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
        results = load.measure(plan)
        stats = {key: LatencyStats.of(result) for key, result in results.items()}
        return report(
            stats,
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
    parser.add_argument("--smoke", action="store_true", help="a few seconds, tiny counts")
    parser.add_argument(
        "--database-url",
        help="a scratch database for oov-bot (the bundled config/ is imported into it); "
        "default: a temporary SQLite file",
    )
    add_threads_option(parser, "waitress threads per app")
    args = parser.parse_args(argv)
    if args.requests is not None and args.requests < 2:
        parser.error("--requests needs at least 2 (for percentiles)")
    return args


if __name__ == "__main__":
    raise SystemExit(bench_main(parse_args, run))
