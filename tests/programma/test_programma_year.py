"""A year of the programme in simulated time, with fixed instants: seed 001's programme loaded,
activities updated from Slack over real HTTP, two clock processes running every day, the monthly
DM to every action holder exactly once, the regievoerders told once of a passed deadline, and at
the end a Word report whose content is what was recorded."""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from docx import Document as WordDocument

from bot.clock import Clock
from handlers.programma.blocks import NO_CHANGE_BUTTON, UPDATE_BUTTON, UPDATE_MODAL
from handlers.programma.clock import DIGEST_KIND, LATE_KIND, plan_deliveries
from storage.programme import ProgrammeStore
from storage.session import Database
from testkit.app import RunningBot, start_bot
from testkit.clock import FixedClock, run_round
from testkit.fake_slack import FakeSlack
from testkit.replies import answer
from testkit.team_config import SLACK_IDS, copy_config

START = datetime(2024, 3, 1, 11, 0, tzinfo=UTC)  # the first daily round: 1 March 2024, 12:00
OWNERS = {"aov-1", "aov-2", "aov-3", "beleidsmedewerker", "boa-coordinator"}
REGIE = {SLACK_IDS["aov-1"], SLACK_IDS["aov-2"]}

# (instant, user, activity, status, note, new deadline, spent): what the team records in Slack.
UPDATES = [
    (datetime(2024, 3, 15, 9, 0, tzinfo=UTC), "aov-1", "bibob-beleid", "loopt",
     "Concept geactualiseerd beleid besproken met het RIEC.", "", ""),
    (datetime(2024, 4, 8, 13, 30, tzinfo=UTC), "aov-3", "vitale-vakantieparken", "loopt",
     "Verkenning gestart met Vitale Vakantieparken Drenthe.", "", ""),
    (datetime(2024, 5, 20, 8, 15, tzinfo=UTC), "beleidsmedewerker",
     "communicatiestrategie-ondermijning", "geschrapt",
     "Team communicatie heeft geen capaciteit; opgenomen in de begroting 2025.", "", ""),
    (datetime(2024, 6, 10, 14, 0, tzinfo=UTC), "aov-1", "bibob-beleid", "vertraagd",
     "Wacht op het model-Bibobbeleid van het RIEC.", "15 februari 2025", ""),
    (datetime(2024, 10, 3, 15, 45, tzinfo=UTC), "aov-3", "systeemoefening-gae", "afgerond",
     "Systeemoefening op GAE gehouden; oefendoelen behaald.", "", "€ 2.500"),
    (datetime(2024, 10, 10, 9, 0, tzinfo=UTC), "boa-coordinator",
     "integrale-controle-bedrijventerreinen", "afgerond",
     "Eerste integrale controle op bedrijventerrein Vriezerbrug uitgevoerd.", "", "1.200"),
    (datetime(2024, 12, 16, 10, 0, tzinfo=UTC), "aov-1",
     "bestuurlijke-samenwerking-zorg-veiligheid", "afgerond",
     "Eerste bestuurlijk overleg zorg en veiligheid gehouden; ritme per kwartaal.", "", ""),
]  # fmt: skip


@pytest.fixture
def bot(db: Database, fake_slack: FakeSlack, tmp_path: Path) -> Iterator[RunningBot]:
    running, server = start_bot(
        db, fake_slack, FixedClock(START), config_dir=copy_config(tmp_path / "config")
    )
    yield running
    server.close()


def update_over_http(
    bot: RunningBot, user: str, key: str, status: str, note: str, deadline: str, spent: str
) -> None:
    slack_id = SLACK_IDS[user]
    activity = next(a for a in ProgrammeStore(bot.ctx.db).activities() if a.key == key)
    before = len(bot.fake.calls("views.open"))
    click = bot.slack.block_actions_payload(UPDATE_BUTTON, str(activity.id), user_id=slack_id)
    answer(bot.slack.interactivity(click))
    view = bot.fake.wait_for("views.open", before + 1)[-1].args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    values = {
        "status": {"value": {"type": "static_select", "selected_option": {"value": status}}},
        "note": {"value": {"type": "plain_text_input", "value": note}},
        "deadline": {"value": {"type": "plain_text_input", "value": deadline or None}},
        "spent": {"value": {"type": "plain_text_input", "value": spent or None}},
    }
    submit = bot.slack.view_submission_payload(
        UPDATE_MODAL, values, private_metadata=view["private_metadata"], user_id=slack_id
    )
    assert answer(bot.slack.interactivity(submit)) == {}


def digests(bot: RunningBot) -> list[dict[str, Any]]:
    return [
        c.args
        for c in bot.fake.calls("chat.postMessage")
        if str(c.args.get("text", "")).startswith("Uitvoeringsprogramma:")
    ]


