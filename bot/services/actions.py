"""Action items' use cases, Slack-free: capture an item from a message (prefix, 📌 reaction,
message shortcut and its modal), keep it in step with edits and deletions of that message, list
items for `/acties`, close and reopen them, the one confirmation per message, the overdue digest
and the retention purge.

Stores come in through the constructor and the time as `now`. What this feature needs from the
meetings (which series a thread or channel belongs to, when it next meets) it reads from
storage.meetings and the clock's delivery records, never from the meetings feature. Slack comes
in only through small protocols the adapter supplies (a channel's name, the message a reaction
is on, a `Messenger` for the confirmation), so the same use cases serve Slack, the shell and tests.

Refusals raise `ActionsError` (a DomainError; its message is Dutch mrkdwn, safe to show).
Message text is stored, never logged; logs name item ids, channels and error codes.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Collection
from datetime import UTC, date, datetime, timedelta
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from msgspec import Struct, field
from msgspec.structs import replace

from bot.core.access import Action, Actor, Role
from bot.core.action_items import (
    ActionLine,
    DueKind,
    ResolvedDue,
    action_body,
    read_action,
    read_actions,
    resolve_due,
)
from bot.core.meetings import MeetingSeries, parse_delivery_key
from bot.core.slack_refs import channel_token
from bot.language import (
    MENTION_RE,
    format_date,
    format_short_date,
    parse_person_ref,
    resolve_person,
)
from bot.language.people import SELF_WORDS
from bot.services.access import AccessDenied, AccessService, allowed, require
from bot.services.errors import DomainError
from bot.services.notices import Notice, escape
from storage.actions import (
    CANCELLED,
    DELETED_SOURCE,
    DONE,
    OPEN,
    ActionItemView,
    ActionQuery,
    ActionStore,
    ItemChange,
    NewActionItem,
)
from storage.deliveries import DeliveryStore
from storage.meetings import MeetingStore, SeriesView
from storage.team import TeamStore
from storage.versions import ACTIONS, MEETINGS, TEAM, VersionedCache, read_once

log = logging.getLogger(__name__)

PAGE_SIZE = 20
CONFIRMATION_WAIT_SECONDS = 5
# Words of `/acties` that choose the status or the scope rather than a person or meeting.
_DONE_WORDS = frozenset({"afgerond", "afgeronde", "klaar", "gesloten", "gedaan", "done"})
_ALL_WORDS = frozenset({"open", "openstaand", "openstaande", "alle", "alles", "team"})
# "/acties te laat": only items past their deadline.
_OVERDUE_RE = re.compile(r"(?<!\w)(?:te\s*laat|verlopen|achterstallige?)(?!\w)", re.IGNORECASE)
# Words that only lead in the person, meeting or channel: "van Bert", "van mij", "kanaal #boa".
_LEAD_WORDS = frozenset({"van", "de", "het", "kanaal", "in"})


class ActionsError(DomainError):
    """A request about action items that cannot be honoured; `field` names the modal input it is
    about ("text", "due") when it comes from the capture modal."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- what the actions feature needs from the meetings ---------------------------------------------


class MeetingRef(Struct, frozen=True):
    """A meeting series, and the occurrence a thread belongs to when known."""

    series_key: str
    name: str
    occurrence_at: datetime | None = None


ChannelNames = Callable[[str], str | None]
"""A channel's name ("boa-briefing") by ID; None when unknown. Raises when Slack failed in a way
that may pass (the event is then redelivered)."""


class ActionMeetings:
    """The meetings as action items see them: storage.meetings and the reminders' delivery
    records. `channel_names` answers for series configured by channel name ("#boa-briefing");
    each channel is asked once per process."""

    def __init__(
        self,
        meetings: MeetingStore,
        deliveries: DeliveryStore,
        channel_names: ChannelNames | None = None,
    ) -> None:
        self.store = meetings
        self.deliveries = deliveries
        self._channel_names = channel_names
        self._names: dict[str, str | None] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _ref(view: SeriesView, occurrence_at: datetime | None = None) -> MeetingRef:
        return MeetingRef(view.key, view.series.name, occurrence_at)

    def for_message(self, channel: str, thread_ts: str | None, now: datetime) -> MeetingRef | None:
        """The meeting a message belongs to: its thread is a reminder's thread, or it was posted
        in a meeting channel. None: no meeting context (prefix and reaction are then ignored)."""
        if thread_ts:
            delivery = self.deliveries.by_message(channel, thread_ts)
            reminder = parse_delivery_key(delivery.key) if delivery else None
            view = self.store.get(reminder.series_key) if reminder else None
            if reminder and view:
                occurrence = self.store.occurrence(reminder.series_key, reminder.occurrence_date)
                return self._ref(view, occurrence.start if occurrence else None)
        views = self.store.all_series()
        in_channel = [v for v in views if v.series.channel == channel]
        if not in_channel and any(v.series.channel.startswith("#") for v in views):
            name = self.channel_name(channel)
            in_channel = [v for v in views if name and v.series.channel == f"#{name}"]
        if not in_channel:
            return None
        if len(in_channel) == 1:
            return self._ref(in_channel[0])

        # Several series share the channel: the one that meets first is the one being discussed.
        def next_start(view: SeriesView) -> datetime:
            occurrence = self.store.next_occurrence(view.key, now)
            return occurrence.start if occurrence else datetime.max.replace(tzinfo=UTC)

        return self._ref(min(in_channel, key=next_start))

    def channel_name(self, channel: str) -> str | None:
        with self._lock:
            if channel in self._names:
                return self._names[channel]
        name = self._channel_names(channel) if self._channel_names else None
        with self._lock:
            self._names[channel] = name
        return name

    def find_series(self, text: str) -> list[MeetingRef]:
        """The series a name means ("boa", "TVO", "teamoverleg"); several when ambiguous."""
        return [self._ref(view) for view in self.store.find(text)]

    def series(self, series_key: str) -> MeetingSeries | None:
        view = self.store.get(series_key)
        return view.series if view else None

    def series_in(self, channels: Collection[str]) -> frozenset[str]:
        """The keys of the series that meet in `channels` (channel IDs)."""
        wanted = set(channels)
        views = self.store.all_series()
        named: set[str] = set()
        if any(view.series.channel.startswith("#") for view in views):
            for channel in wanted:
                try:
                    name = self.channel_name(channel)
                except Exception:  # Slack could not say: that series is not named, no more
                    log.warning("no name for channel %s", channel)
                    continue
                if name:
                    named.add(f"#{name}")
        return frozenset(v.key for v in views if v.series.channel in wanted | named)

    def series_names(self) -> dict[str, str]:
        return {view.key: view.series.name for view in self.store.all_series()}

    def next_occurrence(self, series_key: str, after: datetime) -> datetime | None:
        """Start of the first held occurrence of the series strictly after `after`."""
        occurrence = self.store.next_occurrence(series_key, after)
        return occurrence.start if occurrence else None


