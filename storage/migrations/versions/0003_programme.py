"""execution programme: settings, activities and their updates

Revision ID: 0003_programme
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_programme"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = ("programme",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "programme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme")),
    )
    op.create_table(
        "programme_activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("priority_key", sa.String(length=64), nullable=False),
        sa.Column("priority_name", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("owner_key", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("original_deadline", sa.Date(), nullable=False),
        sa.Column("imported", sa.JSON(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_activities")),
        sa.UniqueConstraint("key", name=op.f("uq_programme_activities_key")),
    )
    with op.batch_alter_table("programme_activities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_programme_activities_owner_key"), ["owner_key"], unique=False
        )
    op.create_table(
        "programme_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status_from", sa.String(length=16), nullable=True),
        sa.Column("status_to", sa.String(length=16), nullable=True),
        sa.Column("deadline_from", sa.Date(), nullable=True),
        sa.Column("deadline_to", sa.Date(), nullable=True),
        sa.Column("spent", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("note_purged", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["programme_activities.id"],
            name=op.f("fk_programme_updates_activity_id_programme_activities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_updates")),
    )
    with op.batch_alter_table("programme_updates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programme_updates_at"), ["at"], unique=False)
        batch_op.create_index(
            "ix_programme_updates_activity_at", ["activity_id", "at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("programme_updates", schema=None) as batch_op:
        batch_op.drop_index("ix_programme_updates_activity_at")
        batch_op.drop_index(batch_op.f("ix_programme_updates_at"))
    op.drop_table("programme_updates")
    with op.batch_alter_table("programme_activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_activities_owner_key"))
    op.drop_table("programme_activities")
    op.drop_table("programme")
