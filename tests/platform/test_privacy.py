"""Message text never reaches the logs, even when an operator turns on DEBUG logging."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.cli import setup_logging
from storage.session import Database
from testkit.app import RunningBot, start_bot
from testkit.clock import FixedClock
from testkit.fake_slack import FakeSlack
from testkit.piket_fixtures import BASE_URL
from testkit.team_config import SLACK_IDS, copy_config, edit_yaml

AOV1 = SLACK_IDS["aov-1"]
BOA_CHANNEL = "C0BOA0001"


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


def test_at_debug_no_log_line_holds_message_text_typed_names_or_feed_tokens(
    db: Database,
    fake_slack: FakeSlack,
    clock: FixedClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The whole life of an action item (posted, edited, logged through the shortcut, deleted),
    commands naming people and residents, and the piket feed links: with OOV_LOG_LEVEL=debug,
    the logs name kinds, ids and error codes, never what was typed or a feed token."""
    config = copy_config(tmp_path / "config")

    def boa_by_id(data: Any) -> None:
        for series in data["meetings"]:
            if series["key"] == "boa-briefing":
                series["channel"] = BOA_CHANNEL

    edit_yaml(config / "meetings.yaml", boa_by_id)
    bot, server = start_bot(db, fake_slack, clock, config_dir=config, public_base_url=BASE_URL)
    root = logging.getLogger()
    saved = (root.level, root.handlers[:])
    monkeypatch.setenv("OOV_LOG_LEVEL", "DEBUG")
    secrets = ["Jansen-Dorpsstraat-12", "Pietersen-Kerkweg-3", "Bakker-Molenstraat-7",
               "Visser-Stationsplein-1"]  # fmt: skip
    try:
        setup_logging()
        caplog.set_level(logging.DEBUG)
        ts = "1700005000.000100"
        posted = {"type": "message", "channel": BOA_CHANNEL, "user": AOV1, "ts": ts,
                  "text": f"actie: ik bel mevrouw {secrets[0]} voor vrijdag"}  # fmt: skip
        assert bot.slack.event(posted).status_code == 200
        bot.fake.wait_for("chat.postMessage")
        edited = {"type": "message", "subtype": "message_changed", "channel": BOA_CHANNEL,
                  "hidden": True, "ts": "1700005001.000100",
                  "message": {**posted, "text": f"actie: ik bel meneer {secrets[1]} morgen",
                              "edited": {"user": AOV1, "ts": "1700005001.000100"}}}  # fmt: skip
        assert bot.slack.event(edited).status_code == 200
        bot.fake.wait_for("chat.update")
        other = "1700005002.000100"
        shortcut = bot.slack.message_action_payload(
            "action_item_capture", {"text": "zie boven", "ts": other}, channel_id=BOA_CHANNEL
        )
        assert bot.slack.interactivity(shortcut).status_code == 200
        view = bot.fake.wait_for("views.open")[0].args["view"]
        values = {
            "text": {"value": {"type": "plain_text_input", "value": f"bezoek {secrets[2]}"}},
            "owner": {"value": {"type": "users_select", "selected_user": AOV1}},
            "due": {"value": {"type": "datepicker", "selected_date": None}},
        }
        submit = bot.slack.view_submission_payload(
            "action_item_modal", values, private_metadata=view["private_metadata"]
        )
        assert bot.slack.interactivity(submit).status_code == 200
        deleted = {"type": "message", "subtype": "message_deleted", "channel": BOA_CHANNEL,
                   "hidden": True, "deleted_ts": ts, "ts": "1700005003.000100"}  # fmt: skip
        assert bot.slack.event(deleted).status_code == 200
        for name, text in (("/wie", secrets[3]), ("/acties", secrets[3]), ("/taken", secrets[3]),
                           ("/piket", secrets[3]), ("/capaciteit", secrets[3])):  # fmt: skip
            assert bot.slack.command(name, text).status_code == 200
        assert bot.slack.command("/piket", "agenda").status_code == 200
        # Three posts by now: the prefix item's reply, the modal's item's reply (posted after its
        # acknowledgement, so it may come last) and the agenda DM with the feed links.
        posts = [json.dumps(c.args) for c in bot.fake.wait_for("chat.postMessage", 3)]
        dm = next((p for p in posts if "/ical/piket/" in p), posts[-1])
        tokens = set(re.findall(r"/ical/piket/([A-Za-z0-9_-]+)\.ics", dm))
        assert len(tokens) == 2, dm
        for token in tokens:
            feed = requests.get(f"{bot.url}/ical/piket/{token}.ics", timeout=10)
            assert feed.status_code == 200
        unknown = requests.get(f"{bot.url}/ical/piket/{'x' * 43}.ics", timeout=10)
        assert unknown.status_code == 404
        bot.fake.wait_for("chat.update", 2)
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]
        for sdk in ("slack_sdk", "slack_bolt"):
            logging.getLogger(sdk).setLevel(logging.NOTSET)
        server.close()
    # urllib3 is this test's own HTTP client (the bot talks to Slack through slack_sdk).
    ours = [r for r in caplog.records if not r.name.startswith("urllib3")]
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in ours)
    assert "captured (prefix)" in logged  # the kinds are there: the test sees the logs
    for secret in secrets:
        assert secret not in logged, secret
    for token in tokens:
        assert token not in logged
