"""The programme in Slack: `/programma`, the card's buttons (show, share, update), the update
modal, the "geen wijziging" button of the monthly DM, and the report uploaded to the requester's
DM after the acknowledgement."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import Field
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.context import AppContext
from bot.core.access import Actor
from bot.gateway import SlackError
from bot.language import command_words, format_date
from bot.services.errors import DomainError
from bot.services.programma import (
    ActivityList,
    Answer,
    Card,
    Overview,
    Picks,
    ProgrammeService,
    ReportWanted,
    UpdateRefused,
)
from handlers.access import actor_of
from handlers.blocks import Reply, escape
from handlers.commands import SlashCommand
from handlers.payloads import (
    MAX_ID,
    Interaction,
    InteractionRefused,
    PayloadModel,
    ViewState,
    button_id,
    on_action,
    on_view,
    private_metadata,
    reply,
    required_trigger,
    tell,
)
from handlers.programma.blocks import (
    NO_CHANGE_BUTTON,
    NO_CHANGE_BUTTONS,
    SHARE_BUTTON,
    SHOW_BUTTON,
    SHOW_BUTTONS,
    UPDATE_BUTTON,
    UPDATE_BUTTONS,
    UPDATE_MODAL,
    card_reply,
    list_reply,
    message_reply,
    notes_withheld_answer,
    overview_reply,
    picks_reply,
    report_ready_text,
    shared_card,
    update_modal,
)
from handlers.programma.common import build_service, write_report
from storage.versions import read_once

log = logging.getLogger(__name__)


def render(ctx: AppContext, found: Answer, *, may_update: Callable[[Card], bool]) -> Reply:
    if isinstance(found, Overview):
        return overview_reply(found)
    if isinstance(found, ActivityList):
        return list_reply(found)
    if isinstance(found, Card):
        return card_reply(found, ctx.tz, update_button=may_update(found))
    if isinstance(found, Picks):
        return picks_reply(found)
    return message_reply(report_ready_text(found.until))


def answer(
    ctx: AppContext,
    service: ProgrammeService,
    command: SlashCommand,
    text: str,
    actor: Actor,
) -> tuple[Reply, ReportWanted | None]:
    """`/programma <text>` as Slack and the shell show it; a refusal is its Dutch message."""
    if command_words(text).is_help:
        return command.help_reply(), None
    try:
        found = service.ask(text, actor, ctx.now())
    except DomainError as exc:
        return message_reply(exc.message), None
    shown = render(ctx, found, may_update=lambda card: service.can_update(card.row.view, actor))
    return shown, found if isinstance(found, ReportWanted) else None


def shell(ctx: AppContext, command: SlashCommand) -> Callable[[str], Reply]:
    """`oov-bot shell`: the same answers, no caller; a report is written by the CLI instead."""
    service = build_service(ctx)

    def respond(text: str) -> Reply:
        shown, wanted = answer(ctx, service, command, text, Actor.operator())
        if wanted is not None:
            return message_reply("In de shell: `oov-bot rapport programma` schrijft het rapport.")
        return shown

    return respond


def send_report(
    ctx: AppContext, service: ProgrammeService, user_id: str, wanted: ReportWanted
) -> None:
    """Build the report and upload it (Word and Markdown) to the requester's DM."""
    try:
        files = write_report(service, wanted.until, ctx.now())
        for filename, content, title in files:
            ctx.gateway.upload_file(
                user_id,
                filename,
                content,
                title,
                initial_comment=(
                    "Hier is de voortgangsrapportage van het uitvoeringsprogramma."
                    if filename.endswith(".docx")
                    else ""
                ),
            )
    except DomainError as exc:
        ctx.gateway.try_post(user_id, exc.message, what="programme report refusal")
    except SlackError as exc:
        log.warning("programme report not uploaded: %s", exc.code)
        ctx.gateway.try_post(
            user_id,
            "Het rapport kon ik niet in Slack zetten. De beheerder kan het maken met "
            "`oov-bot rapport programma`.",
            what="programme report failure",
        )


class UpdateModalMeta(PayloadModel):
    activity_id: int = Field(ge=1, le=MAX_ID)
    response_url: str | None = None


