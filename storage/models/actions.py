"""Action items agreed in meeting threads (or logged through the message shortcut)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base

OPEN = "open"
DONE = "done"
CANCELLED = "cancelled"


class ActionItem(Base):
    __tablename__ = "action_items"
    __table_args__ = (
        # One item per action line of a source message, whichever route (prefix, reaction,
        # shortcut, a retried event) reaches it first: the database decides, not an in-memory set.
        UniqueConstraint("channel", "message_ts", "line_no", name="uq_action_items_source"),
        # `/acties` lists newest first (id order) per owner, per series or team-wide, by status;
        # these keep each page an index range scan however many items there are.
        Index("ix_action_items_owner_status_id", "owner_slack_id", "status", "id"),
        Index("ix_action_items_series_status_id", "series_key", "status", "id"),
        Index("ix_action_items_status_id", "status", "id"),
        # Weekly overdue digest (open, due before a date) and the retention purge.
        Index("ix_action_items_status_due_on", "status", "due_on"),
        Index("ix_action_items_status_closed_at", "status", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The source message: where it is, the thread it is in, and its link.
    channel: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str] = mapped_column(String(32))
    # The item's place among the message's `actie:` lines (0, 1, …); 0 for an item that is the
    # whole message (📌 reaction, shortcut). Line 0 is the message's head: it holds the one
    # confirmation reply of the whole message.
    line_no: Mapped[int] = mapped_column(default=0, server_default="0")
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    permalink: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(16))  # prefix | reaction | shortcut
    # Slack mrkdwn as in the message (mentions kept); never logged.
    text: Mapped[str] = mapped_column(Text)
    owner_slack_id: Mapped[str] = mapped_column(String(32))
    author_slack_id: Mapped[str] = mapped_column(String(32))
    due_on: Mapped[date | None]
    due_kind: Mapped[str] = mapped_column(String(16))  # date | asap | next_meeting | default
    # The meeting the thread belongs to (keys of the meetings feature), when known.
    series_key: Mapped[str | None] = mapped_column(String(100))
    occurrence_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default=OPEN)  # open | done | cancelled
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(32))
    # The bot's one reply to the source message (kept on its line 0): claimed before posting so
    # a retried event never confirms twice, and its ts kept so an edit or deletion updates that
    # reply in place.
    confirmed_at: Mapped[datetime | None]
    confirmation_ts: Mapped[str | None] = mapped_column(String(32))


# The tables, for SQLAlchemy Core statements (storage/ is moving off the ORM; issue 10).
action_items: Table = ActionItem.__table__  # type: ignore[assignment]
