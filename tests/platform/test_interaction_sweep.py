"""Every registered button, modal and shortcut, sent values the bot did not render: each answers
HTTP 200 at once, tells the user in Dutch where they can see it, and logs no traceback and no
payload text. The ids are read from the Bolt app, so a new listener is swept without editing
this file."""

from __future__ import annotations

import itertools
import json
import logging
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from handlers.payloads import Registration, registration_of
from testkit.app import RunningBot, assembled_bolt_app
from testkit.fake_slack import RESPONSE_URL_METHOD, SlackCall

SECRET = "GEHEIM-bewonerstekst"  # must never reach the log
FAST = 2.0  # seconds; Slack gives up after 3
# Every Dutch answer of the bot has one of these words; an English or empty answer has none.
DUTCH = re.compile(
    r"\b(de|het|een|niet|kan|je|jouw|dit|die|deze|geen|is|bestaat|kies|ik|van|en)\b", re.I
)

OWN_LOGGERS = {"bot", "handlers", "storage", "slack_bolt"}

_users = itertools.count(1)


def registrations() -> list[Registration]:
    """Every interactive listener of the app, read from Bolt's listener list. A listener added
    without the payloads helper fails the sweep here instead of escaping it."""
    app = assembled_bolt_app()
    found: list[Registration] = []
    for listener in app._listeners:
        registration = registration_of(listener.ack_function)
        kinds = {m.func.__qualname__.split(".")[0] for m in listener.matchers}  # type: ignore[attr-defined]
        if registration is None:
            assert kinds <= {"command", "event", "message"}, (
                f"{listener.ack_function.__name__} ({kinds}) is interactive but not registered "
                "through handlers.payloads"
            )
            continue
        found.append(registration)
    return found


REGISTRATIONS = registrations()


def ids(kind: str) -> list[str]:
    return sorted({e for r in REGISTRATIONS if r.kind == kind for e in r.examples})


def test_the_sweep_finds_the_listeners() -> None:
    # A sanity floor, so a discovery that silently finds nothing cannot pass the sweep.
    assert len(ids("block_actions")) >= 8
    assert {"task_owner_modal", "action_item_modal"} <= set(ids("view_submission"))
    assert "action_item_capture" in ids("shortcut")


BUTTON_VALUES: list[str | None] = [
    None,  # no value at all
    "",
    "   ",
    "{not json",
    "[1, 2]",
    "null",
    '"42"',
    json.dumps({"id": "x", "q": 5, "c": "y", "note": SECRET}),
    json.dumps({"q": SECRET, "c": 99999999999999999999}),
    json.dumps({"id": 999999, "q": "", "c": None}),
    "999999",
    "99999999999999999999",
    "-1",
    SECRET,
]


def _select(action_id: str) -> dict[str, Any]:
    """The same action_id on a static_select: no "value", a selected_option instead."""
    return {
        "type": "static_select",
        "action_id": action_id,
        "block_id": "actions",
        "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": SECRET},
        "action_ts": f"{int(time.time())}.000200",
    }


