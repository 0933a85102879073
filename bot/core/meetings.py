"""Meeting series: the `config/meetings.yaml` model, occurrences and reminder instants.

Pure module: no Slack, no database, no wall clock; instants are parameters.

Rules:
* A series repeats by a dateutil rrule built from its cadence text (the words of the task
  overview, read by `bot.core.cadence`) plus `weekday`, `time` and `first_date`. `first_date` is
  the anchor that decides which weeks a "per 4 week" or "per 6 week" series meets in, and must
  itself be a meeting day. Monthly, quarterly and yearly series name the week of the month
  (1..4, -1 = the last).
  Series without a fixed rhythm ("4/5 keer per jaar") list their `dates` instead.
* Times are wall-clock times in Europe/Amsterdam: an 09:00 meeting is at 09:00 in March and in
  October, whatever the UTC offset.
* An occurrence is identified by its series and its ORIGINAL date: the date the rule gives, before
  a holiday shift or a manual move. Reminder keys are built from it, so a config reload (another
  time, channel or chair) never produces a second reminder for a meeting that already had one.
  A meeting moved by hand gets fresh keys (its reminders are re-armed for the new date), but
  reminders that fell due before the move are not sent: the move announcement replaced them.
* Dutch public holidays are the days off of municipal staff (`bot.language`). Per series a
  meeting on one is skipped, moved to the next working day (same time; skipped when the series
  meets that day anyway), or kept.
* Reminders fall N working days before the meeting at a given time (0 = on the day itself); the
  chair's DM falls on the working day before. A reminder at or after the start is dropped. A
  skipped meeting gets one notice, at the time of its earliest reminder.
* Minute takers rotate by the meetings held: a cancelled or skipped meeting uses up nobody's turn
  (whose turn it was takes the next meeting held, and everyone after moves one on), as a team
  passes on its notulist. An occurrence keeps its number in the series all the same.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any

from dateutil import rrule
from msgspec import Struct
from pydantic import BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from bot.core.cadence import Cadence, CadenceError, Recurrence, Unit, parse_cadence
from bot.core.config_files import (
    Choice,
    ConfigProblem,
    LoadedYaml,
    StrictModel,
    TeamConfig,
    records,
)
from bot.core.slack_refs import SLACK_CHANNEL_PATTERN
from bot.language import (
    TZ,
    DutchDateError,
    add_working_days,
    compact,
    dutch_holiday_name,
    format_date,
    format_time,
    next_working_day,
    parse_time,
    wall_time,
    weekday_number,
)
from bot.language.names import WEEKDAY_NAMES

MEETINGS_FILE = "meetings.yaml"
KEY_PREFIX = "meeting"
CHAIR_DM = "chair"
REMINDER_PREFIX = "remind-"

# How far a holiday can push a meeting (Christmas on a Thursday: to Monday the 29th).
_HOLIDAY_SHIFT = timedelta(days=10)
# A date typed in /overleg may be the moved date or the original one; look this far around it.
_LOOKUP_SPAN = timedelta(days=45)

_RRULE_WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)
_ORDINALS = {1: "eerste", 2: "tweede", 3: "derde", 4: "vierde", -1: "laatste"}


class ScheduleError(ValueError):
    """A series whose schedule cannot be built; `field` names the config key, str() is Dutch."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


# --- The config model ------------------------------------------------------------------------


def _custom(message: str) -> PydanticCustomError:
    # A custom error type keeps the Dutch text as is in `oov-bot check` (no "Value error," prefix).
    return PydanticCustomError("meeting_value", message)


