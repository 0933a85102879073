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

from sqlalchemy import Connection, Row, Table, insert, select, update

from bot.core.config_files import PEOPLE_FILE, TASKS_FILE, PersonConfig, TaskConfig, TeamConfig
from storage.access import export_access, import_access
from storage.import_report import ImportReport
from storage.models.team import people, task_ownership_changes, tasks
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


_owner = people.alias("owner")
_deputy = people.alias("deputy")
# Tasks with the keys of their owner and deputy (outer joins: either may be unset).
_TASKS_WITH_KEYS = (
    select(tasks, _owner.c.key.label("owner_key"), _deputy.c.key.label("deputy_key"))
    .outerjoin(_owner, tasks.c.owner_id == _owner.c.id)
    .outerjoin(_deputy, tasks.c.deputy_id == _deputy.c.id)
)


def _task_current(task: Row[Any]) -> dict[str, Any]:
    """A row of _TASKS_WITH_KEYS as _task_fields describes a task."""
    return {
        "category": task.category,
        "description": task.description,
        "duties": task.duties,
        "time_text": task.time_text,
        "legal_basis": task.legal_basis,
        "aliases": list(task.aliases or []),
        "owner": task.owner_key,
        "deputy": task.deputy_key,
        "position": task.position,
    }


def _write(
    conn: Connection, table: Table, changes: dict[int, dict[str, Any]], new: list[dict[str, Any]]
) -> None:
    """The updates (by id, in id order), then the inserts (in order): the order the ORM flushed
    them in, which a change of Slack ID from one row to another may depend on."""
    for row_id in sorted(changes):
        conn.execute(update(table).where(table.c.id == row_id).values(**changes[row_id]))
    if new:
        conn.execute(insert(table), new)


def _import_people(conn: Connection, team: TeamConfig, now: datetime, report: ImportReport) -> None:
    existing = {p.key: p for p in conn.execute(select(people))}
    changes: dict[int, dict[str, Any]] = {}
    new: list[dict[str, Any]] = []
    for cfg in team.people:
        theirs = _person_fields(cfg)
        person = existing.get(cfg.key)
        if person is None:
            new.append({"key": cfg.key, "imported": theirs, "updated_at": now, **theirs})
            report.created.append(f"persoon {cfg.key}")
            continue
        ours = {
            "name": person.name,
            "slack_id": person.slack_id,
            "hours_per_week": person.hours_per_week,
        }
        updates, imported = _merge(f"persoon {cfg.key}", person.imported, ours, theirs, report)
        values: dict[str, Any] = {}
        if imported != person.imported:  # an unchanged row is not written (nor its version)
            values["imported"] = imported
        if updates or not person.active:
            values |= updates | {"active": True, "updated_at": now}
            report.updated.append(f"persoon {cfg.key}")
        if values:
            changes[person.id] = values
    keys = {p.key for p in team.people}
    for person in existing.values():
        # People created in Slack (never imported) stay: removing them would lose a Slack change.
        if person.key not in keys and person.active and person.imported is not None:
            changes[person.id] = {"active": False, "updated_at": now}
            report.retired.append(f"persoon {person.key}")
    _write(conn, people, changes, new)


def _task_columns(fields: Mapping[str, Any], person_ids: Mapping[str, int]) -> dict[str, Any]:
    """Task fields as columns: the owner and deputy (person keys) as person ids."""
    columns = dict(fields)
    for role in ("owner", "deputy"):
        if role in columns:
            key = columns.pop(role)
            columns[f"{role}_id"] = person_ids[key] if key else None
    return columns


