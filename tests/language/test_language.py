import ast
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta

import holidays
import pytest
from dateutil.easter import easter

from bot.language import (
    TZ,
    DutchDateError,
    add_working_days,
    dutch_holiday_name,
    find_due_date,
    format_date,
    format_datetime,
    format_number,
    format_short_date,
    format_time,
    is_working_day,
    next_working_day,
    parse_date,
    parse_datetime,
    parse_due_date,
    parse_time,
    previous_working_day,
)
from bot.language.format import day_month_text


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


SUN_NOV_29 = at(2026, 11, 29)
MON_NOV_30 = at(2026, 11, 30)
FRI_DEC_4 = at(2026, 12, 4)
WED_DEC_30 = at(2026, 12, 30)
THU_DEC_31 = at(2026, 12, 31)
FRI_JAN_1 = at(2027, 1, 1)
FRI_FEB_27 = at(2026, 2, 27)
WED_DEC_23 = at(2026, 12, 23)


# --------------------------------------------------------------------------------------------
# parse_date
# --------------------------------------------------------------------------------------------

PARSE_DATE_CASES = [
    # relative days
    (MON_NOV_30, "vandaag", date(2026, 11, 30)),
    (MON_NOV_30, "morgen", date(2026, 12, 1)),
    (MON_NOV_30, "  Morgen. ", date(2026, 12, 1)),
    (WED_DEC_30, "overmorgen", date(2027, 1, 1)),
    (THU_DEC_31, "morgen", date(2027, 1, 1)),
    # weekdays: bare and "aanstaande" exclude today, "volgende" is next week's day
    (MON_NOV_30, "dinsdag", date(2026, 12, 1)),
    (MON_NOV_30, "di", date(2026, 12, 1)),
    (MON_NOV_30, "Di.", date(2026, 12, 1)),
    (MON_NOV_30, "DINSDAG", date(2026, 12, 1)),
    (MON_NOV_30, "maandag", date(2026, 12, 7)),
    (MON_NOV_30, "deze maandag", date(2026, 11, 30)),
    (MON_NOV_30, "aanstaande dinsdag", date(2026, 12, 1)),
    (MON_NOV_30, "a.s. dinsdag", date(2026, 12, 1)),
    (MON_NOV_30, "komende dinsdag", date(2026, 12, 1)),
    (MON_NOV_30, "volgende dinsdag", date(2026, 12, 8)),
    (MON_NOV_30, "volgende  week  dinsdag", date(2026, 12, 8)),
    (MON_NOV_30, "dinsdag volgende week", date(2026, 12, 8)),
    (SUN_NOV_29, "volgende dinsdag", date(2026, 12, 1)),
    (SUN_NOV_29, "zondag", date(2026, 12, 6)),
    (SUN_NOV_29, "maandag", date(2026, 11, 30)),
    (FRI_DEC_4, "vrijdag", date(2026, 12, 11)),
    (FRI_DEC_4, "volgende vrijdag", date(2026, 12, 11)),
    (FRI_DEC_4, "aanstaande maandag", date(2026, 12, 7)),
    (FRI_DEC_4, "woe", date(2026, 12, 9)),
    (WED_DEC_30, "vrijdag", date(2027, 1, 1)),
    (WED_DEC_30, "volgende vrijdag", date(2027, 1, 8)),
    # day and month in words
    (MON_NOV_30, "1 december", date(2026, 12, 1)),
    (MON_NOV_30, "1 dec", date(2026, 12, 1)),
    (MON_NOV_30, "1 dec.", date(2026, 12, 1)),
    (MON_NOV_30, "1e december", date(2026, 12, 1)),
    (MON_NOV_30, "1 december 2026", date(2026, 12, 1)),
    (MON_NOV_30, "1 dec. 2027", date(2027, 12, 1)),
    (MON_NOV_30, "dinsdag 1 december", date(2026, 12, 1)),
    (MON_NOV_30, "Dinsdag, 1 december 2026", date(2026, 12, 1)),
    (MON_NOV_30, "di 1 dec", date(2026, 12, 1)),
    (MON_NOV_30, "3 sept", date(2027, 9, 3)),
    (MON_NOV_30, "3 mrt", date(2027, 3, 3)),
    (MON_NOV_30, "30 november", date(2026, 11, 30)),  # today counts
    (MON_NOV_30, "29 augustus", date(2027, 8, 29)),  # long past: next year
    (WED_DEC_30, "1 januari", date(2027, 1, 1)),
    (FRI_JAN_1, "31 december 2027", date(2027, 12, 31)),
    (FRI_FEB_27, "29 februari", date(2028, 2, 29)),
    # numeric
    (MON_NOV_30, "1-12", date(2026, 12, 1)),
    (MON_NOV_30, "1-12-2026", date(2026, 12, 1)),
    (MON_NOV_30, "01-12-26", date(2026, 12, 1)),
    (MON_NOV_30, "1/12", date(2026, 12, 1)),
    (MON_NOV_30, "1.12", date(2026, 12, 1)),
    (MON_NOV_30, "2026-12-01", date(2026, 12, 1)),
    (MON_NOV_30, "vrijdag 4-12", date(2026, 12, 4)),
    (WED_DEC_30, "29-9", date(2027, 9, 29)),
    (WED_DEC_30, "30-12", date(2026, 12, 30)),
    (FRI_FEB_27, "1-3", date(2026, 3, 1)),
    # weeks, months, years
    (MON_NOV_30, "volgende week", date(2026, 12, 7)),
    (SUN_NOV_29, "volgende week", date(2026, 11, 30)),
    (WED_DEC_30, "volgende week", date(2027, 1, 4)),
    (MON_NOV_30, "begin volgende week", date(2026, 12, 7)),
    (MON_NOV_30, "eind van de week", date(2026, 12, 4)),
    (MON_NOV_30, "eind deze week", date(2026, 12, 4)),
    (MON_NOV_30, "deze week", date(2026, 12, 4)),
    (FRI_DEC_4, "eind van de week", date(2026, 12, 4)),
    (SUN_NOV_29, "eind van de week", date(2026, 12, 4)),
    (MON_NOV_30, "eind volgende week", date(2026, 12, 11)),
    (WED_DEC_30, "eind van de week", date(2027, 1, 1)),
    (MON_NOV_30, "eind van de maand", date(2026, 11, 30)),
    (MON_NOV_30, "einde maand", date(2026, 11, 30)),
    (FRI_FEB_27, "eind deze maand", date(2026, 2, 28)),
    (WED_DEC_30, "eind van de maand", date(2026, 12, 31)),
    (THU_DEC_31, "eind volgende maand", date(2027, 1, 31)),
    (WED_DEC_30, "begin volgende maand", date(2027, 1, 1)),
    (THU_DEC_31, "volgende maand", date(2027, 1, 1)),
    (MON_NOV_30, "volgend jaar", date(2027, 1, 1)),
    (WED_DEC_30, "eind van het jaar", date(2026, 12, 31)),
    (MON_NOV_30, "eind december", date(2026, 12, 31)),
    (MON_NOV_30, "medio januari", date(2027, 1, 15)),
    (FRI_JAN_1, "eind februari", date(2027, 2, 28)),
    # "over ..."
    (MON_NOV_30, "over 2 weken", date(2026, 12, 14)),
    (MON_NOV_30, "over twee weken", date(2026, 12, 14)),
    (WED_DEC_30, "over 2 weken", date(2027, 1, 13)),
    (MON_NOV_30, "over 3 dagen", date(2026, 12, 3)),
    (FRI_FEB_27, "over drie dagen", date(2026, 3, 2)),
    (MON_NOV_30, "over een maand", date(2026, 12, 30)),
    (THU_DEC_31, "over één maand", date(2027, 1, 31)),
    (at(2027, 1, 31), "over een maand", date(2027, 2, 28)),
    (MON_NOV_30, "binnen een week", date(2026, 12, 7)),
    (WED_DEC_23, "over 3 werkdagen", date(2026, 12, 29)),
    (FRI_DEC_4, "over 2 werkdagen", date(2026, 12, 8)),
]


