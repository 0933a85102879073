"""Meeting reminders through the clock, with a fixed clock and the fake Slack: what is posted,
where and when, exactly once across restarts, reloads, cancellations and moves; misses and
refusals reported to the chair. (The clock's scheduler is started paused; each round plans and
then runs the jobs that are due, as the running scheduler would.)"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import create_context
from bot.clock import Clock
from bot.context import AppContext
from bot.features import import_config, load_config
from bot.language import TZ
from handlers.meetings import clock as meeting_handlers
from storage.actions import ActionStore, NewActionItem
from storage.deliveries import DeliveryStore
from storage.meetings import MeetingStore
from storage.session import Database
from testkit.app import make_settings
from testkit.clock import FixedClock, run_round
from testkit.fake_slack import FakeSlack
from testkit.team_config import SLACK_IDS, copy_config, edit_yaml

BOA_CHANNEL = "#boa-briefing"
BOA_CHAIR = "U0BOA0001"


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


@dataclass
class World:
    ctx: AppContext
    clock: FixedClock
    fake: FakeSlack
    config: Path
    clocks: list[Clock]

    def start_clock(self) -> Clock:
        """A clock process (a new one = a restart), its scheduler paused: `round` drives it."""
        clock = Clock(self.ctx, [meeting_handlers.plan_deliveries], grace=timedelta(hours=2))
        clock.scheduler.start(paused=True)
        self.clocks.append(clock)
        return clock

    def round(self, clock: Clock, when: datetime) -> list[str]:
        return run_round(clock, self.clock, when)

    def posts(self, channel: str | None = None) -> list[dict[str, Any]]:
        return [
            c.args
            for c in self.fake.calls("chat.postMessage")
            if channel is None or c.args["channel"] == channel
        ]

    def reimport(self) -> None:
        import_config(self.ctx.db, load_config(self.config), self.clock())


@pytest.fixture
def world(
    db: Database, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path
) -> Iterator[World]:
    config = copy_config(tmp_path / "config")
    import_config(db, load_config(config), clock())
    settings = make_settings(
        database_url=db.url,
        slack_bot_token="xoxb-test",
        slack_api_url=fake_slack.url,
        oov_config_dir=config,
    )
    world = World(create_context(settings, db=db, clock=clock), clock, fake_slack, config, [])
    yield world
    for running in world.clocks:
        running.scheduler.shutdown(wait=False)


def blocks_text(post: dict[str, Any]) -> str:
    return json.dumps(post.get("blocks", []), ensure_ascii=False)


def test_the_boa_briefing_is_reminded_once_with_everything_the_channel_needs(
    world: World,
) -> None:
    clock = world.start_clock()
    world.round(clock, at(2026, 11, 23, 10, 0))
    [dm] = world.posts(BOA_CHAIR)  # the chair's DM, the working day before
    assert "Je bent voorzitter van *Boa-briefing* op *dinsdag 24 november 2026, 09:00*" in (
        blocks_text(dm)
    )
    assert "Agendavoorbereiding" in blocks_text(dm)

    assert world.round(clock, at(2026, 11, 23, 16, 0)) == ["sent"]
    reminder = world.posts(BOA_CHANNEL)[0]
    shown = blocks_text(reminder)
    assert reminder["blocks"][0]["text"]["text"] == "Boa-briefing — morgen"
    assert "*dinsdag 24 november 2026, 09:00–10:00*" in shown
    assert "Gemeentehuis, vergaderkamer 2" in shown
    # The chair, and the minute taker: aov-3, in turn 45 (5 May was skipped for Bevrijdingsdag).
    assert f"<@{BOA_CHAIR}>" in shown and "<@U0AOV0003>" in shown
    assert "Externen betrekken (politie, jongerenwerkers, Kmar, verkeer, etc.)" in shown
    assert "*Externen uitnodigen:* politie, jongerenwerk, KMar, verkeer" in shown
    assert "Agendapunten? Reageer in deze thread." in shown
    assert "Agendapunten? Reageer in deze thread." in reminder["text"]

    # The same round again, a restart and a config reload post nothing new.
    assert world.round(clock, at(2026, 11, 23, 16, 1)) == []
    restarted = world.start_clock()
    assert world.round(restarted, at(2026, 11, 23, 16, 2)) == []

    def later_and_elsewhere(data: Any) -> None:
        boa = next(m for m in data["meetings"] if m["key"] == "boa-briefing")
        boa["time"], boa["place"] = "09:30", "Raadzaal"

    edit_yaml(world.config / "meetings.yaml", later_and_elsewhere)
    world.reimport()
    assert world.round(restarted, at(2026, 11, 23, 16, 3)) == []
    assert len(world.posts(BOA_CHANNEL)) == 1

    # The reminder on the day shows the new time.
    assert world.round(restarted, at(2026, 11, 24, 8, 30)) == ["sent"]
    on_the_day = world.posts(BOA_CHANNEL)[1]
    assert on_the_day["blocks"][0]["text"]["text"] == "Boa-briefing — vandaag"
    assert "09:30–10:30" in blocks_text(on_the_day) and "Raadzaal" in blocks_text(on_the_day)


def test_a_reminder_on_friday_for_monday_names_the_day_once(world: World) -> None:
    clock = world.start_clock()
    # Teamoverleg Veiligheid meets on Monday 30 November; the working day before is Friday.
    assert world.round(clock, at(2026, 11, 27, 16, 0)) == ["sent"]
    [reminder] = world.posts("#teamoverleg")
    assert reminder["blocks"][0]["text"]["text"] == "Teamoverleg Veiligheid — maandag 30 november"
    assert "*maandag 30 november 2026, 10:00–11:00*" in blocks_text(reminder)
    assert reminder["text"] == (
        "Teamoverleg Veiligheid: maandag 30 november 2026, 10:00. "
        "Agendapunten? Reageer in deze thread."
    )


def _item_lines_of_the_reminder(world: World, text: str) -> tuple[int, list[str]]:
    """One open boa-briefing item with `text`, due Friday 27 November: its id, and the lines
    of the open items in the reminder posted the working day before the meeting."""
    captured = ActionStore(world.ctx.db).capture(
        NewActionItem(
            channel="C0BOA0001",
            message_ts="1700000900.000001",
            thread_ts=None,
            source="prefix",
            text=text,
            owner_slack_id="U0AOV0002",
            author_slack_id="U0AOV0002",
            due_on=date(2026, 11, 27),
            due_kind="date",
            series_key="boa-briefing",
        ),
        world.clock(),
    )
    world.fake.set_channel_members("C0BOA0001", list(SLACK_IDS.values()))  # the team only
    clock = world.start_clock()
    assert world.round(clock, at(2026, 11, 23, 16, 0)) == ["sent"]
    [reminder] = world.posts(BOA_CHANNEL)
    [items] = [b for b in reminder["blocks"] if "Openstaande actiepunten" in str(b)]
    return captured.item.id, items["text"]["text"].splitlines()[1:]


def test_an_item_of_several_lines_is_one_line_of_the_reminder(world: World) -> None:
    item_id, lines = _item_lines_of_the_reminder(
        world, "bel de wijkagent\n- en de jongerenwerker\n\nover de overlast"
    )
    assert lines == [
        f"• *#{item_id}* bel de wijkagent - en de jongerenwerker over de overlast — "
        "<@U0AOV0002>, vr 27 nov"
    ]


def test_a_long_item_is_cut_without_leaving_half_an_escaped_character(world: World) -> None:
    # Stored as Slack sends it: "&" as "&amp;", which the cut at 200 characters falls in.
    item_id, [line] = _item_lines_of_the_reminder(
        world, "x" * 195 + " &amp; de rest van het verhaal"
    )
    assert line == f"• *#{item_id}* " + "x" * 195 + "… — <@U0AOV0002>, vr 27 nov"


def test_the_thread_of_a_reminder_leads_back_to_its_meeting(world: World) -> None:
    clock = world.start_clock()
    world.round(clock, at(2026, 11, 23, 16, 0))
    sent = world.fake.wait_for("chat.postMessage")[0]
    record = next(r for r in DeliveryStore(world.ctx.db).list() if r.status == "sent")
    store = MeetingStore(world.ctx.db)
    view, occurrence = store.for_message(record.channel, record.ts)
    assert view.key == "boa-briefing" and occurrence.start == at(2026, 11, 24, 9, 0)
    assert sent.args["channel"] == record.channel
    # A message in the channel outside a reminder's thread still belongs to the series.
    view, occurrence = store.for_message(record.channel, None)
    assert view.key == "boa-briefing" and occurrence is None
    assert store.next_occurrence("boa-briefing", at(2026, 11, 24, 9, 0)).start == at(
        2026, 12, 1, 9, 0
    )


def test_a_cancelled_meeting_is_not_reminded_even_when_already_planned(world: World) -> None:
    clock = world.start_clock()
    world.round(clock, at(2026, 11, 23, 15, 0))
    planned = {job.id for job in clock.scheduler.get_jobs()}
    assert "meeting:boa-briefing:2026-11-24:remind-1" in planned
    MeetingStore(world.ctx.db).cancel(
        "boa-briefing", date(2026, 11, 24), by="U1", now=world.clock()
    )
    # Due before the next planning round noticed: checked again when it is sent.
    job = clock.scheduler.get_job("meeting:boa-briefing:2026-11-24:remind-1")
    world.clock.current = at(2026, 11, 23, 16, 0)
    job.func(*job.args)
    assert world.posts(BOA_CHANNEL) == []
    # And the next round drops it altogether.
    world.round(clock, at(2026, 11, 24, 8, 30))
    assert clock.scheduler.get_job("meeting:boa-briefing:2026-11-24:remind-0") is None
    assert world.posts(BOA_CHANNEL) == []


def test_a_moved_meeting_is_reminded_for_its_new_time_but_not_for_what_the_move_replaced(
    world: World,
) -> None:
    clock = world.start_clock()
    world.round(clock, at(2026, 11, 23, 16, 0))
    assert len(world.posts(BOA_CHANNEL)) == 1  # the reminder for Tuesday 09:00
    world.clock.current = at(2026, 11, 23, 17, 0)
    store = MeetingStore(world.ctx.db)
    store.move(
        "boa-briefing", date(2026, 11, 24), at(2026, 11, 24, 11, 0), by="U1", now=world.clock()
    )
    # The move is announced by /overleg; the "day before" reminder is not repeated for it.
    assert world.round(clock, at(2026, 11, 23, 17, 0)) == []
    assert world.round(clock, at(2026, 11, 24, 8, 30)) == ["sent"]
    on_the_day = world.posts(BOA_CHANNEL)[1]
    assert "*dinsdag 24 november 2026, 11:00–12:00*" in blocks_text(on_the_day)
    # The note names what changed: the time (not the day it still is).
    assert "Verplaatst, was om 09:00" in blocks_text(on_the_day)
    keys = {r.key for r in DeliveryStore(world.ctx.db).list() if r.status == "sent"}
    assert "meeting:boa-briefing:2026-11-24:remind-0@2026-11-24T11:00" in keys


def test_a_meeting_moved_to_another_day_gets_its_reminders_there(world: World) -> None:
    clock = world.start_clock()
    store = MeetingStore(world.ctx.db)
    store.move(
        "boa-briefing", date(2026, 11, 24), at(2026, 11, 26, 14, 0), by="U1", now=world.clock()
    )
    world.round(clock, at(2026, 11, 23, 16, 0))
    assert world.posts(BOA_CHANNEL) == []  # not on Monday any more
    world.round(clock, at(2026, 11, 25, 10, 0))
    [dm] = world.posts(BOA_CHAIR)  # the chair, on Wednesday
    assert "*donderdag 26 november 2026, 14:00*" in blocks_text(dm)
    world.round(clock, at(2026, 11, 25, 16, 0))
    [reminder] = world.posts(BOA_CHANNEL)
    assert reminder["blocks"][0]["text"]["text"] == "Boa-briefing — morgen"
    assert "*donderdag 26 november 2026, 14:00–15:00*" in blocks_text(reminder)
    assert "Verplaatst, was dinsdag 24 november 2026, 09:00" in blocks_text(reminder)


def test_holidays_move_or_skip_with_a_word_about_why(world: World) -> None:
    clock = world.start_clock()
    # Koningsdag (Monday 27 April): the teamoverleg moves to Tuesday, reminded on Friday.
    world.round(clock, at(2026, 4, 24, 16, 0))
    [moved] = world.posts("#teamoverleg")
    assert "*dinsdag 28 april 2026, 10:00–11:00*" in blocks_text(moved)
    assert "Verplaatst vanwege Koningsdag (valt op maandag 27 april 2026)" in blocks_text(moved)


def test_a_meeting_skipped_for_a_holiday_gets_one_notice(world: World) -> None:
    clock = world.start_clock()
    world.round(clock, at(2026, 5, 4, 10, 0))
    assert world.posts(BOA_CHAIR) == []  # no chair DM for a skipped meeting
    world.round(clock, at(2026, 5, 4, 16, 0))
    [notice] = world.posts(BOA_CHANNEL)
    assert notice["text"] == (
        "Boa-briefing gaat niet door op dinsdag 5 mei 2026: Bevrijdingsdag. "
        "De volgende keer is dinsdag 12 mei 2026, 09:00."
    )
    world.round(clock, at(2026, 5, 5, 8, 30))
    assert len(world.posts(BOA_CHANNEL)) == 1


def test_reminders_missed_while_the_clock_was_down_are_reported_not_posted_late(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    clock = world.start_clock()
    world.round(clock, at(2026, 11, 23, 9, 0))
    # Down from Monday 09:00 to Tuesday 08:45: the chair's DM (Monday 10:00) and the day-before
    # reminder (Monday 16:00) are too old; the one of 08:30 is late within the grace window.
    restarted = world.start_clock()
    with caplog.at_level(logging.WARNING):
        assert world.round(restarted, at(2026, 11, 24, 8, 45)) == ["sent"]
    assert len(world.posts(BOA_CHANNEL)) == 1
    reports = [p["text"] for p in world.posts(BOA_CHAIR)]
    assert len(reports) == 2
    meeting = "voor *Boa-briefing* van dinsdag 24 november 2026, 09:00 is niet verstuurd"
    assert any(
        f"De herinnering van maandag 23 november om 16:00 {meeting}" in text
        and "#boa-briefing" in text
        for text in reports
    )
    assert any(text.startswith("⚠️ Je voorbereidingsbericht voor *Boa") for text in reports)
    statuses = {r.key: r.status for r in DeliveryStore(world.ctx.db).list()}
    assert statuses["meeting:boa-briefing:2026-11-24:remind-1"] == "missed"
    assert "missed meeting:boa-briefing:2026-11-24:remind-1" in caplog.text
    # Reported once: the next round is quiet.
    world.round(restarted, at(2026, 11, 24, 8, 46))
    assert len(world.posts(BOA_CHAIR)) == 2


def test_after_days_down_what_is_stale_is_logged_not_posted_or_reported(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    clock = world.start_clock()
    world.round(clock, at(2026, 11, 23, 9, 0))
    # Down from Monday 09:00 until Thursday 09:30: Tuesday's boa-briefing and every other meeting
    # of those days have been held (or not) without the bot. Nothing about them is worth a DM now;
    # the reminder of 08:30 today, late within the grace window, is for a meeting begun at 09:00.
    before = len(world.posts())
    restarted = world.start_clock()
    with caplog.at_level(logging.INFO):
        world.round(restarted, at(2026, 11, 26, 9, 30))
    # Only the Veiligheidsoverleg Noord Drenthe of 13:30 today is still ahead: its Trekker hears
    # that its DM and the day-before reminder did not go out, and its channel gets today's
    # reminder (late within the grace window). Nothing about the meetings already held.
    sent = world.posts()[before:]
    assert len(sent) == 3
    assert all("Veiligheidsoverleg Noord Drenthe" in p["text"] for p in sent)
    statuses = {r.key: r.status for r in DeliveryStore(world.ctx.db).list()}
    assert statuses["meeting:boa-briefing:2026-11-24:remind-1"] == "missed"
    stale = "missed meeting delivery meeting:boa-briefing:2026-11-24:chair: its meeting has begun"
    assert stale in caplog.text


def test_after_an_outage_within_a_long_grace_window_the_channel_gets_one_reminder(
    world: World,
) -> None:
    # A grace window of a day: down from Monday 15:00 to Tuesday 08:45, the reminders of Monday
    # 16:00 and Tuesday 08:30 are both still within it. The channel gets the latest only.
    clock = Clock(world.ctx, [meeting_handlers.plan_deliveries], grace=timedelta(hours=24))
    clock.scheduler.start(paused=True)
    world.clocks.append(clock)
    world.round(clock, at(2026, 11, 23, 15, 0))
    restarted = Clock(world.ctx, [meeting_handlers.plan_deliveries], grace=timedelta(hours=24))
    restarted.scheduler.start(paused=True)
    world.clocks.append(restarted)
    world.round(restarted, at(2026, 11, 24, 8, 45))
    [reminder] = world.posts(BOA_CHANNEL)
    assert reminder["blocks"][0]["text"]["text"] == "Boa-briefing — vandaag"


def test_a_missed_notice_of_a_meeting_off_for_a_holiday_says_it_is_off(world: World) -> None:
    clock = world.start_clock()
    world.round(clock, at(2026, 5, 4, 9, 0))
    # Down over the notice of Monday 16:00 that Tuesday's boa-briefing is off (Bevrijdingsdag).
    restarted = world.start_clock()
    world.round(restarted, at(2026, 5, 4, 19, 0))
    assert world.posts(BOA_CHANNEL) == []
    [report] = [p["text"] for p in world.posts(BOA_CHAIR)]
    assert report.endswith(
        "Laat #boa-briefing zo nodig zelf weten dat het overleg niet doorgaat (Bevrijdingsdag)."
    )


def test_a_reminder_due_before_the_meeting_is_not_posted_once_it_has_begun(world: World) -> None:
    clock = world.start_clock()
    world.round(clock, at(2026, 11, 23, 17, 0))
    # Down from Monday 17:00 to Tuesday 09:15: the 08:30 reminder is within the grace window,
    # but "vandaag 09:00" at 09:15 only confuses.
    restarted = world.start_clock()
    world.round(restarted, at(2026, 11, 24, 9, 15))
    assert len(world.posts(BOA_CHANNEL)) == 1  # Monday's only


def test_a_reminder_late_within_the_grace_window_is_posted_once(world: World) -> None:
    clock = world.start_clock()
    world.round(clock, at(2026, 11, 23, 15, 0))
    restarted = world.start_clock()
    assert world.round(restarted, at(2026, 11, 23, 17, 30)) == ["sent"]
    assert len(world.posts(BOA_CHANNEL)) == 1
    assert world.round(restarted, at(2026, 11, 23, 17, 31)) == []


@pytest.mark.parametrize(
    ("error", "advice"),
    [
        ("channel_not_found", "het kanaal bestaat niet (meer)"),
        ("not_in_channel", "Nodig hem uit met `/invite @oov-bot`"),
    ],
)
def test_a_channel_the_bot_cannot_post_in_is_reported_once_without_retrying(
    world: World, caplog: pytest.LogCaptureFixture, error: str, advice: str
) -> None:
    clock = world.start_clock()
    world.fake.fail_next("chat.postMessage", body={"ok": False, "error": error})
    with caplog.at_level(logging.ERROR):
        assert world.round(clock, at(2026, 11, 23, 16, 0)) == ["failed"]
    assert f"Slack refused the post to #boa-briefing ({error})" in caplog.text
    report = world.posts(BOA_CHAIR)[0]["text"]
    assert "Ik kon de herinnering van maandag 23 november om 16:00 voor *Boa-briefing*" in report
    assert advice in report
    for minute in range(1, 4):  # no retry storm
        assert world.round(clock, at(2026, 11, 23, 16, minute)) == []
    assert len(world.posts(BOA_CHANNEL)) == 1
    assert len(world.posts(BOA_CHAIR)) == 1


def test_a_name_with_ampersand_or_angle_brackets_is_escaped_in_the_notification_text(
    world: World,
) -> None:
    def rename(data: Any) -> None:
        boa = next(m for m in data["meetings"] if m["key"] == "boa-briefing")
        boa["name"] = "Boa & handhaving <wijk>"

    edit_yaml(world.config / "meetings.yaml", rename)
    world.reimport()
    clock = world.start_clock()
    world.round(clock, at(2026, 11, 23, 10, 0))
    [dm] = world.posts(BOA_CHAIR)
    world.round(clock, at(2026, 11, 23, 16, 0))
    [reminder] = world.posts(BOA_CHANNEL)
    # Slack reads `text` as mrkdwn: before, the notification showed the name as 'Boa '
    # (with '<wijk>' taken for a link) where the blocks said 'Boa & handhaving <wijk>'.
    assert reminder["text"].startswith("Boa &amp; handhaving &lt;wijk&gt; morgen: ")
    assert "van Boa &amp; handhaving &lt;wijk&gt; op" in dm["text"]