# --- inputs and results --------------------------------------------------------------------------


class PostedMessage(Struct, frozen=True):
    """A message a person posted, as far as capture needs it."""

    channel: str
    ts: str
    thread_ts: str | None  # None: not a thread reply (a thread's parent included)
    author: str
    text: str
    # Who is never an action's owner, though mentioned: the bot itself ("actie: @oov-bot zet …").
    not_owners: tuple[str, ...] = ()


MessageSource = Callable[[], PostedMessage | None]
"""Fetches the message a reaction is on; None when there is none or it is no person's."""


class Outcome(Struct, frozen=True):
    """What a capture, edit or deletion changed, for the confirmation and the Home tabs. A
    message of several action lines has an item per line: `item` is its head (line 0, which
    holds the message's one confirmation), `lines` all of them."""

    kind: Literal["captured", "updated", "cancelled"]
    item: ActionItemView
    created: bool = False
    previous_owner: str | None = None
    date_problem: str | None = None  # the head's
    # Further actions a pinned or picked message lists, not logged (that route takes one item).
    other_actions: int = 0
    # Every item of a message of several action lines, by line; empty for a message of one.
    lines: tuple[ActionItemView, ...] = ()
    # (line, Dutch reason) of each line whose deadline was not understood.
    line_problems: tuple[tuple[int, str], ...] = ()
    # The owners, before and after, of the message's other items this changed.
    others_affected: tuple[str, ...] = ()

    @property
    def affected_users(self) -> tuple[str, ...]:
        """Whose overview changed; nobody's for a redelivered capture (nothing changed)."""
        if self.kind == "captured" and not self.created:
            return ()
        users = (self.item.owner_slack_id, self.previous_owner, *self.others_affected)
        return tuple(u for u in dict.fromkeys(users) if u)


class Draft(Struct, frozen=True):
    """What the capture modal opens with for a message."""

    text: str
    owner: str
    due_on: date | None
    due_kind: str
    meeting: MeetingRef | None
    existing_id: int | None  # the message's item when it has a live one (saving updates it)
    note: str | None  # Dutch, shown above the fields
    # The names of the colleagues the text mentions (<@U…>), by Slack ID: the modal's plain text
    # field shows them as "@Naam" rather than as raw IDs.
    names: dict[str, str] = field(default_factory=dict)


class ModalSource(Struct, frozen=True):
    """The message a capture modal was opened on, as the modal carries it along."""

    channel: str
    ts: str
    thread_ts: str | None
    author: str
    due_kind: DueKind
    due_on: date | None  # the date the modal opened with
    series_key: str | None
    occurrence_at: datetime | None


class _PageKey(Struct, frozen=True):
    """Everything an `/acties` page depends on besides the data: the question, who asks (for
    "mijn"), where the page starts, the channels the asker may read (None: all) and the day
    (what is overdue)."""

    text: str
    caller: str | None
    before_id: int | None
    channels: tuple[str, ...] | None
    today: date
    # Who asks, roles included: the page offers Afgerond/Heropenen only where they may use it.
    actor: Actor


# eq=False: the same page is the same object, kept and drawn once (a weak key in the handlers).
class ItemPage(Struct, frozen=True, eq=False, weakref=True):
    """One page of `/acties`."""

    title: str
    items: tuple[ActionItemView, ...]
    more: bool
    today: date
    series_names: dict[str, str]
    query_text: str
    before_id: int | None
    # The items on the page the asker may close or reopen (the others get no button).
    changeable: frozenset[int] = frozenset()

    @property
    def overdue(self) -> int:
        return sum(item.is_overdue(self.today) for item in self.items)

    @property
    def summary(self) -> str:
        """One line for notifications: "Jouw open actiepunten: 3, waarvan 1 te laat"."""
        summary = f"{self.title}: {len(self.items)}{'+' if self.more else ''}"
        if self.overdue:
            summary += f", waarvan {self.overdue} te laat"
        return summary


class StatusChange(Struct, frozen=True):
    """The result of closing or reopening: the item as it is now, whether this call changed
    it, and what to tell whom."""

    item: ActionItemView
    changed: bool
    notices: tuple[Notice, ...] = ()

    @property
    def affected_users(self) -> tuple[str, ...]:
        return (self.item.owner_slack_id,) if self.changed else ()


class NotSent(Exception):
    """The messenger could not deliver; `code` is Slack's error code or the failure's kind."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Messenger(Protocol):
    """The Slack side of the confirmation, supplied by the adapter. Methods raise NotSent."""

    def permalink(self, channel: str, ts: str) -> str: ...

    def post(self, channel: str, text: str, *, thread_ts: str | None, what: str) -> str | None:
        """The new message's ts; None when Slack is not configured (nothing to edit later)."""
        ...

    def update(self, channel: str, ts: str, text: str) -> None: ...

    def try_post(self, channel: str, text: str, *, what: str) -> None:
        """Best effort: never raises."""
        ...


# --- texts ---------------------------------------------------------------------------------------


def due_phrase(item: ActionItemView) -> str:
    if item.due_on is None:
        return "zonder deadline"
    when = format_short_date(item.due_on)
    # "29-2" in December is 29 February 2028; "1 december 2025" a year ago, not this December.
    if abs((item.due_on - item.created_at.date()).days) > 180:
        when += f" {item.due_on.year}"
    if item.due_kind == "asap":
        return "z.s.m."
    if item.due_kind in {"next_meeting", "default"}:
        return f"voor het volgende overleg ({when})"
    return f"uiterlijk {when}"


