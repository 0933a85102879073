"""Meeting series' use cases, Slack-free: the meetings of the coming days, one series described,
cancelling, moving and restoring one occurrence (with the announcements to post), which reminders
fall due, what a reminder or a chair's DM contains, and whom to tell when one did not go out.
`oov-bot shell`, the Slack listeners and the clock all come here."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from msgspec import Struct

from bot.core import meetings
from bot.core.access import Action, Actor, Role
from bot.core.action_items import read_action
from bot.core.meetings import (
    CHAIR_DM,
    MeetingSeries,
    Occurrence,
    Status,
    delivery_key,
    parse_delivery_key,
)
from bot.language import (
    DutchDateError,
    dutch_holiday_name,
    format_date,
    format_datetime,
    format_short_date,
    format_time,
    parse_datetime,
    parse_period,
    parse_time,
    split_at_to,
    split_reason,
    wall_time,
    weekday_number,
    without_date_preposition,
)
from bot.services.access import AccessService, require
from bot.services.errors import DomainError
from bot.services.notices import Notice, channel_ref, escape, who
from storage.actions import ActionItemView, ActionStore
from storage.meetings import MeetingStore, SeriesView
from storage.team import PersonView, TaskView, TeamStore, UnknownTaskError
from storage.versions import MEETINGS, TEAM, VersionedCache, read_once

log = logging.getLogger(__name__)

LIST_DAYS = 14
NEXT_COUNT = 5


class MeetingCommandError(DomainError):
    """A request about meetings that cannot be honoured; `message` is the Dutch answer."""


class _MoveQuestion(MeetingCommandError):
    """A new date that reads, but probably not as meant: asked back, never guessed."""


NO_MEETINGS = (
    "Er zijn nog geen overleggen ingesteld. De beheerder zet ze in "
    "`config/meetings.yaml` en draait `oov-bot import`."
)


def _reason(reason: str | None) -> str:
    """The reason the user gave, as the announcement says it (their words, escaped)."""
    return f" Reden: {escape(reason.rstrip('.'))}." if reason else ""


# --- results ---------------------------------------------------------------------------------


class Listed(Struct, frozen=True):
    """One line of the meetings of the coming days."""

    view: SeriesView
    occurrence: Occurrence


class Fortnight(Struct, frozen=True, eq=False, weakref=True):
    """The meetings of the next LIST_DAYS days, cancelled and skipped ones included. The service
    hands out the same object until a meeting begins or comes within the fortnight, or the
    meetings change, so its drawing can be kept by identity."""

    rows: tuple[Listed, ...]


class NextMeeting(Struct, frozen=True):
    occurrence: Occurrence
    minute_taker: PersonView | None


# Compared by identity: MeetingService hands out one object per series and coming dates until
# the meetings or the team change, and its drawing is kept with it (handlers/meetings/blocks.py).
class SeriesDetails(Struct, frozen=True, eq=False, weakref=True):
    view: SeriesView
    chair: PersonView | None
    minute_takers: list[PersonView | None]
    task: TaskView | None
    upcoming: list[NextMeeting]

    @property
    def series(self) -> MeetingSeries:
        return self.view.series


class ChangeKind(StrEnum):
    CANCELLED = "cancelled"
    MOVED = "moved"
    RESTORED = "restored"


class OccurrenceChanged(Struct, frozen=True):
    """A change stored; `notices` are the announcements to post (after answering the user)."""

    kind: ChangeKind
    series: MeetingSeries
    before: Occurrence  # as it stood before the change
    start: datetime  # where it stands now (MOVED: the new start)
    held: bool  # whether it takes place after the change
    note: str | None  # RESTORED: why it is not as the rule says (e.g. a holiday)
    holiday: str | None  # MOVED: the new day is a public holiday
    notices: tuple[Notice, ...]
    # Owners of action items due "at the next meeting" whose date followed the change: their
    # overviews (the App Home) changed.
    affected_users: tuple[str, ...] = ()


class ChannelReminder(Struct, frozen=True):
    """A reminder in the series' channel, with what the meeting needs."""

    to: str
    view: SeriesView
    occurrence: Occurrence
    today: date
    chair: PersonView | None
    minute_taker: PersonView | None
    task: TaskView | None
    open_items: list[ActionItemView]
    # Open items left out because the channel has guests or another organisation's members
    # (or was not where they were agreed): only their number is posted.
    withheld_items: int = 0
    # A guest or another organisation's user reads the channel: no other team data goes in.
    outsiders: bool = False


class SkippedNotice(Struct, frozen=True):
    """In place of the reminders of a meeting skipped on a holiday: that it is off."""

    to: str
    view: SeriesView
    occurrence: Occurrence
    following: Occurrence | None


