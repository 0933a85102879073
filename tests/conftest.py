"""Thin pytest fixtures over the test kit (testkit/): a real database (SQLite and PostgreSQL),
the fake Slack Web API, and oov-bot itself served over real HTTP by waitress."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from bot.core.config_files import TeamConfig
from bot.features import load_config
from storage.session import Database
from testkit.app import RunningBot, start_bot
from testkit.clock import FixedClock
from testkit.contracts import unhandled_actions
from testkit.database import (
    PostgresUnavailable,
    clear_tables,
    migrate,
    postgres_url,
    scratch_postgres_database,
)
from testkit.fake_slack import FakeSlack
from testkit.team_config import CONFIG_DIR, copy_config


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated, empty database of each kind, shared by the session."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'oov.db'}"
        else:
            try:
                server = postgres_url()
            except PostgresUnavailable as problem:
                pytest.fail(str(problem))
            url = stack.enter_context(scratch_postgres_database(server))
        migrate(url)
        yield url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    clear_tables(database)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def team_config() -> TeamConfig:
    return load_config(CONFIG_DIR)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """The fake Slack Web API. At teardown the test fails when the bot sent a payload Slack
    would refuse (unless the test called `expect_refusals()`), or rendered an action_id that no
    listener of the bot receives."""
    with FakeSlack() as fake:
        yield fake
    refused = fake.unexpected_refusals()
    unhandled = [
        line for app in fake.apps for line in unhandled_actions(app, fake.rendered_actions())
    ]
    if refused or unhandled:
        problems = [refused] if refused else []
        if unhandled:
            problems.append("rendered action_ids without a listener:\n" + "\n".join(unhandled))
        pytest.fail("\n".join(problems), pytrace=False)


def _config(tmp_path: Path) -> Path:
    return copy_config(tmp_path / "cfg")


@pytest.fixture
def bot(
    db: Database, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path
) -> Iterator[RunningBot]:
    """oov-bot with the bundled example config, its people linked to Slack IDs (the test users
    are team members), over HTTP, talking to the fake Slack."""
    running, server = start_bot(db, fake_slack, clock, config_dir=_config(tmp_path))
    yield running
    server.close()