def _and_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} en {words[-1]}"


def _lines_text(outcome: Outcome) -> str:
    """The reply for a message of several action lines: every item, one bullet each."""
    lines = outcome.lines
    live = [item for item in lines if item.status != CANCELLED]
    if not live:
        ids = _and_list([f"*#{item.id}*" for item in lines])
        return (
            f"🗑️ Actiepunten {ids} zijn vervallen: het bericht is verwijderd of is geen actie meer."
        )
    problems = dict(outcome.line_problems)
    verb = "bijgewerkt" if outcome.kind != "captured" else "vastgelegd"
    count = f"{len(live)} actiepunt{'en' if len(live) != 1 else ''}"
    rows = [f"📌 {count} uit dit bericht {verb}:"]
    for item in lines:
        if item.status == CANCELLED:
            rows.append(f"• *#{item.id}* is vervallen: die actieregel staat er niet meer.")
            continue
        row = f"• *#{item.id}* <@{item.owner_slack_id}>, "
        if item.line_no in problems:
            row += f"deadline niet begrepen: {escape(problems[item.line_no])}"
        else:
            row += due_phrase(item)
        if item.status == DONE:
            row += " (afgerond)"
        rows.append(row)
    if problems:
        rows.append(
            "⚠️ Pas je bericht aan (bewerken werkt de actiepunten bij) om de deadline te zetten."
        )
    if any(item.status != DONE for item in live):
        rows.append("Afronden kan met `/acties`.")
    return "\n".join(rows)


def confirmation_text(outcome: Outcome) -> str:
    """The reply in the message's thread (and the shell's answer to an `actie:` line)."""
    if len(outcome.lines) > 1:
        return _lines_text(outcome)
    item = outcome.item
    if outcome.kind == "cancelled":
        return (
            f"🗑️ Actiepunt *#{item.id}* is vervallen: het bericht is verwijderd of is geen "
            "actie meer."
        )
    verb = "bijgewerkt" if outcome.kind == "updated" else "vastgelegd"
    # An edit of a closed item rewrites this reply too: it must not ask to close it again.
    closing = "Het is al afgerond." if item.status == DONE else "Afronden kan met `/acties`."
    if outcome.date_problem:
        # Never claim "voor het volgende overleg" for a date that was not understood.
        text = (
            f"📌 Actiepunt *#{item.id}* {verb}: <@{item.owner_slack_id}>, maar de deadline heb "
            f"ik niet begrepen.\n⚠️ {escape(outcome.date_problem)} Pas je bericht aan (bewerken "
            f"werkt het actiepunt bij) om de deadline te zetten. {closing}"
        )
    else:
        due = due_phrase(item).removesuffix(".")  # "z.s.m." ends with its own full stop
        text = f"📌 Actiepunt *#{item.id}* {verb}: <@{item.owner_slack_id}>, {due}. {closing}"
    if outcome.other_actions:
        more = outcome.other_actions
        text += (
            f"\n⚠️ Dit bericht noemt nog {more} actie{'s' if more != 1 else ''} na de eerste; "
            "die heb ik niet vastgelegd (een vastgepind of gekozen bericht is één actiepunt). "
            "Zet ze in een nieuw bericht, elke actie op een eigen regel met `actie:`."
        )
    return text


def closing_text(item: ActionItemView, by: str) -> str:
    return f"✅ Actiepunt *#{item.id}* is afgerond door <@{by}>."


def reopening_text(item: ActionItemView, by: str) -> str:
    return f"↩️ Actiepunt *#{item.id}* is heropend door <@{by}>: het staat weer open."


def _problems(lines: list[ActionLine]) -> tuple[tuple[int, str], ...]:
    return tuple((no, line.date_problem) for no, line in enumerate(lines) if line.date_problem)


def _draft_note(line: ActionLine | None) -> str | None:
    """What the capture modal says above its fields: a date it could not read, other actions
    the message lists that this item leaves out."""
    if line is None:
        return None
    notes = [line.date_problem] if line.date_problem else []
    if line.other_actions:
        notes.append(
            f"Dit bericht noemt nog {line.other_actions} actie"
            f"{'s' if line.other_actions != 1 else ''} na de eerste; hier staat alleen de eerste."
        )
    return " ".join(notes) or None


# Who is acting, asked only when it matters (resolving may cost a Slack call).
ActorSource = Callable[[], Actor]


def _may_capture(actor: ActorSource) -> bool:
    try:
        require(Action.CAPTURE_ITEM, actor())
    except AccessDenied:
        return False  # ignored without a reply in the channel; the refusal is logged
    return True


# --- the use cases -------------------------------------------------------------------------------


