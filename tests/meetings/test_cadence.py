"""Time texts of the task overview (seed 000, column "Tijd") and what users type like them."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from dateutil import rrule

from bot.core.cadence import (
    WEEKS_PER_MONTH,
    CadenceError,
    Recurrence,
    Unit,
    format_hours,
    parse_cadence,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DAY, WEEK, MONTH, YEAR = Unit.DAY, Unit.WEEK, Unit.MONTH, Unit.YEAR


def every(interval: int, unit: Unit, hours: float | None = None, times=None) -> Recurrence:
    return Recurrence(interval=interval, unit=unit, times=times, hours=hours)


# Every distinct text of the "Tijd" column of seed 000, exactly as written (incl. its <i> markup):
# text, recurrences, hours per week, reason, note.
SEED_TEXTS = [
    ("8 uur per 3 maanden", (every(3, MONTH, 8),), 0.613291, None, ""),
    ("2 uur per 4 week", (every(4, WEEK, 2),), 0.5, None, ""),
    ("3 uur per 4 week", (every(4, WEEK, 3),), 0.75, None, ""),
    ("2 uur per 3 maanden", (every(3, MONTH, 2),), 0.153323, None, ""),
    ("Afhankelijk van casuïstiek", (), None, "afhankelijk van casuïstiek", ""),
    ("2 uur per week", (every(1, WEEK, 2),), 2.0, None, ""),
    ("", (), None, "geen tijd opgegeven", ""),
    ("40 uur per jaar", (every(1, YEAR, 40),), 0.766614, None, ""),
    ("4 uur per week", (every(1, WEEK, 4),), 4.0, None, ""),
    ("2 uur per maand", (every(1, MONTH, 2),), 0.459968, None, ""),
    (
        "4/5 keer per jaar bestuurlijk overleg. "
        "2 keer per jaar een 'financiële markt begrotingen'.",
        (every(1, YEAR, times=(4, 5)), every(1, YEAR, times=(2, 2))),
        None,
        "4 à 5 keer per jaar en 2 keer per jaar, geen uren opgegeven",
        "bestuurlijk overleg; een 'financiële markt begrotingen'",
    ),
    ("2 uur per kwartaal", (every(3, MONTH, 2),), 0.153323, None, ""),
    ("1 keer per 6 week 5 uur", (every(6, WEEK, 5, times=(1, 1)),), 5 / 6, None, ""),
    ("2 uur per 2 weken", (every(2, WEEK, 2),), 1.0, None, ""),
    ("8 uur per jaar", (every(1, YEAR, 8),), 0.153323, None, ""),
    ("incidenteel", (), None, "incidenteel", ""),
    (
        "Incidenteel, wanneer er een casus is dan veel tijd en inzet.",
        (),
        None,
        "incidenteel",
        "wanneer er een casus is dan veel tijd en inzet",
    ),
    (
        "<i>Per 4 jaar actualiseren en aan raad voorleggen</i>",
        (every(4, YEAR),),
        None,
        "elke 4 jaar, geen uren opgegeven",
        "actualiseren en aan raad voorleggen",
    ),
    ("Afhankelijk van de casuïstiek", (), None, "afhankelijk van casuïstiek", ""),
    (
        "<i>Eens per 4 jaar, uitkomsten moeten worden worden betrokken bij de bepaling van het "
        "beleidsplan veiligheid.</i>",
        (every(4, YEAR, times=(1, 1)),),
        None,
        "eens per 4 jaar, geen uren opgegeven",
        "uitkomsten moeten worden worden betrokken bij de bepaling van het beleidsplan veiligheid",
    ),
    (
        "Eens per 3 jaar actualiseren",
        (every(3, YEAR, times=(1, 1)),),
        None,
        "eens per 3 jaar, geen uren opgegeven",
        "actualiseren",
    ),
]


@pytest.mark.parametrize(
    ("text", "recurrences", "weekly", "reason", "note"), SEED_TEXTS, ids=lambda v: repr(v)[:40]
)
def test_every_time_text_of_the_task_overview(text, recurrences, weekly, reason, note):
    cadence = parse_cadence(text)

    assert cadence.text == text
    assert cadence.recurrences == recurrences
    assert cadence.is_recurring == bool(recurrences)
    if weekly is None:
        assert cadence.hours_per_week is None
    else:
        assert cadence.hours_per_week == pytest.approx(weekly, rel=1e-5)
    assert cadence.reason == reason
    assert cadence.note == note


def test_weeks_follow_the_mean_gregorian_year():
    # 52 weeks are a little less than a year, so 52 hours a year is a little less than 1 a week.
    assert parse_cadence("52 uur per jaar").hours_per_week == pytest.approx(0.996598, rel=1e-5)
    assert parse_cadence("12 uur per maand").hours_per_week == pytest.approx(12 / 4.348125)


@pytest.mark.parametrize(
    ("text", "recurrence", "weekly"),
    [
        ("  2 UUR   per Week. ", every(1, WEEK, 2), 2),
        ("2uur per week", every(1, WEEK, 2), 2),
        ("2 uur per wk", every(1, WEEK, 2), 2),
        ("2 u per week", every(1, WEEK, 2), 2),
        ("2 uren per week", every(1, WEEK, 2), 2),
        ("2 uur/week", every(1, WEEK, 2), 2),
        ("2 uur p/w", every(1, WEEK, 2), 2),
        ("2 uur in de week", every(1, WEEK, 2), 2),
        ("wekelijks 2 uur", every(1, WEEK, 2), 2),
        ("2 uur wekelijks", every(1, WEEK, 2), 2),
        ("elke week 2 uur", every(1, WEEK, 2), 2),
        ("iedere week 2 uur", every(1, WEEK, 2), 2),
        ("elke dinsdag 2 uur", every(1, WEEK, 2), 2),
        ("om de 2 weken 2 uur", every(2, WEEK, 2), 1),
        ("om de twee weken 2 uur", every(2, WEEK, 2), 1),
        ("om de 14 dagen 2 uur", every(2, WEEK, 2), 1),
        ("tweewekelijks 2 uur", every(2, WEEK, 2), 1),
        ("2-wekelijks 2 uur", every(2, WEEK, 2), 1),
        ("2 uur per 2 weken", every(2, WEEK, 2), 1),
        ("3 uur per 4 weken", every(4, WEEK, 3), 0.75),
        ("3 uur per 4 wk", every(4, WEEK, 3), 0.75),
        ("maandelijks 2 uur", every(1, MONTH, 2), 0.459968),
        ("elke maand 2 uur", every(1, MONTH, 2), 0.459968),
        ("2 uur per mnd", every(1, MONTH, 2), 0.459968),
        ("6 uur per 3 mnd", every(3, MONTH, 6), 0.459968),
        ("6 uur per kwartaal", every(3, MONTH, 6), 0.459968),
        ("elk kwartaal 6 uur", every(3, MONTH, 6), 0.459968),
        ("12 uur per half jaar", every(6, MONTH, 12), 0.459968),
        ("halfjaarlijks 12 uur", every(6, MONTH, 12), 0.459968),
        ("jaarlijks 24 uur", every(1, YEAR, 24), 0.459968),
        ("24 uur per jaar", every(1, YEAR, 24), 0.459968),
        ("48 uur per 24 maanden", every(2, YEAR, 48), 0.459968),
        ("dagelijks 30 min", every(1, DAY, 0.5), 2.5),
        ("een half uur per dag", every(1, DAY, 0.5), 2.5),
        ("een kwartier per dag", every(1, DAY, 0.25), 1.25),
        # A longer period of days is calendar days, as "om de 14 dagen" is two weeks.
        ("1 uur per 10 dagen", every(10, DAY, 1), 0.7),
        ("1,5 uur per week", every(1, WEEK, 1.5), 1.5),
        ("1.5 uur per week", every(1, WEEK, 1.5), 1.5),
        ("anderhalf uur per week", every(1, WEEK, 1.5), 1.5),
        ("tweeënhalf uur per week", every(1, WEEK, 2.5), 2.5),
        ("90 minuten per week", every(1, WEEK, 1.5), 1.5),
        ("1 uur en 30 minuten per week", every(1, WEEK, 1.5), 1.5),
        ("twee uur per week", every(1, WEEK, 2), 2),
        ("één uur per week", every(1, WEEK, 1), 1),
        ("twaalf uur per jaar", every(1, YEAR, 12), 0.229984),
        ("2 à 3 uur per week", every(1, WEEK, 2.5), 2.5),
        ("1x per week 2 uur", every(1, WEEK, 2, times=(1, 1)), 2),
        ("2x per maand 2 uur", every(1, MONTH, 4, times=(2, 2)), 0.919937),
        ("twee keer per maand anderhalf uur", every(1, MONTH, 3, times=(2, 2)), 0.689953),
        ("2 keer per maand, in totaal 3 uur", every(1, MONTH, 3, times=(2, 2)), 0.689953),
        ("2 keer per maand 1,5 uur per keer", every(1, MONTH, 3, times=(2, 2)), 0.689953),
        ("een keer in de vier weken 3 uur", every(4, WEEK, 3, times=(1, 1)), 0.75),
        ("elke 6 weken 1 keer 5 uur", every(6, WEEK, 5, times=(1, 1)), 5 / 6),
        ("5 uur, 1 keer per 6 weken", every(6, WEEK, 5, times=(1, 1)), 5 / 6),
        ("1 keer per 6 weken, 5 uur", every(6, WEEK, 5, times=(1, 1)), 5 / 6),
        ("2 uur per week (voorbereiding)", every(1, WEEK, 2), 2),
    ],
)
def test_variants_users_type(text, recurrence, weekly):
    cadence = parse_cadence(text)

    assert cadence.recurrences == (recurrence,)
    assert cadence.hours_per_week == pytest.approx(weekly, rel=1e-5)
    assert cadence.reason is None


@pytest.mark.parametrize(
    ("text", "recurrence"),
    [
        ("tweewekelijks", every(2, WEEK)),
        ("per kwartaal", every(3, MONTH)),
        ("eens per jaar", every(1, YEAR, times=(1, 1))),
        ("4 à 5 keer per jaar", every(1, YEAR, times=(4, 5))),
        ("een of twee keer per maand", every(1, MONTH, times=(1, 2))),
    ],
)
def test_recurrence_without_hours_has_no_weekly_budget(text, recurrence):
    cadence = parse_cadence(text)

    assert cadence.recurrences == (recurrence,)
    assert cadence.hours_per_week is None
    assert cadence.reason == f"{recurrence.describe()}, geen uren opgegeven"


def test_several_recurrences_add_up():
    cadence = parse_cadence("2 uur per week, 1 keer per maand 3 uur")

    assert cadence.recurrences == (every(1, WEEK, 2), every(1, MONTH, 3, times=(1, 1)))
    assert cadence.hours_per_week == pytest.approx(2 + 3 / WEEKS_PER_MONTH)


@pytest.mark.parametrize(
    ("text", "recurrence", "note"),
    [
        (
            "1 keer per jaar, in de week voor kerst",
            every(1, YEAR, times=(1, 1)),
            "in de week voor kerst",
        ),
        ("Eens per 4 jaar, net als vorig jaar", every(4, YEAR, times=(1, 1)), "net als vorig jaar"),
        ("ca. 2 uur per week", every(1, WEEK, 2), "ca"),
        ("2 uur per week per persoon", every(1, WEEK, 2), "per persoon"),
    ],
)
def test_prose_around_the_time_is_kept_as_note(text, recurrence, note):
    cadence = parse_cadence(text)

    assert cadence.recurrences == (recurrence,)
    assert cadence.note == note


def test_one_recurrence_without_hours_leaves_the_sum_unknown():
    cadence = parse_cadence("2 uur per week en 2 keer per jaar")

    assert cadence.hours_per_week is None
    assert cadence.reason == "2 keer per jaar, geen uren opgegeven"
    assert cadence.describe() == (
        "elke week, 2 uur; 2 keer per jaar (geen uren opgegeven voor 2 keer per jaar)"
    )


@pytest.mark.parametrize(
    ("text", "reason", "note"),
    [
        ("INCIDENTEEL", "incidenteel", ""),
        ("afhankelijk van casuistiek", "afhankelijk van casuïstiek", ""),
        ("Ad hoc", "ad hoc", ""),
        ("ad-hoc, soms een hele dag", "ad hoc", "soms een hele dag"),
        ("n.v.t.", "niet van toepassing", ""),
        ("nvt", "niet van toepassing", ""),
        ("Afhankelijk van het aantal evenementen", "afhankelijk van het aantal evenementen", ""),
        ("incidenteel, soms 8 uur", "incidenteel", "soms 8 uur"),
        ("   ", "geen tijd opgegeven", ""),
        ("<i></i>", "geen tijd opgegeven", ""),
    ],
)
def test_unscheduled_work_has_a_reason_instead_of_a_budget(text, reason, note):
    cadence = parse_cadence(text)

    assert cadence.recurrences == ()
    assert not cadence.is_recurring
    assert cadence.hours_per_week is None
    assert cadence.reason == reason
    assert cadence.note == note


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("blabla", 'er staat geen periode in, zoals "per week" of "per maand"'),
        ("veel", 'er staat geen periode in, zoals "per week" of "per maand"'),
        ("2 uur", 'er staat geen periode in, zoals "per week" of "per maand"'),
        ("2 uur per", 'na "per" ontbreekt de periode'),
        ("per week uur", '"uur" staat er los, zonder aantal ervoor'),
        ("-3 uur per week", "een negatief getal kan niet"),
        ("2 uur per -2 weken", "een negatief getal kan niet"),
        ("0 keer per week", '"0 keer" kan niet; het moet minstens 1 keer zijn'),
        ("5 uur per 0 weken", '"per 0 weken" kan niet; de periode moet minstens 1 zijn'),
        ("0 uur per week", '"0 uur" kan niet; het moet meer dan 0 uur zijn'),
        ("1,5 keer per week", '"1,5 keer": het aantal keer moet een heel getal zijn'),
        ("per 1,5 week", '"per 1,5 week": de periode moet een heel getal zijn'),
        ("2 uur per week 3", 'het getal "3" hoort nergens bij; bedoelt u "3 uur" of "3 keer"?'),
        ("2 uur per week, 3 uur", '"3 uur" hoort bij geen periode'),
        ("per week per maand", 'twee periodes achter elkaar: "per week" en "per maand"'),
        ("wekelijks kwartaal", '"kwartaal" staat er los, zonder "per" of "elke" ervoor'),
        ("in de week", 'er staat geen periode in, zoals "per week" of "per maand"'),
        ("200 uur per week", "dat is 200 uur per week, meer dan de 168 uur die een week heeft"),
    ],
)
def test_nonsense_is_rejected_with_a_dutch_message_naming_the_text(text, problem):
    with pytest.raises(CadenceError) as caught:
        parse_cadence(text)

    assert caught.value.problem == problem
    assert str(caught.value) == (
        f'Tijd "{text.strip()}" niet begrepen: {problem}. Schrijf bijvoorbeeld "2 uur per week", '
        '"3 uur per 4 weken", "1 keer per 6 weken 5 uur" of "incidenteel".'
    )


def test_error_message_shortens_a_long_text():
    text = "blabla " * 30

    with pytest.raises(CadenceError) as caught:
        parse_cadence(text)

    assert isinstance(caught.value, ValueError)
    assert str(caught.value).startswith(f'Tijd "{text.strip()[:79]}…" niet begrepen: ')


@pytest.mark.parametrize(
    ("text", "described"),
    [
        ("3 uur per 4 week", "elke 4 weken, 3 uur (≈ 0,75 uur per week)"),
        ("2 uur per kwartaal", "elk kwartaal, 2 uur (≈ 0,15 uur per week)"),
        ("40 uur per jaar", "elk jaar, 40 uur (≈ 0,77 uur per week)"),
        ("1 keer per 6 week 5 uur", "eens per 6 weken, 5 uur (≈ 0,83 uur per week)"),
        ("2x per maand 1,5 uur", "2 keer per maand, 1,5 uur per keer (≈ 0,69 uur per week)"),
        ("2 uur per week", "elke week, 2 uur"),
        ("12 uur per half jaar", "elk half jaar, 12 uur (≈ 0,46 uur per week)"),
        ("Eens per 3 jaar actualiseren", "eens per 3 jaar (geen uren opgegeven)"),
        (
            "4/5 keer per jaar bestuurlijk overleg. 2 keer per jaar een 'financiële markt "
            "begrotingen'.",
            "4 à 5 keer per jaar; 2 keer per jaar (geen uren opgegeven)",
        ),
        (
            "Incidenteel, wanneer er een casus is dan veel tijd en inzet.",
            "geen vaste tijd: incidenteel",
        ),
        ("Afhankelijk van de casuïstiek", "geen vaste tijd: afhankelijk van casuïstiek"),
        ("", "geen tijd opgegeven"),
    ],
)
def test_describe_says_how_the_text_was_understood(text, described):
    assert parse_cadence(text).describe() == described


def test_recurrence_describe_counts_hours_per_occurrence():
    assert every(1, YEAR, 9, times=(4, 5)).describe() == "4 à 5 keer per jaar, 2 uur per keer"
    assert every(2, DAY, 1).describe() == "elke 2 dagen, 1 uur"
    # Per day is per working day (5 a week), and says so.
    assert every(1, DAY, 0.5).describe() == "elke werkdag, 0,5 uur"
    assert every(1, DAY, 1, times=(2, 2)).describe() == "2 keer per werkdag, 0,5 uur per keer"
    assert every(3, YEAR).describe() == "elke 3 jaar"


@pytest.mark.parametrize(
    ("hours", "formatted"),
    [(0.75, "0,75"), (2.0, "2"), (1.5, "1,5"), (0.766614, "0,77"), (1234.5, "1.234,5"),
     (1 / 208.7, "0,005")],
)  # fmt: skip
def test_format_hours_is_dutch(hours, formatted):
    assert format_hours(hours) == formatted


@pytest.mark.parametrize(
    ("text", "frequency"),
    [
        ("2 uur per week", (rrule.WEEKLY, 1)),
        ("3 uur per 4 week", (rrule.WEEKLY, 4)),
        ("2 uur per maand", (rrule.MONTHLY, 1)),
        ("2 uur per kwartaal", (rrule.MONTHLY, 3)),
        ("8 uur per 3 maanden", (rrule.MONTHLY, 3)),
        ("40 uur per jaar", (rrule.YEARLY, 1)),
        ("Eens per 3 jaar actualiseren", (rrule.YEARLY, 3)),
        ("dagelijks", (rrule.DAILY, 1)),
    ],
)
def test_rrule_frequency(text, frequency):
    (recurrence,) = parse_cadence(text).recurrences
    assert recurrence.rrule_frequency() == frequency


def _dates(text: str, count: int) -> list[datetime]:
    (recurrence,) = parse_cadence(text).recurrences
    frequency, interval = recurrence.rrule_frequency()
    start = datetime(2026, 1, 5, 9, 0, tzinfo=AMSTERDAM)  # a Monday
    return list(rrule.rrule(frequency, interval=interval, dtstart=start, count=count))


def test_rrule_every_four_weeks_keeps_the_wall_clock_across_dst():
    dates = _dates("3 uur per 4 week", 4)

    assert dates == [datetime(2026, m, d, 9, 0, tzinfo=AMSTERDAM) for m, d in
                     [(1, 5), (2, 2), (3, 2), (3, 30)]]  # fmt: skip
    # 30 March is after the switch to summer time: still 09:00 local, now UTC+2.
    assert dates[-1].utcoffset().total_seconds() == 2 * 3600


def test_rrule_once_every_six_weeks():
    dates = _dates("1 keer per 6 week 5 uur", 4)

    assert dates == [datetime(2026, m, d, 9, 0, tzinfo=AMSTERDAM) for m, d in
                     [(1, 5), (2, 16), (3, 30), (5, 11)]]  # fmt: skip
