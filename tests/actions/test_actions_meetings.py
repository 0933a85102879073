"""Action items in meeting threads, over real HTTP against the fake Slack: the `actie:` prefix and
the 📌 reaction, Slack's redeliveries, edits and deletions, and the owner and due date of many
Dutch phrasings as they arrive from Slack."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, timedelta
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from sqlalchemy import select

from bot.clock import Clock
from bot.core.meetings import Occurrence, delivery_key
from handlers.meetings import clock as meetings
from storage.actions import ActionItemView, ActionStore, NewActionItem
from storage.deliveries import DeliveryStore
from storage.meetings import MeetingStore
from storage.models.actions import action_items
from storage.session import Database
from testkit.action_phrasings import BOA_NEXT, PHRASINGS, THREAD_NEXT
from testkit.app import RunningBot, start_bot
from testkit.clock import FixedClock
from testkit.fake_slack import FakeSlack
from testkit.replies import answer, text_of
from testkit.team_config import SLACK_IDS, copy_config, edit_yaml

ANNA = SLACK_IDS["aov-1"]
BERT = SLACK_IDS["aov-2"]
ELS = SLACK_IDS["aov-3"]
BOT = "U0BOT0001"  # the fake Slack's bot user
BOA_CHANNEL = "C0BOA0001"  # configured by ID
TEAM_CHANNEL = "C0TO00001"  # configured by name; the fake calls it "kanaal-c0to00001"
OTHER_CHANNEL = "C0RANDOM1"
REMINDER_TS = "1699999999.000100"
AUTHOR = {"key": "notulist", "name": "Notulist", "slack_id": "U0AUTHOR1", "hours_per_week": 36}


def meeting_channels(data: Any) -> None:
    for series in data["meetings"]:
        if series["key"] == "boa-briefing":
            series["channel"] = BOA_CHANNEL
        elif series["key"] == "teamoverleg":
            series["channel"] = "#kanaal-c0to00001"


@pytest.fixture
def bot(
    db: Database, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path
) -> Iterator[RunningBot]:
    config = copy_config(tmp_path / "config")
    edit_yaml(config / "meetings.yaml", meeting_channels)
    # The phrasings are posted by U0AUTHOR1: only team members' actions are captured.
    edit_yaml(config / "people.yaml", lambda data: data["people"].append(AUTHOR))
    running, server = start_bot(db, fake_slack, clock, config_dir=config)
    yield running
    server.close()


def boa_occurrence(bot: RunningBot, day: date) -> Occurrence:
    occurrence = MeetingStore(bot.ctx.db, bot.ctx.tz).occurrence("boa-briefing", day)
    assert occurrence is not None
    return occurrence


def reminder_sent(bot: RunningBot, day: date = date(2026, 11, 24)) -> Occurrence:
    """Record the boa-briefing reminder for `day` as the clock does once it is posted."""
    occurrence = boa_occurrence(bot, day)
    key = delivery_key(occurrence, "remind-1", tz=bot.ctx.tz)
    deliveries = DeliveryStore(bot.ctx.db)
    assert deliveries.claim(
        key, "meeting", occurrence.start, status="claimed", by="t", now=bot.clock()
    )
    deliveries.finish(key, status="sent", now=bot.clock(), channel=BOA_CHANNEL, ts=REMINDER_TS)
    return occurrence


def message(
    text: str, ts: str, *, user: str = ANNA, channel: str = BOA_CHANNEL, thread: str | None = None
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
    }
    if thread:
        event["thread_ts"] = thread
    return event


def send(bot: RunningBot, event: dict[str, Any], **options: Any) -> None:
    response = bot.slack.event(event, **options)
    assert response.status_code == 200, response.text


def items(bot: RunningBot) -> list[ActionItemView]:
    """Every item, whatever its status, oldest first."""
    store = ActionStore(bot.ctx.db)
    with bot.ctx.db.transaction() as conn:
        ids = list(conn.scalars(select(action_items.c.id).order_by(action_items.c.id)))
    return [item for item in map(store.get, ids) if item]


def settle(bot: RunningBot, quiet: float = 0.25, timeout: float = 5.0) -> None:
    """Wait until the follow-ups of earlier events (run after Slack got its answer) are done:
    no new Slack call for `quiet` seconds."""
    deadline = time.monotonic() + timeout
    seen = -1
    while time.monotonic() < deadline and seen != len(bot.fake.calls()):
        seen = len(bot.fake.calls())
        time.sleep(quiet)


def replies_to(bot: RunningBot, thread: str) -> list[dict[str, Any]]:
    return [c.args for c in bot.fake.calls("chat.postMessage") if c.args.get("thread_ts") == thread]


# --- capture by prefix --------------------------------------------------------------------------


def test_a_reply_in_a_reminder_thread_becomes_an_action_item(bot: RunningBot) -> None:
    occurrence = reminder_sent(bot)
    text = f"Actie: <@{BERT}> vraagt de cijfers op bij de politie voor vrijdag"
    send(bot, message(text, "1700000001.000100", thread=REMINDER_TS))

    reply = bot.fake.wait_for("chat.postMessage")[0].args
    [item] = items(bot)
    assert (item.series_key, item.occurrence_at) == ("boa-briefing", occurrence.start)
    assert (item.owner_slack_id, item.author_slack_id) == (BERT, ANNA)
    assert (item.due_on, item.due_kind) == (date(2026, 11, 27), "date")
    assert item.text == f"<@{BERT}> vraagt de cijfers op bij de politie voor vrijdag"
    assert (item.channel, item.message_ts, item.thread_ts) == (
        BOA_CHANNEL,
        "1700000001.000100",
        REMINDER_TS,
    )
    assert reply["channel"] == BOA_CHANNEL and reply["thread_ts"] == REMINDER_TS
    assert reply["text"].startswith(
        f"📌 Actiepunt *#{item.id}* vastgelegd: <@{BERT}>, uiterlijk vr 27 nov"
    )
    permalink = bot.fake.wait_for("chat.getPermalink")[0].args
    assert (permalink["channel"], permalink["message_ts"]) == (BOA_CHANNEL, "1700000001.000100")


def test_without_a_date_the_item_is_due_at_the_meeting_after_the_threads_one(
    bot: RunningBot,
) -> None:
    reminder_sent(bot, date(2026, 11, 24))
    send(bot, message("todo: agenda rondsturen", "1700000002.000100", thread=REMINDER_TS))
    bot.fake.wait_for("chat.postMessage")
    [item] = items(bot)
    # The thread is about Tuesday 24 November; "the next meeting" is the one after: 1 December.
    assert (item.due_on, item.due_kind) == (date(2026, 12, 1), "default")
    assert (
        "voor het volgende overleg (di 1 dec)" in bot.fake.calls("chat.postMessage")[0].args["text"]
    )


def test_naming_the_threads_own_meeting_also_means_the_one_after_it(bot: RunningBot) -> None:
    reminder_sent(bot, date(2026, 11, 24))
    send(
        bot,
        message(
            "actie: terugkomen voor de volgende boa-briefing",
            "1700000002.000200",
            thread=REMINDER_TS,
        ),
    )
    bot.fake.wait_for("chat.postMessage")
    [item] = items(bot)
    # Same as "voor het volgende overleg" in this thread about Tuesday 24 November.
    assert (item.due_on, item.due_kind) == (date(2026, 12, 1), "next_meeting")


def test_an_asap_confirmation_reads_well(bot: RunningBot) -> None:
    send(bot, message("actie: z.s.m. de wijkagent bellen", "1700000002.000300", thread=REMINDER_TS))
    text = bot.fake.wait_for("chat.postMessage")[0].args["text"]
    assert "z.s.m.. " not in text
    assert ">, z.s.m. Afronden kan met `/acties`." in text


def test_a_deadline_more_than_half_a_year_away_is_confirmed_with_its_year(bot: RunningBot) -> None:
    bot.clock.current = bot.clock.current.replace(month=12, day=28)
    # 2027 is no leap year, so "29-2" is 29 February 2028: that must not read as February 2027.
    send(bot, message("actie: uiterlijk 29-2 evalueren", "1700000002.000400", thread=REMINDER_TS))
    text = bot.fake.wait_for("chat.postMessage")[0].args["text"]
    assert "uiterlijk di 29 feb 2028." in text


def test_a_deadline_in_an_earlier_year_is_confirmed_with_its_year(bot: RunningBot) -> None:
    # A slip of the year: "ma 1 dec" alone would read as this year's 1 December.
    send(bot, message("actie: bel voor 1 december 2025", "1700000002.000500"))
    text = bot.fake.wait_for("chat.postMessage")[0].args["text"]
    assert "uiterlijk ma 1 dec 2025." in text
    body = bot.slack.command("/acties", "", user_id=ANNA).json()
    assert "te laat* (ma 1 dec 2025)" in str(body["blocks"])


def test_a_named_meeting_is_that_series_next_occurrence(bot: RunningBot) -> None:
    send(
        bot,
        message(
            "AP: terugkomen voor de volgende boa-briefing",
            "1700000003.000100",
            channel=TEAM_CHANNEL,
        ),
    )
    bot.fake.wait_for("chat.postMessage")
    [item] = items(bot)
    assert item.series_key == "teamoverleg"  # the channel's series (configured as "#name")
    assert (item.due_on, item.due_kind) == (date(2026, 11, 24), "next_meeting")
    assert bot.fake.calls("conversations.info")[0].args["channel"] == TEAM_CHANNEL


def test_a_top_level_message_in_a_meeting_channel_is_confirmed_in_its_own_thread(
    bot: RunningBot,
) -> None:
    send(bot, message("actie: ik boek de zaal", "1700000004.000100"))
    reply = bot.fake.wait_for("chat.postMessage")[0].args
    assert reply["thread_ts"] == "1700000004.000100"
    [item] = items(bot)
    assert (item.owner_slack_id, item.series_key, item.thread_ts) == (ANNA, "boa-briefing", None)


@pytest.mark.parametrize(
    "event",
    [
        message("actie: dit telt niet", "1700000005.000100", channel=OTHER_CHANNEL),
        message("gewoon een bericht", "1700000006.000100"),
        message("zie de actie: hierboven", "1700000007.000100"),
        {
            **message("actie: van een bot", "1700000008.000100"),
            "bot_id": "B0OTHER01",
            "subtype": "bot_message",
        },
    ],
)
def test_messages_that_are_no_action_items(bot: RunningBot, event: dict[str, Any]) -> None:
    send(bot, event)
    settle(bot)
    assert items(bot) == []
    assert bot.fake.calls("chat.postMessage") == []


SEVERAL = (
    "actie: ik bel de wijkagent voor vrijdag\n"
    f"actie: <@{BERT}> mailt het verslag\n"
    f"Actie voor <@{ELS}>: agenda aanpassen uiterlijk 15 december"
)


def test_a_message_with_several_actions_logs_each_line_and_confirms_once(bot: RunningBot) -> None:
    """Minute-takers list the actions of a meeting in one message: each `actie:` line is its own
    item with its own owner and deadline, and the thread gets one reply listing them all."""
    reminder_sent(bot)
    ts = "1700000009.000200"
    event = message(SEVERAL, ts, thread=REMINDER_TS)
    send(bot, event, event_id="Ev0SEVERAL1")
    reply = bot.fake.wait_for("chat.postMessage")[0].args["text"]
    first, second, third = items(bot)
    assert [(i.line_no, i.owner_slack_id, i.due_on, i.due_kind) for i in items(bot)] == [
        (0, ANNA, date(2026, 11, 27), "date"),
        (1, BERT, date(2026, 12, 1), "default"),  # nothing said: the boa-briefing after this
        (2, ELS, date(2026, 12, 15), "date"),
    ]
    assert (first.text, second.text) == ("ik bel de wijkagent voor vrijdag",
                                         f"<@{BERT}> mailt het verslag")  # fmt: skip
    assert third.text == f"<@{ELS}> agenda aanpassen uiterlijk 15 december"
    assert "3 actiepunten uit dit bericht vastgelegd" in reply
    assert f"• *#{first.id}* <@{ANNA}>, uiterlijk vr 27 nov" in reply
    assert f"• *#{second.id}* <@{BERT}>, voor het volgende overleg (di 1 dec)" in reply
    assert f"• *#{third.id}* <@{ELS}>, uiterlijk di 15 dec" in reply
    assert "eigen bericht" not in reply
    # One link for all three: the message's.
    assert first.permalink is not None
    assert {i.permalink for i in items(bot)} == {first.permalink}

    # The archive tells the message's items apart by their line.
    archive = YAML(typ="safe").load(exported_items(bot))["action_items"]
    assert [(row["message_ts"], row["line"]) for row in archive] == [(ts, 0), (ts, 1), (ts, 2)]

    # Each owner's Home tab shows their new item.
    settle(bot)
    published = {c.args["user_id"]: str(c.args["view"]) for c in bot.fake.calls("views.publish")}
    assert "wijkagent" in published[ANNA]
    assert "verslag" in published[BERT]
    assert "agenda aanpassen" in published[ELS]

    # Slack retries, the 📌 reaction: still three items and one reply.
    send(bot, event, event_id="Ev0SEVERAL1", retry_num=1, retry_reason="http_timeout")
    slack_has(bot, {"type": "message", "user": "U0BOT0001", "text": "herinnering",
                    "ts": REMINDER_TS}, event)  # fmt: skip
    send(bot, pin(ts))
    settle(bot)
    assert len(items(bot)) == 3
    assert len(replies_to(bot, REMINDER_TS)) == 1

    # Each owner sees their own item in /acties.
    listed = text_of(answer(bot.slack.command("/acties", "", user_id=ELS)))
    assert "agenda aanpassen" in listed and "wijkagent" not in listed


def test_editing_a_message_of_several_actions_follows_its_lines(bot: RunningBot) -> None:
    """Lines are matched by their place among the `actie:` lines: a changed line updates its item,
    an added one adds an item, removed ones lapse; the one reply is edited, never a second."""
    reminder_sent(bot)
    ts = "1700000009.000300"
    send(bot, message(SEVERAL, ts, thread=REMINDER_TS))
    bot.fake.wait_for("chat.postMessage")
    first, second, third = items(bot)

    edited = SEVERAL.replace(f"<@{BERT}> mailt", f"<@{ELS}> mailt") + "\nAP: ik boek de zaal"
    send(bot, changed(ts, edited))
    update = bot.fake.wait_for("chat.update")[0].args["text"]
    now = items(bot)
    assert [i.id for i in now[:3]] == [first.id, second.id, third.id]
    assert (now[1].owner_slack_id, now[1].text) == (ELS, f"<@{ELS}> mailt het verslag")
    assert (now[3].line_no, now[3].owner_slack_id, now[3].text) == (3, ANNA, "ik boek de zaal")
    assert now[3].permalink == first.permalink is not None
    assert "4 actiepunten uit dit bericht bijgewerkt" in update
    assert f"• *#{now[3].id}* <@{ANNA}>" in update

    send(bot, changed(ts, "actie: ik bel de wijkagent voor vrijdag"))
    update = bot.fake.wait_for("chat.update", count=2)[-1].args["text"]
    kept, *lapsed = items(bot)
    assert (kept.status, kept.text) == ("open", "ik bel de wijkagent voor vrijdag")
    assert [(i.status, i.text, i.permalink) for i in lapsed] == [("cancelled", "", None)] * 3
    assert "1 actiepunt uit dit bericht bijgewerkt" in update
    assert f"• *#{third.id}* is vervallen" in update

    # Putting a line back brings its item back, with its number.
    send(bot, changed(ts, f"actie: ik bel de wijkagent voor vrijdag\nactie: <@{BERT}> mailt"))
    bot.fake.wait_for("chat.update", count=3)
    assert [(i.id, i.status) for i in items(bot)[:2]] == [(first.id, "open"), (second.id, "open")]
    assert len(replies_to(bot, REMINDER_TS)) == 1


def test_deleting_a_message_of_several_actions_cancels_and_erases_them_all(
    bot: RunningBot,
) -> None:
    ts = "1700000009.000400"
    send(bot, message(SEVERAL, ts))
    bot.fake.wait_for("chat.postMessage")
    event = {"type": "message", "subtype": "message_deleted", "channel": BOA_CHANNEL,
             "hidden": True, "deleted_ts": ts, "ts": "1700009999.000300"}  # fmt: skip
    send(bot, event)
    update = bot.fake.wait_for("chat.update")[0].args["text"]
    gone = items(bot)
    assert [(i.status, i.text, i.permalink) for i in gone] == [("cancelled", "", None)] * 3
    ids = [f"*#{i.id}*" for i in gone]
    assert f"Actiepunten {ids[0]}, {ids[1]} en {ids[2]} zijn vervallen" in update
    exported = exported_items(bot)
    assert "wijkagent" not in exported and "verslag" not in exported
    # An edit that straggles in brings nothing back; nor does a late redelivery.
    send(bot, changed(ts, SEVERAL, thread=None))
    send(bot, message(SEVERAL, ts), retry_num=1, retry_reason="http_error")
    settle(bot)
    assert [i.status for i in items(bot)] == ["cancelled"] * 3


def test_a_line_with_an_impossible_date_is_named_in_the_list(bot: RunningBot) -> None:
    text = f"actie: ik lever de stukken uiterlijk 31-2\nactie: <@{BERT}> mailt voor vrijdag"
    send(bot, message(text, "1700000009.000600"))
    reply = bot.fake.wait_for("chat.postMessage")[0].args["text"]
    first, second = items(bot)
    assert f"• *#{first.id}* <@{ANNA}>, deadline niet begrepen: " in reply
    assert "31 februari bestaat niet" in reply and "Pas je bericht aan" in reply
    assert f"• *#{second.id}* <@{BERT}>, uiterlijk vr 27 nov" in reply


def test_an_action_line_that_mentions_the_bot_is_not_the_bots(bot: RunningBot) -> None:
    send(bot, message(f"actie: <@{BOT}> zet de notulen klaar voor vrijdag", "1700000009.000500"))
    bot.fake.wait_for("chat.postMessage")
    [item] = items(bot)
    assert item.owner_slack_id == ANNA


def test_an_impossible_date_is_explained_in_dutch_and_the_item_kept(bot: RunningBot) -> None:
    send(bot, message("actie: stukken uiterlijk 31-2 aanleveren", "1700000009.000100"))
    reply = bot.fake.wait_for("chat.postMessage")[0].args["text"]
    assert "31 februari bestaat niet" in reply
    assert "Pas je bericht aan" in reply
    [item] = items(bot)
    assert item.due_kind == "default"


# --- capture by reaction ------------------------------------------------------------------------


def pin(
    ts: str, *, user: str = BERT, reaction: str = "pushpin", channel: str = BOA_CHANNEL
) -> dict[str, Any]:
    return {
        "type": "reaction_added",
        "user": user,
        "reaction": reaction,
        "item_user": ANNA,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "event_ts": "1700009000.000100",
    }


def slack_has(bot: RunningBot, *messages: dict[str, Any]) -> None:
    """These messages are on Slack (a reply names its parent in thread_ts); the fake answers
    conversations.replies about them as Slack does: the thread's parent first."""
    for m in messages:
        extra = {k: v for k, v in m.items() if k not in {"type", "channel", "text", "user", "ts"}}
        channel = m.get("channel", BOA_CHANNEL)
        bot.fake.add_message(channel, m["text"], user=m["user"], ts=m["ts"], **extra)


