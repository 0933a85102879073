"""Slack listeners of the actions feature: message and reaction events, `/acties` with its page and
Afgerond/Heropenen buttons, the message shortcut and its modal. They read the payload, call
bot.services.actions and render; every Web API call goes through ctx.gateway.

Reliability: what must not be lost is stored before Slack gets its answer. Message and reaction
events are stored by a listener middleware, which runs before Bolt acknowledges; when the database
(or, for a reaction, the one Slack call that fetches the message) fails, Slack gets a 500 and
redelivers the event. Everything else (permalink, the confirmation, App Home) runs after the
acknowledgement and may fail without losing the item. The unique source key (channel + message ts +
action line) makes every redelivery and every second route (prefix and reaction) find the items
already there, and the confirmation is claimed in the database, so a message gets at most one
reply, however many action lines it has.

Privacy: message text is stored, never logged; logs name item ids, channels and Slack error codes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from pydantic import Field
from slack_bolt import Ack, App, BoltContext, BoltResponse
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.context import AppContext
from bot.core.access import Actor
from bot.core.action_items import DueKind
from bot.gateway import PERMANENT_ERRORS, SlackError, SlackGateway
from bot.language import command_words
from bot.services.access import AccessDenied
from bot.services.actions import (
    ActionsError,
    ActionService,
    ActorSource,
    ModalSource,
    NotSent,
    Outcome,
    PostedMessage,
    StatusChange,
)
from handlers.access import actor_of
from handlers.actions.blocks import (
    CAPTURE_HELP,
    CAPTURE_MODAL,
    FIRST_PAGE_BUTTON,
    PAGE_BUTTON,
    capture_modal,
    modal_text_to_mrkdwn,
    page_reply,
    refusal_reply,
)
from handlers.actions.factory import action_service
from handlers.blocks import CLOSE_ITEM_ACTION, REOPEN_ITEM_ACTION, Reply
from handlers.commands import SlashCommand
from handlers.payloads import (
    MAX_ID,
    Interaction,
    InteractionRefused,
    PayloadModel,
    UnreadablePayload,
    ViewState,
    button_json,
    on_action,
    on_shortcut,
    on_view,
    private_metadata,
    reply,
    required_trigger,
)

log = logging.getLogger(__name__)

CAPTURE_SHORTCUT = "action_item_capture"
SAVE_FAILED = "Opslaan lukte niet. Probeer het zo nog eens; je tekst staat er nog."

# Context key under which the listener middleware hands what it stored to the follow-up.
_OUTCOME = "oov_action_outcome"


# --- payloads ------------------------------------------------------------------------------------


class ListState(PayloadModel):
    """A /acties page button's value: the query and the id the page starts before."""

    q: str = Field(max_length=500)
    c: int | None = Field(default=None, ge=1, le=MAX_ID)


class ItemButton(ListState):
    """An item's Afgerond/Heropenen button: the item, and the list it is in (to redraw it)."""

    id: int = Field(ge=1, le=MAX_ID)
    q: str = Field(default="", max_length=500)


class CaptureMeta(PayloadModel):
    """The capture modal's private_metadata: the message it was opened on and its meeting."""

    channel: str = Field(pattern=r"^[CDG][A-Z0-9]{2,20}$")
    ts: str = Field(pattern=r"^[0-9]{1,12}\.[0-9]{1,8}$")
    thread_ts: str | None = None
    author: str = Field(min_length=1, max_length=30)
    due_kind: DueKind = "default"
    due_on: date | None = None
    series: str | None = None
    occurrence: datetime | None = None
    # "@Naam" as the modal showed a mention → its Slack ID.
    mentions: dict[str, str] = Field(default_factory=dict)

    def source(self) -> ModalSource:
        return ModalSource(
            channel=self.channel,
            ts=self.ts,
            thread_ts=self.thread_ts,
            author=self.author,
            due_kind=self.due_kind,
            due_on=self.due_on,
            series_key=self.series,
            occurrence_at=self.occurrence,
        )


def _is_person(message: Mapping[str, Any]) -> bool:
    return (
        bool(message.get("user"))
        and not message.get("bot_id")
        and (message.get("subtype") in (None, "thread_broadcast", "file_share"))
    )