class ChairBriefing(Struct, frozen=True):
    """The chair's DM on the working day before: what to prepare."""

    to: str
    view: SeriesView
    occurrence: Occurrence
    task: TaskView | None
    minute_taker: PersonView | None


Delivery = ChannelReminder | SkippedNotice | ChairBriefing


class Due(Struct, frozen=True):
    key: str  # the delivery key (bot.core.meetings.delivery_key): one send per key, ever
    due_at: datetime


class FailureReport(Struct, frozen=True):
    channel: str  # where the post was refused ("?" when the key names nothing any more)
    notice: Notice | None  # the DM that says so, when there is someone to tell


_FAILURE_ADVICE = {
    "channel_not_found": "het kanaal bestaat niet (meer). Pas `channel` aan in "
    "`config/meetings.yaml` en draai `oov-bot import`.",
    "not_in_channel": "de bot is geen lid van het kanaal. Nodig hem uit met `/invite @oov-bot` "
    "in het kanaal.",
    "is_archived": "het kanaal is gearchiveerd. Pas `channel` aan in `config/meetings.yaml`.",
}


class FollowedItems(Struct, frozen=True):
    """Action items due "at the next meeting" whose date followed a cancelled or moved meeting."""

    count: int = 0
    dates: tuple[date | None, ...] = ()  # the dates they have now (None: no next meeting)
    owners: tuple[str, ...] = ()

    def sentence(self) -> str:
        """ " 2 actiepunten voor dit overleg schuiven mee naar dinsdag 8 december 2026." """
        if not self.count:
            return ""
        one = self.count == 1
        what = "1 actiepunt" if one else f"{self.count} actiepunten"
        if self.dates == (None,):
            return f" {what} voor dit overleg {'staat' if one else 'staan'} nu zonder deadline."
        where = (
            format_date(self.dates[0])
            if len(self.dates) == 1 and self.dates[0]
            else "het eerstvolgende overleg"
        )
        return f" {what} voor dit overleg {'schuift' if one else 'schuiven'} mee naar {where}."


class _Found(Struct, frozen=True):
    view: SeriesView
    occurrence: Occurrence
    kind: str


