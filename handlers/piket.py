"""Piket (crisis on-call duty, OVD-BZ and IM-ACBZ): `/piket`, swaps with Accept/Decline buttons,
the private iCal feeds, and the clock's reminders, handover posts and warnings.

The command logic is in `PiketService.answer`, which returns a `Reply` plus the direct messages
to send after Slack has been answered, so `oov-bot shell` can reuse it without Slack.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from time import monotonic as time_monotonic
from typing import Any

from babel.dates import format_timedelta
from flask import Response, request
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.calendar_feed import FeedEvent, render_feed
from bot.context import AppContext
from bot.gateway import SentMessage
from bot.language import (
    MENTION_RE,
    DutchDateError,
    format_date,
    format_datetime,
    format_period,
    is_help,
    local_moments,
    parse_datetime,
    parse_person_ref,
    resolve_person,
)
from bot.piket_feed import (
    FEED_ROUTE,
    FeedLinks,
    FeedScope,
    calendar_name,
    etag_for,
    feed_links,
    feed_window,
    looks_like_token,
    next_last_modified,
    token_hash,
)
from bot.planning import PlannedDelivery
from bot.rota import (
    PIKET_FILE,
    DayRange,
    PiketConfig,
    RotaError,
    duty_weeks,
    parse_day_or_week,
    reminder_time,
    shifts_in,
    upcoming_weeks,
    validate_piket_file,
)
from handlers.blocks import (
    Block,
    Reply,
    actions,
    blocks_to_text,
    button,
    context,
    escape,
    header,
    mention,
    section,
)
from handlers.commands import SlashCommand, Usage
from handlers.feature import CliCommand, ConfigFile, Feature, Route
from handlers.payloads import Interaction, UnreadablePayload, button_id, on_action, reply
from storage.deliveries import DeliveryStore
from storage.piket import (
    FeedTokenView,
    LocalChanges,
    PiketStore,
    ShiftView,
    SwapAnswer,
    SwapResult,
    SwapStatus,
    SwapView,
    export_piket,
    import_piket,
)
from storage.team import PersonView

log = logging.getLogger(__name__)

ACCEPT_ACTION = "piket_swap_accept"
DECLINE_ACTION = "piket_swap_decline"
REMINDER_KIND = "piket_reminder"
HANDOVER_KIND = "piket_handover"
OFF_DUTY_KIND = "piket_off_duty"
UNSTAFFED_KIND = "piket_unstaffed"
ROLL_KIND = "piket_roll"
ROLL_LOCAL_TIME = time(3, 0)  # the daily roll-on of the planning horizon
NEXT_WEEKS = 4
TOPIC_LIMIT = 250  # Slack's maximum channel topic length

RUIL_USAGE = (
    "Gebruik: `/piket ruil <datum of week> @collega` (je collega neemt je dienst over) of "
    "`/piket ruil <datum> @collega <datum van collega>` (jullie ruilen), bijvoorbeeld "
    "`/piket ruil week 14 @collega` of `/piket ruil 30 maart @collega 27 april`."
)
NOT_SET_UP = (
    "Er is nog geen piketrooster ingericht. De beheerder zet `config/piket.yaml` klaar en draait "
    "`oov-bot import`."
)
NOT_LINKED = (
    "Je Slack-account is nog niet gekoppeld aan iemand in het teamoverzicht. Vraag de beheerder "
    "je Slack member-ID in te vullen bij `slack_id` in `config/people.yaml`."
)
NO_PUBLIC_URL = (
    "De agenda-links kunnen nog niet gemaakt worden: de beheerder moet *PUBLIC_BASE_URL* "
    "instellen op het openbare adres van oov-bot (bijvoorbeeld `https://oov-bot.gemeente.nl`). "
    "Zonder dat adres kan je agenda-app het rooster niet ophalen."
)
SUBSCRIBE_HOWTO = (
    "*Zo abonneer je je:*\n"
    "• *Outlook*: Agenda → Agenda toevoegen → Abonneren vanaf internet → plak de https-link.\n"
    "• *Google Agenda* (op de computer): Andere agenda's → + → Via URL → plak de https-link. "
    "Google ververst een abonnement zelf, soms pas na een paar uur.\n"
    "• *Apple Agenda* (iPhone, iPad, Mac): tik op de webcal-link, of Archief → Nieuw "
    "agenda-abonnement → plak de link."
)

_RUIL = re.compile(
    rf"(?P<when>.+?)\s+(?P<who>{MENTION_RE.pattern}|@\S+)(?:\s+(?:tegen\s+)?(?P<back>.+))?",
    re.IGNORECASE,
)


# --- rendering ------------------------------------------------------------------------------


def period(start: datetime, end: datetime, tz: tzinfo) -> str:
    """'maandag 7 december 2026, 08:00 tot maandag 14 december 2026, 08:00'."""
    return format_period(start, end, tz=tz)


def who(shift: ShiftView) -> str:
    return mention(shift.person, empty="⚠️ _onbezet_")


def plain_who(shift: ShiftView) -> str:
    return shift.person.name if shift.person else "onbezet"


def _role_order(config: PiketConfig) -> dict[str, int]:
    return {role.name: index for index, role in enumerate(config.rules.roles)}


def _by_role(config: PiketConfig, shifts: Iterable[ShiftView]) -> list[ShiftView]:
    order = _role_order(config)
    return sorted(shifts, key=lambda s: (order.get(s.role, len(order)), s.role, s.start))


def role_lines(
    config: PiketConfig,
    shifts: Sequence[ShiftView],
    name: Callable[[ShiftView], str] = who,
    *,
    tz: tzinfo,
) -> list[str]:
    """One line per role; a role split by a swap shows who has which part."""
    lines = []
    for role in dict.fromkeys(s.role for s in _by_role(config, shifts)):
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


def summary_text(config: PiketConfig, shifts: Sequence[ShiftView]) -> str:
    """'OVD-BZ AOV-er 1, IM-ACBZ Beleidsmedewerker OOV': plain text for topics and fallbacks."""
    return ", ".join(f"{s.role} {plain_who(s)}" for s in _by_role(config, shifts))


@dataclass
class DirectMessage:
    """A DM sent after the slash command has been answered."""

    user_id: str
    text: str
    blocks: list[Block]
    what: str
    # Told to the caller (ephemeral) when the DM cannot be delivered.
    on_failure: Reply | None = None


@dataclass
class Outcome:
    reply: Reply
    messages: list[DirectMessage] = field(default_factory=list)


def _unknown_ref(ref: str) -> str:
    return (
        f"Ik ken geen persoon of datum “{escape(ref.strip())}”. Noem een collega met @, een datum "
        "(`/piket 8 december`) of een week (`/piket week 50`); zie ook `/piket help`."
    )


def _reply(text: str) -> Reply:
    return Reply(text=text, blocks=[section(text)])


# --- the service ----------------------------------------------------------------------------


class PiketService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.store = PiketStore(ctx.db, ctx.tz)
        self.notifier = ctx.gateway
        self._usergroup_ids: dict[str, str] = {}

    # -- /piket ----------------------------------------------------------------------------

    def answer(self, text: str, caller_slack_id: str | None) -> Outcome:
        text = text.strip()
        word, _, rest = text.partition(" ")
        word = word.lower()
        if is_help(text):
            return Outcome(PIKET.help_reply())
        config = self.store.config()
        if config is None:
            return Outcome(_reply(NOT_SET_UP))
        try:
            if word in {"", "nu"} and not rest:
                return Outcome(self.now_reply(config))
            if word in {"volgende", "komende", "komend"} and not rest:
                return Outcome(self.next_weeks_reply(config))
            if word == "agenda":
                renew = rest.strip().lower()
                if renew not in {"", "vernieuw", "vernieuwen", "nieuw"}:
                    guess = f"Bedoel je `/piket agenda vernieuw`?\n\n{PIKET.help_text()}"
                    return Outcome(_reply(guess))
                return self.agenda(caller_slack_id, renew=bool(renew))
            if word == "ruil":
                return self.propose(config, rest.strip(), caller_slack_id)
            if word in {"mijn", "ik", "mij"} and not rest:
                text = ""
            if text and not text.startswith(("<@", "@")):
                try:
                    days = parse_day_or_week(text, self.ctx.now(), self.ctx.tz)
                except RotaError as exc:
                    days, problem = None, exc  # not a date: a moment, or else a person
                if days is not None:
                    return Outcome(self.on_days_reply(config, days))
                try:
                    moment = parse_datetime(text, self.ctx.now(), tz=self.ctx.tz)
                except DutchDateError:
                    moment = None
                if moment is not None:
                    return Outcome(self.at_moment_reply(config, moment))
                if "te ver" in problem.message:  # a date, but outside what anyone plans
                    return Outcome(_reply(problem.message))
            return Outcome(self.person_reply(config, text, caller_slack_id))
        except RotaError as exc:
            return Outcome(_reply(exc.message))

    def _upcoming(self, now: datetime) -> list[ShiftView]:
        return self.store.shifts(start=now, end=now + timedelta(days=400))

    def now_reply(self, config: PiketConfig) -> Reply:
        now = self.ctx.now()
        shifts = self._upcoming(now)
        running = [s for s in shifts if s.start <= now < s.end]
        blocks: list[Block] = [header("Piket nu")]
        if running:
            lines = [
                f"*{escape(s.role)}*: {who(s)} — tot {format_datetime(s.end, tz=self.ctx.tz)}"
                for s in _by_role(config, running)
            ]
            blocks.append(section("\n".join(lines)))
            text = f"Piket nu: {summary_text(config, running)}"
        else:
            text = "De gemeente heeft nu geen piket."
            blocks.append(section(text))
            later = upcoming_weeks([s.as_shift() for s in shifts], after=now, count=1)
            if later:
                week = [s for s in shifts if later[0].start <= s.start < later[0].end]
                blocks.append(
                    section(
                        "*Volgende piketweek*: "
                        f"{period(later[0].start, later[0].end, self.ctx.tz)}\n"
                        + "\n".join(role_lines(config, week, tz=self.ctx.tz))
                    )
                )
        blocks.append(
            context("Meer: `/piket volgende`, `/piket @collega`, `/piket agenda`, `/piket help`")
        )
        return Reply(text=text, blocks=blocks)

    def on_days_reply(self, config: PiketConfig, days: DayRange) -> Reply:
        """Who has piket on a given day or in a given week."""
        tz = self.ctx.tz
        first = datetime.combine(days.first, time.min, tz)
        after = datetime.combine(days.last + timedelta(days=1), time.min, tz)
        # The same definition of "the duty of week N" as `oov-bot piket zet` (rota.shifts_in).
        shifts = shifts_in(self.store.shifts(start=first - timedelta(days=1), end=after), days, tz)
        title = f"Piket op {days.label}" if days.first == days.last else f"Piket in {days.label}"
        if shifts:
            lines = [
                f"*{escape(s.role)}*: {who(s)} — {period(s.start, s.end, self.ctx.tz)}"
                for s in _by_role(config, shifts)
            ]
            return Reply(
                text=f"{title}: {summary_text(config, shifts)}",
                blocks=[header(title), section("\n".join(lines))],
            )
        text = (
            f"Op {days.label} heeft de gemeente geen piket."
            if days.first == days.last
            else (f"In {days.label} heeft de gemeente geen piket.")
        )
        blocks: list[Block] = [header(title), section(text)]
        later = upcoming_weeks([s.as_shift() for s in self._upcoming(first)], after=first, count=1)
        if later:
            blocks.append(
                section(
                    f"*Volgende piketweek*: {period(later[0].start, later[0].end, self.ctx.tz)}"
                )
            )
        return Reply(text=text, blocks=blocks)

    def at_moment_reply(self, config: PiketConfig, moment: datetime) -> Reply:
        """Who has piket at one moment ("7 december 10:00")."""
        tz = self.ctx.tz
        shifts = [
            s
            for s in self.store.shifts(start=moment - timedelta(days=1), end=moment)
            if s.start <= moment < s.end
        ]
        label = format_datetime(moment, tz=tz)
        title = f"Piket op {label}"
        if not shifts:
            text = f"Op {label} heeft de gemeente geen piket."
            return Reply(text=text, blocks=[header(title), section(text)])
        lines = [
            f"*{escape(s.role)}*: {who(s)} — {period(s.start, s.end, tz)}"
            for s in _by_role(config, shifts)
        ]
        return Reply(
            text=f"{title}: {summary_text(config, shifts)}",
            blocks=[header(title), section("\n".join(lines))],
        )

    def next_weeks_reply(
        self,
        config: PiketConfig,
        count: int = NEXT_WEEKS,
        name: Callable[[ShiftView], str] = who,
    ) -> Reply:
        now = self.ctx.now()
        shifts = self._upcoming(now)
        weeks = upcoming_weeks([s.as_shift() for s in shifts], after=now, count=count)
        if not weeks:
            return _reply("Er zijn nog geen piketweken ingepland.")
        title = f"De komende {len(weeks)} piketweken" if len(weeks) > 1 else "De komende piketweek"
        blocks: list[Block] = [header(title)]
        for week in weeks:
            in_week = [s for s in shifts if week.start <= s.start < week.end]
            running = " _(nu)_" if week.start <= now else ""
            blocks.append(
                section(
                    f"*{period(week.start, week.end, self.ctx.tz)}*{running}\n"
                    + "\n".join(role_lines(config, in_week, name, tz=self.ctx.tz))
                )
            )
        return Reply(text=title, blocks=blocks)

    def _resolve(self, ref: str, caller_slack_id: str | None) -> PersonView:
        """'', '<@U…|naam>', '@sleutel', sleutel, Slack-ID or name; RotaError when unknown."""
        parsed = parse_person_ref(ref)
        if parsed is None and ref.strip():
            raise RotaError(_unknown_ref(ref))
        if parsed is None:
            if caller_slack_id is None:
                raise RotaError("Geef een persoon op, bijvoorbeeld `/piket aov-1`.")
            person = self.ctx.team.person_by_slack_id(caller_slack_id)
            if person is None:
                raise RotaError(NOT_LINKED)
            return person
        found = resolve_person(parsed, self.ctx.team, caller_slack_id)
        if found.person is not None:
            return found.person
        if parsed.kind == "self":
            raise RotaError(NOT_LINKED)
        if parsed.kind == "mention":
            raise RotaError(
                f"<@{parsed.value}> staat niet in het teamoverzicht (people.yaml) en dus ook "
                "niet in het piketrooster."
            )
        raise RotaError(_unknown_ref(ref))

    def person_reply(self, config: PiketConfig, ref: str, caller_slack_id: str | None) -> Reply:
        person = self._resolve(ref, caller_slack_id)
        now = self.ctx.now()
        mine = self.store.shifts(start=now, person_id=person.id)
        if not mine:
            in_rota = any(q.person_key == person.key for r in config.rules.roles for q in r.people)
            text = f"{mention(person)} heeft geen komende piketdiensten" + (
                "." if in_rota else " en staat niet in het piketrooster."
            )
            return _reply(text)
        lines = [
            f"• *{escape(s.role)}*: {period(s.start, s.end, self.ctx.tz)}"
            + (" _(nu)_" if s.start <= now else "")
            for s in mine
        ]
        return Reply(
            text=f"Piket van {person.name}",
            blocks=[header(f"Piket van {person.name}"), section("\n".join(lines))],
        )

    # -- feed links ------------------------------------------------------------------------

    def agenda(self, caller_slack_id: str | None, *, renew: bool) -> Outcome:
        if caller_slack_id is None:
            return Outcome(_reply("Dit werkt alleen in Slack: de links komen in een privébericht."))
        person = self.ctx.team.person_by_slack_id(caller_slack_id)
        if person is None:
            return Outcome(_reply(NOT_LINKED))
        base_url = self.ctx.settings.public_base_url
        if not base_url:
            return Outcome(_reply(NO_PUBLIC_URL))
        tokens, revoked = self.store.issue_tokens(
            person.id, now=self.ctx.now(), revoke_existing=renew
        )
        links = {scope: feed_links(base_url, token) for scope, token in tokens.items()}
        blocks = agenda_blocks(links, renewed=renew)
        text = "Je privélinks voor het piketrooster in je agenda"
        told = "Ik heb je je agenda-links in een privébericht gestuurd."
        if renew:
            told = (
                f"Je oude agenda-links werken niet meer ({revoked} ingetrokken). {told} "
                "Vervang het abonnement in je agenda-app door de nieuwe link."
            )
        return Outcome(
            _reply(told),
            [
                DirectMessage(
                    caller_slack_id,
                    text,
                    blocks,
                    "piket feed links",
                    on_failure=Reply(text=text, blocks=blocks),
                )
            ],
        )

    # -- swaps -----------------------------------------------------------------------------

    def propose(self, config: PiketConfig, args: str, caller_slack_id: str | None) -> Outcome:
        match = _RUIL.fullmatch(args)
        if match is None:
            return Outcome(_reply(RUIL_USAGE))
        if caller_slack_id is None:
            return Outcome(_reply("Ruilen kan alleen in Slack."))
        me = self.ctx.team.person_by_slack_id(caller_slack_id)
        if me is None:
            return Outcome(_reply(NOT_LINKED))
        colleague = self._resolve(match.group("who"), None)
        if colleague.id == me.id:
            return Outcome(_reply("Je kunt niet met jezelf ruilen."))
        if not colleague.slack_id:
            return Outcome(
                _reply(
                    f"{escape(colleague.name)} is nog niet aan Slack gekoppeld, dus ik kan het "
                    "niet vragen. Vraag de beheerder `slack_id` in te vullen in people.yaml."
                )
            )
        now = self.ctx.now()
        mine = self._shift_on(me, match.group("when"), now, "Je hebt")
        back = None
        if match.group("back"):
            back = self._shift_on(
                colleague, match.group("back"), now, f"{escape(colleague.name)} heeft"
            )
        proposal = self.store.propose_swap(
            mine.uid,
            colleague.id,
            return_shift_uid=back.uid if back else None,
            proposed_by=caller_slack_id,
            now=now,
        )
        what = proposal_text(proposal, now, to_colleague=False, tz=self.ctx.tz)
        return Outcome(
            _reply(f"Ruilvoorstel verstuurd aan {mention(colleague)}. {what}"),
            [
                DirectMessage(
                    colleague.slack_id,
                    f"Ruilvoorstel piket van {me.name}",
                    proposal_blocks(proposal, now, tz=self.ctx.tz),
                    "piket swap proposal",
                    on_failure=_reply(
                        f"Ik kon {mention(colleague)} geen bericht sturen; het voorstel staat "
                        "wel klaar. Vraag je collega oov-bot een bericht te sturen."
                    ),
                )
            ],
        )

    def _shift_on(self, person: PersonView, when: str, now: datetime, subject: str) -> ShiftView:
        days = parse_day_or_week(when, now, self.ctx.tz)
        coming = self.store.shifts(start=now, person_id=person.id)
        by_shift = {s.as_shift(): s for s in coming}
        found = shifts_in(list(by_shift), days, self.ctx.tz)
        if not found:
            listed = ", ".join(format_date(s.start, tz=self.ctx.tz) for s in coming[:4])
            hint = f" Komende diensten: {listed}." if listed else ""
            raise RotaError(f"{subject} geen piketdienst op {days.label}.{hint}")
        return by_shift[found[0]]

    def answer_swap(self, swap_id: int, *, accept: bool, user_id: str) -> tuple[str, bool]:
        """Handle a button click: (Dutch answer for the clicker, replace the original message).
        DMs the people involved and refreshes the user group when the running week changed."""
        now = self.ctx.now()
        result = self.store.answer_swap(swap_id, accept=accept, by_slack_id=user_id, now=now)
        proposal = result.swap
        if result.answer is SwapAnswer.UNKNOWN or proposal is None:
            return "Dit ruilvoorstel bestaat niet meer.", False
        if result.answer is SwapAnswer.NOT_YOURS:
            return (
                f"Dit ruilvoorstel is aan {mention(proposal.to_person)} gericht; alleen die kan "
                "het beantwoorden.",
                False,
            )
        if result.answer is SwapAnswer.ALREADY_ANSWERED:
            status = {
                SwapStatus.ACCEPTED: "geaccepteerd",
                SwapStatus.DECLINED: "afgewezen",
                SwapStatus.EXPIRED: "vervallen",
            }.get(proposal.status, "beantwoord")
            when = (
                f" op {format_datetime(proposal.answered_at, tz=self.ctx.tz)}"
                if proposal.answered_at
                else ""
            )
            return f"Dit ruilvoorstel is al {status}{when}.", False
        self._notify_answer(result)
        if result.answer is SwapAnswer.DECLINED:
            return f"Je hebt het ruilvoorstel van {mention(proposal.from_person)} afgewezen.", True
        if result.answer is SwapAnswer.EXPIRED:
            return result.reason, True
        if any(s.start <= now < s.end for s in result.changed):
            self.refresh_usergroup(now)
        return (
            "Je hebt het ruilvoorstel geaccepteerd; je krijgt de nieuwe stand in een bericht.",
            True,
        )

    def _notify_answer(self, result: SwapResult) -> None:
        proposal = result.swap
        assert proposal is not None
        to, by = proposal.to_person, proposal.from_person
        if result.answer is SwapAnswer.DECLINED:
            messages = [(by, f"{mention(to)} heeft je ruilvoorstel afgewezen.")]
        elif result.answer is SwapAnswer.EXPIRED:
            messages = [(by, f"Je ruilvoorstel aan {mention(to)} gaat niet door. {result.reason}")]
        else:
            taken = "\n".join(
                f"• *{escape(s.role)}* {period(s.start, s.end, self.ctx.tz)}: {who(s)}"
                for s in result.changed
            )
            messages = [
                (by, f"{mention(to)} heeft je ruilvoorstel geaccepteerd. Nu staat:\n{taken}"),
                (
                    to,
                    f"Je hebt het ruilvoorstel van {mention(by)} geaccepteerd. Nu staat:\n{taken}",
                ),
            ]
        for person, text in messages:
            if person.slack_id:
                self.notifier.try_post(
                    person.slack_id, text, blocks=[section(text)], what="piket swap answer"
                )

    # -- the team channel and user group ---------------------------------------------------

    def refresh_usergroup(self, now: datetime) -> None:
        """Point the configured user group at whoever is on duty now (best effort). Slack does
        not allow an empty group, so between duty weeks it keeps the last week's people."""
        config = self.store.config()
        if config is None or not config.usergroup or self.ctx.slack is None:
            return
        on_duty = [
            s.person.slack_id
            for s in self.store.shifts(start=now, end=now + timedelta(microseconds=1))
            if s.person and s.person.slack_id
        ]
        if not on_duty:
            return
        try:
            group = self._usergroup_id(config.usergroup)
            if group:
                self.ctx.slack.usergroups_users_update(
                    usergroup=group, users=",".join(dict.fromkeys(on_duty))
                )
        except SlackApiError as exc:
            log.warning("piket user group not updated: %s", exc.response.get("error"))

    def _usergroup_id(self, configured: str) -> str | None:
        if re.fullmatch(r"S[A-Z0-9]+", configured):
            return configured
        if configured not in self._usergroup_ids:
            assert self.ctx.slack is not None
            groups = self.ctx.slack.usergroups_list().get("usergroups", [])
            for group in groups:
                self._usergroup_ids[group.get("handle", "")] = group["id"]
        found = self._usergroup_ids.get(configured)
        if found is None:
            log.warning("piket user group %s not found in Slack", configured)
        return found

    def post_handover(self, config: PiketConfig, at: datetime) -> SentMessage | None:
        on_duty = self.store.shifts(start=at, end=at + timedelta(seconds=1))
        self.refresh_usergroup(at)
        if not config.team_channel:
            return None
        text = f"Piket deze week: {summary_text(config, on_duty) or 'niemand ingepland'}"
        end = max((s.end for s in on_duty), default=None)
        until = f" (tot {format_datetime(end, tz=self.ctx.tz)})" if end else ""
        blocks = [
            section(
                f"*Piket deze week*{until}\n"
                + "\n".join(role_lines(config, on_duty, tz=self.ctx.tz))
            )
        ]
        sent = self.notifier.post(config.team_channel, text, blocks=blocks, what="piket handover")
        if sent is not None:
            self._set_topic(sent.channel, text)
        return sent

    def reset_topic(self, config: PiketConfig, handover_key: str, at: datetime) -> None:
        """After the duty week: the topic says when the next one starts instead of naming last
        week's people. The channel ID is the one the handover post landed in."""
        record = DeliveryStore(self.ctx.db).get(handover_key)
        if record is None or not record.channel:
            return
        later = upcoming_weeks([s.as_shift() for s in self._upcoming(at)], after=at, count=1)
        text = "Nu geen piket"
        if later:
            text += f"; volgende piketweek vanaf {format_datetime(later[0].start, tz=self.ctx.tz)}"
        self._set_topic(record.channel, text)

    def _set_topic(self, channel: str, text: str) -> None:
        if self.ctx.slack is None:
            return
        try:
            self.ctx.slack.conversations_setTopic(channel=channel, topic=text[:TOPIC_LIMIT])
        except SlackApiError as exc:
            log.warning("piket channel topic not set: %s", exc.response.get("error"))

    # -- direct messages -------------------------------------------------------------------

    def send(self, outcome: Outcome, respond: Respond | None) -> None:
        for message in outcome.messages:
            sent = self.notifier.try_post(
                message.user_id, message.text, blocks=message.blocks, what=message.what
            )
            if sent is None and message.on_failure and respond is not None:
                failure = message.on_failure
                respond(text=failure.text, blocks=failure.blocks, replace_original=False)

    def remind(self, uid: str, person_key: str, before: timedelta) -> SentMessage | None:
        shift = self.store.shift(uid)
        if shift is None or shift.person is None or shift.person.key != person_key:
            return None  # swapped or replanned since it was planned: the new holder has their own
        if not shift.person.slack_id:
            return None
        lead = format_timedelta(before, locale="nl", add_direction=True)
        text = (
            f"Herinnering: {lead} heb je piket als *{escape(shift.role)}*, "
            f"van {period(shift.start, shift.end, self.ctx.tz)}."
        )
        hint = (
            f"Kun je niet? Vraag een collega: `/piket ruil "
            f"{format_date(shift.start, with_year=False, tz=self.ctx.tz)} @collega`."
        )
        return self.notifier.post(
            shift.person.slack_id,
            f"Herinnering: {lead} heb je piket als {shift.role}",
            blocks=[section(text), context(hint)],
            what="piket reminder",
        )

    def warn_unstaffed(self, config: PiketConfig, at: datetime) -> SentMessage | None:
        gaps = [
            s
            for s in self.store.shifts(start=at, end=at + config.warn_unstaffed)
            if s.person is None
        ]
        if not gaps:
            return None
        lines = "\n".join(
            f"• *{escape(s.role)}*: {period(s.start, s.end, self.ctx.tz)}" for s in gaps
        )
        text = (
            "Let op: in deze piketdiensten is niemand gekwalificeerd ingeroosterd:\n"
            f"{lines}\nVul de gekwalificeerden aan in `config/piket.yaml` (en draai "
            "`oov-bot import`) of zet iemand in met `oov-bot piket zet <rol> <datum> <persoon>`."
        )
        lead = self.ctx.team.find_person(config.team_lead) if config.team_lead else None
        target = lead.slack_id if lead and lead.slack_id else config.team_channel
        if target is None:
            log.warning("piket: %d unstaffed shift(s) and nobody to tell", len(gaps))
            return None
        return self.notifier.post(
            target, "Piketdiensten zonder gekwalificeerde persoon", blocks=[section(text)],
            what="piket unstaffed warning",
        )  # fmt: skip


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


