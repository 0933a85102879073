"""YAML ⇄ database: `oov-bot import` and `oov-bot export`.

The database is the source of truth once imported. Each row remembers the values of the last import
(`imported`), so a re-import is a three-way merge: a field changed only in the YAML is applied, a
field changed only in Slack is kept, and a field changed in both is kept as in Slack and reported
as a conflict (again on every import, until the YAML agrees).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.config_files import PEOPLE_FILE, TASKS_FILE, PersonConfig, TaskConfig, TeamConfig
from storage.access import export_access, import_access
from storage.import_report import ImportReport
from storage.models.team import Person, Task, TaskOwnershipChange
from storage.session import Database


def _merge(
    label: str,
    base: Mapping[str, Any] | None,
    ours: Mapping[str, Any],
    theirs: Mapping[str, Any],
    report: ImportReport,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Three-way merge of one row. Returns (fields to write, new import base)."""
    updates: dict[str, Any] = {}
    new_base = dict(theirs)
    for name, theirs_value in theirs.items():
        ours_value = ours.get(name)
        base_value = theirs_value if base is None else base.get(name)
        if theirs_value == ours_value:
            continue
        if base is None or ours_value == base_value:
            updates[name] = theirs_value
        elif theirs_value == base_value:
            report.kept_from_slack.append(f"{label}: {name} = {ours_value!r}")
        else:
            report.conflicts.append(
                f"{label}: {name} is in Slack gewijzigd naar {ours_value!r}, in YAML naar "
                f"{theirs_value!r}; de waarde uit Slack blijft staan"
            )
            new_base[name] = base_value  # keep reporting until the YAML agrees
    return updates, new_base


def _person_fields(p: PersonConfig) -> dict[str, Any]:
    return {"name": p.name, "slack_id": p.slack_id or None, "hours_per_week": p.hours_per_week}


def _task_fields(t: TaskConfig, position: int) -> dict[str, Any]:
    return {
        "category": t.category.value,
        "description": t.description,
        "duties": t.duties,
        "time_text": t.time,
        "legal_basis": t.legal_basis,
        "aliases": list(t.aliases),
        "owner": t.owner,
        "deputy": t.deputy,
        "position": position,
    }


def _task_current(task: Task) -> dict[str, Any]:
    return {
        "category": task.category,
        "description": task.description,
        "duties": task.duties,
        "time_text": task.time_text,
        "legal_basis": task.legal_basis,
        "aliases": list(task.aliases or []),
        "owner": task.owner.key if task.owner else None,
        "deputy": task.deputy.key if task.deputy else None,
        "position": task.position,
    }


def _import_people(s: Session, team: TeamConfig, now: datetime, report: ImportReport) -> None:
    existing = {p.key: p for p in s.scalars(select(Person))}
    for cfg in team.people:
        theirs = _person_fields(cfg)
        person = existing.get(cfg.key)
        if person is None:
            s.add(Person(key=cfg.key, imported=theirs, updated_at=now, **theirs))
            report.created.append(f"persoon {cfg.key}")
            continue
        ours = {
            "name": person.name,
            "slack_id": person.slack_id,
            "hours_per_week": person.hours_per_week,
        }
        updates, person.imported = _merge(
            f"persoon {cfg.key}", person.imported, ours, theirs, report
        )
        if updates or not person.active:
            for name, value in updates.items():
                setattr(person, name, value)
            person.active = True
            person.updated_at = now
            report.updated.append(f"persoon {cfg.key}")
    keys = {p.key for p in team.people}
    for person in existing.values():
        # People created in Slack (never imported) stay: removing them would lose a Slack change.
        if person.key not in keys and person.active and person.imported is not None:
            person.active = False
            person.updated_at = now
            report.retired.append(f"persoon {person.key}")
    s.flush()