class MeetingService:
    def __init__(
        self,
        store: MeetingStore,
        team: TeamStore,
        actions: ActionStore,
        *,
        tz: tzinfo,
        grace_minutes: int,
        access: AccessService | None = None,
    ) -> None:
        # Who else reads the channel a reminder goes to; None: nobody is asked, items are posted.
        self.access = access
        self.store = store
        self.team = team
        self.actions = actions
        self.tz = tz
        self.grace_minutes = grace_minutes
        # `/overleg <naam>` answers per series and coming dates (which move only when a meeting
        # starts), until a series, a change by hand, a person or a task changes.
        self._details: VersionedCache[tuple[str, tuple[Occurrence, ...]], SeriesDetails] = (
            VersionedCache(store.db, (MEETINGS, TEAM))
        )
        # The series a `/overleg <naam>` text names, until the meetings change.
        self._named: VersionedCache[str, SeriesView] = VersionedCache(store.db, (MEETINGS,))
        # The `/overleg` list per the occurrences it shows: within one meetings version a series
        # and original date stand for one occurrence.
        self._fortnights: VersionedCache[tuple[tuple[str, date], ...], Fortnight] = VersionedCache(
            store.db, (MEETINGS,)
        )

    # -- reading ---------------------------------------------------------------------------------

    def prepare(self) -> None:
        """Build what `/overleg` reads (at start, outside a request): the series and each
        series' schedule in words. Not the dates themselves: those need the public holidays,
        whose package (~14 MiB) a process loads only when a first answer needs it."""
        for view in self.store.all_series():
            with contextlib.suppress(meetings.ScheduleError):
                meetings.describe_schedule(view.series)

    def series(self) -> list[SeriesView]:
        """The configured series; refused (in Dutch) when there are none."""
        views = self.store.all_series()
        if not views:
            raise MeetingCommandError(NO_MEETINGS)
        return views

    def upcoming(self, now: datetime, actor: Actor) -> Fortnight:
        """Every occurrence of the next LIST_DAYS days, cancelled and skipped ones included."""
        require(Action.READ_MEETINGS, actor)
        with read_once():
            self.series()
            rows = self.store.occurrences(now, now + timedelta(days=LIST_DAYS))
            shown = tuple((view.key, occurrence.original_date) for view, occurrence in rows)
            return self._fortnights.get(
                shown, lambda: Fortnight(tuple(Listed(view, o) for view, o in rows))
            )

    def describe(self, text: str, now: datetime, actor: Actor) -> SeriesDetails:
        require(Action.READ_MEETINGS, actor)
        with read_once():  # the series, its people and task: one reading of the versions
            return self._describe(text, now)

    def _describe(self, text: str, now: datetime) -> SeriesDetails:
        view = self._named.get(text, lambda: self._one(self.series(), text))
        upcoming = tuple(self.store.upcoming(view.key, now, NEXT_COUNT))
        return self._details.get((view.key, upcoming), lambda: self._details_of(view, upcoming))

    def _details_of(self, view: SeriesView, upcoming: tuple[Occurrence, ...]) -> SeriesDetails:
        series = view.series
        return SeriesDetails(
            view=view,
            chair=self.person(series.chair),
            minute_takers=[self.person(k) for k in series.minute_takers],
            task=self.task(view),
            upcoming=[
                NextMeeting(o, self.person(meetings.minute_taker(series, o)) if o.held else None)
                for o in upcoming
            ],
        )

    # -- changing one occurrence -----------------------------------------------------------------

    @staticmethod
    def held(series: MeetingSeries, actor: Actor) -> frozenset[Role]:
        """The roles `actor` holds for this series."""
        key = actor.person_key
        if key is None:
            return frozenset()
        held = {Role.CHAIR} if key == series.chair else set()
        if key in series.minute_takers:
            held.add(Role.MINUTE_TAKER)
        return frozenset(held)

    def _may_change(self, view: SeriesView, actor: Actor) -> str | None:
        require(Action.CHANGE_MEETING, actor, self.held(view.series, actor))
        return actor.slack_id

    def cancel(self, words: Sequence[str], actor: Actor, now: datetime) -> OccurrenceChanged:
        require(Action.READ_MEETINGS, actor)
        words, reason = split_reason(words)  # "annuleer boa 22-12 ivm kerstreces"
        view, rest = self._series_and_rest(self.series(), words, "annuleer", now, self._is_date)
        by = self._may_change(view, actor)
        occurrence = self._occurrence(view, " ".join(rest), now)
        series = view.series
        when = format_datetime(occurrence.start, tz=self.tz)
        if occurrence.status is Status.CANCELLED:
            raise MeetingCommandError(f"{series.name} van {when} is al afgelast.")
        if occurrence.status is Status.SKIPPED:
            raise MeetingCommandError(
                f"{series.name} op {format_date(occurrence.original_date)} gaat al niet door "
                f"({occurrence.holiday})."
            )
        self.store.cancel(series.key, occurrence.original_date, by=by or "shell", now=now)
        items = self._follow_items(series, [occurrence.start.astimezone(self.tz).date()], now)
        # As for a meeting skipped on a holiday: the channel also hears when it meets next.
        following = self.store.next_occurrence(series.key, occurrence.start)
        after = (
            f" De volgende keer is {format_datetime(following.start, tz=self.tz)}."
            if following
            else ""
        )
        notice = Notice(
            series.channel,
            f"❌ *{escape(series.name)}* van {when} gaat niet door (afgelast door {who(by)})."
            + _reason(reason)
            + after
            + items.sentence(),
            f"cancellation of {series.key}",
        )
        return OccurrenceChanged(
            ChangeKind.CANCELLED, series, occurrence, occurrence.start, False, None, None,
            (notice,), items.owners,
        )  # fmt: skip

    def move(self, words: Sequence[str], actor: Actor, now: datetime) -> OccurrenceChanged:
        require(Action.READ_MEETINGS, actor)
        words, reason = split_reason(words)
        view, rest = self._series_and_rest(self.series(), words, "verplaats", now, self._is_move)
        by = self._may_change(view, actor)
        occurrence, new_start = self._parse_move(view, rest, now)
        series = view.series
        tz = self.tz
        old = format_datetime(occurrence.start, tz=tz)
        new = format_datetime(new_start, tz=tz)
        if occurrence.status is Status.CANCELLED:
            raise MeetingCommandError(
                f"{series.name} van {old} is afgelast. Draai dat eerst terug met "
                f"`/overleg herstel {series.key} {occurrence.original_date:%d-%m-%Y}`."
            )
        if new_start <= now:
            raise MeetingCommandError(f"{new} is al voorbij. Kies een moment in de toekomst.")
        if new_start == occurrence.start:
            raise MeetingCommandError(f"{series.name} staat al op {new}.")
        if other := self._other_on_day(view, occurrence, new_start):
            # Two of one series on a day: double reminders, and a date no longer names one.
            raise MeetingCommandError(
                f"Op {format_date(new_start, tz=tz)} is er al een {series.name} "
                f"({format_time(other.start, tz=tz)}). Gaat die van {old} niet door? "
                f"Gebruik dan `/overleg annuleer {series.key} "
                f"{occurrence.original_date:%d-%m-%Y}`."
            )
        if new_start == occurrence.original_start and occurrence.holiday is None:
            # Back where the rule puts it: no change left, and its original reminders stand.
            self.store.restore(series.key, occurrence.original_date)
        else:
            self.store.move(series.key, occurrence.original_date, new_start, by=by or "shell",
                            now=now)  # fmt: skip
        items = self._follow_items(series, [occurrence.start.astimezone(tz).date()], now)
        notice = Notice(
            series.channel,
            f"📅 *{escape(series.name)}* van {old} is verplaatst naar *{new}* (door {who(by)})."
            + _reason(reason)
            + items.sentence(),
            f"move of {series.key}",
        )
        holiday = dutch_holiday_name(new_start.astimezone(tz).date())
        return OccurrenceChanged(
            ChangeKind.MOVED, series, occurrence, new_start, True, None, holiday, (notice,),
            items.owners,
        )  # fmt: skip

    def restore(self, words: Sequence[str], actor: Actor, now: datetime) -> OccurrenceChanged:
        require(Action.READ_MEETINGS, actor)
        view, rest = self._series_and_rest(self.series(), words, "herstel", now, self._is_date)
        by = self._may_change(view, actor)
        occurrence = self._occurrence(view, " ".join(rest), now)
        series = view.series
        if occurrence.change is None:
            raise MeetingCommandError(
                f"Aan {series.name} van {format_date(occurrence.start, tz=self.tz)} is niets "
                "gewijzigd."
            )
        # Items that followed the meeting away (to the next one, or to its moved date) come back.
        held_after = self.store.next_occurrence(series.key, occurrence.start)
        away = [o.start.astimezone(self.tz).date() for o in (occurrence, held_after) if o]
        self.store.restore(series.key, occurrence.original_date)
        items = self._follow_items(series, away, now)
        restored = self.store.occurrence(series.key, occurrence.original_date)
        assert restored is not None
        when = format_datetime(restored.start, tz=self.tz)
        state = "gaat toch door" if restored.held else "blijft vervallen"
        note = meetings.occurrence_note(restored, tz=self.tz)
        suffix = f" ({note})" if note else ""
        notice = Notice(
            series.channel,
            f"↩️ *{escape(series.name)}* {state} op {when}{escape(suffix)} "
            f"(wijziging teruggedraaid door {who(by)})." + items.sentence(),
            f"restore of {series.key}",
        )
        return OccurrenceChanged(
            ChangeKind.RESTORED, series, occurrence, restored.start, restored.held, note, None,
            (notice,), items.owners,
        )  # fmt: skip

    # -- action items due at a meeting ------------------------------------------------------------

    def _follow_items(
        self, series: MeetingSeries, days: Sequence[date], now: datetime
    ) -> FollowedItems:
        """After a change to one of the series' meetings: the open action items due at it ("voor
        het volgende overleg", or nothing said in its thread) that were due on one of `days` get
        the date of the series' next meeting that is held now, so nobody is chased for a meeting
        that does not take place. An item stores only its date; which series it waits for is read
        again from its own words (the series it names, else its thread's)."""
        moved: list[ActionItemView] = []
        dates: dict[date | None, None] = {}
        for item in self.actions.open_due_at_meetings(days):
            if item.due_on is None or not self._waits_for(item, series.key, now):
                continue
            after = now
            if item.series_key == series.key and item.occurrence_at is not None:
                after = max(now, item.occurrence_at)  # its thread's meeting: the one after that
            following = self.store.next_occurrence(series.key, after)
            due_on = following.start.astimezone(self.tz).date() if following else None
            if due_on == item.due_on:
                continue
            if self.actions.follow_meeting(item.id, item.due_on, due_on, now):
                log.info("action item #%d follows %s to its next meeting", item.id, series.key)
                moved.append(item)
                dates[due_on] = None
        owners = tuple(dict.fromkeys(i.owner_slack_id for i in moved))
        return FollowedItems(len(moved), tuple(dates), owners)

    def _waits_for(self, item: ActionItemView, series_key: str, now: datetime) -> bool:
        """Whether the item is due at this series' next meeting."""
        if item.due_kind == "next_meeting":
            line = read_action(
                item.text, author=item.author_slack_id, now=now, tz=self.tz, require_prefix=False
            )
            due = line.due if line else None
            hint = due.meeting_hint if due and due.kind == "next_meeting" else None
            named = self.store.find(hint) if hint else []
            if named:  # as bot.services.actions reads it: the first series the name fits
                return named[0].key == series_key
        return item.series_key == series_key

    # -- reminders -------------------------------------------------------------------------------

    def due(self, start: datetime, end: datetime) -> Iterator[Due]:
        """Every reminder and chair DM due in [start, end], under its delivery key."""
        views = self.store.all_series()
        if not views:
            return
        changes = self.store.changes()
        slack_ids = {p.key: p.slack_id for p in self.team.people() if p.slack_id}
        for view in views:
            series = view.series
            # Reminders come before the meeting: look far enough ahead for "N working days
            # before" across a weekend plus holidays (Christmas, Easter).
            lead = timedelta(days=2 * max((r.days_before for r in series.remind), default=0) + 7)
            for occurrence in meetings.occurrences(
                series, start, end + lead, changes.get(series.key, ()), tz=self.tz
            ):
                for due in meetings.reminder_times(series, occurrence, tz=self.tz):
                    if not start <= due.due_at <= end:
                        continue
                    if due.to_chair and not slack_ids.get(series.chair or ""):
                        continue  # nobody to DM; the channel reminders still go out
                    change = occurrence.change if occurrence.moved_by_hand else None
                    if change and change.changed_at and due.due_at < change.changed_at:
                        continue  # due before the move: the move announcement replaced it
                    yield Due(delivery_key(occurrence, due.kind, tz=self.tz), due.due_at)

    def delivery(self, key: str, now: datetime) -> Delivery | None:
        """What to post for a delivery key, from the database as it is now; None when it no
        longer applies (moved or cancelled since planning, or no chair to DM)."""
        found = self._current(key)
        if found is None:
            log.info("meeting delivery %s no longer applies (changed since planning); skipped", key)
            return None
        view, occurrence = found.view, found.occurrence
        if now >= occurrence.start:
            # Posted late (a restart within the grace window after an outage): "vandaag 09:00"
            # at 09:30, or a chair's preparation after the meeting began, only confuses.
            log.info("meeting delivery %s: the meeting has begun; stale, skipped", key)
            return None
        series = view.series
        if found.kind != CHAIR_DM and self._superseded(found, now):
            # Both late after an outage: one reminder in the channel, the latest, not two at once.
            log.info("meeting delivery %s: a later reminder is due too; stale, skipped", key)
            return None
        taker = self.person(meetings.minute_taker(series, occurrence))
        if found.kind == CHAIR_DM:
            chair = self.person(series.chair)
            if chair is None or not chair.slack_id:
                log.info("meeting delivery %s: the chair has no Slack ID; skipped", key)
                return None
            return ChairBriefing(chair.slack_id, view, occurrence, self.task(view), taker)
        if occurrence.status is Status.SKIPPED:
            following = self.store.next_occurrence(series.key, occurrence.original_start)
            return SkippedNotice(series.channel, view, occurrence, following)
        open_items, withheld, outsiders = self._postable_items(view, now)
        return ChannelReminder(
            to=series.channel,
            view=view,
            occurrence=occurrence,
            today=now.astimezone(self.tz).date(),
            chair=self.person(series.chair),
            minute_taker=taker,
            task=self.task(view),
            open_items=open_items,
            withheld_items=withheld,
            outsiders=outsiders,
        )

    def _superseded(self, found: _Found, now: datetime) -> bool:
        """Whether a later channel reminder of the same meeting is due by `now` as well."""
        times = meetings.reminder_times(found.view.series, found.occurrence, tz=self.tz)
        mine = next((d.due_at for d in times if d.kind == found.kind), None)
        return mine is not None and any(not d.to_chair and mine < d.due_at <= now for d in times)

    def _postable_items(
        self, view: SeriesView, now: datetime
    ) -> tuple[list[ActionItemView], int, bool]:
        """The series' open items the reminder may list: only those agreed in the channel it
        is posted to, and none when a guest or another organisation's user reads that channel
        (the item texts are the team's); of the others only their number is told. Also whether
        the channel is known to have such readers (then other team data stays out too)."""
        items = self.actions.open_for_series(view.key)
        if self.access is None:
            return items, 0, False
        # The channel's ID: as configured, or for a "#name" the one Slack gave its latest
        # reminder; before any reminder, the channel its items were agreed in.
        here: str | None = view.series.channel
        if here.startswith("#"):
            here = self.store.channel_id_of(view.key)
        shown = items if here is None else [item for item in items if item.channel == here]
        here = here or next((item.channel for item in items), None)
        checked = {item.channel for item in shown} | ({here} if here else set())
        outsiders = {c: self.access.has_outsiders(c, now) for c in checked}
        shown = [item for item in shown if not outsiders[item.channel]]
        if len(shown) < len(items):
            log.info(
                "meeting reminder of %s: %d open items withheld (not everyone there may read them)",
                view.key,
                len(items) - len(shown),
            )
        return shown, len(items) - len(shown), bool(here and outsiders[here])

    def previous_start(self, series_key: str, occurrence: Occurrence) -> datetime | None:
        """When the series last met before `occurrence` (within a year), or None."""
        earlier = self.store.occurrences(
            occurrence.start - timedelta(days=400), occurrence.start, keys=[series_key]
        )
        held = [o.start for _, o in earlier if o.held and o.start < occurrence.start]
        return held[-1] if held else None

    def missed_report(self, key: str, now: datetime) -> Notice | None:
        """Not sent in time and past the grace window: the DM that tells the chair (else the
        task's owner) rather than posting late; None when there is nobody to tell, or nothing
        left to act on (the meeting has begun, or was cancelled or moved since)."""
        found = self._current(key)
        if found is None or now >= found.occurrence.start:
            # After an outage of days, one DM per reminder of meetings long held would bury the
            # chair in reports nobody can act on any more: logged only.
            log.info("missed meeting delivery %s: its meeting has begun or changed; stale", key)
            return None
        target = self._report_to(found.view)
        if target is None:
            log.warning("missed meeting delivery %s: nobody with a Slack ID to tell", key)
            return None
        what = "Je voorbereidingsbericht" if found.kind == CHAIR_DM else "De herinnering"
        text = (
            f"⚠️ {what}{self._planned(found)} voor {self._meeting(found)} is niet verstuurd: op "
            "het geplande moment "
            "draaide de bot niet of was Slack onbereikbaar, en na "
            f"{self.grace_minutes} minuten plaatst de bot niets meer alsnog."
        )
        if found.kind != CHAIR_DM:
            channel = channel_ref(found.view.series.channel)
            if found.occurrence.status is Status.SKIPPED:  # the notice that it is off
                news = f"het overleg niet doorgaat ({escape(found.occurrence.holiday or '')})"
            else:
                news = "het overleg eraan komt"
            text += f" Laat {channel} zo nodig zelf weten dat {news}."
        return Notice(target, text, f"missed-reminder report {key}")

    def failure_report(self, key: str, code: str) -> FailureReport:
        """Slack refused the post for good (`code`): the DM that says why and what to fix. A
        failed DM to the chair cannot be reported to the chair."""
        found = self._lookup(key)
        if found is None:
            return FailureReport("?", None)
        channel = found.view.series.channel
        target = self._report_to(found.view)
        if target is None or found.kind == CHAIR_DM:
            return FailureReport(channel, None)
        advice = _FAILURE_ADVICE.get(code, f"Slack gaf de fout `{code}`.")
        text = (
            f"⚠️ Ik kon de herinnering{self._planned(found)} voor {self._meeting(found)} niet "
            "plaatsen in "
            f"{channel_ref(channel)}: {advice}"
        )
        return FailureReport(channel, Notice(target, text, f"failed-reminder report {key}"))

    def _planned(self, found: _Found) -> str:
        """ " van maandag 23 november om 16:00": which of a meeting's channel reminders, so that
        two reports about one meeting do not read the same."""
        if found.kind == CHAIR_DM:
            return ""
        series, occurrence = found.view.series, found.occurrence
        for due in meetings.reminder_times(series, occurrence, tz=self.tz):
            if due.kind == found.kind:
                day = format_date(due.due_at.astimezone(self.tz).date(), with_year=False)
                return f" van {day} om {format_time(due.due_at, tz=self.tz)}"
        return ""

    def _meeting(self, found: _Found) -> str:
        when = format_datetime(found.occurrence.start, tz=self.tz)
        return f"*{escape(found.view.series.name)}* van {when}"

    def _report_to(self, view: SeriesView) -> str | None:
        """Who hears about a reminder that did not go out: the chair, else the task's owner."""
        chair = self.person(view.series.chair)
        if chair and chair.slack_id:
            return chair.slack_id
        task = self.task(view)
        return task.owner.slack_id if task and task.owner and task.owner.slack_id else None

    def _lookup(self, key: str) -> _Found | None:
        """The series and occurrence a delivery key names, as the database has them now."""
        ref = parse_delivery_key(key)
        if ref is None:
            return None
        view = self.store.get(ref.series_key)
        occurrence = self.store.occurrence(ref.series_key, ref.occurrence_date)
        if view is None or occurrence is None:
            return None
        return _Found(view, occurrence, ref.kind)

    def _current(self, key: str) -> _Found | None:
        """The delivery's meeting if it is still due as planned (not moved, not cancelled)."""
        found = self._lookup(key)
        if found is None:
            return None
        if delivery_key(found.occurrence, found.kind, tz=self.tz) != key:
            return None  # moved (or moved back) since it was planned
        if found.occurrence.status is Status.CANCELLED:
            return None
        return found

    # -- people and tasks ------------------------------------------------------------------------

    def person(self, key: str | None) -> PersonView | None:
        return self.team.find_person(key) if key else None

    def task(self, view: SeriesView) -> TaskView | None:
        if view.task_id is None:
            return None
        try:
            return self.team.task(view.task_id)
        except UnknownTaskError:
            return None

    # -- reading the arguments -------------------------------------------------------------------

    def _one(self, views: Sequence[SeriesView], text: str) -> SeriesView:
        found = self._matches(views, text)
        if len(found) == 1:
            return found[0]
        if found:
            names = ", ".join(f"`{v.key}` ({v.series.name})" for v in found)
            raise MeetingCommandError(f"Meerdere overleggen passen bij “{text}”: {names}.")
        known = ", ".join(f"`{v.key}`" for v in views)
        raise MeetingCommandError(f"Ik ken geen overleg “{text}”. Bekend: {known}.")

    @staticmethod
    def _matches(views: Sequence[SeriesView], text: str, *, fuzzy: bool = True) -> list[SeriesView]:
        by_key = {v.key: v for v in views}
        found = meetings.match_series([v.series for v in views], text, fuzzy=fuzzy)
        return [by_key[s.key] for s in found]

    def _series_and_rest(
        self,
        views: Sequence[SeriesView],
        words: Sequence[str],
        verb: str,
        now: datetime,
        rest_fits: Callable[[SeriesView, list[str], datetime], bool],
    ) -> tuple[SeriesView, list[str]]:
        """Split "<naam> <datum…>": the longest leading words naming one series, preferring a
        split whose remainder reads as the command needs (names and dates both have spaces)."""
        words = list(words)
        usage = (
            f"`/overleg {verb} <naam> <datum>`"
            if verb != "verplaats"
            else "`/overleg verplaats <naam> <datum> <nieuwe datum en tijd>`"
        )
        if len(words) < 2:
            raise MeetingCommandError(f"Gebruik: {usage}. Zie ook `/overleg help`.")
        fallback: tuple[SeriesView, list[str]] | None = None
        # Exact names first: a typo-tolerant match could swallow a date word ("boa 1").
        for fuzzy in (False, True):
            for cut in range(len(words) - 1, 0, -1):
                found = self._matches(views, " ".join(words[:cut]), fuzzy=fuzzy)
                if len(found) != 1:
                    continue
                rest = without_date_preposition(words[cut:])  # "boa op 15 december"
                if rest_fits(found[0], rest, now):
                    return found[0], rest
                fallback = fallback or (found[0], rest)
        if fallback is not None:
            return fallback  # the date is what is wrong: let its parser say why
        return self._one(views, words[0]), without_date_preposition(words[1:])

    def _is_date(self, view: SeriesView, words: list[str], now: datetime) -> bool:
        try:
            parse_period(" ".join(words), now, tz=self.tz)
        except DutchDateError:
            return False
        return True

    def _is_move(self, view: SeriesView, words: list[str], now: datetime) -> bool:
        try:
            self._parse_move(view, words, now)
        except _MoveQuestion:
            return True  # it reads; what it means is asked back
        except MeetingCommandError:
            return False
        return True

    def _occurrence(self, view: SeriesView, text: str, now: datetime) -> Occurrence:
        """The meeting `text` names: a day ("8 december", "dinsdag"), or a week ("week 50",
        "volgende week") in which the series meets once."""
        try:
            days = parse_period(text, now, tz=self.tz)
        except DutchDateError as exc:
            raise MeetingCommandError(str(exc)) from None
        if days.first == days.last:
            return self._occurrence_on(view, days.first, now)
        series = view.series
        # By the day it was planned on: a meeting moved within the week is found on both days.
        found: dict[date, Occurrence] = {}
        for n in range((days.last - days.first).days + 1):
            occurrence = self.store.occurrence_for_day(series.key, days.first + timedelta(days=n))
            if occurrence is not None:
                found.setdefault(occurrence.original_date, occurrence)
        held = sorted(o.start.astimezone(self.tz).date() for o in found.values())
        if len(found) == 1:
            return self._occurrence_on(view, next(iter(found)), now)
        if not held:
            raise MeetingCommandError(
                f"In {days.label} is er geen {series.name}.{self._next_dates_hint(view, now)}"
            )
        dates = ", ".join(format_short_date(day) for day in held)
        raise MeetingCommandError(
            f"In {days.label} is er {len(held)} keer {series.name}: {dates}. Noem de datum, "
            f"bijvoorbeeld `{held[0].day}-{held[0].month}`."
        )

    def _next_dates_hint(self, view: SeriesView, now: datetime) -> str:
        upcoming = [o for o in self.store.upcoming(view.key, now, 10) if o.held][:3]
        dates = ", ".join(format_short_date(o.start.astimezone(self.tz)) for o in upcoming)
        return f" De volgende keren: {dates}." if dates else ""

    def _occurrence_on(self, view: SeriesView, day: date, now: datetime) -> Occurrence:
        series = view.series
        occurrence = self.store.occurrence_for_day(series.key, day)
        if occurrence is None:
            hint = self._next_dates_hint(view, now)
            raise MeetingCommandError(f"Op {format_date(day)} is er geen {series.name}.{hint}")
        if occurrence.start <= now:
            raise MeetingCommandError(
                f"{series.name} van {format_datetime(occurrence.start, tz=self.tz)} is al "
                "begonnen of geweest."
            )
        return occurrence

    def _other_on_day(
        self, view: SeriesView, occurrence: Occurrence, new_start: datetime
    ) -> Occurrence | None:
        """Another occurrence of the series that takes place on the day of `new_start`."""
        tz = self.tz
        day = new_start.astimezone(tz).date()
        midnight = datetime.combine(day, datetime.min.time(), tzinfo=tz)
        same_day = self.store.occurrences(midnight, midnight + timedelta(days=1), keys=[view.key])
        return next(
            (
                o
                for _, o in same_day
                if o.held
                and o.original_date != occurrence.original_date
                and o.start.astimezone(tz).date() == day
            ),
            None,
        )

    def _parse_move(
        self, view: SeriesView, words: list[str], now: datetime
    ) -> tuple[Occurrence, datetime]:
        """Read "<datum> [naar] <nieuwe datum en/of tijd>": (the occurrence, its new start)."""
        cut = split_at_to(words)
        splits = [cut] if cut else [(words[:i], words[i:]) for i in range(1, len(words))]
        first_error: str | None = None
        for old_words, new_words in splits:
            try:
                occurrence = self._occurrence(view, " ".join(old_words), now)
                new_start = self._new_start(occurrence, " ".join(new_words), now)
                self._check_week_of(old_words, new_words, occurrence, new_start)
                return occurrence, new_start
            except _MoveQuestion:
                raise
            except DutchDateError as exc:
                first_error = first_error or str(exc)
            except MeetingCommandError as exc:
                first_error = first_error or exc.message
        raise MeetingCommandError(
            first_error
            or "Geef de datum van het overleg en de nieuwe datum en/of tijd, bijvoorbeeld "
            "`/overleg verplaats teamoverleg 30-11 naar 1-12 14:00`."
        )

    def _check_week_of(
        self, old: list[str], new: list[str], occurrence: Occurrence, new_start: datetime
    ) -> None:
        """For "verplaats volgende maandag dinsdag": the bare weekday is read from today, so it
        can lie before next week's meeting itself, a day that has passed by then. Ask rather than
        move it somewhere unasked."""
        tz = self.tz
        local = occurrence.start.astimezone(tz)
        new_day = new_start.astimezone(tz).date()
        # A weekday named for both ("volgende maandag dinsdag", "maandag dinsdag"); a date
        # written out ("30-11 woensdag") says which week the user looks at.
        relative_old = not any(c.isdigit() for c in " ".join(old))
        bare_weekday = bool(new) and weekday_number(new[0]) is not None
        # Even so, a bare weekday more than a week before the meeting ("15-12 naar woensdag",
        # read as tomorrow) is no move anyone means.
        far_before = (local.date() - new_day).days > 6
        if bare_weekday and new_day < local.date() and (relative_old or far_before):
            raise _MoveQuestion(
                f"Bedoel je {format_datetime(new_start, tz=tz)}? Die dag ligt vóór "
                f"{format_date(local.date())}, de dag van het overleg zelf. Zet de datum erbij, "
                f"bijvoorbeeld `{format_short_date(new_day)} {format_time(new_start, tz=tz)}` "
                "of de datum erna."
            )

    def _new_start(self, occurrence: Occurrence, text: str, now: datetime) -> datetime:
        tz = self.tz
        local = occurrence.start.astimezone(tz)
        if not text.strip():
            raise MeetingCommandError("Naar welke datum en/of tijd? Bijvoorbeeld `1-12 14:00`.")
        try:  # only a time: the same day
            return wall_time(local.date(), parse_time(text), tz)
        except DutchDateError:
            pass
        try:
            return parse_datetime(text, now, default_time=local.time(), tz=tz)
        except DutchDateError as exc:
            raise MeetingCommandError(str(exc)) from None