@pytest.mark.parametrize(("now", "text", "expected"), PARSE_DATE_CASES)
def test_parse_date(now: datetime, text: str, expected: date) -> None:
    assert parse_date(text, now) == expected


def test_parse_date_table_is_large_enough() -> None:
    assert len(PARSE_DATE_CASES) >= 60


def test_parse_date_uses_the_local_day_of_now() -> None:
    # 23:30 UTC on 30 December is already 31 December in Amsterdam.
    late_utc = datetime(2026, 12, 30, 23, 30, tzinfo=UTC)
    assert parse_date("vandaag", late_utc) == date(2026, 12, 31)
    assert parse_date("morgen", late_utc) == date(2027, 1, 1)


def test_parse_date_rejects_naive_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_date("morgen", datetime(2026, 12, 1, 10, 0))


@pytest.mark.parametrize(
    ("now", "text", "message"),
    [
        (
            MON_NOV_30,
            "29 november",
            "29 november is al geweest. Bedoel je maandag 29 november "
            "2027? Zet dan het jaartal erbij.",
        ),
        (
            FRI_JAN_1,
            "31 december",
            "31 december is al geweest. Bedoel je vrijdag 31 december 2027?",
        ),
        (WED_DEC_30, "29-12", "29 december is al geweest."),
        (WED_DEC_30, "1 november", "1 november is al geweest."),
        # A month's end, start or middle that just passed is asked about too, not next year's.
        (
            WED_DEC_30,
            "eind november",
            "Eind november (30 november) is al geweest. Bedoel je dinsdag 30 november 2027?",
        ),
        (FRI_JAN_1, "medio december", "Medio december (15 december) is al geweest."),
        (FRI_JAN_1, "begin december", "Begin december (1 december) is al geweest."),
    ],
)
def test_a_date_without_year_that_just_passed_is_not_silently_next_year(
    now: datetime, text: str, message: str
) -> None:
    with pytest.raises(DutchDateError) as error:
        parse_date(text, now)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("text", "message_part"),
    [
        ("31-2", "31 februari bestaat niet"),
        ("31-4-2027", "31 april bestaat niet"),
        ("32 december", "32 december bestaat niet"),
        ("1-13", "Maand 13 bestaat niet"),
        ("29-2-2027", "29 februari 2027 bestaat niet: 2027 is geen schrikkeljaar"),
        ("1-1-0000", "Jaar 0 kan ik niet gebruiken"),
        ("dinsdag 2 december 2026", "2 december 2026 is een woensdag, geen dinsdag"),
        ("dinsdag 2 december 2026", "Bedoel je dinsdag 1 december 2026?"),
        ("vr 1 dec", "1 december 2026 is een dinsdag, geen vrijdag"),
        ("begin deze maand", "ligt al achter ons"),
        ("gisteren", "Ik kan ‘gisteren’ niet lezen als datum"),
        ("vrijdag 3", "‘1 december’"),
        ("", "Er staat geen datum"),
    ],
)
def test_parse_date_errors_are_dutch_and_specific(text: str, message_part: str) -> None:
    with pytest.raises(DutchDateError) as caught:
        parse_date(text, MON_NOV_30)
    assert message_part in str(caught.value)


# --------------------------------------------------------------------------------------------
# parse_time and parse_datetime
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10:00", time(10, 0)),
        ("10.00", time(10, 0)),
        ("9.30 uur", time(9, 30)),
        ("10u", time(10, 0)),
        ("10u30", time(10, 30)),
        ("10 uur", time(10, 0)),
        ("om 10:30", time(10, 30)),
        ("om 10", time(10, 0)),
        ("half 10", time(9, 30)),
        ("half tien", time(9, 30)),
        ("kwart over 9", time(9, 15)),
        ("kwart voor 10", time(9, 45)),
        ("vijf over half 10", time(9, 35)),
        ("tien voor 4", time(15, 50)),  # spoken times fall in 07:00-18:59
        ("om 3 uur", time(15, 0)),
        ("half 1", time(12, 30)),
        ("12 uur", time(12, 0)),
        ("7 uur", time(7, 0)),
        ("3 uur 's nachts", time(3, 0)),
        ("8 uur ’s avonds", time(20, 0)),
        ("12 uur 's nachts", time(0, 0)),
        ("3:00", time(3, 0)),  # clock times are literal
        ("14 uur", time(14, 0)),
    ],
)
def test_parse_time(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("text", "message_part"),
    [
        ("25:00", "‘25:00’ is geen geldige tijd"),
        ("24:00", "‘24:00’ is geen geldige tijd"),
        ("24 uur", "‘24 uur’ is geen geldige tijd"),
        ("10", "niet lezen als tijd"),
    ],
)
def test_parse_time_errors(text: str, message_part: str) -> None:
    with pytest.raises(DutchDateError, match=message_part):
        parse_time(text)


