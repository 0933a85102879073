"""Action items: captured from meeting threads (prefix, 📌 reaction, message shortcut), kept in step
with edits and deletions of their message, listed and closed with `/acties`, carried into the next
meeting reminder (see handlers.blocks.reminder_action_items) and nagged about once a week.

Reliability: what must not be lost is stored before Slack gets its answer. Message and reaction
events are stored by a listener middleware, which runs before Bolt acknowledges; when the database
(or, for a reaction, the one Slack call that fetches the message) fails, Slack gets a 500 and
redelivers the event. Everything else (permalink, the confirmation, App Home) runs after the
acknowledgement and may fail without losing the item. The unique source key (channel + message ts)
makes every redelivery and every second route (prefix and reaction) find the item already there,
and the confirmation is claimed in the database, so a message gets at most one reply.

Privacy: message text is stored, never logged; logs name item ids, channels and Slack error codes.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any, Literal

from pydantic import Field
from slack_bolt import Ack, App, BoltContext, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from bot.action_items import (
    ActionLine,
    DueKind,
    ResolvedDue,
    action_body,
    read_action,
    resolve_due,
)
from bot.context import AppContext
from bot.gateway import PERMANENT_ERRORS, SentMessage, SlackError, error_code
from bot.language import (
    format_date,
    format_short_date,
    is_help,
    local_moments,
    parse_person_ref,
    resolve_person,
)
from bot.meetings import parse_delivery_key
from bot.planning import PlannedDelivery
from handlers.blocks import (
    CLOSE_ITEM_ACTION,
    REOPEN_ITEM_ACTION,
    Block,
    Reply,
    action_item_blocks,
    action_item_list,
    actions,
    button,
    context,
    escape,
    header,
    section,
)
from handlers.commands import SlashCommand, Usage
from handlers.feature import Feature
from handlers.payloads import (
    MAX_ID,
    Interaction,
    InteractionRefused,
    PayloadModel,
    UnreadablePayload,
    ViewState,
    button_json,
    on_action,
    on_shortcut,
    on_view,
    private_metadata,
    reply,
    required_trigger,
)
from storage.actions import (
    DONE,
    OPEN,
    ActionItemView,
    ActionQuery,
    ActionStore,
    NewActionItem,
    export_action_items,
)
from storage.deliveries import DeliveryStore
from storage.meetings import MeetingStore, SeriesView

log = logging.getLogger(__name__)

CAPTURE_SHORTCUT = "action_item_capture"
CAPTURE_MODAL = "action_item_modal"
PAGE_BUTTON = "action_items_page"
# Its own action_id: Slack refuses two buttons with one action_id in one actions block.
FIRST_PAGE_BUTTON = "action_items_page_first"
PAGE_SIZE = 20
SAVE_FAILED = "Opslaan lukte niet. Probeer het zo nog eens; je tekst staat er nog."
DIGEST_KIND = "action_digest"
PURGE_KIND = "action_purge"
PURGE_LOCAL_TIME = clock_time(3, 30)  # a quiet hour
FETCH_TIMEOUT_SECONDS = 2  # the one Slack call before the acknowledgement must leave time to spare
CONFIRMATION_WAIT_SECONDS = 5

# Context key under which the listener middleware hands what it stored to the follow-up.
_OUTCOME = "oov_action_outcome"

CAPTURE_HELP = (
    "Vastleggen: begin een antwoord in de draad van een overleg met `actie:` (of `actiepunt:`, "
    "`AP:`, `TODO:`), zet er een :{emoji}: bij, of kies *Actiepunt vastleggen* in het menu van "
    "een bericht. De eerste @vermelding is de eigenaar (“ik” of niemand: de schrijver); een "
    "datum als “voor vrijdag”, “uiterlijk 1 december” of “voor het volgende overleg” is de "
    "deadline."
)


# --- what the actions feature needs from the meetings feature ------------------------------------


@dataclass(frozen=True)
class MeetingRef:
    """A meeting series, and the occurrence a thread belongs to when known."""

    series_key: str
    name: str
    occurrence_at: datetime | None = None


class Meetings:
    """The meetings feature as the action items see it (storage.meetings.MeetingStore and the
    clock's delivery records)."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.store = MeetingStore(ctx.db, ctx.tz)
        self.deliveries = DeliveryStore(ctx.db)
        self._channel_names: dict[str, str | None] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _ref(view: SeriesView, occurrence_at: datetime | None = None) -> MeetingRef:
        return MeetingRef(view.key, view.series.name, occurrence_at)

    def for_message(self, channel: str, thread_ts: str | None) -> MeetingRef | None:
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
        now = self.ctx.now()

        def next_start(view: SeriesView) -> datetime:
            occurrence = self.store.next_occurrence(view.key, now)
            return occurrence.start if occurrence else datetime.max.replace(tzinfo=UTC)

        return self._ref(min(in_channel, key=next_start))

    def channel_name(self, channel: str) -> str | None:
        """A channel's name, asked of Slack once per process (series may name "#boa-briefing")."""
        with self._lock:
            if channel in self._channel_names:
                return self._channel_names[channel]
        if self.ctx.slack is None:
            return None
        quick = WebClient(
            token=self.ctx.slack.token,
            base_url=self.ctx.slack.base_url,
            timeout=FETCH_TIMEOUT_SECONDS,
        )
        try:
            name = quick.conversations_info(channel=channel)["channel"].get("name")
        except SlackApiError as exc:
            if error_code(exc) not in {"channel_not_found", "missing_scope"}:
                raise  # transient: the event is redelivered
            name = None
        with self._lock:
            self._channel_names[channel] = name
        return name

    def find_series(self, text: str) -> list[MeetingRef]:
        """The series a name means ("boa", "TVO", "teamoverleg"); several when ambiguous."""
        return [self._ref(view) for view in self.store.find(text)]

    def series_names(self) -> dict[str, str]:
        return {view.key: view.series.name for view in self.store.all_series()}

    def next_occurrence(self, series_key: str, after: datetime) -> datetime | None:
        """Start of the first held occurrence of the series strictly after `after`."""
        occurrence = self.store.next_occurrence(series_key, after)
        return occurrence.start if occurrence else None


# --- outcomes of the synchronous step, for the follow-up -----------------------------------------


@dataclass(frozen=True)
class Outcome:
    kind: Literal["captured", "updated", "cancelled"]
    item: ActionItemView
    created: bool = False
    previous_owner: str | None = None
    date_problem: str | None = None


class ActionError(Exception):
    """Bad input for a command or modal; str(error) is the Dutch message for the user."""


# --- the feature's logic, without Slack ----------------------------------------------------------


class ActionItems:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.store = ActionStore(ctx.db)
        self.meetings = Meetings(ctx)

    def today(self) -> date:
        return self.ctx.now().astimezone(self.ctx.tz).date()

    def meeting_for(self, channel: str, thread_ts: str | None) -> MeetingRef | None:
        return self.meetings.for_message(channel, thread_ts)

    def due_for(self, line: ActionLine, meeting: MeetingRef | None) -> ResolvedDue:
        now = self.ctx.now()

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
            return start.astimezone(self.ctx.tz).date() if start else None

        return resolve_due(line.due, now, next_meeting, tz=self.ctx.tz)

    def read(self, text: str, author: str, *, require_prefix: bool) -> ActionLine | None:
        return read_action(
            text, author=author, now=self.ctx.now(), tz=self.ctx.tz, require_prefix=require_prefix
        )

    # -- capture and lifecycle from messages ------------------------------------------------------

    def capture(
        self,
        *,
        channel: str,
        message_ts: str,
        thread_ts: str | None,
        text: str,
        author: str,
        source: str,
        meeting: MeetingRef | None,
    ) -> Outcome | None:
        line = self.read(text, author, require_prefix=source == "prefix")
        if line is None:
            return None
        due = self.due_for(line, meeting)
        captured = self.store.capture(
            NewActionItem(
                channel=channel,
                message_ts=message_ts,
                thread_ts=thread_ts,
                source=source,
                text=line.text,
                owner_slack_id=line.owner,
                author_slack_id=author,
                due_on=due.on,
                due_kind=due.kind,
                series_key=meeting.series_key if meeting else None,
                occurrence_at=meeting.occurrence_at if meeting else None,
            ),
            self.ctx.now(),
        )
        if captured.created:
            log.info("action item #%d captured (%s) in %s", captured.item.id, source, channel)
        return Outcome("captured", captured.item, captured.created, date_problem=line.date_problem)

    def edit(
        self, *, channel: str, message_ts: str, thread_ts: str | None, text: str, author: str
    ) -> Outcome | None:
        """An edited message: update its item, cancel it when the prefix was removed, or capture
        it when the edit made it an action."""
        item = self.store.by_source(channel, message_ts)
        if item is None:
            if action_body(text) is None:
                return None  # most edits (and every new reply to a thread) end here
            meeting = self.meeting_for(channel, thread_ts)
            if meeting is None:
                return None
            return self.capture(
                channel=channel,
                message_ts=message_ts,
                thread_ts=thread_ts,
                text=text,
                author=author,
                source="prefix",
                meeting=meeting,
            )
        line = self.read(text, author, require_prefix=item.source == "prefix")
        if line is None:
            return self.cancel(channel, message_ts)
        owner, due_on, due_kind = line.owner, item.due_on, item.due_kind
        if item.source == "shortcut" and not line.owner_named:
            owner = item.owner_slack_id  # chosen in the modal; the edit names nobody else
        before = self.read(item.text, item.author_slack_id, require_prefix=False)
        # Same deadline words: same date, even when "vrijdag" now means another Friday (and a
        # date set in the modal stays). A date that cannot exist leaves the old one too.
        if line.date_problem is None and not (before and before.same_due_phrase(line)):
            meeting = (
                MeetingRef(item.series_key, "", item.occurrence_at) if item.series_key else None
            )
            due = self.due_for(line, meeting)
            due_on, due_kind = due.on, due.kind
        change = self.store.update_from_source(
            channel,
            message_ts,
            text=line.text,
            owner_slack_id=owner,
            due_on=due_on,
            due_kind=due_kind,
            now=self.ctx.now(),
        )
        if change is None:
            return None
        log.info("action item #%d updated (%s)", change.after.id, ", ".join(change.changed))
        return Outcome(
            "updated",
            change.after,
            previous_owner=change.before.owner_slack_id,
            date_problem=line.date_problem,
        )

    def cancel(self, channel: str, message_ts: str) -> Outcome | None:
        item = self.store.cancel_source(channel, message_ts, self.ctx.now())
        if item is None:
            return None
        log.info("action item #%d cancelled: its message was deleted or is no action", item.id)
        return Outcome("cancelled", item)

    # -- /acties ----------------------------------------------------------------------------------

    def query_for(self, text: str, caller: str | None) -> tuple[ActionQuery, str]:
        """The query `/acties <text>` means and a Dutch title for it; ActionError when unclear."""
        words = text.split()
        status: Literal["open", "done"] = OPEN
        scope_all = False
        mine = False
        rest: list[str] = []
        for word in words:
            folded = word.lower().strip(".,")
            if folded in {"afgerond", "afgeronde", "klaar", "gesloten", "gedaan", "done"}:
                status, scope_all = DONE, True
            elif folded in {"open", "openstaand", "openstaande", "alle", "alles", "team"}:
                scope_all = True
            elif folded in {"mijn", "mij", "ik", "me"}:
                mine = True
            else:
                rest.append(word)
        state = "afgeronde" if status == DONE else "open"
        if len(rest) > 1 and self.person_ref(" ".join(rest)) is None:
            # "@collega boa" or "aov-1 boa": that colleague's items of one meeting. A person is
            # the same with or without "@"; what is left must name a meeting, or is reported.
            for index, word in enumerate(rest):
                owner = self.person_ref(word)
                if owner is None:
                    continue
                others = " ".join(rest[:index] + rest[index + 1 :])
                series = self.meetings.find_series(others)
                if len(series) != 1:
                    raise ActionError(
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
            owner = self.person_ref(ref)
            if owner is not None:
                slack_id, name = owner
                return ActionQuery(status, owner_slack_id=slack_id), (
                    f"De {state} actiepunten van {name}"
                )
            series = self.meetings.find_series(ref)
            if len(series) == 1:
                if mine and caller is not None:
                    return ActionQuery(
                        status, owner_slack_id=caller, series_key=series[0].series_key
                    ), f"Jouw {state} actiepunten van {series[0].name}"
                return ActionQuery(status, series_key=series[0].series_key), (
                    f"De {state} actiepunten van {series[0].name}"
                )
            if series:
                names = " of ".join(f"`{m.series_key}`" for m in series[:5])
                raise ActionError(f"Welk overleg bedoel je met “{escape(ref)}”: {names}?")
            raise ActionError(
                f"Ik ken geen collega of overleg “{escape(ref)}”. "
                "Probeer `/acties @collega`, `/acties boa-briefing` of `/acties help`."
            )
        if scope_all and not mine:
            title = "Alle afgeronde actiepunten" if status == DONE else "Alle open actiepunten"
            return ActionQuery(status), title
        if caller is None:
            raise ActionError("Geef een collega of overleg op, bijvoorbeeld `/acties aov-1`.")
        return ActionQuery(status, owner_slack_id=caller), f"Jouw {state} actiepunten"

    def person_ref(self, ref: str) -> tuple[str, str] | None:
        """(Slack ID, shown name) of a mention, Slack ID, person key or name; None if unknown."""
        parsed = parse_person_ref(ref)
        if parsed is None or parsed.kind == "self":
            return None
        found = resolve_person(parsed, self.ctx.team, None)
        person = found.person
        if parsed.kind == "mention":
            label = person.name if person else (parsed.label or f"collega {parsed.value}")
            return parsed.value, label
        if person is None:
            return None
        if not person.slack_id:
            raise ActionError(
                f"{escape(person.name)} heeft nog geen Slack-ID in `config/people.yaml`, dus ook "
                "geen actiepunten."
            )
        return person.slack_id, person.name

    def acties_reply(self, text: str, caller: str | None, *, before_id: int | None = None) -> Reply:
        text = text.strip()
        if is_help(text):
            emoji = self.ctx.settings.oov_action_emoji.strip(":")
            return ACTIES.help_reply(CAPTURE_HELP.format(emoji=emoji))
        try:
            query, title = self.query_for(text, caller)
        except ActionError as error:
            return Reply(text=str(error), blocks=[section(str(error))])
        query = replace(query, before_id=before_id, limit=PAGE_SIZE)
        items, more = self.store.page(query)
        today = self.today()
        blocks: list[Block] = [header(title)]
        if not items:
            empty = (
                "Niets meer op deze pagina."
                if before_id
                else "Geen actiepunten gevonden. Leg er een vast met `actie:` in de draad van "
                "een overleg."
            )
            blocks.append(section(empty))
        names = self.meetings.series_names() if any(i.series_key for i in items) else {}
        for item in items:
            name = names.get(item.series_key) if item.series_key else None
            blocks += action_item_blocks(
                item, today, state=_state(text, before_id), series_name=name
            )
        nav = []
        if more:
            next_page = json.dumps(_state(text, items[-1].id))
            nav.append(button(f"Volgende {PAGE_SIZE}", PAGE_BUTTON, next_page))
        if before_id:
            first_page = json.dumps(_state(text, None))
            nav.append(button("Terug naar het begin", FIRST_PAGE_BUTTON, first_page))
        if nav:
            blocks.append(actions(*nav, block_id="action_items_nav"))
        overdue = sum(item.is_overdue(today) for item in items)
        summary = f"{title}: {len(items)}{'+' if more else ''}"
        if overdue:
            summary += f", waarvan {overdue} te laat"
        return Reply(text=summary, blocks=blocks)

    def close(self, item_id: int, by: str) -> ActionItemView | None:
        item = self.store.close(item_id, by, self.ctx.now())
        if item:
            log.info("action item #%d closed", item.id)
        return item

    def reopen(self, item_id: int) -> ActionItemView | None:
        item = self.store.reopen(item_id, self.ctx.now())
        if item:
            log.info("action item #%d reopened", item.id)
        return item


def _state(query: str, before_id: int | None) -> dict[str, Any]:
    """What a button needs to redraw the list it is in (its value may hold 2000 characters)."""
    return {"q": query[:200], "c": before_id}


# --- Slack texts ---------------------------------------------------------------------------------


def due_phrase(item: ActionItemView) -> str:
    if item.due_on is None:
        return "zonder deadline"
    when = format_short_date(item.due_on)
    if (item.due_on - item.created_at.date()).days > 180:  # "29-2" in December: 29 February 2028
        when += f" {item.due_on.year}"
    if item.due_kind == "asap":
        return "z.s.m."
    if item.due_kind in {"next_meeting", "default"}:
        return f"voor het volgende overleg ({when})"
    return f"uiterlijk {when}"


def confirmation_text(outcome: Outcome) -> str:
    item = outcome.item
    if outcome.kind == "cancelled":
        return (
            f"🗑️ Actiepunt *#{item.id}* is vervallen: het bericht is verwijderd of is geen "
            "actie meer."
        )
    verb = "bijgewerkt" if outcome.kind == "updated" else "vastgelegd"
    if outcome.date_problem:
        # Never claim "voor het volgende overleg" for a date that was not understood.
        return (
            f"📌 Actiepunt *#{item.id}* {verb}: <@{item.owner_slack_id}>, maar de deadline heb "
            f"ik niet begrepen.\n⚠️ {escape(outcome.date_problem)} Pas je bericht aan (bewerken "
            "werkt het actiepunt bij) om de deadline te zetten. Afronden kan met `/acties`."
        )
    due = due_phrase(item).removesuffix(".")  # "z.s.m." ends the sentence with its own full stop
    return (
        f"📌 Actiepunt *#{item.id}* {verb}: <@{item.owner_slack_id}>, {due}. "
        "Afronden kan met `/acties`."
    )


# --- Slack follow-up (after the acknowledgement; failures are logged, the item stays) ------------


class FollowUp:
    def __init__(self, ctx: AppContext, feature: ActionItems, client: WebClient) -> None:
        self.ctx = ctx
        self.feature = feature
        self.store = feature.store
        self.client = client

    def after_outcome(self, outcome: Outcome, *, fallback_user: str | None = None) -> None:
        item = outcome.item
        if outcome.kind == "captured" and item.permalink is None:
            self.fetch_permalink(item)
        self.say(outcome, fallback_user=fallback_user)
        if outcome.kind != "captured" or outcome.created:  # a redelivery changed nothing
            self.refresh_homes(item.owner_slack_id, outcome.previous_owner)

    def fetch_permalink(self, item: ActionItemView) -> None:
        try:
            permalink = self.ctx.gateway.permalink(item.channel, item.message_ts)
        except SlackError as exc:
            log.warning("no permalink for action item #%d: %s", item.id, exc.code)
            return
        self.store.set_permalink(item.id, permalink)

    def say(self, outcome: Outcome, *, fallback_user: str | None) -> None:
        """One reply per source message: posted once, later edited in place."""
        item = self.store.get(outcome.item.id) or outcome.item
        if (
            item.confirmed_at is None
            and outcome.kind != "cancelled"
            and self.store.claim_confirmation(item.id, self.ctx.now())
        ):
            self.post_confirmation(replace(outcome, item=item), fallback_user)
            return
        if outcome.kind == "captured":
            return  # already confirmed (a redelivered event, or the second route)
        ts = item.confirmation_ts or self.confirmation_in_flight(item)
        if ts is None:
            return  # never confirmed (the bot could not post there): nothing to edit
        text = confirmation_text(replace(outcome, item=self.store.get(item.id) or item))
        try:
            self.ctx.gateway.update(item.channel, ts, text)
        except SlackError as exc:
            log.warning("could not update the note of item #%d: %s", item.id, exc.code)

    def post_confirmation(self, outcome: Outcome, fallback_user: str | None) -> None:
        item = outcome.item
        text = confirmation_text(outcome)
        notifier = self.ctx.gateway
        try:
            sent = notifier.post(
                item.channel, text, thread_ts=item.thread_root, what=f"confirmation of #{item.id}"
            )
        except SlackError as exc:
            self.store.release_confirmation(item.id)  # a redelivered event may try again
            log.warning("could not confirm action item #%d: %s", item.id, exc.code)
            if fallback_user:
                notifier.try_post(fallback_user, text, what=f"confirmation DM of #{item.id}")
            return
        self.store.confirmed(item.id, sent.ts if sent else None)

    def confirmation_in_flight(self, item: ActionItemView) -> str | None:
        """The ts of a confirmation another follow-up is posting right now (an edit that came
        hard on the heels of its message), once it is there."""
        deadline = time.monotonic() + CONFIRMATION_WAIT_SECONDS
        while item.confirmed_at is not None and item.confirmation_ts is None:
            if time.monotonic() > deadline:
                return None
            time.sleep(0.05)
            item = self.store.get(item.id) or item
        return item.confirmation_ts

    def closing_note(self, item: ActionItemView, by: str) -> None:
        self.ctx.gateway.try_post(
            item.channel,
            f"✅ Actiepunt *#{item.id}* is afgerond door <@{by}>.",
            thread_ts=item.thread_root,
            what=f"closing note of #{item.id}",
        )

    def refresh_homes(self, *slack_ids: str | None) -> None:
        self.ctx.user_data_changed(self.client, *slack_ids)


# --- listeners -----------------------------------------------------------------------------------


def _is_person(message: dict[str, Any]) -> bool:
    return (
        bool(message.get("user"))
        and not message.get("bot_id")
        and (message.get("subtype") in (None, "thread_broadcast", "file_share"))
    )


def handle_message_event(feature: ActionItems, event: dict[str, Any]) -> Outcome | None:
    """The synchronous step for a message event: store what changed (raises on database errors)."""
    channel = event.get("channel", "")
    subtype = event.get("subtype")
    if subtype == "message_deleted":
        return feature.cancel(channel, str(event.get("deleted_ts", "")))
    if subtype == "message_changed":
        message = event.get("message") or {}
        ts = str(message.get("ts", ""))
        if message.get("subtype") == "tombstone":  # a deleted message that had replies
            return feature.cancel(channel, ts)
        if not _is_person(message):
            return None
        thread_ts = message.get("thread_ts")
        return feature.edit(
            channel=channel,
            message_ts=ts,
            thread_ts=thread_ts if thread_ts != ts else None,  # a parent is in no thread
            text=message.get("text", ""),
            author=message["user"],
        )
    if not _is_person(event):
        return None
    text = event.get("text", "")
    # Cheap test first: most messages are no action and need no database round trip.
    if action_body(text) is None:
        return None
    thread_ts = event.get("thread_ts")
    meeting = feature.meeting_for(channel, thread_ts)
    if meeting is None:
        return None
    return feature.capture(
        channel=channel,
        message_ts=str(event["ts"]),
        thread_ts=thread_ts,
        text=text,
        author=event["user"],
        source="prefix",
        meeting=meeting,
    )


def fetch_message(client: WebClient, channel: str, ts: str) -> dict[str, Any] | None:
    """One message by channel and ts (also a thread reply); None when Slack has no such message.

    conversations.replies always answers with the thread's parent first, counted toward `limit`:
    the window of one ts holds the parent and, for a reply, the reply itself, so two places."""
    response = client.conversations_replies(
        channel=channel, ts=ts, oldest=ts, latest=ts, inclusive=True, limit=2
    )
    return next((m for m in response.get("messages") or [] if m.get("ts") == ts), None)


def handle_reaction_event(
    feature: ActionItems, event: dict[str, Any], client: WebClient
) -> Outcome | None:
    item = event.get("item") or {}
    if item.get("type") != "message":
        return None
    channel, ts = str(item.get("channel", "")), str(item.get("ts", ""))
    existing = feature.store.by_source(channel, ts)
    if existing is not None:
        return Outcome("captured", existing) if existing.is_open else None
    if feature.meeting_for(channel, None) is None:
        return None
    quick = WebClient(token=client.token, base_url=client.base_url, timeout=FETCH_TIMEOUT_SECONDS)
    message = fetch_message(quick, channel, ts)
    if message is None or not _is_person(message):
        return None
    thread_ts = message.get("thread_ts")
    if thread_ts == ts:
        thread_ts = None  # the message is a thread's parent, not a reply
    return feature.capture(
        channel=channel,
        message_ts=ts,
        thread_ts=thread_ts,
        text=message.get("text", ""),
        author=message["user"],
        source="reaction",
        meeting=feature.meeting_for(channel, thread_ts),
    )


def _stored_or_retry(step: Callable[[], Outcome | None], context: BoltContext, next_: Any) -> Any:
    """Run a synchronous step: on success hand its outcome on; on failure answer 500 so Slack
    delivers the event again (the unique source key makes that harmless)."""
    try:
        context[_OUTCOME] = step()
    except SlackApiError as exc:
        code = error_code(exc)
        if code in PERMANENT_ERRORS or code == "thread_not_found":
            log.warning("action item event skipped: Slack error %s", code)
            context[_OUTCOME] = None
            return next_()
        log.warning("action item event failed (Slack %s); Slack will redeliver it", code)
        return BoltResponse(status=500, body="")
    except Exception as exc:
        log.error("action item event failed (%s); Slack will redeliver it", exc.__class__.__name__)
        return BoltResponse(status=500, body="")
    return next_()


class ListState(PayloadModel):
    """A /acties page button's value: the query and the id the page starts before."""

    q: str = Field(max_length=500)
    c: int | None = Field(default=None, ge=1, le=MAX_ID)


class ItemButton(ListState):
    """An item's Afgerond/Heropenen button: the item, and the list it is in (to redraw it)."""

    id: int = Field(ge=1, le=MAX_ID)
    q: str = Field(default="", max_length=500)


class CaptureMeta(PayloadModel):
    """The capture modal's private_metadata: the message it was opened on and its meeting."""

    channel: str = Field(pattern=r"^[CDG][A-Z0-9]{2,20}$")
    ts: str = Field(pattern=r"^[0-9]{1,12}\.[0-9]{1,8}$")
    thread_ts: str | None = None
    author: str = Field(min_length=1, max_length=30)
    due_kind: DueKind = "default"
    due_on: date | None = None
    series: str | None = None
    occurrence: datetime | None = None


@dataclass(frozen=True)
class ShortcutMessage:
    channel: str
    ts: str
    thread_ts: str | None
    author: str
    text: str


def shortcut_message(it: Interaction) -> ShortcutMessage:
    """The message a message shortcut was used on."""
    body = it.body
    message = body.get("message")
    message = message if isinstance(message, dict) else {}
    channel = it.channel_id
    ts = message.get("ts") or body.get("message_ts")
    if channel is None or not isinstance(ts, str) or not it.user_id:
        raise UnreadablePayload()
    thread_ts = message.get("thread_ts")
    author, text = message.get("user"), message.get("text")
    return ShortcutMessage(
        channel=channel,
        ts=ts,
        thread_ts=thread_ts if isinstance(thread_ts, str) and thread_ts != ts else None,
        author=author if isinstance(author, str) and author else it.user_id,
        text=text if isinstance(text, str) else "",
    )


_SLACK_TOKEN = re.compile(r"<(?:[@#!][^<>]*|https?://[^<>]*)>")


def modal_text_to_mrkdwn(text: str) -> str:
    """Plain text from a modal as stored mrkdwn: & < > escaped, Slack's own <@U…> tokens kept."""
    parts, last = [], 0
    for match in _SLACK_TOKEN.finditer(text):
        parts += [escape(text[last : match.start()]), match[0]]
        last = match.end()
    parts.append(escape(text[last:]))
    return "".join(parts).strip()


def mrkdwn_to_modal_text(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def capture_modal(
    *,
    text: str,
    owner: str,
    due_on: date | None,
    metadata: dict[str, Any],
    item_id: int | None,
    note: str | None,
) -> dict[str, Any]:
    due_element: Block = {"type": "datepicker", "action_id": "value"}
    if due_on:
        due_element["initial_date"] = due_on.isoformat()
    blocks: list[Block] = []
    if note:
        blocks.append(context(note))
    blocks += [
        {
            "type": "input",
            "block_id": "text",
            "label": {"type": "plain_text", "text": "Actiepunt"},
            "element": {
                "type": "plain_text_input",
                "action_id": "value",
                "multiline": True,
                "max_length": 3000,
                "initial_value": mrkdwn_to_modal_text(text)[:3000],
            },
        },
        {
            "type": "input",
            "block_id": "owner",
            "label": {"type": "plain_text", "text": "Eigenaar"},
            "element": {"type": "users_select", "action_id": "value", "initial_user": owner},
        },
        {
            "type": "input",
            "block_id": "due",
            "optional": True,
            "label": {"type": "plain_text", "text": "Uiterlijk"},
            "element": due_element,
        },
    ]
    title = f"Actiepunt #{item_id}" if item_id else "Actiepunt vastleggen"
    return {
        "type": "modal",
        "callback_id": CAPTURE_MODAL,
        "private_metadata": json.dumps(metadata),
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Opslaan"},
        "close": {"type": "plain_text", "text": "Annuleren"},
        "blocks": blocks,
    }


def register(app: App, ctx: AppContext) -> None:
    feature = ActionItems(ctx)
    emoji = ctx.settings.oov_action_emoji.strip(":")

    def message_step(body: dict[str, Any], context: BoltContext, next: Any) -> Any:
        return _stored_or_retry(lambda: handle_message_event(feature, body["event"]), context, next)

    def reaction_step(
        body: dict[str, Any],
        context: BoltContext,
        client: WebClient,
        next: Any,
    ) -> Any:
        if body["event"].get("reaction") != emoji:
            context[_OUTCOME] = None
            return next()
        return _stored_or_retry(
            lambda: handle_reaction_event(feature, body["event"], client), context, next
        )

    def follow_up(context: BoltContext, client: WebClient) -> None:
        outcome: Outcome | None = context.get(_OUTCOME)
        if outcome is not None:
            FollowUp(ctx, feature, client).after_outcome(outcome)

    # Every message event, also those of no interest (joins, bot posts): an unhandled event is
    # answered 404, which Slack would keep redelivering.
    app.event("message", middleware=[message_step])(follow_up)
    app.event("reaction_added", middleware=[reaction_step])(follow_up)

    @app.command("/acties")
    def acties(ack: Ack, command: dict[str, Any]) -> None:
        reply = feature.acties_reply(command.get("text", ""), command.get("user_id"))
        ack(text=reply.text, blocks=reply.blocks, response_type="ephemeral")

    def page(it: Interaction, client: WebClient) -> None:
        state = button_json(it.body, ListState)
        reply_ = feature.acties_reply(state.q, it.user_id, before_id=state.c)
        reply(it, client, text=reply_.text, blocks=reply_.blocks, replace_original=True)

    on_action(app, PAGE_BUTTON, page)
    on_action(app, FIRST_PAGE_BUTTON, page)

    def change_status(it: Interaction, client: WebClient) -> None:
        # Acknowledged first (Slack never waits on the database); a failure to store reaches the
        # user through the app's error handler, and the button stays as it was.
        state = button_json(it.body, ItemButton)
        closing = it.id == CLOSE_ITEM_ACTION
        changed = feature.close(state.id, it.user_id) if closing else feature.reopen(state.id)
        if changed is None and feature.store.get(state.id) is None:
            raise InteractionRefused(f"Actiepunt #{state.id} bestaat niet meer.")
        follow = FollowUp(ctx, feature, client)
        if changed is not None:
            if closing:
                follow.closing_note(changed, it.user_id)
            follow.refresh_homes(changed.owner_slack_id, it.user_id)
        if it.in_view:
            follow.refresh_homes(it.user_id)  # the click came from the Home tab
        elif it.response_url:
            reply_ = feature.acties_reply(state.q, it.user_id, before_id=state.c)
            reply(it, client, text=reply_.text, blocks=reply_.blocks, replace_original=True)

    on_action(app, CLOSE_ITEM_ACTION, change_status)
    on_action(app, REOPEN_ITEM_ACTION, change_status)

    def open_capture_modal(it: Interaction, client: WebClient) -> None:
        source = shortcut_message(it)
        channel, ts, thread_ts = source.channel, source.ts, source.thread_ts
        author = source.author
        existing = feature.store.by_source(channel, ts)
        meeting = feature.meeting_for(channel, thread_ts)
        note = None
        if existing is not None and existing.status != "cancelled":
            text, owner, due_on = existing.text, existing.owner_slack_id, existing.due_on
            kind = existing.due_kind
            note = f"Dit bericht is al actiepunt #{existing.id}; opslaan werkt het bij."
        else:
            line = feature.read(source.text, author, require_prefix=False)
            due = feature.due_for(line, meeting) if line else ResolvedDue("default", None)
            text = line.text if line else ""
            owner = line.owner if line else author
            due_on, kind = due.on, due.kind
            if line and line.date_problem:
                note = line.date_problem
        metadata = {
            "channel": channel,
            "ts": ts,
            "thread_ts": thread_ts,
            "author": author,
            "due_kind": kind,
            "due_on": due_on.isoformat() if due_on else None,
            "series": meeting.series_key if meeting else None,
            "occurrence": meeting.occurrence_at.isoformat()
            if meeting and meeting.occurrence_at
            else None,
        }
        client.views_open(
            trigger_id=required_trigger(it),
            view=capture_modal(
                text=text,
                owner=owner,
                due_on=due_on,
                metadata=metadata,
                item_id=existing.id if existing and existing.status != "cancelled" else None,
                note=note,
            ),
        )

    def capture_submitted(ack: Ack, it: Interaction, client: WebClient) -> None:
        meta = private_metadata(it.body, CaptureMeta)
        state = ViewState(it.body)
        owner = state.user("owner")
        if owner is None:
            raise UnreadablePayload("Kies een eigenaar.", field="owner")
        text = modal_text_to_mrkdwn(state.text("text"))
        if not text:
            ack(response_action="errors", errors={"text": "Beschrijf het actiepunt."})
            return
        due_on = state.date("due")
        if due_on and due_on < feature.today() and due_on != meta.due_on:
            ack(
                response_action="errors",
                errors={"due": f"{format_date(due_on)} ligt in het verleden."},
            )
            return
        kind = meta.due_kind if due_on == meta.due_on else "date"
        if due_on is None:
            kind = "default"
        # Stored before the acknowledgement: once the modal closes, the item exists.
        try:
            outcome = store_from_modal(feature, meta, text, owner, due_on, kind)
        except SQLAlchemyError as exc:
            # Logged without the statement's parameters: they hold the text.
            log.error("action item from the shortcut not stored: %s", exc.__class__.__name__)
            ack(response_action="errors", errors={"text": SAVE_FAILED})
            return
        ack()
        FollowUp(ctx, feature, client).after_outcome(outcome, fallback_user=it.user_id)

    on_shortcut(app, CAPTURE_SHORTCUT, open_capture_modal)
    on_view(app, CAPTURE_MODAL, capture_submitted)


def store_from_modal(
    feature: ActionItems,
    meta: CaptureMeta,
    text: str,
    owner: str,
    due_on: date | None,
    due_kind: str,
) -> Outcome:
    channel, ts = meta.channel, meta.ts
    now = feature.ctx.now()
    change = feature.store.update_from_source(
        channel,
        ts,
        text=text,
        owner_slack_id=owner,
        due_on=due_on,
        due_kind=due_kind,
        now=now,
        revive=True,
    )
    if change is not None:
        return Outcome("updated", change.after, previous_owner=change.before.owner_slack_id)
    captured = feature.store.capture(
        NewActionItem(
            channel=channel,
            message_ts=ts,
            thread_ts=meta.thread_ts,
            source="shortcut",
            text=text,
            owner_slack_id=owner,
            author_slack_id=meta.author,
            due_on=due_on,
            due_kind=due_kind,
            series_key=meta.series,
            occurrence_at=meta.occurrence,
        ),
        now,
    )
    if captured.created:
        log.info("action item #%d captured (shortcut) in %s", captured.item.id, channel)
    return Outcome("captured", captured.item, captured.created)


# --- scheduled: the weekly overdue DM and the retention purge ------------------------------------


def digest_text(items: Sequence[ActionItemView], today: date) -> tuple[str, list[Block]]:
    count = len(items)
    title = (
        f"Je hebt {count} actiepunt{'en' if count != 1 else ''} over de deadline. "
        "Rond ze af met `/acties` of spreek een nieuwe datum af."
    )
    return title, action_item_list(f"*{title}*", items, today, limit=30, with_owner=False)


def send_digest(ctx: AppContext, owner: str) -> SentMessage | None:
    today = ctx.now().astimezone(ctx.tz).date()
    items = ActionStore(ctx.db).overdue_for(owner, today)
    if not items:
        return None  # closed since the round was planned
    title, blocks = digest_text(items, today)
    return ctx.gateway.post(owner, title, blocks=blocks, what="overdue action items DM")


def purge_closed(ctx: AppContext) -> None:
    months = ctx.settings.oov_action_retention_months
    cutoff = ctx.now() - timedelta(days=round(months * 365.25 / 12))
    removed = ActionStore(ctx.db).purge(cutoff)
    log.info("purged %d action items closed before %s", removed, cutoff.date().isoformat())


def plan_deliveries(ctx: AppContext, start: datetime, end: datetime) -> Iterable[PlannedDelivery]:
    settings = ctx.settings
    store = ActionStore(ctx.db)
    if settings.oov_action_digest_weekday:
        at = settings.oov_action_digest_time
        # The setting counts Monday as 1 (ISO), the kernel as 0.
        weekday = settings.oov_action_digest_weekday - 1
        for day, moment in local_moments(start, end, ctx.tz, at, weekday):
            for owner in store.owners_with_overdue(day):
                yield PlannedDelivery(
                    key=f"actions:overdue:{day.isoformat()}:{owner}",
                    kind=DIGEST_KIND,
                    due_at=moment,
                    send=lambda owner=owner: send_digest(ctx, owner),
                )
    for day, moment in local_moments(start, end, ctx.tz, PURGE_LOCAL_TIME):

        def purge() -> None:
            purge_closed(ctx)

        yield PlannedDelivery(
            key=f"actions:purge:{day.isoformat()}",
            kind=PURGE_KIND,
            due_at=moment,
            send=purge,
            on_missed=purge,  # a missed purge is simply done late
        )


ACTIES = SlashCommand(
    name="/acties",
    summary="actiepunten uit overleggen, nieuwste eerst; te late zijn gemarkeerd",
    usages=(
        Usage(
            "mijn",
            "jouw open actiepunten (ook: `/acties` zonder meer)",
            "your open action items (also plain `/acties`), newest first, overdue marked, 20 a "
            "page, with *Afgerond* / *Heropenen* buttons",
        ),
        Usage("open", "alle open actiepunten van het team", "every open item of the team"),
        Usage("@collega", "de open actiepunten van een collega", "a colleague's open items"),
        Usage(
            "@collega <overleg>",
            "die van een collega bij één overleg",
            "a colleague's open items of one meeting series",
            examples=("@collega boa-briefing",),
        ),
        Usage(
            "<overleg>",
            "de open actiepunten van één overleg",
            "the open items of one meeting series",
            examples=("boa-briefing",),
        ),
        Usage(
            "afgerond",
            "afgeronde actiepunten (combineer: `/acties mijn afgerond`)",
            "closed items; combines with the others (`/acties mijn afgerond`)",
        ),
    ),
    shell=lambda ctx: lambda text: ActionItems(ctx).acties_reply(text, caller=None),
)


FEATURE = Feature(
    name="actions",
    order=30,
    listeners=register,
    planners=(plan_deliveries,),
    exporter=export_action_items,
    commands=(ACTIES,),
    models="storage.models.actions",
    migration_branch="actions",
)
