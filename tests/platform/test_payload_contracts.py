"""Payload contracts over every feature, checked on a representative run over real HTTP: every reply
type rendered with many items (many suggestions, middle pages, a full Home tab) passes Slack's
Block Kit rules, and every action_id the bot renders reaches one of its listeners.

The same two checks run after every test that uses the `fake_slack` fixture (tests/conftest.py);
this test makes sure each kind of reply is rendered at least once, at its largest."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from handlers.actions.blocks import PAGE_BUTTON
from handlers.actions.slack import CAPTURE_SHORTCUT
from handlers.tasks import blocks as tasks
from storage.actions import ActionStore, NewActionItem
from storage.session import Database
from testkit.app import RunningBot, start_bot
from testkit.clock import FixedClock
from testkit.contracts import unhandled_actions
from testkit.fake_slack import FakeSlack
from testkit.replies import answer
from testkit.team_config import SLACK_IDS, copy_config

ANNA = SLACK_IDS["aov-1"]
CHANNEL = "C0TEAM001"


@pytest.fixture
def bot(
    db: Database, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path
) -> Iterator[RunningBot]:
    running, server = start_bot(db, fake_slack, clock, config_dir=copy_config(tmp_path / "config"))
    yield running
    server.close()


def click(bot: RunningBot, action_id: str, value: str, **options: Any) -> dict[str, Any]:
    """Click a button the bot rendered; returns what it posted to the response_url."""
    before = len(bot.fake.calls("response_url"))
    payload = bot.slack.block_actions_payload(action_id, value, user_id=ANNA, **options)
    answer(bot.slack.interactivity(payload))
    return bot.fake.wait_for("response_url", before + 1)[-1].args


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for block in blocks:
        found += [e for e in block.get("elements", []) if e.get("type") == "button"]
        if block.get("accessory", {}).get("type") == "button":
            found.append(block["accessory"])
    return found


def add_items(bot: RunningBot, count: int) -> None:
    store = ActionStore(bot.ctx.db)
    for n in range(count):
        item = NewActionItem(
            channel=CHANNEL,
            message_ts=f"1700001000.{n:06d}",
            thread_ts="1700000999.000100",
            source="prefix",
            text=f"actiepunt nummer {n} " + "met een lange omschrijving " * 8,
            owner_slack_id=ANNA,
            author_slack_id=ANNA,
            due_on=date(2026, 11, 10) + timedelta(days=n),  # overdue and coming
            due_kind="date",
        )
        store.capture(item, bot.clock())


def test_wie_suggestions_each_have_their_own_action_id_and_each_opens_its_task(
    bot: RunningBot,
) -> None:
    # Words the overview does not use, close to two or more subjects ("prostitutie" was one
    # until /wie learnt it means Mensenhandel-/uitbuiting).
    for query in ("rampenplan",):
        body = answer(bot.slack.command("/wie", query))
        row = next(b for b in body["blocks"] if b["type"] == "actions")["elements"]
        assert len(row) >= 2, query
        ids = [element["action_id"] for element in row]
        assert len(set(ids)) == len(ids), ids
        for element in row:
            shown = click(bot, element["action_id"], element["value"])
            label = element["text"]["text"].removesuffix("…")  # long subjects are cut short
            assert shown["blocks"][0]["text"]["text"].startswith(label)
    assert bot.fake.refusals() == []


def test_acties_middle_pages_keep_both_buttons_working(bot: RunningBot) -> None:
    add_items(bot, 45)
    first = answer(bot.slack.command("/acties", "mijn", user_id=ANNA))
    [forward] = buttons([b for b in first["blocks"] if b["type"] == "actions"])
    middle = click(bot, forward["action_id"], forward["value"])
    nav = next(b for b in middle["blocks"] if b.get("block_id") == "action_items_nav")["elements"]
    assert [e["text"]["text"] for e in nav] == ["Volgende 20", "Terug naar het begin"]
    back = click(bot, nav[1]["action_id"], nav[1]["value"])
    assert back["blocks"][1:] == first["blocks"][1:]
    assert bot.fake.refusals() == []


def test_every_reply_type_at_its_largest_is_valid_and_every_action_id_is_handled(
    bot: RunningBot,
) -> None:
    add_items(bot, 45)
    commands = [
        ("/wie", "help"),
        ("/wie", "rampenplan"),
        ("/wie", "buurtpreventie"),
        ("/wie", "bibob"),
        ("/wie", "kwispelstaart plofkip"),
        ("/taken", ""),
        ("/taken", "help"),
        ("/taken", f"<@{ANNA}|anna>"),
        ("/acties", ""),
        ("/acties", "mijn"),
        ("/acties", "help"),
        ("/acties", "alle"),
        ("/overleg", ""),
        ("/overleg", "help"),
        ("/overleg", "teamoverleg"),
        ("/piket", ""),
        ("/piket", "volgende"),
        ("/piket", "help"),
    ]
    for command, text in commands:
        reply = bot.slack.command(command, text, user_id=ANNA)
        assert reply.status_code == 200, (command, text)
    home = bot.slack.event(
        {"type": "app_home_opened", "user": ANNA, "channel": "D0HOME", "tab": "home"}
    )
    assert home.status_code == 200
    bot.fake.wait_for("views.publish")
    shortcut = bot.slack.message_action_payload(
        CAPTURE_SHORTCUT, {"text": "actie: ik bel de wijkagent", "user": ANNA}
    )
    answer(bot.slack.interactivity(shortcut))
    bot.fake.wait_for("views.open")

    rendered = {a.action_id for a in bot.fake.rendered_actions()}
    for expected in (tasks.SHOW_BUTTON, f"{tasks.SHOW_BUTTON}:1", PAGE_BUTTON):
        assert expected in rendered, sorted(rendered)
    assert unhandled_actions(bot.fake.apps[0], bot.fake.rendered_actions()) == []
    problems = "\n".join(r.summary() for r in bot.fake.refusals())
    assert problems == ""
