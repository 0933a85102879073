"""Migration 0007_action_lines on a database in use: the items already logged become line 0 of
their message, a message may then hold an item per `actie:` line (once each), and the action
items still raise their data version (SQLite's batch copy drops triggers; they are put back)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage.session import Database
from storage.versions import read_versions
from testkit.database import postgres_url, scratch_postgres_database

BEFORE = "0006_programme_versions"
INSERT = (
    "INSERT INTO action_items (channel, message_ts, {line}thread_ts, source, text, "
    "owner_slack_id, author_slack_id, due_kind, status, created_at, updated_at) VALUES "
    "('C0BOA0001', '1700000000.000100', {value}NULL, 'prefix', 'ik bel de wijkagent', "
    "'U0AOV0001', 'U0AOV0001', 'default', 'open', '2026-11-23 09:00:00+00:00', "
    "'2026-11-23 09:00:00+00:00')"
)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('lines') / 'oov.db'}"
        else:
            url = stack.enter_context(scratch_postgres_database(postgres_url()))
        db = Database(url)
        yield db
        db.dispose()


def insert_line(db: Database, line_no: int | None) -> None:
    line, value = ("line_no, ", f"{line_no}, ") if line_no is not None else ("", "")
    with db.engine.begin() as conn:
        conn.execute(text(INSERT.format(line=line, value=value)))


def test_existing_items_become_line_0_and_a_message_takes_one_item_per_line(
    database: Database,
) -> None:
    config = database.alembic_config()
    command.upgrade(config, BEFORE)
    insert_line(database, None)  # logged before the upgrade: one item for the message

    command.upgrade(config, "heads")
    with database.engine.connect() as conn:
        assert conn.execute(text("SELECT line_no FROM action_items")).scalars().all() == [0]
    before = read_versions(database)["actions"]
    insert_line(database, 1)  # the message's second action line
    assert read_versions(database)["actions"] > before  # the trigger survived the table copy
    with pytest.raises(IntegrityError):  # each line once
        insert_line(database, 1)

    command.downgrade(config, BEFORE)  # only line 0 fits the old key
    with database.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM action_items")).scalar() == 1
    command.upgrade(config, "heads")