def posted_message(
    channel: str, message: Mapping[str, Any], bot_user_id: str | None = None
) -> PostedMessage | None:
    """A person's message from an event or a lookup; None for bots, joins and the like. The bot
    (`bot_user_id`) is never an action's owner, however it is mentioned."""
    if not _is_person(message):
        return None
    ts = str(message.get("ts", ""))
    thread_ts = message.get("thread_ts")
    return PostedMessage(
        channel=channel,
        ts=ts,
        thread_ts=thread_ts if isinstance(thread_ts, str) and thread_ts != ts else None,
        author=str(message["user"]),
        text=str(message.get("text") or ""),
        not_owners=(bot_user_id,) if bot_user_id else (),
    )


def shortcut_message(it: Interaction, bot_user_id: str | None = None) -> PostedMessage:
    """The message a message shortcut was used on (a bot's too: the user chose it)."""
    body = it.body
    message = body.get("message")
    message = message if isinstance(message, dict) else {}
    channel = it.channel_id
    ts = message.get("ts") or body.get("message_ts")
    if channel is None or not isinstance(ts, str) or not it.user_id:
        raise UnreadablePayload()
    thread_ts = message.get("thread_ts")
    author, text = message.get("user"), message.get("text")
    return PostedMessage(
        channel=channel,
        ts=ts,
        thread_ts=thread_ts if isinstance(thread_ts, str) and thread_ts != ts else None,
        author=author if isinstance(author, str) and author else it.user_id,
        text=text if isinstance(text, str) else "",
        not_owners=(bot_user_id,) if bot_user_id else (),
    )


# --- the synchronous step of message and reaction events -----------------------------------------


def _author_body(body: Mapping[str, Any]) -> Mapping[str, Any]:
    """The event as `actor_of` reads it, with an edit's author (the edited message's user)."""
    event = body.get("event") or {}
    if event.get("subtype") == "message_changed" and isinstance(event.get("message"), dict):
        message = event["message"]
        return {**body, "event": {**event, "user": message.get("user"),
                                  "user_team": message.get("user_team")}}  # fmt: skip
    return body


def handle_message_event(
    service: ActionService,
    event: Mapping[str, Any],
    now: datetime,
    actor: ActorSource,
    bot_user_id: str | None = None,
) -> Outcome | None:
    """Store what a message event changed (raises on database errors). `actor()` is who
    posted or edited it, asked only when the message is an action; `bot_user_id` is the bot's,
    which owns no action it is mentioned in."""
    channel = str(event.get("channel", ""))
    subtype = event.get("subtype")
    if subtype == "message_deleted":
        previous = event.get("previous_message")
        text = previous.get("text") if isinstance(previous, dict) else None
        return service.cancel(
            channel,
            str(event.get("deleted_ts", "")),
            now,
            deleted=True,
            deleted_text=text if isinstance(text, str) else None,
        )
    if subtype == "message_changed":
        message = event.get("message") or {}
        if message.get("subtype") == "tombstone":  # a deleted message that had replies
            return service.cancel(channel, str(message.get("ts", "")), now, deleted=True)
        edited = posted_message(channel, message, bot_user_id)
        return service.edit(edited, now, actor) if edited else None
    posted = posted_message(channel, event, bot_user_id)
    return service.capture_posted(posted, now, actor) if posted else None


def handle_reaction_event(
    service: ActionService,
    event: Mapping[str, Any],
    gateway: SlackGateway,
    now: datetime,
    actor: ActorSource,
    bot_user_id: str | None = None,
) -> Outcome | None:
    item = event.get("item") or {}
    if item.get("type") != "message":
        return None
    channel, ts = str(item.get("channel", "")), str(item.get("ts", ""))

    def fetch() -> PostedMessage | None:
        message = gateway.message(channel, ts)
        return posted_message(channel, message, bot_user_id) if message else None

    return service.capture_reaction(channel, ts, fetch, now, actor)


