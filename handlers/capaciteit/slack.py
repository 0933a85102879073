"""/capaciteit in Slack: the team picture (charts follow in the caller's DM), one person's rows,
what-ifs, the report button, and the App Home section. Each listener asks
`bot.services.capacity` and draws the answer with `blocks`."""

from __future__ import annotations

import logging
import re
import threading
from datetime import datetime
from typing import Any

from msgspec import Struct
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.context import AppContext
from bot.core.access import Actor
from bot.core.capacity import Picture
from bot.gateway import SlackError
from bot.language import CommandWords, command_words, fold
from bot.services.capacity import CapacityService, TaskChoice, build_capacity_service
from bot.services.errors import DomainError
from handlers.access import actor_of
from handlers.blocks import Block, Reply, context, section
from handlers.capaciteit import CAPACITEIT
from handlers.capaciteit.blocks import (
    CHARTS_BUTTON,
    REPORT_BUTTON,
    TEAM,
    WHAT_IF_BUTTON,
    choice_reply,
    home_blocks,
    person_reply,
    team_reply,
    what_if_reply,
)
from handlers.payloads import (
    Interaction,
    InteractionRefused,
    UnreadablePayload,
    as_id,
    button_value,
    on_action,
    reply,
)
from storage.versions import read_once

log = logging.getLogger(__name__)

CHARTS_NOTE = "De grafieken komen in je DM met oov-bot, elk met dezelfde cijfers als tekst erbij."
_WHAT_IF_BUTTONS = re.compile(rf"^{WHAT_IF_BUTTON}:\d+$")
REPORT_NOTE = "Het rapport (Word) komt in je DM met oov-bot."
TEAM_WORDS = ("team", "iedereen", "allemaal")  # the team picture, as plain `/capaciteit`


class Answer(Struct, frozen=True):
    reply: Reply
    charts: bool = False  # send the charts to the caller's DM after answering
    report: bool = False  # send the report to the caller's DM after answering


def _refusal(message: str) -> Answer:
    return Answer(Reply(text=message, blocks=[section(message)]))


def answer(service: CapacityService, text: str, actor: Actor, now: datetime) -> Answer:
    """`/capaciteit <text>`: '' the team; 'als …' a what-if; 'rapport'; else a person. The
    operator (shell) gets text only: no charts or report to a DM."""
    caller = actor.slack_id
    words = command_words(text)
    if words.is_help:
        return Answer(CAPACITEIT.help_reply())
    if words.first == "wat" and len(words.words) > 1 and fold(words.words[1]) == "als":
        words = CommandWords(words.words[1:])  # "wat als …" asks the same as "als …"
    if words.first == "van" and len(words.words) > 1:
        words = CommandWords(words.words[1:])  # "van aov-2": the person
    if len(words.words) == 1 and words.first in TEAM_WORDS:
        words = CommandWords(())
    text, rest = words.text, words.rest
    verb = CAPACITEIT.verb(words.first) if words.first else None
    try:
        if not text:
            shown = team_reply(service.picture(now, actor))
            if caller:
                shown.blocks.append(context(CHARTS_NOTE))
            return Answer(shown, charts=caller is not None)
        if verb == "rapport":
            if caller is None:
                return _refusal("In de shell: `oov-bot rapport capaciteit`.")
            service.picture(now, actor)  # refused here, before anything is written
            return Answer(Reply(text=REPORT_NOTE, blocks=[section(REPORT_NOTE)]), report=True)
        if verb == "als":
            found = service.what_if(rest, actor, now)
            if isinstance(found, TaskChoice):
                return Answer(choice_reply(found))
            return Answer(what_if_reply(found))
        return Answer(person_reply(service.person(text, actor, now)))
    except DomainError as exc:
        return _refusal(exc.message)


class ChartCache:
    """The PNGs of the last picture drawn. Drawing takes a CPU-second and holds the GIL, which
    would delay every other command's acknowledgement; the picture is the same object until the
    data or the day changes, so it is drawn once per version."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: tuple[Picture, bytes, bytes] | None = None

    def pngs(self, picture: Picture) -> tuple[bytes, bytes]:
        from bot.core import capacity_charts as charts  # matplotlib only when drawing

        with self._lock:
            if self._last is None or self._last[0] is not picture:
                load = charts.load_png(charts.load_table(picture))
                self._last = (picture, load, charts.themes_png(charts.theme_table(picture)))
            return self._last[1], self._last[2]


def send_charts(
    ctx: AppContext, service: CapacityService, actor: Actor, now: datetime, cache: ChartCache
) -> bool:
    """Both charts to the user's DM, each with its text equivalent as the comment."""
    from bot.core import capacity_charts as charts

    picture = service.picture(now, actor)
    user_id = actor.slack_id or ""
    load_png, themes_png = cache.pngs(picture)
    try:
        ctx.gateway.upload_file(
            user_id,
            "capaciteit-belasting.png",
            load_png,
            charts.LOAD_TITLE,
            initial_comment=charts.load_text(charts.load_table(picture)),
        )
        ctx.gateway.upload_file(
            user_id,
            "capaciteit-thema.png",
            themes_png,
            charts.THEME_TITLE,
            initial_comment=charts.theme_text(charts.theme_table(picture)),
        )
    except SlackError as exc:
        log.warning("capacity charts not uploaded: %s", exc.code)
        return False
    return True


