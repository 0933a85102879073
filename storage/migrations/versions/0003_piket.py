"""piket rota and feeds

Revision ID: 0003_piket
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_piket"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = ("piket",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "piket_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("config_digest", sa.String(length=64), nullable=False),
        sa.Column("people_names", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_piket_state")),
    )
    op.create_table(
        "piket_feed_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("served_etag", sa.String(length=64), nullable=True),
        sa.Column("served_last_modified", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_piket_feed_tokens_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_piket_feed_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_piket_feed_tokens_token_hash")),
    )
    with op.batch_alter_table("piket_feed_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_piket_feed_tokens_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "piket_shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=80), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_modified", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_piket_shifts_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_piket_shifts")),
        sa.UniqueConstraint("role", "start", name=op.f("uq_piket_shifts_role")),
        sa.UniqueConstraint("uid", name=op.f("uq_piket_shifts_uid")),
    )
    with op.batch_alter_table("piket_shifts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_piket_shifts_end"), ["end"], unique=False)
        batch_op.create_index(batch_op.f("ix_piket_shifts_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_piket_shifts_start"), ["start"], unique=False)

    op.create_table(
        "piket_swaps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shift_uid", sa.String(length=80), nullable=False),
        sa.Column("return_shift_uid", sa.String(length=80), nullable=True),
        sa.Column("from_person_id", sa.Integer(), nullable=False),
        sa.Column("to_person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("proposed_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_by", sa.String(length=64), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["from_person_id"], ["people.id"], name=op.f("fk_piket_swaps_from_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["to_person_id"], ["people.id"], name=op.f("fk_piket_swaps_to_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_piket_swaps")),
    )
    with op.batch_alter_table("piket_swaps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_piket_swaps_shift_uid"), ["shift_uid"], unique=False)

    op.create_table(
        "piket_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shift_uid", sa.String(length=80), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_person_id", sa.Integer(), nullable=True),
        sa.Column("to_person_id", sa.Integer(), nullable=True),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("swap_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_person_id"], ["people.id"], name=op.f("fk_piket_changes_from_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["swap_id"], ["piket_swaps.id"], name=op.f("fk_piket_changes_swap_id_piket_swaps")
        ),
        sa.ForeignKeyConstraint(
            ["to_person_id"], ["people.id"], name=op.f("fk_piket_changes_to_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_piket_changes")),
    )
    with op.batch_alter_table("piket_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_piket_changes_shift_uid"), ["shift_uid"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("piket_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_piket_changes_shift_uid"))

    op.drop_table("piket_changes")
    with op.batch_alter_table("piket_swaps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_piket_swaps_shift_uid"))

    op.drop_table("piket_swaps")
    with op.batch_alter_table("piket_shifts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_piket_shifts_start"))
        batch_op.drop_index(batch_op.f("ix_piket_shifts_person_id"))
        batch_op.drop_index(batch_op.f("ix_piket_shifts_end"))

    op.drop_table("piket_shifts")
    with op.batch_alter_table("piket_feed_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_piket_feed_tokens_person_id"))

    op.drop_table("piket_feed_tokens")
    op.drop_table("piket_state")
