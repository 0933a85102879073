"""Data versions and the read models built on them.

Every process (web, clock, `oov-bot import`, another web process on the same PostgreSQL) sees a
change by the version its triggers raised (storage.models.versions). A read model reads the
versions it depends on (one small query), and rebuilds only when one moved; it reads the version
BEFORE the data, so a change committed in between makes the next read rebuild again rather than
keep data older than the version it is filed under.

A process shares one reading of the versions among its threads for up to VERSIONS_TTL, and drops
it at once when it commits a write itself: its own changes show in the next answer, another
process's within VERSIONS_TTL. Why share: under load the query was a quarter of an answer's CPU
and more of its wait (a round trip per answer, each giving up the interpreter lock to a dozen
busy threads and queueing to get it back); with one reading per tenth of a second, a burst of
answers costs one query. Nobody notices a tenth of a second between a change made elsewhere
(`oov-bot import`, the clock, another web process) and the answer that shows it; at a person's
pace every answer still reads the versions itself.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Generic, TypeVar

from sqlalchemy import select

from storage.models.versions import data_versions
from storage.session import Database

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

TEAM = "team"
MEETINGS = "meetings"
PIKET = "piket"
ACCESS = "access"
ACTIONS = "actions"
PROGRAMME = "programme"
CAPACITY = "capacity"

# table -> the version its changes raise (the triggers of migrations 0004_versions,
# 0005_action_versions and 0006_programme_versions; on PostgreSQL 0008_versions_at_commit's).
TRACKED_TABLES: Mapping[str, str] = {
    "people": TEAM,
    "tasks": TEAM,
    "meeting_series": MEETINGS,
    "meeting_occurrence_changes": MEETINGS,
    "piket_state": PIKET,
    "piket_shifts": PIKET,
    "access_settings": ACCESS,
    "action_items": ACTIONS,
    "programme": PROGRAMME,
    "programme_activities": PROGRAMME,
    "programme_updates": PROGRAMME,
    "capacity_state": CAPACITY,
}

_READ = select(data_versions.c.name, data_versions.c.version)


# Inside `read_once()`: the versions already read, per database (by id), for this context only.
_ONCE: ContextVar[dict[int, dict[str, int]] | None] = ContextVar("oov_versions_once", default=None)


VERSIONS_TTL = 0.1  # seconds a reading is shared by a process's threads (see above)


# Inside `read_fresh()`: read the versions anew, not the shared reading.
_FRESH: ContextVar[bool] = ContextVar("oov_versions_fresh", default=False)


def read_versions(db: Database) -> dict[str, int]:
    """Every data version: this process's shared reading (`SharedVersions`); inside
    `read_once()`, the versions that context read first; inside `read_fresh()`, read anew."""
    once = _ONCE.get()
    if once is None:
        return shared_versions(db).read(fresh=_FRESH.get())
    found = once.get(id(db))
    if found is None:
        found = once[id(db)] = shared_versions(db).read(fresh=_FRESH.get())
    return found


@contextmanager
def read_fresh() -> Iterator[None]:
    """Read models asked inside read the versions anew, not the shared reading: for a value
    filed under a version read on its own (a piket feed under the rota version its token's
    query returned), whose data must be at least as new as that version."""
    token = _FRESH.set(True)
    try:
        yield
    finally:
        _FRESH.reset(token)


class SharedVersions:
    """The data versions as this process last read them (one query, a few rows by primary key),
    reused by every thread while younger than `ttl` seconds on `monotonic` and while the process
    committed no write through `db` since. The age counts from before the query, so a reading
    never claims to be newer than it is."""

    def __init__(
        self,
        db: Database,
        ttl: float = VERSIONS_TTL,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db = weakref.proxy(db)  # kept per database in a WeakKeyDictionary: not its owner
        self._ttl = ttl
        self._monotonic = monotonic
        self._lock = threading.Lock()
        # (monotonic time before the query, db.writes before the query, the versions)
        self._reading: tuple[float, int, dict[str, int]] | None = None

    def read(self, *, fresh: bool = False) -> dict[str, int]:
        """The shared reading, or a new one when it is too old, this process wrote since, or
        `fresh` asks for one."""
        started, writes = self._monotonic(), self._db.writes
        with self._lock:
            reading = self._reading
        if (
            not fresh
            and reading is not None
            and reading[1] == writes
            and started - reading[0] < self._ttl
        ):
            return reading[2]
        with self._db.engine.connect() as conn:
            versions = {name: int(version) for name, version in conn.execute(_READ)}
        with self._lock:
            if self._reading is None or self._reading[0] <= started:
                self._reading = (started, writes, versions)
        return versions


_SHARED: weakref.WeakKeyDictionary[Database, SharedVersions] = weakref.WeakKeyDictionary()
_SHARED_LOCK = threading.Lock()


def shared_versions(db: Database) -> SharedVersions:
    """The process's one `SharedVersions` for `db`, made with the defaults on first use."""
    found = _SHARED.get(db)
    if found is None:
        with _SHARED_LOCK:
            found = _SHARED.setdefault(db, SharedVersions(db))
    return found