def shift_phrase(shift: ShiftView, *, tz: tzinfo) -> str:
    return f"*{escape(shift.role)}* ({period(shift.start, shift.end, tz)})"


def proposal_text(proposal: SwapView, now: datetime, *, to_colleague: bool, tz: tzinfo) -> str:
    """What accepting the proposal does, told to the colleague or to the proposer."""
    shift, back = proposal.shift, proposal.return_shift
    if shift is None:
        return "Deze dienst bestaat niet meer."
    giver, taker = mention(proposal.from_person), mention(proposal.to_person)
    if to_colleague:
        text = f"{giver} vraagt je een piketdienst over te nemen: {shift_phrase(shift, tz=tz)}."
        if back is not None:
            text += f" In ruil neemt {giver} jouw dienst {shift_phrase(back, tz=tz)} over."
    else:
        text = f"Als {taker} accepteert, neemt die je dienst {shift_phrase(shift, tz=tz)} over"
        text += f" en neem jij de dienst {shift_phrase(back, tz=tz)} over." if back else "."
    if shift.start <= now:
        text += " De dienst loopt al: de rest gaat over vanaf het moment van accepteren."
    return text


def proposal_blocks(proposal: SwapView, now: datetime, *, tz: tzinfo) -> list[Block]:
    return [
        section(proposal_text(proposal, now, to_colleague=True, tz=tz)),
        actions(
            button("Accepteren", ACCEPT_ACTION, str(proposal.id), style="primary"),
            button("Afwijzen", DECLINE_ACTION, str(proposal.id), style="danger"),
            block_id=f"piket_swap_{proposal.id}",
        ),
        context("Na acceptatie staat de dienst meteen op jouw naam, ook in je agenda-abonnement."),
    ]


