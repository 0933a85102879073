"""Meeting series in Slack: `/overleg`, the reminders the clock posts (`plan_deliveries`), the
chair's preparation DM, and the DMs that report a reminder that was missed or refused."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from slack_bolt import Ack, App, Respond

from bot import meetings
from bot.context import AppContext
from bot.gateway import SentMessage, SlackError
from bot.language import (
    DutchDateError,
    dutch_holiday_name,
    format_date,
    format_datetime,
    format_short_date,
    format_time,
    is_help,
    parse_date,
    parse_datetime,
    parse_time,
    wall_time,
    weekday_number,
)
from bot.meetings import (
    CHAIR_DM,
    MeetingSeries,
    Occurrence,
    Status,
    delivery_key,
    parse_delivery_key,
)
from bot.planning import PlannedDelivery
from bot.slack_refs import channel_mention
from handlers.blocks import (
    SECTION_TEXT_LIMIT,
    Block,
    Reply,
    bullet_lines,
    context,
    escape,
    fields,
    header,
    mention,
    reminder_action_items,
    section,
)
from handlers.commands import SlashCommand, Usage
from handlers.feature import ConfigFile, Feature
from storage.actions import ActionStore
from storage.meetings import MeetingStore, SeriesView, export_meetings, import_meetings
from storage.team import PersonView, TaskView, UnknownTaskError

log = logging.getLogger(__name__)

DELIVERY_KIND = "meeting"
LIST_DAYS = 14
NEXT_COUNT = 5
AGENDA_PROMPT = "Agendapunten? Reageer in deze thread."

_TO_WORDS = {"naar", "->", "→"}


# --- extension point -----------------------------------------------------------------------------


def open_action_items_section(ctx: AppContext, view: SeriesView, today: date) -> list[Block]:
    """EXTENSION POINT for the action-items feature: the open action items of this series, shown
    at the end of every channel reminder (overdue first); absent when there are none."""
    # Filled in by the action-items feature (handlers.blocks / storage.actions).
    return reminder_action_items(ActionStore(ctx.db).open_for_series(view.key), today)


# --- commands ------------------------------------------------------------------------------------


class MeetingCommandError(Exception):
    """Bad input for /overleg; str(error) is the Dutch answer."""


@dataclass(frozen=True)
class Announcement:
    """A change to post in the series' channel after answering the user."""

    channel: str
    text: str
    what: str  # for logs (never the text)


@dataclass(frozen=True)
class CommandResult:
    reply: Reply
    announcements: list[Announcement] = field(default_factory=list)


def _error(message: str) -> CommandResult:
    # Messages quote what the user typed: escaped, so "<!channel>" cannot ping anyone.
    return CommandResult(Reply(text=message, blocks=[section(escape(message))]))


def channel_ref(channel: str) -> str:
    """A channel as Slack shows it: a link for an ID, the name as typed otherwise."""
    return f"<#{channel}>" if channel[:1] in {"C", "G"} else escape(channel)


