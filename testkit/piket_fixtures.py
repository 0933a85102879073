"""Shared by the piket tests: oov-bot with a variant of piket.yaml, and small helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from storage.piket import PiketStore, ShiftView
from storage.session import Database
from testkit.app import RunningBot, start_bot
from testkit.clock import FixedClock
from testkit.fake_slack import FakeSlack
from testkit.team_config import copy_config, edit_yaml

AMS = ZoneInfo("Europe/Amsterdam")
BASE_URL = "https://oov-bot.example.nl"
# FIXED_NOW is Monday 23 November 2026, 09:00 in Amsterdam: with this first duty week, the
# handover of 08:00 that morning started a duty week.
RUNNING_WEEK = {"first_duty_week": "2026-W48", "usergroup": "S0PIKET01"}

BotFactory = Callable[..., RunningBot]


def local(year: int, month: int, day: int, hour: int = 8) -> datetime:
    return datetime(year, month, day, hour, tzinfo=AMS)


@contextmanager
def piket_bots(
    db: Database, fake: FakeSlack, clock: FixedClock, tmp_path: Path
) -> Iterator[BotFactory]:
    """make(settings={...}, edit=fn(data), **top_level_changes) -> oov-bot with Slack IDs filled
    in and piket.yaml changed."""
    servers = []

    def make(
        settings: dict[str, Any] | None = None,
        edit: Callable[[Any], None] | None = None,
        **piket: Any,
    ) -> RunningBot:
        config_dir = copy_config(tmp_path / f"config{len(servers)}")
        edit_yaml(config_dir / "piket.yaml", lambda data: data.update(piket))
        if edit is not None:
            edit_yaml(config_dir / "piket.yaml", edit)
        values = {"public_base_url": BASE_URL} | (settings or {})
        running, server = start_bot(db, fake, clock, config_dir=config_dir, **values)
        servers.append(server)
        return running

    try:
        yield make
    finally:
        for server in servers:
            server.close()


def store(bot: RunningBot) -> PiketStore:
    return PiketStore(bot.ctx.db, bot.ctx.tz)


def shifts_of(bot: RunningBot, key: str) -> list[ShiftView]:
    return [s for s in store(bot).shifts(start=bot.clock()) if s.person_key == key]
