"""Who may do what beyond the team itself: people.yaml's `access:` block as imported."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class AccessSettings(Base):
    """One row: team leads (person keys), readers (Slack IDs), reader groups (user group IDs)
    and whether the task register is open to every internal workspace member."""

    __tablename__ = "access_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime]


# The tables, for SQLAlchemy Core statements (storage/ is moving off the ORM; issue 10).
access_settings: Table = AccessSettings.__table__  # type: ignore[assignment]
