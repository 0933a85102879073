"""Piket's Block Kit: how the service's results look in Slack (and, through `blocks_to_text`,
in the shell and the operator's CLI)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from msgspec import Struct

from bot.core.piket_feed import FeedLinks, FeedScope
from bot.language import format_date, format_datetime
from bot.services.piket import (
    AgendaGuess,
    AtMoment,
    ComingWeeks,
    DutyWeek,
    FeedLinksIssued,
    Handover,
    Help,
    OnDays,
    OnDutyNow,
    PersonShifts,
    PiketAnswer,
    Reminder,
    SwapProposed,
    period,
    plain_who,
    proposal_text,
    summary_text,
)
from handlers.blocks import Block, Reply, actions, button, context, escape, header, mention, section
from handlers.commands import SlashCommand
from storage.piket import ShiftView, SwapView

ACCEPT_ACTION = "piket_swap_accept"
DECLINE_ACTION = "piket_swap_decline"

SUBSCRIBE_HOWTO = (
    "*Zo abonneer je je:*\n"
    "• *Outlook* (web en nieuwe Outlook): Agenda → Agenda toevoegen → Abonneren vanaf internet → "
    "plak de https-link. *Klassieke Outlook* (Windows): Agenda openen → Van internet → plak de "
    "https-link.\n"
    "• *Google Agenda* (op de computer): Andere agenda's → + → Via URL → plak de https-link. "
    "Google ververst een abonnement zelf, soms pas na een paar uur.\n"
    "• *Apple Agenda*: op de Mac Archief → Nieuw agenda-abonnement → plak de link; op iPhone of "
    "iPad Instellingen → Agenda → Accounts → Voeg account toe → Andere → Voeg "
    "agenda-abonnement toe → plak de https-link. Of tik op de webcal-link."
)


class DirectMessage(Struct, frozen=True):
    """A DM sent after the slash command has been answered."""

    user_id: str
    text: str
    blocks: list[Block]
    what: str
    # Told to the caller (ephemeral) when the DM cannot be delivered.
    on_failure: Reply | None = None


def reply_text(text: str) -> Reply:
    return Reply(text=text, blocks=[section(text)])


def who(shift: ShiftView) -> str:
    return mention(shift.person, empty="⚠️ _onbezet_")


def role_lines(
    shifts: Sequence[ShiftView], name: Callable[[ShiftView], str] = who, *, tz: ZoneInfo
) -> list[str]:
    """One line per role (shifts in role order); a role split by a swap shows who has which
    part."""
    lines = []
    for role in dict.fromkeys(s.role for s in shifts):
        parts = [s for s in shifts if s.role == role]
        if len(parts) == 1:
            lines.append(f"*{escape(role)}*: {name(parts[0])}")
            continue
        pieces = [
            f"{name(part)} tot {format_datetime(part.end, with_year=False, tz=tz)}"
            for part in parts[:-1]
        ]
        lines.append(f"*{escape(role)}*: {', daarna '.join(pieces)}, daarna {name(parts[-1])}")
    return lines


def _next_week(week: DutyWeek, tz: ZoneInfo, *, with_roles: bool) -> Block:
    text = f"*Volgende piketweek*: {period(week.start, week.end, tz)}"
    if with_roles:
        text += "\n" + "\n".join(role_lines(week.shifts, tz=tz))
    return section(text)


def now_reply(result: OnDutyNow, tz: ZoneInfo) -> Reply:
    blocks: list[Block] = [header("Piket nu")]
    if result.running:
        lines = [
            f"*{escape(s.role)}*: {who(s)} — tot {format_datetime(s.end, tz=tz)}"
            for s in result.running
        ]
        blocks.append(section("\n".join(lines)))
        text = f"Piket nu: {escape(summary_text(result.running))}"
    else:
        text = "De gemeente heeft nu geen piket."
        blocks.append(section(text))
        if result.next_week is not None:
            blocks.append(_next_week(result.next_week, tz, with_roles=True))
    blocks.append(
        context("Meer: `/piket volgende`, `/piket @collega`, `/piket agenda`, `/piket help`")
    )
    return Reply(text=text, blocks=blocks)


def weeks_reply(result: ComingWeeks, tz: ZoneInfo, name: Callable[[ShiftView], str] = who) -> Reply:
    weeks = result.weeks
    if not weeks:
        return reply_text("Er zijn nog geen piketweken ingepland.")
    title = f"De komende {len(weeks)} piketweken" if len(weeks) > 1 else "De komende piketweek"
    blocks: list[Block] = [header(title)]
    for week in weeks:
        running = " _(nu)_" if week.running else ""
        blocks.append(
            section(
                f"*{period(week.start, week.end, tz)}*{running}\n"
                + "\n".join(role_lines(week.shifts, name, tz=tz))
            )
        )
    return Reply(text=title, blocks=blocks)


def person_reply(result: PersonShifts, tz: ZoneInfo) -> Reply:
    person = result.person
    if not result.shifts:
        text = f"{mention(person)} heeft geen komende piketdiensten" + (
            "." if result.in_rota else " en staat niet in het piketrooster."
        )
        return reply_text(text)
    lines = [
        f"• *{escape(s.role)}*: {period(s.start, s.end, tz)}"
        + (" _(nu)_" if s.start <= result.now else "")
        for s in result.shifts
    ]
    return Reply(
        text=f"Piket van {escape(person.name)}",
        blocks=[header(f"Piket van {person.name}"), section("\n".join(lines))],
    )


def days_reply(result: OnDays, tz: ZoneInfo) -> Reply:
    days = result.days
    title = f"Piket op {days.label}" if days.first == days.last else f"Piket in {days.label}"
    if result.shifts:
        lines = [
            f"*{escape(s.role)}*: {who(s)} — {period(s.start, s.end, tz)}" for s in result.shifts
        ]
        return Reply(
            text=f"{title}: {escape(summary_text(result.shifts))}",
            blocks=[header(title), section("\n".join(lines))],
        )
    text = (
        f"Op {days.label} heeft de gemeente geen piket."
        if days.first == days.last
        else f"In {days.label} heeft de gemeente geen piket."
    )
    blocks: list[Block] = [header(title), section(text)]
    if result.next_week is not None:
        blocks.append(_next_week(result.next_week, tz, with_roles=False))
    return Reply(text=text, blocks=blocks)


def moment_reply(result: AtMoment, tz: ZoneInfo) -> Reply:
    label = format_datetime(result.moment, tz=tz)
    title = f"Piket op {label}"
    # A time in the DST hour: the answer says which moment it read, never silently another.
    remark = [context(escape(result.remark))] if result.remark else []
    if not result.shifts:
        text = f"Op {label} heeft de gemeente geen piket."
        return Reply(text=text, blocks=[header(title), *remark, section(text)])
    lines = [f"*{escape(s.role)}*: {who(s)} — {period(s.start, s.end, tz)}" for s in result.shifts]
    return Reply(
        text=f"{title}: {escape(summary_text(result.shifts))}",
        blocks=[header(title), *remark, section("\n".join(lines))],
    )


def agenda_blocks(links: dict[FeedScope, FeedLinks], *, renewed: bool) -> list[Block]:
    own, everything = links[FeedScope.OWN], links[FeedScope.ALL]
    intro = (
        "Je nieuwe privélinks voor het piketrooster."
        if renewed
        else "Je privélinks voor het piketrooster."
    )
    return [
        section(
            f"{intro} Deel ze niet: wie de link heeft, ziet het rooster. Het rooster ververst "
            "zelf, ook na een ruil."
        ),
        section(f"*Mijn piketdiensten*\n{own.https}\n{own.webcal}"),
        section(f"*Hele piketrooster*\n{everything.https}\n{everything.webcal}"),
        section(SUBSCRIBE_HOWTO),
        context(
            "Links kwijt of gedeeld? `/piket agenda vernieuw` maakt nieuwe; de oude werken dan "
            "niet meer."
        ),
    ]


def agenda_outcome(result: FeedLinksIssued) -> tuple[Reply, list[DirectMessage]]:
    blocks = agenda_blocks(result.links, renewed=result.renewed)
    text = "Je privélinks voor het piketrooster in je agenda"
    told = "Ik heb je je agenda-links in een privébericht gestuurd."
    if result.renewed:
        told = (
            f"Je oude agenda-links werken niet meer ({result.revoked} ingetrokken). {told} "
            "Vervang het abonnement in je agenda-app door de nieuwe link."
        )
    dm = DirectMessage(
        result.slack_id,
        text,
        blocks,
        "piket feed links",
        on_failure=Reply(text=text, blocks=blocks),
    )
    return reply_text(told), [dm]


def proposal_blocks(proposal: SwapView, now: datetime, *, tz: ZoneInfo) -> list[Block]:
    return [
        section(proposal_text(proposal, now, to_colleague=True, tz=tz)),
        actions(
            button("Accepteren", ACCEPT_ACTION, str(proposal.id), style="primary"),
            button("Afwijzen", DECLINE_ACTION, str(proposal.id), style="danger"),
            block_id=f"piket_swap_{proposal.id}",
        ),
        context(
            "Na acceptatie staat de dienst meteen op jouw naam in het rooster; je "
            "agenda-abonnement volgt zodra je agenda-app het rooster opnieuw ophaalt (Google "
            "soms pas na een paar uur)."
        ),
    ]


def proposal_outcome(result: SwapProposed, tz: ZoneInfo) -> tuple[Reply, list[DirectMessage]]:
    proposal, colleague = result.proposal, result.colleague
    what = proposal_text(proposal, result.now, to_colleague=False, tz=tz)
    dm = DirectMessage(
        result.colleague_slack_id,
        escape(f"Ruilvoorstel piket van {proposal.from_person.name}"),
        proposal_blocks(proposal, result.now, tz=tz),
        "piket swap proposal",
        on_failure=reply_text(
            f"Ik kon {mention(colleague)} geen bericht sturen; het voorstel staat "
            "wel klaar. Vraag je collega oov-bot een bericht te sturen."
        ),
    )
    return reply_text(f"Ruilvoorstel verstuurd aan {mention(colleague)}. {what}"), [dm]


def render(
    answer: PiketAnswer, *, tz: ZoneInfo, command: SlashCommand
) -> tuple[Reply, list[DirectMessage]]:
    """The ephemeral answer to `/piket …` and the DMs that follow it."""
    if isinstance(answer, Help):
        return command.help_reply(), []
    if isinstance(answer, AgendaGuess):
        return reply_text(f"Bedoel je `/piket agenda vernieuw`?\n\n{command.help_text()}"), []
    if isinstance(answer, FeedLinksIssued):
        return agenda_outcome(answer)
    if isinstance(answer, SwapProposed):
        return proposal_outcome(answer, tz)
    if isinstance(answer, OnDutyNow):
        return now_reply(answer, tz), []
    if isinstance(answer, ComingWeeks):
        return weeks_reply(answer, tz), []
    if isinstance(answer, PersonShifts):
        return person_reply(answer, tz), []
    if isinstance(answer, OnDays):
        return days_reply(answer, tz), []
    return moment_reply(answer, tz), []


def plain_name(shift: ShiftView) -> str:
    return escape(plain_who(shift))


def reminder_message(reminder: Reminder, tz: ZoneInfo) -> tuple[str, list[Block]]:
    from babel.dates import format_timedelta  # on first use: its import looks up the zone

    shift = reminder.shift
    lead = format_timedelta(reminder.before, locale="nl", add_direction=True)
    text = (
        f"Herinnering: {lead} heb je piket als *{escape(shift.role)}*, "
        f"van {period(shift.start, shift.end, tz)}."
    )
    hint = (
        f"Kun je niet? Vraag een collega: `/piket ruil "
        f"{format_date(shift.start, with_year=False, tz=tz)} @collega`."
    )
    notification = escape(f"Herinnering: {lead} heb je piket als {shift.role}")
    return notification, [section(text), context(hint)]


def handover_blocks(handover: Handover, tz: ZoneInfo) -> list[Block]:
    until = f" (tot {format_datetime(handover.until, tz=tz)})" if handover.until else ""
    return [section(f"*Piket deze week*{until}\n" + "\n".join(role_lines(handover.shifts, tz=tz)))]
