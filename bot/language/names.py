"""The Dutch vocabulary: weekday and month names with their abbreviations, number words and the
words that ask for help. One table each; every reader of Dutch text uses these.

The names are written out rather than read from Babel: reading them loads Babel's whole Dutch
locale (~4 MiB) at every start. `bot.language.format` writes dates with them, and
tests/language/test_language.py checks that names and dates are Babel's nl_NL ones."""

import re
from collections.abc import Iterable, Mapping

from bot.language.fold import fold

__all__ = [
    "FULL_MONTHS",
    "FULL_WEEKDAYS",
    "HELP_WORDS",
    "LOCALE",
    "MONTHS",
    "MONTH_ABBREVIATIONS",
    "MONTH_NAMES",
    "NUMBER_WORDS",
    "WEEKDAYS",
    "WEEKDAY_ABBREVIATIONS",
    "WEEKDAY_NAMES",
    "alternation",
    "day_name",
    "is_help",
    "month_name",
    "number",
    "weekday_number",
]

LOCALE = "nl_NL"

# What a user types to ask a command how it works.
HELP_WORDS = frozenset({"help", "hulp", "?"})


def is_help(text: str) -> bool:
    return fold(text).strip() in HELP_WORDS


# January first, as Babel's nl_NL "wide" and "abbreviated" names.
MONTH_NAMES = (
    *("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus"),
    *("september", "oktober", "november", "december"),
)
MONTH_ABBREVIATIONS = (
    *("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
)
# Monday first: 'maandag', 'dinsdag', ...
WEEKDAY_NAMES = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
WEEKDAY_ABBREVIATIONS = ("ma", "di", "wo", "do", "vr", "za", "zo")


def _name_table(
    wide: Mapping[int, str], abbreviated: Mapping[int, str], longest_prefix: int
) -> dict[str, int]:
    """The names plus their prefixes of three letters or more ('sept', 'dins', 'woe')."""
    table: dict[str, int] = {}
    for key, name in wide.items():
        table[fold(name)] = key
        for end in range(3, min(longest_prefix, len(name)) + 1):
            table.setdefault(fold(name[:end]), key)
    for key, name in abbreviated.items():
        table[fold(name).rstrip(".")] = key
    return table


def alternation(words: Iterable[str]) -> str:
    """A regex alternative of `words`, longest first."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


MONTHS = _name_table(
    dict(enumerate(MONTH_NAMES, start=1)),
    dict(enumerate(MONTH_ABBREVIATIONS, start=1)),
    longest_prefix=9,
)
WEEKDAYS = _name_table(
    dict(enumerate(WEEKDAY_NAMES)),
    dict(enumerate(WEEKDAY_ABBREVIATIONS)),
    longest_prefix=4,  # longer prefixes are words: "maand" (maandag)
)
FULL_WEEKDAYS = frozenset(fold(name) for name in WEEKDAY_NAMES)
FULL_MONTHS = frozenset(fold(name) for name in MONTH_NAMES)
NUMBER_WORDS: Mapping[str, int] = {
    word: value
    for value, word in enumerate(
        (
            *("een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien"),
            *("elf", "twaalf", "dertien", "veertien", "vijftien", "zestien", "zeventien"),
            *("achttien", "negentien", "twintig"),
        ),
        start=1,
    )
} | {"dertig": 30, "veertig": 40, "vijftig": 50, "zestig": 60}


def number(token: str) -> int:
    """'drie' or '3' -> 3; KeyError/ValueError for anything else."""
    return NUMBER_WORDS[token] if token in NUMBER_WORDS else int(token)


def month_name(month: int) -> str:
    return MONTH_NAMES[month - 1]


def day_name(weekday: int) -> str:
    return WEEKDAY_NAMES[weekday]


def weekday_number(text: str) -> int | None:
    """0 (Monday) to 6 for a weekday name or abbreviation ('di', 'Dinsdag', 'wo.'); else None."""
    return WEEKDAYS.get(fold(text.strip()).rstrip("."))
