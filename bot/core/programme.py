"""The execution programme ("uitvoeringsprogramma"): `config/programma.yaml` read and validated,
the statuses an activity can have, and the pure rules on them (late, at risk, the deadline read
from the success criterion).

Pure: no Slack, no database; `today` is always passed in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from msgspec import Struct
from pydantic import Field, StringConstraints, ValidationError

from bot.core.config_files import (
    ConfigProblem,
    LoadedYaml,
    PersonKey,
    StrictModel,
    TeamConfig,
    pydantic_problems,
)
from bot.language import fold, format_date
from bot.language.milestones import (
    Milestone,
    format_euro,
    parse_deadline_phrases,
    parse_euro,
)

PROGRAMMA_FILE = "programma.yaml"

# A deadline this close (and not met) makes an activity "at risk" in /programma and the DMs.
AT_RISK_WINDOW = timedelta(weeks=4)

Key = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Text = Annotated[str, StringConstraints(strip_whitespace=True)]


class Status(StrEnum):
    NIET_GESTART = "niet gestart"
    LOOPT = "loopt"
    VERTRAAGD = "vertraagd"
    AFGEROND = "afgerond"
    GESCHRAPT = "geschrapt"

    @property
    def label(self) -> str:
        return self.value[0].upper() + self.value[1:]

    @property
    def needs_reason(self) -> bool:
        return self in (Status.VERTRAAGD, Status.GESCHRAPT)

    @property
    def closed(self) -> bool:
        return self in (Status.AFGEROND, Status.GESCHRAPT)


STATUS_EMOJI = {
    Status.NIET_GESTART: "⚪",
    Status.LOOPT: "🔵",
    Status.VERTRAAGD: "🟠",
    Status.AFGEROND: "✅",
    Status.GESCHRAPT: "✖️",
}

_STATUS_WORDS = {
    "niet gestart": Status.NIET_GESTART,
    "nietgestart": Status.NIET_GESTART,
    "nog niet gestart": Status.NIET_GESTART,
    "niet begonnen": Status.NIET_GESTART,
    "loopt": Status.LOOPT,
    "lopend": Status.LOOPT,
    "bezig": Status.LOOPT,
    "gestart": Status.LOOPT,
    "in uitvoering": Status.LOOPT,
    "vertraagd": Status.VERTRAAGD,
    "vertraging": Status.VERTRAAGD,
    "afgerond": Status.AFGEROND,
    "klaar": Status.AFGEROND,
    "gereed": Status.AFGEROND,
    "gedaan": Status.AFGEROND,
    "geschrapt": Status.GESCHRAPT,
    "vervallen": Status.GESCHRAPT,
    "geannuleerd": Status.GESCHRAPT,
}


def parse_status(text: str) -> Status | None:
    """The status a person means ("Afgerond", "niet-gestart", "bezig"), or None."""
    key = " ".join(re.sub(r"[-_]", " ", fold(text)).split())
    return _STATUS_WORDS.get(key)


def status_choices() -> str:
    return ", ".join(s.value for s in Status)


# --- the file -------------------------------------------------------------------------------------


class ActivityConfig(StrictModel):
    key: Key
    name: Name
    approach: Text = ""
    criterion: Text = ""
    partners: Text = ""
    budget: Text = ""
    owner: PersonKey | None = None
    portfolio_holder: Text = ""
    scope: Literal["lokaal", "gedeeld"] = "lokaal"
    hours: float | None = Field(default=None, ge=0, le=10000)
    meeting: Key | None = None
    deadline: date | None = None
    aliases: tuple[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)], ...] = ()


class PriorityConfig(StrictModel):
    key: Key
    name: Name
    activities: list[dict[str, Any]] = Field(default_factory=list)


class BudgetLineConfig(StrictModel):
    subject: Name
    cost: Text
    activity: Key | None = None


class BudgetConfig(StrictModel):
    available: Text = ""
    lines: list[BudgetLineConfig] = Field(default_factory=list)


class PeriodConfig(StrictModel):
    name: Name
    organisation: Text = ""
    start: date
    end: date


_Time = time  # the field below is called `time`, as in the other config files


class RemindersConfig(StrictModel):
    every_months: int = Field(default=1, ge=0, le=12)  # 0 switches the DMs off
    day: int = Field(default=1, ge=1, le=28)
    time: _Time = _Time(9, 0)


class _ProgrammeFile(StrictModel):
    period: PeriodConfig
    regievoerders: list[PersonKey] = Field(default_factory=list)
    reminders: RemindersConfig = RemindersConfig()
    retention_months: int = Field(default=60, ge=1, le=1200)
    budget: BudgetConfig = BudgetConfig()
    priorities: list[dict[str, Any]]


DeadlineSource = Literal["deadline", "criterium", "periode"]


class Activity(Struct, frozen=True):
    """One activity as configured, with the deadline the bot understood."""

    config: ActivityConfig
    priority_key: str
    priority_name: str
    milestones: tuple[Milestone, ...]
    deadline: date
    deadline_source: DeadlineSource
    unreadable: tuple[str, ...] = ()  # deadline phrases not understood (explicit deadline given)

    @property
    def key(self) -> str:
        return self.config.key

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def budget_amount(self) -> Decimal | None:
        return parse_euro(self.config.budget)


class Priority(Struct, frozen=True):
    key: str
    name: str
    activities: tuple[Activity, ...]


class BudgetLine(Struct, frozen=True):
    subject: str
    cost_text: str
    cost: Decimal | None
    activity: str | None


class Programme(Struct, frozen=True):
    name: str
    organisation: str
    start: date
    end: date
    priorities: tuple[Priority, ...]
    regievoerders: tuple[str, ...]
    reminders: RemindersConfig
    retention_months: int
    budget_available_text: str
    budget_lines: tuple[BudgetLine, ...]

    @property
    def activities(self) -> tuple[Activity, ...]:
        return tuple(a for p in self.priorities for a in p.activities)

    @property
    def budget_available(self) -> Decimal | None:
        return parse_euro(self.budget_available_text)


def build_activity(config: ActivityConfig, priority: PriorityConfig, end: date) -> Activity:
    """The activity with its deadline: the explicit `deadline`, else the last date its criterion
    names, else the end of the programme period."""
    reading = parse_deadline_phrases(config.criterion)
    if config.deadline is not None:
        deadline, source = config.deadline, "deadline"
    elif reading.deadline is not None:
        deadline, source = reading.deadline, "criterium"
    else:
        deadline, source = end, "periode"
    return Activity(
        config=config,
        priority_key=priority.key,
        priority_name=priority.name,
        milestones=reading.milestones,
        deadline=deadline,
        deadline_source=source,  # type: ignore[arg-type]
        unreadable=reading.unreadable,
    )


def validate_programma_file(
    doc: LoadedYaml, team: TeamConfig, problems: list[ConfigProblem]
) -> Programme | None:
    """programma.yaml as a Programme; each problem with its line (also every deadline phrase in
    a criterion that cannot be read while no explicit `deadline:` says what is meant)."""
    data = doc.data
    if not isinstance(data, Mapping):
        problems.append(doc.problem([], "het bestand moet beginnen met 'period:' en 'priorities:'"))
        return None
    try:
        top = _ProgrammeFile.model_validate(dict(data))
    except ValidationError as exc:
        problems.extend(pydantic_problems(doc, [], exc, model=_ProgrammeFile, full_path=True))
        return None
    start = len(problems)
    if top.period.end < top.period.start:
        problems.append(doc.problem(["period", "end"], "period.end: ligt vóór period.start"))
    for index, key in enumerate(top.regievoerders):
        if unknown := team.unknown_person(key):
            problems.append(doc.problem(["regievoerders", index], f"regievoerders: {unknown}"))
    priorities: list[Priority] = []
    seen: dict[str, int] = {}
    for p_index, raw in enumerate(top.priorities):
        where: list[str | int] = ["priorities", p_index]
        try:
            priority = PriorityConfig.model_validate(raw)
        except ValidationError as exc:
            problems.extend(pydantic_problems(doc, where, exc, model=PriorityConfig))
            continue
        activities = []
        for a_index, item in enumerate(priority.activities):
            at = [*where, "activities", a_index]
            try:
                config = ActivityConfig.model_validate(item)
            except ValidationError as exc:
                problems.extend(pydantic_problems(doc, at, exc, model=ActivityConfig))
                continue
            line = doc.line(at) or 0
            if config.key in seen:
                problems.append(
                    doc.problem(
                        [*at, "key"],
                        f"key: dubbele activiteit '{config.key}' (ook op regel {seen[config.key]})",
                    )
                )
                continue
            seen[config.key] = line
            if config.owner and (unknown := team.unknown_person(config.owner)):
                problems.append(doc.problem([*at, "owner"], f"owner: {unknown}"))
            activity = build_activity(config, priority, top.period.end)
            if activity.unreadable and config.deadline is None:
                for reason in activity.unreadable:
                    problems.append(
                        doc.problem(
                            [*at, "criterion"],
                            f"criterion: termijn niet te lezen: {reason}. Zet de bedoelde "
                            "datum in 'deadline: JJJJ-MM-DD'",
                        )
                    )
            activities.append(activity)
        priorities.append(Priority(priority.key, priority.name, tuple(activities)))
    keys = set(seen)
    for index, budget_line in enumerate(top.budget.lines):
        if budget_line.activity and budget_line.activity not in keys:
            problems.append(
                doc.problem(
                    ["budget", "lines", index, "activity"],
                    f"activity: onbekende activiteit '{budget_line.activity}'",
                )
            )
        if parse_euro(budget_line.cost) is None:
            problems.append(
                doc.problem(
                    ["budget", "lines", index, "cost"],
                    f"cost: '{budget_line.cost}' is geen bedrag (schrijf bijv. '€ 7.500,-')",
                )
            )
    if top.budget.available and parse_euro(top.budget.available) is None:
        problems.append(
            doc.problem(
                ["budget", "available"],
                f"available: '{top.budget.available}' is geen bedrag (schrijf bijv. '€ 214.571,-')",
            )
        )
    if len(problems) > start:
        return None
    return Programme(
        name=top.period.name,
        organisation=top.period.organisation,
        start=top.period.start,
        end=top.period.end,
        priorities=tuple(priorities),
        regievoerders=tuple(top.regievoerders),
        reminders=top.reminders,
        retention_months=top.retention_months,
        budget_available_text=top.budget.available,
        budget_lines=tuple(
            BudgetLine(b.subject, b.cost, parse_euro(b.cost), b.activity) for b in top.budget.lines
        ),
    )


def describe_deadline(activity: Activity) -> str:
    """What the bot understood of an activity's deadline, in Dutch."""
    if activity.deadline_source == "deadline":
        text = f"deadline {format_date(activity.deadline)} (uit 'deadline:')"
        if activity.unreadable:
            text += "; in het criterium niet gelezen: " + "; ".join(activity.unreadable)
        return text
    if activity.deadline_source == "periode":
        return f"geen termijn in het criterium: einde programma, {format_date(activity.deadline)}"
    parts = [f"{format_date(m.due)} (‘{m.phrase}’)" for m in activity.milestones]
    label = "mijlpalen" if len(parts) > 1 else "deadline"
    return f"{label} " + ", ".join(parts)


