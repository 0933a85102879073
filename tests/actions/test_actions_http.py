"""Action items over real HTTP against the fake Slack: the message shortcut, `/acties` with its
filters, pages and buttons, edits and deletions of the source message, the weekly overdue DM and
the retention purge. Meeting threads (prefix, reaction, reminders): test_actions_meetings.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from msgspec.structs import replace

from bot.clock import Clock
from bot.services.actions import Draft
from handlers.actions.blocks import CAPTURE_MODAL, PAGE_BUTTON, capture_modal
from handlers.actions.clock import DIGEST_KIND, PURGE_KIND, plan_deliveries
from handlers.actions.slack import CAPTURE_SHORTCUT, SAVE_FAILED
from storage.actions import ActionItemView, ActionQuery, ActionStore, NewActionItem
from storage.session import Database
from testkit.app import RunningBot, start_bot
from testkit.clock import FixedClock
from testkit.fake_slack import FakeSlack
from testkit.team_config import LEADS_WITH_DEFAULT_USER, SLACK_IDS, copy_config

ANNA = SLACK_IDS["aov-1"]  # "AOV-er 1"
BERT = SLACK_IDS["aov-2"]
BOA = SLACK_IDS["boa-coordinator"]
CHANNEL = "C0TEAM001"
AMS = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def bot(
    db: Database, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path
) -> Iterator[RunningBot]:
    # BERT (aov-2) closes others' items here too: a team lead, like the default test user.
    config = copy_config(tmp_path / "config", team_leads=(*LEADS_WITH_DEFAULT_USER, "aov-2"))
    running, server = start_bot(db, fake_slack, clock, config_dir=config)
    yield running
    server.close()


def answer(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json() if response.text else {}


def texts(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def store(bot: RunningBot) -> ActionStore:
    return ActionStore(bot.ctx.db)


def add_item(bot: RunningBot, n: int, **overrides: Any) -> ActionItemView:
    values: dict[str, Any] = {
        "channel": CHANNEL,
        "message_ts": f"1700001000.{n:06d}",
        "thread_ts": "1700000999.000100",
        "source": "prefix",
        "text": f"actiepunt nummer {n}",
        "owner_slack_id": ANNA,
        "author_slack_id": ANNA,
        "due_on": date(2026, 12, 1),
        "due_kind": "date",
    } | overrides
    return store(bot).capture(NewActionItem(**values), bot.clock()).item


def shortcut(bot: RunningBot, text: str, *, ts: str, user: str = ANNA, author: str = ANNA) -> Any:
    payload = bot.slack.message_action_payload(
        CAPTURE_SHORTCUT, {"text": text, "user": author, "ts": ts}, user_id=user
    )
    return answer(bot.slack.interactivity(payload))


def submit_modal(
    bot: RunningBot, view: dict[str, Any], user: str = ANNA, **changes: Any
) -> dict[str, Any]:
    """Submit the modal as Slack would, with its initial values unless `changes` says otherwise."""
    blocks = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    values = {
        "text": {
            "value": {
                "type": "plain_text_input",
                "value": changes.get("text", blocks["text"].get("initial_value")),
            }
        },
        "owner": {
            "value": {
                "type": "users_select",
                "selected_user": changes.get("owner", blocks["owner"].get("initial_user")),
            }
        },
        "due": {
            "value": {
                "type": "datepicker",
                "selected_date": changes.get("due", blocks["due"].get("initial_date")),
            }
        },
    }
    payload = bot.slack.view_submission_payload(
        CAPTURE_MODAL, values, private_metadata=view["private_metadata"], user_id=user
    )
    return answer(bot.slack.interactivity(payload))


# --- the message shortcut -------------------------------------------------------------------------


def test_shortcut_opens_a_prefilled_modal_and_saving_logs_the_item(bot: RunningBot) -> None:
    shortcut(bot, f"<@{BERT}> stuurt de notulen rond voor vrijdag", ts="1700000100.000100")
    view = bot.fake.wait_for("views.open")[0].args["view"]
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    # A plain text field cannot render a mention: the colleague shows by name, not as <@U…>.
    assert inputs["text"]["initial_value"] == "@AOV-er 2 stuurt de notulen rond voor vrijdag"
    assert inputs["owner"]["initial_user"] == BERT
    assert inputs["due"]["initial_date"] == "2026-11-27"  # Friday after Monday 23 November

    assert submit_modal(bot, view, due="2026-12-04") == {}  # closes the modal

    item = store(bot).by_source(CHANNEL, "1700000100.000100")
    assert item is not None
    assert (item.owner_slack_id, item.author_slack_id, item.source) == (BERT, ANNA, "shortcut")
    assert (item.due_on, item.due_kind) == (date(2026, 12, 4), "date")
    assert item.text == f"<@{BERT}> stuurt de notulen rond voor vrijdag"  # a mention again
    confirmation = bot.fake.wait_for("chat.postMessage")[0].args
    assert confirmation["channel"] == CHANNEL
    assert confirmation["thread_ts"] == "1700000100.000100"  # under the message itself
    assert (
        f"Actiepunt *#{item.id}* vastgelegd: <@{BERT}>, uiterlijk vr 4 dec" in confirmation["text"]
    )
    # Slow work after the acknowledgement: the permalink is stored, the owner's Home refreshed.
    bot.fake.wait_for("views.publish")
    assert any(c.args["user_id"] == BERT for c in bot.fake.calls("views.publish"))
    stored = store(bot).get(item.id)
    assert (
        stored is not None and stored.permalink and stored.permalink.endswith("/p1700000100000100")
    )


def test_shortcut_modal_refuses_empty_text_and_a_date_in_the_past(bot: RunningBot) -> None:
    shortcut(bot, "iets zonder datum", ts="1700000101.000100")
    view = bot.fake.wait_for("views.open")[0].args["view"]
    assert submit_modal(bot, view, text="  ")["errors"] == {"text": "Beschrijf het actiepunt."}
    errors = submit_modal(bot, view, due="2026-11-20")["errors"]
    assert errors == {"due": "vrijdag 20 november 2026 ligt in het verleden."}
    assert store(bot).by_source(CHANNEL, "1700000101.000100") is None


def test_a_failed_save_keeps_the_modal_open_and_logs_no_text(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from sqlalchemy.exc import OperationalError

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("INSERT ...", {"text": "Kerkstraat 12"}, Exception("gone"))

    shortcut(bot, "bel bewoner Kerkstraat 12", ts="1700000103.000100")
    view = bot.fake.wait_for("views.open")[0].args["view"]
    monkeypatch.setattr(ActionStore, "capture", broken)
    assert submit_modal(bot, view)["errors"] == {"text": SAVE_FAILED}
    assert "Kerkstraat" not in caplog.text
    assert "not stored: OperationalError" in caplog.text


def test_editing_a_logged_item_shows_mentions_by_name_and_keeps_them_mentions(
    bot: RunningBot,
) -> None:
    item = add_item(bot, 2, text=f"<@{BERT}> en <@U0GAST001> bellen de wijkagent")
    shortcut(bot, "wat dan ook", ts=item.message_ts)
    view = bot.fake.wait_for("views.open")[0].args["view"]
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    # A colleague by name; someone outside the team keeps Slack's token (no name to show).
    assert inputs["text"]["initial_value"] == "@AOV-er 2 en <@U0GAST001> bellen de wijkagent"
    submit_modal(bot, view, text="@AOV-er 2 en <@U0GAST001> bellen morgen de wijkagent")
    updated = store(bot).get(item.id)
    assert updated is not None
    assert updated.text == f"<@{BERT}> en <@U0GAST001> bellen morgen de wijkagent"


def test_shortcut_on_a_logged_message_edits_that_item(bot: RunningBot) -> None:
    item = add_item(bot, 1)
    shortcut(bot, "wat dan ook", ts=item.message_ts)
    view = bot.fake.wait_for("views.open")[0].args["view"]
    assert view["title"]["text"] == f"Actiepunt #{item.id}"
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs["text"]["initial_value"] == "actiepunt nummer 1"
    submit_modal(bot, view, owner=BERT, text="actiepunt nummer 1 & meer <dit>")
    updated = store(bot).get(item.id)
    assert updated is not None
    assert updated.owner_slack_id == BERT
    assert updated.text == "actiepunt nummer 1 &amp; meer &lt;dit&gt;"  # stored as Slack mrkdwn
    assert len(store(bot).page(ActionQuery(owner_slack_id=BERT))[0]) == 1


def test_confirmation_falls_back_to_a_dm_when_the_bot_cannot_post_in_the_channel(
    bot: RunningBot,
) -> None:
    shortcut(bot, "bel de gemeente", ts="1700000102.000100", user=BERT)
    view = bot.fake.wait_for("views.open")[0].args["view"]
    bot.fake.fail_next("chat.postMessage", body={"ok": False, "error": "not_in_channel"})
    submit_modal(bot, view, user=BERT)
    posts = bot.fake.wait_for("chat.postMessage", count=2)
    assert posts[1].args["channel"] == BERT
    assert "vastgelegd" in posts[1].args["text"]
    assert store(bot).by_source(CHANNEL, "1700000102.000100") is not None


# --- edits and deletions of the source message --------------------------------------------------


def changed_event(ts: str, text: str, user: str = ANNA) -> dict[str, Any]:
    return {
        "type": "message",
        "subtype": "message_changed",
        "channel": CHANNEL,
        "hidden": True,
        "ts": "1700009999.000100",
        "message": {
            "type": "message",
            "user": user,
            "text": text,
            "ts": ts,
            "edited": {"user": user, "ts": "1700009999.000100"},
        },
        "previous_message": {"type": "message", "user": user, "text": "(oud)", "ts": ts},
    }


def logged_by_shortcut(bot: RunningBot, text: str, ts: str) -> ActionItemView:
    opened = len(bot.fake.calls("views.open"))
    shortcut(bot, text, ts=ts)
    submit_modal(bot, bot.fake.wait_for("views.open", opened + 1)[opened].args["view"])
    bot.fake.wait_for("chat.postMessage")
    item = store(bot).by_source(CHANNEL, ts)
    assert item is not None
    return item


def test_editing_the_message_updates_the_item_and_its_confirmation(bot: RunningBot) -> None:
    item = logged_by_shortcut(bot, "notulen rondsturen voor vrijdag", "1700000200.000100")
    confirmation = bot.fake.wait_for("chat.postMessage")[0]
    bot.fake.reset()

    edited = f"notulen rondsturen, <@{BERT}> doet het uiterlijk 2 december"
    answer(bot.slack.event(changed_event(item.message_ts, edited)))

    update = bot.fake.wait_for("chat.update")[0].args
    assert update["ts"] == "1700000000.000100"  # the fake's ts of the confirmation
    assert update["channel"] == CHANNEL
    assert f"#{item.id}* bijgewerkt: <@{BERT}>, uiterlijk wo 2 dec" in update["text"]
    now = store(bot).get(item.id)
    assert now is not None
    assert (now.text, now.owner_slack_id, now.due_on) == (edited, BERT, date(2026, 12, 2))
    assert confirmation.args["thread_ts"] == item.message_ts
    assert bot.fake.calls("chat.postMessage") == []  # no second reply to the same message


def test_editing_a_closed_item_does_not_ask_to_close_it(bot: RunningBot) -> None:
    """The rewritten reply said 'Afronden kan met /acties' about an item already closed."""
    item = logged_by_shortcut(bot, "notulen rondsturen voor vrijdag", "1700000202.000100")
    bot.fake.wait_for("chat.postMessage")
    assert store(bot).close(item.id, BERT, datetime(2026, 11, 24, 10, 0, tzinfo=UTC)) is not None
    bot.fake.reset()

    answer(bot.slack.event(changed_event(item.message_ts, "notulen rondsturen voor donderdag")))

    text = bot.fake.wait_for("chat.update")[0].args["text"]
    assert f"#{item.id}* bijgewerkt" in text
    assert "al afgerond" in text
    assert "Afronden kan" not in text


def test_an_edit_that_changes_nothing_says_nothing(bot: RunningBot) -> None:
    item = logged_by_shortcut(bot, "notulen rondsturen voor vrijdag", "1700000201.000100")
    bot.fake.reset()
    answer(bot.slack.event(changed_event(item.message_ts, "notulen rondsturen voor vrijdag")))
    answer(bot.slack.command("/acties"))  # a request after the event, to let its follow-up run
    assert bot.fake.calls("chat.update") == []


def test_deleting_the_message_cancels_the_item(bot: RunningBot) -> None:
    item = logged_by_shortcut(bot, "evaluatie plannen", "1700000300.000100")
    deleted = {
        "type": "message",
        "subtype": "message_deleted",
        "channel": CHANNEL,
        "hidden": True,
        "deleted_ts": item.message_ts,
        "ts": "1700009999.000200",
        "previous_message": {
            "type": "message",
            "user": ANNA,
            "text": "(oud)",
            "ts": item.message_ts,
        },
    }
    for retry in (None, 1):  # a redelivery changes nothing more
        answer(
            bot.slack.event(
                deleted, retry_num=retry, retry_reason="http_timeout" if retry else None
            )
        )
    note = bot.fake.wait_for("chat.update")[0].args
    assert f"#{item.id}* is vervallen" in note["text"]
    cancelled = store(bot).get(item.id)
    assert cancelled is not None and cancelled.status == "cancelled"
    body = answer(bot.slack.command("/acties", "open"))
    assert f"#{item.id}" not in texts(body["blocks"])
    assert len(bot.fake.calls("chat.update")) == 1


# --- /acties --------------------------------------------------------------------------------------


def test_acties_help(bot: RunningBot) -> None:
    for text in ("help", "hulp", "?"):
        body = answer(bot.slack.command("/acties", text))
        assert body["response_type"] == "ephemeral"
        assert "/acties open" in texts(body["blocks"])
        assert ":pushpin:" in texts(body["blocks"])  # the configured emoji
        assert "elke regel wordt een eigen actiepunt" in texts(body["blocks"])


def test_acties_lists_mine_newest_first_and_marks_overdue(bot: RunningBot) -> None:
    old = add_item(bot, 1, due_on=date(2026, 11, 20))  # before Monday 23 November
    new = add_item(bot, 2, due_on=date(2026, 11, 30))
    add_item(bot, 3, owner_slack_id=BERT)
    body = answer(bot.slack.command("/acties", "", user_id=ANNA))
    blocks = body["blocks"]
    assert blocks[0]["text"]["text"] == "Jouw open actiepunten"
    sections = [b for b in blocks if b["type"] == "section"]
    assert [s["text"]["text"].split()[0] for s in sections] == [f"*#{new.id}*", f"*#{old.id}*"]
    meta = [b["elements"][0]["text"] for b in blocks if b["type"] == "context"]
    assert "te laat" in meta[1] and "vr 20 nov" in meta[1]
    assert "te laat" not in meta[0]
    assert sections[0]["accessory"]["text"]["text"] == "Afgerond"
    assert body["text"] == "Jouw open actiepunten: 2, waarvan 1 te laat"


def test_acties_filters(bot: RunningBot) -> None:
    mine = add_item(bot, 1)
    berts = add_item(bot, 2, owner_slack_id=BERT, series_key="boa-briefing")
    done = add_item(bot, 3, owner_slack_id=BERT)
    store(bot).close(done.id, BERT, bot.clock())

    def shown(text: str, user: str = ANNA) -> list[str]:
        blocks = answer(bot.slack.command("/acties", text, user_id=user))["blocks"]
        return [b["text"]["text"].split()[0] for b in blocks if b["type"] == "section"]

    assert shown("") == shown("mijn") == [f"*#{mine.id}*"]
    assert shown("open") == [f"*#{berts.id}*", f"*#{mine.id}*"]
    assert shown(f"<@{BERT}|bert>") == shown("aov-2") == shown("@aov-2") == [f"*#{berts.id}*"]
    assert shown("afgerond") == [f"*#{done.id}*"]
    assert shown("mijn afgerond", user=BERT) == [f"*#{done.id}*"]
    assert shown("afgerond @aov-1") == ["Geen"]
    body = answer(bot.slack.command("/acties", "kwispelstaart"))
    assert "Ik ken geen collega of overleg “kwispelstaart”" in texts(body["blocks"])


def test_acties_by_channel_and_with_van(bot: RunningBot) -> None:
    """`/acties` is escaped by Slack (manifest: should_escape): "#boa-briefing" arrives as
    <#C…|boa-briefing>, and people say "van Bert" as often as "Bert"."""
    mine = add_item(bot, 1)
    berts = add_item(bot, 2, owner_slack_id=BERT, channel="C0BOA0001")
    add_item(bot, 3, owner_slack_id=BERT)

    def shown(text: str) -> tuple[str, list[str]]:
        blocks = answer(bot.slack.command("/acties", text, user_id=ANNA))["blocks"]
        numbers = [b["text"]["text"].split()[0] for b in blocks if b["type"] == "section"]
        return blocks[0]["text"]["text"], numbers

    assert shown("<#C0BOA0001|boa-briefing>") == (
        "Alle open actiepunten in #boa-briefing",
        [f"*#{berts.id}*"],
    )
    assert shown("kanaal <#C0BOA0001|>")[1] == [f"*#{berts.id}*"]
    assert shown(f"mijn <#{CHANNEL}|teamoverleg>") == (
        "Jouw open actiepunten in #teamoverleg",
        [f"*#{mine.id}*"],
    )
    assert shown("afgerond <#C0BOA0001|boa-briefing>")[1] == ["Geen"]
    assert shown(f"<@{BERT}|bert> <#C0BOA0001|boa-briefing>")[1] == [f"*#{berts.id}*"]
    for text in ("van aov-2", "van @aov-2", f"van <@{BERT}|bert>", "van AOV-er 2"):
        assert shown(text)[0] == "De open actiepunten van AOV-er 2", text
    assert shown("van mij") == ("Jouw open actiepunten", [f"*#{mine.id}*"])