def send_report(ctx: AppContext, service: CapacityService, actor: Actor, now: datetime) -> bool:
    from handlers.capaciteit.report import report_document, report_docx

    picture = service.picture(now, actor)
    user_id = actor.slack_id or ""
    document = report_document(picture)
    try:
        ctx.gateway.upload_file(
            user_id,
            f"capaciteit-{now.astimezone(ctx.tz):%Y-%m-%d}.docx",
            report_docx(document),
            document.title,
            initial_comment="Het capaciteitsrapport als Word-bestand; de cijfers staan ook in "
            "`/capaciteit`.",
        )
    except SlackError as exc:
        log.warning("capacity report not uploaded: %s", exc.code)
        return False
    return True


def home_section(ctx: AppContext, slack_id: str) -> list[Block]:
    """The caller's own load in the App Home (empty when they are not in the team overview)."""
    service = ctx.service(build_capacity_service)
    now = ctx.now()
    load = service.own_load(slack_id, now)
    return [] if load is None else home_blocks(load, service.own_picture(now))


def register(app: App, ctx: AppContext) -> None:
    service = ctx.service(build_capacity_service)
    cache = ChartCache()
    ctx.home_sections.append(lambda slack_id: home_section(ctx, slack_id))

    def follow_up(found: Answer, actor: Actor, respond: Respond | None) -> None:
        now = ctx.now()
        if found.charts and not send_charts(ctx, service, actor, now, cache) and respond:
            respond(
                text="De grafieken konden niet worden verstuurd; de cijfers staan hierboven.",
                replace_original=False,
            )
        if found.report and not send_report(ctx, service, actor, now) and respond:
            respond(text="Het rapport kon niet worden verstuurd.", replace_original=False)

    @app.command(CAPACITEIT.name)
    def capaciteit(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        # Read-only: who asks, the figures and the charts after them from one reading of the
        # data versions, so the charts show what the answer says.
        with read_once():
            actor = actor_of(ctx, body)
            found = answer(service, body.get("text", ""), actor, ctx.now())
            ack(text=found.reply.text, blocks=found.reply.blocks, response_type="ephemeral")
            if actor.slack_id:
                follow_up(found, actor, respond)

    def team_button(it: Interaction) -> Actor:
        """The report and chart buttons carry "team"; anything else is no button of ours. Who
        may not see the figures is told so, before a DM is promised."""
        if button_value(it.body) != TEAM:
            raise UnreadablePayload()
        try:
            actor = actor_of(ctx, it.body)
            service.picture(ctx.now(), actor)
        except DomainError as exc:
            raise InteractionRefused(exc.message) from None
        return actor

    def charts_clicked(it: Interaction, client: WebClient) -> None:
        actor = team_button(it)
        reply(it, client, text=CHARTS_NOTE, blocks=None, replace_original=False)
        if not send_charts(ctx, service, actor, ctx.now(), cache):
            reply(it, client, text="De grafieken konden niet worden verstuurd.", blocks=None,
                  replace_original=False)  # fmt: skip

    def report_clicked(it: Interaction, client: WebClient) -> None:
        actor = team_button(it)
        reply(it, client, text=REPORT_NOTE, blocks=None, replace_original=False)
        if not send_report(ctx, service, actor, ctx.now()):
            reply(it, client, text="Het rapport kon niet worden verstuurd.", blocks=None,
                  replace_original=False)  # fmt: skip

    def what_if_clicked(it: Interaction, client: WebClient) -> None:
        task_text, _, person = button_value(it.body).partition(" ")
        task_id = as_id(task_text)  # ASCII digits only: "²" passes str.isdigit, not int()
        try:
            actor = actor_of(ctx, it.body)
            shown = what_if_reply(service.what_if_button(task_id, person, actor, ctx.now()))
        except DomainError as exc:
            shown = Reply(text=exc.message, blocks=[section(exc.message)])
        reply(it, client, text=shown.text, blocks=shown.blocks, replace_original=True)

    on_action(app, CHARTS_BUTTON, charts_clicked)
    on_action(app, REPORT_BUTTON, report_clicked)
    on_action(
        app,
        _WHAT_IF_BUTTONS,
        what_if_clicked,
        examples=(f"{WHAT_IF_BUTTON}:0", f"{WHAT_IF_BUTTON}:4"),
    )