def describe_programme(programme: Programme | None) -> list[str]:
    """`oov-bot check`: per activity the deadline(s) the bot read."""
    if programme is None:
        return []
    lines = [f"{PROGRAMMA_FILE}: {programme.name} — {len(programme.activities)} activiteiten"]
    for priority in programme.priorities:
        lines.append(f"  {priority.name}")
        for activity in priority.activities:
            lines.append(f"    {activity.key}: {describe_deadline(activity)}")
    unknown_owner = [a.key for a in programme.activities if not a.config.owner]
    if unknown_owner:
        lines.append(f"  zonder actiehouder: {', '.join(unknown_owner)}")
    return lines


# --- spec: what the database stores of an activity's configuration ------------------------------


def activity_spec(activity: Activity) -> dict[str, Any]:
    return activity.config.model_dump(mode="json")


def activity_from_spec(
    spec: Mapping[str, Any], priority_key: str, priority_name: str, end: date
) -> Activity:
    config = ActivityConfig.model_validate(dict(spec))
    return build_activity(config, PriorityConfig(key=priority_key, name=priority_name), end)


def programme_spec(programme: Programme) -> dict[str, Any]:
    """The programme's own settings (period, regievoerders, rhythm, budget) as stored."""
    return {
        "period": {
            "name": programme.name,
            "organisation": programme.organisation,
            "start": programme.start.isoformat(),
            "end": programme.end.isoformat(),
        },
        "regievoerders": list(programme.regievoerders),
        "reminders": programme.reminders.model_dump(mode="json"),
        "retention_months": programme.retention_months,
        "budget": {
            "available": programme.budget_available_text,
            "lines": [
                {"subject": b.subject, "cost": b.cost_text}
                | ({"activity": b.activity} if b.activity else {})
                for b in programme.budget_lines
            ],
        },
        "priorities": [{"key": p.key, "name": p.name} for p in programme.priorities],
    }


