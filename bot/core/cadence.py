"""Parse the free-text time column of the task overview ("3 uur per 4 week") into recurrences.

The same parse serves two readers: the task commands show a weekly time budget, and the meetings
feature schedules reminders from `Recurrence.rrule_frequency()`.

Weekly figures use the mean Gregorian year: 365.2425 / 7 ≈ 52.18 weeks per year, and a twelfth of
that (≈ 4.35 weeks) per month. So "40 uur per jaar" is ≈ 0.77 hours per week and "8 uur per
3 maanden" ≈ 0.61.

When a text states a number of occurrences ("1 keer per 6 week 5 uur", "2x per maand 3 uur"), its
hours count per occurrence, unless the text says "totaal"; a range of occurrences ("4/5 keer")
or of hours ("2-3 uur") counts at its mean. Periods are kept in the largest whole unit: "per
kwartaal" is every 3 months, "om de 14 dagen" every 2 weeks, "per 12 maanden" every year.
"""

from __future__ import annotations

import html
import re
import unicodedata
from enum import StrEnum, auto
from statistics import fmean

from dateutil import rrule
from msgspec import Struct

from bot.language.fold import fold
from bot.language.format import format_number
from bot.language.names import NUMBER_WORDS, WEEKDAY_NAMES, alternation

WEEKS_PER_YEAR = 365.2425 / 7
WEEKS_PER_MONTH = WEEKS_PER_YEAR / 12
# "Een half uur per dag" in a team's task overview is per working day: an office task is not
# done on Saturday and Sunday (read as 7 days it overstated the budget by 40 %). "Om de 10
# dagen" counts calendar days, as a longer period does.
WORKING_DAYS_PER_WEEK = 5
HOURS_IN_A_WEEK = 7 * 24

NO_TEXT_REASON = "geen tijd opgegeven"
_EXAMPLES = (
    'Schrijf bijvoorbeeld "2 uur per week", "3 uur per 4 weken", "1 keer per 6 weken 5 uur" '
    'of "incidenteel".'
)


class CadenceError(ValueError):
    """A time text that cannot be understood; str() is the Dutch message for the user."""

    def __init__(self, text: str, problem: str) -> None:
        self.text = text
        self.problem = problem
        shown = " ".join(text.split())
        if len(shown) > 80:
            shown = shown[:79] + "…"
        super().__init__(f'Tijd "{shown}" niet begrepen: {problem}. {_EXAMPLES}')


class Unit(StrEnum):
    DAY = auto()
    WEEK = auto()
    MONTH = auto()
    YEAR = auto()


_WEEKS_PER_UNIT = {
    Unit.DAY: 1 / 7,
    Unit.WEEK: 1.0,
    Unit.MONTH: WEEKS_PER_MONTH,
    Unit.YEAR: WEEKS_PER_YEAR,
}
_RRULE_FREQUENCY = {
    Unit.DAY: rrule.DAILY,
    Unit.WEEK: rrule.WEEKLY,
    Unit.MONTH: rrule.MONTHLY,
    Unit.YEAR: rrule.YEARLY,
}
_UNIT_NOUNS = {  # (singular, plural)
    Unit.DAY: ("dag", "dagen"),
    Unit.WEEK: ("week", "weken"),
    Unit.MONTH: ("maand", "maanden"),
    Unit.YEAR: ("jaar", "jaar"),
}


def format_hours(hours: float) -> str:
    """Dutch number: "0,75", "2", "1,5"; tiny amounts keep enough decimals not to read as 0."""
    decimals = 2
    while 0 < abs(hours) < 0.5 * 10**-decimals and decimals < 6:
        decimals += 1
    return format_number(hours, decimals=decimals)


