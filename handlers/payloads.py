"""The adapter between Slack's interactive payloads and the features: every button click, modal
submission and shortcut is registered through `on_action`/`on_view`/`on_shortcut`, which
acknowledge first (a modal submission as soon as its answer is known), and decoded here, in one
place, from button values, private_metadata and view state into typed values.

Slack sends back what the bot rendered, so an unexpected value comes from a button drawn by an
older version of the bot, an element of another type, or a click in the Home tab (no
response_url). Such a value raises `UnreadablePayload`; the registration wrapper answers it with a
short Dutch text where the user can see it (or a quiet acknowledgement where they cannot) and logs
one warning line with the action/callback id and user id, never the payload.

Any other failure of such a listener is logged and answered here too, with the explanation the
app's error handler gives slash commands (`answer_failure`)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any, Literal, TypeVar

from msgspec import Struct
from pydantic import BaseModel, ConfigDict, ValidationError
from slack_bolt import Ack, App, BoltResponse
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from bot.gateway import SlackGateway
from handlers.blocks import modal, section

log = logging.getLogger(__name__)

UNREADABLE = "Deze knop of dit formulier kan ik niet (meer) lezen. Vraag het overzicht opnieuw op."
GENERIC_ERROR = "Er ging iets mis bij het verwerken van je verzoek. Probeer het zo nog eens."
DATABASE_DOWN = (
    "De database van oov-bot is even niet bereikbaar, dus dit lukt nu niet. "
    "Probeer het over een paar minuten nog eens."
)
MAX_ID = 2**31 - 1  # the database's integer range: a larger id names nothing

Kind = Literal["block_actions", "view_submission", "view_closed", "shortcut", "message_action"]


class InteractionRefused(Exception):
    """The bot will not do what the payload asks. `message` is the Dutch answer; `field` the
    block_id of the modal input it is about (shown under that field)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class UnreadablePayload(InteractionRefused):
    """A value the bot cannot read: missing, not JSON, of the wrong shape, or out of range."""

    def __init__(self, message: str = UNREADABLE, *, field: str | None = None) -> None:
        super().__init__(message, field=field)


# --- what every interactive payload has in common ------------------------------------------------


class Interaction(Struct, frozen=True):
    """The parts of an interactive payload every listener uses; reading it never fails."""

    kind: str
    id: str  # action_id or callback_id
    user_id: str
    response_url: str | None
    channel_id: str | None
    trigger_id: str | None
    in_view: bool  # clicked in the Home tab or a modal: there is no message to answer to
    body: Mapping[str, Any]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def read_interaction(body: Mapping[str, Any]) -> Interaction:
    kind = str(body.get("type") or "")
    actions = body.get("actions")
    first_action = _dict(actions[0]) if _is_list(actions) else {}
    view = _dict(body.get("view"))
    ident = (
        _str(first_action.get("action_id"))
        or _str(body.get("callback_id"))
        or _str(view.get("callback_id"))
        or ""
    )
    container = _dict(body.get("container"))
    return Interaction(
        kind=kind,
        id=ident,
        user_id=_str(_dict(body.get("user")).get("id")) or "",
        response_url=_str(body.get("response_url")),
        channel_id=_str(_dict(body.get("channel")).get("id")) or _str(container.get("channel_id")),
        trigger_id=_str(body.get("trigger_id")),
        in_view=container.get("type") == "view" or kind.startswith("view_"),
        body=body,
    )


def _is_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value)


# --- decoders: raw payload parts -> typed values ------------------------------------------------


class PayloadModel(BaseModel):
    """A JSON object the bot put in a button value or private_metadata. Strict: a number where a
    text belongs (or the reverse) is unreadable, not silently converted."""

    model_config = ConfigDict(strict=True, frozen=True, extra="ignore")


M = TypeVar("M", bound=PayloadModel)


def action(body: Mapping[str, Any]) -> dict[str, Any]:
    """The one action of a block_actions payload."""
    actions = body.get("actions")
    if not _is_list(actions) or not isinstance(actions[0], dict):
        raise UnreadablePayload()
    return actions[0]


def button_value(body: Mapping[str, Any]) -> str:
    """The value of the clicked button; another element type has none and is unreadable."""
    value = action(body).get("value")
    if not isinstance(value, str) or not value.strip():
        raise UnreadablePayload()
    return value


def button_id(body: Mapping[str, Any]) -> int:
    """A database id as the button value ("42")."""
    return as_id(button_value(body).strip())


def as_id(value: Any) -> int:
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,10}", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise UnreadablePayload()
    return value


def json_model(raw: str | None, model: type[M], *, field: str | None = None) -> M:
    """A JSON object text (button value, private_metadata) decoded into `model`."""
    if not isinstance(raw, str) or not raw.strip():
        raise UnreadablePayload(field=field)
    try:
        return model.model_validate_json(raw)
    except ValidationError:
        raise UnreadablePayload(field=field) from None


