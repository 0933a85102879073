"""`/overleg` over real HTTP with signed requests: the next 14 days, one series, and cancelling,
moving and restoring one occurrence with Dutch dates, announced in the series' channel.

The fixed clock stands at Monday 23 November 2026, 09:00 in Amsterdam."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from storage.session import Database
from testkit.app import RunningBot, start_bot
from testkit.clock import FixedClock
from testkit.fake_slack import FakeSlack
from testkit.team_config import LEADS_WITH_DEFAULT_USER, copy_config, edit_yaml

# U0AOV0002 changes meetings in these tests as well: they act as team leads.
LEADS = (*LEADS_WITH_DEFAULT_USER, "aov-2")


@pytest.fixture
def linked_bot(
    db: Database, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path
) -> Iterator[RunningBot]:
    config = copy_config(tmp_path / "config", team_leads=LEADS)
    running, server = start_bot(db, fake_slack, clock, config_dir=config)
    yield running
    server.close()


def overleg(bot: RunningBot, text: str = "", **kwargs: Any) -> dict[str, Any]:
    response = bot.slack.command("/overleg", text, **kwargs)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["response_type"] == "ephemeral"
    return body


def shown(body: dict[str, Any]) -> str:
    return json.dumps(body.get("blocks", []), ensure_ascii=False)


def posts(bot: RunningBot) -> list[dict[str, Any]]:
    return [call.args for call in bot.fake.calls("chat.postMessage")]


def test_overleg_lists_the_meetings_of_the_next_14_days(linked_bot: RunningBot) -> None:
    body = overleg(linked_bot)
    text = shown(body)
    assert body["blocks"][0]["text"]["text"] == "Overleggen komende 14 dagen"
    sections = [b["text"]["text"] for b in body["blocks"] if b["type"] == "section"]
    lines = "\n".join(sections).splitlines()
    assert lines[:3] == [
        "• *ma 23 nov 10:00–11:00* Teamoverleg Veiligheid · #teamoverleg",
        "• *di 24 nov 09:00–10:00* Boa-briefing · #boa-briefing",
        "• *do 26 nov 09:30–11:00* Lokaal operationeel veiligheidsoverleg (OVO) · #ovo",
    ]
    assert "di 1 dec 09:00–10:00* Boa-briefing" in text
    assert "7 dec" not in text  # 14 days end on Monday 7 December at 09:00


def test_the_list_moves_on_once_a_meeting_has_begun_and_the_fortnight_with_it(
    linked_bot: RunningBot,
) -> None:
    # The list is kept per meetings shown: asked again it is the same; once the teamoverleg has
    # begun it is gone, and the fortnight's end has moved past Monday 7 December, 10:00.
    first = shown(overleg(linked_bot))
    assert shown(overleg(linked_bot)) == first
    assert "ma 23 nov 10:00–11:00* Teamoverleg" in first and "7 dec" not in first
    linked_bot.clock.current = datetime(2026, 11, 23, 9, 1, tzinfo=UTC)  # 10:01 in Amsterdam
    later = shown(overleg(linked_bot))
    assert "ma 23 nov" not in later
    assert "ma 7 dec 10:00–11:00* Teamoverleg" in later


def test_overleg_with_a_name_shows_the_series(linked_bot: RunningBot) -> None:
    text = shown(overleg(linked_bot, "boa"))
    assert '"text": "Boa-briefing"' in text  # the header
    assert "2 uur per week" in text  # as written in the overview
    assert "elke week op dinsdag om 09:00, 1 uur" in text  # as understood
    assert "<@U0BOA0001>" in text  # the chair, mentioned
    assert "#boa-briefing" in text
    for day in ("24 november", "1 december", "8 december", "15 december", "22 december"):
        assert f"dinsdag {day} 2026, 09:00" in text
    assert "29 december" not in text  # five, not more
    assert "Voorbeeldwaarden" in text


def test_overleg_with_a_name_moves_on_once_a_meeting_has_begun(linked_bot: RunningBot) -> None:
    # The answer is kept per series and coming dates: asked again it is the same, and once the
    # first of them has begun it lists the five after it.
    first = shown(overleg(linked_bot, "boa"))
    assert shown(overleg(linked_bot, "boa-briefing")) == first
    assert "dinsdag 24 november 2026, 09:00" in first and "29 december" not in first
    linked_bot.clock.current = datetime(2026, 11, 24, 8, 1, tzinfo=UTC)  # 09:01 in Amsterdam
    later = shown(overleg(linked_bot, "boa"))
    assert "dinsdag 24 november 2026, 09:00" not in later
    assert "dinsdag 29 december 2026, 09:00" in later


def test_cancelling_one_meeting_is_announced_and_shown(linked_bot: RunningBot) -> None:
    body = overleg(linked_bot, "annuleer boa-briefing volgende dinsdag", user_id="U0AOV0002")
    assert "Afgelast: Boa-briefing van dinsdag 1 december 2026, 09:00" in shown(body)

    announcement = linked_bot.fake.wait_for("chat.postMessage")[0].args
    assert announcement["channel"] == "#boa-briefing"
    assert announcement["text"] == (
        "❌ *Boa-briefing* van dinsdag 1 december 2026, 09:00 gaat niet door (afgelast door "
        "<@U0AOV0002>). De volgende keer is dinsdag 8 december 2026, 09:00."
    )
    assert "~dinsdag 1 december 2026, 09:00~ — _gaat niet door (afgelast)_" in shown(
        overleg(linked_bot, "Boa-briefing")
    )
    assert "~di 1 dec 09:00–10:00 Boa-briefing~" in shown(overleg(linked_bot))

    again = overleg(linked_bot, "annuleer boa 1 december")
    assert "is al afgelast" in shown(again)
    assert len(posts(linked_bot)) == 1

    restored = overleg(linked_bot, "herstel boa 1-12")
    assert "gaat toch door op dinsdag 1 december 2026, 09:00" in shown(restored)
    assert "gaat toch door" in linked_bot.fake.wait_for("chat.postMessage", 2)[1].args["text"]


@pytest.mark.parametrize("text", ["annuleer boa op 1 december", "annuleer boa-briefing van 1-12"])
def test_a_date_after_op_or_van_is_read(linked_bot: RunningBot, text: str) -> None:
    assert "Afgelast: Boa-briefing van dinsdag 1 december 2026, 09:00" in shown(
        overleg(linked_bot, text)
    )


@pytest.mark.parametrize(
    ("text", "listed"),
    [
        ("verplaats teamoverleg 30-11 naar 1-12 14:00", "di 1 dec 14:00–15:00* Teamoverleg"),
        ("verplaats teamoverleg veiligheid 30 november 1 december 14:00", "di 1 dec 14:00"),
        ("verplaats Teamoverleg maandag 14:00", "ma 30 nov 14:00–15:00* Teamoverleg"),
        ("verplaats teamoverleg 30-11 woensdag", "wo 25 nov 10:00–11:00* Teamoverleg"),
        ("verplaats teamoverleg op 30-11 naar 1-12 14:00", "di 1 dec 14:00–15:00* Teamoverleg"),
        ("verplaats teamoverleg van 30 november naar 1 december 14:00", "di 1 dec 14:00"),
    ],
)
def test_moving_one_meeting_reads_dutch_dates(
    linked_bot: RunningBot, text: str, listed: str
) -> None:
    body = overleg(linked_bot, text)
    assert "Verplaatst: Teamoverleg Veiligheid van maandag 30 november 2026, 10:00 naar" in shown(
        body
    )
    announcement = linked_bot.fake.wait_for("chat.postMessage")[0].args
    assert (
        announcement["channel"] == "#teamoverleg" and "is verplaatst naar" in announcement["text"]
    )
    listing = shown(overleg(linked_bot))
    assert listed in listing
    # What changed: the day and time, or within the day only the time.
    same_day = listed.startswith("ma 30 nov")
    assert (
        "verplaatst, was om 10:00"
        if same_day
        else "verplaatst, was maandag 30 november 2026, 10:00"
    ) in listing


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("annuleer boa 31-2", "31 februari bestaat niet"),
        ("annuleer boa woensdag", "Op woensdag 25 november 2026 is er geen Boa-briefing"),
        ("annuleer boa sinterklaas", "niet lezen als datum"),
        ("annuleer", "Gebruik: `/overleg annuleer &lt;naam&gt; &lt;datum&gt;`"),
        ("annuleer kwispelstaart 1-12", "Ik ken geen overleg “kwispelstaart”"),
        ("verplaats boa 1-12 gisteren", "niet lezen als datum met tijd"),
        ("verplaats boa 24-11 23-11 08:00", "is al voorbij"),
        ("kwispelstaart", "Ik ken geen overleg “kwispelstaart”. Bekend: `boa-briefing`"),
        ("<!channel> zzz", "Ik ken geen overleg “&lt;!channel&gt; zzz”"),
    ],
)
def test_what_cannot_be_read_gets_a_clear_dutch_answer(
    linked_bot: RunningBot, text: str, answer: str
) -> None:
    body = overleg(linked_bot, text)
    assert answer in shown(body), shown(body)
    assert "Traceback" not in shown(body)
    assert posts(linked_bot) == []


def test_a_meeting_that_has_begun_cannot_be_changed(
    linked_bot: RunningBot, clock: FixedClock
) -> None:
    clock.advance(timedelta(hours=1, minutes=30))  # 10:30; the teamoverleg began at 10:00
    body = overleg(linked_bot, "verplaats teamoverleg vandaag 14:00")
    assert "Teamoverleg Veiligheid van maandag 23 november 2026, 10:00 is al begonnen" in shown(
        body
    )
    assert posts(linked_bot) == []


def test_a_failed_announcement_is_told_to_the_user(linked_bot: RunningBot) -> None:
    linked_bot.fake.fail_next("chat.postMessage", body={"ok": False, "error": "not_in_channel"})
    body = overleg(linked_bot, "annuleer boa 1-12")
    assert "Afgelast" in shown(body)  # the change itself is made
    follow_up = linked_bot.fake.wait_for("response_url")[0].args
    assert "lukte niet (not_in_channel)" in follow_up["text"]
    assert follow_up["response_type"] == "ephemeral"


@pytest.mark.parametrize("text", ["help", "hulp"])
def test_overleg_help(linked_bot: RunningBot, text: str) -> None:
    text_shown = shown(overleg(linked_bot, text))
    assert "/overleg annuleer &lt;naam&gt; &lt;datum of week&gt;" in text_shown
    assert "volgende dinsdag" in text_shown


def test_a_meeting_cannot_be_moved_onto_a_day_the_series_already_meets(
    linked_bot: RunningBot,
) -> None:
    body = overleg(linked_bot, "verplaats boa 15 dec naar 22 dec")
    assert "Op dinsdag 22 december 2026 is er al een Boa-briefing (09:00)" in shown(body)
    assert "/overleg annuleer boa-briefing 15-12-2026" in shown(body)
    assert posts(linked_bot) == []
    series = shown(overleg(linked_bot, "boa"))
    assert "dinsdag 15 december 2026, 09:00 (notulen" in series  # unchanged
    assert series.count("dinsdag 22 december 2026, 09:00") == 1


def test_moving_onto_a_public_holiday_is_done_with_a_warning(linked_bot: RunningBot) -> None:
    body = overleg(linked_bot, "verplaats teamoverleg 21 dec naar 25 dec 10:00")
    assert "Verplaatst: Teamoverleg Veiligheid van maandag 21 december 2026" in shown(body)
    assert "Let op: dat is een feestdag (Eerste kerstdag)" in shown(body)


def test_a_date_without_a_meeting_suggests_only_meetings_that_take_place(
    linked_bot: RunningBot,
) -> None:
    overleg(linked_bot, "annuleer boa 24 nov")
    body = overleg(linked_bot, "annuleer boa woensdag")
    assert "De volgende keren: di 1 dec, di 8 dec, di 15 dec." in shown(body)


def test_cancel_and_move_name_a_channel_id_as_a_mention(
    db: Database, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path
) -> None:
    config = copy_config(tmp_path / "config")

    def by_id(data: Any) -> None:
        for series in data["meetings"]:
            if series["key"] == "boa-briefing":
                series["channel"] = "C0BOA0001"

    edit_yaml(config / "meetings.yaml", by_id)
    bot, server = start_bot(db, fake_slack, clock, config_dir=config)
    try:
        cancelled = shown(overleg(bot, "annuleer boa volgende dinsdag"))
        assert "Ik meld het in <#C0BOA0001>." in cancelled
        moved = shown(overleg(bot, "verplaats boa 24-11 naar 25-11 10:00"))
        assert "Ik meld het in <#C0BOA0001>." in moved
    finally:
        server.close()


def test_cancelling_in_a_month_names_its_meetings_and_cancels_none(
    linked_bot: RunningBot,
) -> None:
    # On Monday 23 November 2026 "annuleer boa volgende maand" was read as 1 December and
    # cancelled that Tuesday's briefing: a month is all its days, so the meetings in it are named.
    answered = shown(overleg(linked_bot, "annuleer boa volgende maand"))
    assert "In december 2026 is er 5 keer Boa-briefing: di 1 dec, di 8 dec" in answered
    assert "Noem de datum" in answered
    assert linked_bot.fake.calls("chat.postMessage") == []


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("verplaats teamoverleg volgende maandag dinsdag 14:00", "Bedoel je dinsdag 24 november"),
        # A bare weekday three weeks before the meeting: asked, not moved there.
        ("verplaats boa 15-12 naar woensdag", "Bedoel je woensdag 25 november"),
        ("verplaats boa 1-12 1-1-9999 10:00", "ligt te ver weg"),
        ("annuleer boa 1-1-9999", "ligt te ver weg"),
        # a month or a week is no day to move to (it was its first day, without a word)
        ("verplaats boa 1-12 naar volgende maand", "‘volgende maand’ is geen dag maar december"),
        ("verplaats boa 1-12 naar volgende week", "‘volgende week’ is geen dag maar week 49"),
    ],
)
def test_moves_into_the_past_or_beyond_the_horizon_are_refused(
    linked_bot: RunningBot, text: str, answer: str
) -> None:
    assert answer in shown(overleg(linked_bot, text))
    assert linked_bot.fake.calls("chat.postMessage") == []


def test_a_cancelled_meeting_uses_up_nobodys_turn_to_take_the_minutes(
    linked_bot: RunningBot,
) -> None:
    def takers() -> list[str]:
        lines = shown(overleg(linked_bot, "boa")).split("*Volgende 5 keer*\\n")[1]
        return [line.split("notulen: ")[-1][:12] for line in lines.split("\\n")[:5]]

    # aov-2 and aov-3 take turns: 1 December is aov-2's.
    assert takers() == ["<@U0AOV0003>", "<@U0AOV0002>", "<@U0AOV0003>", "<@U0AOV0002>",
                        "<@U0AOV0003>"]  # fmt: skip
    overleg(linked_bot, "annuleer boa 1-12", user_id="U0AOV0002")
    # Cancelled, aov-2 takes the next one instead of skipping a turn.
    assert takers()[2:4] == ["<@U0AOV0002>", "<@U0AOV0003>"]


def test_a_reason_after_the_date_is_announced_with_the_change(linked_bot: RunningBot) -> None:
    body = overleg(linked_bot, "annuleer boa 1-12 ivm kerstreces <iedereen>", user_id="U0AOV0002")
    assert "Afgelast: Boa-briefing van dinsdag 1 december 2026, 09:00" in shown(body)
    announcement = linked_bot.fake.wait_for("chat.postMessage")[0].args["text"]
    assert "(afgelast door <@U0AOV0002>). Reden: kerstreces &lt;iedereen&gt;. De volgende" in (
        announcement
    )
    overleg(linked_bot, "verplaats teamoverleg 30-11 naar 1-12 14:00 wegens de begroting.")
    moved = linked_bot.fake.wait_for("chat.postMessage", 2)[1].args["text"]
    assert moved.endswith("(door <@U0AOV0001>). Reden: de begroting.")
