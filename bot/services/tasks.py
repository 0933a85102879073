"""Tasks' use cases, Slack-free: find a task (the /wie search over a cached read model of the
task list), a person's tasks with their hours per week, and changing a task's owner and deputy
(audited in storage; the DMs to the people concerned are returned as notices)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache

from msgspec import Struct, field
from sqlalchemy.exc import SQLAlchemyError

from bot.core.access import Action, Actor, Role, Standing
from bot.core.cadence import Cadence, CadenceError, parse_cadence
from bot.core.task_search import TaskIndex
from bot.services.access import AccessDenied, allowed, require
from bot.services.errors import DomainError
from bot.services.notices import Notice, escape, mention
from bot.services.people import not_linked, person_argument
from storage.team import OwnershipChangeView, PersonView, TaskView, TeamStore, UnknownTaskError
from storage.versions import TEAM, VersionedCache

log = logging.getLogger(__name__)

PICK_LIMIT = 5

NOT_LINKED = not_linked("/taken")
TASK_GONE = "Die taak bestaat niet meer."


class TaskGone(DomainError):
    def __init__(self, message: str = TASK_GONE) -> None:
        super().__init__(message)


class OwnerChangeRefused(DomainError):
    """An owner change that cannot be saved; `field` names the form field it is about."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


# --- hours ---------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _cadence(time_text: str) -> Cadence | None:
    try:
        return parse_cadence(time_text)
    except CadenceError:
        return None  # `oov-bot check` reports it; the card then shows the text as written


def cadence_of(task: TaskView) -> Cadence | None:
    """The task's time text as understood: parsed once per distinct text, not per request
    (parse_cadence is pure and Cadence frozen)."""
    return _cadence(task.time_text)


def hours_per_week(task: TaskView) -> float | None:
    cadence = cadence_of(task)
    return cadence.hours_per_week if cadence else None


class TaskGroup(Struct, frozen=True):
    """A person's tasks in one role: those with an estimate of hours per week, and those
    without (with the reason why, or the time text as written)."""

    tasks: list[TaskView]
    timed: list[tuple[TaskView, float]]
    untimed: list[tuple[TaskView, str]]

    @property
    def total(self) -> float:
        return sum(hours for _, hours in self.timed)

    @classmethod
    def of(cls, tasks: list[TaskView]) -> TaskGroup:
        timed, untimed = [], []
        for task in tasks:
            cadence = cadence_of(task)
            hours = cadence.hours_per_week if cadence else None
            if hours is not None:
                timed.append((task, hours))
            else:
                why = cadence.reason if cadence and cadence.reason else None
                untimed.append((task, why or task.time_text or "geen tijd opgegeven"))
        return cls(tasks, timed, untimed)


# Compared by identity: TaskService hands out one object per question until the team changes,
# and its drawing is kept with it (handlers/tasks/blocks.py).
class PersonTasks(Struct, frozen=True, eq=False, weakref=True):
    person: PersonView
    owned: TaskGroup
    deputy: TaskGroup


# --- the search's read model ---------------------------------------------------------------------


class TaskSearch(Struct, frozen=True, eq=False, weakref=True):
    """What `/wie <query>` found: one task, a pick list, or suggestions (each at most
    PICK_LIMIT long). The finder hands out the same object for a query until the team changes,
    so its drawing can be kept by identity."""

    query: str
    best: TaskView | None = None
    matches: tuple[TaskView, ...] = ()
    suggestions: tuple[TaskView, ...] = ()


