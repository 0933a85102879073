"""Capacity's use cases, Slack-free: the team picture, one person's breakdown, what-ifs (a task
to someone else, an extra FTE for a theme) and the load impact of an owner change.

The picture is computed once per data version and day (`CapacityStore.version()`), so a slash
command reads a ready answer. Programme activities count with their estimated hours, read from
the programme's storage (features meet through storage, never through each other's code).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from msgspec import Struct

from bot.core import capacity
from bot.core.access import Action, Actor
from bot.core.cadence import format_hours
from bot.core.capacity import Inputs, PersonLoad, Picture
from bot.core.capacity_charts import load_percent, over_capacity
from bot.language import split_at_to
from bot.services.access import allowed, require
from bot.services.errors import DomainError
from bot.services.notices import escape
from bot.services.people import person_argument
from storage.capacity import CapacityStore
from storage.meetings import new_store as new_meeting_store
from storage.piket import new_store as new_piket_store
from storage.session import Database
from storage.team import PersonView, TaskView, TeamStore

WHAT_IF_HELP = (
    "Schrijf `/capaciteit als &lt;taak&gt; naar @collega` (bijv. `als bibob naar aov-1`) of "
    "`/capaciteit als +1 fte &lt;thema&gt;` (bijv. `als +1 fte ondermijning`)."
)
_EXTRA_FTE = re.compile(r"^\+?\s*(\d+(?:[.,]\d+)?)\s*(?:extra\s+)?fte\b\s*(.*)$", re.IGNORECASE)
# Words people put before the theme: "+1 fte voor ondermijning", "1 fte extra bij het thema …".
_THEME_LEAD = re.compile(r"^(?:(?:extra|erbij|voor|bij|op|het|thema)\s+)+", re.IGNORECASE)
PICK_LIMIT = 5


class PersonAnswer(Struct, frozen=True):
    picture: Picture
    load: PersonLoad


class Change(Struct, frozen=True):
    """One person's load before and after a what-if."""

    name: str
    key: str
    before: float  # demand, hours per week
    after: float
    supply: float

    def load(self, hours: float) -> float:
        return hours / self.supply if self.supply > 0 else 0.0

    def load_text(self) -> str:
        """'6,9 % → 22,5 %'; for someone without hours 'geen beschikbare uren', no percentage."""
        if self.supply <= 0:
            return load_percent(max(self.before, self.after), self.supply)
        return f"{load_percent(self.before, self.supply)} → {load_percent(self.after, self.supply)}"


class WhatIf(Struct, frozen=True):
    description: str  # Dutch: what was supposed
    before: Picture
    after: Picture
    people: tuple[Change, ...]
    theme: str | None = None
    note: str = ""  # Dutch: what the figures leave out (a task moved that has no hours)


class TaskChoice(Struct, frozen=True):
    """A what-if whose task text matched several tasks (or none): the user picks."""

    query: str
    matches: tuple[TaskView, ...]
    suggestions: tuple[TaskView, ...]
    person_text: str  # as typed after "naar": each pick computes for that person


