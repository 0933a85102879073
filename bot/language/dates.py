"""Reading Dutch dates, weeks and periods.

Pure: it never reads the wall clock; "now" is always a parameter and every relative phrase
("morgen", "over twee weken") is resolved against it in the time zone passed in.

Reading rules (what users may type, and what it means):

* A date without a year (also "eind/begin/medio november") is the next such date that is not in
  the past; today counts. One that passed less than 60 days ago is refused with a question
  ("17 november is al geweest. Bedoel je … 2027?"): that is a slip or the past, and read as next
  year it would cancel or schedule something a year off without anyone noticing.
* A bare weekday ("dinsdag", "di") and "aanstaande"/"a.s."/"komende dinsdag" mean the first such
  day *after* today: whoever means today says "vandaag". "deze dinsdag" includes today.
* "volgende dinsdag" and "dinsdag volgende week" mean the Tuesday of next (Monday-based) week, so on
  a Monday it is eight days away, not tomorrow: "volgende" contrasts with "deze"/"aanstaande".
* "volgende week" / "begin volgende week" is the Monday of next week, "eind (van de) week" and
  "deze week" the Friday of this week (on a weekend: the coming Friday), "eind volgende week" the
  Friday of next week, "eind (van de) maand" the last day of the month, "begin volgende maand" the
  1st, "medio volgende maand" the 15th. "volgende maand/kwartaal/jaar" is its first day as a date,
  its last day as a deadline (`ParsedDate.until`, `bot.language.due`) and all its days as a period
  (`parse_period`); "deze maand", "dit kwartaal" and "dit jaar" are their last day as a date, as
  "deze week" is its Friday.
  "eind/begin/medio december" is the 31st/1st/15th; "eind/begin/medio 2027" and "Q3 2027" are
  read as the programme reads its deadlines (`bot.language.milestones`): 31 December, 1 January,
  30 June, the quarter's last day. A bare year ("2027") is no date.
* An ISO week ("week 50", "wk 50", "week 50 2027", "2026-W50") without a year is the first such
  week that has not yet ended (so "week 53" on 1 January 2027 is the week running, 53 of 2026).
  As a date it is its Monday; as a period (`parse_period`) Monday to Sunday; as a deadline
  (`bot.language.due`) its Friday, like "volgende week".
* "eerste/tweede/derde/vierde/laatste week van januari" is the ISO week holding that Thursday of
  the month (the week most of which lies in it: "eerste week van januari" is week 1), read as
  "week N" is.
* "het weekend" / "dit weekend" is the coming Saturday (today on a Saturday or Sunday).
* Two-digit years are 20xx. "d.m" without a year ("1.12") is a date, not a time; write "om 1.12"
  or "01:12" for the time.
* Dates before 2000 or more than five years ahead are refused (`HORIZON_YEARS`): nobody plans a
  meeting or a duty that far, and a typo ("1-1-9999") must not reach a calendar.
"""

import calendar
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
from typing import Literal

from dateutil.relativedelta import relativedelta
from msgspec import Struct
from msgspec.structs import replace

from bot.language.errors import DutchDateError, InvalidDate
from bot.language.fold import clean
from bot.language.format import DEFAULT_TZ, day_month_text, format_date
from bot.language.names import (
    FULL_WEEKDAYS,
    MONTHS,
    NUMBER_WORDS,
    WEEKDAYS,
    alternation,
    day_name,
    month_name,
    number,
)
from bot.language.workdays import add_working_days

__all__ = [
    "DATE_EXAMPLES",
    "EARLIEST_YEAR",
    "HORIZON_YEARS",
    "RECENT_PAST",
    "DayRange",
    "Evidence",
    "ParsedDate",
    "check_horizon",
    "monday_of",
    "parse_date",
    "parse_date_phrase",
    "parse_period",
    "today_in",
    "unreadable_date",
]

DATE_EXAMPLES = "‘morgen’, ‘vrijdag’, ‘1 december’ of ‘1-12-2026’"

