"""Crisis on-call rota ("piket"): config parsing, duty weeks, fair shift planning and queries.

Pure: no Slack, no database, no wall clock. Every instant is an aware datetime and every duty week
is computed in local wall time (zoneinfo), so a shift runs from handover to handover: 168 hours, or
167/169 hours across a DST change.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from msgspec import Struct
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from bot.core.config_files import (
    BlankIsAbsentModel,
    ConfigProblem,
    LoadedYaml,
    Loc,
    PersonConfig,
    TeamConfig,
    format_loc,
    plain_data,
    validated,
)
from bot.core.slack_refs import SLACK_CHANNEL_HINT, SLACK_CHANNEL_PATTERN
from bot.language import (
    DEFAULT_TZ,
    DayRange,
    DutchDateError,
    format_date,
    parse_period,
    parse_time,
    shift_wall,
    wall_time,
)
from bot.language.errors import InvalidDate
from bot.language.names import WEEKDAY_NAMES, weekday_number

_LONG_AGO = datetime.min.replace(tzinfo=UTC)
# When piket.yaml says nothing: DM a functionary a week and a day before their shift.
DEFAULT_REMINDERS = (timedelta(weeks=1), timedelta(days=1))
DEFAULT_WARN_UNSTAFFED = timedelta(weeks=8)

# --- errors ---------------------------------------------------------------------------------


class RotaError(ValueError):
    """A rota request that cannot be honoured; `message` is Dutch and safe to show to a user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidDay(RotaError):
    """A day or week that reads as one but cannot be ("31-2", "week 54") or lies outside what
    anyone plans: not a person's name either, so the kernel's reason is the answer."""


class RotaConfigError(RotaError):
    """piket.yaml is invalid. `problems` lists every problem found (each with its `loc` in the
    document); `message` is the first."""

    def __init__(self, problems: Sequence[ConfigProblem]) -> None:
        super().__init__("\n".join(p.message for p in problems))
        self.problems = tuple(problems)
        self.message = self.problems[0].message


# --- rules ----------------------------------------------------------------------------------


class Qualification(Struct, frozen=True):
    person_key: str
    qualified_until: date | None = None  # last day the person may be on duty; None = no end

    def covers(self, day: date) -> bool:
        return self.qualified_until is None or day <= self.qualified_until


class RoleRota(Struct, frozen=True):
    name: str
    people: tuple[Qualification, ...]  # in rotation order

    def qualified(self, last_day: date) -> list[str]:
        """Keys of the people qualified through `last_day`, in rotation order."""
        return [q.person_key for q in self.people if q.covers(last_day)]


class RotaRules(Struct, frozen=True):
    cycle_weeks: int  # on duty one week in `cycle_weeks`
    first_handover: date  # the day the first duty week starts (handover weekday of that week)
    handover_weekday: int  # 0 = Monday
    handover_time: time
    tz: ZoneInfo
    roles: tuple[RoleRota, ...]

    def role(self, name: str) -> RoleRota | None:
        wanted = name.strip().casefold()
        return next((r for r in self.roles if r.name.casefold() == wanted), None)


class PiketConfig(Struct, frozen=True):
    """Everything in piket.yaml: the rota rules plus who gets told what, when."""

    rules: RotaRules
    team_channel: str | None = None
    team_lead: str | None = None  # person key; warned about weeks without a qualified person
    # DM each functionary this long before a shift; longest first.
    reminders: tuple[timedelta, ...] = DEFAULT_REMINDERS
    feed_past_months: int = 3
    feed_future_months: int = 12
    # Slack user group (ID "S…" or handle "piket-bz") kept pointing at whoever is on duty.
    usergroup: str | None = None
    # The team lead hears about weeks without a qualified person this long ahead.
    warn_unstaffed: timedelta = DEFAULT_WARN_UNSTAFFED

    def feed_window(self, now: datetime) -> tuple[datetime, datetime]:
        """The period an iCal feed covers around `now`, in calendar months."""
        return (
            now - relativedelta(months=self.feed_past_months),
            now + relativedelta(months=self.feed_future_months),
        )


# --- piket.yaml: the model -------------------------------------------------------------------