@pytest.mark.parametrize(
    ("now", "text", "expected"),
    [
        (MON_NOV_30, "dinsdag 1 december 14:00", at(2026, 12, 1, 14)),
        (MON_NOV_30, "1-12 om 9.30", at(2026, 12, 1, 9, 30)),
        (MON_NOV_30, "morgen 10u", at(2026, 12, 1, 10)),
        (MON_NOV_30, "morgen om half tien", at(2026, 12, 1, 9, 30)),
        (MON_NOV_30, "1.12 10.00", at(2026, 12, 1, 10)),
        (MON_NOV_30, "10:00 op dinsdag", at(2026, 12, 1, 10)),
        (MON_NOV_30, "2026-12-01T09:00", at(2026, 12, 1, 9)),
        (MON_NOV_30, "volgende dinsdag kwart over 9", at(2026, 12, 8, 9, 15)),
        (WED_DEC_30, "overmorgen 9:00", at(2027, 1, 1, 9)),
        # a time without a date: today if still ahead, otherwise tomorrow (now is 10:00)
        (MON_NOV_30, "14:00", at(2026, 11, 30, 14)),
        (MON_NOV_30, "half 10", at(2026, 12, 1, 9, 30)),
        (THU_DEC_31, "09:00", at(2027, 1, 1, 9)),
        # "12.15" cannot be a date (month 15), so it is a time
        (MON_NOV_30, "12.15", at(2026, 11, 30, 12, 15)),
    ],
)
def test_parse_datetime(now: datetime, text: str, expected: datetime) -> None:
    parsed = parse_datetime(text, now)
    assert parsed == expected
    assert parsed.tzinfo == TZ


@pytest.mark.parametrize(
    ("text", "expected_utc"),
    [
        ("28-3 09:00", datetime(2026, 3, 28, 8, 0, tzinfo=UTC)),  # last winter day
        ("29-3 09:00", datetime(2026, 3, 29, 7, 0, tzinfo=UTC)),  # clocks went forward at 02:00
        ("24-10 09:00", datetime(2026, 10, 24, 7, 0, tzinfo=UTC)),
        ("25-10 09:00", datetime(2026, 10, 25, 8, 0, tzinfo=UTC)),  # clocks went back at 03:00
        ("29-3 02:30", datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),  # does not exist: 03:30 CEST
        ("25-10 02:30", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),  # twice: first (CEST) one
    ],
)
def test_parse_datetime_is_dst_correct(text: str, expected_utc: datetime) -> None:
    parsed = parse_datetime(text, at(2026, 3, 1))
    # Compare in UTC: PEP 495 makes an ambiguous local time unequal to every other zone.
    assert parsed.astimezone(UTC) == expected_utc


def test_parse_datetime_in_the_spring_gap_shows_a_real_wall_clock_time() -> None:
    assert parse_datetime("29-3 02:30", at(2026, 3, 1)).time() == time(3, 30)


def test_parse_datetime_uses_default_time_only_when_no_time_is_given() -> None:
    assert parse_datetime("morgen", MON_NOV_30, default_time=time(9)) == at(2026, 12, 1, 9)
    assert parse_datetime("morgen 11:00", MON_NOV_30, default_time=time(9)) == at(2026, 12, 1, 11)


@pytest.mark.parametrize(
    ("text", "message_part"),
    [
        ("morgen", "In ‘morgen’ staat geen tijd"),
        ("1.12", "staat geen tijd"),
        ("31-2 10:00", "31 februari bestaat niet"),
        ("morgen 25:00", "‘25:00’ is geen geldige tijd"),
        ("morgen 24 uur", "geen geldige tijd"),  # not the midnight before tomorrow
        ("morgen 10", "niet lezen als datum met tijd"),
        ("dinsdag 2 december 2026 10:00", "geen dinsdag"),
    ],
)
def test_parse_datetime_errors(text: str, message_part: str) -> None:
    with pytest.raises(DutchDateError, match=message_part):
        parse_datetime(text, MON_NOV_30)


@pytest.mark.parametrize(
    "moment", [at(2026, 12, 1, 9), at(2027, 3, 28, 14, 45), at(2026, 10, 25, 23, 59)]
)
def test_formatted_datetime_reads_back(moment: datetime) -> None:
    assert parse_datetime(format_datetime(moment), MON_NOV_30) == moment
    assert parse_date(format_date(moment.date()), MON_NOV_30) == moment.date()


# --------------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------------


def test_format_date() -> None:
    assert format_date(date(2026, 12, 1)) == "dinsdag 1 december 2026"
    assert format_date(date(2026, 12, 1), with_year=False) == "dinsdag 1 december"
    assert format_date(date(2027, 3, 15)) == "maandag 15 maart 2027"


def test_format_datetime_converts_to_amsterdam() -> None:
    assert format_datetime(at(2026, 12, 1, 9)) == "dinsdag 1 december 2026, 09:00"
    assert format_datetime(datetime(2026, 12, 1, 8, 0, tzinfo=UTC)) == (
        "dinsdag 1 december 2026, 09:00"
    )
    assert format_datetime(datetime(2026, 7, 1, 7, 0, tzinfo=UTC)) == "woensdag 1 juli 2026, 09:00"
    assert format_datetime(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), with_year=False) == (
        "vrijdag 1 januari, 00:30"
    )


def test_format_datetime_leaves_naive_wall_time_alone() -> None:
    assert format_datetime(datetime(2026, 12, 1, 9, 0)) == "dinsdag 1 december 2026, 09:00"


def test_format_time() -> None:
    assert format_time(time(9, 0)) == "09:00"
    assert format_time(time(14, 5)) == "14:05"
    assert format_time(datetime(2026, 3, 29, 7, 0, tzinfo=UTC)) == "09:00"


def test_format_short_date() -> None:
    assert format_short_date(date(2026, 12, 1)) == "di 1 dec"
    assert format_short_date(date(2026, 5, 5)) == "di 5 mei"
    assert format_short_date(date(2027, 3, 28)) == "zo 28 mrt"


# --------------------------------------------------------------------------------------------
# Working days
# --------------------------------------------------------------------------------------------

DAYS_OFF_2026 = {
    date(2026, 1, 1): "Nieuwjaarsdag",
    date(2026, 4, 5): "Eerste paasdag",
    date(2026, 4, 6): "Tweede paasdag",
    date(2026, 4, 27): "Koningsdag",
    date(2026, 5, 5): "Bevrijdingsdag",
    date(2026, 5, 14): "Hemelvaartsdag",
    date(2026, 5, 24): "Eerste pinksterdag",
    date(2026, 5, 25): "Tweede pinksterdag",
    date(2026, 12, 25): "Eerste kerstdag",
    date(2026, 12, 26): "Tweede kerstdag",
}


