"""Read models are built when a process is assembled, not by its first requests: the first
commands of a fresh app only check the data versions. And reading the versions once per answer
never carries over to the next request: a change by another process shows at the next command.
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from storage.actions import ActionStore, NewActionItem
from storage.session import Database
from testkit.app import RunningBot
from testkit.clock import FixedClock
from testkit.fake_slack import FakeSlack
from testkit.piket_fixtures import RUNNING_WEEK, piket_bots
from testkit.replies import answer, text_of
from testkit.team_config import SLACK_IDS


@pytest.fixture
def bot(
    db: Database, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path
) -> Iterator[RunningBot]:
    with piket_bots(db, fake_slack, clock, tmp_path) as make:
        yield make(**RUNNING_WEEK)


@pytest.fixture
def elsewhere(db: Database) -> Iterator[Database]:
    """Another process's view of the same database: its own engine, sessions and caches."""
    other = Database(db.url)
    yield other
    other.dispose()


def shown(bot: RunningBot, command: str, words: str = "") -> str:
    return text_of(answer(bot.slack.command(command, words)))


class Statements:
    """The SQL the app's own engine sends, as the database receives it."""

    def __init__(self, db: Database) -> None:
        self.seen: list[str] = []
        self._engine = db.engine
        event.listen(self._engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.seen.append(" ".join(statement.split()))

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._record)

    def beyond_versions(self) -> list[str]:
        return [s for s in self.seen if "data_versions" not in s]


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ("/wie", "bibob"),
        ("/taken", ""),
        ("/taken", "aov-2"),
        ("/overleg", ""),
        ("/overleg", "teamoverleg"),
        ("/overleg", "boa-briefing"),
    ],
)
def test_the_first_command_of_a_fresh_app_finds_its_read_models_built(
    bot: RunningBot, command: str, words: str
) -> None:
    statements = Statements(bot.ctx.db)
    try:
        reply = shown(bot, command, words)
    finally:
        statements.close()
    assert "Er ging iets mis" not in reply and "Ik ken geen" not in reply
    assert statements.seen, "the answer must still check the data versions"
    # Nothing was read but the versions: people, tasks and series were built at assembly.
    assert statements.beyond_versions() == []


def test_an_overleg_answer_reads_the_versions_once(bot: RunningBot) -> None:
    statements = Statements(bot.ctx.db)
    try:
        reply = shown(bot, "/overleg", "teamoverleg")
    finally:
        statements.close()
    assert "<@U0TL00001>" in reply  # the chair, one of the people it looks up
    assert len(statements.seen) == 1


def test_a_chair_relinked_by_another_process_shows_at_the_next_overleg(
    bot: RunningBot, elsewhere: Database
) -> None:
    # Several answers first, so every worker thread has answered once and would keep a
    # reading of the versions if one outlived its request.
    for _ in range(10):
        assert "<@U0TL00001>" in shown(bot, "/overleg", "teamoverleg")
    with elsewhere.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE people SET slack_id = 'U0TL00009', name = 'Anna Vos' "
                "WHERE key = 'teamleider'"
            )
        )
    for _ in range(10):
        reply = shown(bot, "/overleg", "teamoverleg")
        assert "<@U0TL00009>" in reply
        assert "<@U0TL00001>" not in reply
    # Other commands, in the same worker threads, see it too.
    for _ in range(10):
        assert "Anna Vos" in shown(bot, "/taken", "anna vos")


def test_an_item_added_by_another_process_shows_at_the_next_acties(
    bot: RunningBot, elsewhere: Database
) -> None:
    me = SLACK_IDS["aov-1"]
    assert "Nagaan wie de sleutel heeft" not in shown(bot, "/acties", "alle")
    ActionStore(elsewhere).capture(
        NewActionItem(
            channel="C0TEAM0001",
            message_ts="1700000000.000001",
            thread_ts=None,
            source="prefix",
            text="Nagaan wie de sleutel heeft",
            owner_slack_id=me,
            author_slack_id=me,
            due_on=date(2026, 12, 4),
            due_kind="date",
            series_key="teamoverleg",
        ),
        bot.clock(),
    )
    assert "Nagaan wie de sleutel heeft" in shown(bot, "/acties", "alle")
    assert "Nagaan wie de sleutel heeft" in shown(bot, "/acties", "teamoverleg")