def share_versions(
    db: Database, ttl: float = VERSIONS_TTL, monotonic: Callable[[], float] = time.monotonic
) -> SharedVersions:
    """Give `db` a new shared reading with this `ttl` and clock (a test's), and return it."""
    shared = SharedVersions(db, ttl, monotonic)
    with _SHARED_LOCK:
        _SHARED[db] = shared
    return shared


@contextmanager
def read_once() -> Iterator[None]:
    """A read-only answer reads the data versions once, however many read models it asks (an
    `/overleg <naam>` asks the team's some ten times): one consistent view per answer. Still
    version before data: the versions are read before any model builds from them. Not for code
    that writes and then reads: it would keep seeing the versions from before its write.
    Nested, it is the outer one's reading (a use case that reads once, called by an adapter that
    already does)."""
    if _ONCE.get() is not None:
        yield
        return
    token = _ONCE.set({})
    try:
        yield
    finally:
        _ONCE.reset(token)


class ReadModel(Generic[T]):
    """A value built from the database, rebuilt when a version in `depends` moved.

    `get()` costs one small query when nothing changed. Concurrent misses build once; a build
    that raced with a newer one never replaces it. `refresh()` is `get()` for callers outside a
    request (the clock, a post-write hook), so the request after a change finds it built."""

    def __init__(self, db: Database, depends: tuple[str, ...], build: Callable[[], T]) -> None:
        self._db = db
        self._depends = depends
        self._build = build
        self._lock = threading.Lock()
        self._build_lock = threading.Lock()
        self._key: tuple[int, ...] | None = None
        self._value: T | None = None

    def _versions(self) -> tuple[int, ...]:
        versions = read_versions(self._db)
        return tuple(versions.get(name, 0) for name in self._depends)

    def get(self) -> T:
        key = self._versions()
        with self._lock:
            if key == self._key:
                return self._value  # type: ignore[return-value]
        with self._build_lock:
            with self._lock:
                if key == self._key:  # built by another thread while this one waited
                    return self._value  # type: ignore[return-value]
            key = self._versions()  # newest before reading the data, never after
            value = self._build()
            with self._lock:
                self._key, self._value = key, value
            return value

    def refresh(self) -> None:
        self.get()

    def last(self) -> T | None:
        """The last value built, whatever its version (for answering while the database is
        away, where a caller chooses to)."""
        with self._lock:
            return self._value


class VersionedCache(Generic[K, T]):
    """Values built from the data at the versions in `depends`, one per key (an answer per
    question, where `ReadModel` keeps one value). The first `get` after one of those versions
    moved drops every value at once, so an answer older than the data (an action item's text the
    retention purge deleted included) stays in memory only until the next question, never longer;
    at most `size` are kept, oldest out first.

    Versions before data, as `ReadModel`: a value built from a newer reading than it is filed
    under is only rebuilt once more. A reading older than the cache's (another thread already saw
    a change; or a database restored with lower versions) builds its answer without filing it, and
    drops the values kept: losing one answer is cheap, keeping one that may be stale is not."""

    def __init__(self, db: Database, depends: tuple[str, ...], *, size: int = 256) -> None:
        self._db = db
        self._depends = depends
        self._size = size
        self._lock = threading.Lock()
        self._at: tuple[int, ...] | None = None
        self._values: dict[K, T] = {}

    def get(self, key: K, build: Callable[[], T]) -> T:
        versions = read_versions(self._db)
        at = tuple(versions.get(name, 0) for name in self._depends)
        with self._lock:
            if at == self._at:
                if key in self._values:
                    return self._values[key]
            else:
                self._values.clear()
                if self._at is None or all(n >= o for n, o in zip(at, self._at, strict=True)):
                    self._at = at
        value = build()
        with self._lock:
            if at == self._at:
                self._values[key] = value
                if len(self._values) > self._size:
                    del self._values[next(iter(self._values))]
        return value