def _period_noun(interval: int, unit: Unit) -> str:
    """What follows "per": "week", "4 weken", "kwartaal", "half jaar", "3 jaar"."""
    if unit is Unit.MONTH and interval == 3:
        return "kwartaal"
    if unit is Unit.MONTH and interval == 6:
        return "half jaar"
    if unit is Unit.DAY and interval == 1:
        return "werkdag"  # as hours_per_week counts it
    singular, plural = _UNIT_NOUNS[unit]
    return singular if interval == 1 else f"{interval} {plural}"


def _every(interval: int, unit: Unit) -> str:
    noun = _period_noun(interval, unit)
    # Neuter nouns (het jaar, het kwartaal) take "elk"; "elke 3 jaar" stays "elke".
    return f"elk {noun}" if noun in ("jaar", "kwartaal", "half jaar") else f"elke {noun}"


def _count(times: tuple[int, int]) -> str:
    low, high = times
    if high == 1:
        return "eens"
    return f"{low} keer" if low == high else f"{low} à {high} keer"


class Recurrence(Struct, frozen=True):
    """Something that happens every `interval` units, `times` per period, taking `hours`."""

    interval: int
    unit: Unit
    times: tuple[int, int] | None = None
    hours: float | None = None  # per period, all occurrences together

    @property
    def per_working_day(self) -> bool:
        return self.unit is Unit.DAY and self.interval == 1

    def hours_per_week(self) -> float | None:
        if self.hours is None:
            return None
        if self.per_working_day:
            return self.hours * WORKING_DAYS_PER_WEEK
        return self.hours / (self.interval * _WEEKS_PER_UNIT[self.unit])

    def rrule_frequency(self) -> tuple[int, int]:
        """(dateutil.rrule frequency, interval) of the period. Several occurrences per period
        ("2 keer per maand") need the caller to pick the days, e.g. with byweekday/bysetpos."""
        return _RRULE_FREQUENCY[self.unit], self.interval

    def describe(self) -> str:
        if self.times is None:
            text = _every(self.interval, self.unit)
        else:
            text = f"{_count(self.times)} per {_period_noun(self.interval, self.unit)}"
        if self.hours is None:
            return text
        if self.times is None or self.times == (1, 1):
            return f"{text}, {format_hours(self.hours)} uur"
        return f"{text}, {format_hours(self.hours / fmean(self.times))} uur per keer"


class Cadence(Struct, frozen=True):
    text: str
    recurrences: tuple[Recurrence, ...]
    reason: str | None  # why there is no weekly budget; None when hours_per_week is known
    note: str  # words of the text that are not about time, kept for humans

    @property
    def hours_per_week(self) -> float | None:
        return _weekly_hours(self.recurrences)

    @property
    def is_recurring(self) -> bool:
        return bool(self.recurrences)

    def describe(self) -> str:
        """The text as understood: "elke 4 weken, 3 uur (≈ 0,75 uur per week)"."""
        if not self.recurrences:
            return (
                self.reason if self.reason == NO_TEXT_REASON else f"geen vaste tijd: {self.reason}"
            )
        understood = "; ".join(recurrence.describe() for recurrence in self.recurrences)
        weekly = self.hours_per_week
        if weekly is None:
            missing = [r.describe() for r in self.recurrences if r.hours is None]
            if len(missing) == len(self.recurrences):
                return f"{understood} (geen uren opgegeven)"
            return f"{understood} (geen uren opgegeven voor {' en '.join(missing)})"
        if len(self.recurrences) == 1 and _once_a_week(self.recurrences[0]):
            return understood  # "elke week, 2 uur" already is the weekly figure
        return f"{understood} (≈ {format_hours(weekly)} uur per week)"


def _once_a_week(recurrence: Recurrence) -> bool:
    weekly = (recurrence.interval, recurrence.unit) == (1, Unit.WEEK)
    return weekly and recurrence.times in (None, (1, 1))


def _weekly_hours(recurrences: tuple[Recurrence, ...]) -> float | None:
    """Sum of the weekly hours; None when nothing recurs or any recurrence has unknown hours."""
    weekly = [recurrence.hours_per_week() for recurrence in recurrences]
    known = [hours for hours in weekly if hours is not None]
    return sum(known) if weekly and len(known) == len(weekly) else None


