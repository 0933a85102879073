"""The execution programme: its settings and activities (imported from config/programma.yaml),
and every status change, note and moved deadline made in Slack (which survive a re-import)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
)

from storage.models.base import UTCDateTime, metadata

# The one programme: period, regievoerders, rhythm of the DMs, budget, priorities.
programme = Table(
    "programme",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("spec", JSON, nullable=False),  # bot.core.programme.programme_spec
    Column("updated_at", UTCDateTime(), nullable=False),
)


programme_activities = Table(
    "programme_activities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(64), unique=True, nullable=False),
    Column("priority_key", String(64), nullable=False),
    Column("priority_name", String(300), nullable=False),
    Column("position", Integer, default=0, nullable=False),
    # The validated programma.yaml entry (bot.core.programme.activity_spec).
    Column("spec", JSON, nullable=False),
    Column("owner_key", String(64), index=True),
    # Kept in Slack: the status and the current deadline; the first deadline stays visible.
    Column("status", String(16), nullable=False),
    Column("deadline", Date, nullable=False),
    Column("original_deadline", Date, nullable=False),
    # The values of the last import, for the three-way merge of a re-import.
    Column("imported", JSON),
    Column("active", Boolean, default=True, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)


# One change to an activity: status (with its note), a moved deadline, spending, or a
# "geen wijziging" from the monthly DM. The note may name residents: never logged.
programme_updates = Table(
    "programme_updates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("activity_id", Integer, ForeignKey("programme_activities.id"), nullable=False),
    Column("at", UTCDateTime(), index=True, nullable=False),
    Column("by", String(64), nullable=False),  # Slack user ID, "import", "cli" or "shell"
    Column("kind", String(16), nullable=False),  # status | deadline | no_change | import
    Column("status_from", String(16)),
    Column("status_to", String(16)),
    Column("deadline_from", Date),
    Column("deadline_to", Date),
    Column("spent", Numeric(12, 2)),
    Column("note", Text, default="", nullable=False),
    Column("note_purged", Boolean, default=False, nullable=False),
    Index("ix_programme_updates_activity_at", "activity_id", "at"),
)