class ProgrammeSettings(Struct, frozen=True):
    """The stored programme settings, read back."""

    name: str
    organisation: str
    start: date
    end: date
    regievoerders: tuple[str, ...]
    reminders: RemindersConfig
    retention_months: int
    budget_available_text: str
    budget_lines: tuple[BudgetLine, ...]
    priorities: tuple[tuple[str, str], ...]

    @property
    def budget_available(self) -> Decimal | None:
        return parse_euro(self.budget_available_text)


def settings_from_spec(spec: Mapping[str, Any]) -> ProgrammeSettings:
    period = PeriodConfig.model_validate(spec["period"])
    budget = BudgetConfig.model_validate(spec.get("budget") or {})
    return ProgrammeSettings(
        name=period.name,
        organisation=period.organisation,
        start=period.start,
        end=period.end,
        regievoerders=tuple(spec.get("regievoerders") or ()),
        reminders=RemindersConfig.model_validate(spec.get("reminders") or {}),
        retention_months=int(spec.get("retention_months") or 60),
        budget_available_text=budget.available,
        budget_lines=tuple(
            BudgetLine(b.subject, b.cost, parse_euro(b.cost), b.activity) for b in budget.lines
        ),
        priorities=tuple((p["key"], p["name"]) for p in spec.get("priorities") or ()),
    )


