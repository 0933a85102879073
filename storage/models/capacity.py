"""Capacity: capaciteit.yaml as last imported (one row). The figures themselves are computed from
the tasks, meetings, piket rota and programme, never stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class CapacityState(Base):
    __tablename__ = "capacity_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    config_digest: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime]


# The tables, for SQLAlchemy Core statements (storage/ is moving off the ORM; issue 10).
capacity_state: Table = CapacityState.__table__  # type: ignore[assignment]
