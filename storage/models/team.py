"""People, the task overview and the audit log of ownership changes."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Double, ForeignKey, Integer, String, Table, Text

from storage.models.base import UTCDateTime, metadata

people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(64), unique=True, nullable=False),
    Column("name", String(200), nullable=False),
    Column("slack_id", String(32), unique=True),
    Column("hours_per_week", Double, default=36.0, nullable=False),
    Column("active", Boolean, default=True, nullable=False),
    # The values of the last `oov-bot import`: the base of the three-way merge with the YAML.
    Column("imported", JSON),
    Column("updated_at", UTCDateTime(), nullable=False),
)


tasks = Table(
    "tasks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("subject", String(300), unique=True, nullable=False),
    Column("category", String(32), nullable=False),
    Column("description", Text, default="", nullable=False),
    Column("duties", Text, default="", nullable=False),
    Column("time_text", Text, default="", nullable=False),
    Column("legal_basis", Text, default="", nullable=False),
    Column("aliases", JSON, default=list, nullable=False),
    Column("owner_id", Integer, ForeignKey("people.id"), index=True),
    Column("deputy_id", Integer, ForeignKey("people.id"), index=True),
    Column("position", Integer, default=0, nullable=False),
    Column("active", Boolean, default=True, nullable=False),
    Column("imported", JSON),
    Column("updated_at", UTCDateTime(), nullable=False),
)


# Audit log: who moved which task from whom to whom, when, and through which route.
task_ownership_changes = Table(
    "task_ownership_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("task_id", Integer, ForeignKey("tasks.id"), index=True, nullable=False),
    Column("role", String(16), nullable=False),  # "owner" | "deputy"
    Column("from_person_id", Integer, ForeignKey("people.id")),
    Column("to_person_id", Integer, ForeignKey("people.id")),
    Column("changed_by", String(64), nullable=False),  # Slack user ID, or "import"/"cli"
    Column("source", String(16), nullable=False),  # "slack" | "import" | "cli"
    Column("changed_at", UTCDateTime(), nullable=False),
)
