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

from testkit.fake_slack import BOT_USER_ID, FakeSlack
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
            view={"type": "modal", "callback_id": "nieuwe_actie", "blocks": []},
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
