"""On PostgreSQL a transaction raises its data versions when it commits, in name order (migration
0008_versions_at_commit): two writers of the same data wait for each other's commit instead of
deadlocking, which they did when each statement raised the version and so held its row lock to
the commit (an action item's confirmation and the deletion of its message, at the same moment).

SQLite locks the whole database for a write, so it cannot deadlock this way and keeps its
per-statement triggers (tests/platform/test_read_models.py covers both databases' versions)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.session import Database
from testkit.database import postgres_url, scratch_postgres_database

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
# Long enough for any machine, short enough that the old triggers fail the test instead of
# hanging it: under them the second writer waits for the first one's version row.
LOCK_TIMEOUT = "SET LOCAL lock_timeout = '5s'"
PERSON = text(
    "INSERT INTO people (key, name, hours_per_week, active, updated_at) "
    "VALUES (:key, :key, 36, true, :now)"
)
SERIES = text(
    "INSERT INTO meeting_series (key, spec, position, active, updated_at) "
    "VALUES (:key, '{}', 0, true, :now)"
)


@pytest.fixture(scope="module")
def server_database() -> Iterator[str]:
    with ExitStack() as stack:
        yield stack.enter_context(scratch_postgres_database(postgres_url()))


@pytest.fixture
def pg(server_database: str) -> Iterator[Database]:
    """A migrated database with two people and two meeting series, nothing else."""
    db = Database(server_database)
    db.upgrade()
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM meeting_series"))
        conn.execute(text("DELETE FROM people"))
        for n in (1, 2):
            conn.execute(PERSON, {"key": f"p{n}", "now": NOW})
            conn.execute(SERIES, {"key": f"m{n}", "now": NOW})
    yield db
    db.dispose()


def versions(db: Database) -> dict[str, int]:
    """As any process reads them now (not through the shared reading of storage.versions)."""
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT name, version FROM data_versions"))
        return {name: version for name, version in rows}


def rename(conn: Connection, table: str, key: str) -> None:
    conn.execute(text(f"UPDATE {table} SET key = key WHERE key = :key"), {"key": key})


def in_thread(step: Callable[[], None]) -> Callable[[], None]:
    """Start `step` in a thread; the returned function waits for it and raises what it raised."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            step()
        except BaseException as exc:  # handed to the test's thread
            failures.append(exc)

    thread = threading.Thread(target=run)
    thread.start()

    def join() -> None:
        thread.join(30)
        assert not thread.is_alive(), "the step is still waiting"
        if failures:
            raise failures[0]

    return join


def test_two_writers_of_the_same_data_wait_for_each_others_commit_instead_of_deadlocking(
    pg: Database,
) -> None:
    before = versions(pg)["team"]
    with pg.engine.connect() as first, pg.engine.connect() as second:
        first.begin()
        rename(first, "people", "p1")
        second.begin()
        second.execute(text(LOCK_TIMEOUT))
        rename(second, "people", "p2")  # does not wait: nobody holds the version row yet

        def first_goes_on() -> None:  # it wants the second's row: it waits for that commit
            rename(first, "people", "p2")
            first.commit()

        finish_first = in_thread(first_goes_on)
        second.commit()
        finish_first()
    assert versions(pg)["team"] == before + 2


def test_writers_of_several_kinds_in_opposite_orders_both_commit(pg: Database) -> None:
    before = versions(pg)
    with pg.engine.connect() as first, pg.engine.connect() as second:
        first.begin()
        second.begin()
        for conn in (first, second):
            conn.execute(text(LOCK_TIMEOUT))
        rename(first, "people", "p1")
        rename(second, "meeting_series", "m1")
        rename(first, "meeting_series", "m2")
        rename(second, "people", "p2")
        # Both commit at once: each takes both versions, in the same order.
        start = threading.Barrier(2)

        def commit_at_once(conn: Connection) -> Callable[[], None]:
            def commit() -> None:
                start.wait(10)
                conn.commit()

            return commit

        commits = [in_thread(commit_at_once(conn)) for conn in (first, second)]
        for finished in commits:
            finished()
    after = versions(pg)
    assert (after["team"], after["meetings"]) == (before["team"] + 2, before["meetings"] + 2)


def test_a_version_moves_once_at_commit_and_only_for_what_changed(pg: Database) -> None:
    before = versions(pg)
    with pg.engine.connect() as conn:
        conn.begin()
        rename(conn, "people", "p1")
        rename(conn, "people", "p2")
        conn.execute(text("UPDATE people SET name = name"))  # every row
        assert versions(pg) == before  # nobody sees it before the commit
        savepoint = conn.begin_nested()
        rename(conn, "meeting_series", "m1")
        savepoint.rollback()  # undone: the meetings did not change
        rename(conn, "meeting_series", "nobody")  # no row: nothing changed
        conn.commit()
    after = versions(pg)
    assert after == before | {"team": before["team"] + 1}


def test_a_truncate_raises_its_version_too(pg: Database) -> None:
    before = versions(pg)["access"]
    with pg.engine.begin() as conn:
        conn.execute(text("TRUNCATE access_settings"))
    assert versions(pg)["access"] == before + 1


def raised_by_two_statements(db: Database) -> int:
    before = versions(db)["team"]
    with db.engine.begin() as conn:
        rename(conn, "people", "p1")
        rename(conn, "people", "p2")
    return versions(db)["team"] - before


def test_the_migration_goes_back_to_raising_per_statement_and_forth_again(pg: Database) -> None:
    config = pg.alembic_config()
    try:
        command.downgrade(config, "0007_action_lines")
        assert raised_by_two_statements(pg) == 2
    finally:
        command.upgrade(config, "heads")
    assert raised_by_two_statements(pg) == 1