def test_days_off_2026_are_exactly_the_atw_holidays() -> None:
    year = [date(2026, 1, 1) + timedelta(days=n) for n in range(365)]
    found = {d: dutch_holiday_name(d) for d in year if dutch_holiday_name(d) is not None}
    assert found == DAYS_OFF_2026


def test_good_friday_is_a_working_day() -> None:
    # holidays lists Goede vrijdag as PUBLIC; the Atw and Cao Gemeenten do not give it off.
    assert holidays.country_holidays("NL", years=2026).get(date(2026, 4, 3)) is not None
    assert dutch_holiday_name(date(2026, 4, 3)) is None
    assert is_working_day(date(2026, 4, 3))


def test_liberation_day_is_off_every_year_not_only_every_fifth() -> None:
    for year in (2026, 2027, 2029, 2030):
        assert dutch_holiday_name(date(year, 5, 5)) == "Bevrijdingsdag"
    assert not is_working_day(date(2026, 5, 5))


def test_kings_day_on_a_sunday_moves_to_saturday_the_26th() -> None:
    official = holidays.country_holidays("NL", years=2025, language="nl")
    assert official.get(date(2025, 4, 26)) == "Koningsdag"
    assert dutch_holiday_name(date(2025, 4, 26)) == "Koningsdag"
    assert dutch_holiday_name(date(2025, 4, 27)) is None


def test_every_public_holiday_of_the_package_except_good_friday_is_a_day_off() -> None:
    for year in range(2024, 2031):
        for day, name in holidays.country_holidays("NL", years=year, language="nl").items():
            if name != "Goede vrijdag":
                assert dutch_holiday_name(day) == name


def test_the_table_of_days_off_is_what_the_package_gives_every_year() -> None:
    # bot/language/days_off_nl.py spares processes the package; it must say what the package
    # says. When this fails after a `holidays` upgrade: run scripts/days_off_nl.py.
    from bot.language.days_off_nl import DAYS_OFF, FIRST_YEAR, LAST_YEAR
    from bot.language.workdays import days_off_from_package

    assert sorted(DAYS_OFF) == list(range(FIRST_YEAR, LAST_YEAR + 1))
    assert FIRST_YEAR <= 2020 and LAST_YEAR >= 2060  # years the bot plans in
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        from_package = days_off_from_package(year)
        assert {date(year, m, d): name for m, d, name in DAYS_OFF[year]} == from_package, year
        assert {day: dutch_holiday_name(day) for day in from_package} == from_package


def test_years_outside_the_table_ask_the_package() -> None:
    # (The package itself stops at 2100, as the table does.)
    from bot.language.days_off_nl import FIRST_YEAR, LAST_YEAR
    from bot.language.workdays import days_off_from_package

    for year in (FIRST_YEAR - 1, LAST_YEAR + 1):
        from_package = days_off_from_package(year)
        assert {day: dutch_holiday_name(day) for day in from_package} == from_package
    before = FIRST_YEAR - 1
    assert dutch_holiday_name(date(before, 12, 25)) == "Eerste kerstdag"
    assert dutch_holiday_name(date(before, 5, 5)) == "Bevrijdingsdag"
    assert is_working_day(easter(before) - timedelta(days=2))  # Goede vrijdag
    assert not is_working_day(easter(before) + timedelta(days=1))  # Tweede paasdag


def packages_loaded(script: str, package: str) -> list[str]:
    """The modules of `package` a fresh interpreter holds after running `script`."""
    probe = (
        f"{script}\nimport sys\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] == {package!r}))"
    )
    ran = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return ast.literal_eval(ran.stdout.strip())


def test_working_days_load_no_holiday_package() -> None:
    script = (
        "from datetime import date\n"
        "from bot.language import add_working_days\n"
        "add_working_days(date(2026, 12, 24), 3)"
    )
    assert packages_loaded(script, "holidays") == []


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 1), True),
        (date(2026, 12, 5), False),  # Saturday
        (date(2026, 12, 6), False),  # Sunday
        (date(2026, 12, 25), False),
        (date(2026, 4, 6), False),
        (date(2026, 4, 27), False),
        (date(2026, 5, 14), False),
        (date(2026, 5, 25), False),
        (date(2027, 1, 1), False),
        (date(2026, 12, 24), True),
        (date(2026, 12, 31), True),
    ],
)
def test_is_working_day(day: date, expected: bool) -> None:
    assert is_working_day(day) is expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 24), date(2026, 12, 28)),  # over Christmas and the weekend
        (date(2026, 12, 31), date(2027, 1, 4)),  # over New Year's Day and the weekend
        (date(2026, 4, 2), date(2026, 4, 3)),  # Goede vrijdag is worked
        (date(2026, 4, 3), date(2026, 4, 7)),  # over Easter
        (date(2026, 5, 13), date(2026, 5, 15)),  # over Hemelvaartsdag
        (date(2026, 5, 4), date(2026, 5, 6)),  # over Bevrijdingsdag
        (date(2026, 11, 30), date(2026, 12, 1)),
    ],
)
def test_next_working_day(day: date, expected: date) -> None:
    assert next_working_day(day) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 28), date(2026, 12, 24)),
        (date(2027, 1, 4), date(2026, 12, 31)),
        (date(2026, 4, 7), date(2026, 4, 3)),
        (date(2026, 4, 28), date(2026, 4, 24)),  # over Koningsdag and the weekend
        (date(2026, 12, 2), date(2026, 12, 1)),
    ],
)
def test_previous_working_day(day: date, expected: date) -> None:
    assert previous_working_day(day) == expected


def test_add_working_days() -> None:
    assert add_working_days(date(2026, 12, 23), 3) == date(2026, 12, 29)
    assert add_working_days(date(2026, 12, 29), -3) == date(2026, 12, 23)
    assert add_working_days(date(2026, 12, 26), 0) == date(2026, 12, 26)


