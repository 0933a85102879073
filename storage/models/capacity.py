"""Capacity: capaciteit.yaml as last imported (one row). The figures themselves are computed from
the tasks, meetings, piket rota and programme, never stored."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Integer, String, Table

from storage.models.base import UTCDateTime, metadata

capacity_state = Table(
    "capacity_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("config", JSON, nullable=False),
    Column("config_digest", String(64), nullable=False),
    Column("imported_at", UTCDateTime(), nullable=False),
)
