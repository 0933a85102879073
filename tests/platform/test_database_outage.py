"""A real PostgreSQL server stopped and started under the running bot: slash commands and
interactions answer HTTP 200 in Dutch, /wie answers from the last known task list, message events
still ask Slack to redeliver, /healthz says 503; once the server is back everything answers
normally again without a restart."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.services.tasks import TaskFinder
from handlers.payloads import DATABASE_DOWN
from handlers.tasks.blocks import owner_modal
from storage.session import Database
from testkit.app import RunningBot, start_bot
from testkit.clock import FixedClock
from testkit.fake_slack import RESPONSE_URL_METHOD, FakeSlack
from testkit.team_config import SLACK_IDS, copy_config, edit_yaml
from testkit.throwaway_postgres import ThrowawayPostgres, throwaway_postgres

BOA_CHANNEL = "C0BOA0001"


def boa_in_its_channel(data: Any) -> None:
    for series in data["meetings"]:
        if series["key"] == "boa-briefing":
            series["channel"] = BOA_CHANNEL


@pytest.fixture
def outage_bot(
    fake_slack: FakeSlack,
    clock: FixedClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[RunningBot, ThrowawayPostgres]]:
    # Every /wie checks the task list's version, so the outage is met on the first command
    # instead of after the 2 s the cache otherwise trusts its list.
    monkeypatch.setattr(TaskFinder, "VERSION_TTL", 0.0)
    with throwaway_postgres() as server:
        db = Database(server.url)
        db.upgrade()
        config = copy_config(tmp_path / "config")
        edit_yaml(config / "meetings.yaml", boa_in_its_channel)
        running, web = start_bot(db, fake_slack, clock, config_dir=config)
        try:
            yield running, server
        finally:
            web.close()
            db.dispose()


def ack_text(response: requests.Response) -> str:
    assert response.status_code == 200, response.text
    return str(response.json()["text"])


def healthz(bot: RunningBot) -> int:
    return requests.get(f"{bot.url}/healthz", timeout=10).status_code


def told(bot: RunningBot, payload: dict[str, Any]) -> str:
    """The text posted to the response_url of `payload`."""
    path = payload["response_url"].removeprefix(bot.fake.base)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for call in bot.fake.calls(RESPONSE_URL_METHOD):
            if call.path == path:
                return str(call.args.get("text"))
        time.sleep(0.02)
    raise AssertionError("nothing posted to the response_url")


def test_a_database_outage_is_answered_in_dutch_and_recovered_from(
    outage_bot: tuple[RunningBot, ThrowawayPostgres],
) -> None:
    bot, server = outage_bot
    wie_before = ack_text(bot.slack.command("/wie", "bibob"))
    acties_before = ack_text(bot.slack.command("/acties"))
    assert "BIBOB" in wie_before.upper()
    task = bot.ctx.team.tasks()[0]
    task_id = task.id
    assert healthz(bot) == 200

    server.stop()

    # /wie answers from the task list it knows, also for a query it has not answered before.
    assert ack_text(bot.slack.command("/wie", "bibob")) == wie_before
    assert "huisverbod" in ack_text(bot.slack.command("/wie", "huisverbod")).lower()
    # Commands that need the database say so in Dutch, as their HTTP 200 acknowledgement.
    for command, text in [("/acties", ""), ("/taken", ""), ("/piket", ""), ("/overleg", "")]:
        started = time.monotonic()
        assert ack_text(bot.slack.command(command, text)) == DATABASE_DOWN, command
        assert time.monotonic() - started < 2.5, command
    # A button: acknowledged, then told through the response_url.
    click = bot.slack.block_actions_payload("task_show", str(task_id))
    assert bot.slack.interactivity(click).status_code == 200
    assert told(bot, click) == DATABASE_DOWN
    # A modal: it stays open with the explanation under a field.
    metadata = json.dumps({"task_id": task_id, "response_url": None})
    owner = {"person": {"type": "users_select", "selected_user": "U0AOV0002"}}
    submit = bot.slack.view_submission_payload(
        "task_owner_modal", {"owner": owner}, private_metadata=metadata
    )
    submit["view"]["blocks"] = owner_modal(task, metadata)["blocks"]  # Slack sends them back
    answer = bot.slack.interactivity(submit)
    assert answer.status_code == 200
    assert answer.json() == {"response_action": "errors", "errors": {"owner": DATABASE_DOWN}}
    # A message event still asks Slack to deliver it again (nothing was stored).
    event = {
        "type": "message",
        "channel": BOA_CHANNEL,
        "user": SLACK_IDS["aov-1"],
        "text": "actie: ik bel de wijkagent",
        "ts": "1700000022.000100",
    }
    assert bot.slack.event(event, event_id="Ev0OUTAGE01").status_code == 500
    assert healthz(bot) == 503

    server.start()

    deadline = time.monotonic() + 10
    while healthz(bot) != 200:
        assert time.monotonic() < deadline, "/healthz stayed 503 after the database came back"
        time.sleep(0.2)
    recovered = time.monotonic()
    assert ack_text(bot.slack.command("/acties")) == acties_before
    assert ack_text(bot.slack.command("/wie", "bibob")) == wie_before
    assert time.monotonic() - recovered < 3
    redelivered = bot.slack.event(
        event, event_id="Ev0OUTAGE01", retry_num=1, retry_reason="http_error"
    )
    assert redelivered.status_code == 200
