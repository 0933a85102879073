"""Piket's use cases, Slack-free: answer a question about the rota, propose and answer swaps, the
operator's override and listing, private feed links, and the clock's decisions (who to remind,
what to hand over, whom the user group holds, which shifts nobody staffs).

Results are frozen Structs the adapters render; what someone else must be told comes back as a
`bot.services.notices.Notice`. Errors are `PiketError` (a `DomainError`, Dutch and safe to
show): the core's `RotaError` is translated at this boundary, so adapters map one error type.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, time, timedelta
from typing import ParamSpec, TypeVar
from zoneinfo import ZoneInfo

from msgspec import Struct
from msgspec.structs import replace

from bot.core.access import Action, Actor, Role
from bot.core.piket_feed import FeedLinks, FeedScope, feed_links
from bot.core.rota import (
    DayRange,
    InvalidDay,
    PiketConfig,
    RotaError,
    Shift,
    parse_day_or_week,
    require_day_or_week,
    shifts_in,
    unqualified,
    upcoming_weeks,
)
from bot.language import (
    MENTION_RE,
    DutchDateError,
    command_words,
    fold,
    format_date,
    format_datetime,
    format_period,
    parse_person_ref,
    read_moment,
    resolve_person,
)
from bot.language.errors import InvalidDate
from bot.services.access import require
from bot.services.errors import DomainError
from bot.services.notices import Notice, escape, mention
from bot.services.people import NOT_LINKED as TEAM_NOT_LINKED
from storage.piket import PiketStore, ShiftView, SwapAnswer, SwapResult, SwapStatus, SwapView
from storage.team import PersonView, TeamStore
from storage.versions import read_once

log = logging.getLogger(__name__)

NEXT_WEEKS = 4
UPCOMING_DAYS = 400  # how far /piket looks for coming duty weeks (the rota is planned ~13 months)
# Shifts overlapping [now, now + _INSTANT) are the ones running at `now` (datetimes count in µs).
_INSTANT = timedelta(microseconds=1)
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
NOT_LINKED = f"{TEAM_NOT_LINKED}."
NO_PUBLIC_URL = (
    "De agenda-links kunnen nog niet gemaakt worden: de beheerder moet *PUBLIC_BASE_URL* "
    "instellen op het openbare adres van oov-bot (bijvoorbeeld `https://oov-bot.gemeente.nl`). "
    "Zonder dat adres kan je agenda-app het rooster niet ophalen."
)
SLACK_ONLY_AGENDA = "Dit werkt alleen in Slack: de links komen in een privébericht."
SLACK_ONLY_SWAP = "Ruilen kan alleen in Slack."
SWAP_GONE = "Dit ruilvoorstel bestaat niet meer."

_RUIL = re.compile(
    rf"(?P<when>.+?)\s+(?P<who>{MENTION_RE.pattern}|@\S+)(?:\s+(?:tegen\s+)?(?P<back>.+))?",
    re.IGNORECASE,
)


class PiketError(DomainError):
    """A piket request that cannot be honoured; `message` is Dutch mrkdwn, safe to show."""


P = ParamSpec("P")
R = TypeVar("R")


def _domain(method: Callable[P, R]) -> Callable[P, R]:
    """The service boundary: the core's RotaError leaves as a PiketError with the same text."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except RotaError as exc:
            raise PiketError(exc.message) from exc

    return wrapper


# --- wording shared by every adapter ----------------------------------------------------------