def _weekday(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return value  # as stored in the database
    number = weekday_number(str(value))
    if number is not None:
        return number
    raise _custom(f"'{value}' is geen weekdag; schrijf {', '.join(WEEKDAY_NAMES)}")


def _clock_time(value: Any) -> time:
    if isinstance(value, time):
        return value
    # YAML 1.1 readers turn 09:00 into 540 (sexagesimal); every reader turns 9.30 into 9.3.
    if isinstance(value, int | float):
        raise _custom('zet de tijd tussen aanhalingstekens, bijvoorbeeld "09:00"')
    text = str(value).strip()
    try:
        return time.fromisoformat(text)  # "09:00", also "09:00:30" as stored
    except ValueError:
        pass
    try:
        return parse_time(text)
    except DutchDateError as exc:
        raise _custom(str(exc)) from None


def _week_of_month(value: Any) -> int:
    if isinstance(value, int) and value in _ORDINALS:
        return value
    raise _custom("week_of_month: kies 1, 2, 3, 4 of -1 (de laatste van de maand)")


def _as_tuple(value: Any) -> Any:
    """A single value where a list is expected ("weekday: dinsdag") is a list of one."""
    if value is None:
        return ()
    return value if isinstance(value, list | tuple) else (value,)


Weekday = Annotated[int, BeforeValidator(_weekday)]
LocalTime = Annotated[time, BeforeValidator(_clock_time)]
WeekOfMonth = Annotated[int, BeforeValidator(_week_of_month)]
Key = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Channel = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=SLACK_CHANNEL_PATTERN),
]
CallLink = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^(|https?://\S+)$")]


class HolidayPolicy(Choice):
    """What happens to a meeting that falls on a Dutch public holiday."""

    SKIP = "overslaan"
    NEXT_WORKING_DAY = "volgende werkdag"
    KEEP = "doorgaan"


class Reminder(StrictModel):
    """A channel reminder `days_before` working days before the meeting (0: on the day) at `at`."""

    days_before: int = Field(ge=0, le=10)
    at: LocalTime

    @property
    def kind(self) -> str:
        return f"{REMINDER_PREFIX}{self.days_before}"


DEFAULT_REMINDERS = (
    Reminder(days_before=1, at=time(16, 0)),
    Reminder(days_before=0, at=time(8, 30)),
)
DEFAULT_CHAIR_DM_AT = time(10, 0)  # a module constant: the field `time` shadows the type below


class MeetingSeries(StrictModel):
    """One entry of `config/meetings.yaml` (see the comment at the top of that file)."""

    key: Key
    name: Name
    task: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    cadence: Text = ""  # empty: the time text of `task`
    aliases: tuple[Name, ...] = ()
    weekday: Annotated[tuple[Weekday, ...], BeforeValidator(_as_tuple)] = ()
    week_of_month: Annotated[tuple[WeekOfMonth, ...], BeforeValidator(_as_tuple)] = ()
    time: LocalTime | None = None
    first_date: date | None = None
    dates: tuple[date | datetime, ...] = ()  # date first: "2026-02-11" is no midnight meeting
    duration_minutes: int = Field(default=60, ge=5, le=24 * 60)
    channel: Channel
    chair: Key | None = None
    chair_title: Name = "Voorzitter"  # "Trekker" when someone outside the team chairs
    minute_takers: Annotated[tuple[Key, ...], BeforeValidator(_as_tuple)] = ()
    place: Text = ""
    call_link: CallLink = ""
    externals: tuple[Name, ...] = ()
    remind: tuple[Reminder, ...] = DEFAULT_REMINDERS
    chair_dm_at: LocalTime | None = DEFAULT_CHAIR_DM_AT
    on_holiday: HolidayPolicy = HolidayPolicy.SKIP
    example: bool = False  # weekday/time/first_date are example values, not yet confirmed
    line: int = 0

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)


def series_spec(series: MeetingSeries) -> dict[str, Any]:
    """The series as plain JSON data (for the database); `series_from_spec` reads it back."""
    return series.model_dump(mode="json", exclude={"line"})


def series_yaml(series: MeetingSeries) -> dict[str, Any]:
    """The series as meetings.yaml writes it: weekday names, "HH:MM", no default values."""
    data = series.model_dump(mode="json", exclude={"line"}, exclude_defaults=True)
    if "weekday" in data:
        names = [WEEKDAY_NAMES[d] for d in data["weekday"]]
        data["weekday"] = names[0] if len(names) == 1 else names
    for holder, field in [(data, "time"), (data, "chair_dm_at")] + [
        (reminder, "at") for reminder in data.get("remind", [])
    ]:
        if isinstance(holder.get(field), str):
            holder[field] = _short_time(holder[field])
    return data


def _short_time(text: str) -> str:
    """Zero seconds dropped (09:00:00 becomes 09:00); other seconds stay."""
    return text[:5] if len(text) == 8 and text.endswith(":00") else text


def series_from_spec(spec: Mapping[str, Any]) -> MeetingSeries:
    """Raises pydantic.ValidationError when the stored data no longer fits this version."""
    return MeetingSeries.model_validate(dict(spec))


# --- Schedules --------------------------------------------------------------------------------


