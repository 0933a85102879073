"""`config/capaciteit.yaml`: the estimates, shares and overhead of the capacity model, validated
the way every config file is (each problem as `file:line: message`). Pure."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from msgspec import Struct
from pydantic import Field, StringConstraints

from bot.core.cadence import CadenceError, parse_cadence
from bot.core.capacity import (
    DEFAULT_FTE_HOURS,
    DEFAULT_OVERHEAD_SHARE,
    DEFAULT_PIKET_HOURS,
    DEFAULT_WINDOW_WEEKS,
    Estimate,
    Settings,
)
from bot.core.config_files import (
    BlankIsAbsentModel,
    ConfigError,
    ConfigProblem,
    LoadedYaml,
    TeamConfig,
    plain_data,
    validated,
)

CAPACITY_FILE = "capaciteit.yaml"

Text = Annotated[str, StringConstraints(strip_whitespace=True)]
Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class _Piket(BlankIsAbsentModel):
    hours_per_duty_week: float = Field(default=DEFAULT_PIKET_HOURS, ge=0, le=168)
    task: Subject | None = None


class _TaskSetting(BlankIsAbsentModel):
    subject: Subject
    estimate: Text = ""
    note: Text = ""
    theme: Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)] = ""


class _CapacityFile(BlankIsAbsentModel):
    overhead_share: float = Field(default=DEFAULT_OVERHEAD_SHARE, ge=0, lt=1)
    fte_hours: float = Field(default=DEFAULT_FTE_HOURS, gt=0, le=80)
    deputy_share: float = Field(default=0.0, ge=0, le=1)
    window_weeks: int = Field(default=DEFAULT_WINDOW_WEEKS, ge=1, le=260)
    piket: _Piket = _Piket()
    tasks: tuple[_TaskSetting, ...] = ()


class CapacityFile(Struct, frozen=True):
    """A valid capaciteit.yaml: the settings plus the document as plain data (what is stored)."""

    settings: Settings
    data: Mapping[str, Any]

    @property
    def digest(self) -> str:
        text = json.dumps(self.data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


def _settings(top: _CapacityFile) -> Settings:
    return Settings(
        overhead_share=top.overhead_share,
        fte_hours=top.fte_hours,
        deputy_share=top.deputy_share,
        piket_hours_per_duty_week=top.piket.hours_per_duty_week,
        piket_task=top.piket.task,
        window_weeks=top.window_weeks,
        estimates={t.subject: Estimate(t.estimate, t.note) for t in top.tasks if t.estimate},
        themes={t.subject: t.theme for t in top.tasks if t.theme},
    )


def _check(
    doc: LoadedYaml, team: TeamConfig | None, problems: list[ConfigProblem]
) -> CapacityFile | None:
    before = len(problems)
    data = plain_data(doc.data if doc.data is not None else {})
    if not isinstance(data, Mapping):
        problems.append(doc.problem((), "het bestand moet een mapping (sleutel: waarde) zijn"))
        return None
    top = validated(doc, (), _CapacityFile, data, problems, full_path=True)
    if top is None:
        return None
    times = {t.subject: t.time for t in team.tasks} if team is not None else None
    known = (set(times or ()) | set(team.named_tasks)) if team is not None else None

    def unknown_task(subject: str) -> str | None:
        if known is None or subject in known:
            return None
        return f"onbekende taak '{subject}' (schrijf het onderwerp zoals in tasks.yaml)"

    if top.piket.task and (problem := unknown_task(top.piket.task)):
        problems.append(doc.problem(("piket", "task"), f"piket.task: {problem}"))
    seen: dict[str, int] = {}
    for index, setting in enumerate(top.tasks):
        where: tuple[str | int, ...] = ("tasks", index)
        if problem := unknown_task(setting.subject):
            problems.append(doc.problem((*where, "subject"), f"subject: {problem}"))
        if setting.subject in seen:
            problems.append(
                doc.problem(
                    (*where, "subject"),
                    f"subject: '{setting.subject}' staat er al (regel {seen[setting.subject]})",
                )
            )
        seen.setdefault(setting.subject, doc.line((*where, "subject")) or 0)
        if not setting.estimate and not setting.theme:
            problems.append(doc.problem(where, "geef een estimate, een theme of allebei"))
        if setting.estimate:
            problems += _estimate_problems(doc, (*where, "estimate"), setting, times)
    if len(problems) > before:
        return None
    return CapacityFile(_settings(top), data)


def _estimate_problems(
    doc: LoadedYaml,
    where: tuple[str | int, ...],
    setting: _TaskSetting,
    times: Mapping[str, str] | None,
) -> list[ConfigProblem]:
    try:
        cadence = parse_cadence(setting.estimate)
    except CadenceError as exc:
        return [doc.problem(where, f"estimate: {exc}")]
    if cadence.hours_per_week is None:
        return [
            doc.problem(
                where,
                f"estimate: “{setting.estimate}” geeft geen uren per week; schrijf bijvoorbeeld "
                "“4 uur per maand”",
            )
        ]
    written = (times or {}).get(setting.subject)
    if written:
        try:
            has_hours = parse_cadence(written).hours_per_week is not None
        except CadenceError:
            has_hours = False
        if has_hours:
            return [
                doc.problem(
                    where,
                    f"estimate: de taak heeft al een tijd in tasks.yaml (“{written}”); een "
                    "schatting is alleen voor taken zonder uren",
                )
            ]
    return []


def validate_capacity_file(
    doc: LoadedYaml, team: TeamConfig, problems: list[ConfigProblem]
) -> CapacityFile | None:
    """The feature file's validator (`oov-bot check`, import)."""
    return _check(doc, team, problems)


def parse_capacity_config(data: object) -> CapacityFile:
    """The stored copy read back (no task list to check against); raises ConfigError."""
    problems: list[ConfigProblem] = []
    found = _check(LoadedYaml(Path(CAPACITY_FILE), data), None, problems)
    if found is None:
        raise ConfigError(problems)
    return found
