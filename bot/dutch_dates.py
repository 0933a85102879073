"""Dutch dates and times: formatting, parsing and working days.

Pure module: it never reads the wall clock; "now" is always a parameter and every relative phrase
("morgen", "over twee weken") is resolved against it in Europe/Amsterdam (or the given `tz`).

Reading rules (what users may type, and what it means):

* A date without a year is the next such date that is not in the past; today counts. One that
  passed less than 60 days ago is refused with a question ("17 november is al geweest. Bedoel je
  … 2027?"): that is a slip or the past, and read as next year it would cancel or schedule
  something a year off without anyone noticing.
* A bare weekday ("dinsdag", "di") and "aanstaande"/"a.s."/"komende dinsdag" mean the first such
  day *after* today: whoever means today says "vandaag". "deze dinsdag" includes today.
* "volgende dinsdag" and "dinsdag volgende week" mean the Tuesday of next (Monday-based) week, so on
  a Monday it is eight days away, not tomorrow: "volgende" contrasts with "deze"/"aanstaande".
* "volgende week" / "begin volgende week" is the Monday of next week, "eind (van de) week" and
  "deze week" the Friday of this week (on a weekend: the coming Friday), "eind volgende week" the
  Friday of next week, "eind (van de) maand" the last day of the month, "begin volgende maand" the
  1st. "eind/begin/medio december" is the 31st/1st/15th.
* Two-digit years are 20xx. "d.m" without a year ("1.12") is a date, not a time; write "om 1.12"
  or "01:12" for the time.
* Spoken times ("3 uur", "half 4", "kwart over 2", "om 6") fall in office hours 07:00–18:59 unless
  "'s ochtends"/"'s middags"/"'s avonds"/"'s nachts" says otherwise; clock times ("3:00", "15.00")
  and hours above 12 ("15 uur") are taken literally.
* A time without a date is the next such moment (today if still ahead, otherwise tomorrow).
* Wall-clock times that do not exist (the spring-forward hour) move forward by the DST gap;
  ambiguous ones (autumn) take the first occurrence (summer time).

Days off follow the Algemene termijnenwet, which is also the list of paid holidays in the Cao
Gemeenten (art. 6.6, since 2023): `holidays` NL PUBLIC plus OPTIONAL (Bevrijdingsdag every year,
where PUBLIC alone has it only every fifth year), minus Goede vrijdag (PUBLIC in `holidays`, but not
in the Atw and a normal working day for municipal staff).
"""

import calendar
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from types import MappingProxyType
from typing import Literal
from zoneinfo import ZoneInfo

import holidays
from babel import dates as babel_dates
from dateutil.easter import easter
from dateutil.relativedelta import relativedelta
from holidays.constants import OPTIONAL, PUBLIC

__all__ = [
    "TZ",
    "DueDate",
    "DutchDateError",
    "add_working_days",
    "dutch_holiday_name",
    "find_due_date",
    "format_date",
    "format_datetime",
    "format_short_date",
    "format_time",
    "is_working_day",
    "next_working_day",
    "parse_date",
    "parse_datetime",
    "parse_time",
    "previous_working_day",
]

TZ = ZoneInfo("Europe/Amsterdam")
LOCALE = "nl_NL"

_DATE_EXAMPLES = "‘morgen’, ‘vrijdag’, ‘1 december’ of ‘1-12-2026’"
_DATETIME_EXAMPLES = "‘dinsdag 1 december 14:00’, ‘1-12 om 9.30’ of ‘morgen 10u’"


class DutchDateError(ValueError):
    """Input that cannot be read as a date or time; str(error) is a Dutch message for the user."""


# A date without a year that passed this recently is refused rather than read as next year.
RECENT_PAST = timedelta(days=60)


class _InvalidDate(DutchDateError):
    """A phrase that clearly is a date but does not exist ("31-2", wrong weekday)."""


# --------------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------------


def _local(dt: datetime, tz: tzinfo) -> datetime:
    return dt.astimezone(tz) if dt.tzinfo is not None else dt


def format_date(d: date, *, with_year: bool = True, tz: tzinfo = TZ) -> str:
    """'dinsdag 1 december 2026', or 'dinsdag 1 december' without the year."""
    if isinstance(d, datetime):
        d = _local(d, tz).date()
    pattern = "EEEE d MMMM y" if with_year else "EEEE d MMMM"
    return babel_dates.format_date(d, pattern, locale=LOCALE)


