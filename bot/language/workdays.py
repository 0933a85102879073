"""Working days and Dutch public holidays.

Days off follow the Algemene termijnenwet, which is also the list of paid holidays in the Cao
Gemeenten (art. 6.6, since 2023): `holidays` NL PUBLIC plus OPTIONAL (Bevrijdingsdag every year,
where PUBLIC alone has it only every fifth year), minus Goede vrijdag (PUBLIC in `holidays`, but not
in the Atw and a normal working day for municipal staff).
"""

from collections.abc import Mapping
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

from dateutil.easter import easter

__all__ = [
    "add_working_days",
    "dutch_holiday_name",
    "is_working_day",
    "next_working_day",
    "previous_working_day",
]


@lru_cache(maxsize=64)
def _days_off(year: int) -> Mapping[date, str]:
    # Imported here: a web process that never asks about holidays need not carry the package.
    import holidays
    from holidays.constants import OPTIONAL, PUBLIC

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
