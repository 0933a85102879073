"""The piket rota: imported rules, planned shifts, swap proposals, the audit log of changes and
the (hashed) tokens of the private iCal feeds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class PiketState(Base):
    """One row (id 1): piket.yaml as last imported, and a version that moves with every change a
    feed could show, so rendered feeds can be cached per version."""

    __tablename__ = "piket_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    config_digest: Mapped[str] = mapped_column(String(64))
    # Person key -> name as last imported: a renamed person's coming shifts change (SUMMARY).
    people_names: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(default=0)
    imported_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PiketShift(Base):
    """One role's duty from handover to handover (or a part of it after a swap). `uid` stays the
    same for the life of the shift; `sequence` goes up whenever it changes (iCal SEQUENCE)."""

    __tablename__ = "piket_shifts"
    __table_args__ = (UniqueConstraint("role", "start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(40))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    start: Mapped[datetime] = mapped_column(index=True)
    end: Mapped[datetime] = mapped_column(index=True)
    sequence: Mapped[int] = mapped_column(default=0)
    # Swapped in Slack or set by an operator: kept as it is when the rota is planned again.
    pinned: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    last_modified: Mapped[datetime]


class PiketSwap(Base):
    """A proposal to hand a shift to a colleague (and optionally take one of theirs in return).
    Shifts are referred to by uid: planning may replace a shift while the proposal is open."""

    __tablename__ = "piket_swaps"

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_uid: Mapped[str] = mapped_column(String(80), index=True)
    return_shift_uid: Mapped[str | None] = mapped_column(String(80))
    from_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    to_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    status: Mapped[str] = mapped_column(String(16))  # open | accepted | declined | expired
    proposed_by: Mapped[str] = mapped_column(String(64))  # Slack user ID
    created_at: Mapped[datetime]
    answered_by: Mapped[str | None] = mapped_column(String(64))
    answered_at: Mapped[datetime | None]


class PiketChange(Base):
    """Audit log: who moved which shift from whom to whom, when, and through which route."""

    __tablename__ = "piket_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_uid: Mapped[str] = mapped_column(String(80), index=True)
    role: Mapped[str] = mapped_column(String(40))
    start: Mapped[datetime]
    end: Mapped[datetime]
    from_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    to_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    changed_by: Mapped[str] = mapped_column(String(64))  # Slack user ID, or "cli"
    source: Mapped[str] = mapped_column(String(16))  # "slack" | "cli"
    swap_id: Mapped[int | None] = mapped_column(ForeignKey("piket_swaps.id"))
    changed_at: Mapped[datetime]


class PiketFeedToken(Base):
    """A private feed link. Only the SHA-256 of the token is stored; revoking sets revoked_at.
    served_* remember the last body served, so Last-Modified never moves backwards."""

    __tablename__ = "piket_feed_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    scope: Mapped[str] = mapped_column(String(8))  # own | all
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    served_etag: Mapped[str | None] = mapped_column(String(64))
    served_last_modified: Mapped[datetime | None]


# The tables, for SQLAlchemy Core statements (storage/ is moving off the ORM; issue 10).
piket_state: Table = PiketState.__table__  # type: ignore[assignment]
piket_shifts: Table = PiketShift.__table__  # type: ignore[assignment]
piket_swaps: Table = PiketSwap.__table__  # type: ignore[assignment]
piket_changes: Table = PiketChange.__table__  # type: ignore[assignment]
piket_feed_tokens: Table = PiketFeedToken.__table__  # type: ignore[assignment]