# --------------------------------------------------------------------------------------------
# find_due_date
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected_date", "phrase"),
    [
        ("actie: @x belt politie voor vrijdag", date(2026, 12, 4), "voor vrijdag"),
        ("@x belt politie vóór vrijdag.", date(2026, 12, 4), "vóór vrijdag"),
        ("Uiterlijk 1 december stukken rondsturen", date(2026, 12, 1), "Uiterlijk 1 december"),
        ("concept uiterlijk 1-12 naar de burgemeester", date(2026, 12, 1), "uiterlijk 1-12"),
        ("evaluatie BIBOB, deadline 3 dec", date(2026, 12, 3), "deadline 3 dec"),
        ("deadline: 3 dec", date(2026, 12, 3), "deadline: 3 dec"),
        ("memo op 1-12 klaar", date(2026, 12, 1), "op 1-12"),
        ("Anna stuurt verslag 1 dec. rond", date(2026, 12, 1), "1 dec."),
        ("Anna stuurt verslag voor 1 december.", date(2026, 12, 1), "voor 1 december"),
        ("plan volgende week bespreken", date(2026, 12, 11), "volgende week"),  # its Friday
        ("over 2 weken terugkoppelen", date(2026, 12, 14), "over 2 weken"),
        ("over twee weken terugkoppelen", date(2026, 12, 14), "over twee weken"),
        ("rapportage eind van de maand", date(2026, 11, 30), "eind van de maand"),
        ("voor het eind van de maand", date(2026, 11, 30), "voor het eind van de maand"),
        ("morgen bellen met de wijkagent", date(2026, 12, 1), "morgen"),
        ("uiterlijk vandaag reageren", date(2026, 11, 30), "uiterlijk vandaag"),
        ("t/m volgende week vrijdag", date(2026, 12, 11), "t/m volgende week vrijdag"),
        ("planning aanstaande vrijdag klaar", date(2026, 12, 4), "aanstaande vrijdag"),
        ("voor 1 december 2026", date(2026, 12, 1), "voor 1 december 2026"),
        ("Jan belt 06-12345678 voor vrijdag", date(2026, 12, 4), "voor vrijdag"),
        ("*voor vrijdag*", date(2026, 12, 4), "voor vrijdag"),
        # first phrase wins
        ("voor vrijdag concept, uiterlijk 1-12 definitief", date(2026, 12, 4), "voor vrijdag"),
    ],
)
def test_find_due_date_dates(text: str, expected_date: date, phrase: str) -> None:
    found = find_due_date(text, MON_NOV_30)
    assert found is not None
    assert found.kind == "date"
    assert found.date == expected_date
    assert text[found.span[0] : found.span[1]] == phrase


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("z.s.m. bellen", "z.s.m."),
        ("ZSM bellen", "ZSM"),
        ("Bellen: zsm.", "zsm"),
        ("graag zo snel mogelijk", "zo snel mogelijk"),
        ("asap oppakken", "asap"),
        ("per direct regelen", "per direct"),
        ("zsm, in elk geval voor vrijdag", "zsm"),
    ],
)
def test_find_due_date_asap(text: str, phrase: str) -> None:
    found = find_due_date(text, MON_NOV_30)
    assert found is not None
    assert (found.kind, found.date) == ("asap", None)
    assert text[found.span[0] : found.span[1]] == phrase


@pytest.mark.parametrize(
    ("text", "hint", "phrase"),
    [
        (
            "@x agendeert voor de volgende boa-briefing",
            "boa-briefing",
            "voor de volgende boa-briefing",
        ),
        ("voor het volgende teamoverleg", "teamoverleg", "voor het volgende teamoverleg"),
        ("terugkomen in volgend overleg", None, "in volgend overleg"),
        ("volgende vergadering bespreken", None, "volgende vergadering"),
        ("voor de volgende TVO", "TVO", "voor de volgende TVO"),
        (
            "bespreken in het volgende lokaal politieoverleg",
            "lokaal politieoverleg",
            "in het volgende lokaal politieoverleg",
        ),
    ],
)
def test_find_due_date_next_meeting(text: str, hint: str | None, phrase: str) -> None:
    found = find_due_date(text, MON_NOV_30)
    assert found is not None
    assert (found.kind, found.date, found.meeting_hint) == ("next_meeting", None, hint)
    assert text[found.span[0] : found.span[1]] == phrase


@pytest.mark.parametrize(
    "text",
    [
        "bel 06-12345678",
        "3 agenten inzetten bij de wedstrijd",
        "zie artikel 172 Gemeentewet",
        "zoals vandaag besproken",  # context, not a deadline
        "belt politie vrijdag",  # a bare weekday needs "voor", "op", "uiterlijk", ...
        "3-4 handhavers extra",  # a range, not 3 april
        "voor zo ver bekend geen bezwaar",
        "volgende stap: mail naar de politie",
        "versie 1.12 van het draaiboek",
        "",
    ],
)
def test_find_due_date_ignores_numbers_and_words_that_are_no_date(text: str) -> None:
    assert find_due_date(text, MON_NOV_30) is None


def test_find_due_date_reports_an_impossible_deadline() -> None:
    with pytest.raises(DutchDateError, match="31 februari bestaat niet"):
        find_due_date("uiterlijk 31-2 aanleveren", MON_NOV_30)


def test_find_due_date_around_new_year() -> None:
    found = find_due_date("voor vrijdag", WED_DEC_30)
    assert found is not None and found.date == date(2027, 1, 1)
    found = find_due_date("uiterlijk 5-1", WED_DEC_30)
    assert found is not None and found.date == date(2027, 1, 5)


# --- the kernel as tables (bot.language) -----------------------------------------------------

from datetime import time as _time  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from bot.language import (  # noqa: E402
    parse_period,
    parse_person_ref,
    read_moment,
    shift_wall,
    wall_time,
    wall_time_remark,
)
from bot.language.milestones import parse_deadline  # noqa: E402
from bot.language.people import PersonRef, resolve_person  # noqa: E402

_AMS = ZoneInfo("Europe/Amsterdam")


def _at(y: int, m: int, d: int, h: int = 12) -> datetime:
    return datetime(y, m, d, h, tzinfo=_AMS)


# Fixed instants: the last Sundays of March and October, the year end with ISO week 53 (2026).
_INSTANTS = {
    "spring": _at(2027, 3, 28),
    "autumn": _at(2027, 10, 31),
    "new_year_eve": _at(2026, 12, 31),
    "new_year": _at(2027, 1, 1),
}


@pytest.mark.parametrize(
    ("instant", "text", "first", "last"),
    [
        ("new_year_eve", "week 53", date(2026, 12, 28), date(2027, 1, 3)),
        ("new_year_eve", "week 1", date(2027, 1, 4), date(2027, 1, 10)),
        # 1 January 2027 is a Friday in week 53 of 2026: that week is still running.
        ("new_year", "week 53", date(2026, 12, 28), date(2027, 1, 3)),
        ("new_year", "week 52", date(2027, 12, 27), date(2028, 1, 2)),
        ("new_year", "volgende week", date(2027, 1, 4), date(2027, 1, 10)),
        ("new_year", "wk 2 2028", date(2028, 1, 10), date(2028, 1, 16)),
        ("spring", "volgende dinsdag", date(2027, 3, 30), date(2027, 3, 30)),
        ("autumn", "over 2 weken", date(2027, 11, 14), date(2027, 11, 14)),
        ("autumn", "eind van de maand", date(2027, 10, 31), date(2027, 10, 31)),
    ],
)
def test_periods_at_dst_changes_and_year_ends(
    instant: str, text: str, first: date, last: date
) -> None:
    days = parse_period(text, _INSTANTS[instant], tz=_AMS)
    assert (days.first, days.last) == (first, last)


