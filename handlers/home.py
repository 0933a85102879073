"""The App Home tab: a person's open action items, tasks with weekly hours, next meetings and next
piket shift. Published when the tab is opened and again whenever one of their items changes."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.cadence import CadenceError, format_hours, parse_cadence
from bot.context import AppContext
from bot.language import format_datetime
from bot.meetings import Occurrence, minute_taker
from handlers.blocks import (
    Block,
    action_item_blocks,
    bullet_lines,
    context,
    divider,
    escape,
    header,
    section,
)
from handlers.feature import Feature
from storage.actions import ActionStore
from storage.meetings import MeetingStore, SeriesView
from storage.piket import PiketStore
from storage.team import PersonView, TaskView

log = logging.getLogger(__name__)

HOME_BLOCK_LIMIT = 100  # Slack's maximum for a Home tab
HOME_ITEMS = 15  # two blocks each
TASK_LINES = 25
MEETING_LOOKAHEAD = timedelta(days=14)
MEETING_LINES = 10
PIKET_LOOKAHEAD = timedelta(days=120)


def _weekly_hours(task: TaskView) -> float | None:
    try:
        return parse_cadence(task.time_text).hours_per_week
    except CadenceError:
        return None


def _task_section(title: str, tasks: list[TaskView]) -> Block:
    hours = [h for h in map(_weekly_hours, tasks) if h is not None]
    summary = f"*{title}* van {len(tasks)} {'taak' if len(tasks) == 1 else 'taken'}"
    if hours:
        summary += f" — samen ≈ {format_hours(sum(hours))} uur per week"
    lines = []
    for task in tasks[:TASK_LINES]:
        weekly = _weekly_hours(task)
        lines.append(
            escape(task.subject) + (f" _(≈ {format_hours(weekly)} u/week)_" if weekly else "")
        )
    if len(tasks) > TASK_LINES:
        lines.append(f"_… en nog {len(tasks) - TASK_LINES}; zie `/taken`_")
    return section(summary + "\n" + bullet_lines(lines))


def _tasks_blocks(
    person: PersonView | None, owned: list[TaskView], deputy: list[TaskView]
) -> list[Block]:
    blocks: list[Block] = [section("*Jouw taken*")]
    if person is None:
        blocks.append(
            context(
                "Je Slack-account is nog niet gekoppeld aan iemand in het teamoverzicht: vraag "
                "de beheerder je Slack member-ID in te vullen bij `slack_id` in "
                "`config/people.yaml`."
            )
        )
        return blocks
    if not owned and not deputy:
        blocks.append(context("Je hebt geen taken in het taakoverzicht."))
    for title, tasks in (("Eigenaar", owned), ("Vervanger", deputy)):
        if tasks:
            blocks.append(_task_section(title, tasks))
    return blocks


def _items_blocks(ctx: AppContext, slack_id: str, now: datetime) -> list[Block]:
    store = ActionStore(ctx.db)
    today = now.astimezone(ctx.tz).date()
    items = store.open_for_owner(slack_id, limit=HOME_ITEMS)
    if len(items) == HOME_ITEMS:  # more may be hidden, overdue ones too
        total = store.count_open_for_owner(slack_id)
        overdue = len(store.overdue_for(slack_id, today))
    else:
        total, overdue = len(items), sum(item.is_overdue(today) for item in items)
    title = f"*Jouw open actiepunten ({total})*"
    if overdue:
        title += f" — ⚠️ {overdue} te laat"
    blocks: list[Block] = [section(title)]
    if not items:
        blocks.append(
            context(
                "Geen open actiepunten. Nieuwe komen hier vanzelf bij (`actie:` in een overleg)."
            )
        )
    for item in items:
        blocks += action_item_blocks(item, today)
    if total > len(items):
        blocks.append(context(f"… en nog {total - len(items)}: zie `/acties`."))
    return blocks


def _roles(
    person: PersonView, view: SeriesView, occurrence: Occurrence, task_ids: set[int]
) -> list[str]:
    """Why this person is at this meeting; none: they are not expected."""
    series = view.series
    roles = []
    if series.chair == person.key:
        roles.append(series.chair_title.lower())
    if minute_taker(series, occurrence) == person.key:
        roles.append("notulen")
    if not roles and (view.task_id in task_ids or person.key in series.minute_takers):
        roles.append("deelnemer")
    return roles


def _meetings_blocks(
    ctx: AppContext, person: PersonView | None, now: datetime, task_ids: set[int]
) -> list[Block]:
    """The next meetings this person chairs, takes the minutes of or attends (as owner or deputy
    of the meeting's task)."""
    if person is None:
        return []
    store = MeetingStore(ctx.db, ctx.tz)
    lines = []
    for view, occurrence in store.occurrences(now, now + MEETING_LOOKAHEAD):
        if not occurrence.held:
            continue
        roles = _roles(person, view, occurrence, task_ids)
        if roles:
            when = format_datetime(occurrence.start, with_year=False, tz=ctx.tz)
            lines.append(f"{when} — *{escape(view.series.name)}* _({', '.join(roles)})_")
    if not lines:
        return []
    shown = lines[:MEETING_LINES]
    if len(lines) > MEETING_LINES:
        shown.append(f"_… en nog {len(lines) - MEETING_LINES}; zie `/overleg`_")
    days = MEETING_LOOKAHEAD.days
    return [section(f"*Jouw overleggen (komende {days} dagen)*\n" + bullet_lines(shown))]


def _piket_blocks(ctx: AppContext, person: PersonView | None, now: datetime) -> list[Block]:
    """This person's current or next piket shift; nothing when no piket rota is imported."""
    store = PiketStore(ctx.db, ctx.tz)
    if person is None or store.config() is None:
        return []
    shifts = store.shifts(now, now + PIKET_LOOKAHEAD, person_id=person.id)
    if not shifts:
        return [section("*Piket*\nGeen piketdienst in de komende maanden.")]
    shift = shifts[0]
    span = (
        f"{escape(shift.role)}: {format_datetime(shift.start, tz=ctx.tz)} – "
        f"{format_datetime(shift.end, tz=ctx.tz)}"
    )
    when = "Nu piket" if shift.start <= now else "Volgende piketdienst"
    return [section(f"*Piket*\n{when} — {span}")]


def home_view(ctx: AppContext, slack_id: str) -> dict[str, Any]:
    """The Home tab for one Slack user, as a views.publish payload."""
    now = ctx.now()
    person = ctx.team.person_by_slack_id(slack_id)
    owned, deputy = ctx.team.tasks_of(person.id) if person else ([], [])
    task_ids = {task.id for task in owned + deputy}
    blocks: list[Block] = [header(f"Overzicht van {person.name}" if person else "Jouw overzicht")]
    for part in (
        _items_blocks(ctx, slack_id, now),
        _meetings_blocks(ctx, person, now, task_ids),
        _piket_blocks(ctx, person, now),
        _tasks_blocks(person, owned, deputy),
    ):
        if part:
            blocks += [*part, divider()]
    blocks.append(
        context(
            f"Bijgewerkt {format_datetime(now, tz=ctx.tz)}. Alles over actiepunten: `/acties help`."
        )
    )
    # Cannot happen with the caps above, but Slack would reject the whole view.
    if len(blocks) > HOME_BLOCK_LIMIT:
        blocks = [*blocks[: HOME_BLOCK_LIMIT - 1], blocks[-1]]
    return {"type": "home", "blocks": blocks}


def publish_home(ctx: AppContext, client: WebClient, slack_id: str) -> None:
    """Publish (or refresh) a user's Home tab; a failure is logged, never raised."""
    try:
        client.views_publish(user_id=slack_id, view=home_view(ctx, slack_id))
    except (SlackApiError, SlackClientError, OSError) as exc:
        code = exc.response.get("error") if isinstance(exc, SlackApiError) else None
        log.warning(
            "could not publish the Home tab of %s: %s", slack_id, code or exc.__class__.__name__
        )


def register(app: App, ctx: AppContext) -> None:
    def opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") == "home":
            publish_home(ctx, client, event["user"])

    # Events are acknowledged before their listener runs; the view is built after that.
    app.event("app_home_opened")(opened)
    ctx.user_data_listeners.append(lambda client, slack_id: publish_home(ctx, client, slack_id))


FEATURE = Feature(name="home", order=50, listeners=register)
