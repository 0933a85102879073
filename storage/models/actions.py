"""Action items agreed in meeting threads (or logged through the message shortcut)."""

from __future__ import annotations

from sqlalchemy import Column, Date, Index, Integer, String, Table, Text, UniqueConstraint

from storage.models.base import UTCDateTime, metadata

OPEN = "open"
DONE = "done"
CANCELLED = "cancelled"


action_items = Table(
    "action_items",
    metadata,
    Column("id", Integer, primary_key=True),
    # The source message: where it is, the thread it is in, and its link.
    Column("channel", String(32), nullable=False),
    Column("message_ts", String(32), nullable=False),
    # The item's place among the message's `actie:` lines (0, 1, …); 0 for an item that is the
    # whole message (📌 reaction, shortcut). Line 0 is the message's head: it holds the one
    # confirmation reply of the whole message.
    Column("line_no", Integer, default=0, server_default="0", nullable=False),
    Column("thread_ts", String(32)),
    Column("permalink", String(500)),
    Column("source", String(16), nullable=False),  # prefix | reaction | shortcut
    # Slack mrkdwn as in the message (mentions kept); never logged.
    Column("text", Text, nullable=False),
    Column("owner_slack_id", String(32), nullable=False),
    Column("author_slack_id", String(32), nullable=False),
    Column("due_on", Date),
    Column("due_kind", String(16), nullable=False),  # date | asap | next_meeting | default
    # The meeting the thread belongs to (keys of the meetings feature), when known.
    Column("series_key", String(100)),
    Column("occurrence_at", UTCDateTime()),
    Column("status", String(16), default=OPEN, nullable=False),  # open | done | cancelled
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("closed_at", UTCDateTime()),
    Column("closed_by", String(32)),
    # The bot's one reply to the source message (kept on its line 0): claimed before posting so
    # a retried event never confirms twice, and its ts kept so an edit or deletion updates that
    # reply in place.
    Column("confirmed_at", UTCDateTime()),
    Column("confirmation_ts", String(32)),
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