def format_time(t: time | datetime, *, tz: tzinfo = TZ) -> str:
    """'09:00'; an aware datetime is shown in `tz`."""
    if isinstance(t, datetime):
        t = _local(t, tz).time()
    return babel_dates.format_time(t.replace(tzinfo=None), "HH:mm", locale=LOCALE)


def format_datetime(dt: datetime, *, with_year: bool = True, tz: tzinfo = TZ) -> str:
    """'dinsdag 1 december 2026, 09:00'; an aware datetime is converted to `tz` first."""
    local = _local(dt, tz)
    return f"{format_date(local.date(), with_year=with_year)}, {format_time(local.time())}"


def format_short_date(d: date) -> str:
    """'di 1 dec'."""
    return babel_dates.format_date(d, "EEE d MMM", locale=LOCALE)


def _day_month_text(d: date) -> str:
    return babel_dates.format_date(d, "d MMMM y", locale=LOCALE)


# --------------------------------------------------------------------------------------------
# Working days
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _days_off(year: int) -> Mapping[date, str]:
    # One immutable mapping per year: a shared, self-expanding HolidayBase is not thread-safe.
    official = holidays.country_holidays(
        "NL", years=year, language="nl", categories=(PUBLIC, OPTIONAL)
    )
    good_friday = easter(year) - timedelta(days=2)
    return MappingProxyType({day: name for day, name in official.items() if day != good_friday})


def dutch_holiday_name(d: date) -> str | None:
    """Dutch name of the public holiday (day off) on `d`, e.g. 'Koningsdag'; None otherwise."""
    return _days_off(d.year).get(d)


def is_working_day(d: date) -> bool:
    """Monday to Friday and not a Dutch public holiday."""
    return d.weekday() < 5 and dutch_holiday_name(d) is None


def next_working_day(d: date) -> date:
    """The first working day strictly after `d`."""
    return add_working_days(d, 1)


def previous_working_day(d: date) -> date:
    """The last working day strictly before `d`."""
    return add_working_days(d, -1)


def add_working_days(d: date, count: int) -> date:
    """Move `count` working days forward (negative: backward); 0 returns `d` itself."""
    step = timedelta(days=1 if count >= 0 else -1)
    remaining = abs(count)
    while remaining:
        d += step
        if is_working_day(d):
            remaining -= 1
    return d


# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Lower case without accents ('Vóór' -> 'voor'), typographic apostrophes made plain."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.replace("’", "'").replace("‘", "'")


def _name_table(
    wide: Mapping[int, str], abbreviated: Mapping[int, str], longest_prefix: int
) -> dict[str, int]:
    """Babel's names plus their prefixes of three letters or more ('sept', 'dins', 'woe')."""
    table: dict[str, int] = {}
    for key, name in wide.items():
        table[_fold(name)] = key
        for end in range(3, min(longest_prefix, len(name)) + 1):
            table.setdefault(_fold(name[:end]), key)
    for key, name in abbreviated.items():
        table[_fold(name).rstrip(".")] = key
    return table


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_MONTHS = _name_table(
    babel_dates.get_month_names("wide", locale=LOCALE),
    babel_dates.get_month_names("abbreviated", locale=LOCALE),
    longest_prefix=9,
)
_WEEKDAYS = _name_table(
    babel_dates.get_day_names("wide", locale=LOCALE),
    babel_dates.get_day_names("abbreviated", locale=LOCALE),
    longest_prefix=4,  # longer prefixes are words: "maand" (maandag)
)
_FULL_WEEKDAYS = frozenset(
    _fold(name) for name in babel_dates.get_day_names("wide", locale=LOCALE).values()
)
_FULL_MONTHS = frozenset(
    _fold(name) for name in babel_dates.get_month_names("wide", locale=LOCALE).values()
)
_NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        (
            *("een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien"),
            *("elf", "twaalf", "dertien", "veertien", "vijftien", "zestien", "zeventien"),
            *("achttien", "negentien", "twintig"),
        ),
        start=1,
    )
}