def test_a_pin_reaction_logs_the_message(bot: RunningBot) -> None:
    reminder_sent(bot)
    reply = {
        "type": "message",
        "user": ANNA,
        "text": f"<@{BERT}> belt de wijkagent morgen",
        "ts": "1700000010.000100",
        "thread_ts": REMINDER_TS,
    }
    slack_has(
        bot,
        {"type": "message", "user": "U0BOT0001", "text": "herinnering", "ts": REMINDER_TS},
        reply,
    )
    send(bot, pin("1700000010.000100"))

    confirmation = bot.fake.wait_for("chat.postMessage")[0].args
    [item] = items(bot)
    assert (item.source, item.owner_slack_id, item.author_slack_id) == ("reaction", BERT, ANNA)
    assert (item.due_on, item.thread_ts, item.series_key) == (
        date(2026, 11, 24),
        REMINDER_TS,
        "boa-briefing",
    )
    assert confirmation["thread_ts"] == REMINDER_TS
    fetch = bot.fake.calls("conversations.replies")[0].args
    assert (fetch["channel"], fetch["ts"]) == (BOA_CHANNEL, "1700000010.000100")


def test_a_pin_on_a_reply_among_many_logs_that_reply(bot: RunningBot) -> None:
    """Slack answers conversations.replies with the thread's parent first, counted toward the
    limit: the bot must still find the one reply that was pinned."""
    reminder_sent(bot)
    bot.fake.add_message(BOA_CHANNEL, "herinnering", user="U0BOT0001", ts=REMINDER_TS)
    for n in range(1, 6):
        bot.fake.add_message(
            BOA_CHANNEL,
            f"<@{BERT}> regelt punt {n}",
            user=ANNA,
            ts=f"1700000030.00010{n}",
            thread_ts=REMINDER_TS,
        )
    send(bot, pin("1700000030.000103"))

    bot.fake.wait_for("chat.postMessage")
    [item] = items(bot)
    assert (item.text, item.owner_slack_id, item.thread_ts) == (
        f"<@{BERT}> regelt punt 3",
        BERT,
        REMINDER_TS,
    )


