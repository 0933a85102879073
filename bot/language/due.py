"""Due dates in free text: "actie: @jan belt de wijkagent voor vrijdag".

Conservative: numbers that are no date ('bel 06-12345678', '3 agenten', 'artikel 172') are ignored;
a bare weekday, 'vandaag' or '1-12' only counts after 'voor', 'uiterlijk', 'op', 'deadline', 'per',
'tot', 't/m'. As a deadline a week ('volgende week', 'week 50') means its Friday (within that week),
'voor het weekend' the Friday before it, and a month, quarter or year ('(uiterlijk) volgende
maand', 'deze maand', 'dit kwartaal', 'volgend jaar') its last day: whoever says "volgende maand"
means some day in it, so by its end ('begin/medio volgende maand' name a day). 'voor' reads as
'uiterlijk' throughout ('voor vrijdag': by Friday). A phrase after 'uiterlijk'/'deadline'/'t/m'
that is no date at all ('uiterlijk kerst') raises DutchDateError naming it, rather than being
dropped.
"""

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
from typing import Literal

from msgspec import Struct

from bot.language.dates import (
    DATE_EXAMPLES,
    ParsedDate,
    parse_date_phrase,
    today_in,
    unreadable_date,
)
from bot.language.errors import DutchDateError, InvalidDate
from bot.language.fold import clean, fold_with_offsets
from bot.language.format import DEFAULT_TZ
from bot.language.names import FULL_MONTHS, FULL_WEEKDAYS, MONTHS, WEEKDAYS, alternation

__all__ = ["DueDate", "find_due_date", "parse_due_date"]

_MON = alternation(MONTHS)


_Date = date


class DueDate(Struct, frozen=True):
    """A due-date phrase found in an action line."""

    kind: Literal["date", "asap", "next_meeting"]
    date: _Date | None = None  # alias: the field name shadows the type inside the class body
    meeting_hint: str | None = None  # "voor de volgende boa-briefing" -> "boa-briefing"
    span: tuple[int, int] = (0, 0)  # [start, end) of the phrase in the original text


class _Token(Struct, frozen=True):
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
_NOT_IN_MEETING_NAME = frozenset({"week", "maand", "jaar", *WEEKDAYS})
_MAX_DATE_TOKENS = 6  # "dinsdag 1 december 2026" plus slack


def _ends_sentence(token: str) -> bool:
    """True if the token's final dot is punctuation, not part of an abbreviation ('dec.')."""
    word = token.removesuffix(".")
    if word == token or "." in word:
        return False
    return word in FULL_WEEKDAYS or word in FULL_MONTHS or word not in {**MONTHS, **WEEKDAYS}


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


def _date_at(
    tokens: list[_Token], i: int, today: date, triggered: bool
) -> tuple[int, ParsedDate] | None:
    """(last token, parsed) of the longest date phrase starting at token i that counts here."""
    for end in range(min(len(tokens), i + _MAX_DATE_TOKENS), i, -1):
        phrase = " ".join(t.text for t in tokens[i:end])
        try:
            parsed = parse_date_phrase(phrase, today)
        except InvalidDate:
            # Report a date that clearly was meant ("uiterlijk 31-2", "32 december", "week 60").
            if triggered or re.search(rf"\b(?:{_MON}|week|wk)\b", clean(phrase)):
                raise
            return None
        if parsed is None:
            continue
        if parsed.evidence == "bare" or (parsed.evidence == "trigger" and triggered):
            return end - 1, parsed
        return None
    return None


# After these a date must follow: what does not read as one is reported, not dropped.
_STRONG_TRIGGERS = frozenset({"uiterlijk", "deadline"})
_QUOTED_TOKENS = 4