PIKET_FILE = "piket.yaml"

_ISO_WEEK = re.compile(r"(\d{4})-?W(\d{1,2})", re.IGNORECASE)
_DURATION = re.compile(r"(\d+)\s*([a-z]+)")
_DURATION_UNITS: dict[str, timedelta] = {
    **dict.fromkeys(("minuut", "minuten", "min"), timedelta(minutes=1)),
    **dict.fromkeys(("uur", "uren", "u"), timedelta(hours=1)),
    **dict.fromkeys(("dag", "dagen", "d"), timedelta(days=1)),
    **dict.fromkeys(("week", "weken", "w"), timedelta(weeks=1)),
}
_USERGROUP = re.compile(r"S[A-Z0-9]{2,}|@?[a-z0-9][a-z0-9._-]*")
_DATE_HINT = "schrijf JJJJ-MM-DD, bijv. 2027-06-30"


def parse_duration(text: str) -> timedelta:
    """Dutch duration such as "7 dagen", "1 dag", "36 uur", "2 weken", "30 minuten"."""
    match = _DURATION.fullmatch(text.strip().lower())
    unit = _DURATION_UNITS.get(match.group(2)) if match else None
    if match is None or unit is None or int(match.group(1)) == 0:
        raise RotaError(
            f'\'{text}\' is geen geldige duur; schrijf bijvoorbeeld "7 dagen", "1 dag" of "12 uur"'
        )
    return int(match.group(1)) * unit


def _invalid(message: str) -> PydanticCustomError:
    # A custom error type keeps the Dutch text as is in `oov-bot check` (no "Value error," prefix).
    return PydanticCustomError("piket_value", message)


def _whole(minimum: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise _invalid(f"moet een geheel getal van {minimum} of meer zijn")
        return value

    return check


def _day(value: Any, hint: str = _DATE_HINT) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _invalid(f"'{value}' is geen datum; {hint}")


def _week_monday(value: Any) -> date:
    """ISO week ("2026-W02") or any date inside that week -> the Monday of that week. Read apart
    from the handover weekday, so a typo in that weekday is one problem, not two."""
    hint = "schrijf een ISO-week zoals 2026-W02 of een datum in die week"
    if isinstance(value, str) and "w" in value.lower():
        match = _ISO_WEEK.fullmatch(value.strip())
        if match is None:
            raise _invalid(f"'{value}' is geen week; {hint}")
        year, week = int(match.group(1)), int(match.group(2))
        try:
            return date.fromisocalendar(year, week, 1)
        except ValueError:
            raise _invalid(f"week {week} bestaat niet in {year}") from None
    day = _day(value, hint)
    return day - timedelta(days=day.weekday())


def _weekday(value: Any) -> int:
    number = weekday_number(value) if isinstance(value, str) else None
    if number is None:
        raise _invalid(f"'{value}' is geen weekdag; kies uit {', '.join(WEEKDAY_NAMES)}")
    return number


def _clock_time(value: Any) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str):  # "08:00", "8.30", "8u": as meetings.yaml and /overleg read times
        try:
            return parse_time(value)
        except DutchDateError:
            pass
    if isinstance(value, float):
        # 8.30 is a number to YAML, 8.3: naming '8.3' would show a value nobody wrote.
        raise _invalid('zet de tijd tussen aanhalingstekens, bijvoorbeeld "08:30"')
    hint = ' (zet de tijd tussen aanhalingstekens: "08:00")' if isinstance(value, int) else ""
    raise _invalid(f"'{value}' is geen tijd; schrijf UU:MM, bijvoorbeeld \"08:00\"{hint}")


def _duration(value: Any) -> timedelta:
    try:
        return parse_duration(str(value))
    except RotaError as exc:
        raise _invalid(exc.message) from None


def _durations(value: Any) -> Any:
    if isinstance(value, str):  # one duration where a list is expected: a list of one
        return [value]
    if not isinstance(value, list):
        raise _invalid('moet een lijst met tijdsduren zijn, bijvoorbeeld ["7 dagen", "1 dag"]')
    return value


