"""Reading action lines (bot.action_items): prefix, owner and due date, at fixed instants around
month and year ends. The same phrasings go through Slack over HTTP in test_actions_http.py."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.action_items import ActionLine, action_body, find_owner, read_action, resolve_due

TZ = ZoneInfo("Europe/Amsterdam")
MON_NOV_23 = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
MON_NOV_30 = datetime(2026, 11, 30, 16, 0, tzinfo=TZ)  # last day of the month
WED_DEC_30 = datetime(2026, 12, 30, 10, 0, tzinfo=TZ)
THU_DEC_31 = datetime(2026, 12, 31, 16, 0, tzinfo=TZ)  # last day of the year
MON_FEB_28_2028 = datetime(2028, 2, 28, 9, 0, tzinfo=TZ)  # leap year

AUTHOR = "U0AUTHOR1"
# The thread's meeting and one other series the fake "next meeting" knows (dates no phrasing
# below means, so they cannot be confused with a date read from the text).
THREAD_NEXT = date(2027, 6, 15)
BOA_NEXT = date(2027, 6, 1)


def next_meeting(hint: str | None) -> date | None:
    if hint is None:
        return THREAD_NEXT
    return BOA_NEXT if "boa" in hint.lower() else None


# (now, line, owner, due kind, due date). The owner "U0AUTHOR1" is the author.
PHRASINGS = [
    (MON_NOV_23, "actie: ik bel de wijkagent voor vrijdag", AUTHOR, "date", date(2026, 11, 27)),
    (
        MON_NOV_23,
        "Actie: <@U0AOV0002> belt politie vóór vrijdag.",
        "U0AOV0002",
        "date",
        date(2026, 11, 27),
    ),
    (
        MON_NOV_23,
        "Actiepunt: <@U0AOV0002|anna> stuurt verslag uiterlijk 1 december",
        "U0AOV0002",
        "date",
        date(2026, 12, 1),
    ),
    (MON_NOV_23, "AP: <@U0AOV0003> mailt de politie 1-12", "U0AOV0003", "date", date(2026, 12, 1)),
    (
        MON_NOV_23,
        "todo: concept notitie 1 dec. naar de burgemeester",
        AUTHOR,
        "date",
        date(2026, 12, 1),
    ),
    (MON_NOV_23, "TODO : volgende week evaluatie plannen", AUTHOR, "date", date(2026, 12, 4)),
    (
        MON_NOV_23,
        "actie:over 2 weken terugkoppelen aan de burgemeester",
        AUTHOR,
        "date",
        date(2026, 12, 7),
    ),
    (MON_NOV_23, "*Actie:* rapportage eind van de maand", AUTHOR, "date", date(2026, 11, 30)),
    (
        MON_NOV_23,
        "actie: <@U0BOA0001> agendeert dit voor de volgende boa-briefing",
        "U0BOA0001",
        "next_meeting",
        BOA_NEXT,
    ),
    (MON_NOV_23, "actie: bespreken in volgend overleg", AUTHOR, "next_meeting", THREAD_NEXT),
    (
        MON_NOV_23,
        "actie: terugkomen in het volgende teamoverleg",
        AUTHOR,
        "next_meeting",
        THREAD_NEXT,
    ),
    (
        MON_NOV_23,
        "actie: z.s.m. contact met de woningcorporatie",
        AUTHOR,
        "asap",
        date(2026, 11, 24),
    ),
    (MON_NOV_23, "actie: <@U0AOV0002> zoekt uit hoe het zit", "U0AOV0002", "default", THREAD_NEXT),
    (MON_NOV_23, "actie: ik vraag <@U0AOV0002> om de cijfers", AUTHOR, "default", THREAD_NEXT),
    (MON_NOV_23, "actie: uiterlijk maandag 7 december", AUTHOR, "date", date(2026, 12, 7)),
    (
        MON_NOV_23,
        "actie: deadline 15-01 voor de subsidieaanvraag",
        AUTHOR,
        "date",
        date(2027, 1, 15),
    ),
    (
        MON_NOV_23,
        "actie: binnen 3 werkdagen reageren op de klacht",
        AUTHOR,
        "date",
        date(2026, 11, 26),
    ),
    (MON_NOV_23, "actie: morgen bellen met de wijkagent", AUTHOR, "date", date(2026, 11, 24)),
    (MON_NOV_23, "Actie: evaluatie klaar eind volgende week", AUTHOR, "date", date(2026, 12, 4)),
    (
        MON_NOV_23,
        "actie: begin volgende maand de cijfers opvragen",
        AUTHOR,
        "date",
        date(2026, 12, 1),
    ),
    (MON_NOV_23, "actie: t/m vrijdag beschikbaar voor vragen", AUTHOR, "date", date(2026, 11, 27)),
    (MON_NOV_23, "ACTIE: per direct de toegang intrekken", AUTHOR, "asap", date(2026, 11, 24)),
    (
        MON_NOV_23,
        "• actie: <@U0TL00001> tekent de beschikking voor dinsdag",
        "U0TL00001",
        "date",
        date(2026, 11, 24),
    ),
    (MON_NOV_23, "- TODO: overmorgen draaiboek rondsturen", AUTHOR, "date", date(2026, 11, 25)),
    (
        MON_NOV_23,
        "actie: bel 06-12345678 en vraag naar de planning",
        AUTHOR,
        "default",
        THREAD_NEXT,
    ),
    (MON_NOV_23, "actie: 3 agenten regelen voor de wedstrijd", AUTHOR, "default", THREAD_NEXT),
    (
        MON_NOV_23,
        "actie: <@U0AOV0002> en ik schrijven de notitie voor 2 jan",
        "U0AOV0002",
        "date",
        date(2027, 1, 2),
    ),
    # around the end of a month
    (MON_NOV_30, "actie: ik bel de wijkagent voor vrijdag", AUTHOR, "date", date(2026, 12, 4)),
    (MON_NOV_30, "actie: rapportage eind van de maand", AUTHOR, "date", date(2026, 11, 30)),
    (MON_NOV_30, "actie: uiterlijk 1-12 aanleveren", AUTHOR, "date", date(2026, 12, 1)),
    (MON_NOV_30, "actie: volgende week dinsdag bespreken", AUTHOR, "date", date(2026, 12, 8)),
    (MON_NOV_30, "actie: over een maand evalueren", AUTHOR, "date", date(2026, 12, 30)),
    (MON_NOV_30, "actie: zsm terugkoppelen", AUTHOR, "asap", date(2026, 12, 1)),
    # around the end of the year
    (
        WED_DEC_30,
        "actie: voor vrijdag de evaluatie jaarwisseling",
        AUTHOR,
        "date",
        date(2027, 1, 1),
    ),
    (WED_DEC_30, "actie: uiterlijk 5 januari rondsturen", AUTHOR, "date", date(2027, 1, 5)),
    (WED_DEC_30, "actie: volgende week plannen", AUTHOR, "date", date(2027, 1, 8)),
    (WED_DEC_30, "actie: over 2 weken terugkoppelen", AUTHOR, "date", date(2027, 1, 13)),
    (WED_DEC_30, "actie: eind van de maand afronden", AUTHOR, "date", date(2026, 12, 31)),
    (WED_DEC_30, "actie: stukken voor 1 feb. klaar", AUTHOR, "date", date(2027, 2, 1)),
    (THU_DEC_31, "actie: z.s.m. de schade opnemen", AUTHOR, "asap", date(2027, 1, 4)),
    (THU_DEC_31, "actie: morgen niets, overmorgen bellen", AUTHOR, "date", date(2027, 1, 1)),
    (THU_DEC_31, "actie: binnen twee werkdagen melden", AUTHOR, "date", date(2027, 1, 5)),
    (THU_DEC_31, "actie: voor het eind van het jaar", AUTHOR, "date", date(2026, 12, 31)),
    # a leap year's February
    (MON_FEB_28_2028, "actie: eind van de maand de cijfers", AUTHOR, "date", date(2028, 2, 29)),
    (MON_FEB_28_2028, "actie: uiterlijk 29 februari", AUTHOR, "date", date(2028, 2, 29)),
    (MON_FEB_28_2028, "actie: ASAP de melding doorzetten", AUTHOR, "asap", date(2028, 2, 29)),
    # a weekday closing the line is its deadline, like "1-12" there ("vrijdag" in the issue)
    (MON_NOV_23, "actie: ik bel de wijkagent vrijdag", AUTHOR, "date", date(2026, 11, 27)),
    (
        MON_NOV_23,
        "AP: <@U0AOV0002> mailt het draaiboek dinsdag.",
        "U0AOV0002",
        "date",
        date(2026, 11, 24),
    ),
    (WED_DEC_30, "actie: evaluatie rondsturen maandag", AUTHOR, "date", date(2027, 1, 4)),
]


@pytest.mark.parametrize(("now", "text", "owner", "kind", "due_on"), PHRASINGS)
def test_owner_and_due_date(now: datetime, text: str, owner: str, kind: str, due_on: date) -> None:
    line = read_action(text, author=AUTHOR, now=now, tz=TZ)
    assert line is not None
    assert line.owner == owner
    due = resolve_due(line.due, now, next_meeting, tz=TZ)
    assert (due.kind, due.on) == (kind, due_on)
    assert line.date_problem is None


def test_there_are_at_least_forty_phrasings() -> None:
    assert len({text for _, text, *_ in PHRASINGS}) >= 40


@pytest.mark.parametrize(
    ("text", "body"),
    [
        ("actie: bellen", "bellen"),
        ("Actie:bellen", "bellen"),
        ("ACTIE : bellen", "bellen"),
        ("actiepunt: bellen", "bellen"),
        ("AP: bellen", "bellen"),
        ("ap:bellen", "bellen"),
        ("TODO: bellen", "bellen"),
        ("todo :bellen", "bellen"),
        ("to-do: bellen", "bellen"),
        ("*Actie:* bellen", "bellen"),
        ("*Actie*: bellen", "bellen"),
        ("_actie:_ bellen", "bellen"),
        ("> actie: bellen", "bellen"),
        ("• AP: bellen", "bellen"),
    ],
)
def test_prefixes(text: str, body: str) -> None:
    assert action_body(text) == body


@pytest.mark.parametrize(
    "text",
    [
        "bellen met de actie: nee",  # not at the start
        "acties: zie lijst",  # another word
        "apart: iets",
        "actie bellen",  # no colon
        "actie:",  # nothing to do
        "todo:   ",
        "",
    ],
)
def test_no_action(text: str) -> None:
    assert action_body(text) is None
    assert read_action(text, author=AUTHOR, now=MON_NOV_23) is None


def test_without_a_prefix_the_whole_message_is_the_action_for_shortcut_and_reaction() -> None:
    line = read_action(
        "<@U0AOV0002> stuurt de notulen voor vrijdag",
        author=AUTHOR,
        now=MON_NOV_23,
        require_prefix=False,
    )
    assert line is not None
    assert line.text == "<@U0AOV0002> stuurt de notulen voor vrijdag"
    assert (line.owner, line.owner_named) == ("U0AOV0002", True)
    assert line.due is not None and line.due.date == date(2026, 11, 27)


def test_owner_rules() -> None:
    assert find_owner("bellen", AUTHOR) == (AUTHOR, False)
    assert find_owner("ik bel", AUTHOR) == (AUTHOR, True)
    assert find_owner("Ik bel <@U2>", AUTHOR) == (AUTHOR, True)
    assert find_owner("<@U2> belt <@U3>", AUTHOR) == ("U2", True)
    assert find_owner("<@U2> belt mij, ik wacht", AUTHOR) == ("U2", True)
    assert find_owner("<!subteam^S1|@piket> en <@U3>", AUTHOR) == ("U3", True)
    assert find_owner("kijk naar <@U0BOT> en <@U3>", AUTHOR, not_owners={"U0BOT"}) == ("U3", True)
    assert find_owner("kikker", AUTHOR) == (AUTHOR, False)  # "ik" inside a word


def test_an_impossible_date_keeps_the_action_and_says_why_in_dutch() -> None:
    line = read_action("actie: uiterlijk 31-2 aanleveren", author=AUTHOR, now=MON_NOV_23)
    assert line is not None
    assert line.due is None
    assert line.date_problem == "31 februari bestaat niet: februari heeft hoogstens 29 dagen."
    due = resolve_due(line.due, MON_NOV_23, next_meeting, tz=TZ)
    assert (due.kind, due.on) == ("default", THREAD_NEXT)


def test_a_weekday_that_does_not_match_the_date_is_reported() -> None:
    line = read_action("actie: uiterlijk maandag 8 december", author=AUTHOR, now=MON_NOV_23)
    assert line is not None and line.date_problem is not None
    assert "8 december 2026 is een dinsdag, geen maandag" in line.date_problem


def test_an_unknown_meeting_falls_back_to_the_threads_meeting_and_none_without_one() -> None:
    line = read_action("actie: voor de volgende stuurgroep", author=AUTHOR, now=MON_NOV_23)
    assert line is not None
    due = resolve_due(line.due, MON_NOV_23, next_meeting, tz=TZ)
    assert (due.kind, due.on) == ("next_meeting", THREAD_NEXT)
    nothing = resolve_due(None, MON_NOV_23, lambda hint: None, tz=TZ)
    assert (nothing.kind, nothing.on) == ("default", None)


def test_the_same_deadline_words_are_recognised_after_an_edit() -> None:
    def line(text: str) -> ActionLine:
        found = read_action(text, author=AUTHOR, now=MON_NOV_23, require_prefix=False)
        assert found is not None
        return found

    assert line("bel Jan voor vrijdag").same_due_phrase(line("bel Jan en Piet  VOOR vrijdag."))
    assert line("bel Jan").same_due_phrase(line("bel Piet"))
    assert not line("bel Jan voor vrijdag").same_due_phrase(line("bel Jan voor donderdag"))
    assert not line("bel Jan").same_due_phrase(line("bel Jan 1-12"))
    assert line("<@U2> mailt 1-12").due_phrase == "1-12"
