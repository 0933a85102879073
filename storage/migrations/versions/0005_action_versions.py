"""data versions: action items get one ("actions"), so /acties can keep its pages

Revision ID: 0005_action_versions
Revises: 0004_versions (and needs 0003_actions)
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_action_versions"
down_revision: str | None = "0004_versions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0003_actions"

# As in 0004_versions, kept in this file; storage.versions.TRACKED_TABLES lists it too (tested).
TRACKED_TABLES = {"action_items": "actions"}


def upgrade() -> None:
    table = sa.table("data_versions", sa.column("name", sa.String), sa.column("version"))
    op.bulk_insert(table, [{"name": name, "version": 0} for name in TRACKED_TABLES.values()])
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
    for table_name, name in TRACKED_TABLES.items():
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS data_version_{table_name} ON {table_name}")
        else:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS data_version_{table_name}_{event}")
        op.execute(f"DELETE FROM data_versions WHERE name = '{name}'")
