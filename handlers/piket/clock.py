"""Piket's clock planners: reminders before each shift, the handover post (with the channel
topic and the user group), the topic reset after a duty week, the weekly warning about unstaffed
shifts and the daily roll-on of the planning horizon."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, time, timedelta

from bot.context import AppContext
from bot.core.rota import duty_weeks, reminder_time
from bot.gateway import SentMessage
from bot.language import local_moments
from bot.planning import PlannedDelivery
from bot.services.piket import PiketService
from handlers.blocks import section
from handlers.piket.blocks import handover_blocks, reminder_message
from handlers.piket.common import Outbox, build_service
from handlers.piket.feed import feed_server
from storage.deliveries import DeliveryStore

log = logging.getLogger(__name__)

REMINDER_KIND = "piket_reminder"
HANDOVER_KIND = "piket_handover"
OFF_DUTY_KIND = "piket_off_duty"
UNSTAFFED_KIND = "piket_unstaffed"
ROLL_KIND = "piket_roll"
ROLL_LOCAL_TIME = time(3, 0)  # the daily roll-on of the planning horizon


class _Sender:
    """The Slack side of the clock's deliveries: asks the service, posts through the gateway."""

    def __init__(self, ctx: AppContext, service: PiketService) -> None:
        self.ctx = ctx
        self.service = service
        self.outbox = Outbox(ctx.gateway)

    def remind(self, uid: str, person_key: str, before: timedelta) -> SentMessage | None:
        reminder = self.service.reminder(uid, person_key, before)
        if reminder is None:
            return None
        text, blocks = reminder_message(reminder, self.ctx.tz)
        return self.ctx.gateway.post(reminder.to, text, blocks=blocks, what="piket reminder")

    def handover(self, at: datetime) -> SentMessage | None:
        handover = self.service.handover(at)
        self.outbox.set_usergroup(handover.usergroup)
        if not handover.channel:
            return None
        sent = self.ctx.gateway.post(
            handover.channel,
            handover.text,
            blocks=handover_blocks(handover, self.ctx.tz),
            what="piket handover",
        )
        if sent is not None:
            self.outbox.set_topic(sent.channel, handover.topic)
        return sent

    def reset_topic(self, handover_key: str, at: datetime) -> None:
        # The channel ID is the one the handover post landed in.
        record = DeliveryStore(self.ctx.db).get(handover_key)
        if record is None or not record.channel:
            return
        self.outbox.set_topic(record.channel, self.service.off_duty_topic(at))

    def warn_unstaffed(self, at: datetime) -> SentMessage | None:
        notice = self.service.unstaffed_warning(at)
        if notice is None:
            return None
        return self.ctx.gateway.post(
            notice.to,
            "Piketdiensten zonder gekwalificeerde persoon",
            blocks=[section(notice.text)],
            what=notice.what,
        )


def prerender_feeds(ctx: AppContext) -> None:
    """The feeds served lately, rendered anew when the day or the rota moved, so the first
    fetch after a change is as quick as the others. A failure is only logged: the fetch then
    renders the feed itself."""
    try:
        rendered = feed_server(ctx).prerender()
    except Exception:
        log.exception("pre-rendering the piket feeds failed")
        return
    if rendered:
        log.debug("pre-rendered %d piket feeds", rendered)


def plan_deliveries(ctx: AppContext, start: datetime, end: datetime) -> Iterable[PlannedDelivery]:
    """Reminders before each shift, the handover post, the reset topic after a duty week, the
    weekly warning about unstaffed shifts and the daily roll-on of the planning horizon."""
    service = build_service(ctx)
    config = service.store.config()
    if config is None:
        return []
    prerender_feeds(ctx)
    send = _Sender(ctx, service)
    tz = config.rules.tz
    planned: list[PlannedDelivery] = []

    longest = max(config.reminders, default=timedelta(0))
    for shift in service.store.shifts(start=start, end=end + longest + timedelta(days=1)):
        person = shift.person
        if person is None or not person.slack_id:
            continue
        for before in config.reminders:
            at = reminder_time(shift.as_shift(), before, tz)
            if not start <= at <= end:
                continue
            seconds = int(before.total_seconds())
            planned.append(
                PlannedDelivery(
                    key=f"piket:reminder:{shift.uid}:{person.key}:{seconds}",
                    kind=REMINDER_KIND,
                    due_at=at,
                    send=lambda uid=shift.uid, key=person.key, b=before: send.remind(uid, key, b),
                )
            )

    period_days = timedelta(weeks=config.rules.cycle_weeks)
    for week in duty_weeks(config.rules, start - period_days, end):
        handover_key = f"piket:handover:{week.start.astimezone(tz).isoformat()}"
        if start <= week.start <= end:
            planned.append(
                PlannedDelivery(
                    key=handover_key,
                    kind=HANDOVER_KIND,
                    due_at=week.start,
                    send=lambda at=week.start: send.handover(at),
                )
            )
        if start <= week.end <= end and config.team_channel and config.rules.cycle_weeks > 1:
            planned.append(
                PlannedDelivery(
                    key=f"piket:off-duty:{week.end.astimezone(tz).isoformat()}",
                    kind=OFF_DUTY_KIND,
                    due_at=week.end,
                    send=lambda k=handover_key, at=week.end: send.reset_topic(k, at),
                )
            )

    rules = config.rules
    for day, moment in local_moments(start, end, tz, rules.handover_time, rules.handover_weekday):
        if service.has_unstaffed(moment, moment + config.warn_unstaffed):
            planned.append(
                PlannedDelivery(
                    key=f"piket:unstaffed:{day.isoformat()}",
                    kind=UNSTAFFED_KIND,
                    due_at=moment,
                    send=lambda at=moment: send.warn_unstaffed(at),
                )
            )

    for day, moment in local_moments(start, end, tz, ROLL_LOCAL_TIME):

        def roll(at: datetime = moment) -> None:
            service.roll_on(max(at, ctx.now()))

        planned.append(
            PlannedDelivery(
                key=f"piket:roll:{day.isoformat()}",
                kind=ROLL_KIND,
                due_at=moment,
                send=roll,
                on_missed=roll,  # rolling on late is still rolling on
            )
        )
    return planned