# --- Lexicon -------------------------------------------------------------------------------------

# "één"/"eén" are the stressed spellings of "een"; `_number` folds them before the lookup.
_ONE = "(?:een|één|eén)"
_NUMBER_WORD = f"(?:{alternation([*NUMBER_WORDS, 'één', 'eén'])})"
_AND_A_HALF = r"(?:ënhalf|enhalf|\s+en\s+een\s+half)"
_NUMBER = (
    rf"(?:(?:\d+|{_NUMBER_WORD}){_AND_A_HALF}|{_ONE}\s+half|anderhalve|anderhalf|half"
    rf"|\d+(?:[.,]\d+)?|{_NUMBER_WORD})"
)
_RANGE = r"\s*(?:/|-|–|à|á|a|tot|of)\s*"
_START = r"(?<!\w)(?<!\d[.,])"  # a token never starts inside a word or a decimal number

_HOUR_UNITS = {"uren": 1.0, "uur": 1.0, "u": 1.0, "kwartier": 0.25}
_MINUTE_UNIT = r"(?:minuten|minuut|min)"
_PERIOD_UNITS = {
    "dagen": (1, Unit.DAY), "dag": (1, Unit.DAY),
    "weken": (1, Unit.WEEK), "week": (1, Unit.WEEK), "wkn": (1, Unit.WEEK), "wk": (1, Unit.WEEK),
    "maanden": (1, Unit.MONTH), "maand": (1, Unit.MONTH), "mnd": (1, Unit.MONTH),
    "kwartalen": (3, Unit.MONTH), "kwartaal": (3, Unit.MONTH),
    "jaren": (1, Unit.YEAR), "jaar": (1, Unit.YEAR), "jr": (1, Unit.YEAR),
    # "elke dinsdag": the weekday itself is the meeting's business, the period is a week
    **dict.fromkeys(WEEKDAY_NAMES, (1, Unit.WEEK)),
}  # fmt: skip
_ADVERB_UNITS = {"dage": Unit.DAY, "weke": Unit.WEEK, "maande": Unit.MONTH, "jaar": Unit.YEAR}
_ABBREVIATED_UNITS = {"w": Unit.WEEK, "wk": Unit.WEEK, "m": Unit.MONTH, "mnd": Unit.MONTH,
                      "j": Unit.YEAR, "jr": Unit.YEAR}  # fmt: skip

_TOKEN = re.compile(
    rf"""
    (?P<duration>{_START}
        (?P<total_before>(?:in\s+)?totaal\s+|samen\s+)?
        (?P<hours>{_NUMBER})(?:{_RANGE}(?P<hours_to>{_NUMBER}))?
        \s*(?P<hour_unit>uren|uur|u|kwartier|{_MINUTE_UNIT})(?!\w)
        (?:\s*(?:en\s+)?(?P<minutes>{_NUMBER})\s*{_MINUTE_UNIT}(?!\w))?
        (?:\s+per\s+(?:keer|bijeenkomst|overleg|vergadering|sessie)(?!\w)
           |\s+(?P<total_after>(?:in\s+)?totaal)(?!\w))?
    )
    |(?P<times>{_START}
        (?:(?P<times_from>{_NUMBER})(?:{_RANGE}(?P<times_to>{_NUMBER}))?\s*(?:x|×|keer|keren|maal)
           (?!\w)
         |eens(?=\s+(?:per|in\s+de|in\s+het|elke|elk|iedere|ieder|om\s+de)(?!\w)))
    )
    |(?P<period>
        (?:(?<!\w)(?:per|elke|elk|iedere|ieder|om\s+de|(?P<during>in\s+de|in\s+het))|/)
        \s*(?:(?P<count>{_NUMBER})\s*)?(?P<unit>{"|".join(_PERIOD_UNITS)})(?!\w)
      |(?<!\w)(?:(?P<adverb_count>{_NUMBER})\s*-?\s*)?(?P<adverb>{"|".join(_ADVERB_UNITS)})lijks
        (?!\w)
      |(?<!\w)p\s*[/.]?\s*(?P<abbreviation>{"|".join(_ABBREVIATED_UNITS)})(?!\w)
    )
    """,
    re.IGNORECASE | re.VERBOSE,
)

