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