class _Starts:
    """A series' rule starts (naive local datetimes), expanded lazily and kept, so the position of
    a start in the list is the occurrence's number. Shared by threads (clock, web)."""

    def __init__(self, source: Iterator[datetime]) -> None:
        self._source = source
        self._starts: list[datetime] = []
        self._exhausted = False
        self._lock = threading.Lock()

    def _expand(self, before: datetime) -> None:
        while not self._exhausted and (not self._starts or self._starts[-1] < before):
            try:
                self._starts.append(next(self._source))
            except StopIteration:
                self._exhausted = True

    def nth(self, number: int) -> datetime | None:
        """The start with this number, None past the end of a series of fixed dates."""
        with self._lock:
            while not self._exhausted and len(self._starts) <= number:
                try:
                    self._starts.append(next(self._source))
                except StopIteration:
                    self._exhausted = True
            return self._starts[number] if number < len(self._starts) else None

    def between(self, after: datetime, before: datetime) -> list[tuple[int, datetime]]:
        """(number, start) of the starts in [after, before)."""
        with self._lock:
            self._expand(before)
            low = bisect_left(self._starts, after)
            high = bisect_left(self._starts, before)
            return [(n, self._starts[n]) for n in range(low, high)]


@lru_cache(maxsize=1024)
def _parsed_cadence(text: str) -> Cadence | str:
    """The cadence text understood, or why not: parsed once per distinct text rather than on
    every `/overleg` (parse_cadence is pure and Cadence frozen)."""
    try:
        return parse_cadence(text)
    except CadenceError as exc:
        return str(exc)


def _cadence_recurrence(series: MeetingSeries) -> Recurrence | None:
    """The one recurrence of the cadence text, or None when it has none (or several)."""
    cadence = _parsed_cadence(series.cadence)
    if isinstance(cadence, str):
        raise ScheduleError("cadence", cadence)
    return cadence.recurrences[0] if len(cadence.recurrences) == 1 else None


def _explicit_starts(series: MeetingSeries) -> list[datetime]:
    for field in ("weekday", "week_of_month", "first_date"):
        if getattr(series, field):
            raise ScheduleError(field, f"{field}: niet nodig bij een overleg met vaste `dates`")
    starts: list[datetime] = []
    for entry in series.dates:
        if isinstance(entry, datetime):
            if entry.tzinfo is not None:
                raise ScheduleError(
                    "dates", "dates: schrijf tijden zonder tijdzone (Nederlandse tijd)"
                )
            starts.append(entry)
        elif series.time is None:
            raise ScheduleError(
                "time", f"time ontbreekt: {entry.isoformat()} heeft geen tijd en er is geen `time`"
            )
        else:
            starts.append(datetime.combine(entry, series.time))
    duplicates = sorted({s for s in starts if starts.count(s) > 1})
    if duplicates:
        raise ScheduleError("dates", f"dates: {duplicates[0]:%Y-%m-%d %H:%M} staat er twee keer in")
    return sorted(starts)


def _rule(series: MeetingSeries) -> rrule.rrule:
    recurrence = _cadence_recurrence(series)
    if recurrence is None:
        raise ScheduleError(
            "cadence",
            f'cadence "{series.cadence}" is geen vast ritme met één periode; '
            "geef de data op onder `dates`",
        )
    times = recurrence.times
    if times is not None and times[0] != times[1]:
        raise ScheduleError(
            "cadence",
            f'cadence "{series.cadence}" noemt geen vast aantal keren; '
            "geef de data op onder `dates`",
        )
    for field in ("weekday", "time", "first_date"):
        if getattr(series, field) in (None, ()):
            raise ScheduleError(
                field, f"{field} ontbreekt (nodig voor een vast ritme; of geef `dates` op)"
            )
    assert series.time is not None and series.first_date is not None
    frequency, interval = recurrence.rrule_frequency()
    weekdays = [_RRULE_WEEKDAYS[d] for d in series.weekday]
    options: dict[str, Any] = {}
    if frequency in (rrule.MONTHLY, rrule.YEARLY):
        if not series.week_of_month:
            raise ScheduleError(
                "week_of_month",
                "week_of_month ontbreekt: welke week van de maand (1, 2, 3, 4 of -1 = laatste)?",
            )
        byweekday = [day(n) for n in series.week_of_month for day in weekdays]
        if frequency == rrule.YEARLY:
            options["bymonth"] = series.first_date.month
    elif series.week_of_month:
        raise ScheduleError(
            "week_of_month", "week_of_month hoort alleen bij een maandelijks of jaarlijks ritme"
        )
    else:
        byweekday = weekdays
    if times is not None and frequency != rrule.DAILY and len(byweekday) != times[0]:
        raise ScheduleError(
            "weekday",
            f'cadence "{series.cadence}" noemt {times[0]} keer per periode, maar weekday'
            f"{' en week_of_month geven' if series.week_of_month else ' geeft'} "
            f"{len(byweekday)} dag(en)",
        )
    start = datetime.combine(series.first_date, series.time)
    rule = rrule.rrule(
        frequency, interval=interval, dtstart=start, byweekday=byweekday, wkst=rrule.MO, **options
    )
    first = rule.after(start, inc=True)
    if first is None or first.date() != series.first_date:
        proposal = f"; de eerste keer daarna is {format_date(first.date())}" if first else ""
        raise ScheduleError(
            "first_date",
            f"first_date {format_date(series.first_date)} is geen dag van dit ritme "
            f"({describe_rhythm(series)}){proposal}",
        )
    return rule


