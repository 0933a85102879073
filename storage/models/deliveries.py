"""Every scheduled post (reminder, notice, DM) is claimed here under a unique key before it is
sent, so two clock processes or a restart never post it twice, and a miss is on record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Table
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Delivery(Base):
    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    due_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(16))  # claimed | sent | missed | failed | retry
    claimed_by: Mapped[str] = mapped_column(String(100))  # host:pid of the clock process
    claimed_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    # A Slack error code or a short reason; never message text.
    detail: Mapped[str | None] = mapped_column(String(200))
    # Where the message landed, so a thread under it can be traced back (e.g. action items).
    channel: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32), index=True)


class ClockMark(Base):
    """How far the clock has planned: deliveries due after this and before a restart are caught
    up (within the grace window) or recorded as missed; none are forgotten."""

    __tablename__ = "clock_marks"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    at: Mapped[datetime]


# The tables, for SQLAlchemy Core statements (storage/ is moving off the ORM; issue 10).
deliveries: Table = Delivery.__table__  # type: ignore[assignment]
clock_marks: Table = ClockMark.__table__  # type: ignore[assignment]
