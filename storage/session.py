"""Engine and session handling for SQLite (default) and PostgreSQL, plus migrations.

Alembic is imported only to migrate (`oov-bot db upgrade`, `run` on a database that is behind):
it is ~20k objects a web process would otherwise carry. Checking the schema's revision needs only
the revisions the migration files declare (read with `ast`) and one query."""

from __future__ import annotations

import ast
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec import Struct
from sqlalchemy import Row, create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.pool import ConnectionPoolEntry

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VERSIONS_DIR = MIGRATIONS_DIR / "versions"


def _declared(tree: ast.Module, name: str) -> Any:
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            target, value = node.target.id, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0].id if isinstance(node.targets[0], ast.Name) else ""
            value = node.value
        else:
            continue
        if target == name and value is not None:
            return ast.literal_eval(value)
    return None


def _names(value: Any) -> frozenset[str]:
    """A `down_revision` / `depends_on` value: None, one revision or a tuple of them."""
    return frozenset(() if value is None else (value,) if isinstance(value, str) else value)


class Migration(Struct, frozen=True):
    down: frozenset[str]  # `down_revision`: a tuple for a merge
    depends_on: frozenset[str]


def _header(source: str, filename: str) -> ast.Module:
    """The part of a migration file before its first function, where Alembic's declarations are:
    parsing the whole file for them cost every start ~10 ms and 1 MiB. The whole file when the
    head declares no revision."""
    end = source.find("\ndef ")
    if end != -1:
        head = ast.parse(source[:end], filename)
        if _declared(head, "revision") is not None:
            return head
    return ast.parse(source, filename)


@cache
def migration_graph(versions_dir: Path = VERSIONS_DIR) -> dict[str, Migration]:
    """Every revision the migration files declare, with what it revises and depends on, read
    from the files' source without running them."""
    graph: dict[str, Migration] = {}
    for path in sorted(versions_dir.glob("*.py")):
        tree = _header(path.read_text(encoding="utf-8"), str(path))
        revision = _declared(tree, "revision")
        if revision is not None:
            graph[revision] = Migration(
                _names(_declared(tree, "down_revision")), _names(_declared(tree, "depends_on"))
            )
    return graph


def head_revisions(versions_dir: Path = VERSIONS_DIR) -> frozenset[str]:
    """The revisions no other revision revises (Alembic's heads)."""
    graph = migration_graph(versions_dir)
    revised = set().union(*(m.down for m in graph.values()))
    return frozenset(graph.keys() - revised)


class SchemaState(Struct, frozen=True):
    """Where the database's schema stands against the migrations this code carries."""

    current: frozenset[str]  # the rows of alembic_version (empty: never migrated)
    versions_dir: Path = VERSIONS_DIR

    def applied(self) -> set[str]:
        """The rows and everything they stand on. Alembic keeps a row per branch tip, and drops
        one that another row revises or depends on, so the rows alone are not the heads."""
        graph = migration_graph(self.versions_dir)
        done: set[str] = set()
        todo = [revision for revision in self.current if revision in graph]
        while todo:
            revision = todo.pop()
            if revision not in done:
                done.add(revision)
                todo += graph[revision].down | graph[revision].depends_on
        return done

    @property
    def up_to_date(self) -> bool:
        """Every migration this code carries has run (and none it does not know)."""
        return not self.unknown and self.applied() == migration_graph(self.versions_dir).keys()

    @property
    def unknown(self) -> frozenset[str]:
        """Revisions in the database that this code does not know (a newer oov-bot migrated)."""
        return self.current - migration_graph(self.versions_dir).keys()