@lru_cache(maxsize=1024)
def _starts(series: MeetingSeries) -> _Starts:
    if series.dates:
        return _Starts(iter(_explicit_starts(series)))
    return _Starts(iter(_rule(series)))


def check_schedule(series: MeetingSeries) -> None:
    """Raise ScheduleError when the series' schedule cannot be built."""
    _starts(series)


# --- Occurrences ------------------------------------------------------------------------------


class Status(StrEnum):
    PLANNED = "planned"
    CANCELLED = "cancelled"  # by hand (/overleg annuleer)
    SKIPPED = "skipped"  # on a holiday, by the series' policy


class ChangeAction(StrEnum):
    CANCEL = "cancel"
    MOVE = "move"


class OccurrenceChange(Struct, frozen=True):
    """A change made by hand to one occurrence, identified by its original date."""

    original_date: date
    action: ChangeAction
    new_start: datetime | None = None  # aware; for MOVE
    changed_by: str | None = None
    changed_at: datetime | None = None


class Occurrence(Struct, frozen=True):
    series_key: str
    number: int  # position in the series as the rule gives it, from 0
    original_date: date  # identity (see the module docstring)
    original_start: datetime  # as the rule or the dates give it, aware
    start: datetime  # after the holiday policy and a move by hand, aware
    end: datetime
    status: Status
    holiday: str | None = None  # the holiday on the original date, if any
    change: OccurrenceChange | None = None
    # How many meetings of the series were held before this one: drives the minute takers'
    # rotation, so a cancelled or skipped meeting uses up nobody's turn.
    turn: int = 0

    @property
    def held(self) -> bool:
        return self.status is Status.PLANNED

    @property
    def moved_by_hand(self) -> bool:
        return self.change is not None and self.change.action is ChangeAction.MOVE

    @property
    def moved_for_holiday(self) -> bool:
        return (
            self.holiday is not None
            and not self.moved_by_hand
            and self.start.date() != self.original_date
        )


def _naive(instant: datetime, tz: tzinfo) -> datetime:
    """The local wall-clock reading of `instant` (what the rrule of a series counts in)."""
    return instant.astimezone(tz).replace(tzinfo=None)


def _by_holiday_policy(
    series: MeetingSeries, local_start: datetime, tz: tzinfo
) -> tuple[datetime, Status]:
    """Start and status by the rule and the series' holiday policy, before any change by hand."""
    start, status = wall_time(local_start.date(), local_start.time(), tz), Status.PLANNED
    holiday = dutch_holiday_name(local_start.date())
    if holiday is not None and series.on_holiday is HolidayPolicy.SKIP:
        status = Status.SKIPPED
    elif holiday is not None and series.on_holiday is HolidayPolicy.NEXT_WORKING_DAY:
        day = next_working_day(local_start.date())
        if _on_date(series, day) is not None:
            # The series meets that day anyway ("2 keer per week", Monday and Tuesday): once is
            # enough, and two of a series on one day would double every reminder.
            status = Status.SKIPPED
        else:
            start = wall_time(day, local_start.time(), tz)
    return start, status


