"""CPU per slash command and per feed fetch, in one process over the test kit (real HTTP, signed
requests, the fake Slack, a scratch SQLite database with the bundled config and 1k action items).

    .venv/bin/python scripts/command_cpu.py [--rounds 200]

The figure per command is the process CPU of one request (client and server both run here)
minus the floor: the same signed POST answered by Bolt without a listener (url_verification).
It is a developer's check of the listeners' own cost, not a benchmark (see bench/ for those).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core.rota import DayRange, RotaError
from storage.actions import ActionStore, NewActionItem
from storage.piket import PiketStore
from storage.session import Database
from testkit.app import start_bot
from testkit.clock import FixedClock
from testkit.database import migrate
from testkit.fake_slack import FakeSlack
from testkit.team_config import SLACK_IDS, copy_config, edit_yaml

COMMANDS = [
    ("/wie", "evenementenvergunning"),
    ("/taken", ""),
    ("/taken", "aov-2"),
    ("/overleg", ""),
    ("/overleg", "teamoverleg"),
    ("/acties", ""),
    ("/acties", "alle"),
    ("/piket", ""),
    ("/piket", "volgende"),
    ("/piket", "mijn"),
]


def cpu_of(action: Callable[[], object], rounds: int) -> tuple[float, float]:
    """(median, p90) process CPU in ms of one call."""
    samples = []
    for _ in range(rounds):
        start = time.process_time()
        action()
        samples.append((time.process_time() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.9)]


def add_action_items(db: Database, count: int) -> None:
    store = ActionStore(db)
    owners = list(SLACK_IDS.values())
    clock = FixedClock()
    for n in range(count):
        store.capture(
            NewActionItem(
                channel="C0TEAM0001",
                message_ts=f"1700000000.{n:06d}",
                thread_ts=None,
                source="prefix",
                text=f"Actie nummer {n}: rapport nalopen",
                owner_slack_id=owners[n % len(owners)],
                author_slack_id=owners[0],
                due_on=date(2026, 12, 1) + timedelta(days=n % 40),
                due_kind="date",
                series_key="teamoverleg" if n % 3 == 0 else None,
            ),
            clock(),
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--items", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as fake:
        url = f"sqlite:///{tmp}/oov.db"
        migrate(url)
        db = Database(url)
        config = copy_config(Path(tmp) / "config")
        edit_yaml(
            config / "piket.yaml",
            lambda d: d.update({"first_duty_week": "2026-W48", "usergroup": "S0PIKET01"}),
        )
        clock = FixedClock()
        bot, server = start_bot(
            db, fake, clock, config_dir=config, public_base_url="https://oov.example.nl"
        )
        bot.slack.check_reply = None  # the fake's Block Kit checks are client CPU, not the bot's
        try:
            store = PiketStore(db, bot.ctx.tz)
            store.plan(clock())
            add_action_items(db, args.items)
            floor, _ = cpu_of(lambda: bot.slack.url_verification("x"), args.rounds)
            print(f"floor (signed POST, no listener): {floor:.2f} ms CPU")
            print(f"{'command':<28}{'median':>8}{'p90':>8}  (ms CPU above the floor)")
            for command, text in COMMANDS:

                def send(command: str = command, text: str = text) -> None:
                    answer = bot.slack.command(command, text)
                    assert answer.status_code == 200, answer.text

                send()  # the first one builds what is cached
                median, p90 = cpu_of(send, args.rounds)
                print(f"{command + ' ' + text:<28}{median - floor:8.2f}{p90 - floor:8.2f}")
            feed_figures(bot, store, clock, args.rounds)
        finally:
            server.close()
            db.dispose()


def feed_figures(bot: object, store: PiketStore, clock: FixedClock, rounds: int) -> None:
    person = bot.ctx.team.find_person("aov-1")  # type: ignore[attr-defined]
    tokens, _ = store.issue_tokens(person.id, now=clock())
    urls = [f"{bot.url}/ical/piket/{token}.ics" for token in tokens.values()]  # type: ignore[attr-defined]

    def fetch_all() -> None:
        for url in urls:
            assert requests.get(url, timeout=10).status_code == 200

    fetch_all()
    cached, _ = cpu_of(fetch_all, rounds // 4)
    for prerender in (False, True):
        firsts = first_fetches(bot, store, clock, fetch_all, prerender)
        print(
            f"feed ({len(urls)} tokens per fetch): cached {cached:.2f} ms CPU, first after a rota "
            f"change {statistics.median(firsts):.2f} ms CPU (median of {len(firsts)}"
            f"{', the clock pre-rendered' if prerender else ', no pre-render'})"
        )


def first_fetches(
    bot: object,
    store: PiketStore,
    clock: FixedClock,
    fetch_all: Callable[[], None],
    prerender: bool,
) -> list[float]:
    firsts = []
    for n in range(5):
        day = clock().date() + timedelta(weeks=4 * (n + 1) + (20 if prerender else 0))
        for key in ("aov-2", "aov-3"):
            try:
                store.set_person("OVD-BZ", DayRange(day, day, "dag"), key, now=clock())
                break
            except RotaError:
                continue  # already theirs: give it to the other one
        if prerender:
            try:
                from handlers.piket.clock import prerender_feeds
            except ImportError:  # before the read models: there is nothing to call
                return []
            prerender_feeds(bot.ctx)  # type: ignore[attr-defined]  # a planning round
        start = time.process_time()
        fetch_all()
        firsts.append((time.process_time() - start) * 1000)
    return firsts


if __name__ == "__main__":
    main()