class Meetings:
    """The logic of /overleg, without Slack: `oov-bot shell` uses it as well."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.store = MeetingStore(ctx.db, ctx.tz)

    def command(self, text: str, user_id: str | None) -> CommandResult:
        words = text.split()
        verb = words[0].casefold() if words else ""
        try:
            if is_help(verb):
                return CommandResult(OVERLEG.help_reply())
            views = self.store.all_series()
            if not views:
                return _error(
                    "Er zijn nog geen overleggen ingesteld. De beheerder zet ze in "
                    "`config/meetings.yaml` en draait `oov-bot import`."
                )
            if not words:
                return CommandResult(self.upcoming_reply())
            subcommand = OVERLEG.verb(verb)
            if subcommand == "annuleer":
                return self.cancel(views, words[1:], user_id)
            if subcommand == "verplaats":
                return self.move(views, words[1:], user_id)
            if subcommand == "herstel":
                return self.restore(views, words[1:], user_id)
            return CommandResult(self.series_reply(self._one(views, text)))
        except MeetingCommandError as exc:
            return _error(str(exc))

    # -- reading ---------------------------------------------------------------------------------

    def upcoming_reply(self) -> Reply:
        now = self.ctx.now()
        rows = self.store.occurrences(now, now + timedelta(days=LIST_DAYS))
        if not rows:
            message = f"Geen overleggen in de komende {LIST_DAYS} dagen."
            return Reply(text=message, blocks=[section(message)])
        lines = [self._list_line(view, occurrence) for view, occurrence in rows]
        blocks: list[Block] = [header(f"Overleggen komende {LIST_DAYS} dagen")]
        blocks += [section(chunk) for chunk in _chunks(lines)]
        blocks.append(
            context(escape("Meer over één overleg: `/overleg <naam>`. Hulp: `/overleg help`."))
        )
        return Reply(text=f"Overleggen komende {LIST_DAYS} dagen", blocks=blocks)

    def _list_line(self, view: SeriesView, occurrence: Occurrence) -> str:
        tz = self.ctx.tz
        when = (
            f"{format_short_date(occurrence.start.astimezone(tz).date())} "
            f"{format_time(occurrence.start, tz=tz)}–{format_time(occurrence.end, tz=tz)}"
        )
        name = escape(view.series.name)
        note = meetings.occurrence_note(occurrence, tz=tz)
        if not occurrence.held:
            return f"• ~{when} {name}~ — _{escape(note or '')}_"
        line = f"• *{when}* {name} · {channel_ref(view.series.channel)}"
        return f"{line} _({escape(note)})_" if note else line

    def series_reply(self, view: SeriesView) -> Reply:
        series = view.series
        now = self.ctx.now()
        chair = self.person(series.chair)
        rotation = ", ".join(mention(self.person(k)) for k in series.minute_takers)
        items = [
            ("Ritme (taakoverzicht)", escape(series.cadence) or "_niet opgegeven_"),
            ("Zo begrepen", escape(meetings.describe_schedule(series))),
            ("Kanaal", channel_ref(series.channel)),
            (escape(series.chair_title), mention(chair) if series.chair else "_niemand_"),
            ("Notulen", f"om de beurt: {rotation}" if rotation else "_niet vastgelegd_"),
            ("Op een feestdag", meetings.describe_holiday_policy(series.on_holiday)),
        ]
        if where := _where(series):
            items.append(("Waar", where))
        task = self.task(view)
        if task is not None:
            items.append(("Taak", f"{escape(task.subject)} (eigenaar {mention(task.owner)})"))
        blocks: list[Block] = [header(series.name), fields(items)]
        upcoming = self.store.upcoming(series.key, now, NEXT_COUNT)
        if upcoming:
            lines = [self._next_line(series, o) for o in upcoming]
            blocks.append(section(f"*Volgende {len(upcoming)} keer*\n" + "\n".join(lines)))
        else:
            blocks.append(section("_Geen volgende data bekend._"))
        notes = [f"Herinneringen: {escape(meetings.describe_reminders(series))}."]
        if series.example:
            notes.append(
                "⚠️ Voorbeeldwaarden: dag, tijd en plaats zijn nog niet door het team bevestigd "
                "(`config/meetings.yaml`)."
            )
        notes.append(
            escape(
                f"Wijzigen: `/overleg annuleer {series.key} <datum>` · "
                f"`/overleg verplaats {series.key} <datum> <nieuwe datum en tijd>`"
            )
        )
        blocks.append(context(*notes))
        return Reply(text=f"{series.name}: {meetings.describe_schedule(series)}", blocks=blocks)

    def _next_line(self, series: MeetingSeries, occurrence: Occurrence) -> str:
        when = format_datetime(occurrence.start, tz=self.ctx.tz)
        note = meetings.occurrence_note(occurrence, tz=self.ctx.tz)
        if not occurrence.held:
            return f"• ~{when}~ — _{escape(note or '')}_"
        extra = [escape(note)] if note else []
        if taker := meetings.minute_taker(series, occurrence):
            extra.append(f"notulen: {mention(self.person(taker))}")
        return f"• {when}" + (f" ({'; '.join(extra)})" if extra else "")

    # -- changing one occurrence -----------------------------------------------------------------

    def cancel(
        self, views: Sequence[SeriesView], words: list[str], user_id: str | None
    ) -> CommandResult:
        view, rest = self._series_and_rest(views, words, "annuleer", self._parses_as_date)
        occurrence = self._occurrence(view, " ".join(rest))
        series = view.series
        when = format_datetime(occurrence.start, tz=self.ctx.tz)
        if occurrence.status is Status.CANCELLED:
            raise MeetingCommandError(f"{series.name} van {when} is al afgelast.")
        if occurrence.status is Status.SKIPPED:
            raise MeetingCommandError(
                f"{series.name} op {format_date(occurrence.original_date)} gaat al niet door "
                f"({occurrence.holiday})."
            )
        self.store.cancel(
            series.key, occurrence.original_date, by=user_id or "shell", now=self.ctx.now()
        )
        announcement = Announcement(
            series.channel,
            f"❌ *{escape(series.name)}* van {when} gaat niet door "
            f"(afgelast door {_who(user_id)}).",
            f"cancellation of {series.key}",
        )
        where = channel_mention(series.channel)
        message = f"Afgelast: {escape(series.name)} van {when}. Ik meld het in {where}."
        return CommandResult(Reply(message, [section(message)]), [announcement])

    def move(
        self, views: Sequence[SeriesView], words: list[str], user_id: str | None
    ) -> CommandResult:
        view, rest = self._series_and_rest(views, words, "verplaats", self._parses_as_move)
        occurrence, new_start = self._parse_move(view, rest)
        series = view.series
        tz = self.ctx.tz
        old = format_datetime(occurrence.start, tz=tz)
        new = format_datetime(new_start, tz=tz)
        if occurrence.status is Status.CANCELLED:
            raise MeetingCommandError(
                f"{series.name} van {old} is afgelast. Draai dat eerst terug met "
                f"`/overleg herstel {series.key} {occurrence.original_date:%d-%m-%Y}`."
            )
        if new_start <= self.ctx.now():
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
        by = user_id or "shell"
        if new_start == occurrence.original_start and occurrence.holiday is None:
            # Back where the rule puts it: no change left, and its original reminders stand.
            self.store.restore(series.key, occurrence.original_date)
        else:
            self.store.move(
                series.key, occurrence.original_date, new_start, by=by, now=self.ctx.now()
            )
        announcement = Announcement(
            series.channel,
            f"📅 *{escape(series.name)}* van {old} is verplaatst naar *{new}* "
            f"(door {_who(user_id)}).",
            f"move of {series.key}",
        )
        message = (
            f"Verplaatst: {escape(series.name)} van {old} naar {new}. "
            f"Ik meld het in {channel_mention(series.channel)}."
        )
        blocks = [section(message)]
        if holiday := dutch_holiday_name(new_start.astimezone(tz).date()):
            blocks.append(context(escape(f"⚠️ Let op: dat is een feestdag ({holiday}).")))
        return CommandResult(Reply(message, blocks), [announcement])

    def restore(
        self, views: Sequence[SeriesView], words: list[str], user_id: str | None
    ) -> CommandResult:
        view, rest = self._series_and_rest(views, words, "herstel", self._parses_as_date)
        occurrence = self._occurrence(view, " ".join(rest))
        series = view.series
        if occurrence.change is None:
            raise MeetingCommandError(
                f"Aan {series.name} van {format_date(occurrence.start, tz=self.ctx.tz)} is niets "
                "gewijzigd."
            )
        self.store.restore(series.key, occurrence.original_date)
        restored = self.store.occurrence(series.key, occurrence.original_date)
        assert restored is not None
        when = format_datetime(restored.start, tz=self.ctx.tz)
        state = "gaat toch door" if restored.held else "blijft vervallen"
        note = meetings.occurrence_note(restored, tz=self.ctx.tz)
        suffix = f" ({note})" if note else ""
        announcement = Announcement(
            series.channel,
            f"↩️ *{escape(series.name)}* {state} op {when}{escape(suffix)} "
            f"(wijziging teruggedraaid door {_who(user_id)}).",
            f"restore of {series.key}",
        )
        message = f"Teruggedraaid: {series.name} {state} op {when}{suffix}."
        return CommandResult(Reply(message, [section(escape(message))]), [announcement])

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
        words: list[str],
        verb: str,
        rest_fits: Callable[[SeriesView, list[str]], bool],
    ) -> tuple[SeriesView, list[str]]:
        """Split "<naam> <datum…>": the longest leading words naming one series, preferring a
        split whose remainder reads as the command needs (names and dates both have spaces)."""
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
                if rest_fits(found[0], words[cut:]):
                    return found[0], words[cut:]
                fallback = fallback or (found[0], words[cut:])
        if fallback is not None:
            return fallback  # the date is what is wrong: let its parser say why
        return self._one(views, words[0]), words[1:]

    def _parses_as_date(self, view: SeriesView, words: list[str]) -> bool:
        try:
            parse_date(" ".join(words), self.ctx.now(), tz=self.ctx.tz)
        except DutchDateError:
            return False
        return True

    def _parses_as_move(self, view: SeriesView, words: list[str]) -> bool:
        try:
            self._parse_move(view, words)
        except _MoveQuestion:
            return True  # it reads; what it means is asked back
        except MeetingCommandError:
            return False
        return True

    def _occurrence(self, view: SeriesView, text: str) -> Occurrence:
        try:
            day = parse_date(text, self.ctx.now(), tz=self.ctx.tz)
        except DutchDateError as exc:
            raise MeetingCommandError(str(exc)) from None
        return self._occurrence_on(view, day)

    def _occurrence_on(self, view: SeriesView, day: date) -> Occurrence:
        series = view.series
        occurrence = self.store.occurrence_for_day(series.key, day)
        if occurrence is None:
            upcoming = [o for o in self.store.upcoming(series.key, self.ctx.now(), 10) if o.held]
            upcoming = upcoming[:3]
            dates = ", ".join(format_short_date(o.start.astimezone(self.ctx.tz)) for o in upcoming)
            hint = f" De volgende keren: {dates}." if dates else ""
            raise MeetingCommandError(f"Op {format_date(day)} is er geen {series.name}.{hint}")
        if occurrence.start <= self.ctx.now():
            raise MeetingCommandError(
                f"{series.name} van {format_datetime(occurrence.start, tz=self.ctx.tz)} is al "
                "begonnen of geweest."
            )
        return occurrence

    def _other_on_day(
        self, view: SeriesView, occurrence: Occurrence, new_start: datetime
    ) -> Occurrence | None:
        """Another occurrence of the series that takes place on the day of `new_start`."""
        tz = self.ctx.tz
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

    def _parse_move(self, view: SeriesView, words: list[str]) -> tuple[Occurrence, datetime]:
        """Read "<datum> [naar] <nieuwe datum en/of tijd>": (the occurrence, its new start)."""
        lowered = [w.casefold() for w in words]
        cuts = [lowered.index(w) for w in _TO_WORDS if w in lowered]
        splits = (
            [(words[: cuts[0]], words[cuts[0] + 1 :])]
            if cuts
            else [(words[:i], words[i:]) for i in range(1, len(words))]
        )
        first_error: str | None = None
        for old_words, new_words in splits:
            try:
                day = parse_date(" ".join(old_words), self.ctx.now(), tz=self.ctx.tz)
                occurrence = self._occurrence_on(view, day)
                new_start = self._new_start(occurrence, " ".join(new_words))
                self._check_week_of(old_words, new_words, occurrence, new_start)
                return occurrence, new_start
            except _MoveQuestion:
                raise
            except (DutchDateError, MeetingCommandError) as exc:
                first_error = first_error or str(exc)
        raise MeetingCommandError(
            first_error
            or "Geef de datum van het overleg en de nieuwe datum en/of tijd, bijvoorbeeld "
            "`/overleg verplaats teamoverleg 30-11 naar 1-12 14:00`."
        )

    def _check_week_of(
        self,
        old: list[str],
        new: list[str],
        occurrence: Occurrence,
        new_start: datetime,
    ) -> None:
        """For "verplaats volgende maandag dinsdag": the bare weekday is read from today, so it
        can lie before next week's meeting itself, a day that has passed by then. Ask rather than
        move it somewhere unasked."""
        tz = self.ctx.tz
        local = occurrence.start.astimezone(tz)
        new_day = new_start.astimezone(tz).date()
        # A weekday named for both ("volgende maandag dinsdag", "maandag dinsdag"); a date
        # written out ("30-11 woensdag") says which week the user looks at.
        relative_old = not any(c.isdigit() for c in " ".join(old))
        bare_weekday = bool(new) and weekday_number(new[0]) is not None
        if relative_old and bare_weekday and new_day < local.date():
            raise _MoveQuestion(
                f"Bedoel je {format_datetime(new_start, tz=tz)}? Die dag ligt vóór "
                f"{format_date(local.date())}, de dag van het overleg zelf. Zet de datum erbij, "
                f"bijvoorbeeld `{format_short_date(new_day)} {format_time(new_start, tz=tz)}` "
                "of de datum erna."
            )

    def _new_start(self, occurrence: Occurrence, text: str) -> datetime:
        tz = self.ctx.tz
        local = occurrence.start.astimezone(tz)
        if not text.strip():
            raise MeetingCommandError("Naar welke datum en/of tijd? Bijvoorbeeld `1-12 14:00`.")
        try:  # only a time: the same day
            clock = parse_time(text)
            return wall_time(local.date(), clock, tz)
        except DutchDateError:
            pass
        try:
            new_start = parse_datetime(text, self.ctx.now(), default_time=local.time(), tz=tz)
        except DutchDateError as exc:
            raise MeetingCommandError(str(exc)) from None
        return new_start

    # -- people and tasks ------------------------------------------------------------------------

    def person(self, key: str | None) -> PersonView | None:
        return self.ctx.team.find_person(key) if key else None

    def task(self, view: SeriesView) -> TaskView | None:
        if view.task_id is None:
            return None
        try:
            return self.ctx.team.task(view.task_id)
        except UnknownTaskError:
            return None


class _MoveQuestion(MeetingCommandError):
    """A new date that reads, but probably not as meant: asked back, never guessed."""


def _who(user_id: str | None) -> str:
    return f"<@{user_id}>" if user_id else "de beheerder"


def _where(series: MeetingSeries) -> str:
    parts = [escape(series.place)] if series.place else []
    if series.call_link:
        parts.append(f"<{series.call_link}|deelnamelink>")
    return " · ".join(parts)


def _chunks(lines: Sequence[str]) -> list[str]:
    """Whole lines per section, under Slack's text limit."""
    chunks = [""]
    for line in lines:
        if chunks[-1] and len(chunks[-1]) + 1 + len(line) > SECTION_TEXT_LIMIT:
            chunks.append("")
        chunks[-1] = f"{chunks[-1]}\n{line}" if chunks[-1] else line
    return chunks