_UNSCHEDULED_MARKERS = (
    (r"afhankelijk\s+van\s+(?:de\s+)?casu[iï]stiek|per\s+casus|casusafhankelijk",
     "afhankelijk van casuïstiek"),
    (r"incidente(?:el|le)", "incidenteel"),
    (r"ad[\s-]?hoc", "ad hoc"),
    (r"n\.?\s?v\.?\s?t\.?|niet\s+van\s+toepassing", "niet van toepassing"),
    (r"wisselend|wisselt|varieert|variabel", "wisselend"),
    (r"(?:zo|indien|als|waar)\s+nodig|(?:naar|bij)\s+behoefte|op\s+afroep", "naar behoefte"),
    (r"onbekend|nog\s+niet\s+bekend|n\.?\s?t\.?\s?b\.?|nader\s+te\s+bepalen", "nog niet bekend"),
    (r"afhankelijk\s+van\s+[^.,;:()]+", None),  # reason: the words themselves
)  # fmt: skip
_UNSCHEDULED = [
    (re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", re.IGNORECASE), reason)
    for pattern, reason in _UNSCHEDULED_MARKERS
]

_NEGATIVE = re.compile(r"(?<!\w)[-−]\d")  # not "2-3 uur", "2-wekelijks" or "week - 1 keer"
_STRAY_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_STRAY_UNITS = {"uur", "uren", "u", "min", "minuut", "minuten", "kwartier", "keer", "keren",
                "maal", "x", "×"}  # fmt: skip
_STRAY_PERIOD_WORDS = set(_PERIOD_UNITS) - set(WEEKDAY_NAMES)
_DANGLING = {"per", "elke", "elk", "iedere", "ieder"}


# --- Parsing -------------------------------------------------------------------------------------


_Slot = dict[str, re.Match[str]]  # token kind ("period", "times", "duration") -> its match


def parse_cadence(text: str) -> Cadence:
    """Understand a time text; raises CadenceError (Dutch message) when it cannot."""
    cleaned = _clean(text)
    if not cleaned:
        return Cadence(text, (), NO_TEXT_REASON, "")
    matches = _without_prose(cleaned, list(_TOKEN.finditer(cleaned)))
    has_period = any(match.lastgroup == "period" for match in matches)
    if not has_period:
        unscheduled = _unscheduled(cleaned)
        if unscheduled is not None:
            reason, note = unscheduled
            return Cadence(text, (), reason, note)
    gaps = [
        cleaned[start:end]
        for start, end in zip(
            [0, *(m.end() for m in matches)],
            [*(m.start() for m in matches), len(cleaned)],
            strict=True,
        )
    ]
    _reject_stray_words(text, cleaned, gaps)
    if not has_period:
        raise CadenceError(text, 'er staat geen periode in, zoals "per week" of "per maand"')

    recurrences = tuple(_recurrence(text, slot) for slot in _group(text, matches, gaps))
    note = "; ".join(part for part in map(_tidy, gaps) if part)
    weekly = _weekly_hours(recurrences)
    if weekly is None:
        missing = " en ".join(r.describe() for r in recurrences if r.hours is None)
        return Cadence(text, recurrences, f"{missing}, geen uren opgegeven", note)
    if weekly > HOURS_IN_A_WEEK:
        raise CadenceError(
            text,
            f"dat is {format_hours(weekly)} uur per week, meer dan de {HOURS_IN_A_WEEK} uur "
            "die een week heeft",
        )
    return Cadence(text, recurrences, None, note)


def _without_prose(cleaned: str, matches: list[re.Match[str]]) -> list[re.Match[str]]:
    """Drop "in de week" unless it directly follows an amount ("2 uur in de week"): elsewhere it
    is prose ("1 keer per jaar, in de week voor kerst")."""
    kept: list[re.Match[str]] = []
    for match in matches:
        previous = kept[-1] if kept else None
        follows_amount = (
            previous is not None
            and previous.lastgroup != "period"
            and not cleaned[previous.end() : match.start()].strip()
        )
        if match["during"] is None or follows_amount:
            kept.append(match)
    return kept


def _clean(text: str) -> str:
    """Plain text of a cell: no HTML markup (the overview has <i>…</i>), one space between words."""
    plain = re.sub(r"<[^>]*>", " ", text)
    return " ".join(unicodedata.normalize("NFC", html.unescape(plain)).split())


def _tidy(words: str) -> str:
    """Leftover words without the punctuation that separated them from the time parts."""
    tidy = " ".join(words.split()).strip(" ,.;:–-")
    return tidy if re.search(r"\w", tidy) else ""  # "(; )" around removed parts is no note


def _unscheduled(cleaned: str) -> tuple[str, str] | None:
    """(reason, note) for the earliest marker of unscheduled work, if any."""
    found = [
        (match.start(), order, match, reason)
        for order, (pattern, reason) in enumerate(_UNSCHEDULED)
        if (match := pattern.search(cleaned))
    ]
    if not found:
        return None
    _, _, match, reason = min(found, key=lambda item: item[:2])
    if reason is None:
        reason = " ".join(match.group().lower().split())
    return reason, _tidy(cleaned[: match.start()] + " " + cleaned[match.end() :])


def _reject_stray_words(text: str, cleaned: str, gaps: list[str]) -> None:
    """Leftover words may be a note, but not numbers or time words that belong to nothing."""
    if _NEGATIVE.search(cleaned):
        raise CadenceError(text, "een negatief getal kan niet")
    for index, gap in enumerate(gaps):
        if number := _STRAY_NUMBER.search(gap):
            value = number.group()
            raise CadenceError(
                text,
                f'het getal "{value}" hoort nergens bij; '
                f'bedoelt u "{value} uur" of "{value} keer"?',
            )
        words = re.findall(r"[\w×]+", gap.lower())
        for word in words:
            if word in _STRAY_UNITS:
                raise CadenceError(text, f'"{word}" staat er los, zonder aantal ervoor')
        if words and words[-1] in _DANGLING:
            raise CadenceError(text, f'na "{words[-1]}" ontbreekt de periode')
        # A period word right next to a time part is a slip ("wekelijks maand"); further away
        # it is prose ("eens per 4 jaar, net als vorig jaar").
        touching = [words[0]] if words and index > 0 else []
        if words and index < len(gaps) - 1:
            touching.append(words[-1])
        for word in touching:
            if word in _STRAY_PERIOD_WORDS:
                raise CadenceError(text, f'"{word}" staat er los, zonder "per" of "elke" ervoor')


def _group(text: str, matches: list[re.Match[str]], gaps: list[str]) -> list[_Slot]:
    """Bundle tokens into one slot per recurrence: a period with its times and hours.

    A slot takes each kind once; words or punctuation after a slot's period close it
    ("2 uur per week, 1 keer per maand 3 uur"). A slot without a period joins the one before
    it ("1 keer per 6 weken, 5 uur").
    """
    slots: list[_Slot] = [{}]
    for match, gap_before in zip(matches, gaps, strict=False):
        slot = slots[-1]
        kind = match.lastgroup or ""
        if kind in slot or ("period" in slot and gap_before.strip()):
            if kind == "period" == _last_kind(slot) and not gap_before.strip():
                raise CadenceError(
                    text,
                    f'twee periodes achter elkaar: "{slot[kind].group()}" en "{match.group()}"',
                )
            slot = {}
            slots.append(slot)
        slot[kind] = match
    grouped: list[_Slot] = []
    for slot in slots:
        if "period" not in slot:
            if grouped and not slot.keys() & grouped[-1].keys():
                grouped[-1].update(slot)
                continue
            first = min(slot.values(), key=lambda match: match.start()).group()
            raise CadenceError(text, f'"{first}" hoort bij geen periode')
        grouped.append(slot)
    return grouped


def _last_kind(slot: _Slot) -> str:
    return max(slot, key=lambda kind: slot[kind].start())


def _recurrence(text: str, slot: _Slot) -> Recurrence:
    interval, unit = _period(text, slot["period"])
    times = _times(text, slot["times"]) if "times" in slot else None
    hours = None
    if "duration" in slot:
        duration = slot["duration"]
        hours = _hours(text, duration)
        if times is not None and not (duration["total_before"] or duration["total_after"]):
            hours *= fmean(times)
    return Recurrence(interval, unit, times, hours)


def _number(words: str) -> float:
    words = " ".join(words.lower().split())
    if words in ("anderhalf", "anderhalve"):
        return 1.5
    if re.fullmatch(rf"(?:{_ONE}\s)?half", words):
        return 0.5
    if half := re.fullmatch(rf"(.+?){_AND_A_HALF}", words):
        return _number(half.group(1)) + 0.5
    if (folded := fold(words)) in NUMBER_WORDS:
        return NUMBER_WORDS[folded]
    return float(words.replace(",", "."))


def _hours(text: str, match: re.Match[str]) -> float:
    amounts = [_number(match["hours"])]
    if match["hours_to"]:
        amounts.append(_number(match["hours_to"]))
    unit = match["hour_unit"].lower()
    hours = fmean(amounts) * _HOUR_UNITS.get(unit, 1 / 60)
    if match["minutes"]:
        hours += _number(match["minutes"]) / 60
    if hours <= 0:
        raise CadenceError(text, f'"{match.group()}" kan niet; het moet meer dan 0 uur zijn')
    return hours


def _times(text: str, match: re.Match[str]) -> tuple[int, int]:
    if not match["times_from"]:
        return (1, 1)  # "eens per …"
    counts = [_number(match["times_from"])]
    if match["times_to"]:
        counts.append(_number(match["times_to"]))
    if any(count != int(count) for count in counts):
        raise CadenceError(text, f'"{match.group()}": het aantal keer moet een heel getal zijn')
    low, high = int(min(counts)), int(max(counts))
    if low < 1:
        raise CadenceError(text, f'"{match.group()}" kan niet; het moet minstens 1 keer zijn')
    return low, high


def _period(text: str, match: re.Match[str]) -> tuple[int, Unit]:
    """(interval, unit), with days in whole weeks as weeks and months in whole years as years."""
    if match["abbreviation"]:
        return 1, _ABBREVIATED_UNITS[match["abbreviation"].lower()]
    if match["adverb"]:
        count, factor, unit = match["adverb_count"], 1, _ADVERB_UNITS[match["adverb"].lower()]
    else:
        count = match["count"]
        factor, unit = _PERIOD_UNITS[match["unit"].lower()]
    amount = (_number(count) if count else 1) * factor
    if unit is Unit.YEAR and amount != int(amount):
        amount, unit = amount * 12, Unit.MONTH  # "per half jaar", "anderhalfjaarlijks"
    if amount != int(amount):
        raise CadenceError(text, f'"{match.group()}": de periode moet een heel getal zijn')
    if amount < 1:
        raise CadenceError(text, f'"{match.group()}" kan niet; de periode moet minstens 1 zijn')
    interval = int(amount)
    if unit is Unit.DAY and interval % 7 == 0:
        return interval // 7, Unit.WEEK
    if unit is Unit.MONTH and interval % 12 == 0:
        return interval // 12, Unit.YEAR
    return interval, unit