_MON = _alternation(_MONTHS)
_WD = _alternation(_WEEKDAYS)
_NUMBER = rf"\d{{1,3}}|{_alternation(_NUMBER_WORDS)}"
_HOUR_WORD = _alternation(w for w, v in _NUMBER_WORDS.items() if v <= 12)
_MINUTE_WORD = _alternation([*_NUMBER_WORDS, "kwart"])


def _number(token: str) -> int:
    return _NUMBER_WORDS[token] if token in _NUMBER_WORDS else int(token)


def _month_name(month: int) -> str:
    return babel_dates.get_month_names("wide", locale=LOCALE)[month]


def _day_name(weekday: int) -> str:
    return babel_dates.get_day_names("wide", locale=LOCALE)[weekday]


# --------------------------------------------------------------------------------------------
# Date parsing
# --------------------------------------------------------------------------------------------

# How strongly a phrase signals a date inside free text (see find_due_date):
# "bare" on its own, "trigger" only after "voor"/"uiterlijk"/..., "never" not at all.
_Evidence = Literal["bare", "trigger", "never"]


@dataclass(frozen=True)
class _Parsed:
    day: date
    evidence: _Evidence


def _today(now: datetime, tz: tzinfo) -> date:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    return now.astimezone(tz).date()


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _first_on_or_after(today: date, make: Callable[[int], date | None]) -> date:
    """First date make(year) >= today, for this year and the next few (29 February needs 8)."""
    for year in range(today.year, today.year + 9):
        candidate = make(year)
        if candidate is not None and candidate >= today:
            return candidate
    raise AssertionError("a valid day and month always recurs within eight years")


def _checked_day_month(day: int, month: int, shown: str) -> None:
    if not 1 <= month <= 12:
        raise _InvalidDate(
            f"Maand {month} bestaat niet (in ‘{shown}’). "
            "Schrijf bijvoorbeeld ‘1-12’ voor 1 december."
        )
    longest = calendar.monthrange(2024, month)[1]  # 2024: a leap year, so 29-2 is allowed here
    if not 1 <= day <= longest:
        raise _InvalidDate(
            f"{day} {_month_name(month)} bestaat niet: {_month_name(month)} heeft hoogstens "
            f"{longest} dagen."
        )


def _make_date(year: int | None, month: int, day: int, today: date, shown: str) -> date:
    _checked_day_month(day, month, shown)
    if year is None:

        def make(y: int) -> date | None:
            try:
                return date(y, month, day)
            except ValueError:  # 29 February outside leap years
                return None

        recent = [
            d
            for y in (today.year, today.year - 1)
            if (d := make(y)) is not None and today - RECENT_PAST <= d < today
        ]
        if recent:
            # "17 november" typed on 23 November is a slip or the past, rarely next year: a
            # cancelled meeting or a deadline a year off would go unnoticed.
            upcoming = _first_on_or_after(today, make)
            raise _InvalidDate(
                f"{format_date(recent[0], with_year=False).split(' ', 1)[1]} is al geweest. "
                f"Bedoel je {format_date(upcoming)}? Zet dan het jaartal erbij."
            )
        return _first_on_or_after(today, make)
    try:
        return date(year, month, day)
    except ValueError:
        if (month, day) == (2, 29) and 1 <= year <= 9999:
            raise _InvalidDate(
                f"29 februari {year} bestaat niet: {year} is geen schrikkeljaar."
            ) from None
        raise _InvalidDate(f"Jaar {year} kan ik niet gebruiken (in ‘{shown}’).") from None


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    digits = text.lstrip("'")
    return 2000 + int(digits) if len(digits) == 2 else int(digits)


def _checked_weekday(weekday_token: str | None, day: date) -> date:
    if weekday_token is None:
        return day
    wanted = _WEEKDAYS[weekday_token]
    if day.weekday() == wanted:
        return day
    nearest = min(
        (day + timedelta(days=offset) for offset in range(-3, 4)),
        key=lambda d: (d.weekday() != wanted, abs((d - day).days)),
    )
    raise _InvalidDate(
        f"{_day_month_text(day)} is een {_day_name(day.weekday())}, geen {_day_name(wanted)}. "
        f"Bedoel je {format_date(nearest)}?"
    )


def _relative_day(m: re.Match[str], today: date) -> _Parsed:
    word = m["word"]
    offset = {"vandaag": 0, "morgen": 1, "overmorgen": 2}[word]
    # "vandaag" often just describes context ("zoals vandaag besproken").
    return _Parsed(today + timedelta(days=offset), "trigger" if word == "vandaag" else "bare")