# --- Slack listeners ------------------------------------------------------------------------


def register(app: App, ctx: AppContext) -> None:
    service = PiketService(ctx)

    @app.command("/piket")
    def piket(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        outcome = service.answer(command.get("text", ""), command.get("user_id"))
        ack(text=outcome.reply.text, blocks=outcome.reply.blocks, response_type="ephemeral")
        service.send(outcome, respond)

    def on_answer(accept: bool) -> Callable[[Interaction, WebClient], None]:
        def answer(it: Interaction, client: WebClient) -> None:
            try:
                swap_id = button_id(it.body)
            except UnreadablePayload:
                raise UnreadablePayload("Dit ruilvoorstel bestaat niet meer.") from None
            text, replace = service.answer_swap(swap_id, accept=accept, user_id=it.user_id)
            reply(it, client, text=text, blocks=[section(text)], replace_original=replace)

        answer.__name__ = "accept_swap" if accept else "decline_swap"
        return answer

    on_action(app, ACCEPT_ACTION, on_answer(True))
    on_action(app, DECLINE_ACTION, on_answer(False))


# --- the iCal feed over HTTP ----------------------------------------------------------------


@dataclass(frozen=True)
class _RenderedFeed:
    body: bytes
    etag: str
    data_modified: datetime | None  # the newest LAST-MODIFIED in the body


class FeedServer:
    """GET/HEAD /ical/piket/<token>.ics. The rendered body is cached per (feed, rota version,
    day) and a live token for a few seconds, so a repeated fetch costs no query at all; ETag and
    Last-Modified make the answer conditional (304).

    Changes made in this process (a swap, a revoked link) clear the token cache at once; those
    made by another process show after at most TOKEN_TTL seconds."""

    CACHE_SIZE = 256
    TOKEN_CACHE_SIZE = 1024
    TOKEN_TTL = 2.0  # seconds
    MAX_AGE = 300

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.store = PiketStore(ctx.db, ctx.tz)
        self._cache: OrderedDict[tuple[object, ...], _RenderedFeed] = OrderedDict()
        # token hash -> (monotonic expiry, LocalChanges.count when read, the token)
        self._tokens: OrderedDict[str, tuple[float, int, FeedTokenView]] = OrderedDict()
        self._lock = threading.Lock()

    def _token(self, hashed: str) -> FeedTokenView | None:
        generation, now = LocalChanges.count, time_monotonic()
        with self._lock:
            cached = self._tokens.get(hashed)
            if cached and cached[0] > now and cached[1] == generation:
                return cached[2]
        found = self.store.feed_token(hashed)
        if found is not None:
            self._remember(hashed, found, generation, now + self.TOKEN_TTL)
        return found

    def _remember(self, hashed: str, token: FeedTokenView, generation: int, until: float) -> None:
        with self._lock:
            self._tokens[hashed] = (until, generation, token)
            self._tokens.move_to_end(hashed)
            while len(self._tokens) > self.TOKEN_CACHE_SIZE:
                self._tokens.popitem(last=False)

    def __call__(self, token: str) -> Response:
        if not looks_like_token(token):
            return self.not_found()
        hashed = token_hash(token)
        found = self._token(hashed)
        if found is None:
            return self.not_found()
        today = self.ctx.now().astimezone(self.ctx.tz).date()
        person_id = found.person.id if found.scope is FeedScope.OWN else None
        key = (found.scope, person_id, found.rota_version, today)
        with self._lock:
            rendered = self._cache.get(key)
            if rendered is not None:
                self._cache.move_to_end(key)
        if rendered is None:
            rendered = self._render(found.scope, found.person, today)
            if rendered is None:
                return self.not_found()
            with self._lock:
                self._cache[key] = rendered
                while len(self._cache) > self.CACHE_SIZE:
                    self._cache.popitem(last=False)
        data_modified = max(found.created_at, rendered.data_modified or found.created_at)
        last_modified = next_last_modified(
            data_modified=data_modified,
            etag=rendered.etag,
            served_etag=found.served_etag,
            served_modified=found.served_last_modified,
            now=self.ctx.now(),
        )
        if (rendered.etag, last_modified) != (found.served_etag, found.served_last_modified):
            self.store.record_served(found.id, rendered.etag, last_modified)
            with self._lock:
                cached = self._tokens.get(hashed)
            if cached is not None:
                served = replace(
                    found, served_etag=rendered.etag, served_last_modified=last_modified
                )
                self._remember(hashed, served, cached[1], cached[0])
        response = Response(rendered.body, content_type="text/calendar; charset=utf-8")
        response.set_etag(rendered.etag)
        response.last_modified = last_modified
        response.cache_control.private = True
        response.cache_control.max_age = self.MAX_AGE
        return response.make_conditional(request)

    def _render(self, scope: FeedScope, person: PersonView, today: date) -> _RenderedFeed | None:
        config = self.store.config()
        if config is None:
            return None
        start, end = feed_window(config, today)
        shifts = self.store.shifts(
            start=start, end=end, person_id=person.id if scope is FeedScope.OWN else None
        )
        events = [
            FeedEvent(
                uid=s.uid,
                role=s.role,
                person_name=s.person.name if s.person else None,
                start=s.start,
                end=s.end,
                sequence=s.sequence,
                created=s.created_at,
                last_modified=s.last_modified,
            )
            for s in shifts
        ]
        body = render_feed(
            events, calendar_name=calendar_name(scope, config, person.name), tz=config.rules.tz
        )
        newest = max((s.last_modified for s in shifts), default=None)
        return _RenderedFeed(body, etag_for(body), newest)

    @staticmethod
    def not_found() -> Response:
        # The same answer for unknown, revoked and malformed tokens: nothing to learn from it.
        response = Response(
            "Niet gevonden.\n", status=404, content_type="text/plain; charset=utf-8"
        )
        response.cache_control.no_store = True
        return response


def feed_view(ctx: AppContext) -> Callable[[str], Response]:
    """The view function the web app mounts on FEED_ROUTE."""
    return FeedServer(ctx)


# --- the clock ------------------------------------------------------------------------------


def plan_deliveries(ctx: AppContext, start: datetime, end: datetime) -> Iterable[PlannedDelivery]:
    """Reminders before each shift, the handover post, the reset topic after a duty week, the
    weekly warning about unstaffed shifts and the daily roll-on of the planning horizon."""
    service = PiketService(ctx)
    config = service.store.config()
    if config is None:
        return []
    tz = config.rules.tz
    planned: list[PlannedDelivery] = []

    longest = max(config.reminders, default=timedelta(0))
    for shift in service.store.shifts(start=start, end=end + longest + timedelta(days=1)):
        person = shift.person
        if person is None or not person.slack_id:
            continue
        for before in config.reminders:
            at = reminder_time(shift.as_shift(), before, tz)
            if not start <= at <= end:
                continue
            seconds = int(before.total_seconds())
            planned.append(
                PlannedDelivery(
                    key=f"piket:reminder:{shift.uid}:{person.key}:{seconds}",
                    kind=REMINDER_KIND,
                    due_at=at,
                    send=lambda uid=shift.uid, key=person.key, b=before: service.remind(
                        uid, key, b
                    ),
                )
            )

    period_days = timedelta(weeks=config.rules.cycle_weeks)
    for week in duty_weeks(config.rules, start - period_days, end):
        handover_key = f"piket:handover:{week.start.astimezone(tz).isoformat()}"
        if start <= week.start <= end:
            planned.append(
                PlannedDelivery(
                    key=handover_key,
                    kind=HANDOVER_KIND,
                    due_at=week.start,
                    send=lambda at=week.start: service.post_handover(config, at),
                )
            )
        if start <= week.end <= end and config.team_channel and config.rules.cycle_weeks > 1:
            planned.append(
                PlannedDelivery(
                    key=f"piket:off-duty:{week.end.astimezone(tz).isoformat()}",
                    kind=OFF_DUTY_KIND,
                    due_at=week.end,
                    send=lambda k=handover_key, at=week.end: service.reset_topic(config, k, at),
                )
            )

    rules = config.rules
    for day, moment in local_moments(start, end, tz, rules.handover_time, rules.handover_weekday):
        if any(
            s.person is None
            for s in service.store.shifts(start=moment, end=moment + config.warn_unstaffed)
        ):
            planned.append(
                PlannedDelivery(
                    key=f"piket:unstaffed:{day.isoformat()}",
                    kind=UNSTAFFED_KIND,
                    due_at=moment,
                    send=lambda at=moment: service.warn_unstaffed(config, at),
                )
            )

    for day, moment in local_moments(start, end, tz, ROLL_LOCAL_TIME):

        def roll(at: datetime = moment) -> None:
            service.store.plan(max(at, ctx.now()))

        planned.append(
            PlannedDelivery(
                key=f"piket:roll:{day.isoformat()}",
                kind=ROLL_KIND,
                due_at=moment,
                send=roll,
                on_missed=roll,  # rolling on late is still rolling on
            )
        )
    return planned


# --- the operator's CLI (`oov-bot piket ...`) -----------------------------------------------


def rota_text(ctx: AppContext, weeks: int) -> str:
    """`oov-bot piket toon`: the coming duty weeks as plain text."""
    if weeks < 1:
        raise RotaError("Geef met --weken een aantal piketweken van 1 of meer.")
    service = PiketService(ctx)
    config = service.store.config()
    if config is None:
        raise RotaError(NOT_SET_UP)
    reply = service.next_weeks_reply(config, count=weeks, name=lambda s: escape(plain_who(s)))
    return blocks_to_text(reply.blocks)


def override(ctx: AppContext, role: str, when: str, person_key: str) -> str:
    """`oov-bot piket zet <rol> <datum> <persoon>`: give a shift to someone (pinned, audited,
    both people told). Returns a Dutch summary; RotaError on bad input."""
    service = PiketService(ctx)
    now = ctx.now()
    days = parse_day_or_week(when, now, ctx.tz)
    previous, changed = service.store.set_person(role, days, person_key, now=now, by="cli")
    taken = changed[-1]
    assert taken.person is not None
    phrase = shift_phrase(taken, tz=ctx.tz)
    messages = [(taken.person, f"De beheerder heeft je ingeroosterd voor piket {phrase}.")]
    if previous is not None:
        messages.append(
            (previous, f"Je piketdienst {phrase} is door de beheerder overgezet naar "
             f"{mention(taken.person)}.")
        )  # fmt: skip
    for person, text in messages:
        if person.slack_id:
            service.notifier.try_post(person.slack_id, text, what="piket override")
    if taken.start <= now:
        service.refresh_usergroup(now)
    before = previous.name if previous else "onbezet"
    return f"{taken.role} {period(taken.start, taken.end, ctx.tz)}: {before} → {taken.person.name}"


def _configure_cli(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="piket_command", required=True, metavar="ACTIE")
    show = sub.add_parser("toon", help="de komende piketweken")
    show.add_argument("--weken", type=int, default=8, help="hoeveel piketweken (standaard 8)")
    assign = sub.add_parser(
        "zet", help="geef een dienst aan iemand, bijv.: oov-bot piket zet OVD-BZ 'week 14' aov-2"
    )
    assign.add_argument("rol", help="OVD-BZ of IM-ACBZ")
    assign.add_argument("datum", nargs="+", help="een datum of week in de piketweek")
    assign.add_argument("persoon", help="persoonssleutel uit people.yaml")


def _run_cli(ctx: AppContext, args: argparse.Namespace) -> int:
    try:
        if args.piket_command == "zet":
            print(override(ctx, args.rol, " ".join(args.datum), args.persoon))
        else:
            print(rota_text(ctx, args.weken))
    except RotaError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    return 0


PIKET = SlashCommand(
    name="/piket",
    summary="wie heeft piket (OVD-BZ, IM-ACBZ)?",
    usages=(
        Usage(
            "nu",
            "wie nu piket heeft, per rol, en tot wanneer (ook: `/piket` zonder meer)",
            "who is on duty now, per role, and until when (also plain `/piket`)",
        ),
        Usage("volgende", "de komende vier piketweken", "the next four duty weeks"),
        Usage(
            "@collega",
            "de komende diensten van een collega (`/piket mijn`: van jou)",
            "someone's coming shifts (`/piket mijn`: yours)",
        ),
        Usage(
            "<datum of week>",
            "wie er dan piket heeft",
            "who has duty on a date, at a moment or in a week",
            examples=("volgende dinsdag", "volgende week"),
        ),
        Usage(
            "agenda",
            "je privélinks om het rooster in Outlook, Google of Apple Agenda te zien",
            "DMs you private calendar links (own shifts, whole rota)",
        ),
        Usage(
            "agenda vernieuw",
            "nieuwe links; de oude werken dan niet meer",
            "new calendar links; the old ones stop working",
        ),
        Usage(
            "ruil <datum of week> @collega",
            "vraag een collega je dienst over te nemen",
            "propose handing over a shift; the colleague accepts or declines with buttons",
        ),
        Usage(
            "ruil <datum> @collega <datum van collega>",
            "ruil je dienst tegen een van de collega",
            "propose exchanging shifts with a colleague",
        ),
    ),
    shell=lambda ctx: lambda text: PiketService(ctx).answer(text, None).reply,
)


FEATURE = Feature(
    name="piket",
    order=40,
    listeners=register,
    planners=(plan_deliveries,),
    config=ConfigFile(PIKET_FILE, validate_piket_file, import_piket, export_piket),
    commands=(PIKET,),
    routes=(Route(FEED_ROUTE, "piket_feed", feed_view),),
    cli=(
        CliCommand(
            "piket", "piketrooster bekijken of een dienst toewijzen", _configure_cli, _run_cli
        ),
    ),
    models="storage.models.piket",
    migration_branch="piket",
)