def stored_or_retry(step: Callable[[], Outcome | None], context: BoltContext, next_: Any) -> Any:
    """Run a synchronous step: on success hand its outcome on; on failure answer 500 so Slack
    delivers the event again (the unique source key makes that harmless)."""
    try:
        context[_OUTCOME] = step()
    except SlackError as exc:
        if exc.code in PERMANENT_ERRORS or exc.code in {"thread_not_found", "not_configured"}:
            log.warning("action item event skipped: Slack error %s", exc.code)
            context[_OUTCOME] = None
            return next_()
        log.warning("action item event failed (Slack %s); Slack will redeliver it", exc.code)
        return BoltResponse(status=500, body="")
    except Exception as exc:
        log.error("action item event failed (%s); Slack will redeliver it", exc.__class__.__name__)
        return BoltResponse(status=500, body="")
    return next_()


# --- after the acknowledgement -------------------------------------------------------------------


class GatewayMessenger:
    """The service's Messenger over the gateway: SlackError becomes NotSent."""

    def __init__(self, gateway: SlackGateway) -> None:
        self.gateway = gateway

    def permalink(self, channel: str, ts: str) -> str:
        try:
            return self.gateway.permalink(channel, ts)
        except SlackError as exc:
            raise NotSent(exc.code) from None

    def post(self, channel: str, text: str, *, thread_ts: str | None, what: str) -> str | None:
        try:
            sent = self.gateway.post(channel, text, thread_ts=thread_ts, what=what)
        except SlackError as exc:
            raise NotSent(exc.code) from None
        return sent.ts if sent else None

    def update(self, channel: str, ts: str, text: str) -> None:
        try:
            self.gateway.update(channel, ts, text)
        except SlackError as exc:
            raise NotSent(exc.code) from None

    def try_post(self, channel: str, text: str, *, what: str) -> None:
        self.gateway.try_post(channel, text, what=what)


def follow_up(
    ctx: AppContext, service: ActionService, outcome: Outcome, *, fallback_user: str | None = None
) -> None:
    """The confirmation in the thread and the Home tabs of whoever the change concerns."""
    service.confirm(outcome, GatewayMessenger(ctx.gateway), ctx.now(), fallback_user=fallback_user)
    ctx.user_data_changed(*outcome.affected_users)


def after_status_change(ctx: AppContext, change: StatusChange, *also: str) -> None:
    for notice in change.notices:
        ctx.gateway.try_post(notice.to, notice.text, thread_ts=notice.thread_ts, what=notice.what)
    ctx.user_data_changed(*change.affected_users, *also)


# --- /acties -------------------------------------------------------------------------------------


def acties_reply(
    ctx: AppContext,
    command: SlashCommand,
    text: str,
    caller: Actor,
    *,
    before_id: int | None = None,
) -> Reply:
    if command_words(text).is_help:
        emoji = ctx.settings.oov_action_emoji.strip(":")
        return command.help_reply(CAPTURE_HELP.format(emoji=emoji))
    try:
        page = action_service(ctx).list_items(text, caller, ctx.now(), before_id=before_id)
    except (ActionsError, AccessDenied) as error:
        return refusal_reply(error.message)
    return page_reply(page)


def shell_acties(ctx: AppContext, command: SlashCommand) -> Callable[[str], Reply]:
    """`/acties` in `oov-bot shell`: nobody is asking, so "mijn" needs a name."""
    return lambda text: acties_reply(ctx, command, text, caller=Actor.operator())


# --- registration --------------------------------------------------------------------------------


