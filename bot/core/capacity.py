"""Capacity: what the tasks, meetings, piket and programme ask of the team, against its hours.

Pure: plain records in, a `Picture` out; no Slack, no database, `now` passed in. Every hour a
person carries is a `Row` that says where it comes from and how it was computed, so each figure
a user sees can be traced to the rows that produce it.

The rules (also shown to users, by `rules_text`):
- Tasks: the hours per week of the time text (`bot.core.cadence`). The owner carries them; the
  deputy carries `deputy_share` of them (default 0: a deputy stands in, the owner does the work),
  the owner the rest. A task without hours in its text uses the estimate configured for it;
  without one it is listed as unknown and counted nowhere — never as zero.
- Meetings: a series whose task has a time budget (or an estimate) is covered by that budget:
  the overview's budgets include preparing, chairing and minuting. A series whose task has no
  budget counts its length × the meetings held in the coming `window_weeks` weeks for the chair,
  and the same again shared by its minute takers in turn. So no hour is counted twice.
- Piket: each role asks `hours_per_duty_week` once per cycle of `cycle_weeks` weeks; each of
  the coming `window_weeks` weeks that share goes equally to the people qualified for the role
  through that week (the rota's fair rotation evens out to it), so a qualification that lapses
  inside the window counts only for the weeks before it does.
- Programme activities: their estimated hours spread evenly over their period, counted while
  `now` lies inside it; the action holder carries them.
- Supply: contract hours less `overhead_share` for leave, public holidays, sickness and
  training. Per theme, a person's supply is divided over the themes in proportion to their
  demand (someone with no demand adds to "Niet ingedeeld").
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta

from msgspec import Struct, field
from msgspec.structs import replace

from bot.core.cadence import CadenceError, format_hours, parse_cadence
from bot.core.meetings import MeetingSeries, OccurrenceChange, ScheduleError, occurrences
from bot.core.rota import RotaRules
from bot.language.fold import fold
from bot.language.format import format_date

DEFAULT_OVERHEAD_SHARE = 0.20
DEFAULT_FTE_HOURS = 36.0
DEFAULT_PIKET_HOURS = 4.0
DEFAULT_WINDOW_WEEKS = 52
UNALLOCATED = "Niet ingedeeld"
EXTRA_PREFIX = "extra-fte"

CATEGORY_THEMES = {
    "structureel": "Structurele taken",
    "incidenteel": "Incidentele taken",
    "rampenbestrijding": "Rampenbestrijding / crisismanagement",
    "algemeen": "Algemene zaken",
}


def rules_text(window_weeks: int) -> str:
    """The rules in Dutch, for users (below every picture) and the report."""
    return (
        "Taken: de uren per week uit de tijdtekst van het taakoverzicht, voor de eigenaar "
        "(de vervanger telt mee voor het ingestelde deel). Zonder uren telt de schatting uit "
        "capaciteit.yaml; zonder schatting staat de taak bij ‘onbekend’ en telt niet als 0 mee. "
        "Overleggen: valt het overleg onder een taak met tijdsbudget, dan zit het in dat budget; "
        f"anders telt duur × aantal keer in de komende {window_weeks} weken voor voorzitter en "
        "notulist. Piket: uren per dienstweek, eens per cyclus, elke week gedeeld door wie dan "
        "voor de rol gekwalificeerd is. Programma: geschatte uren gelijk verdeeld over de "
        "looptijd. Beschikbaar: contracturen min het deel voor verlof, feestdagen, ziekte en "
        "opleiding."
    )


# --- input ----------------------------------------------------------------------------------


class Person(Struct, frozen=True):
    key: str
    name: str
    contract_hours: float
    slack_id: str | None = None


class Task(Struct, frozen=True):
    id: int
    subject: str
    category: str
    time_text: str
    owner: str | None  # person key
    deputy: str | None = None


class Meeting(Struct, frozen=True):
    series: MeetingSeries
    task_subject: str | None  # the task overview row the series belongs to
    changes: tuple[OccurrenceChange, ...] = ()


class ProgrammeActivity(Struct, frozen=True):
    """An activity of the execution programme with an estimate of its hours (plain input: the
    programme feature supplies these)."""

    key: str
    name: str
    theme: str  # the programme's priority
    holder: str | None  # person key of the action holder
    hours: float  # estimated hours over the whole period
    start: date
    end: date  # inclusive


class Estimate(Struct, frozen=True):
    time_text: str  # a cadence text with hours, e.g. "4 uur per maand"
    note: str = ""  # where the estimate comes from


class Settings(Struct, frozen=True):
    overhead_share: float = DEFAULT_OVERHEAD_SHARE
    fte_hours: float = DEFAULT_FTE_HOURS
    deputy_share: float = 0.0
    piket_hours_per_duty_week: float = DEFAULT_PIKET_HOURS
    piket_task: str | None = None  # the task row whose hours the piket model supplies
    window_weeks: int = DEFAULT_WINDOW_WEEKS
    estimates: Mapping[str, Estimate] = field(default_factory=dict)  # task subject -> estimate
    themes: Mapping[str, str] = field(default_factory=dict)  # task subject -> theme


class Inputs(Struct, frozen=True):
    people: tuple[Person, ...]
    tasks: tuple[Task, ...]
    meetings: tuple[Meeting, ...] = ()
    piket: RotaRules | None = None
    programme: tuple[ProgrammeActivity, ...] = ()
    settings: Settings = Settings()


# --- output ---------------------------------------------------------------------------------


class Row(Struct, frozen=True):
    """One contribution to someone's load: the figure and how it was computed."""

    person: str | None  # person key; None: nobody owns it
    theme: str
    source: str  # taak | schatting | overleg | piket | programma
    label: str  # the task, meeting, role or activity
    role: str  # eigenaar, vervanger, voorzitter, notulist, piket, actiehouder
    hours: float  # per week
    basis: str  # how: '"2 uur per 4 week" ≈ 0,5 u/week'


