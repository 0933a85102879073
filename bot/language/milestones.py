"""Deadlines in a programme's success criterion: "voor het einde van 2024", "voor eind 2025",
"in 2024", "vanaf begin 2025", "In 2024 wordt … In 2025 …" (several milestones), and money as
written in a budget ("€ 7.500,-").

Pure and absolute: a criterion names years, so nothing here depends on "now".

Reading rules (what a phrase means as a deadline):

* "in 2024", "(voor) (het) eind(e) (van) 2024", "uiterlijk 2024" → 31 December.
* "(vanaf) (het) begin (van) 2025" → 1 January: in place from the start of the year.
* "voor begin 2025" → 31 December of the year before.
* "medio 2025", "half 2025", "midden 2025" → 30 June.
* "Q2 2025", "het tweede kwartaal (van) 2025" → the quarter's last day.
* "(eind/begin/medio) juni 2025", "in juni 2025" → the month's last day / 1st / 15th.
* "1 juli 2025", "1-7-2025", "2025-07-01" → that day.
* A sentence with more than one date gives one milestone per date; each milestone carries the
  sentence it was read from, so "In 2024 wordt … In 2025 …" becomes two.
* "voor 2025" alone is ambiguous ("vóór 2025" or "bestemd voor 2025") and a year after
  "uiterlijk"/"deadline" that reads as no date is unreadable: both are reported, never guessed.
* "voorjaar/lente", "zomer", "najaar/herfst 2025" → the end of May, August, November.
* A year after "uit", "sinds", "vanuit" or "tot en met" names the past or a span and is not a
  deadline.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from msgspec import Struct

from bot.language.fold import fold
from bot.language.names import MONTHS, alternation

__all__ = [
    "DeadlineReading",
    "Milestone",
    "format_euro",
    "parse_amount",
    "parse_deadline",
    "parse_deadline_phrases",
    "parse_euro",
]

_MON = alternation(MONTHS)
_YEAR = r"(?P<year>20\d\d)"
_SEASON_END = {"voorjaar": 5, "lente": 5, "zomer": 8, "najaar": 11, "herfst": 11}
_ORDINALS = {"eerste": 1, "1e": 1, "tweede": 2, "2e": 2, "derde": 3, "3e": 3, "vierde": 4, "4e": 4}


class Milestone(Struct, frozen=True):
    """One deadline read from a criterion: the day, the phrase as written and its sentence."""

    due: date
    phrase: str
    sentence: str


class DeadlineReading(Struct, frozen=True):
    """What a criterion says about time: milestones in date order, and phrases that look like a
    deadline but cannot be read (each with the Dutch reason)."""

    milestones: tuple[Milestone, ...] = ()
    unreadable: tuple[str, ...] = ()

    @property
    def deadline(self) -> date | None:
        """The final deadline: the last milestone."""
        return self.milestones[-1].due if self.milestones else None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _edge_of_month(edge: str | None, year: int, month: int) -> date:
    if edge in ("begin", "start"):
        return date(year, month, 1)
    if edge in ("medio", "half", "midden"):
        return date(year, month, 15)
    return _month_end(year, month)


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# Each pattern: (regex on folded text, reader of its match -> date or None). Earlier patterns
# win where they overlap ("voor het einde van 2024" is not also "2024").
_EDGE = r"(?P<edge>eind|einde|begin|start|medio|half|midden)"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<year>20\d\d)-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b")),
    (
        "numeric",
        re.compile(r"\b(?P<day>\d{1,2})[-/.](?P<month>\d{1,2})[-/.](?P<year>20\d\d)\b"),
    ),
    (
        "textual",
        re.compile(rf"\b(?P<day>\d{{1,2}})\s+(?P<month>{_MON})\.?\s+{_YEAR}\b"),
    ),
    (
        "quarter",
        re.compile(
            r"\b(?:q(?P<q>[1-4])|(?:het\s+)?(?P<ord>eerste|tweede|derde|vierde|[1-4]e)\s+kwartaal"
            r"(?:\s+van)?)\s+(?P<year>20\d\d)\b"
        ),
    ),
    (
        "month",
        re.compile(rf"\b(?:(?:{_EDGE})\s+(?:van\s+)?)?(?P<month>{_MON})\.?\s+{_YEAR}\b"),
    ),
    (
        "season",
        re.compile(
            rf"\b(?P<season>voorjaar|lente|zomer|najaar|herfst)\s+(?:van\s+)?(?:het\s+jaar\s+)?{_YEAR}\b"
        ),
    ),
    (
        "before_start",
        re.compile(
            rf"\bvoor\s+(?:het\s+)?(?:begin|start)\s+(?:van\s+)?(?:het\s+jaar\s+)?{_YEAR}\b"
        ),
    ),
    (
        "edge",
        re.compile(
            rf"\b(?:(?:vanaf|per|voor|tegen|uiterlijk|rond)\s+)?(?:het\s+)?{_EDGE}\s+"
            rf"(?:van\s+)?(?:het\s+jaar\s+)?{_YEAR}\b"
        ),
    ),
    (
        "in_year",
        re.compile(rf"\b(?:in|gedurende|uiterlijk|per|tijdens)\s+(?:het\s+jaar\s+)?{_YEAR}\b"),
    ),
]

# A year that is not a deadline: the past, a span's start, a document's name.
_NOT_A_DEADLINE = re.compile(
    r"\b(?:uit|sinds|vanuit|sedert|t/m|tot\s+en\s+met|beleid|programma|ivb|ivp|up|uvp)\s+"
    r"(?:het\s+)?(?:jaar\s+)?20\d\d\b"
)
_AMBIGUOUS_BEFORE = re.compile(r"\bvoor\s+(?P<year>20\d\d)(?:\s+en\s+20\d\d)?\b")
_LOOSE_YEAR = re.compile(r"\b20\d\d\b")
_STRONG_TRIGGER = re.compile(r"\b(?:uiterlijk|deadline)\s+(?P<rest>[^\s.,;]+(?:\s+[^\s.,;]+)?)")
_SENTENCE = re.compile(r"[^.;\n]+(?:[.;\n]|$)")


def _read(kind: str, m: re.Match[str]) -> date | None:
    groups = m.groupdict()
    year = int(groups["year"])
    if kind == "iso" or kind == "numeric":
        return _day(year, int(groups["month"]), int(groups["day"]))
    if kind == "textual":
        return _day(year, MONTHS[groups["month"]], int(groups["day"]))
    if kind == "quarter":
        quarter = int(groups["q"]) if groups.get("q") else _ORDINALS[groups["ord"]]
        return _month_end(year, quarter * 3)
    if kind == "month":
        return _edge_of_month(groups.get("edge"), year, MONTHS[groups["month"]])
    if kind == "season":
        return _month_end(year, _SEASON_END[groups["season"]])
    if kind == "before_start":
        return date(year - 1, 12, 31)
    if kind == "edge":
        edge = groups["edge"]
        if edge in ("begin", "start"):
            return date(year, 1, 1)
        if edge in ("medio", "half", "midden"):
            return date(year, 6, 30)
        return date(year, 12, 31)
    return date(year, 12, 31)  # in_year, done_in_year


def _sentence_milestones(sentence: str) -> tuple[list[Milestone], list[str]]:
    folded = fold(sentence)
    taken: list[tuple[int, int]] = []
    found: dict[date, str] = {}
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(folded):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            taken.append(m.span())
            due = _read(kind, m)
            if due is not None:
                found.setdefault(due, sentence[m.start() : m.end()].strip())
    shown = " ".join(sentence.split()).strip(" .;")
    unreadable: list[str] = []
    for m in _AMBIGUOUS_BEFORE.finditer(folded):
        if not any(start <= m.start() < end for start, end in taken):
            taken.append(m.span())
            phrase = " ".join(sentence[m.start() : m.end()].split())
            unreadable.append(
                f"‘{phrase}’ is dubbelzinnig (vóór dat jaar, of bestemd voor dat jaar?); "
                f"schrijf bijvoorbeeld ‘voor het einde van {m.group('year')}’ of "
                f"‘in {m.group('year')}’"
            )
    for m in _STRONG_TRIGGER.finditer(folded):
        if not any(start <= m.start() < end for start, end in taken) and not found:
            phrase = " ".join(sentence[m.start() : m.end()].split())
            unreadable.append(f"‘{phrase}’ is geen datum die ik kan lezen")
    excused = [m.span() for m in _NOT_A_DEADLINE.finditer(folded)]
    for m in _LOOSE_YEAR.finditer(folded):
        inside = any(start <= m.start() < end for start, end in (*taken, *excused))
        if not inside and not found and not unreadable:
            unreadable.append(
                f"in ‘{shown}’ staat {m.group(0)}, maar niet als termijn die ik kan lezen "
                f"(schrijf bijv. ‘in {m.group(0)}’ of ‘voor het einde van {m.group(0)}’)"
            )
            break
    milestones = [Milestone(due, phrase, shown) for due, phrase in found.items()]
    return milestones, unreadable


def parse_deadline_phrases(text: str) -> DeadlineReading:
    """Every deadline a criterion names, as milestones in date order (one per date per
    sentence), and what looks like a deadline but cannot be read."""
    milestones: list[Milestone] = []
    unreadable: list[str] = []
    for match in _SENTENCE.finditer(text or ""):
        sentence = match.group(0)
        if not sentence.strip(" .;\n"):
            continue
        found, problems = _sentence_milestones(sentence)
        milestones.extend(found)
        unreadable.extend(problems)
    milestones.sort(key=lambda m: m.due)
    return DeadlineReading(tuple(milestones), tuple(dict.fromkeys(unreadable)))


def parse_deadline(text: str) -> date | None:
    """One deadline typed by a person ("eind 2025", "1 juli 2025", "2025-07-01", "Q3 2025",
    "in 2025"): the last date it names, or None when it names none."""
    reading = parse_deadline_phrases(text)
    if reading.deadline is not None:
        return reading.deadline
    bare = re.fullmatch(r"\s*(20\d\d)\s*", text or "")
    return date(int(bare.group(1)), 12, 31) if bare else None


# --- money --------------------------------------------------------------------------------------

_EURO = re.compile(
    r"(?:€|eur\b|euro\b)\s*(?P<a>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<c>\d{1,2}|-|–))?"
    r"|(?P<b>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<d>\d{1,2}|-|–))?\s*(?:€|euro\b)",
    re.IGNORECASE,
)


def parse_euro(text: str) -> Decimal | None:
    """The first amount in euros a text names ("€ 7.500,-", "€ 3.500,50", "2000 euro"), or
    None when it names none ("Bestaande middelen")."""
    m = _EURO.search(text or "")
    if m is None:
        return None
    whole = (m.group("a") or m.group("b")).replace(".", "")
    cents = m.group("c") or m.group("d") or ""
    cents = cents if cents.isdigit() else ""
    try:
        return Decimal(f"{whole}.{cents.ljust(2, '0')}" if cents else whole)
    except InvalidOperation:
        return None


_AMOUNT = re.compile(
    r"(?:€|eur|euro)?\s*(?P<whole>[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,(?P<cents>[0-9]{1,2}|-|–))?"
    r"\s*(?:€|eur|euro)?",
    re.IGNORECASE,
)


def parse_amount(text: str) -> Decimal | None:
    """A typed amount that is nothing but one amount, written the Dutch way ("1.234",
    "€ 1.234,56", "12,5", "2000 euro"); None for anything that could be misread ("1234.5",
    "€ 1,234.56", "-5", "1e5", "€ 500 en € 300"): unlike `parse_euro`, nothing is guessed."""
    m = _AMOUNT.fullmatch(text.strip())
    if m is None:
        return None
    whole = m.group("whole").replace(".", "")
    cents = m.group("cents") or ""
    cents = cents if cents.isdigit() else ""
    return Decimal(f"{whole}.{cents.ljust(2, '0')}" if cents else whole)


def format_euro(amount: Decimal | float | int) -> str:
    """'€ 7.500' or '€ 3.500,50', the Dutch way."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    sign = "-" if value < 0 else ""
    whole, cents = f"{abs(value):.2f}".split(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{sign}€ {grouped}" + ("" if cents == "00" else f",{cents}")
