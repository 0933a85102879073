"""Queries for people, tasks and ownership changes. Returns plain frozen views, never ORM objects,
so callers need no open session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from storage.models.team import Person, Task, TaskOwnershipChange
from storage.session import Database


@dataclass(frozen=True)
class PersonView:
    id: int
    key: str
    name: str
    slack_id: str | None
    hours_per_week: float


@dataclass(frozen=True)
class TaskView:
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


@dataclass(frozen=True)
class OwnershipChangeView:
    task: TaskView
    role: str
    previous: PersonView | None
    new: PersonView | None
    changed_by: str
    changed_at: datetime


class UnknownTaskError(LookupError):
    pass


def person_view(person: Person | None) -> PersonView | None:
    if person is None:
        return None
    return PersonView(person.id, person.key, person.name, person.slack_id, person.hours_per_week)


def task_view(task: Task) -> TaskView:
    return TaskView(
        id=task.id,
        subject=task.subject,
        category=task.category,
        description=task.description,
        duties=task.duties,
        time_text=task.time_text,
        legal_basis=task.legal_basis,
        aliases=tuple(task.aliases or ()),
        owner=person_view(task.owner),
        deputy=person_view(task.deputy),
    )


class TeamStore:
    """People and the task overview as the bot sees them (active rows only)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def tasks(self) -> list[TaskView]:
        with self.db.session() as s:
            rows = s.scalars(select(Task).where(Task.active).order_by(Task.position, Task.id))
            return [task_view(t) for t in rows.unique()]

    def tasks_version(self) -> tuple[int, datetime | None]:
        """Changes whenever a task is added, changed or retired: a cheap cache key."""
        with self.db.session() as s:
            count, latest = s.execute(select(func.count(Task.id), func.max(Task.updated_at))).one()
            return int(count), latest

    def task(self, task_id: int) -> TaskView:
        with self.db.session() as s:
            task = s.get(Task, task_id)
            if task is None or not task.active:
                raise UnknownTaskError(task_id)
            return task_view(task)

    def people(self) -> list[PersonView]:
        with self.db.session() as s:
            rows = s.scalars(select(Person).where(Person.active).order_by(Person.name))
            return [v for p in rows if (v := person_view(p))]

    def person_by_slack_id(self, slack_id: str) -> PersonView | None:
        with self.db.session() as s:
            return person_view(s.scalar(select(Person).where(Person.slack_id == slack_id)))

    def find_person(self, ref: str) -> PersonView | None:
        """A person by key, Slack ID or (case-insensitive) name; None when unknown."""
        ref = ref.strip().lstrip("@")
        with self.db.session() as s:
            person = s.scalar(
                select(Person).where(
                    Person.active,
                    or_(
                        Person.key == ref.lower(),
                        Person.slack_id == ref.upper(),
                        func.lower(Person.name) == ref.lower(),
                    ),
                )
            )
            return person_view(person)

    def tasks_of(self, person_id: int) -> tuple[list[TaskView], list[TaskView]]:
        """(tasks owned, tasks as deputy) of one person."""
        with self.db.session() as s:
            rows = s.scalars(
                select(Task)
                .where(Task.active, or_(Task.owner_id == person_id, Task.deputy_id == person_id))
                .order_by(Task.position, Task.id)
            )
            views = [task_view(t) for t in rows.unique()]
        owned = [t for t in views if t.owner and t.owner.id == person_id]
        deputy = [t for t in views if t.deputy and t.deputy.id == person_id]
        return owned, deputy

    def ensure_person_for_slack_user(self, slack_id: str, name: str, now: datetime) -> PersonView:
        """The person linked to a Slack user, created (key `slack-<id>`) when not yet known."""
        with self.db.session() as s:
            person = s.scalar(select(Person).where(Person.slack_id == slack_id))
            if person is None:
                person = Person(
                    key=f"slack-{slack_id.lower()}", name=name, slack_id=slack_id, updated_at=now
                )
                s.add(person)
                s.flush()
            elif not person.active:
                person.active = True
                person.updated_at = now
            view = person_view(person)
            assert view is not None
            return view

    def change_owners(
        self,
        task_id: int,
        assignments: dict[str, int],
        *,
        changed_by: str,
        source: str,
        now: datetime,
    ) -> list[OwnershipChangeView]:
        """Set the owner and/or deputy ({"owner": person_id, "deputy": person_id}) of a task in
        one transaction, writing an audit row per real change."""
        with self.db.session() as s:
            # Lock the task row only (the joined people are on the nullable side of the join).
            task = (
                s.scalars(select(Task).where(Task.id == task_id).with_for_update(of=Task))
                .unique()
                .one_or_none()
            )
            if task is None or not task.active:
                raise UnknownTaskError(task_id)
            moved: list[tuple[str, int | None]] = []
            for role, person_id in assignments.items():
                column = "owner_id" if role == "owner" else "deputy_id"
                previous_id = getattr(task, column)
                if previous_id == person_id:
                    continue
                setattr(task, column, person_id)
                moved.append((role, previous_id))
                s.add(
                    TaskOwnershipChange(
                        task_id=task.id,
                        role=role,
                        from_person_id=previous_id,
                        to_person_id=person_id,
                        changed_by=changed_by,
                        source=source,
                        changed_at=now,
                    )
                )
            if not moved:
                return []
            task.updated_at = now
            s.flush()
            s.refresh(task)
            view = task_view(task)
            return [
                OwnershipChangeView(
                    task=view,
                    role=role,
                    previous=person_view(s.get(Person, previous_id)) if previous_id else None,
                    new=view.owner if role == "owner" else view.deputy,
                    changed_by=changed_by,
                    changed_at=now,
                )
                for role, previous_id in moved
            ]

    def ownership_history(self, task_id: int) -> list[OwnershipChangeView]:
        with self.db.session() as s:
            task = s.get(Task, task_id)
            if task is None:
                raise UnknownTaskError(task_id)
            rows = s.scalars(
                select(TaskOwnershipChange)
                .where(TaskOwnershipChange.task_id == task_id)
                .order_by(TaskOwnershipChange.changed_at, TaskOwnershipChange.id)
            )
            return [
                OwnershipChangeView(
                    task=task_view(task),
                    role=r.role,
                    previous=person_view(s.get(Person, r.from_person_id))
                    if r.from_person_id
                    else None,
                    new=person_view(s.get(Person, r.to_person_id)) if r.to_person_id else None,
                    changed_by=r.changed_by,
                    changed_at=r.changed_at,
                )
                for r in rows
            ]


def active_task_by_subject(session: Session, subject: str) -> Task | None:
    return session.scalar(select(Task).where(Task.subject == subject))