class Unknown(Struct, frozen=True):
    """A task without hours: listed, never counted as 0."""

    subject: str
    theme: str
    owner: str | None
    reason: str
    partial: float = 0.0  # hours counted anyway (meetings of the task without budget)


class PersonLoad(Struct, frozen=True):
    person: Person
    supply: float  # hours per week after overhead
    rows: tuple[Row, ...]

    @property
    def demand(self) -> float:
        return sum(row.hours for row in self.rows)

    @property
    def load(self) -> float:
        """Demand as a fraction of supply (1.0 = 100 %); inf when there is demand but no supply."""
        if self.supply <= 0:
            return float("inf") if self.demand > 0 else 0.0
        return self.demand / self.supply

    @property
    def over(self) -> bool:
        return self.load > 1.0

    def by_theme(self) -> dict[str, float]:
        themes: dict[str, float] = {}
        for row in self.rows:
            themes[row.theme] = themes.get(row.theme, 0.0) + row.hours
        return themes


class ThemeLoad(Struct, frozen=True):
    theme: str
    demand: float
    supply: float
    unowned: float  # part of the demand that nobody owns
    unknown: int = 0  # tasks of this theme without hours (not in `demand`)

    @property
    def gap(self) -> float:
        return self.supply - self.demand


class Picture(Struct, frozen=True):
    now: datetime
    settings: Settings
    people: tuple[PersonLoad, ...]
    themes: tuple[ThemeLoad, ...]
    unowned: tuple[Row, ...]  # hours of tasks without an owner
    unknown: tuple[Unknown, ...]
    note: str = ""  # what a what-if changed

    @property
    def demand(self) -> float:
        return sum(p.demand for p in self.people) + sum(r.hours for r in self.unowned)

    @property
    def supply(self) -> float:
        return sum(p.supply for p in self.people)

    @property
    def contract(self) -> float:
        return sum(p.person.contract_hours for p in self.people)

    @property
    def load(self) -> float:
        return self.demand / self.supply if self.supply > 0 else 0.0

    def fte(self, hours: float) -> float:
        return hours / self.settings.fte_hours

    @property
    def rules(self) -> str:
        return rules_text(self.settings.window_weeks)

    def person(self, key: str) -> PersonLoad | None:
        return next((p for p in self.people if p.person.key == key), None)

    def theme(self, name: str) -> ThemeLoad | None:
        return next((t for t in self.themes if t.theme == name), None)


