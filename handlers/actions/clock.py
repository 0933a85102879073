"""The actions feature's clock: the weekly DM to each owner with overdue items, and the nightly
retention purge of closed items."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from datetime import time as clock_time

from bot.context import AppContext
from bot.core.action_items import digest_moments
from bot.gateway import SentMessage, SlackError
from bot.language import local_moments
from bot.planning import PlannedDelivery
from bot.services.access import DirectoryError
from handlers.access import access_service
from handlers.actions.blocks import digest_text
from handlers.actions.factory import action_service

DIGEST_KIND = "action_digest"
PURGE_KIND = "action_purge"
PURGE_LOCAL_TIME = clock_time(3, 30)  # a quiet hour


def send_digest(ctx: AppContext, owner: str) -> SentMessage | None:
    service = action_service(ctx)
    now = ctx.now()
    try:
        actor = access_service(ctx).actor(owner, now, raise_passing=True)
    except DirectoryError as exc:  # Slack cannot say who the owner is yet: the clock retries
        raise SlackError(str(exc) or "unreachable", permanent=False) from None
    items = service.overdue_readable(actor, now)
    if not items:
        return None  # closed since the round was planned, or none the owner may read
    title, blocks = digest_text(items, service.today(now))
    return ctx.gateway.post(owner, title, blocks=blocks, what="overdue action items DM")


def purge_closed(ctx: AppContext) -> None:
    action_service(ctx).purge(ctx.now())


def plan_deliveries(ctx: AppContext, start: datetime, end: datetime) -> Iterable[PlannedDelivery]:
    settings = ctx.settings
    service = action_service(ctx)
    if settings.oov_action_digest_weekday:
        at = settings.oov_action_digest_time
        # The setting counts Monday as 1 (ISO), the kernel as 0.
        weekday = settings.oov_action_digest_weekday - 1
        for day, moment in digest_moments(start, end, ctx.tz, at, weekday):
            for owner in service.owners_with_overdue(day):
                yield PlannedDelivery(
                    key=f"actions:overdue:{day.isoformat()}:{owner}",
                    kind=DIGEST_KIND,
                    due_at=moment,
                    send=lambda owner=owner: send_digest(ctx, owner),
                )
    for day, moment in local_moments(start, end, ctx.tz, PURGE_LOCAL_TIME):

        def purge() -> None:
            purge_closed(ctx)

        yield PlannedDelivery(
            key=f"actions:purge:{day.isoformat()}",
            kind=PURGE_KIND,
            due_at=moment,
            send=purge,
            on_missed=purge,  # a missed purge is simply done late
        )
