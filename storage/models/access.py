"""Who may do what beyond the team itself: people.yaml's `access:` block as imported."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Integer, Table

from storage.models.base import UTCDateTime, metadata

# One row: team leads (person keys), readers (Slack IDs), reader groups (user group IDs)
# and whether the task register is open to every internal workspace member.
access_settings = Table(
    "access_settings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("config", JSON, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)