def test_acties_te_laat_lists_only_overdue_items(bot: RunningBot) -> None:
    late = add_item(bot, 1, due_on=date(2026, 11, 20))  # before Monday 23 November
    add_item(bot, 2, due_on=date(2026, 11, 30))
    add_item(bot, 3, due_on=None, due_kind="default")
    berts_late = add_item(bot, 4, owner_slack_id=BERT, due_on=date(2026, 11, 1))
    done_late = add_item(bot, 5, due_on=date(2026, 11, 2))
    store(bot).close(done_late.id, ANNA, bot.clock())

    def shown(text: str) -> tuple[str, list[str]]:
        blocks = answer(bot.slack.command("/acties", text, user_id=ANNA))["blocks"]
        numbers = [b["text"]["text"].split()[0] for b in blocks if b["type"] == "section"]
        return blocks[0]["text"]["text"], numbers

    assert shown("te laat") == ("Jouw te late actiepunten", [f"*#{late.id}*"])
    assert shown("mijn Te Laat") == shown("te laat")
    assert shown("open te laat") == (
        "Alle te late actiepunten",
        [f"*#{berts_late.id}*", f"*#{late.id}*"],
    )
    assert shown("te laat van aov-2") == (
        "De te late actiepunten van AOV-er 2",
        [f"*#{berts_late.id}*"],
    )