class _Skips:
    """How many of a series' first N meetings a holiday skips, counted once and kept (shared by
    threads, like `_Starts`)."""

    def __init__(self, series: MeetingSeries, tz: tzinfo) -> None:
        self._series = series
        self._tz = tz
        self._counts = [0]  # _counts[n]: skipped among the meetings numbered below n
        self._lock = threading.Lock()

    def before(self, number: int) -> int:
        with self._lock:
            starts = _starts(self._series)
            while len(self._counts) <= number:
                local_start = starts.nth(len(self._counts) - 1)
                skipped = local_start is not None and (
                    _by_holiday_policy(self._series, local_start, self._tz)[1] is Status.SKIPPED
                )
                self._counts.append(self._counts[-1] + skipped)
            return self._counts[number]

    def skipped(self, number: int) -> bool:
        return self.before(number + 1) > self.before(number)


@lru_cache(maxsize=1024)
def _skips(series: MeetingSeries, tz: tzinfo) -> _Skips:
    return _Skips(series, tz)


def _turn(
    series: MeetingSeries, number: int, changes: Mapping[date, OccurrenceChange], tz: tzinfo
) -> int:
    """How many meetings of the series were held before the one numbered `number`: the rule's
    meetings before it, less those skipped on a holiday or cancelled by hand."""
    skips = _skips(series, tz)
    cancelled = 0
    for change in changes.values():
        if change.action is not ChangeAction.CANCEL:
            continue
        hit = _on_date(series, change.original_date)
        if hit is not None and hit[0] < number and not skips.skipped(hit[0]):
            cancelled += 1
    return number - skips.before(number) - cancelled


def _occurrence(
    series: MeetingSeries,
    number: int,
    local_start: datetime,
    change: OccurrenceChange | None,
    tz: tzinfo,
    changes: Mapping[date, OccurrenceChange],
) -> Occurrence:
    original_start = wall_time(local_start.date(), local_start.time(), tz)
    start, status = _by_holiday_policy(series, local_start, tz)
    holiday = dutch_holiday_name(local_start.date())
    if change is not None and change.action is ChangeAction.CANCEL:
        status = Status.CANCELLED
    elif change is not None and change.new_start is not None:
        start, status = change.new_start.astimezone(tz), Status.PLANNED
    return Occurrence(
        series_key=series.key,
        number=number,
        original_date=local_start.date(),
        original_start=original_start,
        start=start,
        # In real time: on the night the clocks change, aware arithmetic in a zone is wall-clock
        # arithmetic (01:00 + 3 hours would read 04:00 where it is 03:00 on 25 October).
        end=(start.astimezone(UTC) + series.duration).astimezone(tz),
        status=status,
        holiday=holiday,
        change=change,
        turn=_turn(series, number, changes, tz),
    )


def occurrences(
    series: MeetingSeries,
    start: datetime,
    end: datetime,
    changes: Iterable[OccurrenceChange] = (),
    *,
    tz: tzinfo = TZ,
) -> list[Occurrence]:
    """The occurrences whose start (after holiday shifts and moves) lies in [start, end), by start.
    Cancelled and skipped ones are included: `status` says so."""
    by_date = {c.original_date: c for c in changes}
    found: dict[date, Occurrence] = {}
    after, before = _naive(start, tz) - _HOLIDAY_SHIFT, _naive(end, tz)
    for number, local_start in _starts(series).between(after, before):
        change = by_date.get(local_start.date())
        occurrence = _occurrence(series, number, local_start, change, tz, by_date)
        found[occurrence.original_date] = occurrence
    for change in by_date.values():  # moved into the window from a date outside it
        if change.new_start is None or change.original_date in found:
            continue
        if start <= change.new_start < end and (hit := _on_date(series, change.original_date)):
            found[change.original_date] = _occurrence(series, *hit, change, tz, by_date)
    return sorted((o for o in found.values() if start <= o.start < end), key=lambda o: o.start)


def _on_date(series: MeetingSeries, day: date) -> tuple[int, datetime] | None:
    midnight = datetime.combine(day, time(0, 0))
    hits = _starts(series).between(midnight, midnight + timedelta(days=1))
    return hits[0] if hits else None


def occurrence_on(
    series: MeetingSeries,
    original_date: date,
    changes: Iterable[OccurrenceChange] = (),
    *,
    tz: tzinfo = TZ,
) -> Occurrence | None:
    """The occurrence with this original date (its identity), or None if the series has none."""
    hit = _on_date(series, original_date)
    if hit is None:
        return None
    by_date = {c.original_date: c for c in changes}
    return _occurrence(series, *hit, by_date.get(original_date), tz, by_date)


