"""Message text never reaches the logs, even when an operator turns on DEBUG logging."""

from __future__ import annotations

import logging

import pytest

from bot.cli import setup_logging
from testkit.app import RunningBot


def test_debug_logging_does_not_write_message_text(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    root = logging.getLogger()
    saved = (root.level, root.handlers[:])
    monkeypatch.setenv("OOV_LOG_LEVEL", "DEBUG")
    try:
        setup_logging()
        caplog.set_level(logging.DEBUG)
        secret = "bewoner-Jansen-Dorpsstraat-12"
        bot.slack.command("/wie", secret)
        task_id = bot.ctx.team.tasks()[0].id
        bot.slack.interactivity(bot.slack.block_actions_payload("task_share", str(task_id)))
        bot.fake.wait_for("response_url")
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]
        for sdk in ("slack_sdk", "slack_bolt"):
            logging.getLogger(sdk).setLevel(logging.NOTSET)
    assert caplog.records, "nothing was logged at all: the test would prove nothing"
    assert secret not in caplog.text
    assert "Gedeeld door" not in caplog.text  # the shared card's text


def test_a_request_with_a_wrong_signature_is_logged_without_its_body(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    """Bolt logged a refused request whole: with a wrong SLACK_SIGNING_SECRET every command text
    and channel message Slack sent ended up in the log. Now one line names the setting."""
    caplog.set_level(logging.INFO)
    secret = "bewoner-Jansen-Dorpsstraat-12"
    assert bot.slack.command("/wie", secret, signature="bad").status_code == 401
    assert secret not in caplog.text
    refused = [r for r in caplog.records if "SLACK_SIGNING_SECRET" in r.getMessage()]
    assert len(refused) == 1 and refused[0].levelname == "WARNING", caplog.text