def button_json(body: Mapping[str, Any], model: type[M]) -> M:
    return json_model(button_value(body), model)


def private_metadata(body: Mapping[str, Any], model: type[M]) -> M:
    return json_model(_dict(body.get("view")).get("private_metadata"), model)


def required_trigger(it: Interaction) -> str:
    """The trigger_id needed to open a modal."""
    if it.trigger_id is None:
        raise UnreadablePayload()
    return it.trigger_id


class ViewState:
    """The submitted values of a modal: {block_id: {action_id: element state}}. A field whose
    element is of another type than expected reads as empty."""

    def __init__(self, body: Mapping[str, Any]) -> None:
        self._values = _dict(_dict(_dict(body.get("view")).get("state")).get("values"))

    def _element(self, block: str, action_id: str) -> dict[str, Any]:
        return _dict(_dict(self._values.get(block)).get(action_id))

    def text(self, block: str, action_id: str = "value") -> str:
        return _str(self._element(block, action_id).get("value")) or ""

    def selected(self, block: str, action_id: str = "value") -> str | None:
        """The value of the chosen option of a select menu, or None."""
        return _str(_dict(self._element(block, action_id).get("selected_option")).get("value"))

    def user(self, block: str, action_id: str = "value") -> str | None:
        user = _str(self._element(block, action_id).get("selected_user"))
        if user is not None and not re.fullmatch(r"[UW][A-Z0-9]{2,20}", user):
            raise UnreadablePayload("Kies een collega uit de lijst.", field=block)
        return user

    def date(self, block: str, action_id: str = "value") -> date | None:
        raw = self._element(block, action_id).get("selected_date")
        if raw is None:
            return None
        try:
            return date.fromisoformat(raw) if isinstance(raw, str) else _not_a_date()
        except ValueError:
            raise UnreadablePayload("Kies een datum in de kalender.", field=block) from None


def _not_a_date() -> date:
    raise ValueError


# --- answering the user --------------------------------------------------------------------------


def tell(it: Interaction, client: WebClient | None, text: str) -> None:
    """A short answer for the user who clicked, after the acknowledgement."""
    reply(it, client, text=text, blocks=None, replace_original=False)


def reply(
    it: Interaction,
    client: WebClient | None,
    *,
    text: str,
    blocks: list[dict[str, Any]] | None,
    replace_original: bool,
) -> None:
    """Answer where the user sees it: through the response_url (ephemeral, or in place of the
    message) when the click came from a message; otherwise as a DM. A click in the Home tab or a
    modal has neither response_url nor channel, so chat.postEphemeral cannot be used; posting to
    the user's id puts the answer in the app's Messages tab next to the Home tab, with a
    notification, and needs only chat:write. A failure to answer is logged, never raised."""
    try:
        if it.response_url is not None:
            Respond(response_url=it.response_url)(
                text=text,
                blocks=blocks,
                response_type="ephemeral",
                replace_original=replace_original,
            )
        elif it.user_id and client is not None:
            SlackGateway(client).post(it.user_id, text, blocks=blocks, what=f"answer to {it.id}")
    except Exception as exc:  # the answer is a courtesy; the click itself is handled
        log.warning(
            "could not answer %s of %s: %s", it.id or it.kind, it.user_id, exc.__class__.__name__
        )


def notice_view(text: str) -> dict[str, Any]:
    """A small modal that replaces a submitted one when no field can carry the answer."""
    return modal("oov-bot", [section(text)], submit=None, close="Sluiten")


def _input_block_ids(body: Mapping[str, Any]) -> list[str]:
    blocks = _dict(body.get("view")).get("blocks")
    return [
        b["block_id"]
        for b in (blocks if isinstance(blocks, list) else [])
        if isinstance(b, dict) and b.get("type") == "input" and _str(b.get("block_id"))
    ]


def submission_answer(
    body: Mapping[str, Any], text: str, field: str | None = None
) -> dict[str, Any]:
    """The acknowledgement of a modal submission that refuses it: the text under the field (the
    modal stays open with what was typed), else in place of the modal."""
    fields = _input_block_ids(body)
    target = field if field is not None else (fields[0] if fields else None)
    if target is not None:
        return {"response_action": "errors", "errors": {target: text}}
    return {"response_action": "update", "view": notice_view(text)}


def failure_text(error: BaseException) -> str:
    """The Dutch explanation of an unexpected failure."""
    if isinstance(error, OperationalError | InterfaceError | PoolTimeoutError) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    ):
        return DATABASE_DOWN
    return GENERIC_ERROR