def period(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """'maandag 7 december 2026, 08:00 tot maandag 14 december 2026, 08:00'."""
    return format_period(start, end, tz=tz)


def plain_who(shift: ShiftView) -> str:
    return shift.person.name if shift.person else "onbezet"


def summary_text(shifts: Sequence[ShiftView]) -> str:
    """'OVD-BZ AOV-er 1, IM-ACBZ Beleidsmedewerker OOV' (shifts in role order): plain text for
    topics and fallbacks."""
    return ", ".join(f"{s.role} {plain_who(s)}" for s in shifts)


def shift_phrase(shift: ShiftView, *, tz: ZoneInfo) -> str:
    return f"*{escape(shift.role)}* ({period(shift.start, shift.end, tz)})"


def proposal_text(proposal: SwapView, now: datetime, *, to_colleague: bool, tz: ZoneInfo) -> str:
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


def _unknown_ref(ref: str) -> str:
    return (
        f"Ik ken geen persoon of datum “{escape(ref.strip())}”. Noem een collega met @, "
        "een datum (`/piket 8 december`) of een week (`/piket week 50`); zie ook `/piket help`."
    )


# --- results ----------------------------------------------------------------------------------


class UsergroupUpdate(Struct, frozen=True):
    """Point the configured user group (a handle or an S… ID) at these Slack users."""

    usergroup: str
    members: tuple[str, ...]


class DutyWeek(Struct, frozen=True):
    """One duty week with its shifts in role order."""

    start: datetime
    end: datetime
    shifts: tuple[ShiftView, ...]
    running: bool = False


class Help(Struct, frozen=True):
    """`/piket help`: the adapter shows the command's help."""


class AgendaGuess(Struct, frozen=True):
    """`/piket agenda <something else>`: ask back whether `agenda vernieuw` was meant."""


class OnDutyNow(Struct, frozen=True):
    running: tuple[ShiftView, ...]  # in role order; empty between duty weeks
    next_week: DutyWeek | None  # only when nobody is on duty now


class ComingWeeks(Struct, frozen=True):
    weeks: tuple[DutyWeek, ...]


class PersonShifts(Struct, frozen=True):
    person: PersonView
    shifts: tuple[ShiftView, ...]  # running and coming, by start
    in_rota: bool
    now: datetime


class OnDays(Struct, frozen=True):
    days: DayRange
    shifts: tuple[ShiftView, ...]  # in role order
    next_week: DutyWeek | None  # only when there is no duty on those days (shifts not read)


class AtMoment(Struct, frozen=True):
    moment: datetime
    shifts: tuple[ShiftView, ...]  # in role order
    # Dutch: the wall time typed does not exist or occurs twice that day (a DST change)
    remark: str | None = None


class FeedLinksIssued(Struct, frozen=True):
    """New private feed links for `person`, to be DMed to them (never shown in a channel)."""

    person: PersonView
    slack_id: str
    links: dict[FeedScope, FeedLinks]
    renewed: bool
    revoked: int


class SwapProposed(Struct, frozen=True):
    proposal: SwapView
    colleague: PersonView
    colleague_slack_id: str
    now: datetime


PiketAnswer = (
    Help
    | AgendaGuess
    | OnDutyNow
    | ComingWeeks
    | PersonShifts
    | OnDays
    | AtMoment
    | FeedLinksIssued
    | SwapProposed
)


class SwapAnswered(Struct, frozen=True):
    """The clicker's answer (`text`), whether it replaces the proposal message, and who else
    to tell."""

    text: str
    replace: bool
    notices: tuple[Notice, ...] = ()
    usergroup: UsergroupUpdate | None = None


class OverrideDone(Struct, frozen=True):
    summary: str  # 'OVD-BZ maandag … : AOV-er 2 → AOV-er 3'
    notices: tuple[Notice, ...]
    usergroup: UsergroupUpdate | None


class Handover(Struct, frozen=True):
    """The post at the start of a duty week: its channel (None: no post), the shifts, the
    channel topic and the user group's new members."""

    channel: str | None
    shifts: tuple[ShiftView, ...]  # in role order
    until: datetime | None
    text: str  # plain: the post's fallback text
    topic: str  # the same, cut to what a topic holds
    usergroup: UsergroupUpdate | None


class Reminder(Struct, frozen=True):
    to: str
    shift: ShiftView
    before: timedelta


# --- the service -------------------------------------------------------------------------------


class PiketService:
    """Built once per process part (Slack listeners, clock pass, CLI run); stateless otherwise."""

    def __init__(
        self, store: PiketStore, team: TeamStore, *, tz: ZoneInfo, public_base_url: str | None
    ) -> None:
        self.store = store
        self.team = team
        self.tz = tz
        self.public_base_url = public_base_url

    def config(self) -> PiketConfig:
        config = self.store.config()
        if config is None:
            raise PiketError(NOT_SET_UP)
        return config

    def _by_role(self, config: PiketConfig, shifts: Iterable[ShiftView]) -> tuple[ShiftView, ...]:
        order = {role.name: index for index, role in enumerate(config.rules.roles)}
        return tuple(sorted(shifts, key=lambda s: (order.get(s.role, len(order)), s.role, s.start)))

    def _upcoming(self, now: datetime) -> list[ShiftView]:
        return self.store.shifts(start=now, end=now + timedelta(days=UPCOMING_DAYS))

    def _weeks(self, config: PiketConfig, now: datetime, count: int) -> tuple[DutyWeek, ...]:
        """The next `count` duty weeks after `now`, a running one first."""
        shifts = self._upcoming(now)
        weeks = upcoming_weeks([s.as_shift() for s in shifts], after=now, count=count)
        return tuple(
            DutyWeek(
                week.start,
                week.end,
                self._by_role(config, (s for s in shifts if week.start <= s.start < week.end)),
                running=week.start <= now,
            )
            for week in weeks
        )

    # -- /piket: one entry for Slack and the shell ---------------------------------------------

    @_domain
    def ask(self, text: str, actor: Actor, now: datetime) -> PiketAnswer:
        """Read `/piket <text>` and answer it for `actor` (the operator outside Slack)."""
        # Rules, rota and team: one reading of the data versions per answer. The two answers
        # that write (feed tokens, a swap proposal) write last, and to no versioned table.
        with read_once():
            return self._ask(text, actor, now)

    def _ask(self, text: str, actor: Actor, now: datetime) -> PiketAnswer:
        caller_slack_id = actor.slack_id
        read = command_words(text)
        text, word, rest = read.text, read.first, read.rest
        if read.is_help:
            return Help()
        require(Action.READ_PIKET, actor)
        config = self.config()
        if word in {"", "nu"} and not rest:
            return self.now_on_duty(now)
        if word in {"volgende", "komende", "komend"} and not rest:
            return self.coming_weeks(now)
        if word == "agenda":
            renew = fold(rest)
            if renew not in {"", "vernieuw", "vernieuwen", "nieuw"}:
                return AgendaGuess()
            return self.issue_feed_links(caller_slack_id, now, renew=bool(renew))
        if word == "ruil":
            require(Action.PROPOSE_SWAP, actor, self._holds_shifts(actor, now))
            return self.propose_swap(rest, caller_slack_id, now)
        if read.is_self:
            text = ""
        if text and not text.startswith(("<@", "@")):
            try:
                days = parse_day_or_week(text, now, self.tz)
            except RotaError as exc:
                days, problem = None, exc  # not a date: a moment, or else a person
            if days is not None:
                return self.on_days(days)
            try:
                read = read_moment(text, now, tz=self.tz)
            except InvalidDate as exc:
                raise PiketError(str(exc)) from None  # "31-2 10:00": a moment that cannot be
            except DutchDateError:
                read = None
            if read is not None:
                return replace(self.at_moment(read.moment), remark=read.remark)
            if isinstance(problem, InvalidDay):
                # "31-2", "week 54", "1-1-9999": a date that cannot be, not someone's name.
                raise PiketError(problem.message)
        return self._person_shifts(config, text, caller_slack_id, now)

    @_domain
    def now_on_duty(self, now: datetime) -> OnDutyNow:
        config = self.config()
        running = self._by_role(config, self.store.shifts(start=now, end=now + _INSTANT))
        if running:
            return OnDutyNow(running, None)
        later = self._weeks(config, now, 1)
        return OnDutyNow((), later[0] if later else None)

    @_domain
    def coming_weeks(self, now: datetime, count: int = NEXT_WEEKS) -> ComingWeeks:
        """The next `count` duty weeks, a running one first (`/piket volgende`, `piket toon`)."""
        if count < 1:
            raise PiketError("Geef met --weken een aantal piketweken van 1 of meer.")
        return ComingWeeks(self._weeks(self.config(), now, count))

    @_domain
    def on_days(self, days: DayRange) -> OnDays:
        """Who has piket on a given day or in a given week."""
        config = self.config()
        first = datetime.combine(days.first, time.min, self.tz)
        after = datetime.combine(days.last + timedelta(days=1), time.min, self.tz)
        # The same definition of "the duty of week N" as `override` (rota.shifts_in).
        stored = self.store.shifts(start=first - timedelta(days=1), end=after)
        shifts = self._by_role(config, shifts_in(stored, days, self.tz))
        if shifts:
            return OnDays(days, shifts, None)
        later = self._weeks(config, first, 1)
        return OnDays(days, (), later[0] if later else None)

    @_domain
    def at_moment(self, moment: datetime) -> AtMoment:
        """Who has piket at one moment ("7 december 10:00")."""
        config = self.config()
        shifts = [
            s
            for s in self.store.shifts(start=moment - timedelta(days=1), end=moment)
            if s.start <= moment < s.end
        ]
        return AtMoment(moment, self._by_role(config, shifts))

    @_domain
    def person_shifts(self, ref: str, caller_slack_id: str | None, now: datetime) -> PersonShifts:
        """A person's running and coming shifts; '' or 'ik' is the caller."""
        return self._person_shifts(self.config(), ref, caller_slack_id, now)

    def _person_shifts(
        self, config: PiketConfig, ref: str, caller_slack_id: str | None, now: datetime
    ) -> PersonShifts:
        person = self._resolve(ref, caller_slack_id)
        mine = self.store.shifts(start=now, person_id=person.id)
        in_rota = any(q.person_key == person.key for r in config.rules.roles for q in r.people)
        return PersonShifts(person, tuple(mine), in_rota, now)

    def _resolve(self, ref: str, caller_slack_id: str | None) -> PersonView:
        """'', '<@U…|naam>', '@sleutel', sleutel, Slack-ID or name; PiketError when unknown."""
        parsed = parse_person_ref(ref)
        if parsed is None and ref.strip():
            raise PiketError(_unknown_ref(ref))
        if parsed is None:
            if caller_slack_id is None:
                raise PiketError("Geef een persoon op, bijvoorbeeld `/piket aov-1`.")
            return self._caller(caller_slack_id)
        found = resolve_person(parsed, self.team, caller_slack_id)
        if found.person is not None:
            return found.person
        if parsed.kind == "self":
            raise PiketError(NOT_LINKED)
        if parsed.kind == "mention":
            raise PiketError(
                f"<@{parsed.value}> staat niet in het teamoverzicht (people.yaml) en dus ook "
                "niet in het piketrooster."
            )
        raise PiketError(_unknown_ref(ref))

    def _holds_shifts(self, actor: Actor, now: datetime) -> frozenset[Role]:
        """SHIFT_HOLDER when the actor has a running or coming shift (which one to swap is
        checked against their own shifts when the proposal is read)."""
        if not actor.slack_id or not actor.has(Role.TEAM_MEMBER):
            return frozenset()
        person = self.team.person_by_slack_id(actor.slack_id)
        if person is None or not self.store.shifts(start=now, person_id=person.id):
            return frozenset()
        return frozenset({Role.SHIFT_HOLDER})

    def _caller(self, caller_slack_id: str) -> PersonView:
        person = self.team.person_by_slack_id(caller_slack_id)
        if person is None:
            raise PiketError(NOT_LINKED)
        return person

    # -- feed links ------------------------------------------------------------------------------

    @_domain
    def issue_feed_links(
        self, caller_slack_id: str | None, now: datetime, *, renew: bool
    ) -> FeedLinksIssued:
        """New private feed links for the caller; `renew` revokes the old ones first."""
        if caller_slack_id is None:
            raise PiketError(SLACK_ONLY_AGENDA)
        person = self._caller(caller_slack_id)
        if not self.public_base_url:
            raise PiketError(NO_PUBLIC_URL)
        tokens, revoked = self.store.issue_tokens(person.id, now=now, revoke_existing=renew)
        links = {scope: feed_links(self.public_base_url, token) for scope, token in tokens.items()}
        return FeedLinksIssued(person, caller_slack_id, links, renew, revoked)

    @_domain
    def revoke_feed_links(self, caller_slack_id: str, now: datetime) -> int:
        """Stop every feed link of the caller; returns how many were live."""
        return self.store.revoke_tokens(self._caller(caller_slack_id).id, now=now)

    # -- swaps -----------------------------------------------------------------------------------

    @_domain
    def propose_swap(self, args: str, caller_slack_id: str | None, now: datetime) -> SwapProposed:
        """`ruil <datum> @collega [<datum van collega>]`: store an open proposal the colleague
        answers; the adapter asks them (with buttons)."""
        match = _RUIL.fullmatch(args)
        if match is None:
            raise PiketError(RUIL_USAGE)
        if caller_slack_id is None:
            raise PiketError(SLACK_ONLY_SWAP)
        me = self._caller(caller_slack_id)
        colleague = self._resolve(match.group("who"), None)
        if colleague.id == me.id:
            raise PiketError("Je kunt niet met jezelf ruilen.")
        if not colleague.slack_id:
            raise PiketError(
                f"{escape(colleague.name)} is nog niet aan Slack gekoppeld, dus ik kan het "
                "niet vragen. Vraag de beheerder `slack_id` in te vullen in people.yaml."
            )
        mine = self._shift_on(me, match.group("when"), now, "Je hebt")
        back = None
        if match.group("back"):
            subject = f"{escape(colleague.name)} heeft"
            back = self._shift_on(colleague, match.group("back"), now, subject)
        proposal = self.store.propose_swap(
            mine.uid,
            colleague.id,
            return_shift_uid=back.uid if back else None,
            proposed_by=caller_slack_id,
            now=now,
        )
        return SwapProposed(proposal, colleague, colleague.slack_id, now)

    def _shift_on(self, person: PersonView, when: str, now: datetime, subject: str) -> ShiftView:
        days = require_day_or_week(parse_day_or_week(when, now, self.tz))
        coming = self.store.shifts(start=now, person_id=person.id)
        by_shift = {s.as_shift(): s for s in coming}
        found = shifts_in(list(by_shift), days, self.tz)
        if not found:
            listed = ", ".join(format_date(s.start, tz=self.tz) for s in coming[:4])
            hint = f" Komende diensten: {listed}." if listed else ""
            raise PiketError(f"{subject} geen piketdienst op {days.label}.{hint}")
        return by_shift[found[0]]

    @_domain
    def answer_swap(
        self, swap_id: int, *, accept: bool, actor: Actor, now: datetime
    ) -> SwapAnswered:
        """Accept or decline a proposal (once, by the colleague it was made to, who then holds
        the shift). The audit trail is the store's; the result says whom to tell and whether
        the user group changes."""
        held = {Role.SHIFT_HOLDER} if actor.has(Role.TEAM_MEMBER) else set()
        require(Action.ANSWER_SWAP, actor, held)
        slack_id = actor.by
        result = self.store.answer_swap(swap_id, accept=accept, by_slack_id=slack_id, now=now)
        proposal = result.swap
        if result.answer is SwapAnswer.UNKNOWN or proposal is None:
            return SwapAnswered(SWAP_GONE, False)
        if result.answer is SwapAnswer.NOT_YOURS:
            return SwapAnswered(
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
                f" op {format_datetime(proposal.answered_at, tz=self.tz)}"
                if proposal.answered_at
                else ""
            )
            return SwapAnswered(f"Dit ruilvoorstel is al {status}{when}.", False)
        notices = self._swap_notices(result)
        if result.answer is SwapAnswer.DECLINED:
            text = f"Je hebt het ruilvoorstel van {mention(proposal.from_person)} afgewezen."
            return SwapAnswered(text, True, notices)
        if result.answer is SwapAnswer.EXPIRED:
            return SwapAnswered(result.reason, True, notices)
        group = None
        if any(s.start <= now < s.end for s in result.changed):
            group = self.usergroup_update(now)
        return SwapAnswered(
            "Je hebt het ruilvoorstel geaccepteerd; je krijgt de nieuwe stand in een bericht.",
            True,
            notices,
            group,
        )

    def _swap_notices(self, result: SwapResult) -> tuple[Notice, ...]:
        proposal = result.swap
        assert proposal is not None
        to, by = proposal.to_person, proposal.from_person
        if result.answer is SwapAnswer.DECLINED:
            messages = [(by, f"{mention(to)} heeft je ruilvoorstel afgewezen.")]
        elif result.answer is SwapAnswer.EXPIRED:
            messages = [(by, f"Je ruilvoorstel aan {mention(to)} gaat niet door. {result.reason}")]
        else:
            taken = "\n".join(
                f"• *{escape(s.role)}* {period(s.start, s.end, self.tz)}: "
                + mention(s.person, empty="⚠️ _onbezet_")
                for s in result.changed
            )
            messages = [
                (by, f"{mention(to)} heeft je ruilvoorstel geaccepteerd. Nu staat:\n{taken}"),
                (
                    to,
                    f"Je hebt het ruilvoorstel van {mention(by)} geaccepteerd. Nu staat:\n{taken}",
                ),
            ]
        return tuple(
            Notice(person.slack_id, text, "piket swap answer")
            for person, text in messages
            if person.slack_id
        )

    # -- the operator (`oov-bot piket zet|toon`) ---------------------------------------------------

    @_domain
    def override(
        self, role: str, when: str, person_key: str, now: datetime, *, by: str = "cli"
    ) -> OverrideDone:
        """Give the shift of `role` on `when` to someone: pinned, audited, both people told."""
        days = require_day_or_week(parse_day_or_week(when, now, self.tz))
        previous, changed = self.store.set_person(role, days, person_key, now=now, by=by)
        taken = changed[-1]
        assert taken.person is not None
        phrase = shift_phrase(taken, tz=self.tz)
        messages = [(taken.person, f"De beheerder heeft je ingeroosterd voor piket {phrase}.")]
        if previous is not None:
            messages.append(
                (previous, f"Je piketdienst {phrase} is door de beheerder overgezet naar "
                 f"{mention(taken.person)}.")
            )  # fmt: skip
        notices = tuple(
            Notice(person.slack_id, text, "piket override")
            for person, text in messages
            if person.slack_id
        )
        group = self.usergroup_update(now) if taken.start <= now else None
        before = previous.name if previous else "onbezet"
        summary = (
            f"{taken.role} {period(taken.start, taken.end, self.tz)}: "
            f"{before} → {taken.person.name}"
        )
        return OverrideDone(summary, notices, group)

    # -- the clock's decisions -------------------------------------------------------------------

    def usergroup_update(self, now: datetime) -> UsergroupUpdate | None:
        """Whom the configured user group should hold now. None when there is no group or
        nobody linked is on duty: Slack does not allow an empty group, so between duty weeks it
        keeps the last week's people."""
        config = self.store.config()
        if config is None or not config.usergroup:
            return None
        on_duty = [
            s.person.slack_id
            for s in self.store.shifts(start=now, end=now + _INSTANT)
            if s.person and s.person.slack_id
        ]
        if not on_duty:
            return None
        return UsergroupUpdate(config.usergroup, tuple(dict.fromkeys(on_duty)))

    @_domain
    def handover(self, at: datetime) -> Handover:
        """The start of a duty week: what to post in the team channel, its topic and the group."""
        config = self.config()
        on_duty = self._by_role(config, self.store.shifts(start=at, end=at + timedelta(seconds=1)))
        text = f"Piket deze week: {summary_text(on_duty) or 'niemand ingepland'}"
        until = max((s.end for s in on_duty), default=None)
        return Handover(
            config.team_channel,
            on_duty,
            until,
            text,
            text[:TOPIC_LIMIT],
            self.usergroup_update(at),
        )

    def off_duty_topic(self, at: datetime) -> str:
        """After a duty week the topic says when the next one starts, not last week's people."""
        later = upcoming_weeks([s.as_shift() for s in self._upcoming(at)], after=at, count=1)
        text = "Nu geen piket"
        if later:
            text += f"; volgende piketweek vanaf {format_datetime(later[0].start, tz=self.tz)}"
        return text[:TOPIC_LIMIT]

    def reminder(self, uid: str, person_key: str, before: timedelta) -> Reminder | None:
        """The reminder planned for `person_key`, if they still hold the shift. None when it was
        swapped or replanned since: the new holder has their own."""
        shift = self.store.shift(uid)
        if shift is None or shift.person is None or shift.person.key != person_key:
            return None
        if not shift.person.slack_id:
            return None
        return Reminder(shift.person.slack_id, shift, before)

    def _without_qualified(self, start: datetime, end: datetime) -> list[ShiftView]:
        """Shifts in [start, end) nobody qualified holds: nobody at all, or someone piket.yaml
        no longer allows (a swap or an operator's choice is kept when the file changes)."""
        config = self.store.config()
        if config is None:
            return []
        shifts = self.store.shifts(start=start, end=end)
        held = [Shift(s.role, s.person.key, s.start, s.end) for s in shifts if s.person]
        barred = {(s.role, s.start) for s in unqualified(config.rules, held)}
        return [s for s in shifts if s.person is None or (s.role, s.start) in barred]

    def has_unstaffed(self, start: datetime, end: datetime) -> bool:
        return bool(self._without_qualified(start, end))

    @_domain
    def unstaffed_warning(self, at: datetime) -> Notice | None:
        """The weekly warning about shifts nobody qualified holds: to the team lead (DM), else the
        team channel. None when there is nothing to warn about, or nobody to tell."""
        config = self.config()
        gaps = self._without_qualified(at, at + config.warn_unstaffed)
        if not gaps:
            return None
        lines = "\n".join(
            f"• *{escape(s.role)}*: {period(s.start, s.end, self.tz)}"
            + (f" ({escape(s.person.name)} is dan niet gekwalificeerd)" if s.person else "")
            for s in gaps
        )
        text = (
            "Let op: in deze piketdiensten is niemand gekwalificeerd ingeroosterd:\n"
            f"{lines}\nVul de gekwalificeerden aan in `config/piket.yaml` (en draai "
            "`oov-bot import`) of zet iemand in met `oov-bot piket zet <rol> <datum> <persoon>`."
        )
        lead = self.team.find_person(config.team_lead) if config.team_lead else None
        target = lead.slack_id if lead and lead.slack_id else config.team_channel
        if target is None:
            log.warning("piket: %d unstaffed shift(s) and nobody to tell", len(gaps))
            return None
        return Notice(target, text, "piket unstaffed warning")

    def roll_on(self, at: datetime) -> None:
        """Extend the planned rota to the horizon (daily)."""
        self.store.plan(at)