# A date without a year that passed this recently is refused rather than read as next year.
RECENT_PAST = timedelta(days=60)
# How far ahead a date may lie; the earliest year any command accepts.
HORIZON_YEARS = 5
EARLIEST_YEAR = 2000

_MON = alternation(MONTHS)
_WD = alternation(WEEKDAYS)
_NUMBER = rf"\d{{1,3}}|{alternation(NUMBER_WORDS)}"

# How strongly a phrase signals a date inside free text (see bot.language.due):
# "bare" on its own, "trigger" only after "voor"/"uiterlijk"/..., "never" not at all.
Evidence = Literal["bare", "trigger", "never"]


class ParsedDate(Struct, frozen=True):
    """A date phrase read: `day` is the date it names; a week phrase also gives its Monday to
    Sunday in `first`/`last`."""

    day: date
    evidence: Evidence
    first: date | None = None
    last: date | None = None
    label: str | None = None  # "week 50 van 2026"
    weekend: bool = False
    # A phrase naming a whole month, quarter or year ("volgende maand", "dit kwartaal"): its last
    # day, which is what it means as a deadline ("uiterlijk volgende maand": by its end).
    until: date | None = None
    # The same phrase's first day: as a period (`parse_period`) it runs from here to `until`.
    since: date | None = None

    @property
    def is_week(self) -> bool:
        return self.first is not None


_Parsed = ParsedDate


