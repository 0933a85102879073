"""What a feature's clock planner returns: scheduled posts, each under a key unique forever.

Kept apart from the clock engine (`bot.clock`) so that planners depend on this small type and not
on the scheduler process that runs them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from msgspec import Struct

from bot.context import AppContext
from bot.gateway import SentMessage, SlackError


class PlannedDelivery(Struct, frozen=True):
    """One scheduled post. `key` is unique forever (e.g. "meeting:teamoverleg:2026-12-01T08:00Z:
    day_before"); `send` does the Slack work and raises SlackError when Slack refuses."""

    key: str
    kind: str
    due_at: datetime
    send: Callable[[], SentMessage | None]
    on_missed: Callable[[], None] | None = None
    on_failed: Callable[[SlackError], None] | None = None


# A feature's planner: the deliveries due in [start, end].
Planner = Callable[[AppContext, datetime, datetime], Iterable[PlannedDelivery]]