def test_other_reactions_and_other_channels_are_ignored(bot: RunningBot) -> None:
    slack_has(bot, {"type": "message", "user": ANNA, "text": "iets", "ts": "1700000011.000100"})
    send(bot, pin("1700000011.000100", reaction="thumbsup"))
    send(bot, pin("1700000011.000100", channel=OTHER_CHANNEL))
    settle(bot)
    assert items(bot) == []
    assert bot.fake.calls("conversations.replies") == []


def test_a_configured_emoji(
    db: Database, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path
) -> None:
    config = copy_config(tmp_path / "config")
    edit_yaml(config / "meetings.yaml", meeting_channels)
    running, server = start_bot(db, fake_slack, clock, config_dir=config, oov_action_emoji=":memo:")
    try:
        slack_has(
            running,
            {"type": "message", "user": ANNA, "text": "verslag maken", "ts": "1700000012.000100"},
        )
        send(running, pin("1700000012.000100"))  # 📌 is not the configured emoji
        send(running, pin("1700000012.000100", reaction="memo"))
        running.fake.wait_for("chat.postMessage")
        assert [i.source for i in items(running)] == ["reaction"]
    finally:
        server.close()


# --- one item and one confirmation, however often Slack delivers ---------------------------------


def test_redeliveries_and_both_routes_give_one_item_and_one_confirmation(bot: RunningBot) -> None:
    reminder_sent(bot)
    event = message(f"actie: <@{BERT}> regelt de locatie", "1700000020.000100", thread=REMINDER_TS)
    send(bot, event, event_id="Ev0SAME0001")
    send(bot, event, event_id="Ev0SAME0001", retry_num=1, retry_reason="http_timeout")
    send(bot, event, event_id="Ev0SAME0001", retry_num=2, retry_reason="http_timeout")
    slack_has(bot, {**event, "type": "message"})
    send(bot, pin("1700000020.000100"))
    settle(bot)

    assert len(items(bot)) == 1
    assert len(replies_to(bot, REMINDER_TS)) == 1


