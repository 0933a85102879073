"""The meetings' clock: every reminder and chair DM due (`plan_deliveries`), sent from the
database as it is at the moment of sending, and the DMs that report one missed or refused."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from functools import partial
from typing import Any

from bot.context import AppContext
from bot.gateway import SentMessage, SlackError
from bot.planning import PlannedDelivery
from bot.services.meetings import ChairBriefing, ChannelReminder, MeetingService
from handlers.blocks import MESSAGE_BLOCK_LIMIT, context
from handlers.meetings.blocks import chair_dm, reminder_message, skipped_message
from handlers.meetings.wiring import meeting_service

log = logging.getLogger(__name__)

DELIVERY_KIND = "meeting"
OUTSIDERS_NOTE = (
    "🔒 Meer over dit overleg (zoals de voortgang van het uitvoeringsprogramma) staat niet in dit "
    "bericht: in dit kanaal lezen gasten of leden van een andere organisatie mee."
)


def plan_deliveries(ctx: AppContext, start: datetime, end: datetime) -> Iterator[PlannedDelivery]:
    """The clock's hook: every reminder and chair DM due in [start, end]."""
    service = meeting_service(ctx)
    for due in service.due(start, end):
        yield PlannedDelivery(
            key=due.key,
            kind=DELIVERY_KIND,
            due_at=due.due_at,
            send=partial(send_delivery, ctx, service, due.key),
            on_missed=partial(report_missed, ctx, service, due.key),
            on_failed=partial(report_failed, ctx, service, due.key),
        )


def send_delivery(ctx: AppContext, service: MeetingService, key: str) -> SentMessage | None:
    """Render and post one reminder or chair DM, from the state of the database right now."""
    delivery = service.delivery(key, ctx.now())
    if delivery is None:
        return None
    if isinstance(delivery, ChairBriefing):
        reply, what = chair_dm(delivery, ctx.tz), f"chair DM {key}"
    elif isinstance(delivery, ChannelReminder):
        reply, what = reminder_message(delivery, ctx.tz), f"meeting reminder {key}"
        room = MESSAGE_BLOCK_LIMIT - len(reply.blocks)
        added = other_features_sections(ctx, service, delivery)
        if added and delivery.outsiders:
            # The programme's progress and notes are the team's, like its action items.
            added = [context(OUTSIDERS_NOTE)]
        reply.blocks += added[:room]
    else:
        reply, what = skipped_message(delivery, ctx.tz), f"meeting reminder {key}"
    return ctx.gateway.post(delivery.to, reply.text, blocks=reply.blocks, what=what)


def other_features_sections(
    ctx: AppContext, service: MeetingService, reminder: ChannelReminder
) -> list[dict[str, Any]]:
    """What other features add to a reminder (`AppContext.meeting_reminder_sections`). One that
    fails leaves the reminder as it was."""
    if not ctx.meeting_reminder_sections:
        return []
    key = reminder.view.key
    since = service.previous_start(key, reminder.occurrence)
    added: list[dict[str, Any]] = []
    for section in ctx.meeting_reminder_sections:
        try:
            added += section(key, since, ctx.now())
        except Exception:
            log.exception("a section of meeting reminder %s failed; posted without it", key)
    return added


def report_missed(ctx: AppContext, service: MeetingService, key: str) -> None:
    """Not sent in time (clock down, or Slack unreachable) and past the grace window: tell the
    chair rather than post late, while the meeting is still ahead."""
    notice = service.missed_report(key, ctx.now())
    if notice is not None:
        ctx.gateway.try_post(notice.to, notice.text, what=notice.what)


def report_failed(ctx: AppContext, service: MeetingService, key: str, error: SlackError) -> None:
    """Slack refused the post for good (no retry will help): one clear log line and a DM."""
    report = service.failure_report(key, error.code)
    log.error(
        "meeting delivery %s: Slack refused the post to %s (%s); not retried",
        key,
        report.channel,
        error.code,
    )
    if report.notice is not None:
        ctx.gateway.try_post(report.notice.to, report.notice.text, what=report.notice.what)