def announce(ctx: AppContext, announcements: Sequence[Announcement]) -> list[str]:
    """Post the announcements; returns a Dutch line per one that failed."""
    notifier = ctx.gateway
    failed = []
    for item in announcements:
        try:
            notifier.post(item.channel, item.text, what=item.what)
        except SlackError as exc:
            log.warning("could not post the %s to %s: %s", item.what, item.channel, exc.code)
            failed.append(
                f"Let op: melden in {item.channel} lukte niet ({exc.code}). "
                "De wijziging is wel opgeslagen."
            )
    return failed


def overleg_reply(ctx: AppContext, text: str, user_id: str | None) -> Reply:
    """/overleg for `oov-bot shell`: the answer, with the announcement done before it returns."""
    result = Meetings(ctx).command(text, user_id)
    problems = announce(ctx, result.announcements)
    if problems:
        result.reply.blocks.append(context(*map(escape, problems)))
    return result.reply


# --- reminders -----------------------------------------------------------------------------------


def plan_deliveries(ctx: AppContext, start: datetime, end: datetime) -> Iterator[PlannedDelivery]:
    """The clock's hook: every reminder and chair DM due in [start, end]."""
    store = MeetingStore(ctx.db, ctx.tz)
    views = store.all_series()
    if not views:
        return
    changes = store.changes()
    slack_ids = {p.key: p.slack_id for p in ctx.team.people() if p.slack_id}
    for view in views:
        series = view.series
        # Reminders come before the meeting: look far enough ahead for "N working days before"
        # across a weekend plus holidays (Christmas, Easter).
        lead = timedelta(days=2 * max((r.days_before for r in series.remind), default=0) + 7)
        for occurrence in meetings.occurrences(
            series, start, end + lead, changes.get(series.key, ()), tz=ctx.tz
        ):
            for due in meetings.reminder_times(series, occurrence, tz=ctx.tz):
                if not start <= due.due_at <= end:
                    continue
                if due.to_chair and not slack_ids.get(series.chair or ""):
                    continue  # nobody to DM; the channel reminders still go out
                change = occurrence.change if occurrence.moved_by_hand else None
                if change and change.changed_at and due.due_at < change.changed_at:
                    continue  # due before the move: the move announcement replaced it
                key = delivery_key(occurrence, due.kind, tz=ctx.tz)
                yield PlannedDelivery(
                    key=key,
                    kind=DELIVERY_KIND,
                    due_at=due.due_at,
                    send=partial(send_delivery, ctx, key),
                    on_missed=partial(report_missed, ctx, key),
                    on_failed=partial(report_failed, ctx, key),
                )


