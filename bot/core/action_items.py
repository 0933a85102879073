"""Reading an action line: "actie: @jan belt de wijkagent voor vrijdag".

Pure module: no Slack, no database, no wall clock. It finds the prefix, the owner and the due-date
phrase; which meeting "het volgende overleg" is, is for the caller to answer (see `resolve_due`).

Rules:
* A line is an action when it starts with `actie:`, `actiepunt:`, `AP:`, `TODO:` or `to-do:`
  (any case, spaces around the colon optional, Slack markup such as `*Actie:*`, a bullet or a
  numbered list's "1. " allowed).
* A message may list several actions, each line that starts with the prefix beginning the next
  (`read_actions`); lines without it continue the action above them.
* The owner is whoever the line names first: the first user mention (`<@U123>`, also one before
  the colon: "Actie @Bert:", "Actie voor @Bert:"), or "ik" when that comes earlier; nobody named
  means the author.
* The due date comes from `bot.language.find_due_date`. A date that cannot exist
  ("uiterlijk 31-2") does not block the action: it is kept without that date and the Dutch reason
  is returned as `date_problem`, so the bot can say so while the action is not lost.
* The weekly overdue digest comes on its weekday, or when that day is a Dutch public holiday
  (Easter Monday, Koningsdag, Christmas) on the next working day, at the same time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Literal

from msgspec import Struct

from bot.language import (
    TZ,
    DueDate,
    DutchDateError,
    find_due_date,
    mentioned_ids,
    next_working_day,
    wall_time,
    without_mentions,
    working_day_from,
)
from bot.language.names import WEEKDAY_NAMES, alternation

_PREFIX_RE = re.compile(
    r"""^[\s*_~>•·\-–]*                       # markup, quote marks or a bullet before the word
        (?:\d{1,2}[.)]\s+)?                     # or a numbered list's "1. "
        (?:actiepunt|actie|ap|todo|to-do)
        (?:[*_~]*\s+(?:voor\s+)?(?P<owner><@[UW][A-Z0-9]+(?:\|[^<>]*)?>))?  # "Actie (voor) @Bert:"
        \s*[*_~]*\s*:[*_~]*\s*                 # the colon, possibly inside or after markup
    """,
    re.IGNORECASE | re.VERBOSE,
)
_SELF_RE = re.compile(r"(?<![\w@])ik(?!\w)", re.IGNORECASE)
_TRAILING_DAY_MONTH = re.compile(r"(?<![\w.,/-])(\d{1,2}[-/]\d{1,2})[\s.!)]*$")
_TRAILING_WEEKDAY = re.compile(
    rf"(?<![\w-])({alternation(WEEKDAY_NAMES)})(?:\s+(?:a\.\s?s\.?|aanstaande))?[\s.!)]*$",
    re.IGNORECASE,
)
_TRAILING_TODAY = re.compile(r"(?<![\w-])((?:nog\s+)?vandaag(?:\s+nog)?)[\s.!)]*$", re.IGNORECASE)

DueKind = Literal["date", "asap", "next_meeting", "default"]


class ActionLine(Struct, frozen=True):
    """What an action line says. `due` is None when it names no date at all."""

    text: str  # the action as written, without the prefix
    owner: str  # Slack user ID
    owner_named: bool  # False: nobody was named, the author is the owner by default
    due: DueDate | None
    date_problem: str | None = None  # Dutch: a date was meant but cannot exist
    due_phrase: str | None = None  # the words the due date was read from ("voor vrijdag")
    # Further `actie:` lines in the same message, not part of this action (`read_action` reads
    # only the first; `read_actions` reads each).
    other_actions: int = 0

    def same_due_phrase(self, other: ActionLine) -> bool:
        """True when both name their deadline in the same words (or neither names one): an edit
        that leaves the deadline alone must not move it, though "vrijdag" is another day now."""
        mine, theirs = self.due_phrase or "", other.due_phrase or ""
        return " ".join(mine.casefold().split()) == " ".join(theirs.casefold().split())


class ResolvedDue(Struct, frozen=True):
    """A due date as stored: `kind` says where it came from, `on` is None when there is none."""

    kind: DueKind
    on: date | None


def action_body(text: str) -> str | None:
    """The text after an action prefix, or None when the line has no prefix (or nothing after)."""
    match = _PREFIX_RE.match(text)
    if match is None:
        return None
    body = text[match.end() :].strip()
    if body and match["owner"]:  # named before the colon: the owner, as if first in the text
        return f"{match['owner']} {body}"
    return body or None


def find_owner(text: str, author: str, *, not_owners: Collection[str] = ()) -> tuple[str, bool]:
    """(owner's Slack ID, whether the text named someone) for an action text."""
    mention = next((m for m in mentioned_ids(text) if m[1] not in not_owners), None)
    myself = _SELF_RE.search(without_mentions(text))
    if mention is None:
        return author, myself is not None
    if myself is not None and myself.start() < _position_without_mentions(text, mention.start()):
        return author, True
    return mention[1], True


def _position_without_mentions(text: str, index: int) -> int:
    """Where `index` of `text` lands once every mention is replaced by one space."""
    return len(without_mentions(text[:index]))


def read_action(
    text: str,
    *,
    author: str,
    now: datetime,
    tz: tzinfo = TZ,
    require_prefix: bool = True,
    not_owners: Collection[str] = (),
) -> ActionLine | None:
    """Read an action line; None when `require_prefix` and the text has no action prefix.

    Without `require_prefix` (the message shortcut, the pin reaction) a prefix is still removed
    when present, and the whole text is the action otherwise.
    """
    body = action_body(text)
    if body is not None:
        body, others = _first_action(body)
    elif require_prefix or not text.strip():
        return None
    else:  # a pinned or picked message without the prefix is one action, whatever it lists
        body, others = text.strip(), 0
    return _read_body(body, author, now, tz, not_owners, others)


def read_actions(
    text: str,
    *,
    author: str,
    now: datetime,
    tz: tzinfo = TZ,
    not_owners: Collection[str] = (),
) -> list[ActionLine]:
    """Every action of a message that starts with an action prefix, in order: each line that
    starts with the prefix begins the next one (with its own owner and deadline); lines without
    it belong to the action above. Empty when the message has no prefix."""
    body = action_body(text)
    if body is None:
        return []
    return [_read_body(part, author, now, tz, not_owners, 0) for part in _split_actions(body)]


def _read_body(
    body: str, author: str, now: datetime, tz: tzinfo, not_owners: Collection[str], others: int
) -> ActionLine:
    owner, named = find_owner(body, author, not_owners=not_owners)
    try:
        due, phrase = _find_due(without_mentions(body), now, tz)
    except DutchDateError as error:
        return ActionLine(body, owner, named, None, date_problem=str(error), other_actions=others)
    return ActionLine(body, owner, named, due, due_phrase=phrase, other_actions=others)


def _split_actions(body: str) -> list[str]:
    """The actions of a message body (its prefix removed) that lists several ("actie: …" on
    each line); a line with nothing after its prefix ends the action above and is none."""
    lines = body.split("\n")
    starts = [i for i, line in enumerate(lines) if i > 0 and _PREFIX_RE.match(line)]
    parts = []
    for begin, end in zip([0, *starts], [*starts, len(lines)], strict=True):
        first = lines[begin] if begin == 0 else action_body(lines[begin]) or ""
        part = "\n".join([first, *lines[begin + 1 : end]]).strip()
        if part:
            parts.append(part)
    return parts


def _first_action(body: str) -> tuple[str, int]:
    """The first action of a message that lists several ("actie: …" on each line), and how many
    more it lists: the next line's owner and deadline are not the first action's."""
    parts = _split_actions(body)
    return (parts[0], len(parts) - 1) if parts else (body, 0)


def _find_due(text: str, now: datetime, tz: tzinfo) -> tuple[DueDate | None, str | None]:
    due = find_due_date(text, now, tz=tz)
    if due is not None:
        return due, text[due.span[0] : due.span[1]]
    # find_due_date trusts a bare "1-12", "vrijdag" or "vandaag" only after "voor"/"uiterlijk"
    # ("3-4 handhavers" is a range, "zoals vandaag besproken" context); closing an action line it
    # is the deadline: "mailt de politie 1-12", "bel de wijkagent vrijdag (a.s.)", "... vandaag".
    last = _TRAILING_DAY_MONTH.search(text) or _TRAILING_WEEKDAY.search(text)
    if last is not None:
        return find_due_date("uiterlijk " + last[1], now, tz=tz), last[1]
    today = _TRAILING_TODAY.search(text)
    if today is not None:
        return find_due_date("uiterlijk vandaag", now, tz=tz), today[1]
    return None, None


NextMeeting = Callable[[str | None], date | None]
"""Date of the next meeting a hint names ("boa-briefing"), or of this thread's meeting for None."""


def resolve_due(
    due: DueDate | None, now: datetime, next_meeting: NextMeeting, *, tz: tzinfo = TZ
) -> ResolvedDue:
    """The date to store. "z.s.m." is the next working day (so it is overdue from the day after);
    "het volgende overleg" and "nothing said" are the next occurrence of the meeting (None when
    there is no known meeting)."""
    if due is None:
        return ResolvedDue("default", next_meeting(None))
    if due.kind == "date":
        return ResolvedDue("date", due.date)
    if due.kind == "asap":
        return ResolvedDue("asap", next_working_day(now.astimezone(tz).date()))
    on = next_meeting(due.meeting_hint)
    if on is None and due.meeting_hint is not None:
        on = next_meeting(None)  # an unknown meeting name: this thread's meeting is the best guess
    return ResolvedDue("next_meeting", on)


def is_overdue(due_on: date | None, today: date) -> bool:
    return due_on is not None and due_on < today


def digest_moments(
    start: datetime, end: datetime, tz: tzinfo, at: time, weekday: int
) -> list[tuple[date, datetime]]:
    """(day, moment) of each weekly overdue digest in [start, end]: `weekday` (Monday = 0) at `at`,
    or the next working day at `at` when that weekday is a weekend day or a public holiday (a day
    off is no day to be told what is late): the one rule of `working_day_from`, as the
    programme's DMs."""
    found: list[tuple[date, datetime]] = []
    # A holiday pushes the digest at most a few days on (Christmas on a Thursday: to Monday).
    day = start.astimezone(tz).date() - timedelta(days=7)
    while day <= end.astimezone(tz).date():
        if day.weekday() == weekday:
            on = working_day_from(day)
            moment = wall_time(on, at, tz)
            if start <= moment <= end:
                found.append((on, moment))
        day += timedelta(days=1)
    return found
