"""/overleg in Slack (and in `oov-bot shell`): read the command, ask the service, answer, then
post the announcements the change brought."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.context import AppContext
from bot.core.access import Actor
from bot.gateway import SlackError, SlackGateway
from bot.language import command_words
from bot.services.errors import DomainError
from bot.services.meetings import MeetingService
from bot.services.notices import Notice
from handlers.access import actor_of
from handlers.blocks import Reply, context, escape
from handlers.meetings import OVERLEG
from handlers.meetings.blocks import change_reply, refusal, series_reply, upcoming_reply
from handlers.meetings.wiring import meeting_service

log = logging.getLogger(__name__)


def overleg(
    service: MeetingService, ctx: AppContext, text: str, actor: Actor
) -> tuple[Reply, Sequence[Notice]]:
    """The answer to `/overleg <text>` and the announcements to post after it."""
    words = command_words(text)
    now = ctx.now()
    try:
        if words.is_help:
            return OVERLEG.help_reply(), ()
        if not words.words:
            return upcoming_reply(service.upcoming(now, actor), ctx.tz), ()
        subcommand = OVERLEG.verb(words.first)
        change = {
            "annuleer": service.cancel,
            "verplaats": service.move,
            "herstel": service.restore,
        }.get(subcommand or "")
        if change is not None:
            changed = change(words.words[1:], actor, now)
            return change_reply(changed, ctx.tz), changed.notices
        return series_reply(service.describe(words.text, now, actor), ctx.tz), ()
    except DomainError as exc:
        return refusal(exc.message), ()


def announce(gateway: SlackGateway, notices: Sequence[Notice]) -> list[str]:
    """Post the announcements; returns a Dutch line per one that failed."""
    failed = []
    for notice in notices:
        try:
            gateway.post(notice.to, notice.text, what=notice.what)
        except SlackError as exc:
            log.warning("could not post the %s to %s: %s", notice.what, notice.to, exc.code)
            failed.append(
                f"Let op: melden in {notice.to} lukte niet ({exc.code}). "
                "De wijziging is wel opgeslagen."
            )
    return failed


def overleg_reply(ctx: AppContext, text: str, actor: Actor) -> Reply:
    """/overleg for `oov-bot shell`: the answer, with the announcement done before it returns."""
    reply, notices = overleg(meeting_service(ctx), ctx, text, actor)
    problems = announce(ctx.gateway, notices)
    if problems:
        reply.blocks.append(context(*map(escape, problems)))
    return reply


def register(app: App, ctx: AppContext) -> None:
    service = meeting_service(ctx)

    @app.command("/overleg")
    def overleg_command(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        actor = actor_of(ctx, command)
        reply, notices = overleg(service, ctx, command.get("text", ""), actor)
        ack(text=reply.text, blocks=reply.blocks, response_type="ephemeral")
        # After the answer: posting may wait on Slack's rate limits, the answer may not.
        for problem in announce(ctx.gateway, notices):
            respond(text=problem, response_type="ephemeral", replace_original=False)
