"""Piket in Slack: `/piket` and the Accept/Decline buttons of a swap proposal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.context import AppContext
from bot.core.access import Actor
from bot.gateway import SlackGateway
from bot.services.errors import DomainError
from bot.services.piket import PiketService
from handlers.access import actor_of
from handlers.blocks import Reply, section
from handlers.commands import SlashCommand
from handlers.payloads import Interaction, UnreadablePayload, button_id, on_action, reply
from handlers.piket.blocks import ACCEPT_ACTION, DECLINE_ACTION, DirectMessage, render, reply_text
from handlers.piket.common import Outbox, build_service


def answer(
    service: PiketService, ctx: AppContext, command: SlashCommand, text: str, caller: Actor
) -> tuple[Reply, list[DirectMessage]]:
    """`/piket <text>` as Slack and the shell show it: a refusal is its Dutch message."""
    try:
        found = service.ask(text, caller, ctx.now())
    except DomainError as exc:
        return reply_text(exc.message), []
    return render(found, tz=ctx.tz, command=command)


def shell(ctx: AppContext, command: SlashCommand) -> Callable[[str], Reply]:
    """How `oov-bot shell` answers `/piket`: the same service, no caller (so no DMs)."""
    service = build_service(ctx)
    return lambda text: answer(service, ctx, command, text, Actor.operator())[0]


def _send(gateway: SlackGateway, messages: list[DirectMessage], respond: Respond) -> None:
    for message in messages:
        sent = gateway.try_post(
            message.user_id, message.text, blocks=message.blocks, what=message.what
        )
        if sent is None and message.on_failure is not None:
            failure = message.on_failure
            respond(text=failure.text, blocks=failure.blocks, replace_original=False)


def register(app: App, ctx: AppContext, command: SlashCommand) -> None:
    service = build_service(ctx)
    outbox = Outbox(ctx.gateway)

    @app.command(command.name)
    def piket(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        actor = actor_of(ctx, body)
        shown, messages = answer(service, ctx, command, body.get("text", ""), actor)
        ack(text=shown.text, blocks=shown.blocks, response_type="ephemeral")
        _send(ctx.gateway, messages, respond)

    def on_answer(accept: bool) -> Callable[[Interaction, WebClient], None]:
        def answer_swap(it: Interaction, client: WebClient) -> None:
            try:
                swap_id = button_id(it.body)
            except UnreadablePayload:
                raise UnreadablePayload("Dit ruilvoorstel bestaat niet meer.") from None
            try:
                result = service.answer_swap(
                    swap_id, accept=accept, actor=actor_of(ctx, it.body), now=ctx.now()
                )
            except DomainError as exc:
                reply(it, client, text=exc.message, blocks=None, replace_original=False)
                return
            outbox.tell(result.notices)
            outbox.set_usergroup(result.usergroup)
            reply(
                it,
                client,
                text=result.text,
                blocks=[section(result.text)],
                replace_original=result.replace,
            )

        answer_swap.__name__ = "accept_swap" if accept else "decline_swap"
        return answer_swap

    on_action(app, ACCEPT_ACTION, on_answer(True))
    on_action(app, DECLINE_ACTION, on_answer(False))