@pytest.mark.parametrize(
    ("instant", "text", "expected"),
    [
        ("spring", "morgenochtend", _at(2027, 3, 29, 9)),
        ("spring", "vanavond", _at(2027, 3, 28, 19)),
        ("autumn", "morgenmiddag 3 uur", _at(2027, 11, 1, 15)),
        ("spring", "28 maart 2:30", datetime(2027, 3, 28, 3, 30, tzinfo=_AMS)),  # the gap
    ],
)
def test_day_parts_and_wall_time(instant: str, text: str, expected: datetime) -> None:
    assert parse_datetime(text, _INSTANTS[instant] - timedelta(hours=11), tz=_AMS) == expected


@pytest.mark.parametrize(
    ("text", "moment", "remark"),
    [
        # Summer time ends on Sunday 25 October 2026 (03:00 -> 02:00) and begins on Sunday
        # 28 March 2027 (02:00 -> 03:00).
        ("25 oktober 02:30", datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "twee keer voor"),
        ("25 oktober 02:00", datetime(2026, 10, 25, 0, 0, tzinfo=UTC), "twee keer voor"),
        ("25 oktober 03:00", datetime(2026, 10, 25, 2, 0, tzinfo=UTC), None),
        ("25 oktober 01:59", datetime(2026, 10, 24, 23, 59, tzinfo=UTC), None),
        ("28 maart 2027 02:30", datetime(2027, 3, 28, 1, 30, tzinfo=UTC), "Ik lees 03:30."),
        ("28 maart 2027 03:00", datetime(2027, 3, 28, 1, 0, tzinfo=UTC), None),
        ("29 maart 2027 02:30", datetime(2027, 3, 29, 0, 30, tzinfo=UTC), None),
    ],
)
def test_a_wall_time_in_the_dst_hour_is_read_with_a_remark(
    text: str, moment: datetime, remark: str | None
) -> None:
    read = read_moment(text, _at(2026, 10, 13), tz=_AMS)
    # In UTC: an ambiguous local time never compares equal across zones (PEP 495).
    assert read.moment.astimezone(UTC) == moment
    if remark is None:
        assert read.remark is None
    else:
        assert read.remark is not None and remark in read.remark
    assert parse_datetime(text, _at(2026, 10, 13), tz=_AMS).astimezone(UTC) == moment


@pytest.mark.parametrize(
    ("instant", "text", "expected"),
    [
        # Wednesday 23 December 2026: "dinsdagmiddag" was "niet te lezen" in /piket and /overleg
        (_at(2026, 12, 23, 10), "dinsdagmiddag", _at(2026, 12, 29, 13)),
        (_at(2026, 12, 23, 10), "maandagochtend", _at(2026, 12, 28, 9)),
        (_at(2026, 12, 23, 10), "maandagmorgen half 10", _at(2026, 12, 28, 9).replace(minute=30)),
        (_at(2026, 12, 23, 10), "vrijdagavond", _at(2026, 12, 25, 19)),
        (_at(2026, 12, 23, 10), "dinsdagmiddag 3 uur", _at(2026, 12, 29, 15)),
        (_at(2026, 12, 23, 10), "morgen 's middags", _at(2026, 12, 24, 13)),
        (_at(2026, 12, 23, 10), "28-12 's avonds", _at(2026, 12, 28, 19)),
        (_at(2026, 12, 23, 10), "morgenmiddag", _at(2026, 12, 24, 13)),
        (_at(2026, 12, 23, 10), "morgen half 10", _at(2026, 12, 24, 9).replace(minute=30)),
        (_at(2026, 12, 23, 10), "kwart over 9", _at(2026, 12, 24, 9).replace(minute=15)),
        (_at(2026, 12, 23, 10), "half 10", _at(2026, 12, 24, 9).replace(minute=30)),
    ],
)
def test_a_weekday_with_a_day_part_is_a_moment(
    instant: datetime, text: str, expected: datetime
) -> None:
    assert parse_datetime(text, instant, tz=_AMS) == expected


@pytest.mark.parametrize(
    ("instant", "text", "first", "friday"),
    [
        # The ISO week holding the month's first (last) Thursday: "eerste week van januari" is
        # week 1, as "week 1" is; it was "niet te lezen" in every command.
        (_at(2026, 12, 23), "eerste week van januari", date(2027, 1, 4), date(2027, 1, 8)),
        (_at(2026, 12, 23), "de tweede week van januari", date(2027, 1, 11), date(2027, 1, 15)),
        (_at(2026, 12, 23), "laatste week van december", date(2026, 12, 28), date(2027, 1, 1)),
        # on 2 January 2027 the last week of December (week 53 of 2026) is still running
        (_at(2027, 1, 2), "laatste week van december", date(2026, 12, 28), date(2027, 1, 2)),
        (_at(2026, 12, 23), "eerste week van maart", date(2027, 3, 1), date(2027, 3, 5)),
        (_at(2026, 12, 23), "eerste week van januari 2028", date(2028, 1, 3), date(2028, 1, 7)),
    ],
)
def test_the_nth_week_of_a_month_is_an_iso_week(
    instant: datetime, text: str, first: date, friday: date
) -> None:
    days = parse_period(text, instant, tz=_AMS)
    assert (days.first, days.last) == (first, first + timedelta(days=6))
    assert parse_due_date(text, instant, tz=_AMS) == friday


def test_the_nth_week_of_a_month_that_just_ended_is_asked_about() -> None:
    with pytest.raises(DutchDateError, match="week 49 van 2026\\) is al geweest"):
        parse_period("eerste week van december", _at(2026, 12, 23), tz=_AMS)


def test_the_dst_remarks_say_what_was_read() -> None:
    assert wall_time_remark(date(2026, 10, 25), _time(2, 30), _AMS) == (
        "02:30 komt op zondag 25 oktober 2026 twee keer voor: de zomertijd eindigt en de klok "
        "gaat een uur terug. Ik lees de eerste keer, nog in zomertijd; de tweede keer is een uur "
        "later."
    )
    assert wall_time_remark(date(2026, 3, 29), _time(2, 30), _AMS) == (
        "02:30 bestaat niet op zondag 29 maart 2026: de zomertijd begint en de klok springt een "
        "uur vooruit. Ik lees 03:30."
    )
    assert wall_time_remark(date(2026, 3, 29), _time(3, 30), _AMS) is None


