"""Capacity: capaciteit.yaml as last imported (one row). The figures themselves are computed from
the tasks, meetings, piket rota and programme, never stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class CapacityState(Base):
    __tablename__ = "capacity_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    config_digest: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime]