def test_acties_finds_a_colleague_by_part_of_the_name_and_asks_when_several_fit(
    bot: RunningBot,
) -> None:
    """No meeting by that name: a word of one colleague's name is that colleague ("coordinator"
    for "Boa-coördinator"), and a name that several share is answered with who they are."""
    boas = add_item(bot, 1, owner_slack_id=BOA)

    def title(text: str) -> str:
        body = answer(bot.slack.command("/acties", text, user_id=ANNA))
        return str(body["blocks"][0]["text"]["text"])

    assert title("coordinator") == "De open actiepunten van Boa-coördinator"
    assert title("van de teamleider") == "De open actiepunten van Teamleider OOV"
    body = answer(bot.slack.command("/acties", "van coordinator", user_id=ANNA))
    assert f"*#{boas.id}*" in texts(body["blocks"])
    shared = title("van AOV-er")
    assert "“AOV-er” past bij meer collega's" in shared
    assert "aov-1 (AOV-er 1)" in shared and "aov-2 (AOV-er 2)" in shared
    assert "`/acties aov-1`" in shared


def test_acties_mijn_with_a_meeting_lists_only_my_items_of_it(bot: RunningBot) -> None:
    mine = add_item(bot, 1, series_key="boa-briefing")
    add_item(bot, 2, owner_slack_id=BERT, series_key="boa-briefing")
    add_item(bot, 3, series_key="teamoverleg")
    body = answer(bot.slack.command("/acties", "mijn boa", user_id=ANNA))
    sections = [b["text"]["text"].split()[0] for b in body["blocks"] if b["type"] == "section"]
    assert sections == [f"*#{mine.id}*"]
    assert body["blocks"][0]["text"]["text"] == "Jouw open actiepunten van Boa-briefing"