# --- the model ------------------------------------------------------------------------------


def net_hours(contract: float, settings: Settings) -> float:
    return contract * (1 - settings.overhead_share)


def task_theme(task: Task, settings: Settings) -> str:
    return settings.themes.get(task.subject) or CATEGORY_THEMES.get(task.category, task.category)


@functools.lru_cache(maxsize=4096)
def _understood(text: str) -> tuple[float | None, str]:
    """(hours per week, why there are none) of a time text; a region repeats the same few texts
    thousands of times, so each is parsed once."""
    try:
        cadence = parse_cadence(text)
    except CadenceError:
        return None, "tijdtekst niet te lezen"
    return cadence.hours_per_week, cadence.reason or "geen uren opgegeven"


def _weekly(text: str) -> float | None:
    return _understood(text)[0]


def _why_unknown(text: str) -> str:
    return _understood(text)[1]


@functools.lru_cache(maxsize=4096)
def _basis(text: str, weekly: float) -> str:
    return f"{_quoted(text)} ≈ {format_hours(weekly)} u/week"


def _quoted(text: str) -> str:
    shown = " ".join(text.split())
    return f"“{shown[:60]}…”" if len(shown) > 61 else f"“{shown}”"


def _task_rows(task: Task, settings: Settings) -> tuple[list[Row], Unknown | None, bool]:
    """(rows, unknown entry, has a budget) of one task row."""
    theme = task_theme(task, settings)
    weekly = _weekly(task.time_text)
    source, basis_text = "taak", task.time_text
    if weekly is None and (estimate := settings.estimates.get(task.subject)):
        weekly, source = _weekly(estimate.time_text), "schatting"
        basis_text = estimate.time_text
    if weekly is None:
        if task.subject == settings.piket_task:
            return [], None, True  # the piket model supplies these hours
        return [], Unknown(task.subject, theme, task.owner, _why_unknown(task.time_text)), False
    basis = _basis(basis_text, weekly)
    if source == "schatting":
        note = settings.estimates[task.subject].note
        basis = f"schatting {basis}" + (f" ({note})" if note else "")
    share = settings.deputy_share if task.deputy else 0.0
    rows = []
    if share > 0:
        deputy_hours = weekly * share
        rows.append(
            Row(
                task.deputy,
                theme,
                source,
                task.subject,
                "vervanger",
                deputy_hours,
                f"{basis} × {format_hours(share * 100)} % vervanger",
            )
        )
        weekly -= deputy_hours
        basis = f"{basis} × {format_hours((1 - share) * 100)} % eigenaar"
    rows.append(Row(task.owner, theme, source, task.subject, "eigenaar", weekly, basis))
    return rows, None, True


def _meeting_rows(meeting: Meeting, theme: str, now: datetime, weeks: int) -> list[Row]:
    series = meeting.series
    end = now + timedelta(weeks=weeks)
    try:
        held = [o for o in occurrences(series, now, end, meeting.changes) if o.held]
    except ScheduleError:
        return []  # `oov-bot check` reports a series without a schedule; it has no dates here
    if not held:
        return []
    hours = series.duration_minutes / 60
    weekly = hours * len(held) / weeks
    basis = (
        f"{format_hours(hours)} uur × {len(held)} keer in de komende {weeks} weken "
        f"≈ {format_hours(weekly)} u/week"
    )
    rows = []
    if series.chair:
        rows.append(Row(series.chair, theme, "overleg", series.name, "voorzitter", weekly, basis))
    takers = series.minute_takers
    for taker in takers:
        share = weekly / len(takers)
        rows.append(
            Row(
                taker,
                theme,
                "overleg",
                series.name,
                "notulist",
                share,
                basis + (f" ÷ {len(takers)} notulisten" if len(takers) > 1 else ""),
            )
        )
    return rows


