"""Block Kit for meetings: the /overleg answers, the channel reminder, the holiday notice and the
chair's DM, drawn from what `bot.services.meetings` returns."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, tzinfo

from bot.core import meetings
from bot.core.meetings import MeetingSeries, Occurrence
from bot.core.slack_refs import channel_mention
from bot.language import format_date, format_datetime, format_short_date, format_time
from bot.services.meetings import (
    LIST_DAYS,
    ChairBriefing,
    ChangeKind,
    ChannelReminder,
    Fortnight,
    Listed,
    OccurrenceChanged,
    SeriesDetails,
    SkippedNotice,
)
from bot.services.notices import channel_ref
from handlers.blocks import (
    SECTION_TEXT_LIMIT,
    Block,
    DrawnOnce,
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
from storage.team import PersonView, TaskView

AGENDA_PROMPT = "Agendapunten? Reageer in deze thread."


def refusal(message: str) -> Reply:
    # Messages quote what the user typed: escaped, so "<!channel>" cannot ping anyone.
    return Reply(text=message, blocks=[section(escape(message))])


# --- /overleg ------------------------------------------------------------------------------------


def _draw_upcoming(fortnight: Fortnight, tz: tzinfo) -> Reply:
    rows = fortnight.rows
    if not rows:
        message = f"Geen overleggen in de komende {LIST_DAYS} dagen."
        return Reply(text=message, blocks=[section(message)])
    lines = [_list_line(row, tz) for row in rows]
    blocks: list[Block] = [header(f"Overleggen komende {LIST_DAYS} dagen")]
    blocks += [section(chunk) for chunk in _chunks(lines)]
    blocks.append(
        context(escape("Meer over één overleg: `/overleg <naam>`. Hulp: `/overleg help`."))
    )
    return Reply(text=f"Overleggen komende {LIST_DAYS} dagen", blocks=blocks)


upcoming_reply: DrawnOnce[Fortnight] = DrawnOnce(_draw_upcoming)  # upcoming_reply(fortnight, tz)


def _list_line(row: Listed, tz: tzinfo) -> str:
    occurrence = row.occurrence
    when = (
        f"{format_short_date(occurrence.start.astimezone(tz).date())} "
        f"{format_time(occurrence.start, tz=tz)}–{format_time(occurrence.end, tz=tz)}"
    )
    name = escape(row.view.series.name)
    note = meetings.occurrence_note(occurrence, tz=tz)
    if not occurrence.held:
        return f"• ~{when} {name}~ — _{escape(note or '')}_"
    line = f"• *{when}* {name} · {channel_ref(row.view.series.channel)}"
    return f"{line} _({escape(note)})_" if note else line


def _draw_series(details: SeriesDetails, tz: tzinfo) -> Reply:
    series = details.series
    rotation = ", ".join(mention(p) for p in details.minute_takers)
    items = [
        ("Ritme (taakoverzicht)", escape(series.cadence) or "_niet opgegeven_"),
        ("Zo begrepen", escape(meetings.describe_schedule(series))),
        ("Kanaal", channel_ref(series.channel)),
        (escape(series.chair_title), mention(details.chair) if series.chair else "_niemand_"),
        ("Notulen", f"om de beurt: {rotation}" if rotation else "_niet vastgelegd_"),
        ("Op een feestdag", meetings.describe_holiday_policy(series.on_holiday)),
    ]
    if where := _where(series):
        items.append(("Waar", where))
    if (task := details.task) is not None:
        items.append(("Taak", f"{escape(task.subject)} (eigenaar {mention(task.owner)})"))
    blocks: list[Block] = [header(series.name), fields(items)]
    if details.upcoming:
        lines = [_next_line(n.occurrence, n.minute_taker, tz) for n in details.upcoming]
        blocks.append(section(f"*Volgende {len(lines)} keer*\n" + "\n".join(lines)))
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
    text = escape(f"{series.name}: {meetings.describe_schedule(series)}")
    return Reply(text=text, blocks=blocks)


def _next_line(occurrence: Occurrence, taker: PersonView | None, tz: tzinfo) -> str:
    when = format_datetime(occurrence.start, tz=tz)
    note = meetings.occurrence_note(occurrence, tz=tz)
    if not occurrence.held:
        return f"• ~{when}~ — _{escape(note or '')}_"
    extra = [escape(note)] if note else []
    if taker is not None:
        extra.append(f"notulen: {mention(taker)}")
    return f"• {when}" + (f" ({'; '.join(extra)})" if extra else "")


def change_reply(change: OccurrenceChanged, tz: tzinfo) -> Reply:
    """The answer to the one who cancelled, moved or restored a meeting."""
    series = change.series
    name = escape(series.name)
    when = format_datetime(change.before.start, tz=tz)
    where = channel_mention(series.channel)
    if change.kind is ChangeKind.CANCELLED:
        message = f"Afgelast: {name} van {when}. Ik meld het in {where}."
        return Reply(message, [section(message)])
    if change.kind is ChangeKind.MOVED:
        new = format_datetime(change.start, tz=tz)
        message = f"Verplaatst: {name} van {when} naar {new}. Ik meld het in {where}."
        blocks = [section(message)]
        if change.holiday:
            blocks.append(context(escape(f"⚠️ Let op: dat is een feestdag ({change.holiday}).")))
        return Reply(message, blocks)
    state = "gaat toch door" if change.held else "blijft vervallen"
    suffix = f" ({change.note})" if change.note else ""
    now_at = format_datetime(change.start, tz=tz)
    message = f"Teruggedraaid: {series.name} {state} op {now_at}{suffix}."
    return Reply(message, [section(escape(message))])


# --- reminders -----------------------------------------------------------------------------------


def _relative_day(occurrence: Occurrence, today: date, tz: tzinfo) -> str | None:
    """ "vandaag" or "morgen"; None for a day further off (a Friday's reminder of Monday)."""
    day = occurrence.start.astimezone(tz).date()
    return {0: "vandaag", 1: "morgen"}.get((day - today).days)


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


def skipped_message(notice: SkippedNotice, tz: tzinfo) -> Reply:
    """For a meeting skipped on a holiday: that it is off, and when the next one is."""
    series, occurrence = notice.view.series, notice.occurrence
    following = notice.following
    after = f" De volgende keer is {format_datetime(following.start, tz=tz)}." if following else ""
    text = escape(
        f"{series.name} gaat niet door op {format_date(occurrence.original_date)}: "
        f"{occurrence.holiday}.{after}"
    )
    return Reply(text=text, blocks=[section(f"🗓️ {text}")])


def reminder_message(reminder: ChannelReminder, tz: tzinfo) -> Reply:
    """The channel reminder, with the series' open action items at the end (overdue first)."""
    series, occurrence = reminder.view.series, reminder.occurrence
    relative = _relative_day(occurrence, reminder.today, tz)
    start = format_datetime(occurrence.start, tz=tz)
    # Further off, the title names the day; the date then appears once in the notification.
    day = format_date(occurrence.start.astimezone(tz).date(), with_year=False)
    span = f"{start}–{format_time(occurrence.end, tz=tz)}"
    blocks: list[Block] = [header(f"{series.name} — {relative or day}"), section(f"*{span}*")]
    if note := meetings.occurrence_note(occurrence, tz=tz):
        blocks.append(context(escape(note[0].upper() + note[1:])))
    chair = mention(reminder.chair) if series.chair else "_niemand_"
    taker = reminder.minute_taker
    items = [(escape(series.chair_title), chair)]
    items.append(("Notulen", mention(taker) if taker else "_nog niet bekend_"))
    if where := _where(series):
        items.insert(0, ("Waar", where))
    blocks.append(fields(items))
    blocks += _duty_lines(reminder.task, series)
    blocks.append(section(f"💬 *{AGENDA_PROMPT}*"))
    blocks += reminder_action_items(reminder.open_items, reminder.today)
    if reminder.withheld_items:
        blocks.append(context(withheld_items_note(reminder.withheld_items, series.key)))
    # The notification text is mrkdwn too: a name with '&' or '<' is escaped there as well.
    name = escape(series.name)
    text = f"{name}{f' {relative}' if relative else ''}: {start}. {AGENDA_PROMPT}"
    return Reply(text=text, blocks=blocks)


def withheld_items_note(count: int, series_key: str) -> str:
    """Said in place of open items the channel may not read: how many, and where to look."""
    items = "actiepunt staat" if count == 1 else "actiepunten staan"
    return (
        f"🔒 {count} open {items} niet in dit bericht: niet iedereen in dit kanaal mag ze lezen "
        "(gasten of leden van een andere organisatie lezen mee, of ze zijn in een ander kanaal "
        f"afgesproken). Teamleden zien ze met `/acties {series_key}`."
    )


def chair_dm(briefing: ChairBriefing, tz: tzinfo) -> Reply:
    """The chair's DM on the working day before: what to prepare."""
    series, occurrence = briefing.view.series, briefing.occurrence
    when = format_datetime(occurrence.start, tz=tz)
    role = series.chair_title.casefold()
    intro = (
        f"👋 Je bent {escape(role)} van *{escape(series.name)}* op *{when}* "
        f"({channel_ref(series.channel)})."
    )
    blocks: list[Block] = [section(intro)]
    if note := meetings.occurrence_note(occurrence, tz=tz):
        blocks.append(context(escape(note[0].upper() + note[1:])))
    blocks += _duty_lines(briefing.task, series)
    if briefing.minute_taker:
        blocks.append(context(f"Notulen: {mention(briefing.minute_taker)}"))
    blocks.append(
        context(
            "Agendapunten komen binnen in de draad onder de herinnering in "
            f"{channel_ref(series.channel)}."
        )
    )
    return Reply(text=escape(f"Je bent {role} van {series.name} op {when}."), blocks=blocks)


# --- helpers -------------------------------------------------------------------------------------


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


series_reply: DrawnOnce[SeriesDetails] = DrawnOnce(_draw_series)  # series_reply(details, tz)
