"""Writing Dutch dates and times. An aware datetime is shown in the time zone passed in: callers
pass the configured one (settings `OOV_TIMEZONE`); DEFAULT_TZ is only the settings' default."""

from datetime import date, datetime, time, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.language.names import LOCALE

__all__ = [
    "DEFAULT_TZ",
    "TZ",
    "day_month_text",
    "format_date",
    "format_datetime",
    "format_period",
    "format_short_date",
    "format_time",
]

DEFAULT_TZ = ZoneInfo("Europe/Amsterdam")
TZ = DEFAULT_TZ  # the name older modules know


@lru_cache(maxsize=8192)
def _babel_date(d: date, pattern: str) -> str:
    # Babel re-parses the pattern and walks the locale data on every call; a date's text never
    # changes, and listings show the same few dates over and over.
    from babel import dates as babel_dates  # here: importing it looks up the machine's zone

    return babel_dates.format_date(d, pattern, locale=LOCALE)


@lru_cache(maxsize=2048)
def _babel_time(t: time, pattern: str) -> str:
    from babel import dates as babel_dates  # on first use, as in _babel_date

    return babel_dates.format_time(t, pattern, locale=LOCALE)


def _local(dt: datetime, tz: tzinfo) -> datetime:
    return dt.astimezone(tz) if dt.tzinfo is not None else dt


def format_date(d: date, *, with_year: bool = True, tz: tzinfo = DEFAULT_TZ) -> str:
    """'dinsdag 1 december 2026', or 'dinsdag 1 december' without the year."""
    if isinstance(d, datetime):
        d = _local(d, tz).date()
    pattern = "EEEE d MMMM y" if with_year else "EEEE d MMMM"
    return _babel_date(d, pattern)


def format_time(t: time | datetime, *, tz: tzinfo = DEFAULT_TZ) -> str:
    """'09:00'; an aware datetime is shown in `tz`."""
    if isinstance(t, datetime):
        t = _local(t, tz).time()
    return _babel_time(t.replace(tzinfo=None), "HH:mm")


def format_datetime(dt: datetime, *, with_year: bool = True, tz: tzinfo = DEFAULT_TZ) -> str:
    """'dinsdag 1 december 2026, 09:00'; an aware datetime is converted to `tz` first."""
    local = _local(dt, tz)
    return f"{format_date(local.date(), with_year=with_year)}, {format_time(local.time())}"


def format_period(start: datetime, end: datetime, *, tz: tzinfo = DEFAULT_TZ) -> str:
    """'maandag 7 december 2026, 08:00 tot maandag 14 december 2026, 08:00'."""
    return f"{format_datetime(start, tz=tz)} tot {format_datetime(end, tz=tz)}"


def format_short_date(d: date) -> str:
    """'di 1 dec'."""
    return _babel_date(d, "EEE d MMM")


def day_month_text(d: date) -> str:
    """'1 december 2026'."""
    return _babel_date(d, "d MMMM y")