def occurrence_for_day(
    series: MeetingSeries,
    day: date,
    changes: Iterable[OccurrenceChange] = (),
    *,
    tz: tzinfo = TZ,
) -> Occurrence | None:
    """The occurrence a person means by a date: the one that takes place that day (after a move),
    else the one originally planned that day."""
    changes = tuple(changes)
    noon = wall_time(day, time(12, 0), tz)
    nearby = occurrences(series, noon - _LOOKUP_SPAN, noon + _LOOKUP_SPAN, changes, tz=tz)
    on_day = [o for o in nearby if o.start.astimezone(tz).date() == day]
    held = [o for o in on_day if o.held]
    if held or on_day:
        return (held or on_day)[0]
    return occurrence_on(series, day, changes, tz=tz)


def next_occurrence(
    series: MeetingSeries,
    after: datetime,
    changes: Iterable[OccurrenceChange] = (),
    *,
    tz: tzinfo = TZ,
    within: timedelta = timedelta(days=800),
) -> Occurrence | None:
    """The first occurrence that takes place (not cancelled or skipped) after `after`."""
    changes = tuple(changes)
    window = timedelta(days=70)
    start = after
    while start < after + within:
        held = [
            o
            for o in occurrences(series, start, start + window, changes, tz=tz)
            if o.held and o.start > after
        ]
        if held:
            return held[0]
        start += window
    return None


def upcoming(
    series: MeetingSeries,
    after: datetime,
    count: int,
    changes: Iterable[OccurrenceChange] = (),
    *,
    tz: tzinfo = TZ,
    within: timedelta = timedelta(days=800),
) -> list[Occurrence]:
    """The next `count` occurrences starting after `after`, cancelled and skipped ones included."""
    changes = tuple(changes)
    found: list[Occurrence] = []
    window = timedelta(days=120)
    start = after
    while len(found) < count and start < after + within:
        found += [
            o for o in occurrences(series, start, start + window, changes, tz=tz) if o.start > after
        ]
        start += window
    return found[:count]


def minute_taker(series: MeetingSeries, occurrence: Occurrence) -> str | None:
    """Person key of whoever takes the minutes of this occurrence: the next in the rotation
    after whoever took the last meeting held."""
    if not series.minute_takers:
        return None
    return series.minute_takers[occurrence.turn % len(series.minute_takers)]


# --- Reminders --------------------------------------------------------------------------------


class DueReminder(Struct, frozen=True):
    kind: str  # "remind-<working days before>" (channel) or "chair" (DM to the chair)
    due_at: datetime

    @property
    def to_chair(self) -> bool:
        return self.kind == CHAIR_DM


def reminder_times(
    series: MeetingSeries, occurrence: Occurrence, *, tz: tzinfo = TZ
) -> list[DueReminder]:
    """When to remind about an occurrence, earliest first. A skipped meeting gets one notice (at
    its earliest reminder); a cancelled one nothing (the cancellation was announced)."""
    if occurrence.status is Status.CANCELLED:
        return []
    day = occurrence.start.astimezone(tz).date()
    due: list[DueReminder] = []
    for reminder in series.remind:
        on = add_working_days(day, -reminder.days_before) if reminder.days_before else day
        due.append(DueReminder(reminder.kind, wall_time(on, reminder.at, tz)))
    if series.chair and series.chair_dm_at is not None:
        on = add_working_days(day, -1)
        due.append(DueReminder(CHAIR_DM, wall_time(on, series.chair_dm_at, tz)))
    due = sorted((d for d in due if d.due_at < occurrence.start), key=lambda d: d.due_at)
    if occurrence.status is Status.SKIPPED:
        return [d for d in due if not d.to_chair][:1]
    return due


# --- Delivery keys ----------------------------------------------------------------------------

_KEY_RE = re.compile(
    rf"^{KEY_PREFIX}:(?P<series>[a-z0-9][a-z0-9-]*):(?P<date>\d{{4}}-\d{{2}}-\d{{2}}):"
    r"(?P<kind>[a-z0-9-]+)(?:@(?P<moved>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}))?$"
)


class ReminderRef(Struct, frozen=True):
    """What a delivery key of this feature refers to."""

    series_key: str
    occurrence_date: date  # the occurrence's original date: `MeetingStore.occurrence` finds it
    kind: str  # "remind-1", "remind-0", "chair"