def test_deliveries_arriving_at_the_same_moment_give_one_item(bot: RunningBot) -> None:
    from concurrent.futures import ThreadPoolExecutor

    reminder_sent(bot)
    event = message("actie: ik maak het verslag", "1700000021.000100", thread=REMINDER_TS)
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda n: send(bot, event, retry_num=n or None), range(4)))
    settle(bot)
    assert len(items(bot)) == 1
    assert len(replies_to(bot, REMINDER_TS)) == 1


def test_a_database_failure_is_answered_500_so_slack_redelivers(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    original = ActionStore.capture_lines
    failures = iter([True])

    def flaky(self: ActionStore, *args: Any, **kwargs: Any) -> Any:
        if next(failures, False):
            raise OperationalError(
                "INSERT ...", {"text": "geheim"}, Exception("database is locked")
            )
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ActionStore, "capture_lines", flaky)
    event = message("actie: ik bel de wijkagent\nactie: ik mail", "1700000022.000100")
    first = bot.slack.event(event, event_id="Ev0FLAKY001")
    assert first.status_code == 500
    assert items(bot) == []
    send(bot, event, event_id="Ev0FLAKY001", retry_num=1, retry_reason="http_error")
    bot.fake.wait_for("chat.postMessage")
    assert len(items(bot)) == 2