class ActionService:
    def __init__(
        self,
        store: ActionStore,
        meetings: ActionMeetings,
        team: TeamStore,
        tz: ZoneInfo,
        *,
        retention_months: float,
        access: AccessService | None = None,
    ) -> None:
        # Channel membership for readers outside the team; None: they see nothing.
        self.access = access
        self.store = store
        self.meetings = meetings
        self.team = team
        self.tz = tz
        self.retention_months = retention_months
        # /acties pages as answered, per question, until the team (names), meetings (series) or
        # action items change: asking again costs a check of the data versions.
        self._pages: VersionedCache[_PageKey, ItemPage] = VersionedCache(
            store.db, (TEAM, MEETINGS, ACTIONS)
        )

    def today(self, now: datetime) -> date:
        return now.astimezone(self.tz).date()

    def meeting_for(self, channel: str, thread_ts: str | None, now: datetime) -> MeetingRef | None:
        return self.meetings.for_message(channel, thread_ts, now)

    def read(
        self,
        text: str,
        author: str,
        now: datetime,
        *,
        require_prefix: bool,
        not_owners: Collection[str] = (),
    ) -> ActionLine | None:
        return read_action(
            text,
            author=author,
            now=now,
            tz=self.tz,
            require_prefix=require_prefix,
            not_owners=not_owners,
        )

    def _lines_of(self, message: PostedMessage, source: str, now: datetime) -> list[ActionLine]:
        """The actions of a message as its route takes them: an item per `actie:` line, or the
        whole message as one item (a pin, the shortcut)."""
        if source == "prefix":
            return read_actions(
                message.text,
                author=message.author,
                now=now,
                tz=self.tz,
                not_owners=message.not_owners,
            )
        line = self.read(
            message.text,
            message.author,
            now,
            require_prefix=False,
            not_owners=message.not_owners,
        )
        return [line] if line else []

    def due_for(self, line: ActionLine, meeting: MeetingRef | None, now: datetime) -> ResolvedDue:
        def next_meeting(hint: str | None) -> date | None:
            series = next(iter(self.meetings.find_series(hint)), None) if hint else meeting
            if series is None:
                return None
            # A thread about one occurrence looks past it: "next meeting" is the one after that,
            # also when the thread's own series is named ("voor de volgende boa-briefing").
            after = now
            if meeting is not None and series.series_key == meeting.series_key:
                after = max(now, meeting.occurrence_at or now)
            start = self.meetings.next_occurrence(series.series_key, after)
            return start.astimezone(self.tz).date() if start else None

        return resolve_due(line.due, now, next_meeting, tz=self.tz)

    # -- capture and lifecycle from messages ------------------------------------------------------

    def capture(
        self,
        message: PostedMessage,
        *,
        source: Literal["prefix", "reaction", "shortcut"],
        meeting: MeetingRef | None,
        now: datetime,
    ) -> Outcome | None:
        """Store the message's actions, an item per `actie:` line (the pin and the shortcut take
        the whole message as one), or find those stored already: a redelivery or a second route.
        None: the message is no action."""
        lines = self._lines_of(message, source, now)
        if not lines:
            return None
        captured = self.store.capture_lines(
            [
                self._new_item(message, line, line_no, source, meeting, now)
                for line_no, line in enumerate(lines)
            ],
            now,
        )
        head = captured.items[0]
        if captured.created:
            for item in captured.items:
                log.info("action item #%d captured (%s) in %s", item.id, source, message.channel)
        elif head.status == CANCELLED and head.source == DELETED_SOURCE:
            return None  # the message was deleted (this is a late redelivery): nothing to say
        elif head.status == CANCELLED:
            return None  # lapsed by an edit that came first: nothing to say
        return Outcome(
            "captured",
            head,
            captured.created,
            date_problem=lines[0].date_problem,
            other_actions=lines[0].other_actions,
            lines=captured.items if len(captured.items) > 1 else (),
            line_problems=_problems(lines),
            others_affected=tuple(item.owner_slack_id for item in captured.items[1:]),
        )

    def _new_item(
        self,
        message: PostedMessage,
        line: ActionLine,
        line_no: int,
        source: str,
        meeting: MeetingRef | None,
        now: datetime,
    ) -> NewActionItem:
        due = self.due_for(line, meeting, now)
        return NewActionItem(
            channel=message.channel,
            message_ts=message.ts,
            line_no=line_no,
            thread_ts=message.thread_ts,
            source=source,
            text=line.text,
            owner_slack_id=line.owner,
            author_slack_id=message.author,
            due_on=due.on,
            due_kind=due.kind,
            series_key=meeting.series_key if meeting else None,
            occurrence_at=meeting.occurrence_at if meeting else None,
        )

    def capture_posted(
        self, message: PostedMessage, now: datetime, actor: ActorSource
    ) -> Outcome | None:
        """A new message: an action when it has the prefix, belongs to a meeting and its author
        is in the team (`actor()`, asked only then). Others' messages are ignored silently."""
        # Cheap test first: most messages are no action and need no database round trip.
        if action_body(message.text) is None:
            return None
        meeting = self.meeting_for(message.channel, message.thread_ts, now)
        if meeting is None or not _may_capture(actor):
            return None
        return self.capture(message, source="prefix", meeting=meeting, now=now)

    def capture_reaction(
        self, channel: str, ts: str, fetch: MessageSource, now: datetime, actor: ActorSource
    ) -> Outcome | None:
        """The pin reaction on a message: its item (the message is fetched only when it has
        none yet, and only in a meeting channel). A reaction of someone outside the team is
        ignored silently."""
        if not _may_capture(actor):
            return None
        existing = self.store.by_source(channel, ts)
        if existing is not None:
            return Outcome("captured", existing) if existing.is_open else None
        if self.meeting_for(channel, None, now) is None:
            return None
        message = fetch()
        if message is None:
            return None
        meeting = self.meeting_for(channel, message.thread_ts, now)
        return self.capture(message, source="reaction", meeting=meeting, now=now)

    def edit(self, message: PostedMessage, now: datetime, actor: ActorSource) -> Outcome | None:
        """An edited message: update its items, cancel them when the prefix was removed, or
        capture it when the edit made it an action (only Slack lets the author edit: `actor`); an
        item that lapsed when the prefix was removed comes back when it is put back. The lines of
        a message of several `actie:` lines are matched by their place among them: a changed line
        updates its item, an added one adds an item, a removed one lets the last items lapse. The
        edit of someone outside the team (whose message a member pinned) changes nothing: like
        their `actie:` messages, it is ignored silently."""
        channel, ts = message.channel, message.ts
        items = self.store.items_of(channel, ts)
        if not items:
            return self.capture_posted(message, now, actor)  # most edits end here, no item
        head = items[0]
        if head.source == DELETED_SOURCE:
            return None  # an edit that straggles in after the deletion
        if not _may_capture(actor):
            return None
        lines = self._lines_of(message, head.source, now)
        if not lines:
            return self.cancel(channel, ts, now)
        by_line = {item.line_no: item for item in items}
        changes: list[ItemChange] = []
        added: list[ActionItemView] = []
        for line_no, line in enumerate(lines):
            item = by_line.get(line_no)
            if item is None:
                meeting = (
                    MeetingRef(head.series_key, "", head.occurrence_at) if head.series_key else None
                )
                new = self._new_item(message, line, line_no, "prefix", meeting, now)
                new = replace(new, thread_ts=head.thread_ts)
                stored = self.store.add_line(new, now)
                if stored is not None:
                    log.info("action item #%d captured (added line) in %s", stored.id, channel)
                    added.append(stored)
                continue
            change = self._apply_edit(item, line, now)
            if change is not None:
                log.info("action item #%d updated (%s)", change.after.id, ", ".join(change.changed))
                changes.append(change)
        lapsed = self.store.cancel_source(channel, ts, now, from_line=len(lines))
        for item in lapsed:
            log.info("action item #%d cancelled: its action line was removed", item.id)
        if not changes and not added and not lapsed:
            return None
        now_items = self.store.items_of(channel, ts)
        head_change = next((c for c in changes if c.after.line_no == head.line_no), None)
        others = [
            user
            for change in changes
            if change is not head_change
            for user in (change.before.owner_slack_id, change.after.owner_slack_id)
        ]
        others += [item.owner_slack_id for item in (*added, *lapsed)]
        return Outcome(
            "updated",
            now_items[0] if now_items else head,
            previous_owner=head_change.before.owner_slack_id if head_change else None,
            date_problem=lines[0].date_problem,
            other_actions=lines[0].other_actions,
            lines=tuple(now_items) if len(now_items) > 1 else (),
            line_problems=_problems(lines),
            others_affected=tuple(others),
        )

    def _apply_edit(
        self, item: ActionItemView, line: ActionLine, now: datetime
    ) -> ItemChange | None:
        """Store what an edit changed in one item's line (None: nothing)."""
        owner, due_on, due_kind = line.owner, item.due_on, item.due_kind
        if item.source == "shortcut" and not line.owner_named:
            owner = item.owner_slack_id  # chosen in the modal; the edit names nobody else
        before = self.read(item.text, item.author_slack_id, now, require_prefix=False)
        # Same deadline words: same date, even when "vrijdag" now means another Friday (and a
        # date set in the modal stays). A date that cannot exist leaves the old one too.
        if line.date_problem is None and not (before and before.same_due_phrase(line)):
            meeting = (
                MeetingRef(item.series_key, "", item.occurrence_at) if item.series_key else None
            )
            due = self.due_for(line, meeting, now)
            due_on, due_kind = due.on, due.kind
        return self.store.update_from_source(
            item.channel,
            item.message_ts,
            line_no=item.line_no,
            text=line.text,
            owner_slack_id=owner,
            due_on=due_on,
            due_kind=due_kind,
            now=now,
            # Slack sends no edit of a deleted message: a lapsed item was un-prefixed, not deleted.
            revive=item.status == CANCELLED,
        )

    def cancel(
        self,
        channel: str,
        message_ts: str,
        now: datetime,
        *,
        deleted: bool = False,
        deleted_text: str | None = None,
    ) -> Outcome | None:
        """The message was `deleted` (or is no action any more): its items lapse, for good when
        deleted (an edit redelivered late does not bring them back). A deleted action message
        (`deleted_text`, as Slack recalls it) that has no item yet gets a placeholder, so that a
        delivery of it arriving late logs nothing."""
        cancelled = self.store.cancel_source(channel, message_ts, now, deleted=deleted)
        if not cancelled:
            was_action = deleted_text is not None and action_body(deleted_text) is not None
            if was_action and not self.store.remember_deleted(channel, message_ts, now):
                return self.cancel(channel, message_ts, now, deleted=True)  # stored meanwhile
            return None
        for item in cancelled:
            log.info("action item #%d cancelled: its message was deleted or is no action", item.id)
        items = self.store.items_of(channel, message_ts)
        return Outcome(
            "cancelled",
            items[0] if items else cancelled[0],
            lines=tuple(items) if len(items) > 1 else (),
            others_affected=tuple(item.owner_slack_id for item in cancelled),
        )

    # -- the message shortcut and its modal -------------------------------------------------------

    def draft(self, message: PostedMessage, now: datetime, actor: Actor) -> Draft:
        """What the capture modal opens with: the message's live item, or the message read as
        an action (the whole text, no prefix needed). Team members only."""
        require(Action.CAPTURE_ITEM, actor)
        existing = self.store.by_source(message.channel, message.ts)
        meeting = self.meeting_for(message.channel, message.thread_ts, now)
        if existing is not None and existing.status != "cancelled":
            lines = len(self.store.items_of(message.channel, message.ts))
            note = f"Dit bericht is al actiepunt #{existing.id}; opslaan werkt het bij."
            if lines > 1:
                note = (
                    f"Dit bericht heeft {lines} actiepunten; hier staat het eerste, "
                    f"#{existing.id}. Opslaan werkt dat bij."
                )
            return Draft(
                text=existing.text,
                owner=existing.owner_slack_id,
                due_on=existing.due_on,
                due_kind=existing.due_kind,
                meeting=meeting,
                existing_id=existing.id,
                note=note,
                names=self._mentioned_names(existing.text),
            )
        line = self.read(
            message.text,
            message.author,
            now,
            require_prefix=False,
            not_owners=message.not_owners,
        )
        due = self.due_for(line, meeting, now) if line else ResolvedDue("default", None)
        return Draft(
            text=line.text if line else "",
            owner=line.owner if line else message.author,
            due_on=due.on,
            due_kind=due.kind,
            meeting=meeting,
            existing_id=None,
            note=_draft_note(line),
            names=self._mentioned_names(line.text) if line else {},
        )

    def _mentioned_names(self, text: str) -> dict[str, str]:
        """The team's names of the people `text` mentions, by Slack ID (others are left out)."""
        names = {}
        for match in MENTION_RE.finditer(text):
            person = self.team.person_by_slack_id(match[1])
            if person is not None:
                names[match[1]] = person.name
        return names

    def save_draft(
        self,
        source: ModalSource,
        *,
        text: str,
        owner: str,
        due_on: date | None,
        now: datetime,
        actor: Actor,
    ) -> Outcome:
        """The submitted modal: update the message's item (reviving a lapsed one) or capture it.
        ActionsError with `field` for an empty text or a new date in the past."""
        try:
            require(Action.CAPTURE_ITEM, actor)
        except AccessDenied as exc:
            raise ActionsError(exc.message, field="text") from None
        if not text.strip():
            raise ActionsError("Beschrijf het actiepunt.", field="text")
        if due_on and due_on < self.today(now) and due_on != source.due_on:
            raise ActionsError(f"{format_date(due_on)} ligt in het verleden.", field="due")
        # The date the modal opened with keeps where it came from ("voor het volgende overleg").
        kind: DueKind = source.due_kind if due_on == source.due_on else "date"
        if due_on is None:
            kind = "default"
        change = self.store.update_from_source(
            source.channel,
            source.ts,
            text=text,
            owner_slack_id=owner,
            due_on=due_on,
            due_kind=kind,
            now=now,
            revive=True,
        )
        if change is not None:
            return Outcome("updated", change.after, previous_owner=change.before.owner_slack_id)
        captured = self.store.capture(
            NewActionItem(
                channel=source.channel,
                message_ts=source.ts,
                thread_ts=source.thread_ts,
                source="shortcut",
                text=text,
                owner_slack_id=owner,
                author_slack_id=source.author,
                due_on=due_on,
                due_kind=kind,
                series_key=source.series_key,
                occurrence_at=source.occurrence_at,
            ),
            now,
        )
        if captured.created:
            log.info("action item #%d captured (shortcut) in %s", captured.item.id, source.channel)
        return Outcome("captured", captured.item, captured.created)

    # -- the confirmation: one reply per source message, posted once, later edited in place -------

    def confirm(
        self,
        outcome: Outcome,
        messenger: Messenger,
        now: datetime,
        *,
        fallback_user: str | None = None,
    ) -> None:
        """After the acknowledgement: the permalink, then the one reply in the message's thread
        (or an edit of it). Failures are logged; the item stays. `fallback_user` gets the
        confirmation as a DM when the thread cannot be posted in (the modal's user)."""
        item = outcome.item
        items = self.store.items_of(item.channel, item.message_ts)
        # Also for an item that comes back: lapsing erased its link.
        if outcome.kind != "cancelled" and any(
            i.permalink is None and i.status != CANCELLED for i in items
        ):
            try:
                link = messenger.permalink(item.channel, item.message_ts)
                self.store.set_message_permalink(item.channel, item.message_ts, link)
                items = self.store.items_of(item.channel, item.message_ts)
            except NotSent as exc:
                log.warning("no permalink for action item #%d: %s", item.id, exc.code)
        # The message's one reply lives on its head and lists every item when there are several.
        item = items[0] if items else item
        outcome = replace(outcome, item=item, lines=tuple(items) if len(items) > 1 else ())
        if (
            item.confirmed_at is None
            and outcome.kind != "cancelled"
            and self.store.claim_confirmation(item.id, now)
        ):
            self._post_confirmation(replace(outcome, item=item), messenger, fallback_user)
            return
        if outcome.kind == "captured":
            return  # already confirmed (a redelivered event, or the second route)
        ts = item.confirmation_ts or self._confirmation_in_flight(item)
        if ts is None:
            return  # never confirmed (the bot could not post there): nothing to edit
        text = confirmation_text(self._current(outcome))
        try:
            messenger.update(item.channel, ts, text)
        except NotSent as exc:
            log.warning("could not update the note of item #%d: %s", item.id, exc.code)

    def _current(self, outcome: Outcome) -> Outcome:
        """The outcome with its items as stored now (a change may have come in meanwhile)."""
        items = self.store.items_of(outcome.item.channel, outcome.item.message_ts)
        if not items:
            return outcome
        return replace(outcome, item=items[0], lines=tuple(items) if len(items) > 1 else ())

    def _post_confirmation(
        self, outcome: Outcome, messenger: Messenger, fallback_user: str | None
    ) -> None:
        item = outcome.item
        text = confirmation_text(outcome)
        try:
            ts = messenger.post(
                item.channel, text, thread_ts=item.thread_root, what=f"confirmation of #{item.id}"
            )
        except NotSent as exc:
            self.store.release_confirmation(item.id)  # a redelivered event may try again
            log.warning("could not confirm action item #%d: %s", item.id, exc.code)
            if fallback_user:
                messenger.try_post(fallback_user, text, what=f"confirmation DM of #{item.id}")
            return
        self.store.confirmed(item.id, ts)

    def _confirmation_in_flight(self, item: ActionItemView) -> str | None:
        """The ts of a confirmation another follow-up is posting right now (an edit that came
        hard on the heels of its message), once it is there."""
        deadline = time.monotonic() + CONFIRMATION_WAIT_SECONDS
        while item.confirmed_at is not None and item.confirmation_ts is None:
            if time.monotonic() > deadline:
                return None
            time.sleep(0.05)
            item = self.store.get(item.id) or item
        return item.confirmation_ts

    # -- /acties ----------------------------------------------------------------------------------

    def prepare(self) -> None:
        """Build what `/acties` reads (at start, outside a request): the meeting series, and
        each shape of its page query once, so SQLAlchemy has compiled them."""
        self.meetings.store.refresh()
        for owner, series in ((None, None), ("", None), (None, ""), ("", "")):
            query = ActionQuery(OPEN, owner_slack_id=owner, series_key=series, limit=PAGE_SIZE)
            self.store.page(query)

    def query_for(
        self,
        text: str,
        caller: str | None,
        today: date | None = None,
        *,
        names: bool = True,
        series_keys: frozenset[str] | None = None,
    ) -> tuple[ActionQuery, str]:
        """The query `/acties <text>` means and a Dutch title for it; ActionsError when unclear.
        `caller` is None where nobody asks (the shell): "mijn" then needs a name. `today` says
        what is overdue ("te laat"). For someone who may read only their channels' items and not
        the team's register or meetings, names are False (a colleague only by @mention, no name
        from the register) and `series_keys` the series of their channels (no other meeting is
        named, not even in an error)."""
        overdue = today is not None and _OVERDUE_RE.search(text) is not None
        if overdue:
            text = _OVERDUE_RE.sub(" ", text)
        query, title = self._query_for(
            text, caller, overdue=overdue, names=names, series_keys=series_keys
        )
        if overdue:
            query = replace(query, status=OPEN, due_before=today)
        channel = next(filter(None, map(channel_token, text.split())), None)
        if channel is None:
            return query, title
        channel_id, name = channel
        if name is None:
            try:
                name = self.meetings.channel_name(channel_id)
            except Exception:  # Slack failed to name it: only the title needed the name
                name = None
        where = f"#{name}" if name else "het gekozen kanaal"
        return replace(query, channels=(channel_id,)), f"{title} in {where}"

    def _query_for(
        self,
        text: str,
        caller: str | None,
        *,
        overdue: bool = False,
        names: bool = True,
        series_keys: frozenset[str] | None = None,
    ) -> tuple[ActionQuery, str]:
        def person_ref(ref: str) -> tuple[str, str] | None:
            return self.person_ref(ref, names=names)

        def find_series(ref: str) -> list[MeetingRef]:
            found = self.meetings.find_series(ref)
            return (
                found if series_keys is None else [m for m in found if m.series_key in series_keys]
            )

        status: Literal["open", "done"] = OPEN
        scope_all = False
        mine = False
        rest: list[str] = []
        words = text.split()
        # A channel alone means the whole team's items agreed there, not only the caller's.
        if any(channel_token(word) for word in words):
            scope_all = True
        for word in words:
            folded = word.lower().strip(".,")
            if channel_token(word) is not None or (folded in _LEAD_WORDS and not rest):
                continue
            if folded in _DONE_WORDS:
                status, scope_all = DONE, True
            elif folded in _ALL_WORDS:
                scope_all = True
            elif folded in SELF_WORDS:
                mine = True
            else:
                rest.append(word)
        state = "te late" if overdue else "afgeronde" if status == DONE else "open"
        if len(rest) > 1 and person_ref(" ".join(rest)) is None:
            # "@collega boa" or "aov-1 boa": that colleague's items of one meeting. A person is
            # the same with or without "@"; what is left must name a meeting, or is reported.
            for index, word in enumerate(rest):
                owner = person_ref(word)
                if owner is None:
                    continue
                others = " ".join(rest[:index] + rest[index + 1 :])
                series = find_series(others)
                if len(series) != 1:
                    raise ActionsError(
                        f"Ik ken geen overleg “{escape(others)}” (bij {escape(owner[1])}). "
                        "Probeer `/acties @collega boa-briefing` of `/acties help`."
                    )
                slack_id, name = owner
                query = ActionQuery(
                    status, owner_slack_id=slack_id, series_key=series[0].series_key
                )
                return query, f"De {state} actiepunten van {name} bij {series[0].name}"
        if rest:
            ref = " ".join(rest)
            owner = person_ref(ref)
            if owner is not None:
                slack_id, name = owner
                return ActionQuery(status, owner_slack_id=slack_id), (
                    f"De {state} actiepunten van {name}"
                )
            series = find_series(ref)
            if len(series) == 1:
                if mine and caller is not None:
                    return ActionQuery(
                        status, owner_slack_id=caller, series_key=series[0].series_key
                    ), f"Jouw {state} actiepunten van {series[0].name}"
                return ActionQuery(status, series_key=series[0].series_key), (
                    f"De {state} actiepunten van {series[0].name}"
                )
            if series:
                keys = " of ".join(f"`{m.series_key}`" for m in series[:5])
                raise ActionsError(f"Welk overleg bedoel je met “{escape(ref)}”: {keys}?")
            if not names:
                raise ActionsError(
                    f"Ik ken geen overleg “{escape(ref)}” in een kanaal waar je lid van bent. "
                    "Noem een collega met een @vermelding, bijvoorbeeld `/acties @collega`."
                )
            # No meeting either: words of a colleague's name ("coordinator", a first name).
            loosely = [p for p in self.team.people_by_words(ref.lstrip("@")) if p.slack_id]
            if len(loosely) == 1:
                person = loosely[0]
                return ActionQuery(status, owner_slack_id=person.slack_id), (
                    f"De {state} actiepunten van {person.name}"
                )
            if loosely:
                people = ", ".join(f"{p.key} ({p.name})" for p in loosely[:12])
                raise ActionsError(
                    f"“{escape(ref)}” past bij meer collega's: {escape(people)}. Noem er één, "
                    f"bijvoorbeeld `/acties {loosely[0].key}`."
                )
            raise ActionsError(
                f"Ik ken geen collega of overleg “{escape(ref)}”. "
                "Probeer `/acties @collega`, `/acties boa-briefing` of `/acties help`."
            )
        if scope_all and not mine:
            return ActionQuery(status), f"Alle {state} actiepunten"
        if caller is None:
            raise ActionsError("Geef een collega of overleg op, bijvoorbeeld `/acties aov-1`.")
        return ActionQuery(status, owner_slack_id=caller), f"Jouw {state} actiepunten"

    def person_ref(self, ref: str, *, names: bool = True) -> tuple[str, str] | None:
        """(Slack ID, shown name) of a mention, Slack ID, person key or name; None if unknown.
        `names` False (someone who may not read the register): only a mention, shown by the
        name it carries, never one from the register."""
        parsed = parse_person_ref(ref)
        if parsed is None or parsed.kind == "self":
            return None
        if not names:
            if parsed.kind != "mention":
                return None
            return parsed.value, parsed.label or "deze collega"
        found = resolve_person(parsed, self.team, None)
        person = found.person
        if parsed.kind == "mention":
            label = person.name if person else (parsed.label or f"collega {parsed.value}")
            return parsed.value, label
        if person is None:
            return None
        if not person.slack_id:
            raise ActionsError(
                f"{escape(person.name)} heeft nog geen Slack-ID in `config/people.yaml`, dus ook "
                "geen actiepunten."
            )
        return person.slack_id, person.name

    def readable_channels(self, actor: Actor, now: datetime) -> tuple[str, ...] | None:
        """The channels whose items `actor` may read: None for all (the team), else the
        channels they are a member of (AccessDenied when none, or for a stranger)."""
        if allowed(Action.READ_ITEMS, actor):
            return None
        if not actor.is_stranger and self.access is not None:
            channels = self.access.channels_of(actor, self.store.channels(), now)
            if channels:
                return tuple(sorted(channels))
        require(Action.READ_ITEMS, actor)  # refuses, and logs it
        return ()

    def list_items(
        self, text: str, actor: Actor, now: datetime, *, before_id: int | None = None
    ) -> ItemPage:
        """One page of `/acties <text>`, newest first, starting before `before_id`."""
        with read_once():  # people, series and access: one reading of the data versions
            channels = self.readable_channels(actor, now)
            text = text.strip()
            today = self.today(now)
            key = _PageKey(text, actor.slack_id, before_id, channels, today, actor)
            return self._pages.get(key, lambda: self._page(key))

    def _page(self, key: _PageKey) -> ItemPage:
        names, series_keys = self._visible(key)
        query, title = self.query_for(
            key.text, key.caller, key.today, names=names, series_keys=series_keys
        )
        channels = query.channels
        if key.channels is not None:  # a reader outside the team: only their channels
            channels = (
                key.channels if channels is None else tuple(set(channels) & set(key.channels))
            )
        query = replace(query, before_id=key.before_id, limit=PAGE_SIZE, channels=channels)
        items, more = self.store.page(query)
        series_names = self.meetings.series_names() if any(i.series_key for i in items) else {}
        changeable = frozenset(i.id for i in items if self.may_change(i, key.actor))
        return ItemPage(
            title, tuple(items), more, key.today, series_names, key.text, key.before_id, changeable
        )

    def _visible(self, key: _PageKey) -> tuple[bool, frozenset[str] | None]:
        """What of the register and the meetings `/acties` may name to the asker: all of it to
        the team and readers; to a colleague who reads only their channels' items, colleagues
        only by @mention and only the meetings of those channels."""
        if key.channels is None:
            return True, None
        series = None
        if not allowed(Action.READ_MEETINGS, key.actor):
            series = self.meetings.series_in(key.channels)
        return allowed(Action.READ_REGISTER, key.actor), series

    def held(self, item: ActionItemView, actor: Actor) -> frozenset[Role]:
        """The roles `actor` holds for this item: owner, author, chair or minute-taker of its
        meeting."""
        held: set[Role] = set()
        if actor.slack_id and actor.slack_id == item.owner_slack_id:
            held.add(Role.ITEM_OWNER)
        if actor.slack_id and actor.slack_id == item.author_slack_id:
            held.add(Role.ITEM_AUTHOR)
        if actor.person_key and item.series_key:
            series = self.meetings.series(item.series_key)
            if series is not None and series.chair == actor.person_key:
                held.add(Role.CHAIR)
            if series is not None and actor.person_key in series.minute_takers:
                held.add(Role.MINUTE_TAKER)
        return frozenset(held)

    def may_change(self, item: ActionItemView, actor: Actor) -> bool:
        """Whether to offer `actor` the item's Afgerond/Heropenen button."""
        return allowed(Action.CLOSE_ITEM, actor, self.held(item, actor))

    def _may_change(self, item_id: int, actor: Actor) -> None:
        try:
            if actor.is_stranger:  # one line, whether or not the item exists
                require(Action.CLOSE_ITEM, actor)
            item = self._existing(item_id)
            require(Action.CLOSE_ITEM, actor, self.held(item, actor))
        except AccessDenied as exc:
            raise ActionsError(exc.message) from None

    def close(self, item_id: int, actor: Actor, now: datetime) -> StatusChange:
        """Close an open item and say so in its thread. Closing a closed item changes nothing.
        Its owner, author, the meeting's chair or minute-taker, or a team lead may."""
        self._may_change(item_id, actor)
        by = actor.by
        item = self.store.close(item_id, by, now)
        if item is None:
            return StatusChange(self._unchanged(item_id, "af te ronden"), changed=False)
        log.info("action item #%d closed", item.id)
        note = Notice(
            item.channel,
            closing_text(item, by),
            thread_ts=item.thread_root,
            what=f"closing note of #{item.id}",
        )
        return StatusChange(item, changed=True, notices=(note,))

    def reopen(self, item_id: int, actor: Actor, now: datetime) -> StatusChange:
        self._may_change(item_id, actor)
        item = self.store.reopen(item_id, now)
        if item is None:
            return StatusChange(self._unchanged(item_id, "te heropenen"), changed=False)
        log.info("action item #%d reopened", item.id)
        # The thread said it was done: it says so when that no longer holds.
        note = Notice(
            item.channel,
            reopening_text(item, actor.by),
            thread_ts=item.thread_root,
            what=f"reopening note of #{item.id}",
        )
        return StatusChange(item, changed=True, notices=(note,))

    def _existing(self, item_id: int) -> ActionItemView:
        item = self.store.get(item_id)
        if item is None:
            raise ActionsError(f"Actiepunt #{item_id} bestaat niet meer.")
        return item

    def _unchanged(self, item_id: int, what: str) -> ActionItemView:
        """The item a stale button named, which it did not change: said so when it lapsed (a
        list shown before its message was deleted), rather than dropped from the list unsaid."""
        item = self._existing(item_id)
        if item.status == CANCELLED:
            raise ActionsError(
                f"Actiepunt #{item_id} is vervallen: het bericht is verwijderd of is geen actie "
                f"meer. Er is niets {what}."
            )
        return item

    # -- scheduled: the weekly overdue digest and the retention purge ------------------------------

    def owners_with_overdue(self, day: date) -> list[str]:
        return self.store.owners_with_overdue(day)

    def overdue_for(self, owner: str, now: datetime) -> list[ActionItemView]:
        """The owner's open items past their deadline (empty: closed since the round was
        planned, so no digest)."""
        return self.store.overdue_for(owner, self.today(now))

    def overdue_readable(self, owner: Actor, now: datetime) -> list[ActionItemView]:
        """The owner's overdue items for the weekly DM, as far as they may read them: the team
        all, a colleague outside it those of the channels they are in (an item may name them
        in a channel they are not in), a guest or another organisation's user none."""
        items = self.overdue_for(owner.slack_id or "", now)
        if not items or allowed(Action.READ_ITEMS, owner):
            return items
        if owner.is_stranger or self.access is None:
            return []
        channels = self.access.channels_of(owner, {item.channel for item in items}, now)
        return [item for item in items if item.channel in channels]

    def purge(self, now: datetime) -> int:
        """Delete items closed longer ago than the retention period; how many went."""
        cutoff = now - timedelta(days=round(self.retention_months * 365.25 / 12))
        removed = self.store.purge(cutoff)
        log.info("purged %d action items closed before %s", removed, cutoff.date().isoformat())
        return removed
