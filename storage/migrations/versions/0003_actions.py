"""action items

Revision ID: 0003_actions
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_actions"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = ("actions",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "action_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=False),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("permalink", sa.String(length=500), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner_slack_id", sa.String(length=32), nullable=False),
        sa.Column("author_slack_id", sa.String(length=32), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("due_kind", sa.String(length=16), nullable=False),
        sa.Column("series_key", sa.String(length=100), nullable=True),
        sa.Column("occurrence_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=32), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmation_ts", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_items")),
        sa.UniqueConstraint("channel", "message_ts", name="uq_action_items_source"),
    )
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_action_items_owner_status_id", ["owner_slack_id", "status", "id"], unique=False
        )
        batch_op.create_index(
            "ix_action_items_series_status_id", ["series_key", "status", "id"], unique=False
        )
        batch_op.create_index(
            "ix_action_items_status_closed_at", ["status", "closed_at"], unique=False
        )
        batch_op.create_index("ix_action_items_status_due_on", ["status", "due_on"], unique=False)
        batch_op.create_index("ix_action_items_status_id", ["status", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.drop_index("ix_action_items_status_id")
        batch_op.drop_index("ix_action_items_status_due_on")
        batch_op.drop_index("ix_action_items_status_closed_at")
        batch_op.drop_index("ix_action_items_series_status_id")
        batch_op.drop_index("ix_action_items_owner_status_id")

    op.drop_table("action_items")