@dataclass(frozen=True)
class _Current:
    """A planned delivery checked against the database at the moment it is sent."""

    view: SeriesView
    occurrence: Occurrence
    kind: str


def _lookup(ctx: AppContext, key: str) -> _Current | None:
    """The series and occurrence a delivery key names, as the database has them now."""
    ref = parse_delivery_key(key)
    if ref is None:
        return None
    store = MeetingStore(ctx.db, ctx.tz)
    view = store.get(ref.series_key)
    occurrence = store.occurrence(ref.series_key, ref.occurrence_date)
    if view is None or occurrence is None:
        return None
    return _Current(view, occurrence, ref.kind)


def _current(ctx: AppContext, key: str) -> _Current | None:
    """The delivery's meeting if it is still due as planned (not moved, not cancelled)."""
    found = _lookup(ctx, key)
    if found is None:
        return None
    occurrence = found.occurrence
    if delivery_key(occurrence, found.kind, tz=ctx.tz) != key:
        return None  # moved (or moved back) since it was planned
    if occurrence.status is Status.CANCELLED:
        return None
    return found


def send_delivery(ctx: AppContext, key: str) -> SentMessage | None:
    """Render and post one reminder or chair DM, from the state of the database right now."""
    current = _current(ctx, key)
    if current is None:
        log.info("meeting delivery %s no longer applies (changed since planning); skipped", key)
        return None
    logic = Meetings(ctx)
    series = current.view.series
    if current.kind == CHAIR_DM:
        chair = logic.person(series.chair)
        if chair is None or not chair.slack_id:
            log.info("meeting delivery %s: the chair has no Slack ID; skipped", key)
            return None
        reply = chair_dm(ctx, current.view, current.occurrence)
        return ctx.gateway.post(
            chair.slack_id, reply.text, blocks=reply.blocks, what=f"chair DM {key}"
        )
    reply = reminder_message(ctx, current.view, current.occurrence)
    return ctx.gateway.post(
        series.channel, reply.text, blocks=reply.blocks, what=f"meeting reminder {key}"
    )


