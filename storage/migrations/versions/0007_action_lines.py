"""action items: one per `actie:` line of a message

A message that lists several actions logged only the first; each line is now its own item. The
item's place among the message's action lines (`line_no`, 0 for an item that is the whole
message, as every existing item is) joins the unique source key.

Revision ID: 0007_action_lines
Revises: 0006_programme_versions (and needs 0003_actions, 0005_action_versions)
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_action_lines"
down_revision: str | None = "0006_programme_versions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = ("0003_actions", "0005_action_versions")


def _change_key(columns: list[str], *, add_line: bool) -> None:
    with op.batch_alter_table("action_items") as batch:
        if add_line:
            batch.add_column(sa.Column("line_no", sa.Integer(), nullable=False, server_default="0"))
        batch.drop_constraint("uq_action_items_source", type_="unique")
        batch.create_unique_constraint("uq_action_items_source", columns)
        if not add_line:
            batch.drop_column("line_no")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite's batch mode copies the table, dropping 0005's data-version triggers with it.
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER IF NOT EXISTS data_version_action_items_{event.lower()} "
                f"AFTER {event} ON action_items BEGIN INSERT INTO data_versions (name, version) "
                "VALUES ('actions', 1) ON CONFLICT (name) DO UPDATE SET version = version + 1; END"
            )


def upgrade() -> None:
    _change_key(["channel", "message_ts", "line_no"], add_line=True)


def downgrade() -> None:
    # Only each message's line 0 fits the old key.
    op.execute("DELETE FROM action_items WHERE line_no <> 0")
    _change_key(["channel", "message_ts"], add_line=False)