def delivery_key(occurrence: Occurrence, kind: str, *, tz: tzinfo = TZ) -> str:
    """Unique forever: "meeting:<series>:<original date>:<kind>", plus "@<new start>" when the
    occurrence was moved by hand (a move re-arms its reminders under new keys)."""
    key = f"{KEY_PREFIX}:{occurrence.series_key}:{occurrence.original_date.isoformat()}:{kind}"
    if occurrence.moved_by_hand:
        key += "@" + occurrence.start.astimezone(tz).strftime("%Y-%m-%dT%H:%M")
    return key


def parse_delivery_key(key: str) -> ReminderRef | None:
    """The series, occurrence and kind of a meeting delivery key; None for other keys."""
    match = _KEY_RE.match(key)
    if match is None:
        return None
    return ReminderRef(match["series"], date.fromisoformat(match["date"]), match["kind"])


# --- Words ------------------------------------------------------------------------------------


def _join(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} en {words[-1]}"


def describe_rhythm(series: MeetingSeries) -> str:
    """The rhythm as understood, without times: "elke 4 weken op woensdag"."""
    if series.dates:
        return f"op vaste data ({len(series.dates)} opgegeven)"
    try:
        recurrence = _cadence_recurrence(series)
    except ScheduleError:
        recurrence = None
    every = Recurrence(recurrence.interval, recurrence.unit).describe() if recurrence else ""
    days = [WEEKDAY_NAMES[d] for d in series.weekday]
    if series.week_of_month:
        ordinals = _join([_ORDINALS[n] for n in series.week_of_month])
        return f"{every} op de {ordinals} {_join(days)}".strip()
    return f"{every} op {_join(days)}".strip() if days else every


def describe_schedule(series: MeetingSeries) -> str:
    """The whole schedule in Dutch, as `/overleg <naam>` shows it."""
    text = describe_rhythm(series)
    if series.time is not None and not series.dates:
        text += f" om {format_time(series.time)}"
    text += f", {format_minutes(series.duration_minutes)}"
    recurrence = None if series.dates else _cadence_recurrence(series)
    if (
        series.first_date
        and recurrence
        and (recurrence.interval, recurrence.unit) != (1, Unit.WEEK)
    ):
        # Which weeks or months the series meets in depends on where it is counted from.
        text += f" (gerekend vanaf {format_date(series.first_date)})"
    return text


def describe_holiday_policy(policy: HolidayPolicy) -> str:
    return {
        HolidayPolicy.SKIP: "gaat niet door",
        HolidayPolicy.NEXT_WORKING_DAY: "schuift naar de volgende werkdag",
        HolidayPolicy.KEEP: "gaat gewoon door",
    }[policy]


def describe_reminders(series: MeetingSeries) -> str:
    parts = []
    for reminder in sorted(series.remind, key=lambda r: -r.days_before):
        when = {0: "op de dag zelf", 1: "de werkdag ervoor"}.get(
            reminder.days_before, f"{reminder.days_before} werkdagen ervoor"
        )
        parts.append(f"{when} om {format_time(reminder.at)}")
    text = f"in het kanaal {_join(parts)}" if parts else "geen herinneringen in het kanaal"
    if series.chair and series.chair_dm_at is not None:
        text += (
            f"; de voorzitter krijgt de werkdag ervoor om {format_time(series.chair_dm_at)} een DM"
        )
    return text


def format_minutes(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} minuten"
    return f"{hours} uur" + (f" en {rest} minuten" if rest else "")


def occurrence_note(occurrence: Occurrence, *, tz: tzinfo = TZ) -> str | None:
    """Why an occurrence is not as the rule says, in Dutch; None when it is."""
    if occurrence.status is Status.CANCELLED:
        return "gaat niet door (afgelast)"
    if occurrence.status is Status.SKIPPED:
        return f"gaat niet door vanwege {occurrence.holiday}"
    if occurrence.moved_by_hand:
        # With the time: a meeting moved within its day was otherwise "was" its own new date.
        original = occurrence.original_start
        if original.astimezone(tz).date() == occurrence.start.astimezone(tz).date():
            return f"verplaatst, was om {format_time(original, tz=tz)}"
        return f"verplaatst, was {format_date(original, tz=tz)}, {format_time(original, tz=tz)}"
    if occurrence.moved_for_holiday:
        return (
            f"verplaatst vanwege {occurrence.holiday} "
            f"(valt op {format_date(occurrence.original_date)})"
        )
    if occurrence.holiday is not None:
        return f"let op: {occurrence.holiday}"
    return None