def _import_tasks(conn: Connection, team: TeamConfig, now: datetime, report: ImportReport) -> None:
    person_ids = {
        key: person_id for person_id, key in conn.execute(select(people.c.id, people.c.key))
    }
    existing = {t.subject: t for t in conn.execute(_TASKS_WITH_KEYS)}
    changes: dict[int, dict[str, Any]] = {}
    new: list[dict[str, Any]] = []
    ownership: list[dict[str, Any]] = []
    for position, cfg in enumerate(team.tasks):
        theirs = _task_fields(cfg, position)
        task = existing.get(cfg.subject)
        if task is None:
            new.append(
                {
                    "subject": cfg.subject,
                    **_task_columns(theirs, person_ids),
                    "imported": theirs,
                    "updated_at": now,
                }
            )
            report.created.append(f"taak {cfg.subject}")
            continue
        updates, imported = _merge(
            f"taak {cfg.subject}", task.imported, _task_current(task), theirs, report
        )
        values = _task_columns(updates, person_ids)
        for role in ("owner", "deputy"):
            if role in updates:
                ownership.append(
                    {
                        "task_id": task.id,
                        "role": role,
                        "from_person_id": getattr(task, f"{role}_id"),
                        "to_person_id": values[f"{role}_id"],
                        "changed_by": "import",
                        "source": "import",
                        "changed_at": now,
                    }
                )
        if imported != task.imported:  # an unchanged row is not written (nor its version)
            values["imported"] = imported
        if updates or not task.active:
            report.updated.append(f"taak {cfg.subject}")
            values |= {"active": True, "updated_at": now}
        if values:
            changes[task.id] = values
    subjects = {t.subject for t in team.tasks}
    for task in existing.values():
        if task.subject not in subjects and task.active:
            changes[task.id] = {"active": False, "updated_at": now}
            report.retired.append(f"taak {task.subject}")
    _write(conn, tasks, changes, new)
    if ownership:  # after the tasks: the audit rows refer to them
        conn.execute(insert(task_ownership_changes), ownership)


def _export_people(conn: Connection) -> list[dict[str, Any]]:
    """people.yaml's people: the active ones, by key."""
    rows = conn.execute(select(people).where(people.c.active).order_by(people.c.key))
    return [
        {
            "key": p.key,
            "name": p.name,
            "slack_id": p.slack_id or "",
            "hours_per_week": p.hours_per_week,
        }
        for p in rows
    ]


def _export_tasks(conn: Connection) -> list[dict[str, Any]]:
    """tasks.yaml's tasks: the active ones, in overview order."""
    rows = conn.execute(
        _TASKS_WITH_KEYS.where(tasks.c.active).order_by(tasks.c.position, tasks.c.id)
    )
    return [
        {
            "subject": t.subject,
            "category": t.category,
            "description": t.description,
            "duties": t.duties,
            "time": t.time_text,
            "legal_basis": t.legal_basis,
            "owner": t.owner_key,
            "deputy": t.deputy_key,
            "aliases": list(t.aliases or []),
        }
        for t in rows
    ]


# A feature's import step: (the import's transaction, validated config, now, report).
FeatureImporter = Callable[[Connection, TeamConfig, datetime, ImportReport], None]
# A feature's export step: connection -> {file name: data}.
FeatureExporter = Callable[[Connection], Mapping[str, Mapping[str, Any]]]


def import_config(
    db: Database, team: TeamConfig, now: datetime, importers: Sequence[FeatureImporter]
) -> ImportReport:
    """Load validated config (people, tasks, then each feature's file) into the database in one
    transaction; idempotent."""
    report = ImportReport()
    with db.transaction() as conn:
        _import_people(conn, team, now, report)
        _import_tasks(conn, team, now, report)
        import_access(conn, team, now, report)
        for importer in importers:
            importer(conn, team, now, report)
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
    with db.transaction() as conn:
        people_data: dict[str, Any] = {"people": _export_people(conn)}
        if (access := export_access(conn)) is not None:
            people_data["access"] = access
        tasks_data = {"tasks": _export_tasks(conn)}
        features = {name: data for export in exporters for name, data in export(conn).items()}
    header = "# Exported by `oov-bot export` from the database.\n"
    files = {PEOPLE_FILE: _dump(header, people_data), TASKS_FILE: _dump(header, tasks_data)}
    return files | {name: _dump(header, data) for name, data in features.items()}
