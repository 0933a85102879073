"""The Home tab in Block Kit, published through the gateway when the tab is opened and whenever
a feature says a user's data changed (ctx.user_data_changed)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.context import AppContext
from bot.core.access import HOME_STRANGER_TEXT, Actor
from bot.core.cadence import format_hours
from bot.gateway import SlackError
from bot.language import format_datetime
from bot.services.access import AccessDenied
from bot.services.home import MEETING_LOOKAHEAD, HomeOverview, HomeService, TaskLine
from handlers.access import access_service, actor_of
from handlers.blocks import (
    Block,
    action_item_blocks,
    bullet_lines,
    context,
    divider,
    escape,
    header,
    line_sections,
    section,
)
from storage.actions import ActionStore
from storage.meetings import new_store as new_meeting_store
from storage.piket import new_store as new_piket_store

log = logging.getLogger(__name__)

HOME_BLOCK_LIMIT = 100  # Slack's maximum for a Home tab
TASK_LINES = 25
TASK_SECTIONS = 2  # per list, so the tab stays well within Slack's 100 blocks
MEETING_LINES = 10


def build_service(ctx: AppContext) -> HomeService:
    return HomeService(
        ActionStore(ctx.db),
        ctx.service(new_meeting_store),
        ctx.service(new_piket_store),
        ctx.team,
        ctx.tz,
        access=access_service(ctx),
    )


def _task_sections(title: str, tasks: list[TaskLine]) -> list[Block]:
    hours = [t.weekly_hours for t in tasks if t.weekly_hours is not None]
    summary = f"*{title}* van {len(tasks)} {'taak' if len(tasks) == 1 else 'taken'}"
    if hours:
        summary += f" — samen ≈ {format_hours(sum(hours))} uur per week"
    lines = [
        "• "
        + escape(line.task.subject)
        + (f" _(≈ {format_hours(line.weekly_hours)} u/week)_" if line.weekly_hours else "")
        for line in tasks
    ]
    # Whole lines, and a count of the rest, also when long subjects fill Slack's 3,000
    # characters before TASK_LINES are shown.
    return line_sections(
        lines,
        heading=summary,
        max_sections=TASK_SECTIONS,
        max_lines=TASK_LINES,
        more="_… en nog {n}; zie `/taken`_",
    )


def _tasks_blocks(home: HomeOverview) -> list[Block]:
    blocks: list[Block] = [section("*Jouw taken*")]
    if home.person is None:
        blocks.append(
            context(
                "Je Slack-account is nog niet gekoppeld aan iemand in het teamoverzicht: vraag "
                "de beheerder je Slack member-ID in te vullen bij `slack_id` in "
                "`config/people.yaml`."
            )
        )
        return blocks
    if not home.owned and not home.deputy:
        blocks.append(context("Je hebt geen taken in het taakoverzicht."))
    for title, tasks in (("Eigenaar", home.owned), ("Vervanger", home.deputy)):
        if tasks:
            blocks += _task_sections(title, tasks)
    return blocks


def _items_blocks(home: HomeOverview, ctx: AppContext) -> list[Block]:
    items = home.items
    today = home.now.astimezone(ctx.tz).date()
    title = f"*Jouw open actiepunten ({items.total})*"
    if items.overdue:
        title += f" — ⚠️ {items.overdue} te laat"
    blocks: list[Block] = [section(title)]
    if not items.shown:
        blocks.append(
            context(
                "Geen open actiepunten. Nieuwe komen hier vanzelf bij (`actie:` in een overleg)."
            )
        )
    for item in items.shown:
        blocks += action_item_blocks(item, today)
    if items.total > len(items.shown):
        blocks.append(context(f"… en nog {items.total - len(items.shown)}: zie `/acties`."))
    return blocks


def _meetings_blocks(home: HomeOverview, ctx: AppContext) -> list[Block]:
    lines = [
        f"{format_datetime(m.start, with_year=False, tz=ctx.tz)} — *{escape(m.name)}* "
        f"_({', '.join(m.roles)})_"
        for m in home.meetings
    ]
    if not lines:
        return []
    shown = lines[:MEETING_LINES]
    if len(lines) > MEETING_LINES:
        shown.append(f"_… en nog {len(lines) - MEETING_LINES}; zie `/overleg`_")
    days = MEETING_LOOKAHEAD.days
    return [section(f"*Jouw overleggen (komende {days} dagen)*\n" + bullet_lines(shown))]


def _piket_blocks(home: HomeOverview, ctx: AppContext) -> list[Block]:
    if home.piket is None:
        return []
    shift = home.piket.shift
    if shift is None:
        return [section("*Piket*\nGeen piketdienst in de komende maanden.")]
    span = (
        f"{escape(shift.role)}: {format_datetime(shift.start, tz=ctx.tz)} – "
        f"{format_datetime(shift.end, tz=ctx.tz)}"
    )
    when = "Nu piket" if home.piket.on_duty else "Volgende piketdienst"
    return [section(f"*Piket*\n{when} — {span}")]


def _feature_blocks(home: HomeOverview, ctx: AppContext) -> list[Block]:
    """What other features add through `ctx.home_sections`; one failing section is left out."""
    blocks: list[Block] = []
    for build in ctx.home_sections:
        try:
            blocks += build(home.slack_id)
        except Exception:  # a broken section must not blank the whole tab
            log.exception("a Home section failed")
    return blocks


def home_blocks(home: HomeOverview, ctx: AppContext) -> dict[str, Any]:
    """The Home tab as a views.publish payload."""
    person = home.person
    blocks: list[Block] = [header(f"Overzicht van {person.name}" if person else "Jouw overzicht")]
    for part in (
        _items_blocks(home, ctx),
        _meetings_blocks(home, ctx),
        _piket_blocks(home, ctx),
        _tasks_blocks(home),
        _feature_blocks(home, ctx),
    ):
        if part:
            blocks += [*part, divider()]
    blocks.append(
        context(
            f"Bijgewerkt {format_datetime(home.now, tz=ctx.tz)}. "
            "Alles over actiepunten: `/acties help`."
        )
    )
    # Cannot happen with the caps above, but Slack would reject the whole view.
    if len(blocks) > HOME_BLOCK_LIMIT:
        blocks = [*blocks[: HOME_BLOCK_LIMIT - 1], blocks[-1]]
    return {"type": "home", "blocks": blocks}


def outsider_view(actor: Actor) -> dict[str, Any]:
    """The Home tab of someone who may not see the team: a short explanation, nothing more. A
    colleague of the organisation is told how to be linked; a guest or another organisation's
    user only what the bot is."""
    if actor.is_stranger:
        return {"type": "home", "blocks": [section(HOME_STRANGER_TEXT)]}
    return {
        "type": "home",
        "blocks": [
            header("Jouw overzicht"),
            section(
                "Dit overzicht is voor het OOV-team en de meelezers. Je Slack-account is nog niet "
                "gekoppeld aan iemand in het teamoverzicht: hoor je bij het team, vraag de "
                "beheerder dan je Slack member-ID in te vullen bij `slack_id` in "
                "`config/people.yaml`."
            ),
        ],
    }


def home_view(ctx: AppContext, actor: Actor) -> dict[str, Any]:
    """The Home tab for one Slack user, as a views.publish payload."""
    try:
        overview = ctx.service(build_service).overview(actor, ctx.now())
    except AccessDenied:
        return outsider_view(actor)
    return home_blocks(overview, ctx)


def publish_home(ctx: AppContext, slack_id: str, actor: Actor | None = None) -> None:
    """Publish (or refresh) a user's Home tab; a failure is logged, never raised."""
    if actor is None:
        actor = access_service(ctx).actor(slack_id, ctx.now())
    try:
        ctx.gateway.publish_home(slack_id, home_view(ctx, actor))
    except SlackError as exc:
        log.warning("could not publish the Home tab of %s: %s", slack_id, exc.code)


def register(app: App, ctx: AppContext) -> None:
    def opened(event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab") == "home":
            publish_home(ctx, event["user"], actor_of(ctx, body))

    # Events are acknowledged before their listener runs; the view is built after that.
    app.event("app_home_opened")(opened)
    ctx.user_data_listeners.append(lambda slack_id: publish_home(ctx, slack_id))