def _relative_day(ctx: AppContext, occurrence: Occurrence) -> str:
    today = ctx.now().astimezone(ctx.tz).date()
    day = occurrence.start.astimezone(ctx.tz).date()
    return {0: "vandaag", 1: "morgen"}.get((day - today).days, f"op {format_date(day)}")


def _duty_lines(task: TaskView | None, series: MeetingSeries) -> list[Block]:
    blocks: list[Block] = []
    if task is not None and task.duties:
        # The overview separates duties with " / "; "en/of" (no spaces) stays whole.
        duties = [d.strip() for d in re.split(r"\s+/\s*|\s*/\s+", task.duties) if d.strip()]
        blocks.append(
            section("*Taken uit het taakoverzicht*\n" + bullet_lines(map(escape, duties)))
        )
    if series.externals:
        blocks.append(section("*Externen uitnodigen:* " + escape(", ".join(series.externals))))
    return blocks


def reminder_message(ctx: AppContext, view: SeriesView, occurrence: Occurrence) -> Reply:
    """The channel reminder (or, for a meeting skipped on a holiday, the notice that it is off)."""
    logic = Meetings(ctx)
    series = view.series
    tz = ctx.tz
    if occurrence.status is Status.SKIPPED:
        following = logic.store.next_occurrence(series.key, occurrence.original_start)
        after = (
            f" De volgende keer is {format_datetime(following.start, tz=tz)}." if following else ""
        )
        text = (
            f"{series.name} gaat niet door op {format_date(occurrence.original_date)}: "
            f"{occurrence.holiday}.{after}"
        )
        return Reply(text=text, blocks=[section(f"🗓️ {escape(text)}")])
    when = _relative_day(ctx, occurrence)
    span = f"{format_datetime(occurrence.start, tz=tz)}–{format_time(occurrence.end, tz=tz)}"
    blocks: list[Block] = [header(f"{series.name} — {when}"), section(f"*{span}*")]
    if note := meetings.occurrence_note(occurrence, tz=tz):
        blocks.append(context(escape(note[0].upper() + note[1:])))
    chair = logic.person(series.chair)
    taker = logic.person(meetings.minute_taker(series, occurrence))
    items = [(escape(series.chair_title), mention(chair) if series.chair else "_niemand_")]
    items.append(("Notulen", mention(taker) if taker else "_nog niet bekend_"))
    if where := _where(series):
        items.insert(0, ("Waar", where))
    blocks.append(fields(items))
    blocks += _duty_lines(logic.task(view), series)
    blocks.append(section(f"💬 *{AGENDA_PROMPT}*"))
    today = ctx.now().astimezone(tz).date()
    blocks += open_action_items_section(ctx, view, today)
    text = f"{series.name} {when}: {format_datetime(occurrence.start, tz=tz)}. {AGENDA_PROMPT}"
    return Reply(text=text, blocks=blocks)