def test_acties_for_a_colleague_and_a_meeting_combines_both(bot: RunningBot) -> None:
    add_item(bot, 1, series_key="boa-briefing")
    berts = add_item(bot, 2, owner_slack_id=BERT, series_key="boa-briefing")
    add_item(bot, 3, owner_slack_id=BERT, series_key="teamoverleg")
    for text in (f"<@{BERT}|bert> boa", "boa @aov-2"):
        body = answer(bot.slack.command("/acties", text, user_id=ANNA))
        sections = [b["text"]["text"].split()[0] for b in body["blocks"] if b["type"] == "section"]
        assert sections == [f"*#{berts.id}*"], text
        assert body["blocks"][0]["text"]["text"].endswith("bij Boa-briefing")


def test_acties_pages_past_twenty(bot: RunningBot) -> None:
    made = [add_item(bot, n) for n in range(45)]
    first = answer(bot.slack.command("/acties", "mijn"))
    numbers = [b["text"]["text"].split()[0] for b in first["blocks"] if b["type"] == "section"]
    assert numbers == [f"*#{i.id}*" for i in reversed(made)][:20]
    assert len(first["blocks"]) <= 50
    nav = next(b for b in first["blocks"] if b["type"] == "actions")
    assert [e["text"]["text"] for e in nav["elements"]] == ["Volgende 20"]

    seen = list(numbers)
    value = nav["elements"][0]["value"]
    for expected in (20, 5):
        payload = bot.slack.block_actions_payload(PAGE_BUTTON, value, user_id=ANNA)
        answer(bot.slack.interactivity(payload))
        page = bot.fake.wait_for("response_url", count=len(seen) // 20)[-1].args
        assert page["replace_original"] is True
        numbers = [b["text"]["text"].split()[0] for b in page["blocks"] if b["type"] == "section"]
        assert len(numbers) == expected
        seen += numbers
        nav = next(b for b in page["blocks"] if b["type"] == "actions")
        value = nav["elements"][0]["value"]
    assert seen == [f"*#{i.id}*" for i in reversed(made)]
    labels = [e["text"]["text"] for e in nav["elements"]]
    assert labels == ["Terug naar het begin"]


def test_close_and_reopen_buttons(bot: RunningBot) -> None:
    item = add_item(bot, 1)
    listing = answer(bot.slack.command("/acties", "", user_id=ANNA))
    close = next(b["accessory"] for b in listing["blocks"] if "accessory" in b)
    payload = bot.slack.block_actions_payload(close["action_id"], close["value"], user_id=BERT)
    answer(bot.slack.interactivity(payload))

    note = bot.fake.wait_for("chat.postMessage")[0].args
    assert note["channel"] == CHANNEL
    assert note["thread_ts"] == item.thread_ts  # in the original thread
    assert note["text"] == f"✅ Actiepunt *#{item.id}* is afgerond door <@{BERT}>."
    closed = store(bot).get(item.id)
    assert closed is not None and (closed.status, closed.closed_by) == ("done", BERT)
    redrawn = bot.fake.wait_for("response_url")[0].args
    assert "Geen actiepunten gevonden" in texts(redrawn["blocks"])  # the list without it
    homes = {c.args["user_id"] for c in bot.fake.wait_for("views.publish", count=2)}
    assert homes == {ANNA, BERT}

    # A second click on the same (stale) button posts no second note.
    answer(bot.slack.interactivity(payload))
    bot.fake.wait_for("response_url", count=2)
    assert len(bot.fake.calls("chat.postMessage")) == 1

    done = answer(bot.slack.command("/acties", "mijn afgerond", user_id=ANNA))
    reopen = next(b["accessory"] for b in done["blocks"] if "accessory" in b)
    assert reopen["text"]["text"] == "Heropenen"
    answer(
        bot.slack.interactivity(
            bot.slack.block_actions_payload(reopen["action_id"], reopen["value"], user_id=ANNA)
        )
    )
    bot.fake.wait_for("response_url", count=3)
    reopened = store(bot).get(item.id)
    assert reopened is not None and (reopened.status, reopened.closed_at) == ("open", None)
    # The thread that was told it is done is told it is open again.
    again = bot.fake.wait_for("chat.postMessage", count=2)[1].args
    assert (again["channel"], again["thread_ts"]) == (CHANNEL, item.thread_ts)
    assert again["text"] == (
        f"↩️ Actiepunt *#{item.id}* is heropend door <@{ANNA}>: het staat weer open."
    )


def test_shell_answers_acties(bot: RunningBot) -> None:
    from bot.shell import answer_line, command_table

    add_item(bot, 1, text="bel de wijkagent")
    out = answer_line(command_table(bot.ctx), "/acties aov-1")
    assert "De open actiepunten van AOV-er 1" in out
    assert "bel de wijkagent" in out
    assert "Geef een collega of overleg op" in answer_line(command_table(bot.ctx), "/acties")


# --- the weekly overdue DM and the retention purge ------------------------------------------------


def test_weekly_overdue_dm_is_one_message_per_owner(bot: RunningBot) -> None:
    bot.clock.current += timedelta(days=7)  # Monday 30 November, 09:00
    for n, due in enumerate((date(2026, 11, 20), date(2026, 11, 25), date(2026, 11, 27))):
        add_item(bot, n, due_on=due)
    add_item(bot, 10, owner_slack_id=BERT, due_on=date(2026, 11, 26))
    add_item(bot, 11, owner_slack_id=BOA, due_on=date(2026, 12, 2))  # not yet due
    closed = add_item(bot, 12, owner_slack_id=BOA, due_on=date(2026, 11, 2))
    store(bot).close(closed.id, BOA, bot.clock())

    start = bot.clock() - timedelta(hours=1)
    planned = [
        d
        for d in plan_deliveries(bot.ctx, start, start + timedelta(hours=2))
        if d.kind == DIGEST_KIND
    ]
    assert sorted(d.key for d in planned) == [
        f"actions:overdue:2026-11-30:{ANNA}",
        f"actions:overdue:2026-11-30:{BERT}",
    ]
    clock = Clock(bot.ctx, [plan_deliveries], grace=timedelta(hours=2))
    for delivery in planned + planned:  # a second clock (or round) posts nothing more
        clock.deliver(delivery)
    dms = bot.fake.calls("chat.postMessage")
    assert sorted(c.args["channel"] for c in dms) == [ANNA, BERT]
    annas = next(c.args for c in dms if c.args["channel"] == ANNA)
    assert annas["text"].startswith("Je hebt 3 actiepunten over de deadline.")
    assert texts(annas["blocks"]).count("te laat") == 3


def test_weekly_overdue_dm_on_a_public_holiday_comes_the_next_working_day(
    bot: RunningBot,
) -> None:
    # Easter Monday 29 March 2027 (the day after the clocks went forward): a day off.
    easter_monday = datetime(2027, 3, 29, 7, 0, tzinfo=AMS)
    bot.clock.current = easter_monday.astimezone(UTC)
    add_item(bot, 1, due_on=date(2027, 3, 19))
    planned = [
        d
        for d in plan_deliveries(bot.ctx, easter_monday, easter_monday + timedelta(days=2))
        if d.kind == DIGEST_KIND
    ]
    assert [(d.key, d.due_at) for d in planned] == [
        (f"actions:overdue:2027-03-30:{ANNA}", datetime(2027, 3, 30, 9, 0, tzinfo=AMS))
    ]
    # An ordinary Monday keeps its digest.
    monday = easter_monday + timedelta(weeks=1)
    later = [d.key for d in plan_deliveries(bot.ctx, monday, monday + timedelta(hours=3))]
    assert f"actions:overdue:2027-04-05:{ANNA}" in later


@pytest.mark.parametrize("weekday", [6, 7], ids=["zaterdag", "zondag"])
def test_weekly_overdue_dm_set_on_a_weekend_day_comes_the_next_working_day(
    db: Database,
    fake_slack: FakeSlack,
    clock: FixedClock,
    tmp_path: Path,
    weekday: int,
) -> None:
    # OOV_ACTION_DIGEST_WEEKDAY=6 (Saturday) or 7 (Sunday) sent the DM on the weekend, while a
    # holiday moved it on: both are days off, one rule (working_day_from) for both now. The
    # weekend before Easter Monday 29 March 2027 goes on to Tuesday 30 March.
    running, server = start_bot(
        db,
        fake_slack,
        clock,
        config_dir=copy_config(tmp_path / "c"),
        oov_action_digest_weekday=weekday,
    )
    try:
        add_item(running, 1, due_on=date(2026, 11, 1))
        start = datetime(2026, 12, 5, 0, 0, tzinfo=AMS)  # Saturday 5 December 2026
        planned = [
            (d.key, d.due_at)
            for d in plan_deliveries(running.ctx, start, start + timedelta(days=4))
            if d.kind == DIGEST_KIND
        ]
        assert planned == [
            (f"actions:overdue:2026-12-07:{ANNA}", datetime(2026, 12, 7, 9, 0, tzinfo=AMS))
        ]
        easter = datetime(2027, 3, 27, 0, 0, tzinfo=AMS)
        planned = [
            (d.key, d.due_at)
            for d in plan_deliveries(running.ctx, easter, easter + timedelta(days=4))
            if d.kind == DIGEST_KIND
        ]
        assert planned == [
            (f"actions:overdue:2027-03-30:{ANNA}", datetime(2027, 3, 30, 9, 0, tzinfo=AMS))
        ]
    finally:
        server.close()


def test_no_digest_when_switched_off(
    db: Database, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path
) -> None:
    running, server = start_bot(
        db, fake_slack, clock, config_dir=copy_config(tmp_path / "c"), oov_action_digest_weekday=0
    )
    try:
        add_item(running, 1, due_on=date(2026, 11, 1))
        planned = list(plan_deliveries(running.ctx, clock() - timedelta(days=8), clock()))
        assert {d.kind for d in planned} == {PURGE_KIND}
    finally:
        server.close()


def test_retention_purge_removes_only_old_closed_items(bot: RunningBot) -> None:
    now = bot.clock()
    s = store(bot)
    old_done = add_item(bot, 1)
    s.close(old_done.id, ANNA, now - timedelta(days=800))
    old_cancelled = add_item(bot, 2)
    s.cancel_source(CHANNEL, old_cancelled.message_ts, now - timedelta(days=760))
    recent_done = add_item(bot, 3)
    s.close(recent_done.id, ANNA, now - timedelta(days=300))
    old_open = add_item(bot, 4)  # open items are never purged, however old

    start = now.replace(hour=0)
    purge = next(
        d
        for d in plan_deliveries(bot.ctx, start, start + timedelta(days=1))
        if d.kind == PURGE_KIND
    )
    assert purge.key == "actions:purge:2026-11-23"
    assert purge.due_at.astimezone(bot.ctx.tz).strftime("%H:%M") == "03:30"
    Clock(bot.ctx, [], grace=timedelta(hours=1)).deliver(purge)
    remaining = {
        i.id for i in (s.get(x.id) for x in (old_done, old_cancelled, recent_done, old_open)) if i
    }
    assert remaining == {recent_done.id, old_open.id}


def test_export_writes_the_items_archive(bot: RunningBot) -> None:
    from ruamel.yaml import YAML

    from bot.features import export_config

    item = add_item(bot, 1, text="bel &amp; mail")
    files = export_config(bot.ctx.db)
    archive = YAML(typ="safe").load(files["action_items.yaml"])
    assert archive["action_items"][0]["id"] == item.id
    assert archive["action_items"][0]["text"] == "bel &amp; mail"
    assert archive["action_items"][0]["status"] == "open"


def test_acties_reads_a_person_with_or_without_at_and_reports_other_words(
    bot: RunningBot,
) -> None:
    add_item(bot, 1, series_key="boa-briefing")
    berts = add_item(bot, 2, owner_slack_id=BERT, series_key="boa-briefing")
    add_item(bot, 3, owner_slack_id=BERT, series_key="teamoverleg")
    for text in ("aov-2 boa", "boa aov-2", "@aov-2 boa"):
        body = answer(bot.slack.command("/acties", text, user_id=ANNA))
        sections = [b["text"]["text"].split()[0] for b in body["blocks"] if b["type"] == "section"]
        assert sections == [f"*#{berts.id}*"], text
        assert body["blocks"][0]["text"]["text"].endswith("bij Boa-briefing"), text
    body = answer(bot.slack.command("/acties", "aov-2 kwispelstaart", user_id=ANNA))
    assert "Ik ken geen overleg “kwispelstaart”" in texts(body["blocks"])


def test_a_capture_modal_with_very_many_long_names_stays_within_slacks_metadata_limit() -> None:
    """Each mention shown as "@Naam" is remembered in the modal's private_metadata, which Slack
    caps at 3,000 characters: past that, the field keeps Slack's mention tokens."""
    names = {
        f"U0LONG{n:04d}": f"Collega met een heel lange naam nummer {n:03d} " * 2 for n in range(30)
    }
    draft = Draft(
        text=" ".join(f"<@{slack_id}>" for slack_id in names) + " bellen de wijkagent",
        owner="U0AOV0001",
        due_on=None,
        due_kind="default",
        meeting=None,
        existing_id=None,
        note=None,
        names=names,
    )
    view = capture_modal(draft, {"channel": "C0BOA0001", "ts": "1700000000.000100"})
    assert len(view["private_metadata"]) <= 3000
    field = view["blocks"][0]["element"]["initial_value"]
    assert field.startswith("<@U0LONG0000> <@U0LONG0001>")
    few = capture_modal(replace(draft, text="<@U0LONG0000> belt", names={"U0LONG0000": "Anna"}), {})
    assert few["blocks"][0]["element"]["initial_value"] == "@Anna belt"