def _channel(value: Any) -> str:
    if isinstance(value, str) and re.fullmatch(SLACK_CHANNEL_PATTERN, value.strip()):
        return value.strip()
    raise _invalid(f'{SLACK_CHANNEL_HINT}, bijvoorbeeld "#oov-piket"')


def _usergroup(value: Any) -> str:
    if isinstance(value, str) and _USERGROUP.fullmatch(value.strip()):
        return value.strip().lstrip("@")
    raise _invalid(
        f"'{value}' is geen Slack-gebruikersgroep; schrijf de ID (S0123ABCD) of de naam zonder "
        "spaties (piket-bz)"
    )


def _person_key(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _invalid("moet een persoonssleutel uit people.yaml zijn")
    return value.strip()


def _role_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _invalid("moet een niet-lege naam zijn, bijvoorbeeld OVD-BZ")
    return value.strip()


def _role_list(value: Any) -> Any:
    if not isinstance(value, list) or not value:
        raise _invalid("moet een lijst met minstens één rol zijn")
    return value


def _role_people(value: Any) -> Any:
    if not isinstance(value, list):
        raise _invalid("moet een lijst met personen zijn")
    return [{"key": item} if isinstance(item, str) else item for item in value]  # "- aov-1"


Weeks = Annotated[int, BeforeValidator(_whole(1))]
Months = Annotated[int, BeforeValidator(_whole(0))]
Day = Annotated[date, BeforeValidator(_day)]
Duration = Annotated[timedelta, BeforeValidator(_duration)]
PersonKey = Annotated[str, BeforeValidator(_person_key)]
Weekday = Annotated[int, BeforeValidator(_weekday)]
ClockTime = Annotated[time, BeforeValidator(_clock_time)]  # as an alias: the field `time` shadows


class _Handover(BlankIsAbsentModel):
    weekday: Weekday
    time: ClockTime


class _Feed(BlankIsAbsentModel):
    past_months: Months = 3
    future_months: Months = 12


class _RolePerson(BlankIsAbsentModel):
    key: PersonKey
    qualified_until: Day | None = None


class _Role(BlankIsAbsentModel):
    name: Annotated[str, BeforeValidator(_role_name)]
    people: Annotated[tuple[_RolePerson, ...], BeforeValidator(_role_people)] = ()


class _PiketFile(BlankIsAbsentModel):
    """piket.yaml; each of `roles` is a `_Role`, checked on its own (see `_check_piket`)."""

    cycle_weeks: Weeks
    first_duty_week: Annotated[date, BeforeValidator(_week_monday)]  # the Monday of that week
    handover: _Handover
    team_channel: Annotated[str, BeforeValidator(_channel)] | None = None
    team_lead: PersonKey | None = None
    # Absent: the default; an empty list: no reminders at all.
    reminders: Annotated[tuple[Duration, ...], BeforeValidator(_durations)] | None = None
    feed: _Feed = _Feed()
    usergroup: Annotated[str, BeforeValidator(_usergroup)] | None = None
    warn_unstaffed: Duration = DEFAULT_WARN_UNSTAFFED
    roles: Annotated[list[Any], BeforeValidator(_role_list)]


# --- piket.yaml: validation -----------------------------------------------------------------


def _check_roles(
    doc: LoadedYaml, raw: object, team: TeamConfig | None, problems: list[ConfigProblem]
) -> tuple[RoleRota, ...]:
    """Each role on its own, so one role's typo does not hide the problems of another; then the
    checks across people.yaml and across roles."""

    def problem(loc: Loc, message: str) -> None:
        problems.append(doc.problem(loc, f"{format_loc(loc)}: {message}"))

    roles: list[RoleRota] = []
    names: set[str] = set()
    for index, item in enumerate(raw if isinstance(raw, list) else []):
        where: Loc = ("roles", index)
        role = validated(doc, where, _Role, item, problems, full_path=True)
        if role is None:
            continue
        if role.name.casefold() in names:
            problem((*where, "name"), f"de rol '{role.name}' staat er twee keer in")
        names.add(role.name.casefold())
        if not role.people:
            # Every week of this role would be unstaffed: an operator must hear it from `check`.
            problem(
                (*where, "people") if "people" in item else where,
                "niemand is gekwalificeerd voor deze rol; zet minstens één persoon onder people",
            )
        people: dict[str, Qualification] = {}
        for number, person in enumerate(role.people):
            at: Loc = (*where, "people", number, "key")
            if team is not None and (unknown := team.unknown_person(person.key)):
                problem(at, unknown)
            elif person.key in people:
                problem(at, f"'{person.key}' staat twee keer bij deze rol")
            else:
                people[person.key] = Qualification(person.key, person.qualified_until)
        roles.append(RoleRota(role.name, tuple(people.values())))
    return tuple(roles)


def _check_piket(
    doc: LoadedYaml, team: TeamConfig | None, problems: list[ConfigProblem], tz: ZoneInfo
) -> PiketConfig | None:
    """piket.yaml validated the way every config file is; None when it has problems (each added
    to `problems` with its place). `team` None: person keys are not checked against people.yaml."""
    before = len(problems)
    data = plain_data(doc.data)
    top = validated(doc, (), _PiketFile, data, problems, full_path=True)
    raw_roles = data.get("roles") if isinstance(data, Mapping) else None
    roles = _check_roles(doc, raw_roles, team, problems)
    if top is None:
        return None
    lead = top.team_lead
    if lead is not None and team is not None and (unknown := team.unknown_person(lead)):
        problems.append(doc.problem(("team_lead",), f"team_lead: {unknown}"))
    if len(problems) > before:
        return None
    weekday = top.handover.weekday
    rules = RotaRules(
        top.cycle_weeks,
        top.first_duty_week + timedelta(days=weekday),
        weekday,
        top.handover.time,
        tz,
        roles,
    )
    reminders = DEFAULT_REMINDERS
    if top.reminders is not None:
        reminders = tuple(sorted(set(top.reminders), reverse=True))
    return PiketConfig(
        rules=rules,
        team_channel=top.team_channel,
        team_lead=top.team_lead,
        reminders=reminders,
        feed_past_months=top.feed.past_months,
        feed_future_months=top.feed.future_months,
        usergroup=top.usergroup,
        warn_unstaffed=top.warn_unstaffed,
    )


def parse_piket_config(
    data: object, *, tz: ZoneInfo = DEFAULT_TZ, known_people: Collection[str] | None = None
) -> PiketConfig:
    """Validate the contents of piket.yaml without its file (the stored copy, tests); raise
    RotaConfigError listing every problem.

    `known_people` (the keys of people.yaml), when given, turns unknown person keys into problems.
    """
    team = None
    if known_people is not None:
        people = (PersonConfig.model_construct(key=key, name=key) for key in known_people)
        team = TeamConfig(people=tuple(people), tasks=())
    problems: list[ConfigProblem] = []
    config = _check_piket(LoadedYaml(Path(PIKET_FILE), data), team, problems, tz)
    if config is None:
        raise RotaConfigError(problems)
    return config


def parse_rota_rules(
    data: object, *, tz: ZoneInfo = DEFAULT_TZ, known_people: Collection[str] | None = None
) -> RotaRules:
    return parse_piket_config(data, tz=tz, known_people=known_people).rules


# --- duty weeks -----------------------------------------------------------------------------


class DutyWeek(Struct, frozen=True):
    start: datetime  # handover, aware, in the rota's time zone
    end: datetime  # next handover


def _require_aware(*instants: datetime) -> None:
    for instant in instants:
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError(f"naive datetime {instant!r}: the rota needs aware datetimes")


def _handover(rules: RotaRules, day: date) -> datetime:
    return wall_time(day, rules.handover_time, rules.tz)


def iter_duty_weeks(rules: RotaRules, after: datetime) -> Iterator[DutyWeek]:
    """Endless duty weeks, the first one being the week that ends after `after`.

    Counted from `first_handover` in steps of `cycle_weeks` calendar weeks (also backwards), never
    from ISO week numbers, so week 53 and the turn of the year keep the cycle.
    """
    _require_aware(after)
    period = 7 * rules.cycle_weeks
    days = (after.astimezone(rules.tz).date() - rules.first_handover).days
    index = days // period - 1  # one early: the previous duty week may still be running
    while True:
        first_day = rules.first_handover + timedelta(days=index * period)
        week = DutyWeek(
            _handover(rules, first_day), _handover(rules, first_day + timedelta(days=7))
        )
        if week.end > after:
            yield week
        index += 1


def duty_weeks(rules: RotaRules, start: datetime, end: datetime) -> list[DutyWeek]:
    """The duty weeks that overlap [start, end), in order."""
    _require_aware(start, end)
    weeks = []
    for week in iter_duty_weeks(rules, start):
        if week.start >= end:
            break
        weeks.append(week)
    return weeks


# --- shifts and planning --------------------------------------------------------------------


class Shift(Struct, frozen=True):
    role: str
    person_key: str | None  # None: nobody qualified that week
    start: datetime
    end: datetime

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant < self.end


def _last_day(end: datetime, tz: ZoneInfo) -> date:
    """The last local calendar day a period ending at `end` touches (08:00 Monday -> Monday)."""
    return (end - timedelta(microseconds=1)).astimezone(tz).date()


def _uncovered(
    start: datetime, end: datetime, covered: Iterable[Shift]
) -> list[tuple[datetime, datetime]]:
    """Parts of [start, end) not covered by `covered` (sorted by start)."""
    gaps, cursor = [], start
    for shift in covered:
        if shift.start >= end:
            break  # sorted by start: nothing later can overlap
        if shift.end <= cursor:
            continue
        if shift.start > cursor:
            gaps.append((cursor, shift.start))
        cursor = max(cursor, shift.end)
    if cursor < end:
        gaps.append((cursor, end))
    return gaps


class _Ledger:
    """Shift counts per person (all roles together: a shift is a burden on a person, whatever
    the role) plus each person's most recent shift start, for fair choices."""

    def __init__(self, shifts: Sequence[Shift]) -> None:
        self.counts: Counter[str] = Counter()
        self.bonus: Counter[str] = Counter()
        self.starts: dict[str, list[datetime]] = {}
        for shift in shifts:
            if shift.person_key is not None:
                self.record(shift.person_key, shift.start)

    def record(self, person: str, start: datetime) -> None:
        self.counts[person] += 1
        self.starts.setdefault(person, []).append(start)

    def effective(self, person: str) -> int:
        return self.counts[person] + self.bonus[person]

    def last_start_before(self, person: str, moment: datetime) -> datetime:
        return max((s for s in self.starts.get(person, ()) if s < moment), default=_LONG_AGO)

    def ranked(self, candidates: Sequence[str], moment: datetime) -> list[str]:
        """Candidates best first: fewest shifts, then longest since their last shift, then the
        rotation order. Nobody trails the busiest candidate by more than one shift: a newcomer or
        someone back after a lapsed qualification starts level with the least-served instead of
        taking shift after shift to catch up."""
        if not candidates:
            return []
        floor = max(self.effective(p) for p in candidates) - 1
        for person in candidates:
            self.bonus[person] += max(0, floor - self.effective(person))
        order = {person: index for index, person in enumerate(candidates)}
        return sorted(
            candidates,
            key=lambda p: (self.effective(p), self.last_start_before(p, moment), order[p]),
        )


def _assign(rankings: Sequence[list[str]], busy: set[str]) -> list[str | None]:
    """One person per role: the earliest roles get their best choice, but nobody holds two roles
    in one week (nor is `busy` elsewhere) unless there is no other way."""

    def search(index: int, taken: set[str]) -> list[str | None] | None:
        if index == len(rankings):
            return []
        if not rankings[index]:
            rest = search(index + 1, taken)
            return None if rest is None else [None, *rest]
        for person in rankings[index]:
            if person not in taken and (rest := search(index + 1, taken | {person})) is not None:
                return [person, *rest]
        return None

    found = search(0, set(busy))
    if found is not None:
        return found
    picks: list[str | None] = []  # no clash-free plan exists: clash as little as needed
    taken = set(busy)
    for ranking in rankings:
        free = [p for p in ranking if p not in taken]
        pick = (free or ranking or [None])[0]
        picks.append(pick)
        if pick is not None:
            taken.add(pick)
    return picks


def generate_shifts(
    rules: RotaRules,
    start: datetime,
    end: datetime,
    *,
    history: Sequence[Shift] = (),
    fixed: Sequence[Shift] = (),
    now: datetime,
) -> list[Shift]:
    """The rota for [start, end): one shift per role per duty week, deterministic and fair.

    - `history`: shifts planned before. Those that started at or before `now` are returned
      unchanged (also when the rules have changed since); later ones are planned afresh.
    - `fixed`: future shifts to keep as they are (swaps made in Slack).
    - Duty weeks that ended before `now` are only what `history` says; they are never invented.
    - Fairness counts every kept and fixed shift, also those outside [start, end), so callers
      should pass the whole history (or at least the last year or so).
    - Per role the qualified person (qualified_until on or after the shift's last day) with the
      fewest shifts goes first, then the one whose last shift is longest ago, then rotation order;
      nobody holds two roles in one week when someone else can; a week with nobody qualified gets
      a shift with person_key None.
    - A kept or fixed shift covering part of a duty week (a swap of a few days, a handover moved by
      a rule change) leaves only the rest of that week to plan.
    """
    _require_aware(start, end, now)
    # dict.fromkeys: a swap passed both in `history` and in `fixed` counts once.
    anchored = sorted(
        dict.fromkeys([*(s for s in history if s.start <= now), *fixed]), key=lambda s: s.start
    )
    ledger = _Ledger(anchored)
    weeks = [week for week in duty_weeks(rules, start, end) if week.end > now]
    # Only shifts that reach into the weeks to plan can cover or occupy them: with years of
    # history, scanning every shift for every week would make the daily roll-on quadratic.
    reaching = [s for s in anchored if weeks and s.end > weeks[0].start]
    covered: dict[str, list[Shift]] = {}
    for shift in reaching:
        covered.setdefault(shift.role, []).append(shift)
    skipped = dict.fromkeys(covered, 0)  # per role: shifts that ended before the current week

    def covering(role: str, week: DutyWeek) -> Iterator[Shift]:
        shifts = covered.get(role, [])
        first = skipped.get(role, 0)
        while first < len(shifts) and shifts[first].end <= week.start:
            first += 1
        skipped[role] = first
        return itertools.islice(shifts, first, None)

    planned: list[Shift] = []
    for week in weeks:
        gaps_per_role = [
            (role, _uncovered(week.start, week.end, covering(role.name, week)))
            for role in rules.roles
        ]
        to_plan = [(role, gaps) for role, gaps in gaps_per_role if gaps]
        if not to_plan:
            continue
        busy = {
            s.person_key
            for s in reaching
            if s.person_key is not None and s.overlaps(week.start, week.end)
        }
        rankings = [
            ledger.ranked(role.qualified(_last_day(gaps[-1][1], rules.tz)), week.start)
            for role, gaps in to_plan
        ]
        for (role, gaps), person in zip(to_plan, _assign(rankings, busy), strict=True):
            planned.extend(
                Shift(role.name, person, gap_start, gap_end) for gap_start, gap_end in gaps
            )
            if person is not None:
                ledger.record(person, gaps[0][0])

    kept = [s for s in anchored if s.overlaps(start, end)]
    return sort_shifts(rules, [*kept, *planned])


def sort_shifts(rules: RotaRules, shifts: Sequence[Shift]) -> list[Shift]:
    """By start, then in the role order of the rules (unknown roles last, by name)."""
    rank = {role.name: index for index, role in enumerate(rules.roles)}
    return sorted(shifts, key=lambda s: (s.start, rank.get(s.role, len(rank)), s.role, s.end))


# --- queries for the Slack side -------------------------------------------------------------


def shift_at(shifts: Sequence[Shift], instant: datetime) -> dict[str, Shift]:
    """Role -> the shift running at `instant` ("who has piket now, until when")."""
    _require_aware(instant)
    current: dict[str, Shift] = {}
    for shift in sorted(shifts, key=lambda s: s.start):
        if shift.contains(instant):
            current[shift.role] = shift  # on overlapping data the latest start wins
    return current


class WeekRoster(Struct, frozen=True):
    """The shifts of one duty week (shifts that overlap each other), in the given order."""

    start: datetime
    end: datetime
    shifts: tuple[Shift, ...]

    def for_role(self, role: str) -> tuple[Shift, ...]:
        return tuple(s for s in self.shifts if s.role == role)


def upcoming_weeks(shifts: Sequence[Shift], *, after: datetime, count: int = 4) -> list[WeekRoster]:
    """The next `count` duty weeks that end after `after` (so a running week comes first).

    Weeks are read from the shifts themselves, so a week split by a swap stays one week and
    shifts kept from older rules are grouped correctly too.
    """
    _require_aware(after)
    rosters: list[list[Shift]] = []
    week_end: datetime | None = None
    for shift in sorted((s for s in shifts if s.end > after), key=lambda s: s.start):
        if week_end is None or shift.start >= week_end:
            if len(rosters) == count:
                break
            rosters.append([])
            week_end = shift.end
        else:
            week_end = max(week_end, shift.end)
        rosters[-1].append(shift)
    return [
        WeekRoster(min(s.start for s in group), max(s.end for s in group), tuple(group))
        for group in rosters
    ]


def shifts_of(shifts: Sequence[Shift], person_key: str, *, after: datetime) -> list[Shift]:
    """A person's shifts that end after `after` (running and coming), by start."""
    _require_aware(after)
    return sorted(
        (s for s in shifts if s.person_key == person_key and s.end > after), key=lambda s: s.start
    )


def unstaffed(shifts: Sequence[Shift], *, after: datetime) -> list[Shift]:
    """Shifts ending after `after` without a qualified person: the team lead must act."""
    _require_aware(after)
    return sorted(
        (s for s in shifts if s.person_key is None and s.end > after), key=lambda s: s.start
    )


def unqualified(rules: RotaRules, shifts: Iterable[Shift]) -> list[Shift]:
    """Shifts whose person may not hold them under `rules`: not qualified for the role through
    the shift's last day, or the role gone. A swap or an operator's choice stays when piket.yaml
    changes, so a shortened qualification can leave someone on a week they may not serve."""
    found = []
    for shift in shifts:
        if shift.person_key is None:
            continue
        role = rules.role(shift.role)
        if role is None or shift.person_key not in role.qualified(_last_day(shift.end, rules.tz)):
            found.append(shift)
    return found


def swap(
    rules: RotaRules,
    shift: Shift,
    person_key: str,
    *,
    now: datetime,
    person_name: str | None = None,
) -> list[Shift]:
    """Hand `shift` to `person_key`; returns the shifts to store (as `fixed`) instead of it.

    A running shift is split at `now` (its whole second): what has already happened is never
    rewritten.
    Raises RotaError (Dutch) when the shift is over or the person is not qualified for it.
    """
    _require_aware(now)
    who = person_name or person_key
    if shift.end <= now:
        raise RotaError(
            "Deze dienst is al voorbij; alleen lopende en komende diensten kun je ruilen."
        )
    if person_key == shift.person_key:
        raise RotaError(f"{who} heeft deze dienst al.")
    role = rules.role(shift.role)
    last_day = _last_day(shift.end, rules.tz)
    if role is None:
        raise RotaError(f"De rol {shift.role} staat niet (meer) in piket.yaml.")
    if person_key not in role.qualified(last_day):
        raise RotaError(
            f"{who} is niet gekwalificeerd voor {role.name} tot en met {format_date(last_day)}."
        )
    # Cut at the whole second: calendars keep seconds, and a part shorter than one would end
    # where it starts there (an event RFC 5545 forbids).
    cut = now.replace(microsecond=0)
    if shift.start >= cut:
        return [Shift(shift.role, person_key, shift.start, shift.end)]
    return [
        Shift(shift.role, shift.person_key, shift.start, cut),
        Shift(shift.role, person_key, cut, shift.end),
    ]


class Reminder(Struct, frozen=True):
    shift: Shift
    before: timedelta  # the configured offset, e.g. 7 days
    at: datetime  # when to send it


def reminder_time(shift: Shift, before: timedelta, tz: ZoneInfo) -> datetime:
    """`before` ahead of the shift in local wall time: "1 dag" before Monday 08:00 is Sunday 08:00,
    also when the clocks change in between."""
    return shift_wall(shift.start, -before, tz)


def due_reminders(
    shifts: Sequence[Shift],
    offsets: Sequence[timedelta],
    tz: ZoneInfo,
    *,
    after: datetime,
    until: datetime,
) -> list[Reminder]:
    """Reminders falling in (after, until] for shifts that have a person, by time."""
    _require_aware(after, until)
    due = [
        Reminder(shift, before, at)
        for shift in shifts
        if shift.person_key is not None
        for before in offsets
        if after < (at := reminder_time(shift, before, tz)) <= until
    ]
    return sorted(due, key=lambda r: (r.at, r.shift.start, r.shift.role))


# --- piket.yaml as a config file (`oov-bot check`, `oov-bot import`) -------------------------


class PiketFile(Struct, frozen=True):
    """A valid piket.yaml: the parsed config plus the document as plain data."""

    config: PiketConfig
    data: Mapping[str, Any]

    @property
    def digest(self) -> str:
        """Changes whenever the rules change (not when only comments or layout do)."""
        text = json.dumps(self.data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


def validate_piket_file(
    doc: LoadedYaml, team: TeamConfig, problems: list[ConfigProblem]
) -> PiketFile | None:
    """The FEATURE_FILES validator: every problem of piket.yaml with its line."""
    config = _check_piket(doc, team, problems, DEFAULT_TZ)
    return None if config is None else PiketFile(config, plain_data(doc.data))


# --- "which shift": a date or a week as users type it ---------------------------------------


def parse_day_or_week(text: str, now: datetime, tz: ZoneInfo = DEFAULT_TZ) -> DayRange:
    """A day or an ISO week as the language kernel reads it (`bot.language.parse_period`), with
    a RotaError (Dutch) for anything else."""
    _require_aware(now)
    try:
        return parse_period(text, now, tz=tz)
    except InvalidDate as exc:
        raise InvalidDay(str(exc)) from None
    except DutchDateError as exc:
        hint = "" if "niet lezen" not in str(exc) else " Een week mag ook: ‘week 14’ of ‘2026-W14’."
        raise RotaError(f"{exc}{hint}") from None


def require_day_or_week(days: DayRange) -> DayRange:
    """`days` itself when it names one shift's day or week; a month ("volgende maand") holds
    several shifts, so giving or swapping "the" shift in it would pick one unasked."""
    if days.first != days.last and not days.is_week:
        label = days.label[0].upper() + days.label[1:]
        raise InvalidDay(
            f"{label} is geen dag of week: noem de dag of de week van de dienst, bijvoorbeeld "
            "‘4 januari’ of ‘week 2’."
        )
    return days


class _Timed(Protocol):
    @property
    def start(self) -> datetime: ...

    @property
    def end(self) -> datetime: ...


T = TypeVar("T", bound=_Timed)


def shifts_in(shifts: Sequence[T], days: DayRange, tz: ZoneInfo) -> list[T]:
    """The duty of `days`, the one definition `/piket` and `oov-bot piket zet` share.

    For a week ("week 51", "volgende week"): the shifts that START in it, so the duty of week N
    is the one handed over on the handover weekday of week N, not the one whose tail ends on its
    Monday morning. For a day: the shifts that run on it, those starting that day first; a shift
    from Monday 08:00 to Monday 08:00 belongs to its first Monday, not to the Monday on which it
    is handed over."""

    def local_day(instant: datetime) -> date:
        return instant.astimezone(tz).date()

    def starts_inside(s: T) -> bool:
        return days.first <= local_day(s.start) <= days.last

    if days.is_week:
        return sorted((s for s in shifts if starts_inside(s)), key=lambda s: s.start)
    matching = [
        s for s in shifts if local_day(s.start) <= days.last and local_day(s.end) > days.first
    ]
    return sorted(matching, key=lambda s: (not starts_inside(s), s.start))