def chair_dm(ctx: AppContext, view: SeriesView, occurrence: Occurrence) -> Reply:
    """The chair's DM on the working day before: what to prepare."""
    logic = Meetings(ctx)
    series = view.series
    when = format_datetime(occurrence.start, tz=ctx.tz)
    role = series.chair_title.casefold()
    intro = (
        f"👋 Je bent {escape(role)} van *{escape(series.name)}* op *{when}* "
        f"({channel_ref(series.channel)})."
    )
    blocks: list[Block] = [section(intro)]
    if note := meetings.occurrence_note(occurrence, tz=ctx.tz):
        blocks.append(context(escape(note[0].upper() + note[1:])))
    blocks += _duty_lines(logic.task(view), series)
    if taker := logic.person(meetings.minute_taker(series, occurrence)):
        blocks.append(context(f"Notulen: {mention(taker)}"))
    blocks.append(
        context(
            "Agendapunten komen binnen in de draad onder de herinnering in "
            f"{channel_ref(series.channel)}."
        )
    )
    return Reply(text=f"Je bent {role} van {series.name} op {when}.", blocks=blocks)


def _report_to(ctx: AppContext, view: SeriesView) -> str | None:
    """Who hears about a reminder that did not go out: the chair, else the task's owner."""
    logic = Meetings(ctx)
    chair = logic.person(view.series.chair)
    if chair and chair.slack_id:
        return chair.slack_id
    task = logic.task(view)
    return task.owner.slack_id if task and task.owner and task.owner.slack_id else None


