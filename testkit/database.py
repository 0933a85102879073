"""Real databases for tests and benchmarks: a scratch PostgreSQL database per run, and emptying
the tables between tests."""

from __future__ import annotations

import fcntl
import functools
import os
import secrets
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, delete, text
from sqlalchemy.engine import make_url

from storage.models import metadata
from storage.session import Database, normalise_url
from testkit.team_config import REPO


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server could be found or started for the tests."""


@functools.cache
def postgres_url() -> str:
    """The test server: OOV_TEST_DATABASE_URL, or a local one that scripts/ensure-postgres.sh
    starts (installing it if needed), so a plain `pytest` runs the PostgreSQL half too."""
    url = os.environ.get("OOV_TEST_DATABASE_URL")
    if url:
        return url
    # One at a time: pytest-xdist's workers would otherwise install or start the server at once.
    with open(Path(tempfile.gettempdir()) / "oov-ensure-postgres.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        started = subprocess.run(
            [str(REPO / "scripts" / "ensure-postgres.sh")],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    if started.returncode != 0 or not started.stdout.strip():
        raise PostgresUnavailable(
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


def migrate(url: str) -> None:
    """Bring the database at `url` to the newest schema."""
    db = Database(url)
    db.upgrade()
    db.dispose()


def clear_tables(db: Database) -> None:
    """Empty every table but the data versions: those only ever rise (the deletes here raise
    them), so a cache filed under an old version can never match again."""
    with db.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            if table.name != "data_versions":
                conn.execute(delete(table))
