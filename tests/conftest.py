"""Shared fixtures: a real database (SQLite and PostgreSQL), the fake Slack Web API, and oov-bot
itself served over real HTTP by waitress."""

from __future__ import annotations

import functools
import os
import secrets
import subprocess
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, delete, text
from sqlalchemy.engine import make_url
from waitress.server import create_server

from bot.app import create_bolt_app, create_context
from bot.config_files import TeamConfig, load_config
from bot.context import AppContext
from bot.settings import Settings
from bot.web import create_web_app
from storage.models import Base
from storage.session import Database, normalise_url
from storage.yaml_io import import_config
from tests.fake_slack import FakeSlack
from tests.slack_requests import SignedSlackClient
from tests.team_config import CONFIG_DIR, REPO

SIGNING_SECRET = "test-signing-secret"
# A Monday morning in Amsterdam (08:00 UTC = 09:00 CET).
FIXED_NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


class FixedClock:
    """A clock tests can set and advance; the app reads time only through it."""

    def __init__(self, now: datetime = FIXED_NOW) -> None:
        self.current = now

    def __call__(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


@functools.cache
def postgres_url() -> str:
    """The test server: OOV_TEST_DATABASE_URL, or a local one that scripts/ensure-postgres.sh
    starts (installing it if needed), so a plain `pytest` runs the PostgreSQL half too."""
    url = os.environ.get("OOV_TEST_DATABASE_URL")
    if url:
        return url
    started = subprocess.run(
        [str(REPO / "scripts" / "ensure-postgres.sh")],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if started.returncode != 0 or not started.stdout.strip():
        pytest.fail(
            "PostgreSQL tests need a server: set OOV_TEST_DATABASE_URL, or let "
            f"scripts/ensure-postgres.sh start one (it said: {started.stderr.strip()[-500:]})"
        )
    return started.stdout.strip().splitlines()[-1]


@contextmanager
def scratch_postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the test server for this run only, dropped afterwards, so two
    runs (a developer's and an editor's, or two benchmarks) never trip over each other."""
    name = f"oov_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(normalise_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            make_url(normalise_url(server_url))
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated, empty database of each kind, shared by the session."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'oov.db'}"
        else:
            url = stack.enter_context(scratch_postgres_database(postgres_url()))
        db = Database(url)
        db.upgrade()
        db.dispose()
        yield url


def clear_tables(db: Database) -> None:
    with db.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))


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
    with FakeSlack() as fake:
        yield fake


def make_settings(**overrides: Any) -> Settings:
    return Settings(_env_file=None, **overrides)  # type: ignore[call-arg]


class BackgroundServer:
    """A waitress server in a thread that stops cleanly (waitress' own run() loop cannot be
    stopped from another thread without tripping over its closed sockets)."""

    def __init__(self, app: Any, threads: int = 8) -> None:
        self._server = create_server(app, host="127.0.0.1", port=0, threads=threads)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="waitress", daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.effective_port}"

    def _run(self) -> None:
        while not self._stop.is_set():
            self._server.asyncore.loop(timeout=0.05, map=self._server._map, count=1)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._server.close()


@dataclass
class RunningBot:
    url: str
    ctx: AppContext
    slack: SignedSlackClient
    fake: FakeSlack
    clock: FixedClock


def start_bot(
    db: Database,
    fake: FakeSlack | None,
    clock: FixedClock,
    *,
    config_dir: Path = CONFIG_DIR,
    import_config_dir: bool = True,
    **settings: Any,
) -> tuple[RunningBot, Any]:
    values: dict[str, Any] = {
        "database_url": db.url,
        "oov_config_dir": config_dir,
    }
    if fake is not None:
        values |= {
            "slack_bot_token": "xoxb-test",
            "slack_signing_secret": SIGNING_SECRET,
            "slack_api_url": fake.url,
        }
    values |= settings
    ctx = create_context(make_settings(**values), db=db, clock=clock)
    if import_config_dir:
        import_config(db, load_config(config_dir), clock())
    web = create_web_app(ctx, create_bolt_app(ctx))
    server = BackgroundServer(web)
    url = server.url
    client = SignedSlackClient(
        url, SIGNING_SECRET, response_urls=fake.response_url if fake else None
    )
    return RunningBot(url=url, ctx=ctx, slack=client, fake=fake, clock=clock), server  # type: ignore[arg-type]


@pytest.fixture
def bot(db: Database, fake_slack: FakeSlack, clock: FixedClock) -> Iterator[RunningBot]:
    """oov-bot with the bundled example config, over HTTP, talking to the fake Slack."""
    running, server = start_bot(db, fake_slack, clock)
    yield running
    server.close()