def changed_columns(row: Row[Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """The values that differ from the row's. Writing only those, and no UPDATE at all when none
    does, keeps an unchanged re-import or a repeated click from raising a data version, which
    every reader would take for a change (as the ORM's unit of work did)."""
    return {name: value for name, value in values.items() if row._mapping[name] != value}


class NewerSchemaError(RuntimeError):
    """The database was migrated by a newer oov-bot: this code cannot migrate it (Alembic would
    fail on a revision it has no file for), and must not run on it."""

    def __init__(self, revisions: frozenset[str]) -> None:
        self.revisions = revisions
        super().__init__(f"unknown schema revisions: {', '.join(sorted(revisions))}")


def normalise_url(url: str) -> str:
    """Accept the `postgres://` URLs that hosting platforms hand out; use the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite DATABASE_URL; None for another database or an in-memory one."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets the web threads read while the clock writes; busy_timeout waits instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def create_db_engine(url: str) -> Engine:
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ValueError:  # "host:notaport": SQLAlchemy's int() fails before its own URL check
        raise ArgumentError("the database URL's port is not a number") from None
    # A failed statement's error names its parameters (message text, notes about residents),
    # and errors are logged with their tracebacks: keep the parameters out of them.
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}, hide_parameters=True
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(
            url, pool_pre_ping=True, pool_size=10, max_overflow=10, hide_parameters=True
        )
    except ImportError as exc:
        # A dialect SQLAlchemy knows but whose driver is not installed (mysql://, …): the same
        # operator error as an unknown one.
        raise NoSuchModuleError(f"no driver for {make_url(url).drivername}") from exc


# In a pooled connection's info: its transaction sent a statement other than a SELECT; then,
# that such a transaction committed (Core's "commit" event comes before the commit itself).
_WROTE = "oov_wrote"
_COMMITTED = "oov_committed_write"


def _note_statement(conn: Connection, _cursor: Any, statement: str, *_: Any) -> None:
    if not statement.lstrip()[:6].upper().startswith("SELECT"):
        conn.info[_WROTE] = True


def _note_commit(conn: Connection) -> None:
    if conn.info.pop(_WROTE, False):
        conn.info[_COMMITTED] = True


def _note_rollback(conn: Connection) -> None:
    conn.info.pop(_WROTE, None)


class Database:
    """One per process: the engine, and transactions on it."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.engine = create_db_engine(self.url)
        self._writes = 0
        self._writes_lock = threading.Lock()
        event.listen(self.engine, "before_cursor_execute", _note_statement)
        event.listen(self.engine, "commit", _note_commit)
        event.listen(self.engine, "rollback", _note_rollback)
        event.listen(self.engine, "checkin", self._count_write)  # kept by dispose()'s new pool

    @property
    def writes(self) -> int:
        """How many transactions that wrote (sent anything but a SELECT) this process committed
        through this engine. Counted when the connection goes back to the pool, after the
        commit: whoever sees the new count finds the change in the database."""
        return self._writes

    def _count_write(self, _dbapi_connection: object, record: ConnectionPoolEntry) -> None:
        record.info.pop(_WROTE, None)
        if record.info.pop(_COMMITTED, False):
            with self._writes_lock:
                self._writes += 1

    @property
    def shown_url(self) -> str:
        """The URL to show an operator: the password masked."""
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection in a transaction: committed when the block ends normally, rolled back on
        an exception. Storage speaks SQLAlchemy Core through it (rows, not ORM objects)."""
        with self.engine.begin() as conn:
            yield conn

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def schema_state(self) -> SchemaState:
        """The schema's revision against the code's heads, in one query (two on a database that
        was never migrated)."""
        try:
            return self._read_schema_state()
        except DBAPIError:
            if not self.has_schema():
                return SchemaState(frozenset())
        # The table is there: another process's first migration may have committed it just
        # after the query (`db upgrade` twice at once), so read again; any other problem
        # (unreachable, locked, ...) raises now.
        return self._read_schema_state()

    def _read_schema_state(self) -> SchemaState:
        with self.engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            return SchemaState(frozenset(rows))

    def upgrade_if_behind(self) -> bool:
        """Migrate only when the schema is not at the heads; True when it migrated. A process
        that finds its schema current never imports Alembic."""
        if self.schema_state().up_to_date:
            return False
        self.upgrade()
        return True

    def alembic_config(self) -> Config:
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        cfg.attributes["engine"] = self.engine
        return cfg

    def upgrade(self) -> None:
        # Before Alembic, which says "Can't locate revision" in a traceback (a rolled-back
        # release running `oov-bot db upgrade` meets this).
        if unknown := self.schema_state().unknown:
            raise NewerSchemaError(unknown)
        from alembic import command

        # "heads": features add their tables on branches of their own off the shared base.
        command.upgrade(self.alembic_config(), "heads")

    def has_schema(self) -> bool:
        return inspect(self.engine).has_table("alembic_version")

    def dispose(self) -> None:
        self.engine.dispose()