def _weekday(m: re.Match[str], today: date) -> _Parsed:
    token = m["wd"]
    weekday = _WEEKDAYS[token]
    qualifier = m["q"] or ""
    if qualifier.startswith("volgend") or m["nw"] or m["nw_before"]:
        day = _monday(today) + timedelta(days=7 + weekday)
    else:
        delta = (weekday - today.weekday()) % 7
        if delta == 0 and qualifier != "deze":
            delta = 7
        day = today + timedelta(days=delta)
    if token not in _FULL_WEEKDAYS:
        evidence: _Evidence = "never"  # "zo", "vrij", "do" are ordinary words too
    elif qualifier or m["nw"] or m["nw_before"]:
        evidence = "bare"
    else:
        evidence = "trigger"
    return _Parsed(day, evidence)


def _next_period(m: re.Match[str], today: date) -> _Parsed:
    unit = m["unit"]
    if unit == "week":
        return _Parsed(_monday(today) + timedelta(days=7), "bare")
    if unit == "maand":
        return _Parsed(today.replace(day=1) + relativedelta(months=1), "bare")
    return _Parsed(date(today.year + 1, 1, 1), "bare")


def _period_edge(m: re.Match[str], today: date) -> _Parsed:
    unit = m["unit"]
    is_end = m["edge"] != "begin" and m["edge"] != "start"
    offset = 1 if (m["which"] or "").startswith(("volgend", "komend")) else 0
    if unit == "week":
        start = _monday(today) + timedelta(weeks=offset)
        day = start + timedelta(days=4) if is_end else start
        if is_end and day < today:  # "eind van de week" said at the weekend
            day += timedelta(weeks=1)
    elif unit == "maand":
        start = today.replace(day=1) + relativedelta(months=offset)
        day = start + relativedelta(day=31) if is_end else start
    else:
        day = date(today.year + offset, 12, 31) if is_end else date(today.year + offset, 1, 1)
    if day < today:
        raise _InvalidDate(
            f"Het begin van deze {unit} ligt al achter ons. "
            f"Bedoel je ‘begin {'volgend' if unit == 'jaar' else 'volgende'} {unit}’?"
        )
    return _Parsed(day, "bare")


def _this_week(m: re.Match[str], today: date) -> _Parsed:
    friday = _monday(today) + timedelta(days=4)
    return _Parsed(friday if friday >= today else friday + timedelta(weeks=1), "bare")


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
    count = _number(m["n"])
    unit = m["unit"]
    if unit.startswith("werkdag"):
        return _Parsed(add_working_days(today, count), "bare")
    return _Parsed(today + _UNIT_STEPS[unit] * count, "bare")


def _textual(m: re.Match[str], today: date) -> _Parsed:
    day = _make_date(_year(m["y"]), _MONTHS[m["mon"]], int(m["d"]), today, m[0])
    return _Parsed(_checked_weekday(m["wd"], day), "bare")


def _month_edge(m: re.Match[str], today: date) -> _Parsed:
    month = _MONTHS[m["mon"]]
    edge = m["edge"]

    def make(year: int) -> date:
        if edge == "begin":
            return date(year, month, 1)
        if edge.startswith("eind"):
            return date(year, month, calendar.monthrange(year, month)[1])
        return date(year, month, 15)

    year = _year(m["y"])
    return _Parsed(make(year) if year is not None else _first_on_or_after(today, make), "bare")


def _iso(m: re.Match[str], today: date) -> _Parsed:
    return _Parsed(_make_date(int(m["y"]), int(m["m"]), int(m["d"]), today, m[0]), "bare")