class CapacityService:
    def __init__(self, store: CapacityStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._inputs: tuple[object, Inputs] | None = None
        self._pictures: dict[tuple[object, date], Picture] = {}

    # -- data, once per version -------------------------------------------------------------------

    def _current(self) -> tuple[object, Inputs]:
        version = self.store.version()
        with self._lock:
            if self._inputs is not None and self._inputs[0] == version:
                return self._inputs
        inputs = self.store.inputs()
        with self._lock:
            self._inputs = (version, inputs)
            self._pictures = {}
        return self._inputs

    def inputs(self) -> Inputs:
        return self._current()[1]

    def picture(self, now: datetime, actor: Actor) -> Picture:
        """The team's picture at `now`, for those who may read it (AccessDenied otherwise)."""
        require(Action.READ_CAPACITY, actor)
        return self._picture(now)

    def _local(self, now: datetime) -> datetime:
        """`now` on the team's clock: the model's "today" (a programme activity's first and last
        day, who is qualified) is the Dutch date, also in the hours after midnight."""
        return now.astimezone(self.store.tz)

    def _picture(self, now: datetime) -> Picture:
        """Computed once per data version and day, and then the same object (so what is drawn
        from it, like the charts, can be kept with it)."""
        version, inputs = self._current()
        now = self._local(now)
        key = (version, now.date())
        with self._lock:
            cached = self._pictures.get(key)
        if cached is not None:
            return cached
        found = capacity.compute(inputs, now)
        with self._lock:
            self._pictures[key] = found
        return found

    # -- a person ---------------------------------------------------------------------------------

    def person(self, text: str, actor: Actor, now: datetime) -> PersonAnswer:
        require(Action.READ_CAPACITY, actor)
        found = self._person(text, actor.slack_id)
        picture = self._picture(now)
        load = picture.person(found.key)
        if load is None:  # someone added in Slack after the picture was made
            raise DomainError(f"Van {escape(found.name)} zijn nog geen uren bekend.")
        return PersonAnswer(picture, load)

    def own_picture(self, now: datetime) -> Picture:
        """The picture behind someone's own load (the App Home shows only their own figures)."""
        return self._picture(now)

    def own_load(self, slack_id: str, now: datetime) -> PersonLoad | None:
        """The caller's own load (App Home); None when they are not in the team overview."""
        person = self.store.team.person_by_slack_id(slack_id)
        return self._picture(now).person(person.key) if person else None

    def _person(self, text: str, caller_slack_id: str | None) -> PersonView:
        return person_argument(
            text, self.store.team, caller_slack_id, command="/capaciteit", holds="uren"
        )

    # -- what-if ----------------------------------------------------------------------------------

    def what_if(self, text: str, actor: Actor, now: datetime) -> WhatIf | TaskChoice:
        """`text` follows "als": "<taak> naar <persoon>" or "+1 fte <thema>". Nothing is stored."""
        require(Action.READ_CAPACITY, actor)
        text = " ".join(text.split())
        if not text:
            raise DomainError(WHAT_IF_HELP)
        if extra := _EXTRA_FTE.match(text):
            return self.extra_fte(float(extra[1].replace(",", ".")), extra[2], now)
        cut = split_at_to(text.split())
        if cut is None or not all(cut):
            raise DomainError(WHAT_IF_HELP)
        task_text, person_text = (" ".join(part) for part in cut)
        person = self._person(person_text, actor.slack_id)
        task = self._task(task_text, person_text)
        if isinstance(task, TaskChoice):
            return task
        return self.reassign(task.id, person.key, now)

    def what_if_button(self, task_id: int, text: str, actor: Actor, now: datetime) -> WhatIf:
        """The what-if of a pick-list button: the task chosen, the person as typed."""
        require(Action.READ_CAPACITY, actor)
        return self.reassign(task_id, self._person(text, actor.slack_id).key, now)

    def _task(self, text: str, person_text: str) -> TaskView | TaskChoice:
        # The team's own search, as /wie's: built once per team data version, at start.
        team = self.store.team.snapshot()
        by_id = team.tasks_by_id
        result = team.task_index.search(text)
        if result.best is not None:
            return by_id[result.best.task.id]
        matches = tuple(by_id[m.task.id] for m in result.matches[:PICK_LIMIT])
        suggestions = tuple(by_id[s.id] for s in result.suggestions[:PICK_LIMIT] if s.id in by_id)
        return TaskChoice(text, matches, suggestions, person_text)

    def reassign(self, task_id: int, person_key: str, now: datetime) -> WhatIf:
        _, inputs = self._current()
        task = next((t for t in inputs.tasks if t.id == task_id), None)
        if task is None:
            raise DomainError("Die taak bestaat niet meer.")
        before = self._picture(now)
        after = capacity.compute(capacity.with_owner(inputs, task_id, person_key), self._local(now))
        target = after.person(person_key)
        name = target.person.name if target else person_key
        if task.owner == person_key:
            description = f"{task.subject} ligt al bij {name}: er verandert niets."
        else:
            description = f"{task.subject} gaat naar {name}"
        keys = [k for k in (task.owner, person_key) if k]
        note = ""
        missing = next((u for u in before.unknown if u.subject == task.subject), None)
        if missing is not None and task.owner != person_key:
            # Unchanged figures would read as "this move costs nobody anything".
            counted = (
                f"; alleen de vergaderuren tellen: {_hours(missing.partial)}"
                if missing.partial
                else ""
            )
            note = (
                f"{task.subject} heeft geen uren ({missing.reason}{counted}): het werk gaat "
                "mee, maar telt in deze cijfers niet mee. Vul een schatting in "
                "`config/capaciteit.yaml` in."
            )
        return WhatIf(description, before, after, _changes(before, after, keys), note=note)

    def extra_fte(self, fte: float, theme_text: str, now: datetime) -> WhatIf:
        if not 0 < fte <= 50:
            raise DomainError("Geef een aantal fte tussen 0 en 50, bijvoorbeeld `+1 fte`.")
        before = self._picture(now)
        names = capacity.theme_names(before)
        if not theme_text.strip():
            raise DomainError(f"Voor welk thema? Kies uit: {escape(', '.join(names))}.")
        found = capacity.match_theme(names, theme_text)
        if not found and (bare := _THEME_LEAD.sub("", theme_text.strip())):
            found = capacity.match_theme(names, bare)
        if len(found) != 1:
            which = "meerdere thema's passen" if found else "dat thema ken ik niet"
            options = found or names
            raise DomainError(
                f"“{escape(theme_text)}”: {which}. Kies uit: {escape(', '.join(options))}."
            )
        theme = found[0]
        after = capacity.compute(self.inputs(), self._local(now), extra=((theme, fte),))
        shown = format_hours(fte)
        return WhatIf(f"{shown} fte extra voor {theme}", before, after, (), theme)

    # -- owner change (the /wie modal) ------------------------------------------------------------

    def owner_impact_text(
        self, task_id: int, new_owner_slack_id: str | None, now: datetime, actor: Actor
    ) -> str | None:
        """For the owner modal, before saving: both people's load now and after the change;
        None for someone who may not read capacity figures."""
        if not allowed(Action.READ_CAPACITY, actor):
            return None
        _, inputs = self._current()
        task = next((t for t in inputs.tasks if t.id == task_id), None)
        if task is None:
            return "Deze taak bestaat niet meer."
        picture = self._picture(now)
        current = picture.person(task.owner) if task.owner else None
        person = self.store.team.person_by_slack_id(new_owner_slack_id or "")
        if person is None or person.key == task.owner:
            if current is None:
                return "Kies een eigenaar om te zien wat dat doet met de belasting."
            return (
                f"*Belasting* — {escape(current.person.name)} draagt nu "
                f"{_hours(current.demand)} ({load_percent(current.demand, current.supply)}). "
                "Kies een andere eigenaar om "
                "te zien wat de wijziging doet."
            )
        found = self.reassign(task_id, person.key, now)
        lines = [f"*Belasting als {escape(person.name)} eigenaar wordt* (nog niet opgeslagen):"]
        for change in found.people:
            over = (
                " — :warning: meer dan 100 %" if over_capacity(change.after, change.supply) else ""
            )
            lines.append(
                f"• {escape(change.name)}: {_hours(change.before)} → {_hours(change.after)} "
                f"({change.load_text()}){over}"
            )
        return "\n".join(lines)


def _hours(value: float) -> str:
    return f"{format_hours(round(value, 2))} u/week"


def _changes(before: Picture, after: Picture, keys: list[str]) -> tuple[Change, ...]:
    changes = []
    for key in dict.fromkeys(keys):
        old, new = before.person(key), after.person(key)
        if old is None or new is None:
            continue
        changes.append(Change(old.person.name, key, old.demand, new.demand, new.supply))
    return tuple(changes)


S = TypeVar("S")


class _Stores(Protocol):
    @property
    def db(self) -> Database: ...

    @property
    def tz(self) -> ZoneInfo: ...

    @property
    def team(self) -> TeamStore: ...

    def service(self, build: Callable[[Any], S]) -> S: ...


def build_capacity_service(ctx: _Stores) -> CapacityService:
    """The service as `ctx.service(build_capacity_service)` shares it: /capaciteit, the App
    Home and the owner modal of /wie all read one cached picture, and the read models the other
    commands read (the team with its task search, the series, the rota)."""
    store = CapacityStore(
        ctx.db,
        ctx.tz,
        team=ctx.team,
        meetings=ctx.service(new_meeting_store),
        piket=ctx.service(new_piket_store),
    )
    return CapacityService(store)