class TaskFinder:
    """The search index over the active tasks and the searches answered, rebuilt when the team's
    read model changes (storage.team.TeamStore.snapshot: every process's changes, seen by the
    next command). When the database is away it answers from the last known list, and tries
    the database again after VERSION_TTL seconds rather than on every command."""

    VERSION_TTL = 2.0
    ANSWER_CACHE_SIZE = 1024

    def __init__(self, team: TeamStore, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._team = team
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._tasks_seen: tuple[TaskView, ...] | None = None
        self._failed_at = float("-inf")
        self._index: TaskIndex | None = None
        self._tasks: dict[int, TaskView] = {}
        self._answers: dict[str, TaskSearch] = {}

    def invalidate(self) -> None:
        """Kept for callers that changed the tasks: the version check sees it anyway."""

    def refresh(self) -> None:
        """Build the index now (at start, or outside a request), and each task's hours."""
        _, tasks = self._current()
        for task in tasks.values():
            cadence_of(task)

    def _current(self) -> tuple[TaskIndex, dict[int, TaskView]]:
        with self._lock:
            away = self._monotonic() - self._failed_at < self.VERSION_TTL
            if away and self._index is not None:
                return self._index, self._tasks
        try:
            snapshot = self._team.snapshot()
        except SQLAlchemyError as exc:
            with self._lock:
                if self._index is None:
                    raise
                # The database is away: answer from the last known list (tasks change rarely),
                # and look again after VERSION_TTL instead of on every command.
                self._failed_at = self._monotonic()
                log.warning("task list version unknown (%s): answering from the last known list",
                            exc.__class__.__name__)  # fmt: skip
                return self._index, self._tasks
        with self._lock:
            # The snapshot's task tuple is rebuilt only when the team's version moved.
            if self._index is None or snapshot.tasks is not self._tasks_seen:
                tasks = snapshot.tasks
                self._tasks = dict(snapshot.tasks_by_id)
                self._index = snapshot.task_index
                self._answers = {}
                self._tasks_seen = tasks
            return self._index, self._tasks

    def find(self, query: str) -> TaskSearch:
        """The search for `query`; identical queries (spacing and case aside) reuse the answer."""
        index, tasks = self._current()
        key = " ".join(query.split()).casefold()
        with self._lock:
            cached = self._answers.get(key)
        if cached is not None:
            return cached
        found = self._search(query.strip(), index, tasks)
        with self._lock:
            if len(self._answers) >= self.ANSWER_CACHE_SIZE:
                self._answers.clear()
            self._answers[key] = found
        return found

    @staticmethod
    def _search(query: str, index: TaskIndex, tasks: dict[int, TaskView]) -> TaskSearch:
        result = index.search(query)
        if result.best is not None:
            return TaskSearch(query, best=tasks[result.best.task.id])
        if result.matches:
            picks = tuple(tasks[m.task.id] for m in result.matches[:PICK_LIMIT])
            return TaskSearch(query, matches=picks)
        suggestions = tuple(tasks[s.id] for s in result.suggestions[:PICK_LIMIT] if s.id in tasks)
        return TaskSearch(query, suggestions=suggestions)


# --- owner changes -------------------------------------------------------------------------------


class OwnerChanged(Struct, frozen=True):
    changes: list[OwnershipChangeView]
    notices: list[Notice] = field(default_factory=list)  # DMs to the previous and new people

    @property
    def task(self) -> TaskView | None:
        """The task as it is after the change; None when nothing changed."""
        return self.changes[-1].task if self.changes else None

    @property
    def people(self) -> list[str]:
        """The Slack IDs whose data changed (for the App Home and the like)."""
        ids = [p.slack_id for c in self.changes for p in (c.previous, c.new) if p and p.slack_id]
        return list(dict.fromkeys(ids))


def _change_notices(change: OwnershipChangeView, changed_by: str) -> list[Notice]:
    role = "eigenaar" if change.role == "owner" else "vervanger"
    subject = escape(change.task.subject)
    notices = []
    if change.new and change.new.slack_id:
        notices.append(
            Notice(
                change.new.slack_id,
                f"Je bent nu {role} van *{subject}* (gewijzigd door <@{changed_by}>).",
                f"ownership DM ({change.role})",
            )
        )
    if change.previous and change.previous.slack_id:
        notices.append(
            Notice(
                change.previous.slack_id,
                f"Je bent geen {role} meer van *{subject}*: dat is nu "
                f"{mention(change.new)} (gewijzigd door <@{changed_by}>).",
                f"ownership DM ({change.role})",
            )
        )
    return notices


class TaskService:
    def __init__(self, team: TeamStore, finder: TaskFinder | None = None) -> None:
        self.team = team
        self.finder = finder or TaskFinder(team)
        # /taken answers per question and asker, until a person or task changes: asking again
        # costs a check of the data versions.
        self._person_tasks: VersionedCache[tuple[str, str | None], PersonTasks] = VersionedCache(
            team.db, (TEAM,)
        )

    def find(self, query: str, actor: Actor) -> TaskSearch:
        require(Action.READ_REGISTER, actor)
        return self.finder.find(query)

    def task(self, task_id: int, actor: Actor) -> TaskView:
        require(Action.READ_REGISTER, actor)
        try:
            return self.team.task(task_id)
        except UnknownTaskError:
            raise TaskGone() from None

    @staticmethod
    def held(task: TaskView, actor: Actor) -> frozenset[Role]:
        """The roles `actor` holds for this task."""
        held = set()
        if actor.slack_id and task.owner and task.owner.slack_id == actor.slack_id:
            held.add(Role.TASK_OWNER)
        if actor.slack_id and task.deputy and task.deputy.slack_id == actor.slack_id:
            held.add(Role.TASK_DEPUTY)
        return frozenset(held)

    def may_change_owner(self, task: TaskView, actor: Actor) -> bool:
        """Whether to offer the owner-change button and modal."""
        return allowed(Action.CHANGE_TASK_OWNER, actor, self.held(task, actor))

    # -- a person's tasks ------------------------------------------------------------------------

    def person(self, text: str, caller_slack_id: str | None) -> PersonView:
        """The person a command argument means, read as every command reads one."""
        return person_argument(text, self.team, caller_slack_id, command="/taken", holds="taken")

    def tasks_of(self, text: str, actor: Actor) -> PersonTasks:
        """The tasks of the person `text` names (see `person`), as owner and as deputy."""
        require(Action.READ_REGISTER, actor)
        return self._person_tasks.get(
            (text, actor.slack_id), lambda: self._tasks_of(text, actor.slack_id)
        )

    def _tasks_of(self, text: str, caller_slack_id: str | None) -> PersonTasks:
        person = self.person(text, caller_slack_id)
        owned, deputy = self.team.tasks_of(person.id)
        return PersonTasks(person, TaskGroup.of(owned), TaskGroup.of(deputy))

    # -- changing an owner -----------------------------------------------------------------------

    @staticmethod
    def _refuse_outsiders(
        current: TaskView,
        owner_slack_id: str,
        deputy_slack_id: str | None,
        standing_of: Callable[[str], Standing],
    ) -> None:
        holding = {p.slack_id for p in (current.owner, current.deputy) if p and p.slack_id}
        for field_name, slack_id in (("owner", owner_slack_id), ("deputy", deputy_slack_id)):
            if not slack_id or slack_id in holding:
                continue  # unchanged: not asked again
            standing = standing_of(slack_id)
            if standing in (Standing.GUEST, Standing.EXTERNAL):
                raise OwnerChangeRefused(
                    "Deze persoon is gast of van een andere organisatie en kan geen eigenaar of "
                    "vervanger van een teamtaak zijn.",
                    field=field_name,
                )
            if standing is Standing.UNKNOWN:
                raise OwnerChangeRefused(
                    "Ik kan niet nagaan of deze persoon een collega van de gemeente is "
                    "(gedeactiveerd, een bot, of Slack antwoordt even niet). Kies iemand anders "
                    "of probeer het zo nog eens.",
                    field=field_name,
                )

    def change_owner(
        self,
        task_id: int,
        owner_slack_id: str,
        deputy_slack_id: str | None,
        *,
        changed_by: Actor,
        now: datetime,
        name_of: Callable[[str], str],
        standing_of: Callable[[str], Standing] | None = None,
        source: str = "slack",
    ) -> OwnerChanged:
        """Give the task a new owner (and deputy), audited. A Slack user not yet in the team
        overview is added under the name `name_of(slack_id)` gives. Only the task's owner or
        deputy or a team lead may (AccessDenied otherwise). A newly chosen person must be a
        colleague of the organisation (`standing_of`, from Slack): a guest or another
        organisation's user never holds a team task, nor hears of it; and only a team lead
        brings someone new into the team this way."""
        if deputy_slack_id and deputy_slack_id == owner_slack_id:
            raise OwnerChangeRefused(
                "De vervanger moet iemand anders zijn dan de eigenaar.", field="deputy"
            )
        try:
            current = self.team.task(task_id)
        except UnknownTaskError:
            raise OwnerChangeRefused("Deze taak bestaat niet meer.", field="owner") from None
        try:
            require(Action.CHANGE_TASK_OWNER, changed_by, self.held(current, changed_by))
        except AccessDenied as exc:
            raise OwnerChangeRefused(exc.message, field="owner") from None
        if standing_of is not None:
            self._refuse_outsiders(current, owner_slack_id, deputy_slack_id, standing_of)
        for field_name, slack_id in (("owner", owner_slack_id), ("deputy", deputy_slack_id)):
            if slack_id and self.team.person_by_slack_id(slack_id) is None:
                # Choosing them adds them to the team, with all a team member may read: the
                # team lead's decision, not any task owner's.
                try:
                    require(Action.ADD_TO_TEAM, changed_by)
                except AccessDenied as exc:
                    raise OwnerChangeRefused(exc.message, field=field_name) from None
        by = changed_by.by
        assignments: dict[str, int | None] = {}
        for role, slack_id in (("owner", owner_slack_id), ("deputy", deputy_slack_id)):
            if slack_id:
                person = self.team.person_by_slack_id(slack_id) or (
                    self.team.ensure_person_for_slack_user(slack_id, name_of(slack_id), now)
                )
                assignments[role] = person.id
        if not deputy_slack_id and current.deputy is not None:
            # The modal shows the deputy filled in: a field left empty was emptied, so the task
            # has no deputy any more (kept silently before, as if nothing was asked).
            assignments["deputy"] = None
        try:
            changes = self.team.change_owners(
                task_id, assignments, changed_by=by, source=source, now=now
            )
        except UnknownTaskError:
            raise OwnerChangeRefused("Deze taak bestaat niet meer.", field="owner") from None
        self.finder.invalidate()
        notices = [n for change in changes for n in _change_notices(change, by)]
        return OwnerChanged(changes, notices)