def test_wall_time_arithmetic_keeps_the_clock_across_dst() -> None:
    sunday = wall_time(date(2027, 3, 28), _time(8), _AMS)  # the clocks went forward at 02:00
    assert shift_wall(sunday, -timedelta(days=1), _AMS) == _at(2027, 3, 27, 8)
    elapsed = sunday.astimezone(UTC) - shift_wall(sunday, -timedelta(days=1), _AMS)
    assert elapsed == timedelta(hours=23)


@pytest.mark.parametrize(
    "text", ["1-1-9999", "1-1-1999", "over 999 jaar", "week 1 2099", "1 januari 2040"]
)
def test_dates_outside_the_horizon_are_refused_in_dutch(text: str) -> None:
    with pytest.raises(DutchDateError, match="te ver"):
        parse_date(text, _INSTANTS["new_year"], tz=_AMS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("actie: @x levert de cijfers aan in week 50", date(2027, 12, 17)),
        ("uiterlijk week 2", date(2027, 1, 15)),
        ("klaar voor het weekend", date(2027, 1, 1)),  # a Friday: today
        ("uiterlijk week 53", date(2027, 1, 1)),  # the week running (53 of 2026): today
    ],
)
def test_weeks_as_deadlines_are_their_friday(text: str, expected: date) -> None:
    due = find_due_date(text, _INSTANTS["new_year"], tz=_AMS)
    assert due is not None and due.date == expected


@pytest.mark.parametrize("weekday", [5, 6], ids=["zaterdag", "zondag"])
@pytest.mark.parametrize("text", ["voor het weekend", "voor dit weekend", "voor volgend weekend"])
def test_before_the_weekend_said_at_the_weekend_is_the_coming_friday(
    text: str, weekday: int
) -> None:
    # Saturday 2 or Sunday 3 January 2027: the next Friday is 8 January, never a Saturday.
    now = _at(2027, 1, 2) + timedelta(days=weekday - 5)
    due = find_due_date(f"actie: stukken rondsturen {text}", now, tz=_AMS)
    assert due is not None and due.date == date(2027, 1, 8)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("eind 2027", date(2027, 12, 31)),
        ("het eind van 2027", date(2027, 12, 31)),
        ("begin 2027", date(2027, 1, 1)),
        ("medio 2027", date(2027, 6, 30)),
        ("Q1 2027", date(2027, 3, 31)),
        ("Q3 2027", date(2027, 9, 30)),
    ],
)
def test_a_year_edge_means_in_an_action_what_it_means_in_the_programme(
    text: str, expected: date
) -> None:
    # The programme's deadlines read these (bot.language.milestones); an action line refused
    # "uiterlijk eind 2027" as no date at all.
    assert parse_deadline(text) == expected
    assert parse_date(text, _INSTANTS["new_year_eve"], tz=_AMS) == expected
    due = find_due_date(f"actie: plan klaar uiterlijk {text}", _INSTANTS["new_year_eve"], tz=_AMS)
    assert due is not None and due.date == expected


@pytest.mark.parametrize(
    ("text", "as_date", "as_deadline"),
    [
        ("volgende maand", date(2027, 1, 1), date(2027, 1, 31)),
        ("uiterlijk volgende maand", None, date(2027, 1, 31)),
        ("voor volgende maand", None, date(2027, 1, 31)),
        ("komende maand", date(2027, 1, 1), date(2027, 1, 31)),
        ("eind volgende maand", date(2027, 1, 31), date(2027, 1, 31)),
        ("begin volgende maand", date(2027, 1, 1), date(2027, 1, 1)),
        ("medio volgende maand", date(2027, 1, 15), date(2027, 1, 15)),
        ("deze maand", date(2026, 12, 31), date(2026, 12, 31)),
        ("uiterlijk deze maand", None, date(2026, 12, 31)),
        ("dit kwartaal", date(2026, 12, 31), date(2026, 12, 31)),
        ("eind van het kwartaal", date(2026, 12, 31), date(2026, 12, 31)),
        ("volgend kwartaal", date(2027, 1, 1), date(2027, 3, 31)),
        ("begin volgend kwartaal", date(2027, 1, 1), date(2027, 1, 1)),
        ("volgend jaar", date(2027, 1, 1), date(2027, 12, 31)),
        ("uiterlijk volgend jaar", None, date(2027, 12, 31)),
        ("dit jaar", date(2026, 12, 31), date(2026, 12, 31)),
        ("uiterlijk volgende week", None, date(2027, 1, 8)),
        ("voor het weekend", None, date(2027, 1, 1)),
        ("over twee weken", date(2027, 1, 13), date(2027, 1, 13)),
        ("binnen een maand", date(2027, 1, 30), date(2027, 1, 30)),
    ],
)
def test_a_month_quarter_or_year_as_a_deadline_is_its_last_day_in_every_reader(
    text: str, as_date: date | None, as_deadline: date
) -> None:
    # On Wednesday 30 December 2026. parse_date reads no "uiterlijk"; as a deadline (the
    # programme's form field, an action line) the phrase means the same in both readers.
    now = at(2026, 12, 30)
    if as_date is not None:
        assert parse_date(text, now) == as_date
    assert parse_due_date(text, now) == as_deadline
    line = text if text.startswith(("uiterlijk", "voor")) else f"uiterlijk {text}"
    due = find_due_date(f"actie: cijfers aanleveren {line}", now)
    assert due is not None and due.date == as_deadline


def test_a_bare_year_is_no_deadline_in_an_action_line() -> None:
    assert find_due_date("actie: begroting 2027 opstellen", _INSTANTS["new_year_eve"]) is None


def test_a_deadline_after_uiterlijk_that_is_no_date_is_reported() -> None:
    with pytest.raises(DutchDateError, match="‘uiterlijk kerstavond’"):
        find_due_date("draaiboek klaar uiterlijk kerstavond", _INSTANTS["new_year"], tz=_AMS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<@U123>", PersonRef("mention", "U123")),
        ("<@U123|jan>", PersonRef("mention", "U123", "jan")),
        ("@aov-1", PersonRef("name", "aov-1")),
        ("aov-1", PersonRef("name", "aov-1")),
        ("Mij", PersonRef("self")),
        ("", None),
        ("<@U1> en <@U2>", None),
    ],
)
def test_person_references(text: str, expected: PersonRef | None) -> None:
    assert parse_person_ref(text) == expected