def _piket_rows(rules: RotaRules, settings: Settings, theme: str, today: date) -> list[Row]:
    hours = settings.piket_hours_per_duty_week
    weeks = settings.window_weeks
    if hours <= 0:
        return []
    rows = []
    for role in rules.roles:
        # Per person, the sum of their shares of the window's weeks (a week's share: 1 ÷ the
        # people qualified through its last day); a week nobody is qualified for counts nowhere.
        shares: dict[str, float] = {}
        sizes: set[int] = set()
        for week in range(weeks):
            people = role.qualified(today + timedelta(days=7 * week + 6))
            sizes.add(len(people))
            for key in people:
                shares[key] = shares.get(key, 0.0) + 1 / len(people)
        until = {q.person_key: q.qualified_until for q in role.people}
        shared = f"{format_hours(hours)} uur per dienstweek, 1 week per {rules.cycle_weeks}, " + (
            f"gedeeld door {sizes.pop()}"
            if len(sizes) == 1
            else f"elke week gedeeld door wie dan gekwalificeerd is (over {weeks} weken)"
        )
        for key, share in shares.items():  # in rotation order: qualified() keeps it
            weekly = hours / rules.cycle_weeks * share / weeks
            basis = shared
            lapses = until.get(key)
            if lapses is not None and lapses < today + timedelta(weeks=weeks):
                basis += f", gekwalificeerd t/m {format_date(lapses)}"
            basis += f" ≈ {format_hours(weekly)} u/week"
            rows.append(Row(key, theme, "piket", f"Piket {role.name}", "piket", weekly, basis))
    return rows


def _programme_rows(activity: ProgrammeActivity, today: date) -> list[Row]:
    if not activity.start <= today <= activity.end or activity.hours <= 0:
        return []
    weeks = max(((activity.end - activity.start).days + 1) / 7, 1 / 7)
    weekly = activity.hours / weeks
    basis = (
        f"{format_hours(activity.hours)} uur over {format_hours(weeks)} weken "
        f"({activity.start:%d-%m-%Y} t/m {activity.end:%d-%m-%Y}) ≈ {format_hours(weekly)} u/week"
    )
    return [Row(activity.holder, activity.theme, "programma", activity.name, "actiehouder",
                weekly, basis)]  # fmt: skip


def compute(inputs: Inputs, now: datetime, *, extra: Sequence[tuple[str, float]] = ()) -> Picture:
    """The picture at `now`, given on the team's clock (its date is the day the programme
    periods and qualifications are read for). `extra`: (theme, FTE) of colleagues who do not
    exist yet."""
    settings = inputs.settings
    today = now.date()
    rows: list[Row] = []
    unknown: list[Unknown] = []
    budgeted: dict[str, bool] = {}
    themes_of: dict[str, str] = {}
    for task in inputs.tasks:
        task_rows, missing, has_budget = _task_rows(task, settings)
        rows += task_rows
        if missing:
            unknown.append(missing)
        budgeted[task.subject] = has_budget
        themes_of[task.subject] = task_theme(task, settings)
    partial: dict[str, float] = {}
    for meeting in inputs.meetings:
        subject = meeting.task_subject
        if subject is not None and budgeted.get(subject):
            continue  # the task's budget covers the meeting
        theme = themes_of.get(subject or "", CATEGORY_THEMES["structureel"])
        meeting_rows = _meeting_rows(meeting, theme, now, settings.window_weeks)
        rows += meeting_rows
        if subject is not None:
            partial[subject] = partial.get(subject, 0.0) + sum(r.hours for r in meeting_rows)
    unknown = [replace(u, partial=partial.get(u.subject, 0.0)) for u in unknown]
    if inputs.piket is not None:
        theme = themes_of.get(settings.piket_task or "", CATEGORY_THEMES["rampenbestrijding"])
        rows += _piket_rows(inputs.piket, settings, theme, today)
    for activity in inputs.programme:
        rows += _programme_rows(activity, today)

    known = {p.key for p in inputs.people}
    people = list(inputs.people)
    supply_theme: dict[str, str] = {}
    for number, (theme, fte) in enumerate(extra, 1):
        key = f"{EXTRA_PREFIX}-{number}"
        people.append(Person(key, f"Extra {format_hours(fte)} fte ({theme})",
                             fte * settings.fte_hours))  # fmt: skip
        supply_theme[key] = theme
    by_person: dict[str | None, list[Row]] = {}
    for row in rows:
        by_person.setdefault(row.person, []).append(row)
    loads = [
        PersonLoad(
            person,
            net_hours(person.contract_hours, settings),
            tuple(by_person.get(person.key, ())),
        )
        for person in people
    ]
    unowned = tuple(r for r in rows if r.person is None or r.person not in known)
    return Picture(
        now=now,
        settings=settings,
        people=tuple(loads),
        themes=_themes(loads, unowned, supply_theme, [*themes_of.values()], unknown),
        unowned=unowned,
        unknown=tuple(unknown),
    )


