"""Alembic environment: runs against the engine handed over by storage.session.Database."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, text

from storage.models import UTCDateTime, metadata

config = context.config


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    # Migrations must not import application types: UTCDateTime is a plain timestamptz column.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


target_metadata = metadata
# The advisory lock that serialises migrations on PostgreSQL ("oov-bot" as a number).
MIGRATION_LOCK = int.from_bytes(b"oov-bot", "big")


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or create_engine(
        config.get_main_option("sqlalchemy.url")
    )
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # One migration at a time: two `oov-bot db upgrade` (two releases, or a release and a
            # clock that migrates at start) both created the first table, and one stopped on
            # pg_type's unique index. The lock ends with this transaction; the second then reads
            # the version the first committed and has nothing left to do.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        elif connection.dialect.name == "sqlite":
            # The same on SQLite (`make run` twice, or `run` and `import` at once: "table people
            # already exists"): take the write lock now, not at the first INSERT; a second
            # migration waits for it (busy_timeout), then finds the schema current.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
            compare_type=True,
            render_item=render_item,
        )
        context.run_migrations()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
