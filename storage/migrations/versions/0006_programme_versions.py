"""data versions: the programme and the capacity settings get one each, like the rest

Until now the programme's read model polled its own revision column every two seconds, so a
change made by another process showed up to two seconds late, and the capacity picture read
three queries to learn whether anything changed. The triggers make both one versions query; the
revision column, which the store raised by hand, goes.

Revision ID: 0006_programme_versions
Revises: 0005_action_versions (and needs 0003_programme, 0003_capacity)
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_programme_versions"
down_revision: str | None = "0005_action_versions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = ("0003_programme", "0003_capacity")

# As in 0004_versions, kept in this file; storage.versions.TRACKED_TABLES lists it too (tested).
TRACKED_TABLES = {
    "programme": "programme",
    "programme_activities": "programme",
    "programme_updates": "programme",
    "capacity_state": "capacity",
}


def upgrade() -> None:
    # Before the triggers: SQLite's batch mode copies the table, which would drop them.
    with op.batch_alter_table("programme") as batch:
        batch.drop_column("revision")
    table = sa.table("data_versions", sa.column("name", sa.String), sa.column("version"))
    names = sorted(set(TRACKED_TABLES.values()))
    op.bulk_insert(table, [{"name": name, "version": 0} for name in names])
    postgres = op.get_bind().dialect.name == "postgresql"
    for table_name, name in TRACKED_TABLES.items():
        if postgres:  # oov_bump_data_version() is 0004's
            op.execute(
                f"CREATE TRIGGER data_version_{table_name} AFTER INSERT OR UPDATE OR DELETE OR "
                f"TRUNCATE ON {table_name} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION oov_bump_data_version('{name}')"
            )
            continue
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER data_version_{table_name}_{event.lower()} AFTER {event} "
                f"ON {table_name} BEGIN INSERT INTO data_versions (name, version) "
                f"VALUES ('{name}', 1) ON CONFLICT (name) DO UPDATE SET version = version + 1; END"
            )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table_name in TRACKED_TABLES:
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS data_version_{table_name} ON {table_name}")
        else:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS data_version_{table_name}_{event}")
    for name in sorted(set(TRACKED_TABLES.values())):
        op.execute(f"DELETE FROM data_versions WHERE name = '{name}'")
    with op.batch_alter_table("programme") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