def _import_tasks(s: Session, team: TeamConfig, now: datetime, report: ImportReport) -> None:
    people = {p.key: p for p in s.scalars(select(Person))}
    existing = {t.subject: t for t in s.scalars(select(Task)).unique()}
    for position, cfg in enumerate(team.tasks):
        theirs = _task_fields(cfg, position)
        task = existing.get(cfg.subject)
        if task is None:
            task = Task(subject=cfg.subject, updated_at=now)
            s.add(task)
            ours: dict[str, Any] = {}
            base = None
            report.created.append(f"taak {cfg.subject}")
        else:
            ours = _task_current(task)
            base = task.imported
        updates, task.imported = _merge(f"taak {cfg.subject}", base, ours, theirs, report)
        for name, value in updates.items():
            if name in ("owner", "deputy"):
                person = people[value] if value else None
                previous = getattr(task, name)
                setattr(task, name, person)
                if task.id is not None and previous is not person:
                    s.add(
                        TaskOwnershipChange(
                            task_id=task.id,
                            role=name,
                            from_person_id=previous.id if previous else None,
                            to_person_id=person.id if person else None,
                            changed_by="import",
                            source="import",
                            changed_at=now,
                        )
                    )
            else:
                setattr(task, name, value)
        if (updates or not task.active) and task.id is not None:
            report.updated.append(f"taak {cfg.subject}")
        if updates or not task.active:
            task.active = True
            task.updated_at = now
    subjects = {t.subject for t in team.tasks}
    for task in existing.values():
        if task.subject not in subjects and task.active:
            task.active = False
            task.updated_at = now
            report.retired.append(f"taak {task.subject}")
    s.flush()


# A feature's import step: (session, validated config, now, report).
FeatureImporter = Callable[[Session, TeamConfig, datetime, ImportReport], None]
# A feature's export step: session -> {file name: data}.
FeatureExporter = Callable[[Session], Mapping[str, Mapping[str, Any]]]


def import_config(
    db: Database, team: TeamConfig, now: datetime, importers: Sequence[FeatureImporter]
) -> ImportReport:
    """Load validated config (people, tasks, then each feature's file) into the database in one
    transaction; idempotent."""
    report = ImportReport()
    with db.session() as s:
        _import_people(s, team, now, report)
        _import_tasks(s, team, now, report)
        import_access(s, team, now, report)
        for importer in importers:
            importer(s, team, now, report)
    return report


def _dump(header: str, data: Mapping[str, Any]) -> str:
    from ruamel.yaml import YAML  # here: only `oov-bot export` writes YAML, never the web

    yaml = YAML()
    yaml.width = 4096  # keep each value on one line, as in the hand-written files
    yaml.indent(mapping=2, sequence=4, offset=2)
    buffer = io.StringIO()
    buffer.write(header)
    yaml.dump(data, buffer)
    return buffer.getvalue()


def export_config(db: Database, exporters: Sequence[FeatureExporter]) -> dict[str, str]:
    """The database as YAML files (file name -> text) that `oov-bot import` accepts."""
    with db.session() as s:
        people = list(s.scalars(select(Person).where(Person.active).order_by(Person.key)))
        tasks = list(
            s.scalars(select(Task).where(Task.active).order_by(Task.position, Task.id)).unique()
        )
        people_data: dict[str, Any] = {
            "people": [
                {
                    "key": p.key,
                    "name": p.name,
                    "slack_id": p.slack_id or "",
                    "hours_per_week": p.hours_per_week,
                }
                for p in people
            ]
        }
        if (access := export_access(s)) is not None:
            people_data["access"] = access
        tasks_data = {
            "tasks": [
                {
                    "subject": t.subject,
                    "category": t.category,
                    "description": t.description,
                    "duties": t.duties,
                    "time": t.time_text,
                    "legal_basis": t.legal_basis,
                    "owner": t.owner.key if t.owner else None,
                    "deputy": t.deputy.key if t.deputy else None,
                    "aliases": list(t.aliases or []),
                }
                for t in tasks
            ]
        }
        features = {name: data for export in exporters for name, data in export(s).items()}
    header = "# Exported by `oov-bot export` from the database.\n"
    files = {PEOPLE_FILE: _dump(header, people_data), TASKS_FILE: _dump(header, tasks_data)}
    return files | {name: _dump(header, data) for name, data in features.items()}