def _describe_delivery(ctx: AppContext, key: str) -> tuple[SeriesView, str, str] | None:
    """(series, kind, "*<meeting>* van <date>") of a delivery key, for reports."""
    found = _lookup(ctx, key)
    if found is None:
        return None
    when = format_datetime(found.occurrence.start, tz=ctx.tz)
    return found.view, found.kind, f"*{escape(found.view.series.name)}* van {when}"


def report_missed(ctx: AppContext, key: str) -> None:
    """Not sent in time (clock down, or Slack unreachable) and past the grace window: tell the
    chair rather than post late."""
    found = _describe_delivery(ctx, key)
    target = _report_to(ctx, found[0]) if found else None
    if found is None or target is None:
        log.warning("missed meeting delivery %s: nobody with a Slack ID to tell", key)
        return
    view, kind, meeting = found
    what = "Je voorbereidingsbericht" if kind == CHAIR_DM else "De herinnering"
    grace = ctx.settings.oov_reminder_grace_minutes
    text = (
        f"⚠️ {what} voor {meeting} is niet verstuurd: op het geplande moment draaide de bot niet "
        f"of was Slack onbereikbaar, en na {grace} minuten plaatst de bot niets meer alsnog."
    )
    if kind != CHAIR_DM:
        channel = channel_ref(view.series.channel)
        text += f" Laat {channel} zo nodig zelf weten dat het overleg eraan komt."
    ctx.gateway.try_post(target, text, what=f"missed-reminder report {key}")


