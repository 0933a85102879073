"""The language kernel reads deadlines in a success criterion (one or several milestones) and
amounts in euros, and says which phrases it could not read rather than guessing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.language.milestones import format_euro, parse_deadline, parse_deadline_phrases, parse_euro


@pytest.mark.parametrize(
    ("criterion", "expected"),
    [
        ("Het beleid voor het einde van 2024 is geactualiseerd.", [date(2024, 12, 31)]),
        ("Voor eind 2025 het Damoclesbeleid is geactualiseerd", [date(2025, 12, 31)]),
        ("Verkenkend onderzoek heeft in 2024 plaatsgevonden", [date(2024, 12, 31)]),
        ("Overleg vanaf begin 2025 structureel georganiseerd", [date(2025, 1, 1)]),
        ("Klaar voor begin 2026", [date(2025, 12, 31)]),
        ("Gereed medio 2025", [date(2025, 6, 30)]),
        ("Afgerond in het derde kwartaal van 2025", [date(2025, 9, 30)]),
        ("Q1 2026 opgeleverd", [date(2026, 3, 31)]),
        ("Eind juni 2025 besloten", [date(2025, 6, 30)]),
        ("Begin maart 2025 gestart", [date(2025, 3, 1)]),
        ("Voor de zomer van 2025 besloten", [date(2025, 8, 31)]),
        ("Uiterlijk 1 juli 2025 vastgesteld", [date(2025, 7, 1)]),
        ("Vastgesteld op 15-9-2025", [date(2025, 9, 15)]),
        ("Vastgesteld op 2025-09-15", [date(2025, 9, 15)]),
        # Several years: one milestone per date, each with its own sentence.
        (
            "In 2024 wordt onderzocht welke acties uitgevoerd kunnen worden. In 2024 wordt "
            "minimaal 1 actie uitgevoerd. In 2025 wordt nog een actie uitgevoerd.",
            [date(2024, 12, 31), date(2024, 12, 31), date(2025, 12, 31)],
        ),
        # A year after "uit" is the past, not a deadline.
        (
            "In 2025 de controlerondes uit 2024 zijn herhaald.",
            [date(2025, 12, 31)],
        ),
        ("APV is en blijft ondermijningsproof", []),
    ],
)
def test_deadlines_in_a_criterion(criterion: str, expected: list[date]) -> None:
    reading = parse_deadline_phrases(criterion)
    assert [m.due for m in reading.milestones] == expected
    assert reading.unreadable == ()
    assert reading.deadline == (expected[-1] if expected else None)


def test_each_milestone_keeps_the_sentence_it_was_read_from() -> None:
    reading = parse_deadline_phrases(
        "In 2024 wordt een plan gemaakt. In 2025 wordt het uitgevoerd."
    )
    assert [(m.phrase, m.sentence) for m in reading.milestones] == [
        ("In 2024", "In 2024 wordt een plan gemaakt"),
        ("In 2025", "In 2025 wordt het uitgevoerd"),
    ]


@pytest.mark.parametrize(
    ("criterion", "problem"),
    [
        ("Er ligt een jaarprogramma voor 2024 en 2025.", "‘voor 2024 en 2025’ is dubbelzinnig"),
        ("Het plan is uiterlijk kerst 2025 klaar.", "‘uiterlijk kerst 2025’ is geen datum"),
        ("Het plan is rond carnaval van 2025 klaar.", "staat 2025, maar niet als termijn"),
    ],
)
def test_phrases_that_cannot_be_read_are_named_not_guessed(criterion: str, problem: str) -> None:
    reading = parse_deadline_phrases(criterion)
    assert reading.milestones == ()
    assert len(reading.unreadable) == 1 and problem in reading.unreadable[0]


def test_a_deadline_typed_in_slack() -> None:
    assert parse_deadline("eind 2025") == date(2025, 12, 31)
    assert parse_deadline("2026") == date(2026, 12, 31)
    assert parse_deadline("1 juli 2025") == date(2025, 7, 1)
    assert parse_deadline("kerst") is None


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("€ 7.500,-", Decimal("7500")),
        ("€ 214.571,-", Decimal("214571")),
        ("€ 3.500,50", Decimal("3500.50")),
        ("2000 euro", Decimal("2000")),
        ("Bestaande middelen", None),
        ("Zie voorgesteld nieuw beleid", None),
    ],
)
def test_amounts_in_euros(text: str, amount: Decimal | None) -> None:
    assert parse_euro(text) == amount


def test_euros_are_written_the_dutch_way() -> None:
    assert format_euro(Decimal("214571")) == "€ 214.571"
    assert format_euro(Decimal("1234.5")) == "€ 1.234,50"
    assert format_euro(Decimal("-13071")) == "-€ 13.071"
