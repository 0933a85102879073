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


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8  # binary content that is not valid UTF-8


def test_a_file_reaches_a_users_dm_whole(gateway: SlackGateway, fake_slack: FakeSlack) -> None:
    gateway.upload_file(
        "U0AOV0001", "rapport.docx", PNG, "Voortgangsrapportage", initial_comment="Alstublieft"
    )
    [upload] = fake_slack.uploads()
    assert upload.channel == "U0AOV0001"
    assert (upload.filename, upload.title, upload.content) == (
        "rapport.docx",
        "Voortgangsrapportage",
        PNG,
    )
    assert upload.initial_comment == "Alstublieft"
    # The SDK's three steps, in order: ask for a URL, send the bytes there, complete.
    methods = [c.method for c in fake_slack.calls() if c.method != "auth.test"]
    assert methods == ["files.getUploadURLExternal", "upload_url", "files.completeUploadExternal"]


def test_a_file_in_a_channel_thread(gateway: SlackGateway, fake_slack: FakeSlack) -> None:
    gateway.upload_file("C0TEAM001", "grafiek.png", PNG, "Belasting", thread_ts="1700000000.000100")
    [upload] = fake_slack.uploads()
    assert (upload.channel, upload.thread_ts) == ("C0TEAM001", "1700000000.000100")


def test_a_refused_upload_is_a_slack_error(gateway: SlackGateway, fake_slack: FakeSlack) -> None:
    fake_slack.fail_next(
        "files.completeUploadExternal", body={"ok": False, "error": "not_in_channel"}
    )
    with pytest.raises(SlackError) as raised:
        gateway.upload_file("C0TEAM001", "grafiek.png", PNG, "Belasting")
    assert raised.value.code == "not_in_channel"
    assert fake_slack.uploads() == []


def test_without_slack_an_upload_is_logged_not_sent(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        SlackGateway(None).upload_file("U0AOV0001", "rapport.docx", PNG, "Rapport")
    assert "not uploading rapport.docx" in caplog.text
