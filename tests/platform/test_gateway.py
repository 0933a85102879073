"""The gateway: the one way to Slack's Web API. Its errors carry Slack's code and say whether a
retry can help; without credentials a post is logged, never sent."""

from __future__ import annotations

import logging

import pytest

from bot.gateway import SentMessage, SlackError, SlackGateway, create_client
from testkit.fake_slack import FakeSlack

TOKEN = "xoxb-test"


@pytest.fixture
def gateway(fake_slack: FakeSlack) -> SlackGateway:
    return SlackGateway(create_client(TOKEN, fake_slack.url))


def test_a_post_returns_where_it_landed(gateway: SlackGateway, fake_slack: FakeSlack) -> None:
    sent = gateway.post("C0TEAM001", "Herinnering", what="reminder")
    assert isinstance(sent, SentMessage) and sent.channel == "C0TEAM001" and sent.ts
    [call] = fake_slack.calls("chat.postMessage")
    assert call.args["unfurl_links"] in (False, "false", "0", 0)


@pytest.mark.parametrize(
    ("error", "permanent"),
    [("channel_not_found", True), ("not_in_channel", True), ("fatal_error", False)],
)
def test_slacks_refusal_carries_its_code_and_whether_to_retry(
    gateway: SlackGateway, fake_slack: FakeSlack, error: str, permanent: bool
) -> None:
    fake_slack.fail_next("chat.postMessage", body={"ok": False, "error": error}, times=5)
    with pytest.raises(SlackError) as raised:
        gateway.post("C0TEAM001", "Herinnering")
    assert (raised.value.code, raised.value.permanent) == (error, permanent)


def test_an_unreachable_slack_is_a_retryable_error() -> None:
    gateway = SlackGateway(create_client(TOKEN, "http://127.0.0.1:9/api/", quick=True))
    with pytest.raises(SlackError) as raised:
        gateway.user("U0AOV0001")
    assert raised.value.permanent is False


def test_try_post_logs_the_code_and_never_the_text(
    gateway: SlackGateway, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack.fail_next("chat.postMessage", body={"ok": False, "error": "is_archived"})
    with caplog.at_level(logging.WARNING):
        assert gateway.try_post("C0TEAM001", "Bewoner Dorpsstraat 12", what="note") is None
    assert "is_archived" in caplog.text and "Dorpsstraat" not in caplog.text


def test_without_slack_a_post_is_logged_and_other_calls_refuse(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gateway = SlackGateway(None)
    with caplog.at_level(logging.INFO):
        assert gateway.post("C0TEAM001", "Herinnering", what="reminder") is None
    assert "not posting reminder" in caplog.text
    with pytest.raises(SlackError) as raised:
        gateway.user("U0AOV0001")
    assert raised.value.code == "not_configured"
