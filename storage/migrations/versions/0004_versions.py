"""data versions: one counter per cached kind of data, raised by triggers

Revision ID: 0004_versions
Revises: 0003_piket (and needs 0003_meetings, 0003_access)
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_versions"
# The triggers sit on the team's, meetings', piket's and access tables: those must exist first.
down_revision: str | None = "0003_piket"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = ("0003_meetings", "0003_access")

# table -> the data version its changes raise. Kept in this file (not imported) so the migration
# stays as written; storage.versions.TRACKED_TABLES must list the same pairs (tested).
TRACKED_TABLES = {
    "people": "team",
    "tasks": "team",
    "meeting_series": "meetings",
    "meeting_occurrence_changes": "meetings",
    "piket_state": "piket",
    "piket_shifts": "piket",
    "access_settings": "access",
}

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION oov_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO data_versions (name, version) VALUES (TG_ARGV[0], 1)
    ON CONFLICT (name) DO UPDATE SET version = data_versions.version + 1;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "data_versions",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_data_versions")),
    )
    names = sorted(set(TRACKED_TABLES.values()))
    table = sa.table("data_versions", sa.column("name", sa.String), sa.column("version"))
    op.bulk_insert(table, [{"name": name, "version": 0} for name in names])
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(_PG_FUNCTION)
    for table, name in TRACKED_TABLES.items():
        if postgres:
            # Per statement: a bulk UPDATE raises the version once; TRUNCATE is a change too.
            op.execute(
                f"CREATE TRIGGER data_version_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION oov_bump_data_version('{name}')"
            )
            continue
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER data_version_{table}_{event.lower()} AFTER {event} ON {table} "
                f"BEGIN INSERT INTO data_versions (name, version) VALUES ('{name}', 1) "
                "ON CONFLICT (name) DO UPDATE SET version = version + 1; END"
            )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in TRACKED_TABLES:
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS data_version_{table} ON {table}")
            continue
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS data_version_{table}_{event}")
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS oov_bump_data_version()")
    op.drop_table("data_versions")
