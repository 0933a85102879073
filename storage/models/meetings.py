"""Meeting series (imported from config/meetings.yaml) and the changes made by hand to single
occurrences in Slack (cancelled, moved), which survive every re-import."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class MeetingSeriesRow(Base):
    __tablename__ = "meeting_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    # The validated meetings.yaml entry (bot.core.meetings.series_spec), read back with
    # series_from_spec.
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime]


class OccurrenceChangeRow(Base):
    """One occurrence cancelled or moved by hand, identified by its series and original date."""

    __tablename__ = "meeting_occurrence_changes"
    __table_args__ = (UniqueConstraint("series_id", "original_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("meeting_series.id"))
    original_date: Mapped[date]
    action: Mapped[str] = mapped_column(String(16))  # cancel | move
    new_start: Mapped[datetime | None]
    changed_by: Mapped[str] = mapped_column(String(64))  # Slack user ID, or "shell"
    changed_at: Mapped[datetime]


# The tables, for SQLAlchemy Core statements (storage/ is moving off the ORM; issue 10).
meeting_series: Table = MeetingSeriesRow.__table__  # type: ignore[assignment]
meeting_occurrence_changes: Table = OccurrenceChangeRow.__table__  # type: ignore[assignment]
