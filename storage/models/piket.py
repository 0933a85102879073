"""The piket rota: imported rules, planned shifts, swap proposals, the audit log of changes and
the (hashed) tokens of the private iCal feeds."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, String, Table, UniqueConstraint

from storage.models.base import UTCDateTime, metadata

# One row (id 1): piket.yaml as last imported, and a version that moves with every change a
# feed could show, so rendered feeds can be cached per version.
piket_state = Table(
    "piket_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("config", JSON, nullable=False),
    Column("config_digest", String(64), nullable=False),
    # Person key -> name as last imported: a renamed person's coming shifts change (SUMMARY).
    Column("people_names", JSON, nullable=False),
    Column("version", Integer, default=0, nullable=False),
    Column("imported_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)


# One role's duty from handover to handover (or a part of it after a swap). `uid` stays the
# same for the life of the shift; `sequence` goes up whenever it changes (iCal SEQUENCE).
piket_shifts = Table(
    "piket_shifts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(80), unique=True, nullable=False),
    Column("role", String(40), nullable=False),
    Column("person_id", Integer, ForeignKey("people.id"), index=True),
    Column("start", UTCDateTime(), index=True, nullable=False),
    Column("end", UTCDateTime(), index=True, nullable=False),
    Column("sequence", Integer, default=0, nullable=False),
    # Swapped in Slack or set by an operator: kept as it is when the rota is planned again.
    Column("pinned", Boolean, default=False, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_modified", UTCDateTime(), nullable=False),
    UniqueConstraint("role", "start"),
)


# A proposal to hand a shift to a colleague (and optionally take one of theirs in return).
# Shifts are referred to by uid: planning may replace a shift while the proposal is open.
piket_swaps = Table(
    "piket_swaps",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("shift_uid", String(80), index=True, nullable=False),
    Column("return_shift_uid", String(80)),
    Column("from_person_id", Integer, ForeignKey("people.id"), nullable=False),
    Column("to_person_id", Integer, ForeignKey("people.id"), nullable=False),
    Column("status", String(16), nullable=False),  # open | accepted | declined | expired
    Column("proposed_by", String(64), nullable=False),  # Slack user ID
    Column("created_at", UTCDateTime(), nullable=False),
    Column("answered_by", String(64)),
    Column("answered_at", UTCDateTime()),
)


# Audit log: who moved which shift from whom to whom, when, and through which route.
piket_changes = Table(
    "piket_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("shift_uid", String(80), index=True, nullable=False),
    Column("role", String(40), nullable=False),
    Column("start", UTCDateTime(), nullable=False),
    Column("end", UTCDateTime(), nullable=False),
    Column("from_person_id", Integer, ForeignKey("people.id")),
    Column("to_person_id", Integer, ForeignKey("people.id")),
    Column("changed_by", String(64), nullable=False),  # Slack user ID, or "cli"
    Column("source", String(16), nullable=False),  # "slack" | "cli"
    Column("swap_id", Integer, ForeignKey("piket_swaps.id")),
    Column("changed_at", UTCDateTime(), nullable=False),
)


# A private feed link. Only the SHA-256 of the token is stored; revoking sets revoked_at.
# served_* remember the last body served, so Last-Modified never moves backwards.
piket_feed_tokens = Table(
    "piket_feed_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), unique=True, nullable=False),
    Column("person_id", Integer, ForeignKey("people.id"), index=True, nullable=False),
    Column("scope", String(8), nullable=False),  # own | all
    Column("created_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime()),
    Column("served_etag", String(64)),
    Column("served_last_modified", UTCDateTime()),
)