_FAILURE_ADVICE = {
    "channel_not_found": "het kanaal bestaat niet (meer). Pas `channel` aan in "
    "`config/meetings.yaml` en draai `oov-bot import`.",
    "not_in_channel": "de bot is geen lid van het kanaal. Nodig hem uit met `/invite @oov-bot` "
    "in het kanaal.",
    "is_archived": "het kanaal is gearchiveerd. Pas `channel` aan in `config/meetings.yaml`.",
}


def report_failed(ctx: AppContext, key: str, error: SlackError) -> None:
    """Slack refused the post for good (no retry will help): one clear log line and a DM."""
    found = _describe_delivery(ctx, key)
    channel = found[0].series.channel if found else "?"
    log.error(
        "meeting delivery %s: Slack refused the post to %s (%s); not retried",
        key,
        channel,
        error.code,
    )
    target = _report_to(ctx, found[0]) if found else None
    if found is None or target is None or found[1] == CHAIR_DM:
        return  # a failed DM to the chair cannot be reported to the chair
    view, _, meeting = found
    advice = _FAILURE_ADVICE.get(error.code, f"Slack gaf de fout `{error.code}`.")
    text = (
        f"⚠️ Ik kon de herinnering voor {meeting} niet plaatsen in "
        f"{channel_ref(view.series.channel)}: {advice}"
    )
    ctx.gateway.try_post(target, text, what=f"failed-reminder report {key}")


# --- Slack ---------------------------------------------------------------------------------------


def register(app: App, ctx: AppContext) -> None:
    logic = Meetings(ctx)

    @app.command("/overleg")
    def overleg(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        result = logic.command(command.get("text", ""), command.get("user_id"))
        ack(text=result.reply.text, blocks=result.reply.blocks, response_type="ephemeral")
        # After the answer: posting may wait on Slack's rate limits, the answer may not.
        for problem in announce(ctx, result.announcements):
            respond(text=problem, response_type="ephemeral", replace_original=False)


OVERLEG = SlashCommand(
    name="/overleg",
    summary="de overleggen van team OOV",
    usages=(
        Usage("", "alle overleggen van de komende 14 dagen", "the meetings of the next 14 days"),
        Usage(
            "<naam>",
            "één overleg: ritme, volgende data, kanaal, voorzitter",
            "one series: cadence as written and as understood, next five dates, channel, chair",
            examples=("boa-briefing", "tvo"),
        ),
        Usage(
            "annuleer <naam> <datum>",
            "één keer afgelasten",
            "cancel one meeting; announced in the meeting's channel",
            examples=("annuleer boa volgende dinsdag",),
            words=("annuleren", "afgelast", "afgelasten", "afzeggen", "cancel"),
        ),
        Usage(
            "verplaats <naam> <datum> <nieuwe datum en tijd>",
            "één keer verplaatsen",
            "move one meeting to another day or time; announced in the meeting's channel",
            examples=("verplaats teamoverleg volgende maandag naar volgende dinsdag 14:00",),
            words=("verplaatsen", "verzet", "verzetten"),
        ),
        Usage(
            "herstel <naam> <datum>",
            "een afgelasting of verplaatsing terugdraaien",
            "undo a cancellation or a move",
            words=("herstellen", "terugdraaien"),
        ),
    ),
    notes=(
        "Datums mogen zo: `volgende dinsdag`, `1 december`, `1-12`, `morgen`. "
        "De wijziging wordt in het kanaal van het overleg gemeld."
    ),
    shell=lambda ctx: lambda text: overleg_reply(ctx, text, user_id=None),
)


FEATURE = Feature(
    name="meetings",
    order=20,
    listeners=register,
    planners=(plan_deliveries,),
    config=ConfigFile(
        meetings.MEETINGS_FILE, meetings.validate_meetings_file, import_meetings, export_meetings
    ),
    commands=(OVERLEG,),
    models="storage.models.meetings",
    migration_branch="meetings",
)
