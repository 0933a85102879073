"""The App Home tab over real HTTP: published when opened, refreshed when the user's items change,
valid Block Kit within Slack's limits (parsed with slack_sdk.models)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    SectionBlock,
)
from slack_sdk.models.views import View

from storage.actions import ActionItemView, ActionStore, NewActionItem
from storage.session import Database
from testkit.app import RunningBot, start_bot
from testkit.clock import FixedClock
from testkit.fake_slack import FakeSlack
from testkit.team_config import SLACK_IDS, copy_config, edit_yaml

ANNA = SLACK_IDS["aov-1"]
BERT = SLACK_IDS["aov-2"]
BOA = SLACK_IDS["boa-coordinator"]

# Slack's limits for a Home tab (https://api.slack.com/reference/block-kit/blocks).
MAX_BLOCKS = 100
KNOWN_BLOCKS = (ActionsBlock, ContextBlock, DividerBlock, HeaderBlock, SectionBlock)


@pytest.fixture
def bot(
    db: Database, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path
) -> Iterator[RunningBot]:
    running, server = start_bot(db, fake_slack, clock, config_dir=copy_config(tmp_path / "config"))
    yield running
    server.close()


def opened(bot: RunningBot, user: str, tab: str = "home") -> None:
    event = {"type": "app_home_opened", "user": user, "channel": "D0HOME001", "tab": tab}
    response = bot.slack.event(event)
    assert response.status_code == 200


def published(bot: RunningBot, user: str, count: int = 1) -> dict[str, Any]:
    calls = bot.fake.wait_for("views.publish", count=count)
    view = [c.args for c in calls if c.args["user_id"] == user][-1]["view"]
    assert_valid_home(view)
    return view


def assert_valid_home(view: dict[str, Any]) -> None:
    """Parse the view with slack_sdk.models and check the limits slack_sdk does not."""
    parsed = View(**view)
    parsed.validate_json()
    assert parsed.type == "home"
    assert 0 < len(parsed.blocks) <= MAX_BLOCKS
    assert parsed.to_dict()["blocks"] == view["blocks"]  # nothing unknown or dropped
    for raw, block in zip(view["blocks"], parsed.blocks, strict=True):
        assert isinstance(block, KNOWN_BLOCKS), raw
        assert Block.parse(raw) is not None
        if isinstance(block, HeaderBlock):
            assert len(block.text.text) <= 150
        if isinstance(block, SectionBlock):
            assert block.text is not None and 0 < len(block.text.text) <= 3000
            if block.accessory is not None:
                assert isinstance(block.accessory, ButtonElement)
                assert len(block.accessory.text.text) <= 75
                assert len(block.accessory.value or "") <= 2000
        if isinstance(block, ContextBlock):
            assert 0 < len(block.elements) <= 10
            assert all(len(e.text) <= 3000 for e in block.elements)


def add_item(bot: RunningBot, n: int, owner: str = ANNA, **overrides: Any) -> ActionItemView:
    values: dict[str, Any] = {
        "channel": "C0TEAM001",
        "message_ts": f"1700002000.{n:06d}",
        "thread_ts": None,
        "source": "prefix",
        "text": f"actiepunt {n} <!channel>",
        "owner_slack_id": owner,
        "author_slack_id": owner,
        "due_on": date(2026, 11, 30),
        "due_kind": "date",
    } | overrides
    return ActionStore(bot.ctx.db).capture(NewActionItem(**values), bot.clock()).item


def test_opening_the_home_tab_shows_items_tasks_meetings_and_piket(bot: RunningBot) -> None:
    overdue = add_item(bot, 1, due_on=date(2026, 11, 20))
    add_item(bot, 2, due_on=None, due_kind="default")
    add_item(bot, 3, owner=BERT)
    opened(bot, BOA)  # the boa-coordinator chairs the boa-briefing and has tasks
    view = published(bot, BOA)
    text = json.dumps(view["blocks"], ensure_ascii=False)
    assert view["blocks"][0]["text"]["text"] == "Overzicht van Boa-coördinator"
    assert "Jouw open actiepunten (0)" in text
    assert "*Eigenaar* van" in text and "uur per week" in text
    assert "Boa-briefing" in text and "(voorzitter)" in text  # Tuesday 24 November
    assert "dinsdag 24 november, 09:00 — *Boa-briefing* _(voorzitter)_" in text

    opened(bot, ANNA)
    view = published(bot, ANNA, count=2)
    text = json.dumps(view["blocks"], ensure_ascii=False)
    assert "Jouw open actiepunten (2)* — ⚠️ 1 te laat" in text
    # Earliest due first, then the undated one; @channel in a message loses its ping here.
    items = [b for b in view["blocks"] if b["type"] == "section" and "accessory" in b]
    assert items[0]["text"]["text"].startswith(f"*#{overdue.id}*")
    assert items[0]["accessory"]["text"]["text"] == "Afgerond"
    assert "<!channel>" not in text and "@channel" in text
    assert "Piket" in text


def test_the_messages_tab_publishes_nothing(bot: RunningBot) -> None:
    opened(bot, ANNA, tab="messages")
    opened(bot, BERT)
    published(bot, BERT)
    time.sleep(0.2)
    assert [c.args["user_id"] for c in bot.fake.calls("views.publish")] == [BERT]


def test_many_items_stay_within_slacks_limits(bot: RunningBot) -> None:
    for n in range(120):
        add_item(bot, n, text="x" * 2900 + " <@U0AOV0002>")
    opened(bot, ANNA)
    view = published(bot, ANNA)
    text = json.dumps(view["blocks"], ensure_ascii=False)
    assert "Jouw open actiepunten (120)" in text
    assert "… en nog 105: zie `/acties`." in text


def test_the_overdue_count_covers_items_beyond_those_shown(bot: RunningBot) -> None:
    for n in range(20):
        add_item(bot, n, due_on=date(2026, 11, 1 + n))  # all before Monday 23 November
    opened(bot, ANNA)
    text = json.dumps(published(bot, ANNA)["blocks"], ensure_ascii=False)
    assert "Jouw open actiepunten (20)* — ⚠️ 20 te laat" in text


def test_an_unlinked_user_is_told_how_to_link(bot: RunningBot) -> None:
    opened(bot, "U0STRANGER")
    view = published(bot, "U0STRANGER")
    assert view["blocks"][0]["text"]["text"] == "Jouw overzicht"
    assert "nog niet gekoppeld" in json.dumps(view["blocks"], ensure_ascii=False)


def test_closing_from_the_home_tab_refreshes_it(bot: RunningBot) -> None:
    item = add_item(bot, 1)
    opened(bot, ANNA)
    view = published(bot, ANNA)
    button = next(b["accessory"] for b in view["blocks"] if "accessory" in b)
    payload = bot.slack.block_actions_payload(
        button["action_id"], button["value"], user_id=ANNA, view={**view, "id": "V0HOME0001"}
    )
    assert bot.slack.interactivity(payload).status_code == 200
    after = published(bot, ANNA, count=2)
    assert "Jouw open actiepunten (0)" in json.dumps(after["blocks"], ensure_ascii=False)
    stored = ActionStore(bot.ctx.db).get(item.id)
    assert stored is not None and stored.status == "done"
    # The note in the original thread: a top-level message gets it under itself.
    note = bot.fake.wait_for("chat.postMessage")[0].args
    assert note["thread_ts"] == item.message_ts


def test_a_failing_publish_is_logged_not_raised(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    bot.fake.fail_next("views.publish", status=200, body={"ok": False, "error": "not_enabled"})
    opened(bot, ANNA)
    bot.fake.wait_for("views.publish")
    deadline = time.monotonic() + 5
    while "Home tab" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "could not publish the Home tab of U0AOV0001: not_enabled" in caplog.text


def test_long_task_subjects_keep_whole_lines_and_the_count_of_the_rest(
    db: Database, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path
) -> None:
    subject = "Toezicht & handhaving evenementen, horeca <terrassen> en kermis " * 4

    def add(data: Any) -> None:
        for n in range(60):
            data["tasks"].append(
                {
                    "subject": f"Taak {n:03d} {subject}".strip(),
                    "category": "structureel",
                    "description": "",
                    "duties": "",
                    "time": "",
                    "legal_basis": "",
                    "owner": "aov-1",
                    "deputy": None,
                }
            )

    config = copy_config(tmp_path / "config")
    edit_yaml(config / "tasks.yaml", add)
    running, server = start_bot(db, fake_slack, clock, config_dir=config)
    try:
        opened(running, ANNA)
        view = published(running, ANNA)
    finally:
        server.close()
    texts = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
    start = next(n for n, t in enumerate(texts) if t.startswith("*Eigenaar* van "))
    owned = "\n".join(texts[start : start + 2])
    total = int(re.match(r"\*Eigenaar\* van (\d+) taken", owned)[1])  # type: ignore[index]
    shown = sum(line.startswith("• ") for line in owned.split("\n"))
    more = re.search(r"… en nog (\d+); zie `/taken`", owned)
    # Before: 25 lines of 260 characters were cut at Slack's 3,000, mid-line, and the
    # '… en nog N; zie /taken' line fell off with the rest.
    assert more is not None, owned[-200:]
    assert shown + int(more[1]) == total
    assert 0 < shown <= 25
