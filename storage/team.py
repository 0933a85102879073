"""Queries for people, tasks and ownership changes. Returns plain frozen views, never rows, so
callers need no open connection."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

from msgspec import Struct
from sqlalchemy import Connection, Row, insert, select, update

from bot.language.fold import fold
from storage.models.team import people, task_ownership_changes, tasks
from storage.session import Database
from storage.versions import TEAM, ReadModel, read_versions

_WORD = re.compile(r"[a-z0-9]+")

if TYPE_CHECKING:
    from bot.core.task_search import TaskIndex


class PersonView(Struct, frozen=True):
    id: int
    key: str
    name: str
    slack_id: str | None
    hours_per_week: float


class TaskView(Struct, frozen=True):
    id: int
    subject: str
    category: str
    description: str
    duties: str
    time_text: str
    legal_basis: str
    aliases: tuple[str, ...]
    owner: PersonView | None
    deputy: PersonView | None


class OwnershipChangeView(Struct, frozen=True):
    task: TaskView
    role: str
    previous: PersonView | None
    new: PersonView | None
    changed_by: str
    changed_at: datetime


class UnknownTaskError(LookupError):
    pass


class PersonRow(Protocol):
    """What a person view is made of: a row of `people`."""

    @property
    def id(self) -> int: ...
    @property
    def key(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def slack_id(self) -> str | None: ...
    @property
    def hours_per_week(self) -> float: ...


def person_view(person: PersonRow | None) -> PersonView | None:
    if person is None:
        return None
    return PersonView(person.id, person.key, person.name, person.slack_id, person.hours_per_week)


def task_view(task: Row[Any], people_by_id: Mapping[int, PersonView]) -> TaskView:
    """A row of `tasks` with its owner and deputy, looked up in `people_by_id`."""
    return TaskView(
        id=task.id,
        subject=task.subject,
        category=task.category,
        description=task.description,
        duties=task.duties,
        time_text=task.time_text,
        legal_basis=task.legal_basis,
        aliases=tuple(task.aliases or ()),
        owner=people_by_id.get(task.owner_id) if task.owner_id else None,
        deputy=people_by_id.get(task.deputy_id) if task.deputy_id else None,
    )


def _people_by_id(conn: Connection, ids: Iterable[int | None]) -> dict[int, PersonView]:
    """The people with these ids (None and unknown ids are left out)."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = conn.execute(select(people).where(people.c.id.in_(wanted)))
    return {v.id: v for row in rows if (v := person_view(row))}


class TeamSnapshot(Struct, frozen=True, dict=True):
    """The people and the active tasks at one team data version, indexed the ways commands ask:
    people by key, Slack ID and name, tasks by id and by owner and deputy."""

    people: tuple[PersonView, ...]  # active, by name
    tasks: tuple[TaskView, ...]  # active, in overview order
    by_key: dict[str, PersonView]
    by_slack_id: dict[str, PersonView]  # inactive people too (a Slack user stays who they are)
    by_name: dict[str, PersonView]  # folded (bot.language.fold)
    tasks_by_id: dict[int, TaskView]
    owned: dict[int, tuple[TaskView, ...]]
    deputy: dict[int, tuple[TaskView, ...]]

    @classmethod
    def of(cls, people: list[PersonView], active: set[int], tasks: list[TaskView]) -> TeamSnapshot:
        current = [p for p in people if p.id in active]
        owned: dict[int, list[TaskView]] = {}
        deputy: dict[int, list[TaskView]] = {}
        for task in tasks:
            if task.owner is not None:
                owned.setdefault(task.owner.id, []).append(task)
            if task.deputy is not None:
                deputy.setdefault(task.deputy.id, []).append(task)
        by_name: dict[str, PersonView] = {}
        for person in reversed(current):  # the first by name wins, as the query's first row did
            by_name[fold(person.name)] = person
        return cls(
            people=tuple(current),
            tasks=tuple(tasks),
            by_key={p.key: p for p in current},
            by_slack_id={p.slack_id: p for p in people if p.slack_id},
            by_name=by_name,
            tasks_by_id={t.id: t for t in tasks},
            owned={k: tuple(v) for k, v in owned.items()},
            deputy={k: tuple(v) for k, v in deputy.items()},
        )

    @cached_property
    def _name_words(self) -> tuple[tuple[frozenset[str], PersonView], ...]:
        return tuple((frozenset(_WORD.findall(f"{fold(p.name)} {p.key}")), p) for p in self.people)

    def people_by_words(self, ref: str) -> tuple[PersonView, ...]:
        """The people whose name or key holds every word of the folded `ref`, however they are
        joined ("boa coordinator" for "Boa-coördinator", "anna" for "Anna Vos"), by name."""
        words = set(_WORD.findall(ref))
        if not words:
            return ()
        return tuple(person for name_words, person in self._name_words if words <= name_words)

    @cached_property
    def task_index(self) -> TaskIndex:
        """The search over these tasks (`/wie`, a what-if's task), built once per snapshot for
        every command that searches: for a region's thousands of tasks that takes seconds."""
        from bot.core.task_search import SearchableTask, TaskIndex  # the stemmer, when searched

        searchable = (
            SearchableTask(t.id, t.subject, t.description, t.duties, t.aliases, t.legal_basis)
            for t in self.tasks
        )
        return TaskIndex(list(searchable))