def _themes(
    loads: Sequence[PersonLoad],
    unowned: Sequence[Row],
    supply_theme: Mapping[str, str],
    task_themes: Sequence[str],
    unknown: Sequence[Unknown],
) -> tuple[ThemeLoad, ...]:
    """Every theme a task, row or extra colleague has, the busiest first."""
    demand: dict[str, float] = {}
    supply: dict[str, float] = {}
    loose: dict[str, float] = {}
    for load in loads:
        own = load.by_theme()
        for theme, hours in own.items():
            demand[theme] = demand.get(theme, 0.0) + hours
        fixed = supply_theme.get(load.person.key)
        total = sum(own.values())
        if fixed is not None:
            supply[fixed] = supply.get(fixed, 0.0) + load.supply
        elif total <= 0:
            supply[UNALLOCATED] = supply.get(UNALLOCATED, 0.0) + load.supply
        else:
            for theme, hours in own.items():
                supply[theme] = supply.get(theme, 0.0) + load.supply * hours / total
    for row in unowned:
        demand[row.theme] = demand.get(row.theme, 0.0) + row.hours
        loose[row.theme] = loose.get(row.theme, 0.0) + row.hours
    missing: dict[str, int] = {}
    for entry in unknown:
        missing[entry.theme] = missing.get(entry.theme, 0) + 1
    names = sorted(
        set(demand) | set(supply) | set(task_themes),
        key=lambda t: (t == UNALLOCATED, -demand.get(t, 0), t),
    )
    return tuple(
        ThemeLoad(t, demand.get(t, 0.0), supply.get(t, 0.0), loose.get(t, 0.0), missing.get(t, 0))
        for t in names
    )


# --- what-if --------------------------------------------------------------------------------


def with_owner(inputs: Inputs, task_id: int, person_key: str) -> Inputs:
    """The inputs as if `person_key` owned the task (the deputy stays, unless it is them)."""
    tasks = tuple(
        replace(t, owner=person_key, deputy=None if t.deputy == person_key else t.deputy)
        if t.id == task_id
        else t
        for t in inputs.tasks
    )
    return replace(inputs, tasks=tasks)


def theme_names(picture: Picture) -> list[str]:
    return [t.theme for t in picture.themes if t.theme != UNALLOCATED]


def match_theme(names: Iterable[str], text: str) -> list[str]:
    """The themes `text` means: an exact (folded) name, else those containing every word."""
    wanted = fold(text).strip()
    if not wanted:
        return []
    names = list(names)
    exact = [n for n in names if fold(n) == wanted]
    if exact:
        return exact
    words = wanted.split()
    return [n for n in names if all(word in fold(n) for word in words)]