def test_a_failed_fetch_for_a_reaction_is_redelivered(bot: RunningBot) -> None:
    # Twice: the gateway tries a 5xx once more before giving up.
    bot.fake.fail_next("conversations.replies", status=500, times=2)
    assert bot.slack.event(pin("1700000023.000100")).status_code == 500
    slack_has(
        bot, {"type": "message", "user": ANNA, "text": "zaal boeken", "ts": "1700000023.000100"}
    )
    send(bot, pin("1700000023.000100"), retry_num=1, retry_reason="http_error")
    bot.fake.wait_for("chat.postMessage")
    assert [i.text for i in items(bot)] == ["zaal boeken"]


def test_message_text_never_reaches_the_logs(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG", logger="handlers")
    caplog.set_level("INFO")
    reminder_sent(bot)
    secret = "actie: bewoner Jansen Kerkstraat 12 bellen"
    send(bot, message(secret, "1700000024.000100", thread=REMINDER_TS))
    bot.fake.wait_for("chat.postMessage")
    send(
        bot,
        {
            **message("x", "1", thread=REMINDER_TS),
            "subtype": "message_changed",
            "message": message(secret + " vandaag", "1700000024.000100", thread=REMINDER_TS),
        },
    )
    bot.fake.wait_for("chat.update")
    assert "Jansen" not in caplog.text
    assert "captured" in caplog.text  # the log does say what happened


# --- edits and deletions ------------------------------------------------------------------------


def changed(ts: str, text: str, thread: str | None = REMINDER_TS) -> dict[str, Any]:
    return {
        "type": "message",
        "subtype": "message_changed",
        "channel": BOA_CHANNEL,
        "hidden": True,
        "ts": "1700009998.000100",
        "message": {
            **message(text, ts, thread=thread),
            "edited": {"user": ANNA, "ts": "1700009998.000100"},
        },
    }


def test_removing_the_prefix_cancels_and_adding_it_captures(bot: RunningBot) -> None:
    reminder_sent(bot)
    send(bot, changed("1700000030.000100", "actie: nu wel een actie"))  # edited into an action
    bot.fake.wait_for("chat.postMessage")
    [item] = items(bot)
    assert item.status == "open"
    send(bot, changed("1700000030.000100", "toch geen actie"))
    assert "is vervallen" in bot.fake.wait_for("chat.update")[0].args["text"]
    assert ActionStore(bot.ctx.db).get(item.id).status == "cancelled"  # type: ignore[union-attr]

    # Logged again through the shortcut, the same item comes back to life.
    shortcut = bot.slack.message_action_payload(
        "action_item_capture",
        {
            "text": "toch geen actie",
            "user": ANNA,
            "ts": "1700000030.000100",
            "thread_ts": REMINDER_TS,
        },
        channel_id=BOA_CHANNEL,
    )
    assert bot.slack.interactivity(shortcut).status_code == 200
    view = bot.fake.wait_for("views.open")[0].args["view"]
    values = {
        "text": {"value": {"type": "plain_text_input", "value": "toch wel een actie"}},
        "owner": {"value": {"type": "users_select", "selected_user": BERT}},
        "due": {"value": {"type": "datepicker", "selected_date": None}},
    }
    submit = bot.slack.view_submission_payload(
        "action_item_modal", values, private_metadata=view["private_metadata"]
    )
    assert bot.slack.interactivity(submit).status_code == 200
    [revived] = items(bot)
    assert (revived.id, revived.status, revived.owner_slack_id) == (item.id, "open", BERT)
    assert "bijgewerkt" in bot.fake.wait_for("chat.update", count=2)[-1].args["text"]


def test_putting_the_prefix_back_logs_the_item_again(bot: RunningBot) -> None:
    """Someone removes "actie:" by mistake and puts it back: the item is open again, with its
    number, its link and its one confirmation in the thread (edited, not a second reply)."""
    ts = "1700000034.000100"
    send(bot, message("actie: ik bel de wijkagent", ts))
    bot.fake.wait_for("chat.postMessage")
    send(bot, changed(ts, "ik bel de wijkagent", thread=None))
    assert "is vervallen" in bot.fake.wait_for("chat.update")[0].args["text"]
    send(bot, changed(ts, f"actie: <@{BERT}> belt de wijkagent voor vrijdag", thread=None))
    update = bot.fake.wait_for("chat.update", count=2)[-1].args["text"]
    [item] = items(bot)
    assert f"Actiepunt *#{item.id}* bijgewerkt: <@{BERT}>, uiterlijk vr 27 nov" in update
    assert (item.status, item.owner_slack_id, item.due_on) == ("open", BERT, date(2026, 11, 27))
    assert item.text == f"<@{BERT}> belt de wijkagent voor vrijdag"
    assert item.permalink is not None
    assert len(bot.fake.calls("chat.postMessage")) == 1


def test_an_edit_a_week_later_keeps_a_deadline_it_did_not_touch(bot: RunningBot) -> None:
    send(bot, message("actie: ik bel de wijkagent voor vrijdag", "1700000032.000100"))
    bot.fake.wait_for("chat.postMessage")
    bot.clock.current += timedelta(days=7)  # "vrijdag" is now 4 December
    send(
        bot,
        changed(
            "1700000032.000100", "actie: ik bel de wijkagent én de boa voor vrijdag", thread=None
        ),
    )
    bot.fake.wait_for("chat.update")
    [item] = items(bot)
    assert (item.text, item.due_on) == (
        "ik bel de wijkagent én de boa voor vrijdag",
        date(2026, 11, 27),
    )
    send(
        bot, changed("1700000032.000100", "actie: ik bel de wijkagent voor donderdag", thread=None)
    )
    bot.fake.wait_for("chat.update", count=2)
    [item] = items(bot)
    assert item.due_on == date(2026, 12, 3)
    assert "uiterlijk do 3 dec" in bot.fake.calls("chat.update")[-1].args["text"]


def test_a_deleted_parent_with_replies_cancels_its_item(bot: RunningBot) -> None:
    send(bot, message("actie: ik regel koffie", "1700000031.000100"))
    bot.fake.wait_for("chat.postMessage")
    tombstone = changed(
        "1700000031.000100", "This message was deleted.", thread="1700000031.000100"
    )
    tombstone["message"]["subtype"] = "tombstone"
    send(bot, tombstone)
    bot.fake.wait_for("chat.update")
    [item] = items(bot)
    assert item.status == "cancelled"


def exported_items(bot: RunningBot) -> str:
    """action_items.yaml as `oov-bot export` writes it: everything the bot keeps of the items."""
    from bot.features import export_config

    return export_config(bot.ctx.db)["action_items.yaml"]


@pytest.mark.parametrize("how", ["deleted", "deleted with replies"])
def test_a_deleted_message_leaves_nothing_of_its_text_behind(bot: RunningBot, how: str) -> None:
    """Someone deletes a message that named a resident: the bot keeps no copy of it until the
    retention purge, two years later. The item lapses with its number; its text goes."""
    ts = "1700000033.000100"
    send(bot, message("actie: ik bel mevrouw Jansen van de Dorpsstraat 12", ts))
    bot.fake.wait_for("chat.postMessage")
    assert "mevrouw Jansen" in exported_items(bot)
    if how == "deleted":
        event = {"type": "message", "subtype": "message_deleted", "channel": BOA_CHANNEL,
                 "hidden": True, "deleted_ts": ts, "ts": "1700009999.000200"}  # fmt: skip
    else:
        event = changed(ts, "This message was deleted.", thread=ts)
        event["message"]["subtype"] = "tombstone"
    send(bot, event)
    assert "is vervallen" in bot.fake.wait_for("chat.update")[0].args["text"]
    [item] = items(bot)
    assert item.status == "cancelled"
    kept = exported_items(bot)
    assert "Jansen" not in kept and "Dorpsstraat" not in kept
    assert item.permalink is None


def test_a_deletion_that_overtakes_its_message_leaves_no_item(bot: RunningBot) -> None:
    """The message's first delivery failed and Slack redelivers it after its author deleted it
    (or an edit of it straggles in): the deleted message's text is not logged after all."""
    ts = "1700000035.000100"
    secret = "actie: ik bel mevrouw Jansen van de Dorpsstraat 12"
    previous = {"type": "message", "user": ANNA, "text": secret, "ts": ts}
    deleted = {"type": "message", "subtype": "message_deleted", "channel": BOA_CHANNEL,
               "hidden": True, "deleted_ts": ts, "ts": "1700009999.000300",
               "previous_message": previous}  # fmt: skip
    send(bot, deleted)
    send(bot, message(secret, ts), retry_num=1, retry_reason="http_error")
    send(bot, changed(ts, secret + " morgen", thread=None))
    send(bot, pin(ts))
    settle(bot)
    assert "Jansen" not in exported_items(bot)
    assert [i.status for i in items(bot)] == ["cancelled"]
    assert bot.fake.calls("chat.postMessage") == []
    body = bot.slack.command("/acties", "open", user_id=ANNA).json()
    assert "Geen actiepunten gevonden" in str(body["blocks"])


def test_an_edit_that_straggles_in_after_the_deletion_does_not_bring_the_item_back(
    bot: RunningBot,
) -> None:
    ts = "1700000036.000100"
    send(bot, message("actie: ik bel mevrouw Jansen", ts))
    bot.fake.wait_for("chat.postMessage")
    deleted = {"type": "message", "subtype": "message_deleted", "channel": BOA_CHANNEL,
               "hidden": True, "deleted_ts": ts, "ts": "1700009999.000400"}  # fmt: skip
    send(bot, deleted)
    bot.fake.wait_for("chat.update")
    # An edit made before the deletion, redelivered after it.
    edit = changed(ts, "actie: ik bel mevrouw Jansen morgen", thread=None)
    send(bot, edit, retry_num=1, retry_reason="http_error")
    settle(bot)
    [item] = items(bot)
    assert (item.status, item.text) == ("cancelled", "")
    assert len(bot.fake.calls("chat.update")) == 1


# --- the phrasings, as they arrive from Slack ---------------------------------------------------


def test_owner_and_due_date_of_many_phrasings_over_http(bot: RunningBot) -> None:
    # Posted in the boa-briefing channel: "the next meeting" is the next boa-briefing after now.
    meeting_dates = {THREAD_NEXT: date(2026, 11, 24), BOA_NEXT: date(2026, 11, 24)}
    overrides = {"actie: terugkomen in het volgende teamoverleg": date(2026, 11, 23)}  # 10:00
    expected = {}
    for n, (now, text, owner, kind, due_on) in enumerate(PHRASINGS):
        bot.clock.current = now.astimezone(UTC)
        ts = f"1700100000.{n:06d}"
        send(bot, message(text, ts, user="U0AUTHOR1"))
        expected[ts] = (owner, kind, overrides.get(text, meeting_dates.get(due_on, due_on)))
    found = {i.message_ts: (i.owner_slack_id, i.due_kind, i.due_on) for i in items(bot)}
    assert found == expected
    assert len(found) >= 40
    settle(bot)  # the confirmations, before the fake Slack goes away


# --- the next reminder of the series ------------------------------------------------------------


def test_the_next_reminder_lists_the_open_items_overdue_first_and_its_thread_captures(
    bot: RunningBot,
) -> None:
    store = ActionStore(bot.ctx.db)
    bot.fake.set_channel_members(BOA_CHANNEL, list(SLACK_IDS.values()))  # the team only

    def add(n: int, due: date | None, *, series: str = "boa-briefing", owner: str = ANNA) -> int:
        new = NewActionItem(
            channel=BOA_CHANNEL,
            message_ts=f"1700000900.{n:06d}",
            thread_ts=None,
            source="prefix",
            text=f"punt {n}",
            owner_slack_id=owner,
            author_slack_id=ANNA,
            due_on=due,
            due_kind="date" if due else "default",
            series_key=series,
        )
        return store.capture(new, bot.clock()).item.id

    later = add(1, date(2026, 12, 8), owner=BERT)
    overdue = add(2, date(2026, 11, 16))
    undated = add(3, None)
    done = add(4, date(2026, 11, 10))
    store.close(done, ANNA, bot.clock())
    add(5, date(2026, 11, 1), series="teamoverleg")

    # The "day before" reminder of Tuesday 24 November falls on Monday 23 November, 16:00.
    bot.clock.current = bot.clock.current.replace(hour=14, minute=59)  # 15:59 local
    planned = [
        d
        for d in meetings.plan_deliveries(bot.ctx, bot.clock(), bot.clock() + timedelta(hours=1))
        if d.key.startswith("meeting:boa-briefing:2026-11-24:remind")
    ]
    assert [d.key for d in planned] == ["meeting:boa-briefing:2026-11-24:remind-1"]
    bot.clock.current += timedelta(minutes=1)
    assert Clock(bot.ctx, [], grace=timedelta(hours=1)).deliver(planned[0]) == "sent"

    post = bot.fake.wait_for("chat.postMessage")[0]
    assert post.args["channel"] == BOA_CHANNEL
    section = next(b for b in post.args["blocks"] if "Openstaande actiepunten" in str(b))
    lines = section["text"]["text"].splitlines()
    assert lines[0] == "*Openstaande actiepunten (3)*"
    assert [line.split()[1] for line in lines[1:]] == [
        f"*#{overdue}*",
        f"*#{later}*",
        f"*#{undated}*",
    ]
    assert "te laat" in lines[1] and f"<@{ANNA}>" in lines[1]
    assert f"<@{BERT}>" in lines[2] and "di 8 dec" in lines[2]

    # A reply in the thread of the real reminder becomes an item of this occurrence.
    reminder_ts = "1700000000.000100"  # the fake Slack gives its first message this ts
    send(bot, message("actie: ik stuur de agenda rond", "1700000950.000100", thread=reminder_ts))
    bot.fake.wait_for("chat.postMessage", count=2)
    item = store.by_source(BOA_CHANNEL, "1700000950.000100")
    assert item is not None
    assert item.series_key == "boa-briefing"
    assert item.occurrence_at == boa_occurrence(bot, date(2026, 11, 24)).start


def test_a_week_number_is_a_deadline_on_its_friday(bot: RunningBot) -> None:
    send(bot, message(f"actie: <@{BERT}> levert de cijfers aan in week 50", "1700000010.000100"))
    reply = bot.fake.wait_for("chat.postMessage")[0].args["text"]
    [item] = items(bot)
    assert (item.due_on, item.due_kind) == (date(2026, 12, 11), "date")
    assert "uiterlijk vr 11 dec" in reply and "volgende overleg" not in reply


def test_an_unreadable_deadline_is_said_to_be_unread_and_the_item_kept(bot: RunningBot) -> None:
    send(bot, message("actie: draaiboek klaar uiterlijk kerstavond", "1700000011.000100"))
    reply = bot.fake.wait_for("chat.postMessage")[0].args["text"]
    assert "de deadline heb ik niet begrepen" in reply
    assert "‘uiterlijk kerstavond’" in reply and "Pas je bericht aan" in reply
    assert "voor het volgende overleg" not in reply
    [item] = items(bot)
    assert item.text == "draaiboek klaar uiterlijk kerstavond"


# --- items due at a meeting that is cancelled or moved -------------------------------------------


def overleg(bot: RunningBot, text: str) -> str:
    response = bot.slack.command("/overleg", text)  # by aov-1, a team lead
    assert response.status_code == 200, response.text
    return str(response.json())


def due_dates(bot: RunningBot) -> list[date | None]:
    return [item.due_on for item in items(bot)]


def test_items_due_at_the_next_meeting_follow_it_when_it_is_cancelled_moved_or_restored(
    bot: RunningBot,
) -> None:
    reminder_sent(bot, date(2026, 11, 24))
    # In the thread of Tuesday 24 November: due at the next boa-briefing, 1 December.
    send(bot, message("todo: agenda rondsturen", "1700000020.000100", thread=REMINDER_TS))
    send(bot, message("actie: ik bel de wijkagent voor het volgende overleg", "1700000020.000200",
                      thread=REMINDER_TS))  # fmt: skip
    # Elsewhere, naming the boa-briefing: its next one, 24 November (not followed by the cancel).
    send(bot, message("AP: terugkomen voor de volgende boa-briefing", "1700000020.000300",
                      channel=TEAM_CHANNEL))  # fmt: skip
    # A plain date that happens to be 1 December stays what it is.
    send(bot, message("actie: evaluatie uiterlijk 1-12", "1700000020.000400", thread=REMINDER_TS))
    bot.fake.wait_for("chat.postMessage", count=4)
    settle(bot)
    assert due_dates(bot) == [date(2026, 12, 1), date(2026, 12, 1), date(2026, 11, 24),
                              date(2026, 12, 1)]  # fmt: skip
    posted = len(bot.fake.calls("chat.postMessage"))

    assert "Afgelast" in overleg(bot, "annuleer boa-briefing 1-12")
    announcement = bot.fake.wait_for("chat.postMessage", count=posted + 1)[-1].args["text"]
    assert announcement.endswith(
        "De volgende keer is dinsdag 8 december 2026, 09:00. 2 actiepunten voor dit overleg "
        "schuiven mee naar dinsdag 8 december 2026."
    )
    assert due_dates(bot) == [date(2026, 12, 8), date(2026, 12, 8), date(2026, 11, 24),
                              date(2026, 12, 1)]  # fmt: skip
    # /acties says so too.
    listed = str(bot.slack.command("/acties", "open").json())
    assert (listed.count("📅 di 8 dec"), listed.count("📅 di 1 dec")) == (2, 1)

    # Undone: they come back to 1 December.
    overleg(bot, "herstel boa 1-12")
    assert due_dates(bot)[:2] == [date(2026, 12, 1), date(2026, 12, 1)]

    # Moved to Thursday: they move along.
    assert "Verplaatst" in overleg(bot, "verplaats boa 1-12 naar 3-12 10:00")
    assert due_dates(bot) == [date(2026, 12, 3), date(2026, 12, 3), date(2026, 11, 24),
                              date(2026, 12, 1)]  # fmt: skip

    # The boa-briefing of 24 November is cancelled: the item from the teamoverleg follows it to
    # the next one held (3 December, moved); the thread's items wait for the one after it anyway.
    overleg(bot, "annuleer boa 24-11")
    assert due_dates(bot) == [date(2026, 12, 3), date(2026, 12, 3), date(2026, 12, 3),
                              date(2026, 12, 1)]  # fmt: skip
