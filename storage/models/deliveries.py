"""Every scheduled post (reminder, notice, DM) is claimed here under a unique key before it is
sent, so two clock processes or a restart never post it twice, and a miss is on record."""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table

from storage.models.base import UTCDateTime, metadata

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(200), unique=True, nullable=False),
    Column("kind", String(40), index=True, nullable=False),
    Column("due_at", UTCDateTime(), index=True, nullable=False),
    Column("status", String(16), nullable=False),  # claimed | sent | missed | failed | retry
    Column("claimed_by", String(100), nullable=False),  # host:pid of the clock process
    Column("claimed_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime()),
    # A Slack error code or a short reason; never message text.
    Column("detail", String(200)),
    # Where the message landed, so a thread under it can be traced back (e.g. action items).
    Column("channel", String(32)),
    Column("ts", String(32), index=True),
)


# How far the clock has planned: deliveries due after this and before a restart are caught
# up (within the grace window) or recorded as missed; none are forgotten.
clock_marks = Table(
    "clock_marks",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("at", UTCDateTime(), nullable=False),
)