def register(app: App, ctx: AppContext, spec: SlashCommand) -> None:
    service = action_service(ctx)
    emoji = ctx.settings.oov_action_emoji.strip(":")

    def message_step(body: dict[str, Any], context: BoltContext, next: Any) -> Any:
        # Not knowing who wrote it (Slack failed), nothing is captured and Slack delivers the
        # event again: a member's action is not lost to an outage.
        actor = lambda: actor_of(ctx, _author_body(body), raise_passing=True)  # noqa: E731
        return stored_or_retry(
            lambda: handle_message_event(
                service, body["event"], ctx.now(), actor, context.bot_user_id
            ),
            context,
            next,
        )

    def reaction_step(body: dict[str, Any], context: BoltContext, next: Any) -> Any:
        if body["event"].get("reaction") != emoji:
            context[_OUTCOME] = None
            return next()
        return stored_or_retry(
            lambda: handle_reaction_event(
                service,
                body["event"],
                ctx.gateway,
                ctx.now(),
                lambda: actor_of(ctx, body, raise_passing=True),
                context.bot_user_id,
            ),
            context,
            next,
        )

    def after_event(context: BoltContext) -> None:
        outcome: Outcome | None = context.get(_OUTCOME)
        if outcome is not None:
            follow_up(ctx, service, outcome)

    # Every message event, also those of no interest (joins, bot posts): an unhandled event is
    # answered 404, which Slack would keep redelivering.
    app.event("message", middleware=[message_step])(after_event)
    app.event("reaction_added", middleware=[reaction_step])(after_event)

    @app.command("/acties")
    def acties(ack: Ack, command: dict[str, Any]) -> None:
        answer = acties_reply(ctx, spec, command.get("text", ""), actor_of(ctx, command))
        ack(text=answer.text, blocks=answer.blocks, response_type="ephemeral")

    def page(it: Interaction, client: WebClient) -> None:
        state = button_json(it.body, ListState)
        answer = acties_reply(ctx, spec, state.q, actor_of(ctx, it.body), before_id=state.c)
        reply(it, client, text=answer.text, blocks=answer.blocks, replace_original=True)

    on_action(app, PAGE_BUTTON, page)
    on_action(app, FIRST_PAGE_BUTTON, page)

    def change_status(it: Interaction, client: WebClient) -> None:
        # Acknowledged first (Slack never waits on the database); a failure to store reaches the
        # user through the app's error handler, and the button stays as it was.
        state = button_json(it.body, ItemButton)
        actor = actor_of(ctx, it.body)
        try:
            if it.id == CLOSE_ITEM_ACTION:
                change = service.close(state.id, actor, ctx.now())
            else:
                change = service.reopen(state.id, actor, ctx.now())
        except ActionsError as error:
            raise InteractionRefused(error.message) from None
        # A click in the Home tab redraws the clicker's tab too.
        after_status_change(ctx, change, *((it.user_id,) if change.changed or it.in_view else ()))
        if not it.in_view and it.response_url:
            answer = acties_reply(ctx, spec, state.q, actor, before_id=state.c)
            reply(it, client, text=answer.text, blocks=answer.blocks, replace_original=True)

    on_action(app, CLOSE_ITEM_ACTION, change_status)
    on_action(app, REOPEN_ITEM_ACTION, change_status)

    def open_capture_modal(it: Interaction, client: WebClient) -> None:
        message = shortcut_message(it)
        try:
            draft = service.draft(message, ctx.now(), actor_of(ctx, it.body))
        except AccessDenied as exc:
            raise InteractionRefused(exc.message) from None
        meeting = draft.meeting
        metadata = {
            "channel": message.channel,
            "ts": message.ts,
            "thread_ts": message.thread_ts,
            "author": message.author,
            "due_kind": draft.due_kind,
            "due_on": draft.due_on.isoformat() if draft.due_on else None,
            "series": meeting.series_key if meeting else None,
            "occurrence": meeting.occurrence_at.isoformat()
            if meeting and meeting.occurrence_at
            else None,
        }
        ctx.gateway.open_view(required_trigger(it), capture_modal(draft, metadata))

    def capture_submitted(ack: Ack, it: Interaction, client: WebClient) -> None:
        meta = private_metadata(it.body, CaptureMeta)
        state = ViewState(it.body)
        owner = state.user("owner")
        if owner is None:
            raise UnreadablePayload("Kies een eigenaar.", field="owner")
        text = modal_text_to_mrkdwn(state.text("text"), meta.mentions)
        due_on = state.date("due")
        # Stored before the acknowledgement: once the modal closes, the item exists.
        try:
            outcome = service.save_draft(
                meta.source(),
                text=text,
                owner=owner,
                due_on=due_on,
                now=ctx.now(),
                actor=actor_of(ctx, it.body),
            )
        except ActionsError as error:
            ack(response_action="errors", errors={error.field or "text": error.message})
            return
        except SQLAlchemyError as exc:
            # Logged without the statement's parameters: they hold the text.
            log.error("action item from the shortcut not stored: %s", exc.__class__.__name__)
            ack(response_action="errors", errors={"text": SAVE_FAILED})
            return
        ack()
        follow_up(ctx, service, outcome, fallback_user=it.user_id)

    on_shortcut(app, CAPTURE_SHORTCUT, open_capture_modal)
    on_view(app, CAPTURE_MODAL, capture_submitted)
