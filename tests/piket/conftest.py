"""Piket's tests share one bot factory: oov-bot with piket.yaml changed per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.session import Database
from testkit.clock import FixedClock
from testkit.fake_slack import FakeSlack
from testkit.piket_fixtures import BotFactory, piket_bots


@pytest.fixture
def make_bot(
    db: Database, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path
) -> Iterator[BotFactory]:
    with piket_bots(db, fake_slack, clock, tmp_path) as make:
        yield make
