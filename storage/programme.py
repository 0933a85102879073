"""The execution programme's queries, `oov-bot import`/`export` of programma.yaml, and the
updates made in Slack. Returns plain frozen views, never database rows.

The database is the source of truth once imported: an activity's status, notes and a deadline
moved in Slack are stored here; a re-import applies what changed only in the YAML and keeps (and
reports) what was changed in Slack.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from msgspec import Struct
from pydantic import ValidationError
from sqlalchemy import Connection, Row, insert, select, update

from bot.core.config_files import TeamConfig
from bot.core.programme import (
    PROGRAMMA_FILE,
    Activity,
    Programme,
    ProgrammeSettings,
    Status,
    activity_from_spec,
    activity_spec,
    programme_spec,
    settings_from_spec,
)
from storage.import_report import ImportReport
from storage.models.actions import action_items
from storage.models.programme import programme, programme_activities, programme_updates
from storage.session import Database, changed_columns
from storage.yaml_io import _merge

log = logging.getLogger(__name__)

IMPORT_BY = "import"


class UnknownActivityError(LookupError):
    pass


class UpdateView(Struct, frozen=True):
    id: int
    activity_id: int
    at: datetime
    by: str
    kind: str  # status | deadline | no_change | import
    status_from: Status | None
    status_to: Status | None
    deadline_from: date | None
    deadline_to: date | None
    spent: Decimal | None
    note: str
    note_purged: bool


class ActivityView(Struct, frozen=True):
    id: int
    activity: Activity
    status: Status
    deadline: date
    original_deadline: date
    owner_key: str | None
    position: int
    updated_at: datetime

    @property
    def key(self) -> str:
        return self.activity.key

    @property
    def name(self) -> str:
        return self.activity.name

    @property
    def moved(self) -> bool:
        return self.deadline != self.original_deadline


class LinkedItem(Struct, frozen=True):
    """An action item that names the activity with `#key`."""

    id: int
    text: str
    owner_slack_id: str
    status: str
    due_on: date | None
    permalink: str | None
    channel: str  # where the item was agreed: who may read it depends on it


def _status(value: str | None) -> Status | None:
    try:
        return Status(value) if value else None
    except ValueError:
        return None


def _update_view(row: Mapping[str, Any]) -> UpdateView:
    """The view of a `programme_updates` row (its `_mapping`, or the values just written)."""
    return UpdateView(
        id=row["id"],
        activity_id=row["activity_id"],
        at=row["at"],
        by=row["by"],
        kind=row["kind"],
        status_from=_status(row["status_from"]),
        status_to=_status(row["status_to"]),
        deadline_from=row["deadline_from"],
        deadline_to=row["deadline_to"],
        spent=row["spent"],
        note=row["note"],
        note_purged=row["note_purged"],
    )


def _programme_spec(conn: Connection) -> dict[str, Any] | None:
    return conn.scalar(select(programme.c.spec).where(programme.c.id == 1))


def _activity_row(conn: Connection, activity_id: int, *, lock: bool = False) -> Row[Any] | None:
    query = select(programme_activities).where(programme_activities.c.id == activity_id)
    return conn.execute(query.with_for_update() if lock else query).one_or_none()


class ProgrammeStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- reading ---------------------------------------------------------------------------------

    def settings(self) -> ProgrammeSettings | None:
        with self.db.transaction() as conn:
            spec = _programme_spec(conn)
            if spec is None:
                return None
            try:
                return settings_from_spec(spec)
            except (ValidationError, KeyError):
                log.error("the programme in the database does not fit this version; re-import it")
                return None

    def _view(self, row: Mapping[str, Any], end: date) -> ActivityView | None:
        """The view of a `programme_activities` row (its `_mapping`, or the values just
        written)."""
        try:
            activity = activity_from_spec(
                row["spec"], row["priority_key"], row["priority_name"], end
            )
        except ValidationError:
            log.error(
                "activity %s in the database does not fit this version; re-import", row["key"]
            )
            return None
        return ActivityView(
            id=row["id"],
            activity=activity,
            status=_status(row["status"]) or Status.NIET_GESTART,
            deadline=row["deadline"],
            original_deadline=row["original_deadline"],
            owner_key=row["owner_key"],
            position=row["position"],
            updated_at=row["updated_at"],
        )

    def _end(self, conn: Connection) -> date:
        spec = _programme_spec(conn)
        try:
            return settings_from_spec(spec).end if spec is not None else date.max
        except (ValidationError, KeyError):
            return date.max

    def activities(self) -> list[ActivityView]:
        """The active activities in programme order."""
        with self.db.transaction() as conn:
            end = self._end(conn)
            rows = conn.execute(
                select(programme_activities)
                .where(programme_activities.c.active)
                .order_by(programme_activities.c.position, programme_activities.c.id)
            ).all()
            return [v for row in rows if (v := self._view(row._mapping, end)) is not None]

    def activity(self, activity_id: int) -> ActivityView:
        with self.db.transaction() as conn:
            row = _activity_row(conn, activity_id)
            view = (
                self._view(row._mapping, self._end(conn))
                if row is not None and row.active
                else None
            )
        if view is None:
            raise UnknownActivityError(activity_id)
        return view

    def history(self, activity_id: int) -> list[UpdateView]:
        with self.db.transaction() as conn:
            rows = conn.execute(
                select(programme_updates)
                .where(programme_updates.c.activity_id == activity_id)
                .order_by(programme_updates.c.at, programme_updates.c.id)
            ).all()
            return [_update_view(r._mapping) for r in rows]

    def updates(
        self,
        *,
        until: datetime | None = None,
        since: datetime | None = None,
        activity_ids: Iterable[int] | None = None,
    ) -> list[UpdateView]:
        """Updates in time order, optionally within (since, until] and for some activities."""
        query = select(programme_updates).order_by(programme_updates.c.at, programme_updates.c.id)
        if until is not None:
            query = query.where(programme_updates.c.at <= until)
        if since is not None:
            query = query.where(programme_updates.c.at > since)
        if activity_ids is not None:
            query = query.where(programme_updates.c.activity_id.in_(list(activity_ids)))
        with self.db.transaction() as conn:
            return [_update_view(r._mapping) for r in conn.execute(query)]

    def linked_items(self, key: str, limit: int = 20) -> list[LinkedItem]:
        """Action items whose text names `#key` (the activity's key), newest first."""
        pattern = f"%#{key}%"
        item = action_items.c
        with self.db.transaction() as conn:
            rows = conn.execute(
                select(
                    item.id,
                    item.text,
                    item.owner_slack_id,
                    item.status,
                    item.due_on,
                    item.permalink,
                    item.channel,
                )
                .where(item.text.ilike(pattern), item.status != "cancelled")
                .order_by(item.id.desc())
                .limit(limit * 2)
            ).all()
            found = []
            for row in rows:
                # "#bibob-beleid" must not also link "#bibob-beleid-2"
                rest = row.text.lower().split(f"#{key}", 1)[1][:1]
                if rest and (rest.isalnum() or rest == "-"):
                    continue
                found.append(
                    LinkedItem(
                        row.id,
                        row.text,
                        row.owner_slack_id,
                        row.status,
                        row.due_on,
                        row.permalink,
                        row.channel,
                    )
                )
            return found[:limit]

    # -- changing --------------------------------------------------------------------------------

    def record(
        self,
        activity_id: int,
        *,
        kind: str,
        by: str,
        now: datetime,
        status: Status | None = None,
        deadline: date | None = None,
        spent: Decimal | None = None,
        note: str = "",
    ) -> tuple[ActivityView, UpdateView]:
        """Store one update and apply it to the activity, in one transaction."""
        with self.db.transaction() as conn:
            # Locked until the end of the transaction: two updates at once each see the other's
            # status as their "from".
            row = _activity_row(conn, activity_id, lock=True)
            if row is None or not row.active:
                raise UnknownActivityError(activity_id)
            update_values: dict[str, Any] = {
                "activity_id": row.id,
                "at": now,
                "by": by,
                "kind": kind,
                "status_from": row.status,
                "status_to": status.value if status else row.status,
                "deadline_from": row.deadline if deadline else None,
                "deadline_to": deadline,
                "spent": spent,
                "note": note,
                "note_purged": False,
            }
            changes: dict[str, Any] = {"updated_at": now}
            if status is not None:
                changes["status"] = status.value
            if deadline is not None:
                changes["deadline"] = deadline
            conn.execute(
                update(programme_activities)
                .where(programme_activities.c.id == row.id)
                .values(changes)
            )
            update_id = conn.execute(
                insert(programme_updates).values(update_values)
            ).inserted_primary_key[0]
            # The views carry the values as written, not as read back.
            view = self._view({**row._mapping, **changes}, self._end(conn))
            if view is None:
                raise UnknownActivityError(activity_id)
            return view, _update_view({**update_values, "id": update_id})

    def purge_notes(self, before: datetime) -> int:
        """Blank the text of notes written before the cut-off (retention); the status history
        itself stays."""
        with self.db.transaction() as conn:
            result = conn.execute(
                update(programme_updates)
                .where(programme_updates.c.at < before, ~programme_updates.c.note_purged)
                .values(note="", note_purged=True)
            )
            return int(result.rowcount or 0)


# --- import / export ------------------------------------------------------------------------------


def _fields(activity: Activity, position: int) -> dict[str, Any]:
    return {
        **activity_spec(activity),
        "priority_key": activity.priority_key,
        "priority_name": activity.priority_name,
        "position": position,
        "due": activity.deadline.isoformat(),
    }


def _current(row: Row[Any], end: date) -> dict[str, Any]:
    """The row as the merge sees it. A deadline moved in Slack counts as the row's explicit
    `deadline`, so an export (which writes it so) imports without a change."""
    current = {
        **row.spec,
        "priority_key": row.priority_key,
        "priority_name": row.priority_name,
        "position": row.position,
        "due": row.deadline.isoformat(),
    }
    try:
        read = activity_from_spec(row.spec, row.priority_key, row.priority_name, end).deadline
    except ValidationError:
        read = row.deadline
    if row.deadline != read:
        current["deadline"] = row.deadline.isoformat()
    return current


def import_programme(
    conn: Connection, team: TeamConfig, now: datetime, report: ImportReport
) -> None:
    """`oov-bot import` step for programma.yaml. Without the file nothing changes."""
    found: Programme | None = team.extra.get(PROGRAMMA_FILE)
    if found is None:
        return
    spec = programme_spec(found)
    settings_spec = _programme_spec(conn)
    if settings_spec is None:
        conn.execute(insert(programme).values(id=1, spec=spec, updated_at=now))
    elif settings_spec != spec:
        conn.execute(update(programme).where(programme.c.id == 1).values(spec=spec, updated_at=now))
        report.updated.append("programma")
    existing = {row.key: row for row in conn.execute(select(programme_activities))}
    new_activities: list[dict[str, Any]] = []
    moved_deadlines: list[dict[str, Any]] = []
    for position, activity in enumerate(found.activities):
        theirs = _fields(activity, position)
        row = existing.get(activity.key)
        label = f"activiteit {activity.key}"
        if row is None:
            new_activities.append(
                {
                    "key": activity.key,
                    "priority_key": activity.priority_key,
                    "priority_name": activity.priority_name,
                    "position": position,
                    "spec": activity_spec(activity),
                    "owner_key": activity.config.owner,
                    "status": Status.NIET_GESTART.value,
                    "deadline": activity.deadline,
                    "original_deadline": activity.deadline,
                    "imported": theirs,
                    "active": True,
                    "updated_at": now,
                }
            )
            report.created.append(label)
            continue
        current = _current(row, found.end)
        updates, imported = _merge(label, row.imported, current, theirs, report)
        values: dict[str, Any] = {"imported": imported}
        if updates or not row.active:
            new_spec = dict(row.spec)
            for name, value in updates.items():
                if name in ("priority_key", "priority_name", "position", "due"):
                    continue
                new_spec[name] = value
            values |= {
                "spec": new_spec,
                "owner_key": new_spec.get("owner"),
                "priority_key": updates.get("priority_key", row.priority_key),
                "priority_name": updates.get("priority_name", row.priority_name),
                "position": updates.get("position", row.position),
            }
            if "due" in updates:
                new_deadline = date.fromisoformat(updates["due"])
                moved_deadlines.append(
                    {
                        "activity_id": row.id,
                        "at": now,
                        "by": IMPORT_BY,
                        "kind": "import",
                        "status_from": row.status,
                        "status_to": row.status,
                        "deadline_from": row.deadline,
                        "deadline_to": new_deadline,
                        "spent": None,
                        "note": "",
                        "note_purged": False,
                    }
                )
                if row.deadline == row.original_deadline:
                    values["original_deadline"] = new_deadline
                values["deadline"] = new_deadline
            values |= {"active": True, "updated_at": now}
            if set(updates) - {"position"}:
                report.updated.append(label)
        if changed := changed_columns(row, values):
            conn.execute(
                update(programme_activities)
                .where(programme_activities.c.id == row.id)
                .values(changed)
            )
    keys = {a.key for a in found.activities}
    for row in existing.values():
        if row.key not in keys and row.active:
            conn.execute(
                update(programme_activities)
                .where(programme_activities.c.id == row.id)
                .values(active=False, updated_at=now)
            )
            report.retired.append(f"activiteit {row.key}")
    # Inserted together at the end, as the ORM's flush wrote them: new activities in file order
    # (their ids follow it), then the deadlines the file moved.
    if new_activities:
        conn.execute(insert(programme_activities), new_activities)
    if moved_deadlines:
        conn.execute(insert(programme_updates), moved_deadlines)


def _clean(spec: dict[str, Any]) -> dict[str, Any]:
    defaults = {
        "approach": "",
        "criterion": "",
        "partners": "",
        "budget": "",
        "portfolio_holder": "",
        "scope": "lokaal",
    }
    return {
        k: v
        for k, v in spec.items()
        if v is not None and v != () and v != [] and defaults.get(k, object()) != v
    }


def export_programme(conn: Connection) -> dict[str, dict[str, Any]]:
    """programma.yaml from the database. A deadline moved in Slack is written as `deadline:`,
    so importing the export changes nothing. Statuses and notes stay in the database (the
    report carries them)."""
    settings_spec = _programme_spec(conn)
    if settings_spec is None:
        return {}
    spec = dict(settings_spec)
    end = settings_from_spec(spec).end
    rows = conn.execute(
        select(programme_activities)
        .where(programme_activities.c.active)
        .order_by(programme_activities.c.position, programme_activities.c.id)
    ).all()
    priorities: list[dict[str, Any]] = []
    by_key: dict[str, dict[str, Any]] = {}
    for key, name in ((p["key"], p["name"]) for p in spec.get("priorities") or ()):
        by_key[key] = {"key": key, "name": name, "activities": []}
        priorities.append(by_key[key])
    for row in rows:
        entry = _clean(dict(row.spec))
        try:
            read = activity_from_spec(row.spec, row.priority_key, row.priority_name, end)
        except ValidationError:
            continue
        if row.deadline != read.deadline:
            entry["deadline"] = row.deadline.isoformat()
        if row.priority_key not in by_key:
            by_key[row.priority_key] = {
                "key": row.priority_key,
                "name": row.priority_name,
                "activities": [],
            }
            priorities.append(by_key[row.priority_key])
        by_key[row.priority_key]["activities"].append(entry)
    data = {k: v for k, v in spec.items() if k != "priorities"}
    data["priorities"] = [p for p in priorities if p["activities"]]
    return {PROGRAMMA_FILE: data}


def sum_spent(updates: Sequence[UpdateView]) -> dict[int, Decimal]:
    spent: dict[int, Decimal] = {}
    for u in updates:
        if u.spent is not None:
            spent[u.activity_id] = spent.get(u.activity_id, Decimal(0)) + u.spent
    return spent