def _deadline(parsed: ParsedDate, trigger: tuple[str, ...], today: date) -> date:
    """The date a deadline phrase names: a week's Friday, the Friday before a weekend."""
    if parsed.until is not None:  # "volgende maand", "uiterlijk dit kwartaal": by its end
        return parsed.until
    if parsed.first is not None:
        friday = parsed.first + timedelta(days=4)
        # A week still running whose Friday passed (said at the weekend) is due today; a week
        # that ended ("week 53 2026" in January 2027) keeps its Friday, past as it is.
        return max(friday, today) if parsed.last is None or parsed.last >= today else friday
    if parsed.weekend and trigger and trigger[0] == "voor":
        # The Friday of the weekend's own week: on a Sunday the weekend named is today's.
        friday = parsed.day - timedelta(days=parsed.day.weekday() - 4)
        return friday if friday >= today else friday + timedelta(weeks=1)
    return parsed.day


def parse_due_date(text: str, now: datetime, *, tz: tzinfo = DEFAULT_TZ) -> date:
    """A deadline typed on its own (a form field): any date `parse_date` reads, read as an
    action line reads its deadline: after the same words ("uiterlijk volgende maand", "voor het
    weekend"), a week as its Friday, a month, quarter or year as its last day. Raises
    DutchDateError."""
    today = today_in(now, tz)
    folded = fold_with_offsets(text)[0]
    tokens = [m[0].rstrip(".:") for m in _TOKEN_RE.finditer(folded)]
    trigger: tuple[str, ...] = ()
    for phrase in _DATE_TRIGGERS:
        if tuple(tokens[: len(phrase)]) == phrase and len(tokens) > len(phrase):
            trigger = phrase
            break
    phrase_text = " ".join(tokens[len(trigger) :]) if trigger else text
    parsed = parse_date_phrase(phrase_text, today)
    if parsed is None and trigger and trigger[-1] == "het":
        # "voor het eind van de maand": "het" belongs to the date phrase
        trigger = trigger[:-1]
        parsed = parse_date_phrase(" ".join(tokens[len(trigger) :]), today)
    if parsed is None:
        raise unreadable_date(text)
    return _deadline(parsed, trigger, today)


def find_due_date(text: str, now: datetime, *, tz: tzinfo = DEFAULT_TZ) -> DueDate | None:
    """Find the first due-date phrase in an action line ('belt politie voor vrijdag').

    A phrase that clearly is a date but does not exist ('uiterlijk 31-2'), and words after
    'uiterlijk'/'deadline' that are no date ('uiterlijk kerst'), raise DutchDateError rather than
    being silently dropped.
    """
    today = today_in(now, tz)
    folded, offsets = fold_with_offsets(text)
    tokens = [_Token(m[0], m.start(), m.end()) for m in _TOKEN_RE.finditer(folded)]

    def original(token: _Token) -> str:
        return text[offsets[token.start] : offsets[token.end - 1] + 1]

    def span(first: int, last: int) -> tuple[int, int]:
        end = tokens[last].end
        if _ends_sentence(tokens[last].text):
            end -= 1
        return offsets[tokens[first].start], offsets[end - 1] + 1

    unread: tuple[int, int] | None = None  # (trigger token, last token) of an unread deadline
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
            last, parsed = found
            words = _words(tokens, trigger, i - trigger) if trigger is not None else ()
            return DueDate(
                "date",
                date=_deadline(parsed, words, today),
                span=span(i if trigger is None else trigger, last),
            )
        if unread is None and i > 0 and tokens[i - 1].text.rstrip(".:") in _STRONG_TRIGGERS:
            last = i
            while last + 1 < len(tokens) and last - i + 1 < _QUOTED_TOKENS:
                if _ends_sentence(tokens[last].text):
                    break
                last += 1
            unread = (i - 1, last)
    if unread is not None:
        start, end = span(*unread)
        raise DutchDateError(
            f"De deadline ‘{text[start:end]}’ kan ik niet lezen als datum. Schrijf bijvoorbeeld "
            f"{DATE_EXAMPLES}."
        )
    return None
