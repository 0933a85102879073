"""The execution programme: its settings and activities (imported from config/programma.yaml),
and every status change, note and moved deadline made in Slack (which survive a re-import)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class ProgrammeRow(Base):
    """The one programme: period, regievoerders, rhythm of the DMs, budget, priorities."""

    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)  # bot.core.programme.programme_spec
    updated_at: Mapped[datetime]


class ActivityRow(Base):
    __tablename__ = "programme_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    priority_key: Mapped[str] = mapped_column(String(64))
    priority_name: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(default=0)
    # The validated programma.yaml entry (bot.core.programme.activity_spec).
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    owner_key: Mapped[str | None] = mapped_column(String(64), index=True)
    # Kept in Slack: the status and the current deadline; the first deadline stays visible.
    status: Mapped[str] = mapped_column(String(16))
    deadline: Mapped[date]
    original_deadline: Mapped[date]
    # The values of the last import, for the three-way merge of a re-import.
    imported: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime]


class ActivityUpdateRow(Base):
    """One change to an activity: status (with its note), a moved deadline, spending, or a
    "geen wijziging" from the monthly DM. The note may name residents: never logged."""

    __tablename__ = "programme_updates"
    __table_args__ = (Index("ix_programme_updates_activity_at", "activity_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("programme_activities.id"))
    at: Mapped[datetime] = mapped_column(index=True)
    by: Mapped[str] = mapped_column(String(64))  # Slack user ID, "import", "cli" or "shell"
    kind: Mapped[str] = mapped_column(String(16))  # status | deadline | no_change | import
    status_from: Mapped[str | None] = mapped_column(String(16))
    status_to: Mapped[str | None] = mapped_column(String(16))
    deadline_from: Mapped[date | None]
    deadline_to: Mapped[date | None]
    spent: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    note: Mapped[str] = mapped_column(Text, default="")
    note_purged: Mapped[bool] = mapped_column(default=False)


# The tables, for SQLAlchemy Core statements (storage/ is moving off the ORM; issue 10).
programme: Table = ProgrammeRow.__table__  # type: ignore[assignment]
programme_activities: Table = ActivityRow.__table__  # type: ignore[assignment]
programme_updates: Table = ActivityUpdateRow.__table__  # type: ignore[assignment]
