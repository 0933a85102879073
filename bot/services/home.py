"""What a person's App Home tab shows, as data: their open action items (with the overdue count),
their next meetings and why they are there, their current or next piket shift, and their tasks
with weekly hours. Slack-free; it reads storage only (no other feature's service)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from msgspec import Struct

from bot.core.access import Action, Actor
from bot.core.cadence import CadenceError, parse_cadence
from bot.core.meetings import Occurrence, minute_taker
from bot.services.access import AccessService, allowed, require
from storage.actions import ActionItemView, ActionStore
from storage.meetings import MeetingStore, SeriesView
from storage.piket import PiketStore, ShiftView
from storage.team import PersonView, TaskView, TeamStore

HOME_ITEMS = 15  # the most items the tab lists
MEETING_LOOKAHEAD = timedelta(days=14)
PIKET_LOOKAHEAD = timedelta(days=120)


class OpenItems(Struct, frozen=True):
    shown: list[ActionItemView]  # earliest due first, at most HOME_ITEMS
    total: int
    overdue: int  # of all open items, also those not shown


class MeetingLine(Struct, frozen=True):
    start: datetime
    name: str
    roles: list[str]  # "voorzitter", "notulen", "deelnemer"


class TaskLine(Struct, frozen=True):
    task: TaskView
    weekly_hours: float | None  # None: its time cannot be read as a cadence


class PiketStatus(Struct, frozen=True):
    """None of these when no piket rota is imported (see HomeOverview.piket)."""

    shift: ShiftView | None  # None: no shift in the coming months
    on_duty: bool  # the shift is going on now


class HomeOverview(Struct, frozen=True):
    slack_id: str
    person: PersonView | None  # None: the Slack account is linked to nobody in people.yaml
    items: OpenItems
    meetings: list[MeetingLine]  # empty for an unlinked person
    piket: PiketStatus | None  # None: no piket rota, or an unlinked person
    owned: list[TaskLine]
    deputy: list[TaskLine]
    now: datetime


def weekly_hours(task: TaskView) -> float | None:
    try:
        return parse_cadence(task.time_text).hours_per_week
    except CadenceError:
        return None


def _roles(
    person: PersonView, view: SeriesView, occurrence: Occurrence, task_ids: set[int]
) -> list[str]:
    """Why this person is at this meeting; none: they are not expected."""
    series = view.series
    roles = []
    if series.chair == person.key:
        roles.append(series.chair_title.lower())
    if minute_taker(series, occurrence) == person.key:
        roles.append("notulen")
    if not roles and (view.task_id in task_ids or person.key in series.minute_takers):
        roles.append("deelnemer")
    return roles


class HomeService:
    def __init__(
        self,
        actions: ActionStore,
        meetings: MeetingStore,
        piket: PiketStore,
        team: TeamStore,
        tz: ZoneInfo,
        access: AccessService | None = None,
    ) -> None:
        # Channel membership, for the items of a reader outside the team; None: they see none.
        self.access = access
        self.actions = actions
        self.meetings = meetings
        self.piket = piket
        self.team = team
        self.tz = tz

    def overview(self, actor: Actor, now: datetime) -> HomeOverview:
        """The Home tab's content for team members and readers (AccessDenied for others)."""
        require(Action.VIEW_HOME, actor)
        slack_id = actor.slack_id or ""
        person = self.team.person_by_slack_id(slack_id)
        owned, deputy = self.team.tasks_of(person.id) if person else ([], [])
        task_ids = {task.id for task in owned + deputy}
        return HomeOverview(
            slack_id=slack_id,
            person=person,
            items=self.open_items(slack_id, now)
            if allowed(Action.READ_ITEMS, actor)
            else self.readable_items(actor, now),
            meetings=self.meetings_of(person, now, task_ids) if person else [],
            piket=self.piket_of(person, now) if person else None,
            owned=[TaskLine(t, weekly_hours(t)) for t in owned],
            deputy=[TaskLine(t, weekly_hours(t)) for t in deputy],
            now=now,
        )

    def open_items(self, slack_id: str, now: datetime) -> OpenItems:
        today = now.astimezone(self.tz).date()
        items = self.actions.open_for_owner(slack_id, limit=HOME_ITEMS)
        if len(items) == HOME_ITEMS:  # more may be hidden, overdue ones too
            total = self.actions.count_open_for_owner(slack_id)
            overdue = len(self.actions.overdue_for(slack_id, today))
        else:
            total, overdue = len(items), sum(item.is_overdue(today) for item in items)
        return OpenItems(items, total, overdue)

    def readable_items(self, actor: Actor, now: datetime) -> OpenItems:
        """The open items of someone outside the team (a reader named as owner), by `/acties`'
        rule: only those of the channels they are in."""
        today = now.astimezone(self.tz).date()
        if not actor.slack_id or self.access is None:
            return OpenItems([], 0, 0)
        owned = self.actions.open_for_owner(actor.slack_id, limit=500)
        channels = self.access.channels_of(actor, {item.channel for item in owned}, now)
        items = [item for item in owned if item.channel in channels]
        overdue = sum(item.is_overdue(today) for item in items)
        return OpenItems(items[:HOME_ITEMS], len(items), overdue)

    def meetings_of(
        self, person: PersonView, now: datetime, task_ids: set[int]
    ) -> list[MeetingLine]:
        """The next meetings this person chairs, takes the minutes of or attends (as owner or
        deputy of the meeting's task)."""
        lines = []
        for view, occurrence in self.meetings.occurrences(now, now + MEETING_LOOKAHEAD):
            if not occurrence.held:
                continue
            roles = _roles(person, view, occurrence, task_ids)
            if roles:
                lines.append(MeetingLine(occurrence.start, view.series.name, roles))
        return lines

    def piket_of(self, person: PersonView, now: datetime) -> PiketStatus | None:
        """This person's current or next piket shift; None when no piket rota is imported."""
        if self.piket.config() is None:
            return None
        shifts = self.piket.shifts(now, now + PIKET_LOOKAHEAD, person_id=person.id)
        if not shifts:
            return PiketStatus(None, on_duty=False)
        return PiketStatus(shifts[0], on_duty=shifts[0].start <= now)
