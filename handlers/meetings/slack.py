"""/overleg in Slack (and in `oov-bot shell`): read the command, ask the service, answer, then
post the announcements the change brought."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from msgspec import Struct
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


class Answer(Struct, frozen=True):
    """The answer to `/overleg <text>`, the announcements to post after it, and whose overviews
    changed (owners of action items that followed a cancelled or moved meeting)."""

    reply: Reply
    notices: Sequence[Notice] = ()
    affected_users: Sequence[str] = ()


def overleg(service: MeetingService, ctx: AppContext, text: str, actor: Actor) -> Answer:
    """The answer to `/overleg <text>` and what to do after it."""
    words = command_words(text)
    now = ctx.now()
    try:
        if words.is_help:
            return Answer(OVERLEG.help_reply())
        if not words.words:
            return Answer(upcoming_reply(service.upcoming(now, actor), ctx.tz))
        subcommand = OVERLEG.verb(words.first)
        change = {
            "annuleer": service.cancel,
            "verplaats": service.move,
            "herstel": service.restore,
        }.get(subcommand or "")
        if change is not None:
            changed = change(words.words[1:], actor, now)
            return Answer(change_reply(changed, ctx.tz), changed.notices, changed.affected_users)
        return Answer(series_reply(service.describe(words.text, now, actor), ctx.tz))
    except DomainError as exc:
        return Answer(refusal(exc.message))


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
    answer = overleg(meeting_service(ctx), ctx, text, actor)
    reply = answer.reply
    problems = announce(ctx.gateway, answer.notices)
    ctx.user_data_changed(*answer.affected_users)
    if problems:
        reply.blocks.append(context(*map(escape, problems)))
    return reply


def register(app: App, ctx: AppContext) -> None:
    service = meeting_service(ctx)

    @app.command("/overleg")
    def overleg_command(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        actor = actor_of(ctx, command)
        answer = overleg(service, ctx, command.get("text", ""), actor)
        reply = answer.reply
        ack(text=reply.text, blocks=reply.blocks, response_type="ephemeral")
        # After the answer: posting may wait on Slack's rate limits, the answer may not.
        for problem in announce(ctx.gateway, answer.notices):
            respond(text=problem, response_type="ephemeral", replace_original=False)
        ctx.user_data_changed(*answer.affected_users)
