"""Writing Dutch dates, times and numbers. An aware datetime is shown in the time zone passed in:
callers pass the configured one (settings `OOV_TIMEZONE`); DEFAULT_TZ is only the settings'
default.

Written with the names of `bot.language.names` rather than through Babel: Babel's Dutch locale
data costs every process ~7 MiB and ~30 ms when the read models format their first date at start
(issue 10). The tests hold these functions to Babel's nl_NL output for the same patterns, day by
day and number by number, so the texts are Babel's."""

from datetime import date, datetime, time, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

from bot.language.names import (
    MONTH_ABBREVIATIONS,
    MONTH_NAMES,
    WEEKDAY_ABBREVIATIONS,
    WEEKDAY_NAMES,
)

__all__ = [
    "DEFAULT_TZ",
    "TZ",
    "day_month_text",
    "format_date",
    "format_datetime",
    "format_number",
    "format_period",
    "format_short_date",
    "format_time",
]

DEFAULT_TZ = ZoneInfo("Europe/Amsterdam")
TZ = DEFAULT_TZ  # the name older modules know

_DUTCH_SEPARATORS = str.maketrans(",.", ".,")


def _local(dt: datetime, tz: tzinfo) -> datetime:
    return dt.astimezone(tz) if dt.tzinfo is not None else dt


def format_date(d: date, *, with_year: bool = True, tz: tzinfo = DEFAULT_TZ) -> str:
    """'dinsdag 1 december 2026', or 'dinsdag 1 december' without the year (Babel's
    'EEEE d MMMM y')."""
    if isinstance(d, datetime):
        d = _local(d, tz).date()
    text = f"{WEEKDAY_NAMES[d.weekday()]} {d.day} {MONTH_NAMES[d.month - 1]}"
    return f"{text} {d.year}" if with_year else text


def format_time(t: time | datetime, *, tz: tzinfo = DEFAULT_TZ) -> str:
    """'09:00'; an aware datetime is shown in `tz`."""
    if isinstance(t, datetime):
        t = _local(t, tz).time()
    return f"{t.hour:02d}:{t.minute:02d}"


def format_datetime(dt: datetime, *, with_year: bool = True, tz: tzinfo = DEFAULT_TZ) -> str:
    """'dinsdag 1 december 2026, 09:00'; an aware datetime is converted to `tz` first."""
    local = _local(dt, tz)
    return f"{format_date(local.date(), with_year=with_year)}, {format_time(local.time())}"


def format_period(start: datetime, end: datetime, *, tz: tzinfo = DEFAULT_TZ) -> str:
    """'maandag 7 december 2026, 08:00 tot maandag 14 december 2026, 08:00'."""
    return f"{format_datetime(start, tz=tz)} tot {format_datetime(end, tz=tz)}"


def format_short_date(d: date) -> str:
    """'di 1 dec' (Babel's 'EEE d MMM')."""
    return f"{WEEKDAY_ABBREVIATIONS[d.weekday()]} {d.day} {MONTH_ABBREVIATIONS[d.month - 1]}"


def day_month_text(d: date) -> str:
    """'1 december 2026' (Babel's 'd MMMM y')."""
    return f"{d.day} {MONTH_NAMES[d.month - 1]} {d.year}"


def format_number(value: float, *, decimals: int = 2) -> str:
    """'1.234,5', '0,75', '2': at most `decimals` decimals and none trailing, as Babel writes
    '#,##0.##' for nl_NL."""
    # From the shortest repr, as Babel does, so 2.675 rounds half-even to 2,68 (not to 2,67 as
    # its binary value would).
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_EVEN)
    text = f"{rounded:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.translate(_DUTCH_SEPARATORS)
