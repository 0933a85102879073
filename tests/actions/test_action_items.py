"""Reading action lines (bot.core.action_items): prefix, owner and due date, at fixed instants
around month and year ends. The same phrasings go through Slack over HTTP in
test_actions_http.py."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.core.action_items import (
    ActionLine,
    action_body,
    find_owner,
    read_action,
    read_actions,
    resolve_due,
)
from testkit.action_phrasings import (
    AUTHOR,
    BOA_NEXT,
    MON_NOV_23,
    PHRASINGS,
    THREAD_NEXT,
    TZ,
)


def next_meeting(hint: str | None) -> date | None:
    if hint is None:
        return THREAD_NEXT
    return BOA_NEXT if "boa" in hint.lower() else None


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
        ("Actie <@U2>: bellen", "<@U2> bellen"),
        ("actie voor <@U2|bert>: bellen", "<@U2|bert> bellen"),
        ("1. actie: bellen", "bellen"),
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
        "actie <@U2> bellen",  # no colon after the owner either
        "actie voor de wijk: bellen",  # only a mention may stand between word and colon
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


def test_several_actions_in_one_message_are_read_as_the_first_and_a_count() -> None:
    text = "actie: bel de wijkagent\nmet de cijfers\nactie: <@U0AOV0002> mailt voor vrijdag"
    line = read_action(text, author=AUTHOR, now=MON_NOV_23, tz=TZ)
    assert line is not None
    assert (line.text, line.owner, line.due, line.other_actions) == (
        "bel de wijkagent\nmet de cijfers",
        AUTHOR,
        None,
        1,
    )
    # A pinned message that does not start with the prefix is taken whole.
    notes = "Notulen:\nactie: bel de wijkagent\nactie: mail de burgemeester"
    pinned = read_action(notes, author=AUTHOR, now=MON_NOV_23, tz=TZ, require_prefix=False)
    assert pinned is not None and (pinned.text, pinned.other_actions) == (notes, 0)


def test_each_action_line_of_a_message_is_read_with_its_own_owner_and_deadline() -> None:
    text = (
        "actie: bel de wijkagent\nmet de cijfers\n"
        "actie: <@U0AOV0002> mailt voor vrijdag\n"
        "actie:\n"  # nothing after the prefix: no action, and not part of the one above
        "Actie voor <@U0AOV0003>: agenda aanpassen uiterlijk 15 december"
    )
    lines = read_actions(text, author=AUTHOR, now=MON_NOV_23, tz=TZ)
    assert [(line.text, line.owner) for line in lines] == [
        ("bel de wijkagent\nmet de cijfers", AUTHOR),
        ("<@U0AOV0002> mailt voor vrijdag", "U0AOV0002"),
        ("<@U0AOV0003> agenda aanpassen uiterlijk 15 december", "U0AOV0003"),
    ]
    assert [line.due.date if line.due else None for line in lines] == [
        None,
        date(2026, 11, 27),
        date(2026, 12, 15),
    ]
    assert read_actions("Notulen:\nactie: bel", author=AUTHOR, now=MON_NOV_23, tz=TZ) == []
    # The bot mentioned in a line is not its owner.
    [line] = read_actions(
        "actie: <@U0BOT0001> zet de notulen klaar",
        author=AUTHOR,
        now=MON_NOV_23,
        tz=TZ,
        not_owners=("U0BOT0001",),
    )
    assert line.owner == AUTHOR