# --- rules ---------------------------------------------------------------------------------------


def is_late(deadline: date, status: Status, today: date) -> bool:
    return not status.closed and deadline < today


def is_at_risk(deadline: date, status: Status, today: date) -> bool:
    """Not late yet, but delayed or with its deadline within four weeks."""
    if status.closed or is_late(deadline, status, today):
        return False
    return status is Status.VERTRAAGD or deadline - today <= AT_RISK_WINDOW


def is_behind(deadline: date, status: Status, today: date) -> bool:
    """`/programma achter`: late, or marked delayed."""
    return is_late(deadline, status, today) or status is Status.VERTRAAGD


def deadline_note(deadline: date, status: Status, today: date) -> str:
    """'nog 12 dagen', 'verlopen sinds 3 dagen', '' for a closed activity."""
    if status.closed:
        return ""
    days = (deadline - today).days
    if days < 0:
        return f"deadline {-days} dag{'en' if days != -1 else ''} verstreken"
    if days == 0:
        return "deadline vandaag"
    return f"nog {days} dag{'en' if days != 1 else ''}"


def euro(amount: Decimal | None) -> str:
    return format_euro(amount) if amount is not None else "—"


def activity_tags(text: str) -> list[str]:
    """The activity keys an action item names with a hashtag ("… #bibob-beleid")."""
    return [m.group(1) for m in re.finditer(r"(?<![\w&])#([a-z0-9][a-z0-9-]{1,63})", fold(text))]


def months_between(start: date, end: date) -> Sequence[date]:
    """The first day of every month from start's month up to and including end's month."""
    found = []
    current = date(start.year, start.month, 1)
    while current <= end:
        found.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return found