def _numeric(m: re.Match[str], today: date) -> _Parsed:
    day = _make_date(_year(m["y"]), int(m["m"]), int(m["d"]), today, m[0])
    # "3-4" without year or weekday could be a range or a score; only trust it after a trigger.
    evidence: _Evidence = "bare" if m["y"] or m["wd"] else "trigger"
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
    (re.compile(r"(?:volgende|volgend|komende)\s+(?P<unit>week|maand|jaar)"), _next_period),
    (re.compile(r"deze\s+week"), _this_week),
    (
        re.compile(
            r"(?P<edge>eind|einde|begin|start)\s+(?:van\s+)?"
            r"(?:(?P<which>de|deze|dit|het|volgende|volgend|komende)\s+)?(?P<unit>week|maand|jaar)"
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
    (re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"), _iso),
    (
        re.compile(
            rf"{_WD_PREFIX}(?P<d>\d{{1,2}})(?P<sep>[-/.])(?P<m>\d{{1,2}})"
            r"(?:(?P=sep)(?P<y>\d{4}|\d{2}))?"
        ),
        _numeric,
    ),
]


def _clean(text: str) -> str:
    return " ".join(_fold(text).split()).strip(" .,")


def _parse_date_phrase(text: str, today: date) -> _Parsed | None:
    """None if `text` is not a date phrase; raises _InvalidDate if it is one that cannot exist."""
    cleaned = _clean(text)
    for pattern, build in _DATE_RULES:
        m = pattern.fullmatch(cleaned)
        if m:
            return build(m, today)
    return None


def _unreadable_date(text: str) -> DutchDateError:
    if not text.strip():
        return DutchDateError(f"Er staat geen datum. Schrijf bijvoorbeeld {_DATE_EXAMPLES}.")
    return DutchDateError(
        f"Ik kan ‘{text.strip()}’ niet lezen als datum. Schrijf bijvoorbeeld {_DATE_EXAMPLES}."
    )


def parse_date(text: str, now: datetime, *, tz: tzinfo = TZ) -> date:
    """Read a Dutch date ('morgen', 'volgende dinsdag', '1 dec', '1-12-2026') relative to now."""
    parsed = _parse_date_phrase(text, _today(now, tz))
    if parsed is None:
        raise _unreadable_date(text)
    return parsed.day


# --------------------------------------------------------------------------------------------
# Time parsing
# --------------------------------------------------------------------------------------------

_TIME_RE = re.compile(
    rf"""
    (?:(?P<om>om|rond|vanaf)\s+)?
    (?:
        (?P<ch>[01]?\d|2[0-3])[:.](?P<cm>[0-5]\d)(?:\s*(?:uur|u|h))?
      | (?P<hh>\d{{1,2}})\s*(?:uur|u|h)(?:\s*(?P<hm>[0-5]\d))?
      | (?:(?P<rn>\d{{1,2}}|{_MINUTE_WORD})\s+(?P<rdir>over|voor)\s+)?
        (?P<rhalf>half\s+)?(?P<rh>\d{{1,2}}|{_HOUR_WORD})(?P<ruur>\s*uur)?
    )
    (?:\s*,?\s*(?:'?s[\s-]?(?P<dp>ochtends|morgens|middags|avonds|nachts)
                 |in\s+de\s+(?P<dp_de>ochtend|morgen|middag|avond|nacht)))?
    """,
    re.VERBOSE,
)
_LOOKS_LIKE_CLOCK = re.compile(r"(?:om\s+)?\d{1,2}[:.]\d{1,2}(?:\s*(?:uur|u|h))?")
_OFFICE_START = 7 * 60  # spoken 12-hour times are read within 07:00-18:59
_HALF_DAY = 12 * 60


def _spoken_minutes(m: re.Match[str]) -> tuple[int, int] | None:
    """(typed hour, minutes after midnight as if typed on a 24-hour clock) for spoken forms."""
    if m["hh"] is not None:
        return int(m["hh"]), int(m["hh"]) * 60 + int(m["hm"] or 0)
    hour = _number(m["rh"])
    if not (m["om"] or m["rn"] or m["rhalf"] or m["ruur"]):
        return None  # a bare number is not a time
    minutes = hour * 60 - (30 if m["rhalf"] else 0)
    if m["rn"]:
        offset = 15 if m["rn"] == "kwart" else _number(m["rn"])
        if not 1 <= offset <= 29:
            return None
        minutes += offset if m["rdir"] == "over" else -offset
    return hour, minutes


def _invalid_time(text: str) -> DutchDateError:
    return DutchDateError(
        f"‘{text.strip()}’ is geen geldige tijd. Schrijf bijvoorbeeld ‘09:30’ of ‘14 uur’."
    )


def _match_time(text: str) -> time | None:
    m = _TIME_RE.fullmatch(_clean(text))
    if m is None:
        return None
    daypart = (m["dp"] or m["dp_de"] or "").removesuffix("s")
    if m["ch"] is not None:
        minutes = int(m["ch"]) * 60 + int(m["cm"])
        if daypart in ("middag", "avond") and minutes < _HALF_DAY:
            minutes += _HALF_DAY
    else:
        spoken = _spoken_minutes(m)
        if spoken is None:
            return None
        typed_hour, minutes = spoken
        if typed_hour > 24:
            raise _invalid_time(text)
        if 1 <= typed_hour <= 12:
            minutes %= _HALF_DAY  # the 12-hour reading, 00:00-11:59
            if daypart in ("middag", "avond"):
                minutes += _HALF_DAY
            elif daypart == "nacht":
                if minutes >= _OFFICE_START:  # "11 uur 's nachts"
                    minutes += _HALF_DAY
            elif not daypart and minutes < _OFFICE_START:
                minutes += _HALF_DAY
    minutes %= 24 * 60
    return time(minutes // 60, minutes % 60)


def parse_time(text: str) -> time:
    """Read a Dutch time: '10:00', '10.00', '10u', '10 uur', 'om 10:30', 'half 10', 'kwart over 9'.

    Raises DutchDateError with a Dutch message when the text is no (valid) time.
    """
    parsed = _match_time(text)
    if parsed is None:
        if _LOOKS_LIKE_CLOCK.fullmatch(_clean(text)):
            raise _invalid_time(text)
        raise DutchDateError(
            f"Ik kan ‘{text.strip()}’ niet lezen als tijd. "
            "Schrijf bijvoorbeeld ‘10:00’, ‘10 uur’ of ‘half 10’."
        )
    return parsed


# --------------------------------------------------------------------------------------------
# Date and time together
# --------------------------------------------------------------------------------------------


def _at(day: date, clock: time, tz: tzinfo) -> datetime:
    # The UTC round trip moves a time in the spring-forward gap to the real wall-clock time.
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC).astimezone(tz)


def _split_date_time(tokens: list[str], today: date) -> tuple[date | None, time] | None:
    """Find a time at the end (or start) of the tokens and a date (or nothing) in the rest."""
    splits = [(tokens[:k], tokens[k:]) for k in range(len(tokens))]
    splits += [(tokens[k:], tokens[:k]) for k in range(len(tokens), 0, -1)]
    first_error: DutchDateError | None = None
    for date_tokens, time_tokens in splits:
        try:
            clock = _match_time(" ".join(time_tokens))
            if clock is None:
                continue
            date_text = " ".join(date_tokens).strip(" ,")
            date_text = re.sub(r"^(?:op|om)\s+|\s+(?:op|om)$", "", date_text)
            if not date_text:
                return None, clock
            parsed = _parse_date_phrase(date_text, today)
        except DutchDateError as error:
            first_error = first_error or error
            continue
        if parsed is not None:
            return parsed.day, clock
    if first_error is not None:
        raise first_error
    return None


def parse_datetime(
    text: str, now: datetime, *, default_time: time | None = None, tz: tzinfo = TZ
) -> datetime:
    """Read a Dutch date with a time ('dinsdag 1 december 14:00', 'morgen half 10', '10:00').

    Returns an aware datetime in `tz`. Without a time, `default_time` is used; without both,
    DutchDateError. A time without a date is the next such moment.
    """
    today = _today(now, tz)
    cleaned = _clean(text)
    cleaned = re.sub(r"(\d{4}-\d{1,2}-\d{1,2})t(\d)", r"\1 \2", cleaned)  # ISO 'T' separator
    whole_date_error: DutchDateError | None = None
    try:
        whole = _parse_date_phrase(cleaned, today)
    except DutchDateError as error:  # "12.15" is no date, but may still be a time
        whole, whole_date_error = None, error
    if whole is not None:
        if default_time is None:
            raise DutchDateError(
                f"In ‘{text.strip()}’ staat geen tijd. Schrijf bijvoorbeeld ‘{text.strip()} 10:00’."
            )
        return _at(whole.day, default_time, tz)

    split = _split_date_time(cleaned.split(), today) if cleaned else None
    if split is None:
        if whole_date_error is not None:
            raise whole_date_error
        last = cleaned.split()[-1] if cleaned else ""
        if _LOOKS_LIKE_CLOCK.fullmatch(last):
            parse_time(last)  # raises the specific "geen geldige tijd" message
        raise DutchDateError(
            f"Ik kan ‘{text.strip()}’ niet lezen als datum met tijd. "
            f"Schrijf bijvoorbeeld {_DATETIME_EXAMPLES}."
        )
    day, clock = split
    if day is not None:
        return _at(day, clock, tz)
    moment = _at(today, clock, tz)
    return moment if moment >= now else _at(today + timedelta(days=1), clock, tz)


# --------------------------------------------------------------------------------------------
# Due dates in free text
# --------------------------------------------------------------------------------------------


_Date = date


@dataclass(frozen=True)
class DueDate:
    """A due-date phrase found in an action line."""

    kind: Literal["date", "asap", "next_meeting"]
    date: _Date | None = None  # alias: the field name shadows the type inside the class body
    meeting_hint: str | None = None  # "voor de volgende boa-briefing" -> "boa-briefing"
    span: tuple[int, int] = (0, 0)  # [start, end) of the phrase in the original text


@dataclass(frozen=True)
class _Token:
    text: str  # folded
    start: int  # in the folded text
    end: int


# Slack markup (*bold*, _italic_, <links>) and punctuation separate words; dots, dashes and
# slashes stay inside a token so "z.s.m.", "1-12", "t/m" and "06-12345678" remain whole.
_TOKEN_RE = re.compile(r"[^\s,;:()\[\]{}!?\"'*_~`<>|]+")
_DATE_TRIGGERS: tuple[tuple[str, ...], ...] = (
    ("tot", "en", "met"),
    ("voor", "of", "op"),
    ("uiterlijk", "op"),
    ("voor", "het"),  # "voor het eind van de maand"
    ("uiterlijk",),
    ("deadline",),
    ("voor",),
    ("op",),
    ("per",),
    ("tot",),
    ("t/m",),
    ("tm",),
)
_ASAP_PHRASES: tuple[tuple[str, ...], ...] = (
    ("zsm",),
    ("asap",),
    ("zo", "snel", "mogelijk"),
    ("zo", "spoedig", "mogelijk"),
    ("per", "direct"),
    ("per", "omgaande"),
)
_NEXT_WORDS = frozenset({"volgende", "volgend", "eerstvolgende", "eerstkomende", "komende"})
_MEETING_LEAD_IN = frozenset({"voor", "uiterlijk", "tijdens", "op", "in", "bij", "de", "het"})
_GENERIC_MEETINGS = frozenset(
    {"overleg", "vergadering", "meeting", "bijeenkomst", "bespreking", "sessie", "keer"}
)
_MEETING_SUFFIXES = (
    "overleg",
    "vergadering",
    "briefing",
    "meeting",
    "bespreking",
    "beraad",
    "bijeenkomst",
    "sessie",
    "driehoek",
    "stuurgroep",
    "werkgroep",
)
_ACRONYM_RE = re.compile(r"[A-Z][A-Z0-9&-]{1,7}")
_NOT_IN_MEETING_NAME = frozenset({"week", "maand", "jaar", *_WEEKDAYS})
_MAX_DATE_TOKENS = 6  # "dinsdag 1 december 2026" plus slack


def _fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Folded text and, per folded character, the index of its original character."""
    chars: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        folded = _fold(char)
        chars.append(folded)
        offsets.extend([index] * len(folded))
    return "".join(chars), offsets


def _ends_sentence(token: str) -> bool:
    """True if the token's final dot is punctuation, not part of an abbreviation ('dec.')."""
    word = token.removesuffix(".")
    if word == token or "." in word:
        return False
    return word in _FULL_WEEKDAYS or word in _FULL_MONTHS or word not in {**_MONTHS, **_WEEKDAYS}


def _words(tokens: list[_Token], start: int, length: int) -> tuple[str, ...]:
    return tuple(t.text.rstrip(".") for t in tokens[start : start + length])


def _trigger_start(tokens: list[_Token], i: int) -> int | None:
    """Index of the first token of a trigger phrase ending right before token i."""
    for phrase in _DATE_TRIGGERS:
        first = i - len(phrase)
        if first >= 0 and _words(tokens, first, len(phrase)) == phrase:
            return first
    return None


def _asap_length(tokens: list[_Token], i: int) -> int:
    for phrase in _ASAP_PHRASES:
        words = tuple(w.replace(".", "") for w in _words(tokens, i, len(phrase)))
        if words == phrase:
            return len(phrase)
    return 0


def _is_meeting_name(token: _Token, original: str) -> bool:
    word = token.text.rstrip(".")
    return word.endswith(_MEETING_SUFFIXES) or bool(_ACRONYM_RE.fullmatch(original.rstrip(".")))


def _meeting_at(
    tokens: list[_Token], i: int, original: Callable[[_Token], str]
) -> tuple[int, int, str | None] | None:
    """(first token, last token, hint) of 'voor de volgende <meeting>' with 'volgende' at i."""
    if tokens[i].text not in _NEXT_WORDS or i + 1 >= len(tokens):
        return None
    first = i
    while first > 0 and tokens[first - 1].text in _MEETING_LEAD_IN:
        first -= 1
    name = tokens[i + 1]
    if name.text.rstrip(".") in _GENERIC_MEETINGS:
        return first, i + 1, None
    if _is_meeting_name(name, original(name)):
        return first, i + 1, original(name).rstrip(".")
    # Two-word names: "volgende lokaal politieoverleg".
    if i + 2 < len(tokens) and name.text.isalpha() and name.text not in _NOT_IN_MEETING_NAME:
        second = tokens[i + 2]
        if _is_meeting_name(second, original(second)):
            return first, i + 2, f"{original(name)} {original(second).rstrip('.')}"
    return None


def _date_at(tokens: list[_Token], i: int, today: date, triggered: bool) -> tuple[int, date] | None:
    """(last token, date) of the longest date phrase starting at token i that counts here."""
    for end in range(min(len(tokens), i + _MAX_DATE_TOKENS), i, -1):
        phrase = " ".join(t.text for t in tokens[i:end])
        try:
            parsed = _parse_date_phrase(phrase, today)
        except _InvalidDate:
            # Report a date that clearly was meant ("uiterlijk 31-2", "32 december").
            if triggered or re.search(rf"\b(?:{_MON})\b", _clean(phrase)):
                raise
            return None
        if parsed is None:
            continue
        if parsed.evidence == "bare" or (parsed.evidence == "trigger" and triggered):
            return end - 1, parsed.day
        return None
    return None


def find_due_date(text: str, now: datetime, *, tz: tzinfo = TZ) -> DueDate | None:
    """Find the first due-date phrase in an action line ('belt politie voor vrijdag').

    Conservative: numbers that are no date ('bel 06-12345678', '3 agenten', 'artikel 172') are
    ignored; a bare weekday, 'vandaag' or '1-12' only counts after 'voor', 'uiterlijk', 'op',
    'deadline', 'per', 'tot', 't/m'. 'volgende week' is the Friday of next week here (a deadline
    within that week), where parse_date gives its Monday (a start). A phrase that clearly is a
    date but does not exist ('uiterlijk 31-2') raises DutchDateError rather than being silently
    dropped.
    """
    today = _today(now, tz)
    folded, offsets = _fold_with_offsets(text)
    tokens = [_Token(m[0], m.start(), m.end()) for m in _TOKEN_RE.finditer(folded)]

    def original(token: _Token) -> str:
        return text[offsets[token.start] : offsets[token.end - 1] + 1]

    def span(first: int, last: int) -> tuple[int, int]:
        end = tokens[last].end
        if _ends_sentence(tokens[last].text):
            end -= 1
        return offsets[tokens[first].start], offsets[end - 1] + 1

    for i in range(len(tokens)):
        asap = _asap_length(tokens, i)
        if asap:
            return DueDate("asap", span=span(i, i + asap - 1))
        meeting = _meeting_at(tokens, i, original)
        if meeting:
            first, last, hint = meeting
            return DueDate("next_meeting", meeting_hint=hint, span=span(first, last))
        trigger = _trigger_start(tokens, i)
        found = _date_at(tokens, i, today, triggered=trigger is not None)
        if found:
            last, day = found
            if [t.text for t in tokens[i : last + 1]] == ["volgende", "week"]:
                day += timedelta(days=4)  # as a deadline "volgende week" means within that week
            return DueDate("date", date=day, span=span(i if trigger is None else trigger, last))
    return None