def today_in(now: datetime, tz: tzinfo) -> date:
    """The local date of an aware `now`."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    return now.astimezone(tz).date()


_today = today_in


def monday_of(d: date) -> date:
    return d - timedelta(days=d.weekday())


_monday = monday_of


def _first_on_or_after(today: date, make: Callable[[int], date | None]) -> date:
    """First date make(year) >= today, for this year and the next few (29 February needs 8)."""
    for year in range(today.year, today.year + 9):
        candidate = make(year)
        if candidate is not None and candidate >= today:
            return candidate
    raise AssertionError("a valid day and month always recurs within eight years")


def _checked_day_month(day: int, month: int, shown: str) -> None:
    if not 1 <= month <= 12:
        raise InvalidDate(
            f"Maand {month} bestaat niet (in ‘{shown}’). "
            "Schrijf bijvoorbeeld ‘1-12’ voor 1 december."
        )
    longest = calendar.monthrange(2024, month)[1]  # 2024: a leap year, so 29-2 is allowed here
    if not 1 <= day <= longest:
        raise InvalidDate(
            f"{day} {month_name(month)} bestaat niet: {month_name(month)} heeft hoogstens "
            f"{longest} dagen."
        )


def _upcoming(make: Callable[[int], date | None], today: date, phrase: str | None = None) -> date:
    """The first make(year) from today on; InvalidDate with a question when this year's passed
    less than RECENT_PAST ago. `phrase` names it when it is no plain date ("eind november")."""
    recent = [
        d
        for y in (today.year, today.year - 1)
        if (d := make(y)) is not None and today - RECENT_PAST <= d < today
    ]
    upcoming = _first_on_or_after(today, make)
    if recent:
        # "17 november" typed on 23 November is a slip or the past, rarely next year: a
        # cancelled meeting or a deadline a year off would go unnoticed.
        day_month = format_date(recent[0], with_year=False).split(" ", 1)[1]
        shown = f"{phrase} ({day_month})" if phrase else day_month
        raise InvalidDate(
            f"{shown[0].upper()}{shown[1:]} is al geweest. "
            f"Bedoel je {format_date(upcoming)}? Zet dan het jaartal erbij."
        )
    return upcoming


def _make_date(year: int | None, month: int, day: int, today: date, shown: str) -> date:
    _checked_day_month(day, month, shown)
    if year is None:

        def make(y: int) -> date | None:
            try:
                return date(y, month, day)
            except ValueError:  # 29 February outside leap years
                return None

        return _upcoming(make, today)
    try:
        return date(year, month, day)
    except ValueError:
        if (month, day) == (2, 29) and 1 <= year <= 9999:
            raise InvalidDate(
                f"29 februari {year} bestaat niet: {year} is geen schrikkeljaar."
            ) from None
        raise InvalidDate(f"Jaar {year} kan ik niet gebruiken (in ‘{shown}’).") from None


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    digits = text.lstrip("'")
    return 2000 + int(digits) if len(digits) == 2 else int(digits)


def _checked_weekday(weekday_token: str | None, day: date) -> date:
    if weekday_token is None:
        return day
    wanted = WEEKDAYS[weekday_token]
    if day.weekday() == wanted:
        return day
    nearest = min(
        (day + timedelta(days=offset) for offset in range(-3, 4)),
        key=lambda d: (d.weekday() != wanted, abs((d - day).days)),
    )
    raise InvalidDate(
        f"{day_month_text(day)} is een {day_name(day.weekday())}, geen {day_name(wanted)}. "
        f"Bedoel je {format_date(nearest)}?"
    )


def _relative_day(m: re.Match[str], today: date) -> _Parsed:
    word = m["word"]
    offset = {"vandaag": 0, "morgen": 1, "overmorgen": 2}[word]
    # "vandaag" often just describes context ("zoals vandaag besproken").
    return _Parsed(today + timedelta(days=offset), "trigger" if word == "vandaag" else "bare")


def _weekday(m: re.Match[str], today: date) -> _Parsed:
    token = m["wd"]
    weekday = WEEKDAYS[token]
    qualifier = m["q"] or ""
    if qualifier.startswith("volgend") or m["nw"] or m["nw_before"]:
        day = _monday(today) + timedelta(days=7 + weekday)
    else:
        delta = (weekday - today.weekday()) % 7
        if delta == 0 and qualifier != "deze":
            delta = 7
        day = today + timedelta(days=delta)
    if token not in FULL_WEEKDAYS:
        evidence: Evidence = "never"  # "zo", "vrij", "do" are ordinary words too
    elif qualifier or m["nw"] or m["nw_before"]:
        evidence = "bare"
    else:
        evidence = "trigger"
    return _Parsed(day, evidence)


_MONTHS_IN = {"maand": 1, "kwartaal": 3, "jaar": 12}


def _span_start(unit: str, today: date, offset: int) -> date:
    """The first day of this (offset 0) or the next (1) month, quarter or year."""
    months = _MONTHS_IN[unit]
    first_month = (today.month - 1) // months * months + 1
    return date(today.year, first_month, 1) + relativedelta(months=months * offset)


def _span(unit: str, today: date, offset: int) -> tuple[date, date]:
    """First and last day of this (offset 0) or the next (1) month, quarter or year."""
    start = _span_start(unit, today, offset)
    return start, start + relativedelta(months=_MONTHS_IN[unit]) - timedelta(days=1)


_QUARTERS = ("eerste", "tweede", "derde", "vierde")


def _span_label(unit: str, first: date) -> str:
    """The span's name: "januari 2027", "het eerste kwartaal van 2027", "2027"."""
    if unit == "maand":
        return f"{month_name(first.month)} {first.year}"
    if unit == "kwartaal":
        return f"het {_QUARTERS[(first.month - 1) // 3]} kwartaal van {first.year}"
    return str(first.year)


def _next_period(m: re.Match[str], today: date) -> _Parsed:
    unit = m["unit"]
    if unit == "week":
        return _week_of(_monday(today) + timedelta(days=7), "bare")
    # As a date its first day; as a deadline its last; as a period all of it.
    first, last = _span(unit, today, 1)
    return _Parsed(first, "bare", label=_span_label(unit, first), until=last, since=first)