class TeamStore:
    """People and the task overview as the bot sees them (active rows only). Reads answer from a
    read model rebuilt when the team's data version moves (see storage.versions)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._snapshot = ReadModel(db, (TEAM,), self._load)

    def _load(self) -> TeamSnapshot:
        with self.db.transaction() as conn:
            people_rows = conn.execute(select(people).order_by(people.c.name, people.c.id)).all()
            task_rows = conn.execute(
                select(tasks).where(tasks.c.active).order_by(tasks.c.position, tasks.c.id)
            ).all()
        views = [v for p in people_rows if (v := person_view(p))]
        active = {p.id for p in people_rows if p.active}
        # Every person, inactive ones too: a task may still name one as owner or deputy.
        by_id = {v.id: v for v in views}
        return TeamSnapshot.of(views, active, [task_view(t, by_id) for t in task_rows])

    def snapshot(self) -> TeamSnapshot:
        """The team as it is now (one small version query when nothing changed)."""
        return self._snapshot.get()

    def last_snapshot(self) -> TeamSnapshot | None:
        """The last team read, however old: for answering while the database is away."""
        return self._snapshot.last()

    def refresh(self) -> None:
        self._snapshot.refresh()

    def tasks(self) -> list[TaskView]:
        return list(self.snapshot().tasks)

    def tasks_version(self) -> tuple[int, int]:
        """(active tasks, the team's data version): the version moves with every change to a
        task or a person, whichever process made it (count first: "any tasks yet?")."""
        count = len(self.snapshot().tasks)
        return count, read_versions(self.db).get(TEAM, 0)

    def task(self, task_id: int) -> TaskView:
        task = self.snapshot().tasks_by_id.get(task_id)
        if task is None:
            raise UnknownTaskError(task_id)
        return task

    def people(self) -> list[PersonView]:
        return list(self.snapshot().people)

    def person_by_slack_id(self, slack_id: str) -> PersonView | None:
        return self.snapshot().by_slack_id.get(slack_id)

    def find_person(self, ref: str) -> PersonView | None:
        """A person by key, Slack ID or name, compared folded (case, accents and invisible
        characters do not count); None when unknown."""
        ref = fold(ref).strip().lstrip("@")
        team = self.snapshot()
        found = team.by_key.get(ref) or team.by_name.get(ref)
        if found is None:
            by_slack = team.by_slack_id.get(ref.upper())
            found = by_slack if by_slack is not None and by_slack.key in team.by_key else None
        return found

    def people_by_words(self, ref: str) -> tuple[PersonView, ...]:
        """The people whose name or key holds every word of `ref` (see
        TeamSnapshot.people_by_words); for an argument that can only be a person."""
        return self.snapshot().people_by_words(fold(ref))

    def tasks_of(self, person_id: int) -> tuple[list[TaskView], list[TaskView]]:
        """(tasks owned, tasks as deputy) of one person."""
        team = self.snapshot()
        return list(team.owned.get(person_id, ())), list(team.deputy.get(person_id, ()))

    def ensure_person_for_slack_user(self, slack_id: str, name: str, now: datetime) -> PersonView:
        """The person linked to a Slack user, created (key `slack-<id>`) when not yet known."""
        with self.db.transaction() as conn:
            person = conn.execute(select(people).where(people.c.slack_id == slack_id)).first()
            if person is None:
                created = conn.execute(
                    insert(people).values(
                        key=f"slack-{slack_id.lower()}",
                        name=name,
                        slack_id=slack_id,
                        updated_at=now,
                    )
                )
                # Read back for the columns the insert left to their defaults (hours_per_week).
                person_id = created.inserted_primary_key[0]
                person = conn.execute(select(people).where(people.c.id == person_id)).one()
            elif not person.active:
                conn.execute(
                    update(people)
                    .where(people.c.id == person.id)
                    .values(active=True, updated_at=now)
                )
            view = person_view(person)
            assert view is not None
            return view

    def change_owners(
        self,
        task_id: int,
        assignments: dict[str, int | None],
        *,
        changed_by: str,
        source: str,
        now: datetime,
    ) -> list[OwnershipChangeView]:
        """Set the owner and/or deputy ({"owner": person_id, "deputy": person_id or None for
        none}) of a task in one transaction, writing an audit row per real change."""
        with self.db.transaction() as conn:
            task = conn.execute(
                select(tasks).where(tasks.c.id == task_id).with_for_update()
            ).one_or_none()
            if task is None or not task.active:
                raise UnknownTaskError(task_id)
            moved: list[tuple[str, int | None]] = []
            changed: dict[str, Any] = {}
            for role, person_id in assignments.items():
                column = "owner_id" if role == "owner" else "deputy_id"
                previous_id = getattr(task, column)
                if previous_id == person_id:
                    continue
                changed[column] = person_id
                moved.append((role, previous_id))
            if not moved:
                return []
            # The task first, then its audit rows (which refer to it), as the ORM flushed them.
            conn.execute(
                update(tasks).where(tasks.c.id == task_id).values(**changed, updated_at=now)
            )
            conn.execute(
                insert(task_ownership_changes),
                [
                    {
                        "task_id": task_id,
                        "role": role,
                        "from_person_id": previous_id,
                        "to_person_id": assignments[role],
                        "changed_by": changed_by,
                        "source": source,
                        "changed_at": now,
                    }
                    for role, previous_id in moved
                ],
            )
            task = conn.execute(select(tasks).where(tasks.c.id == task_id)).one()
            involved = _people_by_id(
                conn, [task.owner_id, task.deputy_id, *(previous_id for _, previous_id in moved)]
            )
            view = task_view(task, involved)
            return [
                OwnershipChangeView(
                    task=view,
                    role=role,
                    previous=involved.get(previous_id) if previous_id else None,
                    new=view.owner if role == "owner" else view.deputy,
                    changed_by=changed_by,
                    changed_at=now,
                )
                for role, previous_id in moved
            ]

    def ownership_history(self, task_id: int) -> list[OwnershipChangeView]:
        with self.db.transaction() as conn:
            task = conn.execute(select(tasks).where(tasks.c.id == task_id)).one_or_none()
            if task is None:
                raise UnknownTaskError(task_id)
            changes = conn.execute(
                select(task_ownership_changes)
                .where(task_ownership_changes.c.task_id == task_id)
                .order_by(task_ownership_changes.c.changed_at, task_ownership_changes.c.id)
            ).all()
            involved = _people_by_id(
                conn,
                [
                    task.owner_id,
                    task.deputy_id,
                    *(c.from_person_id for c in changes),
                    *(c.to_person_id for c in changes),
                ],
            )
        view = task_view(task, involved)
        return [
            OwnershipChangeView(
                task=view,
                role=c.role,
                previous=involved.get(c.from_person_id) if c.from_person_id else None,
                new=involved.get(c.to_person_id) if c.to_person_id else None,
                changed_by=c.changed_by,
                changed_at=c.changed_at,
            )
            for c in changes
        ]


def give_stand_in_slack_ids(db: Database) -> None:
    """USHELL01, USHELL02, … for people without a Slack ID (the bundled config has none), so the
    shell can try what needs a Slack user: mentions, action items."""
    with db.transaction() as conn:
        missing = people.c.slack_id.is_(None) | (people.c.slack_id == "")
        person_ids = conn.scalars(select(people.c.id).where(missing)).all()
        for number, person_id in enumerate(person_ids, start=1):
            conn.execute(
                update(people)
                .where(people.c.id == person_id)
                .values(slack_id=f"USHELL{number:02d}")
            )