def block_action_payloads(bot: RunningBot, action_id: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for from_home in (False, True):
        where = "home" if from_home else "message"
        variants: list[tuple[str, dict[str, Any]]] = []
        for value in BUTTON_VALUES:
            user = f"U0SWEEP{next(_users):04d}"
            view = {"id": "V0HOME001", "type": "home", "blocks": []} if from_home else None
            payload = bot.slack.block_actions_payload(action_id, value, user_id=user, view=view)
            variants.append((f"{where} value={value!r}", payload))
        user = f"U0SWEEP{next(_users):04d}"
        view = {"id": "V0HOME001", "type": "home", "blocks": []} if from_home else None
        payload = bot.slack.block_actions_payload(action_id, "1", user_id=user, view=view)
        payload["actions"] = [_select(action_id)]
        variants.append((f"{where} static_select", payload))
        yield from variants


def _shown_to(call: SlackCall, payload: dict[str, Any]) -> bool:
    user, response_url = payload["user"]["id"], payload.get("response_url") or ""
    if call.method == RESPONSE_URL_METHOD:
        return bool(call.path) and response_url.endswith(call.path)
    if call.method == "chat.postMessage":  # a DM
        return call.args.get("channel") == user
    if call.method == "views.publish":  # the Home tab redrawn
        return call.args.get("user_id") == user
    if call.method == "views.open":
        return call.args.get("trigger_id") == payload["trigger_id"]
    return False


def visible_answers(bot: RunningBot, payload: dict[str, Any]) -> list[SlackCall]:
    """What the fake Slack showed the user who sent `payload`."""
    return [call for call in bot.fake.calls() if _shown_to(call, payload)]


def wait_for_answer(bot: RunningBot, payload: dict[str, Any]) -> list[SlackCall]:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        shown = visible_answers(bot, payload)
        if shown:
            return shown
        time.sleep(0.01)
    return []


def assert_quiet_log(caplog: pytest.LogCaptureFixture, label: str) -> None:
    # Errors of the bot and Bolt; not slack_sdk's, which an earlier test's late background call
    # to its stopped fake Slack can log while this test runs.
    noisy = [
        r
        for r in caplog.records
        if r.exc_info or (r.levelno >= logging.ERROR and r.name.split(".")[0] in OWN_LOGGERS)
    ]
    assert not noisy, f"{label}: {[r.getMessage() for r in noisy]}"
    assert SECRET not in caplog.text, f"{label}: payload text in the log"


def send(bot: RunningBot, payload: dict[str, Any], label: str) -> Any:
    started = time.monotonic()
    response = bot.slack.interactivity(payload)
    elapsed = time.monotonic() - started
    assert response.status_code == 200, f"{label}: HTTP {response.status_code}"
    assert elapsed < FAST, f"{label}: answered after {elapsed:.1f} s"
    return response


def assert_dutch_answer(bot: RunningBot, payload: dict[str, Any], label: str) -> None:
    shown = wait_for_answer(bot, payload)
    assert shown, f"{label}: the user was told nothing"
    told = {RESPONSE_URL_METHOD, "chat.postMessage"}
    texts = [c.args.get("text") for c in shown if c.method in told]
    for text in texts:
        assert isinstance(text, str) and DUTCH.search(text), f"{label}: answer {text!r}"


@pytest.mark.parametrize("action_id", ids("block_actions"))
def test_every_button_answers_unexpected_values_in_dutch(
    bot: RunningBot, caplog: pytest.LogCaptureFixture, action_id: str
) -> None:
    caplog.set_level(logging.INFO)
    for label, payload in block_action_payloads(bot, action_id):
        label = f"{action_id} {label}"
        send(bot, payload, label)
        assert_dutch_answer(bot, payload, label)
    time.sleep(0.2)  # answers that follow the acknowledgement have logged by now
    assert_quiet_log(caplog, action_id)


# Valid for every modal's metadata model (extra keys are ignored), so the state variants below
# get past the metadata and exercise the state decoding.
ANY_METADATA = json.dumps(
    {
        "task_id": 1,
        "response_url": None,
        "channel": "C0TEAM001",
        "ts": "1700000000.000100",
        "thread_ts": None,
        "author": "U0AOV0001",
        "due_kind": "default",
        "due_on": None,
        "series": None,
        "occurrence": None,
    }
)
BAD_METADATA = [
    "",
    "{not json",
    "[]",
    "{}",
    json.dumps({"task_id": "1", "channel": 5, "x": SECRET}),
]
BAD_STATES: list[dict[str, Any]] = [
    {},
    {"owner": {}, "text": {}, "due": {}},
    # every field an element of another type, carrying no value of the expected kind
    {
        block: {
            action: {"type": "static_select", "selected_option": {"value": SECRET}}
            for action in ("value", "person")
        }
        for block in ("owner", "deputy", "text", "due")
    },
    {
        "owner": {
            "value": {"type": "users_select", "selected_user": "not a user"},
            "person": {"type": "users_select", "selected_user": "not a user"},
        },
        "text": {"value": {"type": "plain_text_input", "value": "iets"}},
    },
    # a date that is not one (and, for a modal without a date, an owner of another type)
    {
        "owner": {
            "value": {"type": "users_select", "selected_user": "U0AOV0001"},
            "person": {"type": "static_select", "selected_option": {"value": "U0AOV0001"}},
        },
        "text": {"value": {"type": "plain_text_input", "value": "iets"}},
        "due": {"value": {"type": "datepicker", "selected_date": "31-02-2026"}},
    },
]


@pytest.mark.parametrize("callback_id", ids("view_submission"))
def test_every_modal_refuses_unexpected_submissions_in_dutch(
    bot: RunningBot, caplog: pytest.LogCaptureFixture, callback_id: str
) -> None:
    caplog.set_level(logging.INFO)
    cases = [(f"metadata={m!r}", m, BAD_STATES[-1]) for m in BAD_METADATA]
    cases += [(f"state #{i}", ANY_METADATA, state) for i, state in enumerate(BAD_STATES)]
    for label, metadata, state in cases:
        label = f"{callback_id} {label}"
        payload = bot.slack.view_submission_payload(callback_id, state, private_metadata=metadata)
        answer = send(bot, payload, label).json()
        assert answer["response_action"] in {"errors", "update"}, label
        if answer["response_action"] == "errors":
            texts = list(answer["errors"].values())
        else:
            texts = [b["text"]["text"] for b in answer["view"]["blocks"]]
        assert texts and all(DUTCH.search(t) for t in texts), f"{label}: {answer}"
    assert_quiet_log(caplog, callback_id)


@pytest.mark.parametrize("callback_id", ids("shortcut"))
def test_every_shortcut_answers_unexpected_payloads_in_dutch(
    bot: RunningBot, caplog: pytest.LogCaptureFixture, callback_id: str
) -> None:
    caplog.set_level(logging.INFO)
    variants: list[tuple[str, dict[str, Any]]] = []
    for name, change in [
        ("no message", lambda p: p.pop("message") and p.pop("message_ts")),
        ("no channel", lambda p: p.pop("channel")),
        ("no trigger", lambda p: p.pop("trigger_id")),
        ("text of another type", lambda p: p["message"].update(text={"x": SECRET})),
        ("ts of another type", lambda p: p["message"].update(ts=5) or p.pop("message_ts")),
    ]:
        user = f"U0SWEEP{next(_users):04d}"
        payload = bot.slack.message_action_payload(callback_id, {"text": SECRET}, user_id=user)
        change(payload)
        payload.setdefault("trigger_id", "")
        variants.append((f"{callback_id} {name}", payload))
    for label, payload in variants:
        send(bot, payload, label)
        assert_dutch_answer(bot, payload, label)
    time.sleep(0.2)
    assert_quiet_log(caplog, callback_id)