def _this_period(m: re.Match[str], today: date) -> _Parsed:
    """This month, quarter or year ("deze maand", "dit kwartaal", "dit jaar"): as a date its
    end, as "deze week" is its Friday."""
    unit = m["unit"]
    first, last = _span(unit, today, 0)
    # "de cijfers van dit jaar" names no deadline; "stuurt deze maand de cijfers" does.
    evidence: Evidence = "bare" if unit == "maand" else "trigger"
    return _Parsed(last, evidence, label=_span_label(unit, first), until=last, since=first)


def _period_edge(m: re.Match[str], today: date) -> _Parsed:
    unit = m["unit"]
    edge = m["edge"]
    is_start = edge in ("begin", "start")
    is_middle = edge in ("medio", "midden", "half")
    offset = 1 if (m["which"] or "").startswith(("volgend", "komend")) else 0
    if unit == "week":
        start = _monday(today) + timedelta(weeks=offset)
        day = start if is_start else start + timedelta(days=2 if is_middle else 4)
        if not is_start and day < today:  # "eind van de week" said at the weekend
            day += timedelta(weeks=1)
    else:
        first, last = _span(unit, today, offset)
        if is_start:
            day = first
        elif is_middle:  # the 15th of the (middle) month: "medio januari" is 15 January
            day = first + relativedelta(months=_MONTHS_IN[unit] // 2, day=15)
            if unit == "jaar":
                day = date(first.year, 6, 30)  # as the programme reads "medio 2027"
        else:
            day = last
    if day < today:
        which = "volgend" if unit in ("jaar", "kwartaal") else "volgende"
        shown = "het begin" if is_start else "het midden"
        raise InvalidDate(
            f"{shown[0].upper()}{shown[1:]} van {'dit' if which == 'volgend' else 'deze'} {unit} "
            f"ligt al achter ons. Bedoel je ‘{edge} {which} {unit}’?"
        )
    return _Parsed(day, "bare")


def _this_week(m: re.Match[str], today: date) -> _Parsed:
    monday = _monday(today)
    friday = monday + timedelta(days=4)
    if friday < today:  # "deze week" said at the weekend: the coming working week
        monday += timedelta(weeks=1)
    return replace(_week_of(monday, "bare"), day=monday + timedelta(days=4))


def _week_of(monday: date, evidence: Evidence, label: str | None = None) -> _Parsed:
    """A whole ISO week: as a date its Monday, as a period Monday to Sunday."""
    year, week, _ = monday.isocalendar()
    return _Parsed(
        monday, evidence, monday, monday + timedelta(days=6), label or f"week {week} van {year}"
    )


def _iso_week(m: re.Match[str], today: date) -> _Parsed:
    week = int(m["iso_week"] or m["week"])
    year_text = m["year"] or m["week_year"]
    # Without a year: this ISO year's week or next year's. The ISO year, not the calendar year:
    # on 1-3 January 2027 the week still running is week 53 of 2026.
    iso_year = today.isocalendar().year
    years = [int(year_text)] if year_text else [iso_year, iso_year + 1]
    for year in years:
        try:
            monday = date.fromisocalendar(year, week, 1)
        except ValueError:
            continue
        if year_text or monday + timedelta(days=6) >= today:
            return _week_of(monday, "bare")
    raise InvalidDate(f"Week {week} bestaat niet in {years[0]}.")


_NTH_WEEK = {"eerste": 1, "1e": 1, "tweede": 2, "2e": 2, "derde": 3, "3e": 3, "vierde": 4, "4e": 4}


def _week_of_month(m: re.Match[str], today: date) -> _Parsed:
    """The nth week of a month ("eerste week van januari"): the ISO week holding the month's
    first Thursday (the week most of which lies in the month, so week 1 for January);
    "laatste week van december" the one holding its last Thursday."""
    month = MONTHS[m["mon"]]
    nth = m["nth"]

    def sunday(year: int) -> date:
        if nth == "laatste":
            last = date(year, month, calendar.monthrange(year, month)[1])
            thursday = last - timedelta(days=(last.weekday() - 3) % 7)
        else:
            first = date(year, month, 1)
            thursday = first + timedelta(days=(3 - first.weekday()) % 7 + 7 * (_NTH_WEEK[nth] - 1))
        return _monday(thursday) + timedelta(days=6)

    year = _year(m["y"])
    if year is not None:
        return _week_of(sunday(year) - timedelta(days=6), "bare")
    # As "week 1" is read: the first such week that has not yet ended (on 2 January 2027 the
    # last week of December is the one running); one that ended lately is asked about, as
    # "17 november" is.
    ends = [sunday(y) for y in (today.year - 1, today.year, today.year + 1)]
    end = next(d for d in ends if d >= today)
    recent = [d for d in ends if today - RECENT_PAST <= d < today]
    if recent:
        past = _week_of(recent[-1] - timedelta(days=6), "bare")
        coming = _week_of(end - timedelta(days=6), "bare")
        raise InvalidDate(
            f"De {m[0].removeprefix('de ')} ({past.label}) is al geweest. Bedoel je "
            f"{coming.label}? Zet dan het jaartal erbij."
        )
    return _week_of(end - timedelta(days=6), "bare")


def _weekend(m: re.Match[str], today: date) -> _Parsed:
    saturday = _monday(today) + timedelta(days=5)
    if m["which"] and m["which"].startswith(("volgend", "komend")) and today < saturday:
        saturday += timedelta(weeks=1)
    # "in het weekend" is read as a trigger phrase only: "het weekend" is also a topic.
    return _Parsed(max(saturday, today), "trigger", weekend=True)


_UNIT_STEPS = {
    "dag": relativedelta(days=1),
    "dagen": relativedelta(days=1),
    "week": relativedelta(weeks=1),
    "weken": relativedelta(weeks=1),
    "maand": relativedelta(months=1),
    "maanden": relativedelta(months=1),
    "jaar": relativedelta(years=1),
    "jaren": relativedelta(years=1),
}


def _in_period(m: re.Match[str], today: date) -> _Parsed:
    count = number(m["n"])
    unit = m["unit"]
    if unit.startswith("werkdag"):
        return _Parsed(add_working_days(today, count), "bare")
    return _Parsed(today + _UNIT_STEPS[unit] * count, "bare")


def _textual(m: re.Match[str], today: date) -> _Parsed:
    day = _make_date(_year(m["y"]), MONTHS[m["mon"]], int(m["d"]), today, m[0])
    return _Parsed(_checked_weekday(m["wd"], day), "bare")


def _month_edge(m: re.Match[str], today: date) -> _Parsed:
    month = MONTHS[m["mon"]]
    edge = m["edge"]

    def make(year: int) -> date:
        if edge == "begin":
            return date(year, month, 1)
        if edge.startswith("eind"):
            return date(year, month, calendar.monthrange(year, month)[1])
        return date(year, month, 15)

    year = _year(m["y"])
    if year is not None:
        return _Parsed(make(year), "bare")
    # "eind november" on 2 December is as past as "30 november": asked, not read as next year.
    phrase = f"{'eind' if edge.startswith('eind') else edge} {month_name(month)}"
    return _Parsed(_upcoming(make, today, phrase), "bare")


def _year_edge(m: re.Match[str], today: date) -> _Parsed:
    """A year's edge ("eind 2027", "begin 2027", "medio 2027", "Q3 2027") as the programme's
    deadlines read it (`bot.language.milestones`): 31 December, 1 January, 30 June, the
    quarter's last day."""
    year = int(m["y"])
    if m["q"]:
        month = 3 * int(m["q"])
        return _Parsed(date(year, month, calendar.monthrange(year, month)[1]), "bare")
    edge = m["edge"]
    if edge.startswith("eind"):
        return _Parsed(date(year, 12, 31), "bare")
    if edge in ("begin", "start"):
        return _Parsed(date(year, 1, 1), "bare")
    return _Parsed(date(year, 6, 30), "bare")


def _iso(m: re.Match[str], today: date) -> _Parsed:
    return _Parsed(_make_date(int(m["y"]), int(m["m"]), int(m["d"]), today, m[0]), "bare")


def _numeric(m: re.Match[str], today: date) -> _Parsed:
    day = _make_date(_year(m["y"]), int(m["m"]), int(m["d"]), today, m[0])
    # "3-4" without year or weekday could be a range or a score; only trust it after a trigger.
    evidence: Evidence = "bare" if m["y"] or m["wd"] else "trigger"
    return _Parsed(_checked_weekday(m["wd"], day), evidence)


_WD_PREFIX = rf"(?:(?P<wd>{_WD})\.?,?\s+)?"
_DATE_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str], date], _Parsed]]] = [
    (re.compile(r"(?P<word>vandaag|morgen|overmorgen)"), _relative_day),
    (
        re.compile(
            r"(?:(?P<nw_before>volgende\s+week)\s+|"
            r"(?P<q>volgende|volgend|aanstaande|a\.?s\.?|komende|eerstvolgende|eerstkomende|deze)"
            rf"\s+)?(?P<wd>{_WD})\.?(?:\s+(?P<nw>volgende\s+week))?"
        ),
        _weekday,
    ),
    (
        re.compile(r"(?:volgende|volgend|komende|komend)\s+(?P<unit>week|maand|kwartaal|jaar)"),
        _next_period,
    ),
    (re.compile(r"deze\s+week"), _this_week),
    (re.compile(r"(?:deze|dit)\s+(?P<unit>maand|kwartaal|jaar)"), _this_period),
    (
        re.compile(
            r"(?:(?P<year>\d{4})-?w(?P<iso_week>\d{1,2})|(?:week|wk|w)\.?\s*(?P<week>\d{1,2})"
            r"(?:\s+(?:van\s+)?(?P<week_year>\d{4}))?)"
        ),
        _iso_week,
    ),
    (
        re.compile(
            r"(?:de\s+)?(?P<nth>eerste|1e|tweede|2e|derde|3e|vierde|4e|laatste)\s+week\s+"
            rf"(?:van|in)\s+(?P<mon>{_MON})\.?(?:\s+(?P<y>\d{{4}}))?"
        ),
        _week_of_month,
    ),
    (
        re.compile(r"(?:(?P<which>het|dit|deze|volgend|volgende|komend|komende)\s+)?weekend"),
        _weekend,
    ),
    (
        re.compile(
            r"(?P<edge>eind|einde|begin|start|medio|midden|half)\s+(?:van\s+)?"
            r"(?:(?P<which>de|deze|dit|het|volgende|volgend|komende|komend)\s+)?"
            r"(?P<unit>week|maand|kwartaal|jaar)"
        ),
        _period_edge,
    ),
    (
        re.compile(
            rf"(?:over|binnen)\s+(?P<n>{_NUMBER})\s+"
            r"(?P<unit>werkdagen|werkdag|dagen|dag|weken|week|maanden|maand|jaren|jaar)"
        ),
        _in_period,
    ),
    (
        re.compile(
            rf"{_WD_PREFIX}(?P<d>\d{{1,2}})(?:e|ste|de)?\s+(?P<mon>{_MON})\.?"
            r"(?:\s+(?P<y>\d{4}|'\d{2}))?"
        ),
        _textual,
    ),
    (
        re.compile(
            rf"(?P<edge>begin|eind|einde|medio|half|midden)\s+(?P<mon>{_MON})\.?"
            r"(?:\s+(?P<y>\d{4}))?"
        ),
        _month_edge,
    ),
    (
        re.compile(
            r"(?:het\s+)?(?:(?P<edge>eind|einde|begin|start|medio|half|midden)\s+(?:van\s+)?"
            r"|q(?P<q>[1-4])\s+)(?P<y>\d{4})"
        ),
        _year_edge,
    ),
    (re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"), _iso),
    (
        re.compile(
            rf"{_WD_PREFIX}(?P<d>\d{{1,2}})(?P<sep>[-/.])(?P<m>\d{{1,2}})"
            r"(?:(?P=sep)(?P<y>\d{4}|\d{2}))?"
        ),
        _numeric,
    ),
]


def check_horizon(day: date, today: date) -> date:
    """`day` itself, or InvalidDate when it lies before 2000 or more than HORIZON_YEARS ahead."""
    if day.year < EARLIEST_YEAR:
        raise InvalidDate(
            f"{day_month_text(day)} ligt te ver in het verleden; ik reken met datums vanaf "
            f"{EARLIEST_YEAR}."
        )
    if day > today + relativedelta(years=HORIZON_YEARS):
        raise InvalidDate(
            f"{day_month_text(day)} ligt te ver weg: ik plan hoogstens {HORIZON_YEARS} jaar "
            "vooruit. Klopt het jaartal?"
        )
    return day


def parse_date_phrase(text: str, today: date) -> ParsedDate | None:
    """None if `text` is not a date phrase; raises InvalidDate if it is one that cannot exist or
    lies outside the horizon (see `check_horizon`)."""
    cleaned = clean(text)
    for pattern, build in _DATE_RULES:
        m = pattern.fullmatch(cleaned)
        if m:
            try:
                parsed = build(m, today)
            except (OverflowError, ValueError) as error:
                if isinstance(error, DutchDateError):
                    raise
                raise InvalidDate(
                    f"‘{text.strip()}’ ligt te ver weg: ik plan hoogstens {HORIZON_YEARS} jaar "
                    "vooruit."
                ) from None
            check_horizon(parsed.last or parsed.day, today)
            check_horizon(parsed.first or parsed.day, today)
            return parsed
    return None


def unreadable_date(text: str) -> DutchDateError:
    if not text.strip():
        return DutchDateError(f"Er staat geen datum. Schrijf bijvoorbeeld {DATE_EXAMPLES}.")
    return DutchDateError(
        f"Ik kan ‘{text.strip()}’ niet lezen als datum. Schrijf bijvoorbeeld {DATE_EXAMPLES}."
    )


def parse_date(text: str, now: datetime, *, tz: tzinfo = DEFAULT_TZ) -> date:
    """Read a Dutch date ('morgen', 'volgende dinsdag', '1 dec', '1-12-2026', 'week 50') relative
    to now. Raises DutchDateError with a Dutch message."""
    parsed = parse_date_phrase(text, today_in(now, tz))
    if parsed is None:
        raise unreadable_date(text)
    return parsed.day


class DayRange(Struct, frozen=True):
    """Local calendar days, both ends included; `label` says in Dutch what the user meant."""

    first: date
    last: date
    label: str

    @property
    def is_week(self) -> bool:
        """A whole ISO week (Monday to Sunday), as "week 50" or "volgende week" name it."""
        return self.first.weekday() == 0 and self.last - self.first == timedelta(days=6)


def parse_period(text: str, now: datetime, *, tz: tzinfo = DEFAULT_TZ) -> DayRange:
    """A day, a week or a month as users name it: "week 14", "wk 14 2027", "2026-W14",
    "volgende week", "deze week" (Monday to Sunday), "volgende maand", "dit kwartaal" (all its
    days) or any date `parse_date` reads (that one day)."""
    parsed = parse_date_phrase(text, today_in(now, tz))
    if parsed is None:
        raise unreadable_date(text)
    if parsed.first is not None and parsed.last is not None:
        return DayRange(parsed.first, parsed.last, parsed.label or format_date(parsed.first))
    if parsed.since is not None and parsed.until is not None:
        # "volgende maand" is all of it: one day of it ("/overleg annuleer … volgende maand"
        # cancelled the meeting on the 1st) answers another question than was asked.
        return DayRange(parsed.since, parsed.until, parsed.label or format_date(parsed.since))
    return DayRange(parsed.day, parsed.day, format_date(parsed.day))