def test_person_references_resolve_against_a_directory_passed_in() -> None:
    class Directory:
        def person_by_slack_id(self, slack_id: str) -> str | None:
            return {"U1": "jan"}.get(slack_id)

        def find_person(self, ref: str) -> str | None:
            return {"aov-1": "jan"}.get(ref)

    me = parse_person_ref("ik")
    key = parse_person_ref("aov-1")
    assert me is not None and key is not None
    assert resolve_person(me, Directory(), "U1").person == "jan"
    assert resolve_person(key, Directory(), None).person == "jan"
    assert resolve_person(me, Directory(), "U9").person is None


# --------------------------------------------------------------------------------------------
# the Dutch the bot writes is Babel's: the names and patterns written out in bot/language/ (to
# spare every start Babel's locale data) must give what Babel's nl_NL gives


def test_parsed_names_are_the_ones_babel_writes_in_dates() -> None:
    from babel import dates as babel_dates

    from bot.language import names

    # What the bot writes ("3 mrt", "maandag") is what it reads back.
    wide = babel_dates.get_month_names("wide", locale=names.LOCALE)
    abbreviated = babel_dates.get_month_names("abbreviated", locale=names.LOCALE)
    assert tuple(wide[m] for m in range(1, 13)) == names.MONTH_NAMES
    assert tuple(abbreviated[m] for m in range(1, 13)) == names.MONTH_ABBREVIATIONS
    days = babel_dates.get_day_names("wide", locale=names.LOCALE)
    short_days = babel_dates.get_day_names("abbreviated", locale=names.LOCALE)
    assert tuple(days[d] for d in range(7)) == names.WEEKDAY_NAMES
    assert tuple(short_days[d] for d in range(7)) == names.WEEKDAY_ABBREVIATIONS
    assert format_date(date(2026, 3, 2)).split()[-2:] == ["maart", "2026"]
    assert parse_date("2 mrt", MON_NOV_30) == date(2027, 3, 2)


def _days_to_compare() -> list[date]:
    # Every day of a leap year and the years around it, and the first and last of every month
    # far either side (years of one to four digits).
    every_day = [date(2027, 1, 1) + timedelta(days=n) for n in range(3 * 366)]
    edges = [
        day
        for year in (1, 9, 99, 999, 1900, 2000, 2099, 2100, 9999)
        for month in range(1, 13)
        for day in (date(year, month, 1), date(year, month, 28))
    ]
    return every_day + edges


def test_dates_are_written_as_babel_writes_them() -> None:
    from babel import dates as babel_dates

    def babel(d: date, pattern: str) -> str:
        return babel_dates.format_date(d, pattern, locale="nl_NL")

    for day in _days_to_compare():
        assert format_date(day) == babel(day, "EEEE d MMMM y"), day
        assert format_date(day, with_year=False) == babel(day, "EEEE d MMMM"), day
        assert format_short_date(day) == babel(day, "EEE d MMM"), day
        assert day_month_text(day) == babel(day, "d MMMM y"), day


def test_times_are_written_as_babel_writes_them() -> None:
    from babel import dates as babel_dates

    for minute in range(24 * 60):
        moment = time(minute // 60, minute % 60, 59)
        assert format_time(moment) == babel_dates.format_time(moment, "HH:mm", locale="nl_NL")


def _numbers_to_compare() -> list[float]:
    import random

    draw = random.Random(20261201)
    quarters = [n / 4 for n in range(-400, 4000)]
    halves_of_cents = [n / 1000 + 0.0005 for n in range(-2000, 2000)]  # ties: 2.675, 0.125, ...
    awkward = [0.1 + 0.2, 1 / 3, 2 / 3, 2.675, 1.005, 0.125, 0.375, 1e-7, -1e-7, 1e15 + 0.5]
    big = [draw.uniform(-1e7, 1e7) for _ in range(2000)]
    small = [draw.uniform(-2, 2) for _ in range(2000)]
    return [0, 7, 1234, -1234, *quarters, *halves_of_cents, *awkward, *big, *small]


@pytest.mark.parametrize("decimals", [0, 1, 2, 3, 6])
def test_numbers_are_written_as_babel_writes_them(decimals: int) -> None:
    from babel.numbers import format_decimal

    pattern = "#,##0." + "#" * decimals if decimals else "#,##0"
    for value in _numbers_to_compare():
        expected = format_decimal(value, format=pattern, locale="nl_NL")
        assert format_number(value, decimals=decimals) == expected, (value, decimals)


def test_formatting_loads_no_babel() -> None:
    # The point of writing them out: a process that formats dates, times and numbers does not
    # load Babel's locale data (~7 MiB, ~30 ms at start, when read models format their dates).
    script = (
        "from datetime import date, time\n"
        "from bot.language import format_date, format_number, format_short_date, format_time\n"
        "from bot.core.cadence import format_hours\n"
        "format_date(date(2026, 12, 1)); format_short_date(date(2026, 12, 1))\n"
        "format_time(time(9)); format_number(1.5); format_hours(0.25)"
    )
    assert packages_loaded(script, "babel") == []


@pytest.mark.parametrize(
    ("text", "first", "last", "label"),
    [
        ("volgende maand", date(2027, 1, 1), date(2027, 1, 31), "januari 2027"),
        ("deze maand", date(2026, 12, 1), date(2026, 12, 31), "december 2026"),
        ("volgend kwartaal", date(2027, 1, 1), date(2027, 3, 31), "het eerste kwartaal van 2027"),
        ("dit jaar", date(2026, 1, 1), date(2026, 12, 31), "2026"),
    ],
)
def test_a_month_quarter_or_year_as_a_period_is_all_its_days(
    text: str, first: date, last: date, label: str
) -> None:
    days = parse_period(text, _at(2026, 12, 23), tz=_AMS)
    assert (days.first, days.last, days.label, days.is_week) == (first, last, label, False)


@pytest.mark.parametrize("text", ["morgen 12 uur 's nachts", "vrijdag om 12 's nachts"])
def test_midnight_said_with_a_day_is_asked_about(text: str) -> None:
    # On Thursday 31 December 2026 "morgen 12 uur 's nachts" was read as 1 January 00:00, the
    # start of "morgen"; as often the night after it is meant.
    with pytest.raises(DutchDateError, match="het begin of het eind van vrijdag 1 januari 2027"):
        parse_datetime(text, _at(2026, 12, 31, 10), tz=_AMS)
    # Without a day, or written as a clock time, it is the coming midnight, as before.
    assert parse_datetime("12 uur 's nachts", _at(2026, 12, 31, 10), tz=_AMS) == _at(2027, 1, 1, 0)
    assert parse_datetime("1-1 00:00", _at(2026, 12, 31, 10), tz=_AMS) == _at(2027, 1, 1, 0)
