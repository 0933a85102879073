"""People, the task overview and the audit log of ownership changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    slack_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    hours_per_week: Mapped[float] = mapped_column(default=36.0)
    active: Mapped[bool] = mapped_column(default=True)
    # The values of the last `oov-bot import`: the base of the three-way merge with the YAML.
    imported: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime]


class Task(Base):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(300), unique=True)
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    duties: Mapped[str] = mapped_column(Text, default="")
    time_text: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    deputy_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    imported: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime]

    owner: Mapped[Person | None] = relationship(foreign_keys=[owner_id], lazy="joined")
    deputy: Mapped[Person | None] = relationship(foreign_keys=[deputy_id], lazy="joined")


class TaskOwnershipChange(Base):
    """Audit log: who moved which task from whom to whom, when, and through which route."""

    __tablename__ = "task_ownership_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # "owner" | "deputy"
    from_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    to_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    changed_by: Mapped[str] = mapped_column(String(64))  # Slack user ID, or "import"/"cli"
    source: Mapped[str] = mapped_column(String(16))  # "slack" | "import" | "cli"
    changed_at: Mapped[datetime]


# The tables, for SQLAlchemy Core statements (storage/ is moving off the ORM; issue 10).
people: Table = Person.__table__  # type: ignore[assignment]
tasks: Table = Task.__table__  # type: ignore[assignment]
task_ownership_changes: Table = TaskOwnershipChange.__table__  # type: ignore[assignment]