def register(app: App, ctx: AppContext, command: SlashCommand) -> None:
    service = build_service(ctx)

    @app.command(command.name)
    def programma(ack: Ack, body: dict[str, Any]) -> None:
        user_id = body.get("user_id")
        # Read-only: who asks and the programme from one reading of the data versions.
        with read_once():
            actor = actor_of(ctx, body)
            shown, wanted = answer(ctx, service, command, body.get("text", ""), actor)
        ack(text=shown.text, blocks=shown.blocks, response_type="ephemeral")
        if wanted is not None and user_id:
            send_report(ctx, service, user_id, wanted)

    def clicked(it: Interaction) -> Card:
        try:
            return service.show(button_id(it.body), actor_of(ctx, it.body), ctx.now())
        except DomainError as exc:
            raise InteractionRefused(exc.message) from None

    def show(it: Interaction, client: WebClient) -> None:
        card = clicked(it)
        may_update = service.can_update(card.row.view, actor_of(ctx, it.body))
        shown = card_reply(card, ctx.tz, update_button=may_update)
        reply(it, client, text=shown.text, blocks=shown.blocks, replace_original=True)

    def share(it: Interaction, client: WebClient) -> None:
        # Everyone in the channel reads a shared card: it takes along only that channel's items.
        try:
            card = service.shared(
                button_id(it.body), it.channel_id, actor_of(ctx, it.body), ctx.now()
            )
        except DomainError as exc:
            raise InteractionRefused(exc.message) from None
        if it.response_url is None:
            raise InteractionRefused(
                "Delen in een kanaal kan alleen vanuit `/programma` in dat kanaal."
            )
        Respond(response_url=it.response_url)(
            text=f"{escape(card.row.view.name)}: {card.row.view.status.value}",
            blocks=shared_card(card, ctx.tz, it.user_id),
            response_type="in_channel",
            replace_original=False,
        )
        if card.notes_withheld:
            tell(it, client, notes_withheld_answer(card))

    def open_update(it: Interaction, client: WebClient) -> None:
        card = clicked(it)
        try:  # refused before the modal opens, not after someone filled it in
            service.may_update(card.row.view.id, actor_of(ctx, it.body))
        except DomainError as exc:
            raise InteractionRefused(exc.message) from None
        meta = UpdateModalMeta(activity_id=card.row.view.id, response_url=it.response_url)
        ctx.gateway.open_view(required_trigger(it), update_modal(card, meta.model_dump_json()))

    def no_change(it: Interaction, client: WebClient) -> None:
        try:
            card = service.no_change(
                button_id(it.body), actor=actor_of(ctx, it.body), now=ctx.now()
            )
        except DomainError as exc:
            raise InteractionRefused(exc.message) from None
        name = escape(card.row.view.name)
        tell(it, client, f"Genoteerd: geen wijziging voor *{name}*. Dank je!")

    on_action(app, SHOW_BUTTONS, show, examples=(SHOW_BUTTON, f"{SHOW_BUTTON}:1"))
    on_action(app, SHARE_BUTTON, share)
    on_action(app, UPDATE_BUTTONS, open_update, examples=(UPDATE_BUTTON, f"{UPDATE_BUTTON}:1"))
    on_action(
        app, NO_CHANGE_BUTTONS, no_change, examples=(NO_CHANGE_BUTTON, f"{NO_CHANGE_BUTTON}:1")
    )

    def submitted(ack: Ack, it: Interaction, client: WebClient) -> None:
        meta = private_metadata(it.body, UpdateModalMeta)
        values = read_update(it.body)
        # Store before acknowledging: a refusal keeps the modal open with what was typed.
        try:
            done = service.update(
                meta.activity_id, actor=actor_of(ctx, it.body), now=ctx.now(), **values
            )
        except UpdateRefused as exc:
            ack(response_action="errors", errors={exc.field: exc.message})
            return
        except DomainError as exc:  # not allowed (any more) to update this activity
            ack(response_action="errors", errors={"status": exc.message})
            return
        ack()
        for notice in done.notices:
            ctx.gateway.try_post(notice.to, notice.text, what=notice.what)
        view = done.card.row.view
        text = (
            f"Opgeslagen: *{escape(view.name)}* — {view.status.value}, deadline "
            f"{format_date(view.deadline)}."
        )
        if meta.response_url:
            shown = card_reply(done.card, ctx.tz)
            Respond(response_url=meta.response_url)(
                text=shown.text, blocks=shown.blocks, replace_original=False
            )
        else:
            ctx.gateway.try_post(it.user_id, text, what="programme update confirmation")

    on_view(app, UPDATE_MODAL, submitted)


def read_update(body: Mapping[str, Any]) -> dict[str, str | None]:
    state = ViewState(body)
    return {
        "status_text": state.selected("status"),
        "note": state.text("note"),
        "deadline_text": state.text("deadline"),
        "spent_text": state.text("spent"),
    }
