"""Working days and Dutch public holidays.

Days off follow the Algemene termijnenwet, which is also the list of paid holidays in the Cao
Gemeenten (art. 6.6, since 2023): `holidays` NL PUBLIC plus OPTIONAL (Bevrijdingsdag every year,
where PUBLIC alone has it only every fifth year), minus Goede vrijdag (PUBLIC in `holidays`, but not
in the Atw and a normal working day for municipal staff).

The `holidays` package imports every country's rules to give one (~17 MiB and ~0.1 s in each
process that plans a reminder). So its answers for the years around now are kept in
`bot.language.days_off_nl`, written by `scripts/days_off_nl.py` from the same function as the
fallback below; tests/language checks the table against the installed package year by year, so
an update of the package that changes a day off fails the suite until the table is written anew.
Years outside the table ask the package itself.
"""

from collections.abc import Mapping
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

from dateutil.easter import easter

from bot.language.days_off_nl import DAYS_OFF

__all__ = [
    "add_working_days",
    "days_off_from_package",
    "dutch_holiday_name",
    "is_working_day",
    "next_working_day",
    "previous_working_day",
]


def days_off_from_package(year: int) -> dict[date, str]:
    """The days off in `year` as the `holidays` package gives them (see above), by date."""
    import holidays  # here: see the module's docstring
    from holidays.constants import OPTIONAL, PUBLIC

    official = holidays.country_holidays(
        "NL", years=year, language="nl", categories=(PUBLIC, OPTIONAL)
    )
    good_friday = easter(year) - timedelta(days=2)
    return dict(sorted((day, name) for day, name in official.items() if day != good_friday))


@lru_cache(maxsize=64)
def _days_off(year: int) -> Mapping[date, str]:
    # One immutable mapping per year: shared between threads.
    if year in DAYS_OFF:
        return MappingProxyType({date(year, m, d): name for m, d, name in DAYS_OFF[year]})
    return MappingProxyType(days_off_from_package(year))


def dutch_holiday_name(d: date) -> str | None:
    """Dutch name of the public holiday (day off) on `d`, e.g. 'Koningsdag'; None otherwise."""
    return _days_off(d.year).get(d)


def is_working_day(d: date) -> bool:
    """Monday to Friday and not a Dutch public holiday."""
    return d.weekday() < 5 and dutch_holiday_name(d) is None


def working_day_from(d: date) -> date:
    """`d` itself when it is a working day, else the next one."""
    return d if is_working_day(d) else next_working_day(d)


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
