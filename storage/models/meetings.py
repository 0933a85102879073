"""Meeting series (imported from config/meetings.yaml) and the changes made by hand to single
occurrences in Slack (cancelled, moved), which survive every re-import."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from storage.models.base import UTCDateTime, metadata

meeting_series = Table(
    "meeting_series",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(64), unique=True, nullable=False),
    # The validated meetings.yaml entry (bot.core.meetings.series_spec), read back with
    # series_from_spec.
    Column("spec", JSON, nullable=False),
    Column("task_id", Integer, ForeignKey("tasks.id"), index=True),
    Column("position", Integer, default=0, nullable=False),
    Column("active", Boolean, default=True, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)


# One occurrence cancelled or moved by hand, identified by its series and original date.
meeting_occurrence_changes = Table(
    "meeting_occurrence_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("series_id", Integer, ForeignKey("meeting_series.id"), nullable=False),
    Column("original_date", Date, nullable=False),
    Column("action", String(16), nullable=False),  # cancel | move
    Column("new_start", UTCDateTime()),
    Column("changed_by", String(64), nullable=False),  # Slack user ID, or "shell"
    Column("changed_at", UTCDateTime(), nullable=False),
    UniqueConstraint("series_id", "original_date"),
)