def test_the_dms_wait_for_a_working_day(bot: RunningBot) -> None:
    """1 January (Nieuwjaarsdag) is no day for the monthly DM nor for telling the regievoerders
    that 31 December passed: both come on Thursday 2 January 2025, 09:00; Saturday 1 February's
    DM comes on Monday 3 February."""
    ams = ZoneInfo("Europe/Amsterdam")
    bot.clock.current = datetime(2024, 12, 31, 12, 0, tzinfo=UTC)
    new_year = datetime(2025, 1, 1, 0, 0, tzinfo=ams)
    planned = list(plan_deliveries(bot.ctx, new_year, new_year + timedelta(days=2)))
    due = {(d.kind, d.due_at) for d in planned if d.kind in (DIGEST_KIND, LATE_KIND)}
    thursday = datetime(2025, 1, 2, 9, 0, tzinfo=ams)
    assert due == {(DIGEST_KIND, thursday), (LATE_KIND, thursday)}
    assert {d.key for d in planned if d.kind == DIGEST_KIND} == {
        f"programma:dm:2025-01-01:{key}" for key in OWNERS
    }
    february = datetime(2025, 2, 1, 0, 0, tzinfo=ams)
    planned = list(plan_deliveries(bot.ctx, february, february + timedelta(days=3)))
    assert {d.due_at for d in planned if d.kind == DIGEST_KIND} == {
        datetime(2025, 2, 3, 9, 0, tzinfo=ams)
    }


def test_a_year_of_the_programme(bot: RunningBot) -> None:
    fixed = bot.clock
    assert isinstance(fixed, FixedClock)
    # Two clock processes by mistake: each delivery is still sent once.
    clocks = [Clock(bot.ctx, [plan_deliveries], grace=timedelta(hours=12)) for _ in range(2)]
    for clock in clocks:
        clock.scheduler.start(paused=True)
    pending = list(UPDATES)
    no_change_clicked = False
    day = START
    try:
        while day < datetime(2025, 3, 1, 11, 0, tzinfo=UTC):
            while pending and pending[0][0] <= day:
                at, user, key, status, note, deadline, spent = pending.pop(0)
                fixed.current = at
                update_over_http(bot, user, key, status, note, deadline, spent)
            for clock in clocks:
                run_round(clock, fixed, day)
            if not no_change_clicked and day.date() == date(2024, 7, 1):
                # aov-2 answers July's DM with "geen wijziging" for its first activity.
                dm = next(d for d in digests(bot)[::-1] if d["channel"] == SLACK_IDS["aov-2"])
                button = next(
                    e
                    for b in dm["blocks"]
                    if b["type"] == "actions"
                    for e in b["elements"]
                    if e["action_id"].startswith(NO_CHANGE_BUTTON)
                )
                click = bot.slack.block_actions_payload(
                    button["action_id"], button["value"], user_id=SLACK_IDS["aov-2"]
                )
                answer(bot.slack.interactivity(click))
                no_change_clicked = True
            day += timedelta(days=1)
    finally:
        for clock in clocks:
            clock.shutdown()

    # Every action holder got exactly one DM a month, twelve months long.
    sent = Counter(d["channel"] for d in digests(bot))
    assert sent == {SLACK_IDS[key]: 12 for key in OWNERS}
    # A deadline within four weeks is mentioned: bibob-beleid's (moved to 15 February 2025) in
    # February's DM (Saturday 1 February: sent Monday the 3rd); a passed one in January's
    # (vitale-vakantieparken, 31 December 2024).
    february = next(
        d
        for d in digests(bot)
        if d["channel"] == SLACK_IDS["aov-1"]
        and "Bibob" in json.dumps(d)
        and "Deadline binnen 4 weken (nog 12 dagen)" in json.dumps(d, ensure_ascii=False)
    )
    assert february
    assert any(
        "De deadline is verstreken" in json.dumps(d, ensure_ascii=False)
        for d in digests(bot)
        if d["channel"] == SLACK_IDS["aov-3"]
    )
    # Passed without "afgerond": vitale-vakantieparken (31 December 2024) and bibob-beleid
    # (15 February 2025). Each regievoerder is told once per activity; what was finished or
    # cancelled in time is not mentioned.
    late = [
        c.args
        for c in bot.fake.calls("chat.postMessage")
        if "is verstreken" in str(c.args.get("text", ""))
    ]
    assert Counter(a["channel"] for a in late) == {slack_id: 2 for slack_id in REGIE}
    assert sorted({a["text"].split("*")[1] for a in late}) == [
        "Bibob-beleid en implementatie",
        "Verkenning deelname Vitale Vakantieparken",
    ]

    # The report over 2024 says what was recorded, in order, and nothing else.
    fixed.current = datetime(2025, 2, 3, 9, 0, tzinfo=UTC)
    answer(bot.slack.command("/programma", "rapport tot 31 december 2024",
                             user_id=SLACK_IDS["aov-1"]))  # fmt: skip
    bot.fake.wait_for("files.completeUploadExternal", 2, timeout=30)
    word = next(u for u in bot.fake.uploads() if u.filename.endswith(".docx"))
    assert word.filename == "voortgangsrapportage-programma-2024-12-31.docx"
    doc = WordDocument(io.BytesIO(word.content))
    paragraphs = [p.text for p in doc.paragraphs]
    text = "\n".join(paragraphs)
    bibob = paragraphs.index("Bibob-beleid en implementatie")
    assert paragraphs[bibob + 1 : bibob + 6] == [
        "Doel behaald als: Het beleid voor het einde van 2024 is geactualiseerd.",
        "Status: vertraagd; deadline zaterdag 15 februari 2025 (oorspronkelijk dinsdag 31 "
        "december 2024). Actiehouder: AOV-er 1.",
        "Budget: Zie voorgesteld nieuw beleid. Bestuurlijk aanspreekpunt: burgemeester.",
        "vrijdag 15 maart 2024 — status loopt: Concept geactualiseerd beleid besproken met het "
        "RIEC.",
        "maandag 10 juni 2024 — status vertraagd, deadline verplaatst naar zaterdag 15 februari "
        "2025: "
        "Wacht op het model-Bibobbeleid van het RIEC.",
    ]
    assert "Status: afgerond; deadline dinsdag 31 december 2024. Actiehouder: AOV-er 3." in text
    assert ("donderdag 3 oktober 2024 — status afgerond, uitgegeven € 2.500: Systeemoefening op "
            "GAE gehouden; oefendoelen behaald.") in text  # fmt: skip
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    missed = next(t for t in tables if t[0] == ["Activiteit", "Status", "Deadline", "Reden"])
    assert missed[1:] == [
        ["Bibob-beleid en implementatie", "vertraagd", "zaterdag 15 februari 2025",
         "Wacht op het model-Bibobbeleid van het RIEC."],
        ["Communicatiestrategie ondermijning ontwikkelen", "geschrapt",
         "dinsdag 31 december 2024",
         "Team communicatie heeft geen capaciteit; opgenomen in de begroting 2025."],
        ["Verkenning deelname Vitale Vakantieparken", "loopt", "dinsdag 31 december 2024",
         "geen reden vastgelegd"],
]  # fmt: skip
    summary = next(t for t in tables if t[0][0] == "Prioriteit")
    assert summary[1:] == [
        ["Zorg en veiligheid", "3", "0", "0", "1", "0", "4"],
        ["Ondermijning", "7", "1", "1", "1", "1", "11"],
        ["Weerbaarheid digitaal gebied", "2", "0", "0", "0", "0", "2"],
        ["Incident- en rampenbestrijding", "2", "0", "0", "1", "0", "3"],
    ]
    money = next(t for t in tables if t[0] == ["", "Bedrag"])
    assert ["Uitgegeven (vastgelegd)", "€ 3.700"] in money
    assert ["Restant", "€ 210.871"] in money
    # "Geen wijziging" is recorded but adds no text to the report.
    assert "geen wijziging" not in text.casefold()


