"""The programme's clock: the DM to each action holder at the configured rhythm (default the 1st
of each month, 09:00) and, in the same round, the DM to the team leads listing the open
activities nobody was reminded of (no action holder, or one without a Slack ID), the DM to the
regievoerders the working day after a deadline passed without "afgerond", and the daily
retention purge of old note texts. Each under a key of its own, so the clock's claim sends it
exactly once.

The DMs come on working days: a day of the month on a weekend or a Dutch public holiday (the 1st
of January is Nieuwjaarsdag) moves to the next working day, at the same time, under the key of
the day it stands for; a deadline of Friday or 31 December is reported on the next working day."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from bot.context import AppContext
from bot.gateway import SentMessage
from bot.language import local_moments, next_working_day, wall_time, working_day_from
from bot.planning import PlannedDelivery
from bot.services.programma import ProgrammeService
from handlers.blocks import Block, section
from handlers.programma.blocks import digest_message, meeting_blocks, text_chunks
from handlers.programma.common import build_service

log = logging.getLogger(__name__)

DIGEST_KIND = "programme_digest"
LATE_KIND = "programme_late"
UNTRACKED_KIND = "programme_untracked"
PURGE_KIND = "programme_purge"
LATE_LOCAL_TIME = time(9, 0)  # the working morning after a passed deadline
PURGE_LOCAL_TIME = time(3, 30)


def send_digest(ctx: AppContext, service: ProgrammeService, person_key: str) -> SentMessage | None:
    digest = service.digest_for(person_key, ctx.now())
    if digest is None:
        return None  # nothing open any more, or no Slack ID: nothing to ask
    shown = digest_message(digest, ctx.tz)
    return ctx.gateway.post(digest.to, shown.text, blocks=shown.blocks, what="programme digest")


def send_late(
    ctx: AppContext, service: ProgrammeService, activities: Sequence[tuple[int, date]], to: str
) -> SentMessage | None:
    notice = service.late_notice(activities, to, ctx.now())
    if notice is None:
        return None  # finished or moved meanwhile
    # One line per activity: a long list is split between lines, never inside a mention.
    blocks = [section(chunk) for chunk in text_chunks(notice.text.split("\n"))]
    return ctx.gateway.post(notice.to, notice.text, blocks=blocks, what=notice.what)


def send_untracked(ctx: AppContext, service: ProgrammeService, to: str) -> SentMessage | None:
    notice = service.untracked_notice(to, ctx.now())
    if notice is None:
        return None  # every open activity has a reminded action holder by now
    blocks = [section(chunk) for chunk in text_chunks(notice.text.split("\n"))]
    return ctx.gateway.post(notice.to, notice.text, blocks=blocks, what=notice.what)


def meeting_section(
    ctx: AppContext, series_key: str, since: datetime | None, now: datetime
) -> list[Block]:
    """The part of a linked meeting series' reminder: its activities, each with what changed
    since the previous meeting."""
    return meeting_blocks(build_service(ctx).meeting_lines(series_key, since, now), ctx.tz)


def digest_days(start: date, end: date, first: date, every_months: int, day: int) -> list[date]:
    """The days of the DM between start and end: `day` of every `every_months`-th month
    counted from the programme's first month."""
    if every_months < 1:
        return []
    found = []
    month = date(start.year, start.month, 1)
    while month <= end:
        offset = (month.year - first.year) * 12 + month.month - first.month
        candidate = month.replace(day=day)
        if offset >= 0 and offset % every_months == 0 and start <= candidate <= end:
            found.append(candidate)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return found


def plan_deliveries(ctx: AppContext, start: datetime, end: datetime) -> Iterable[PlannedDelivery]:
    service = build_service(ctx)
    settings = service.settings()
    if settings is None:
        return []
    tz = ctx.tz
    planned: list[PlannedDelivery] = []
    rhythm = settings.reminders
    # A week back: a day moved past a weekend and holidays may still fall in the window.
    first_day = start.astimezone(tz).date() - timedelta(days=7)
    last_day = end.astimezone(tz).date()
    days = digest_days(first_day, last_day, settings.start, rhythm.every_months, rhythm.day)
    for day in days:
        if day > settings.end + timedelta(days=31):
            continue  # the programme is over
        moment = wall_time(working_day_from(day), rhythm.time, tz)
        if not start <= moment <= end:
            continue
        for digest in service.digests(moment):
            key = digest.person.key
            planned.append(
                PlannedDelivery(
                    key=f"programma:dm:{day.isoformat()}:{key}",
                    kind=DIGEST_KIND,
                    due_at=moment,
                    send=lambda k=key: send_digest(ctx, service, k),
                )
            )
        # In the same round, so no open activity goes unasked without anyone knowing.
        if service.untracked(moment):
            # The access config is cached by the time asked: the real one, not the round's.
            readers = service.untracked_readers(ctx.now())
            if not readers:
                log.warning("programme: activities without a reminded holder, nobody to tell")
            for person in readers:
                assert person.slack_id is not None
                planned.append(
                    PlannedDelivery(
                        key=f"programma:untracked:{day.isoformat()}:{person.key}",
                        kind=UNTRACKED_KIND,
                        due_at=moment,
                        send=lambda to=person.slack_id: send_untracked(ctx, service, to),
                    )
                )
    regievoerders = service.regievoerders()
    # Deadlines that pass together (the end of a year, a weekend) make one DM per regievoerder.
    passed: dict[datetime, list[tuple[int, date]]] = {}
    for view in service.model().activities:
        if view.status.closed:
            continue
        moment = wall_time(next_working_day(view.deadline), LATE_LOCAL_TIME, tz)
        if start <= moment <= end:
            passed.setdefault(moment, []).append((view.id, view.deadline))
    for moment, activities in passed.items():
        day = moment.astimezone(tz).date()
        for person in regievoerders:
            assert person.slack_id is not None
            planned.append(
                PlannedDelivery(
                    key=f"programma:late:{day.isoformat()}:{person.key}",
                    kind=LATE_KIND,
                    due_at=moment,
                    send=lambda a=tuple(activities), to=person.slack_id: send_late(
                        ctx, service, a, to
                    ),
                )
            )
    for day, moment in local_moments(start, end, tz, PURGE_LOCAL_TIME):

        def purge() -> None:
            service.purge_notes(ctx.now())

        planned.append(
            PlannedDelivery(
                key=f"programma:purge:{day.isoformat()}",
                kind=PURGE_KIND,
                due_at=moment,
                send=purge,  # type: ignore[arg-type]
                on_missed=purge,
            )
        )
    return planned