# --- Finding a series by what people type -----------------------------------------------------


def _names(series: MeetingSeries) -> list[str]:
    return [series.key, series.name, *series.aliases]


_GENERIC_WORDS = frozenset({"overleg", "vergadering", "bijeenkomst", "meeting", "team"})


def match_series(
    candidates: Sequence[MeetingSeries], text: str, *, fuzzy: bool = True
) -> list[MeetingSeries]:
    """The series `text` names: by key, name or alias, ignoring case, accents, spaces and dashes;
    then by prefix; then (`fuzzy`) tolerating typos. Several results: the text is ambiguous."""
    wanted = compact(text)
    if not wanted:
        return []
    exact = [s for s in candidates if any(compact(n) == wanted for n in _names(s))]
    if exact:
        return exact
    if wanted in _GENERIC_WORDS:
        # "overleg" alone names no series; every series it occurs in is a candidate.
        return [s for s in candidates if any(wanted in compact(n) for n in _names(s))]
    if len(wanted) >= 3:
        prefix = [s for s in candidates if any(compact(n).startswith(wanted) for n in _names(s))]
        if prefix:
            return prefix
    if not fuzzy:
        return []
    from rapidfuzz import fuzz, process  # on the first typo: 3.6 MiB a process may not need

    choices = {
        (i, j): compact(n) for i, s in enumerate(candidates) for j, n in enumerate(_names(s))
    }
    scored = process.extract(wanted, choices, scorer=fuzz.ratio, score_cutoff=80, limit=None)
    best = max((score for _, score, _ in scored), default=None)
    indexes = sorted({key[0] for _, score, key in scored if score == best})
    return [candidates[i] for i in indexes]


# --- Validation of config/meetings.yaml -------------------------------------------------------


class _MeetingsFile(StrictModel):
    meetings: list[dict[str, Any]]


def validate_meetings_file(
    doc: LoadedYaml, team: TeamConfig, problems: list[ConfigProblem]
) -> tuple[MeetingSeries, ...]:
    """`oov-bot check` for meetings.yaml: every problem with its line; returns the valid series
    (cadence filled in from the task where the file leaves it out)."""

    tasks = {t.subject: t for t in team.tasks}
    valid: list[MeetingSeries] = []
    seen_keys: dict[str, int] = {}
    seen_names: dict[str, str] = {}
    for index, series in records(doc, "meetings", MeetingSeries, _MeetingsFile, problems):
        where: list[str | int] = ["meetings", index]
        before = len(problems)

        def problem(field: str, message: str, where: list[str | int] = where) -> None:
            problems.append(doc.problem([*where, field], message))

        if series.key in seen_keys:
            problem("key", f"dubbele sleutel '{series.key}' (ook op regel {seen_keys[series.key]})")
        seen_keys.setdefault(series.key, doc.line([*where, "key"]) or series.line)
        for name in _names(series):
            other = seen_names.setdefault(compact(name), series.key)
            if other != series.key:
                problem("aliases", f"de naam '{name}' hoort ook bij overleg '{other}'")
        task = tasks.get(series.task) if series.task else None
        if series.task and task is None and series.task not in team.named_tasks:
            from rapidfuzz import fuzz, process  # config checks only: not at the web's start

            guess = process.extractOne(series.task, list(tasks), scorer=fuzz.WRatio)
            hint = f"; bedoelt u '{guess[0]}'?" if guess and guess[1] >= 80 else ""
            problem("task", f"task: onbekende taak '{series.task}' (zie tasks.yaml){hint}")
        if not series.cadence:
            if task is None:
                if series.task not in team.named_tasks:  # else its task's own problem says it
                    problem(
                        "cadence", "cadence ontbreekt (en er is geen task om die van over te nemen)"
                    )
                continue
            series = series.model_copy(update={"cadence": task.time})
        for role, keys in (("chair", [series.chair]), ("minute_takers", series.minute_takers)):
            for key in keys:
                if key is not None and (unknown := team.unknown_person(key)):
                    problem(role, f"{role}: {unknown}")
        kinds = [r.days_before for r in series.remind]
        if len(set(kinds)) != len(kinds):
            problem("remind", "remind: twee herinneringen op dezelfde dag; kies één tijd per dag")
        try:
            check_schedule(series)
        except ScheduleError as exc:
            problem(exc.field, str(exc))
        if len(problems) == before:
            valid.append(series)
    return tuple(valid)