def test_deadlines_passing_together_reach_each_regievoerder_in_one_dm(bot: RunningBot) -> None:
    """Most of seed 001's activities end with the year: 31 December 2024 passing unfinished once
    sent each regievoerder one DM per activity on 2 January. It is one DM with every activity,
    also the one due on Nieuwjaarsdag, reported the same morning."""
    ams = ZoneInfo("Europe/Amsterdam")
    fixed = bot.clock
    assert isinstance(fixed, FixedClock)
    fixed.current = datetime(2024, 12, 31, 12, 0, tzinfo=UTC)
    new_year = datetime(2025, 1, 1, 0, 0, tzinfo=ams)
    late = [
        d
        for d in plan_deliveries(bot.ctx, new_year, new_year + timedelta(days=2))
        if d.kind == LATE_KIND
    ]
    assert len(late) == len(REGIE)
    fixed.current = datetime(2025, 1, 2, 8, 0, tzinfo=UTC)  # 09:00 in Amsterdam
    for delivery in late:
        delivery.send()
    sent = bot.fake.calls("chat.postMessage")
    assert sorted(c.args["channel"] for c in sent) == sorted(REGIE)
    text = sent[0].args["text"]
    assert text.startswith("⏰ Van 6 activiteiten is de deadline verstreken")
    for name in (
        "Bibob-beleid en implementatie",
        "Communicatiestrategie ondermijning ontwikkelen",
        "Integrale controle bedrijventerreinen",
        "Verkenning deelname Vitale Vakantieparken",
        "Deelname systeem oefening GAE met bevolkingszorg",
        "Bestuurlijke samenwerking domeinen Zorg en Veiligheid versterken",
    ):
        assert f"*{name}*" in text
    assert "`/programma achter`" in text