def answer_failure(
    error: BaseException,
    body: Mapping[str, Any],
    response: BoltResponse | None,
    client: WebClient | None,
) -> BoltResponse | None:
    """The app error handler's answer. Not yet acknowledged (`response` is set): a slash
    command or modal gets HTTP 200 with the explanation as its acknowledgement, so Slack shows no
    failure notice of its own. Already acknowledged: the explanation goes to the response_url, or
    as a DM when there is none. Events get nothing: they acknowledge before their listener runs,
    and the ones that must be redelivered answer non-200 from their middleware."""
    text = failure_text(error)
    kind = "command" if body.get("command") else str(body.get("type") or "")
    if kind not in _ANSWERED_KINDS:
        return None
    if response is not None:
        if kind == "command":
            return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text})
        if kind == "view_submission":
            return BoltResponse(status=200, body=submission_answer(body, text))
    it = read_interaction(body)
    if kind == "command":
        it = Interaction(
            kind, str(body.get("command")), str(body.get("user_id") or ""),
            _str(body.get("response_url")), _str(body.get("channel_id")), None, False, body,
        )  # fmt: skip
    if kind != "view_closed":
        tell(it, client, text)
    return BoltResponse(status=200, body="") if response is not None else None


_ANSWERED_KINDS = frozenset(
    {"command", "block_actions", "view_submission", "view_closed", "shortcut", "message_action"}
)


# --- registration: acknowledge, decode, map refusals ---------------------------------------------

ActionHandler = Callable[[Interaction, WebClient], None]
ViewHandler = Callable[[Ack, Interaction, WebClient], None]

_REGISTERED_ATTR = "oov_interactive"


class Registration(Struct, frozen=True):
    """What a wrapped listener answers to; the test sweep reads it from the Bolt app."""

    kind: Kind
    constraint: str | re.Pattern[str]
    examples: tuple[str, ...]


def _examples(constraint: str | re.Pattern[str], examples: Iterable[str]) -> tuple[str, ...]:
    found = tuple(examples) or ((constraint,) if isinstance(constraint, str) else ())
    if not found:
        raise ValueError("a listener registered by pattern needs an example id")
    return found


def _answer_error(ack: Ack, it: Interaction, client: WebClient, error: Exception) -> None:
    """A refusal or failure of an interactive listener, answered here rather than by Bolt: an
    exception after ack() would make Bolt drop the acknowledgement, wait 3 s and answer 404."""
    if isinstance(error, InteractionRefused):
        text, field = error.message, error.field
        if isinstance(error, UnreadablePayload):
            # Never the payload: a value can hold message text.
            log.warning("unreadable %s payload for %s from %s", it.kind, it.id, it.user_id or "?")
    else:
        text, field = failure_text(error), None
        log.error(
            "listener failed for %s %s: %s",
            it.kind,
            it.id,
            error.__class__.__name__,
            exc_info=error,
        )
    if ack.response is None and it.kind == "view_submission":
        ack(**submission_answer(it.body, text, field))
        return
    if ack.response is None:
        ack()
    tell(it, client, text)


def _mark(listener: Callable[..., None], registration: Registration) -> Callable[..., None]:
    setattr(listener, _REGISTERED_ATTR, registration)
    return listener


def registration_of(listener: Callable[..., Any]) -> Registration | None:
    return getattr(listener, _REGISTERED_ATTR, None)


def on_action(
    app: App,
    action_id: str | re.Pattern[str],
    handler: ActionHandler,
    *,
    examples: Iterable[str] = (),
) -> None:
    """A button (or other block element) listener: acknowledged at once, so Slack never waits;
    the answer follows through `reply`/`tell`."""
    _register_acked(app, "block_actions", action_id, handler, examples)


def on_shortcut(
    app: App,
    callback_id: str | re.Pattern[str],
    handler: ActionHandler,
    *,
    examples: Iterable[str] = (),
) -> None:
    _register_acked(app, "shortcut", callback_id, handler, examples)


def _register_acked(
    app: App,
    kind: Kind,
    constraint: str | re.Pattern[str],
    handler: ActionHandler,
    examples: Iterable[str],
) -> None:
    def listener(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        it = read_interaction(body)
        try:
            handler(it, client)
        except Exception as error:
            _answer_error(ack, it, client, error)

    listener.__name__ = getattr(handler, "__name__", "listener")
    _mark(listener, Registration(kind, constraint, _examples(constraint, examples)))
    if kind == "shortcut":
        app.shortcut(constraint)(listener)
    else:
        app.action(constraint)(listener)


def on_view(
    app: App,
    callback_id: str | re.Pattern[str],
    handler: ViewHandler,
    *,
    examples: Iterable[str] = (),
) -> None:
    """A modal submission. The handler acknowledges itself, since the acknowledgement carries
    field errors; it decodes (raising `InteractionRefused`) before storing anything. The wrapper
    acknowledges a refusal or failure with the text under the field (the modal stays open with
    what was typed), and acknowledges a handler that did not."""

    def listener(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        it = read_interaction(body)
        try:
            handler(ack, it, client)
        except Exception as error:
            _answer_error(ack, it, client, error)
            return
        if ack.response is None:
            ack()

    listener.__name__ = getattr(handler, "__name__", "listener")
    _mark(listener, Registration("view_submission", callback_id, _examples(callback_id, examples)))
    app.view(callback_id)(listener)
