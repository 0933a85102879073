"""Working days and Dutch public holidays.

Days off follow the Algemene termijnenwet, which is also the list of paid holidays in the Cao
Gemeenten (art. 6.6, since 2023): the `holidays` package's NL PUBLIC plus OPTIONAL (Bevrijdingsdag
every year, where PUBLIC alone has it only every fifth year), minus Goede vrijdag (PUBLIC in
`holidays`, but not in the Atw and a normal working day for municipal staff).

They are worked out here rather than asked of `holidays`: its first answer cost a process 11 MiB
and 0.1 s, and the clock asks at once (issue 10). tests/language/test_language.py checks every
year from 1990 to 2100 against the package.
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
    easter_sunday = easter(year)
    # The monarch's birthday: Koningsdag since 2014, Koninginnedag before; a Sunday moves it to
    # the Saturday before.
    royal_name, royal_day = (
        ("Koningsdag", date(year, 4, 27)) if year >= 2014 else ("Koninginnedag", date(year, 4, 30))
    )
    if royal_day.weekday() == 6:
        royal_day -= timedelta(days=1)
    named = [
        (date(year, 1, 1), "Nieuwjaarsdag"),
        (easter_sunday, "Eerste paasdag"),
        (easter_sunday + timedelta(days=1), "Tweede paasdag"),
        (royal_day, royal_name),
        (date(year, 5, 5), "Bevrijdingsdag"),
        (easter_sunday + timedelta(days=39), "Hemelvaartsdag"),
        (easter_sunday + timedelta(days=49), "Eerste pinksterdag"),
        (easter_sunday + timedelta(days=50), "Tweede pinksterdag"),
        (date(year, 12, 25), "Eerste kerstdag"),
        (date(year, 12, 26), "Tweede kerstdag"),
    ]
    names: dict[date, list[str]] = {}
    for day, name in named:
        names.setdefault(day, []).append(name)
    # Two on one day (Bevrijdingsdag and Hemelvaartsdag in 2016): both names, as `holidays` has.
    # One immutable mapping per year, shared by every thread.
    return MappingProxyType({day: "; ".join(sorted(both)) for day, both in sorted(names.items())})


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
