"""The test harness itself: the fake Slack Web API and the signed-request client."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from slack_bolt import App, BoltRequest, Respond, Say
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_handlers
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from testkit.fake_slack import BOT_USER_ID, TEAM_ID, FakeSlack
from testkit.slack_requests import SignatureMode, SignedSlackClient, serve_wsgi, slack_signature

SIGNING_SECRET = "test-secret"
BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Teamoverleg* om 09:00"}}]


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture(autouse=True)
def clean_fake(fake: FakeSlack) -> None:
    fake.reset()
    fake.forget_refusals()


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(base_url=fake.url, token="xoxb-test")


# -- the fake Web API, driven by a real slack_sdk WebClient --------------------------------------


def test_post_message_is_recorded_with_blocks_decoded(fake: FakeSlack, client: WebClient) -> None:
    first = client.chat_postMessage(channel="C0TEAM001", text="Herinnering", blocks=BLOCKS)
    second = client.chat_postMessage(channel="C0TEAM001", text="Nog een")

    assert first["ts"] == "1700000000.000100"
    assert second["ts"] == "1700000000.000200"
    assert first["message"]["blocks"] == BLOCKS
    [call, _] = fake.calls("chat.postMessage")
    assert call.args["blocks"] == BLOCKS
    assert call.args["channel"] == "C0TEAM001"
    assert call.headers["authorization"] == "Bearer xoxb-test"


def test_blocks_sent_as_json_text_in_a_form_body_are_decoded(
    fake: FakeSlack, client: WebClient
) -> None:
    client.api_call(
        "chat.postEphemeral",
        params={"channel": "C0TEAM001", "user": "U0AOV0001", "blocks": json.dumps(BLOCKS)},
    )

    [call] = fake.calls("chat.postEphemeral")
    assert call.headers["content-type"] == "application/x-www-form-urlencoded"
    assert call.args == {"channel": "C0TEAM001", "user": "U0AOV0001", "blocks": BLOCKS}


def test_views_publish_json_body_is_decoded(fake: FakeSlack, client: WebClient) -> None:
    response = client.views_publish(user_id="U0AOV0001", view={"type": "home", "blocks": BLOCKS})

    [call] = fake.calls("views.publish")
    assert call.headers["content-type"].startswith("application/json")
    assert call.args["view"]["blocks"] == BLOCKS
    assert response["view"]["type"] == "home"
    assert response["view"]["id"].startswith("V")


def test_an_update_with_an_outdated_hash_is_a_hash_conflict(
    fake: FakeSlack, client: WebClient
) -> None:
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Actie"}, "blocks": BLOCKS}
    opened = client.views_open(trigger_id="1.2.3", view=modal)["view"]
    assert fake.view_hash(opened["id"]) == opened["hash"]
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal)["view"]
    with pytest.raises(SlackApiError) as refused:
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal)
    assert refused.value.response["error"] == "hash_conflict"
    # Without a hash, or with the latest, Slack updates; so too for a Home tab.
    client.views_update(view_id=opened["id"], view=modal)
    assert fake.view_hash(opened["id"]) not in {None, updated["hash"]}
    home = {"type": "home", "blocks": BLOCKS}
    first = client.views_publish(user_id="U0AOV0001", view=home)["view"]
    client.views_publish(user_id="U0AOV0001", view=home, hash=first["hash"])
    with pytest.raises(SlackApiError) as stale:
        client.views_publish(user_id="U0AOV0001", view=home, hash=first["hash"])
    assert stale.value.response["error"] == "hash_conflict"


def test_defaults_are_what_slack_answers(client: WebClient) -> None:
    assert client.auth_test()["user_id"] == BOT_USER_ID
    channel = client.conversations_open(users="U0AOV0001")["channel"]["id"]
    assert channel == "DU0AOV0001"
    permalink = client.chat_getPermalink(channel="C0TEAM001", message_ts="1700000000.000100")
    assert permalink["permalink"] == "https://test.slack.com/archives/C0TEAM001/p1700000000000100"
    assert client.users_info(user="U0AOV0001")["user"]["tz"] == "Europe/Amsterdam"


def test_usergroup_update_is_reflected_in_the_list(fake: FakeSlack, client: WebClient) -> None:
    fake.add_usergroup("S0PIKET01", "piket", "Piket OOV", ["U0AOV0001"])

    client.usergroups_users_update(usergroup="S0PIKET01", users=["U0AOV0002", "U0AOV0003"])

    [group] = client.usergroups_list(include_users=True)["usergroups"]
    assert group["users"] == ["U0AOV0002", "U0AOV0003"]


def test_rate_limit_is_retried_after_the_retry_after_header(
    fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Record the back-off instead of sleeping it: without the header slack_sdk waits 1-2 s.
    sleeps: list[float] = []
    monkeypatch.setattr(builtin_handlers, "time", SimpleNamespace(sleep=sleeps.append))
    client = WebClient(
        base_url=fake.url,
        token="xoxb-test",
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    fake.fail_next("chat.postMessage", status=429, headers={"Retry-After": "3"})

    response = client.chat_postMessage(channel="C0TEAM001", text="Herinnering")

    assert response["ok"] is True
    assert len(fake.calls("chat.postMessage")) == 2
    assert 3 <= sleeps[0] < 4


def test_scripted_error_raises_once_then_slack_answers_normally(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.fail_next("chat.postMessage", body={"ok": False, "error": "channel_not_found"})

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0GONE001", text="Herinnering")

    assert raised.value.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel="C0TEAM001", text="Herinnering")["ok"] is True


def test_server_error_status_reaches_the_client(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.update", status=500, times=2)

    for _ in range(2):
        with pytest.raises(SlackApiError) as raised:
            client.chat_update(channel="C0TEAM001", ts="1700000000.000100", text="Bijgewerkt")
        assert raised.value.response.status_code == 500
    assert client.chat_update(channel="C0TEAM001", ts="1700000000.000100", text="x")["ok"]


def test_set_response_holds_for_every_later_call(fake: FakeSlack, client: WebClient) -> None:
    fake.set_response("users.info", {"ok": False, "error": "user_not_found"})

    for _ in range(2):
        with pytest.raises(SlackApiError, match="user_not_found"):
            client.users_info(user="U0NOBODY1")


def test_calls_without_a_token_are_refused(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError, match="not_authed"):
        WebClient(base_url=fake.url).chat_postMessage(channel="C0TEAM001", text="x")


def test_response_url_posts_are_recorded(fake: FakeSlack) -> None:
    url = fake.response_url("commands/wie")

    response = WebhookClient(url).send(text="Gevonden: Bibob", response_type="ephemeral")

    assert (response.status_code, response.body) == (200, "ok")
    [call] = fake.calls("response_url")
    assert call.args == {"text": "Gevonden: Bibob", "response_type": "ephemeral"}
    assert call.path.startswith("/response/commands/wie/")
    assert fake.response_url("commands/wie") != url


def test_a_response_url_takes_five_posts(fake: FakeSlack) -> None:
    url = fake.response_url("actions/action_item_close")
    for _ in range(5):
        assert WebhookClient(url).send(text="ok").status_code == 200
    refused = WebhookClient(url).send(text="zesde")
    assert (refused.status_code, refused.body) == (404, "used_url")
    assert [r.error for r in fake.refusals()] == ["used_url"]
    fake.expect_refusals()


def test_wait_for_waits_for_a_call_from_another_thread(fake: FakeSlack, client: WebClient) -> None:
    reaction = {"channel": "C0TEAM001", "name": "white_check_mark", "timestamp": "1.2"}
    timer = threading.Timer(0.1, client.reactions_add, kwargs=reaction)
    timer.start()

    [call] = fake.wait_for("reactions.add", timeout=5)

    assert call.args["name"] == "white_check_mark"
    timer.join()


def test_wait_for_timeout_lists_what_was_called(fake: FakeSlack, client: WebClient) -> None:
    client.chat_postMessage(channel="C0TEAM001", text="Herinnering")

    with pytest.raises(AssertionError) as raised:
        fake.wait_for("chat.update", timeout=0.1)

    message = str(raised.value)
    assert "chat.update" in message
    assert "got 0" in message
    assert "chat.postMessage(channel='C0TEAM001', text='Herinnering')" in message


# -- signed requests to a real Bolt app over HTTP ------------------------------------------------


class BoltUnderTest:
    def __init__(self, fake: FakeSlack) -> None:
        self.listeners_run: list[str] = []
        self.retry_headers: list[list[str] | None] = []
        app = App(
            client=WebClient(base_url=fake.url, token="xoxb-test"), signing_secret=SIGNING_SECRET
        )
        app.command("/wie")(self.wie)
        app.event("app_mention")(self.mention)
        app.action("sluit_actie")(self.close_action)
        app.action("vernieuw_home")(self.refresh_home)
        app.view("nieuwe_actie")(self.new_action)
        app.shortcut("actie_vastleggen")(self.record_action)
        self.wsgi = SlackRequestHandler(app)

    def wie(self, ack: Any, command: dict[str, Any], respond: Respond) -> None:
        self.listeners_run.append("wie")
        ack("Even zoeken…")
        respond(f"Gevonden: {command['text']}")

    def mention(self, event: dict[str, Any], say: Say, request: BoltRequest) -> None:
        self.listeners_run.append("mention")
        self.retry_headers.append(request.headers.get("x-slack-retry-num"))
        say(f"Hallo <@{event['user']}>")

    def close_action(self, ack: Any, action: dict[str, Any], respond: Respond) -> None:
        ack()
        respond(f"Actie {action['value']} gesloten")

    def refresh_home(self, ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_publish(user_id=body["user"]["id"], view={**body["view"], "blocks": BLOCKS})

    def new_action(self, ack: Any, view: dict[str, Any]) -> None:
        title = view["state"]["values"]["titel"]["titel_input"]["value"]
        if not title:
            ack(response_action="errors", errors={"titel": "Vul een titel in."})
        else:
            ack()

    def record_action(self, ack: Any, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(
            trigger_id=shortcut["trigger_id"],
            view={
                "type": "modal",
                "callback_id": "nieuwe_actie",
                "title": {"type": "plain_text", "text": "Nieuwe actie"},
                "blocks": BLOCKS,
            },
        )


@pytest.fixture(scope="module")
def bolt(fake: FakeSlack) -> Iterator[tuple[BoltUnderTest, SignedSlackClient]]:
    bolt_app = BoltUnderTest(fake)
    with serve_wsgi(bolt_app.wsgi) as base_url:
        yield bolt_app, SignedSlackClient(base_url, SIGNING_SECRET, response_urls=fake.response_url)


@pytest.fixture
def bolt_app(bolt: tuple[BoltUnderTest, SignedSlackClient]) -> BoltUnderTest:
    bolt[0].listeners_run.clear()
    bolt[0].retry_headers.clear()
    return bolt[0]


@pytest.fixture
def slack(bolt: tuple[BoltUnderTest, SignedSlackClient]) -> SignedSlackClient:
    return bolt[1]


def test_signature_matches_slacks_documented_example() -> None:
    # https://docs.slack.dev/authentication/verifying-requests-from-slack
    body = (
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
        "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
        "&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands"
        "%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    signature = slack_signature("8f742231b10e8888abcd99yyyzzz85a5", 1531420618, body)
    assert signature == "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


def test_signed_command_is_answered_and_handled(
    fake: FakeSlack, bolt_app: BoltUnderTest, slack: SignedSlackClient
) -> None:
    response = slack.command("/wie", "bibob")

    assert (response.status_code, response.text) == (200, "Even zoeken…")
    [reply] = fake.wait_for("response_url")
    assert reply.args["text"] == "Gevonden: bibob"
    assert reply.path.startswith("/response/commands/wie/")
    assert bolt_app.listeners_run == ["wie"]


@pytest.mark.parametrize("signature", ["bad", "missing", "stale"])
def test_unsigned_or_stale_command_is_rejected_unhandled(
    signature: SignatureMode,
    fake: FakeSlack,
    bolt_app: BoltUnderTest,
    slack: SignedSlackClient,
) -> None:
    response = slack.command("/wie", "bibob", signature=signature)

    assert response.status_code == 401
    assert bolt_app.listeners_run == []
    assert fake.calls("response_url") == []


def test_overridden_timestamp_is_the_one_signed_and_checked(
    fake: FakeSlack, bolt_app: BoltUnderTest, slack: SignedSlackClient
) -> None:
    now = int(time.time())

    assert slack.command("/wie", "bibob", timestamp=now - 200).status_code == 200
    assert slack.command("/wie", "bibob", timestamp=now - 400).status_code == 401
    assert bolt_app.listeners_run == ["wie"]
    fake.wait_for("response_url")  # let the accepted command finish before the next test


def test_event_is_handled_and_retry_headers_arrive(
    fake: FakeSlack, bolt_app: BoltUnderTest, slack: SignedSlackClient
) -> None:
    mention = {"type": "app_mention", "user": "U0AOV0001", "text": "<@U0BOT0001> hoi"}
    mention |= {"channel": "C0TEAM001", "ts": "1700000000.000500"}

    response = slack.event(mention, retry_num=1, retry_reason="http_timeout")

    assert response.status_code == 200
    [post] = fake.wait_for("chat.postMessage")
    assert (post.args["channel"], post.args["text"]) == ("C0TEAM001", "Hallo <@U0AOV0001>")
    assert bolt_app.retry_headers == [["1"]]


def test_url_verification_echoes_the_challenge(slack: SignedSlackClient) -> None:
    response = slack.url_verification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")

    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_button_click_reaches_the_action_listener(
    fake: FakeSlack, bolt_app: BoltUnderTest, slack: SignedSlackClient
) -> None:
    message = {"text": "Open acties", "blocks": BLOCKS}

    response = slack.interactivity(
        slack.block_actions_payload("sluit_actie", "42", message=message)
    )

    assert response.status_code == 200
    [reply] = fake.wait_for("response_url")
    assert reply.args["text"] == "Actie 42 gesloten"


def test_app_home_button_carries_its_view(
    fake: FakeSlack, bolt_app: BoltUnderTest, slack: SignedSlackClient
) -> None:
    home = {"id": "V0HOME001", "type": "home", "callback_id": "home"}

    payload = slack.block_actions_payload("vernieuw_home", view=home, user_id="U0AOV0002")
    response = slack.interactivity(payload)

    assert response.status_code == 200
    assert payload["container"] == {"type": "view", "view_id": "V0HOME001"}
    [published] = fake.wait_for("views.publish")
    assert published.args["user_id"] == "U0AOV0002"
    assert published.args["view"]["callback_id"] == "home"


@pytest.mark.parametrize(
    ("title", "expected_body"),
    [("", {"response_action": "errors", "errors": {"titel": "Vul een titel in."}}), ("Boa's", "")],
)
def test_view_submission_carries_state_values(
    title: str, expected_body: object, bolt_app: BoltUnderTest, slack: SignedSlackClient
) -> None:
    values = {"titel": {"titel_input": {"type": "plain_text_input", "value": title}}}

    response = slack.interactivity(slack.view_submission_payload("nieuwe_actie", values))

    assert response.status_code == 200
    assert (response.json() if response.text else "") == expected_body


def test_message_shortcut_opens_a_modal_with_its_trigger(
    fake: FakeSlack, bolt_app: BoltUnderTest, slack: SignedSlackClient
) -> None:
    payload = slack.message_action_payload("actie_vastleggen", {"text": "Jan belt de wijkagent"})

    response = slack.interactivity(payload)

    assert response.status_code == 200
    [opened] = fake.wait_for("views.open")
    assert opened.args["trigger_id"] == payload["trigger_id"]
    assert opened.args["view"]["callback_id"] == "nieuwe_actie"


def test_nothing_listens_on_the_default_response_url() -> None:
    url = SignedSlackClient("http://127.0.0.1:1", SIGNING_SECRET).new_response_url("x")

    assert url.startswith("http://127.0.0.1:")
    with pytest.raises(requests.ConnectionError):
        requests.post(url, json={"text": "x"}, timeout=2)


# -- as strict as Slack: Block Kit rules per surface --------------------------------------------


def section(text: str = "tekst", **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(action_id: str, text: str = "Klik", **extra: Any) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": text},
        **extra,
    }


def actions(*elements: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements), **extra}


def select(options: int, text: str = "optie", value: str = "v") -> dict[str, Any]:
    return {
        "type": "static_select",
        "action_id": "kies",
        "placeholder": {"type": "plain_text", "text": "Kies"},
        "options": [
            {"text": {"type": "plain_text", "text": text}, "value": f"{value}{n}"}
            for n in range(options)
        ],
    }


def grouped_select(options: int) -> dict[str, Any]:
    grouped = {key: value for key, value in select(options).items() if key != "options"}
    group = {
        "label": {"type": "plain_text", "text": "groep"},
        "options": select(options)["options"],
    }
    return {**grouped, "option_groups": [group]}


def modal(blocks: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Actie"},
        "blocks": blocks,
        **extra,
    }


# (what, blocks, the problem Slack names). Each case is one step over one documented limit.
REFUSED_MESSAGES = [
    ("51 blocks", [section()] * 51, "no more than 50 items allowed [json-pointer:/blocks]"),
    ("section text 3001", [section("x" * 3001)], "less than 3001 characters"),
    ("empty section text", [section("")], "more than 0 characters"),
    (
        "11 fields",
        [{"type": "section", "fields": [{"type": "mrkdwn", "text": "v"}] * 11}],
        "/blocks/0/fields]",
    ),
    (
        "field text 2001",
        [{"type": "section", "fields": [{"type": "mrkdwn", "text": "v" * 2001}]}],
        "/blocks/0/fields/0/text]",
    ),
    (
        "header 151",
        [{"type": "header", "text": {"type": "plain_text", "text": "k" * 151}}],
        "less than 151 characters [json-pointer:/blocks/0/text/text]",
    ),
    (
        "mrkdwn header",
        [{"type": "header", "text": {"type": "mrkdwn", "text": "k"}}],
        "/blocks/0/text/type]",
    ),
    (
        "11 context elements",
        [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}],
        "/blocks/0/elements]",
    ),
    ("button text 76", [actions(button("a", "b" * 76))], "/blocks/0/elements/0/text/text]"),
    ("button value 2001", [actions(button("a", value="v" * 2001))], "/elements/0/value]"),
    ("action_id 256", [actions(button("a" * 256))], "/blocks/0/elements/0/action_id]"),
    ("block_id 256", [section(block_id="b" * 256)], "/blocks/0/block_id]"),
    ("26 buttons", [actions(*[button(f"a{n}") for n in range(26)])], "/blocks/0/elements]"),
    (
        "same action_id twice in a block",
        [actions(button("task_show"), button("task_show"))],
        "duplicate action_id 'task_show' within a block [json-pointer:/blocks/0/elements/1]",
    ),
    (
        "same block_id twice in a message",
        [section(block_id="x"), section(block_id="x")],
        "duplicate block_id 'x'",
    ),
    ("101 options", [actions(select(101))], "/blocks/0/elements/0/options]"),
    ("option text 76", [actions(select(1, text="o" * 76))], "/options/0/text/text]"),
    ("option value 151", [actions(select(1, value="w" * 151))], "/options/0/value]"),
    ("unknown block", [{"type": "knop"}], "unknown block type 'knop'"),
    (
        "emoji on mrkdwn",
        [{"type": "section", "text": {"type": "mrkdwn", "text": "t", "emoji": True}}],
        "invalid additional property: emoji [json-pointer:/blocks/0/text]",
    ),
    (
        "verbatim on plain_text",
        [{"type": "section", "text": {"type": "plain_text", "text": "t", "verbatim": True}}],
        "invalid additional property: verbatim [json-pointer:/blocks/0/text]",
    ),
    (
        "mrkdwn option in a select menu",
        [
            actions(
                {
                    **select(1),
                    "options": [{"text": {"type": "mrkdwn", "text": "*o*"}, "value": "v"}],
                }
            )
        ],
        "/blocks/0/elements/0/options/0/text/type]",
    ),
    (
        "overflow with 6 options",
        [actions({"type": "overflow", "action_id": "o", "options": select(6)["options"]})],
        "must have between 2 and 5 items [json-pointer:/blocks/0/elements/0/options]",
    ),
    (
        "initial option not among the options",
        [
            actions(
                {
                    **select(2),
                    "initial_option": {"text": {"type": "plain_text", "text": "x"}, "value": "x"},
                }
            )
        ],
        "must match one of the provided options [json-pointer:/blocks/0/elements/0/initial_option]",
    ),
    (
        "101 options in a group",
        [actions(grouped_select(101))],
        "/elements/0/option_groups/0/options]",
    ),
]


@pytest.mark.parametrize(
    ("what", "blocks", "problem"), REFUSED_MESSAGES, ids=[c[0] for c in REFUSED_MESSAGES]
)
def test_messages_slack_refuses_are_refused_like_slack(
    fake: FakeSlack, client: WebClient, what: str, blocks: list[Any], problem: str
) -> None:
    for method in (client.chat_postMessage, client.chat_update):
        args = {"channel": "C0TEAM001", "text": "t", "blocks": blocks}
        if method == client.chat_update:
            args["ts"] = "1700000000.000100"
        with pytest.raises(SlackApiError) as refused:
            method(**args)
        assert refused.value.response["error"] == "invalid_blocks"
        assert any(problem in error for error in refused.value.response["errors"]), (
            refused.value.response["errors"]
        )
    assert [r.method for r in fake.refusals()] == ["chat.postMessage", "chat.update"]
    assert "Slack would refuse" in (fake.unexpected_refusals() or "")
    fake.expect_refusals()
    assert fake.unexpected_refusals() is None


def test_the_limits_themselves_are_accepted(fake: FakeSlack, client: WebClient) -> None:
    blocks = [
        section("x" * 3000, block_id="b" * 255),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "v" * 2000}] * 10},
        {"type": "header", "text": {"type": "plain_text", "text": "k" * 150}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 10},
        actions(
            *[button(f"a{n}", "b" * 75, value="v" * 2000) for n in range(24)], button("a" * 255)
        ),
        actions(select(100, text="o" * 75, value="w" * 140)),
        actions({**select(5), "initial_option": select(5)["options"][4]}),
        actions(grouped_select(100)),
        # The same action_id in two blocks is fine: uniqueness is per block.
        actions(button("task_show")),
        actions(button("task_show")),
    ]
    blocks += [{"type": "divider"}] * (50 - len(blocks))
    client.chat_postMessage(channel="C0TEAM001", text="t" * 40_000, blocks=blocks)
    assert fake.refusals() == []


def test_message_text_beyond_40000_characters_is_too_long(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="C0TEAM001", text="t" * 40_001)
    assert refused.value.response["error"] == "msg_too_long"


def test_a_response_url_post_slack_refuses_gets_400(fake: FakeSlack) -> None:
    url = fake.response_url("commands/wie")
    answer = requests.post(url, json={"blocks": [actions(button("a"), button("a"))]}, timeout=5)
    assert (answer.status_code, answer.text) == (400, "invalid_blocks")
    assert fake.refusals()[0].method == "response_url"
    fine = requests.post(url, json={"text": "ok", "blocks": [actions(button("a"))]}, timeout=5)
    assert (fine.status_code, fine.text) == (200, "ok")


REFUSED_VIEWS = [
    (
        "title 25",
        modal([section()], title={"type": "plain_text", "text": "t" * 25}),
        "/view/title/text]",
    ),
    (
        "submit 25",
        modal([section()], submit={"type": "plain_text", "text": "s" * 25}),
        "/view/submit/text]",
    ),
    (
        "close 25",
        modal([section()], close={"type": "plain_text", "text": "c" * 25}),
        "/view/close/text]",
    ),
    ("metadata 3001", modal([section()], private_metadata="m" * 3001), "/view/private_metadata]"),
    ("callback_id 256", modal([section()], callback_id="c" * 256), "/view/callback_id]"),
    (
        "101 blocks",
        modal([section()] * 101),
        "no more than 100 items allowed [json-pointer:/view/blocks]",
    ),
    (
        "input without submit",
        modal(
            [
                {
                    "type": "input",
                    "label": {"type": "plain_text", "text": "Wat"},
                    "element": {"type": "plain_text_input", "action_id": "value"},
                }
            ]
        ),
        "/view/submit]",
    ),
    (
        "duplicate block_id",
        modal([section(block_id="d"), section(block_id="d")]),
        "duplicate block_id",
    ),
    (
        "text input max_length 3001",
        modal(
            [
                {
                    "type": "input",
                    "label": {"type": "plain_text", "text": "Wat"},
                    "element": {
                        "type": "plain_text_input",
                        "action_id": "value",
                        "max_length": 3001,
                    },
                }
            ],
            submit={"type": "plain_text", "text": "Opslaan"},
        ),
        "must be between 1 and 3000 [json-pointer:/view/blocks/0/element/max_length]",
    ),
]


@pytest.mark.parametrize(
    ("what", "view", "problem"), REFUSED_VIEWS, ids=[c[0] for c in REFUSED_VIEWS]
)
def test_modals_slack_refuses_are_refused_like_slack(
    fake: FakeSlack, client: WebClient, what: str, view: dict[str, Any], problem: str
) -> None:
    fake.expect_refusals()
    with pytest.raises(SlackApiError) as refused:
        client.views_open(trigger_id="1.2.3", view=view)
    assert refused.value.response["error"] == "invalid_arguments"
    messages = refused.value.response["response_metadata"]["messages"]
    assert any(problem in message for message in messages), messages


def test_home_views_hold_100_blocks_and_no_submit(fake: FakeSlack, client: WebClient) -> None:
    client.views_publish(user_id="U0AOV0001", view={"type": "home", "blocks": [section()] * 100})
    assert fake.refusals() == []
    for view in (
        {"type": "home", "blocks": [section()] * 101},
        {"type": "home", "blocks": [section()], "submit": {"type": "plain_text", "text": "Ok"}},
    ):
        with pytest.raises(SlackApiError):
            client.views_publish(user_id="U0AOV0001", view=view)
    assert len(fake.refusals()) == 2
    fake.expect_refusals()


def test_the_apps_direct_answers_are_checked_too(fake: FakeSlack) -> None:
    fake.check_reply({"response_type": "ephemeral", "blocks": [section("x" * 3001)]})
    fake.check_reply({"response_action": "update", "view": modal([section()] * 101)})
    fake.check_reply({"response_action": "errors", "errors": {"due": "Geen datum"}})
    assert [(r.method, r.error) for r in fake.refusals()] == [
        ("ack", "invalid_blocks"),
        ("ack", "invalid_arguments"),
    ]
    fake.expect_refusals()


def test_rendered_action_ids_are_recorded_for_the_listener_contract(
    fake: FakeSlack, client: WebClient
) -> None:
    client.chat_postMessage(
        channel="C0TEAM001",
        text="t",
        blocks=[section(accessory=button("a1"), block_id="s"), actions(button("a2"))],
    )
    assert [(a.action_id, a.block_id) for a in fake.rendered_actions()] == [
        ("a1", "s"),
        ("a2", None),
    ]


# -- conversations.history and conversations.replies as Slack answers them -----------------------


def test_replies_return_the_parent_first_and_count_it_toward_the_limit(
    fake: FakeSlack, client: WebClient
) -> None:
    parent = fake.add_message("C0TEAM001", "overleg", ts="1700000100.000100")
    for n in range(1, 4):
        fake.add_message(
            "C0TEAM001", f"antwoord {n}", ts=f"1700000100.00010{n + 1}", thread_ts=parent["ts"]
        )
    reply_ts = "1700000100.000103"  # "antwoord 2"

    # Asked by a reply's ts with limit=1, Slack gives only the parent: the reply is not there.
    only = client.conversations_replies(
        channel="C0TEAM001", ts=reply_ts, oldest=reply_ts, latest=reply_ts, inclusive=True, limit=1
    )
    assert [m["text"] for m in only["messages"]] == ["overleg"]
    assert only["has_more"] is True
    both = client.conversations_replies(
        channel="C0TEAM001", ts=reply_ts, oldest=reply_ts, latest=reply_ts, inclusive=True, limit=2
    )
    assert [m["text"] for m in both["messages"]] == ["overleg", "antwoord 2"]
    exclusive = client.conversations_replies(
        channel="C0TEAM001", ts=reply_ts, oldest=reply_ts, latest=reply_ts, limit=10
    )
    assert [m["text"] for m in exclusive["messages"]] == ["overleg"]

    first = client.conversations_replies(channel="C0TEAM001", ts=parent["ts"], limit=2)
    assert [m["text"] for m in first["messages"]] == ["overleg", "antwoord 1"]
    cursor = first["response_metadata"]["next_cursor"]
    rest = client.conversations_replies(
        channel="C0TEAM001", ts=parent["ts"], limit=2, cursor=cursor
    )
    assert [m["text"] for m in rest["messages"]] == ["antwoord 2", "antwoord 3"]
    assert (rest["has_more"], rest["response_metadata"]["next_cursor"]) == (False, "")


def test_replies_of_an_unknown_message_is_thread_not_found(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as refused:
        client.conversations_replies(channel="C0TEAM001", ts="1700000999.000100")
    assert refused.value.response["error"] == "thread_not_found"


def test_history_is_newest_first_without_replies_and_pages(
    fake: FakeSlack, client: WebClient
) -> None:
    posted = [
        client.chat_postMessage(channel="C0TEAM001", text=f"bericht {n}")["ts"] for n in range(3)
    ]
    fake.add_message("C0TEAM001", "in de draad", thread_ts=posted[0])
    client.chat_postMessage(channel="C0OTHER01", text="elders")

    first = client.conversations_history(channel="C0TEAM001", limit=2)
    assert [m["text"] for m in first["messages"]] == ["bericht 2", "bericht 1"]
    assert first["has_more"] is True
    rest = client.conversations_history(
        channel="C0TEAM001", limit=2, cursor=first["response_metadata"]["next_cursor"]
    )
    assert [m["text"] for m in rest["messages"]] == ["bericht 0"]
    window = client.conversations_history(
        channel="C0TEAM001", oldest=posted[0], latest=posted[2], inclusive=False
    )
    assert [m["text"] for m in window["messages"]] == ["bericht 1"]


def test_the_fake_refuses_an_upload_slack_would_refuse(fake_slack: FakeSlack) -> None:
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)
    with pytest.raises(SlackApiError) as empty:
        client.files_getUploadURLExternal(filename="leeg.txt", length=0)
    assert empty.value.response["error"] == "invalid_arguments"
    # Completing a file whose bytes never arrived shares nothing.
    url = client.files_getUploadURLExternal(filename="a.txt", length=3)
    with pytest.raises(SlackApiError) as missing:
        client.files_completeUploadExternal(files=[{"id": url["file_id"]}], channel_id="C0TEAM001")
    assert missing.value.response["error"] == "file_not_found"
    assert fake_slack.uploads() == []


def test_users_info_shows_guests_and_other_organisations_as_slack_does(
    fake: FakeSlack, client: WebClient
) -> None:
    """As on docs.slack.dev (user object): every member's object carries is_restricted and
    is_ultra_restricted; a multi-channel guest is restricted, a single-channel guest both; a
    Slack Connect user has their own organisation's team_id, and may be flagged is_stranger."""
    fake.add_user("U0GUEST01", "Eén Kanaal", guest="single")
    fake.add_user("U0GUEST02", "Meer Kanalen", guest="multi")
    fake.add_user("U0EXTERN1", "Agent", team_id="T0POLITIE")
    fake.add_user("U0EXTERN2", "Vreemde", team_id="T0POLITIE", stranger=True)

    def flags(user_id: str) -> tuple[Any, ...]:
        user = client.users_info(user=user_id)["user"]
        return (
            user["is_restricted"],
            user["is_ultra_restricted"],
            user["team_id"],
            user.get("is_stranger", False),
        )

    assert flags("U0AOV0001") == (False, False, TEAM_ID, False)
    assert flags("U0GUEST01") == (True, True, TEAM_ID, False)
    assert flags("U0GUEST02") == (True, False, TEAM_ID, False)
    assert flags("U0EXTERN1") == (False, False, "T0POLITIE", False)
    assert flags("U0EXTERN2") == (False, False, "T0POLITIE", True)


def test_channel_and_usergroup_members_are_strict_as_slack(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.set_channel_members("C0BOA0001", [f"U0M{n:06d}" for n in range(150)])
    first = client.conversations_members(channel="C0BOA0001", limit=100)
    cursor = first["response_metadata"]["next_cursor"]
    second = client.conversations_members(channel="C0BOA0001", limit=100, cursor=cursor)
    assert len(first["members"]) + len(second["members"]) == 150
    assert second["response_metadata"]["next_cursor"] == ""
    with pytest.raises(SlackApiError) as unknown:
        client.conversations_members(channel="C0ONBEKEND")
    assert unknown.value.response["error"] == "channel_not_found"
    fake.add_usergroup("S0LEZERS1", "meelezers", "Meelezers", ["U0READER1"])
    assert client.usergroups_users_list(usergroup="S0LEZERS1")["users"] == ["U0READER1"]
    with pytest.raises(SlackApiError) as no_group:
        client.usergroups_users_list(usergroup="S0ONBEKEND")
    assert no_group.value.response["error"] == "no_such_subteam"
