"""The execution programme's use cases, Slack-free: the overview per priority, one activity's
card, mine/behind/one priority, finding a loosely typed activity (the /wie search), recording a
status change with its note or a moved deadline, the monthly DM per action holder, the warning
about a passed deadline, what a linked meeting's reminder lists, and the progress report.

Every answer is built from a read model made once per data version (see `_Model`), not per
request; `now` is always passed in.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING

from msgspec import Struct, field
from msgspec.structs import replace
from sqlalchemy.exc import SQLAlchemyError

from bot.core.access import Action, Actor, Role
from bot.core.programme import (
    AT_RISK_WINDOW,
    ProgrammeSettings,
    Status,
    deadline_note,
    euro,
    is_at_risk,
    is_behind,
    is_late,
    parse_status,
    status_choices,
)
from bot.core.task_search import SearchableTask, TaskIndex
from bot.language import (
    CommandWords,
    DutchDateError,
    command_words,
    compact,
    fold,
    format_date,
    parse_due_date,
    today_in,
    visible,
    without_invisible,
)
from bot.language.errors import InvalidDate
from bot.language.milestones import parse_amount, parse_deadline
from bot.language.people import SELF_WORDS
from bot.services.access import AccessService, allowed, require
from bot.services.errors import DomainError
from bot.services.notices import Notice, escape
from storage.programme import (
    ActivityView,
    LinkedItem,
    ProgrammeStore,
    UnknownActivityError,
    UpdateView,
    sum_spent,
)
from storage.team import PersonView, TeamStore
from storage.versions import ACTIONS, PROGRAMME, TEAM, ReadModel, VersionedCache

if TYPE_CHECKING:
    from bot.core.documents import Bullets, Document, Heading, Paragraph, Table

log = logging.getLogger(__name__)

PICK_LIMIT = 5
ANSWER_CACHE_SIZE = 1024
LATE_LIST_LIMIT = 40  # activities named in one DM about passed deadlines; the rest counted
NOTE_LIMIT = 2000

NO_PROGRAMME = (
    "Er is nog geen uitvoeringsprogramma ingesteld. De beheerder zet het in "
    "`config/programma.yaml` en draait `oov-bot import`."
)
ACTIVITY_GONE = (
    "Die activiteit bestaat niet (meer). Vraag het overzicht opnieuw op met `/programma`."
)
NOT_LINKED = (
    "Je Slack-account is nog niet gekoppeld aan iemand in het teamoverzicht, dus ik weet niet "
    "welke activiteiten van jou zijn. Vraag de beheerder je Slack member-ID in te vullen in "
    "`config/people.yaml`."
)


class UpdateRefused(DomainError):
    """An update that cannot be stored; `field` names the form field it is about."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


# --- answers -------------------------------------------------------------------------------------


class Row(Struct, frozen=True):
    view: ActivityView
    owner: PersonView | None
    late: bool
    at_risk: bool
    note: str  # "nog 12 dagen", "deadline 3 dagen verstreken"


class PriorityCount(Struct, frozen=True):
    key: str
    name: str
    counts: dict[Status, int]
    total: int


class Overview(Struct, frozen=True):
    name: str
    today: date
    priorities: list[PriorityCount]
    late: list[Row]
    at_risk: list[Row]


class ActivityList(Struct, frozen=True):
    title: str
    rows: list[Row]
    empty: str


class Card(Struct, frozen=True):
    row: Row
    history: tuple[UpdateView, ...]
    items: tuple[LinkedItem, ...]
    spent: Decimal
    today: date
    # Shared where guests or another organisation's users read along: the history's notes
    # (which may name residents or cases) were left out.
    notes_withheld: bool = False


class Picks(Struct, frozen=True):
    query: str
    matches: list[ActivityView]
    suggestions: list[ActivityView]
    more: int = 0  # matches beyond those listed


class ReportWanted(Struct, frozen=True):
    until: date


Answer = Overview | ActivityList | Card | Picks | ReportWanted


class Updated(Struct, frozen=True):
    card: Card
    update: UpdateView
    notices: list[Notice] = field(default_factory=list)


class Digest(Struct, frozen=True):
    """The monthly DM: an action holder's open activities."""

    to: str
    person: PersonView
    rows: list[Row]
    today: date


class MeetingLine(Struct, frozen=True):
    row: Row
    changes: list[UpdateView]


# --- the read model ------------------------------------------------------------------------------


class _Model:
    """Everything the commands read, built once per data version."""

    def __init__(
        self,
        settings: ProgrammeSettings | None,
        activities: list[ActivityView],
        people: list[PersonView],
    ) -> None:
        self.settings = settings
        self.activities = activities
        self.by_id = {a.id: a for a in activities}
        self.by_key = {a.key: a for a in activities}
        self.people = {p.key: p for p in people}
        # (text, person key for "mijn", day) -> the answer, or the id of the activity whose card
        # it is
        self.answers: dict[tuple[str, str | None, date], Answer | int] = {}

    @functools.cached_property
    def index(self) -> TaskIndex:
        """The search over the activities, built when first searched: the clock, which only
        reads settings and dates, never needs it."""
        return TaskIndex(
            [
                SearchableTask(
                    a.id,
                    a.name,
                    f"{a.activity.config.criterion} {a.activity.priority_name}",
                    f"{a.activity.config.approach} {a.activity.config.partners}",
                    (a.key, *a.activity.config.aliases),
                )
                for a in self.activities
            ]
        )

    def owner(self, view: ActivityView) -> PersonView | None:
        return self.people.get(view.owner_key) if view.owner_key else None


class ProgrammeService:
    def __init__(
        self,
        store: ProgrammeStore,
        team: TeamStore,
        *,
        tz: tzinfo,
        access: AccessService | None = None,
    ) -> None:
        self.store = store
        self.team = team
        self.tz = tz
        # Channel membership, for the linked action items of a reader outside the team; None:
        # such a reader sees none.
        self.access = access
        # Rebuilt when the programme or the team changed, whichever process changed it.
        self._model = ReadModel(store.db, (PROGRAMME, TEAM), self._build)
        # A card also lists the action items that name the activity.
        self._cards: VersionedCache[tuple[int, date], Card] = VersionedCache(
            store.db, (PROGRAMME, TEAM, ACTIONS)
        )

    # -- the read model --------------------------------------------------------------------------

    def _build(self) -> _Model:
        return _Model(self.store.settings(), self.store.activities(), self.team.people())

    def model(self) -> _Model:
        try:
            return self._model.get()
        except SQLAlchemyError:
            # The database is away: answer from the last programme read, where there is one.
            last = self._model.last()
            if last is None:
                raise
            return last

    def _require(self) -> _Model:
        model = self.model()
        if model.settings is None or not model.activities:
            raise DomainError(NO_PROGRAMME)
        return model

    def _row(self, model: _Model, view: ActivityView, today: date) -> Row:
        return Row(
            view=view,
            owner=model.owner(view),
            late=is_late(view.deadline, view.status, today),
            at_risk=is_at_risk(view.deadline, view.status, today),
            note=deadline_note(view.deadline, view.status, today),
        )

    # -- /programma ------------------------------------------------------------------------------

    def ask(self, text: str, actor: Actor, now: datetime) -> Answer:
        """`/programma <text>`: the overview, mine, behind, a priority, an activity, a report.
        Answered from the read model: what a text means is worked out once per data version and
        day (a card is read fresh, for its history)."""
        require(Action.READ_PROGRAMME, actor)
        caller = actor.person_key
        read = command_words(text)
        if compact(read.first) in ("rapport", "rapportage", "verslag"):
            return ReportWanted(self._until(read.words[1:], now))
        model = self._require()
        today = today_in(now, self.tz)
        key = (read.text.casefold(), caller if _asks_mine(read) else None, today)
        cached = model.answers.get(key)
        if isinstance(cached, int):
            return self.readable(self.card(cached, now), actor, now)
        if cached is not None:
            return cached
        found = self._answer(model, read, actor, now)
        if len(model.answers) >= ANSWER_CACHE_SIZE:
            model.answers.clear()
        model.answers[key] = found.row.view.id if isinstance(found, Card) else found
        return self.readable(found, actor, now) if isinstance(found, Card) else found

    def _answer(self, model: _Model, read: CommandWords, actor: Actor, now: datetime) -> Answer:
        today = today_in(now, self.tz)
        if not read.words:
            return self.overview(now)
        if _asks_mine(read):
            return self.mine(actor, now)
        if _asks_behind(read):
            return self.behind(now)
        text = read.text
        priority = self._priority(model, text)
        if priority is not None:
            key, name = priority
            rows = [
                self._row(model, a, today)
                for a in model.activities
                if a.activity.priority_key == key
            ]
            return ActivityList(name, rows, "Deze prioriteit heeft geen activiteiten.")
        return self.find(text, now)

    def _until(self, words: Sequence[str], now: datetime) -> date:
        rest = list(words)
        # "tot", "t/m", "tot en met", "per" before the date: the report runs through that day
        while rest and compact(rest[0]) in ("tot", "tm", "totenmet", "per", "en", "met"):
            rest.pop(0)
        if not rest:
            return today_in(now, self.tz)
        phrase = " ".join(rest)
        problem: InvalidDate | None = None
        try:
            # "t/m volgende maand" means through its end, as the same words do in a deadline
            return parse_due_date(phrase, now, tz=self.tz)
        except InvalidDate as exc:  # a date, but one that does not exist or lies out of range
            problem = exc
        except DutchDateError:
            pass
        found = parse_deadline(phrase)
        if found is not None:
            return found
        if problem is not None:
            raise DomainError(str(problem)) from None
        raise DomainError(
            f"“{escape(phrase)}” kan ik niet als datum lezen. Schrijf bijvoorbeeld "
            "`/programma rapport tot 31 december 2025` of `/programma rapport`."
        )

    def overview(self, now: datetime) -> Overview:
        model = self._require()
        today = today_in(now, self.tz)
        assert model.settings is not None
        counts: dict[str, PriorityCount] = {}
        for key, name in model.settings.priorities:
            counts[key] = PriorityCount(key, name, {s: 0 for s in Status}, 0)
        late, risk = [], []
        for view in model.activities:
            entry = counts.setdefault(
                view.activity.priority_key,
                PriorityCount(
                    view.activity.priority_key,
                    view.activity.priority_name,
                    {s: 0 for s in Status},
                    0,
                ),
            )
            entry.counts[view.status] += 1
            counts[entry.key] = PriorityCount(entry.key, entry.name, entry.counts, entry.total + 1)
            row = self._row(model, view, today)
            if row.late:
                late.append(row)
            elif row.at_risk:
                risk.append(row)
        late.sort(key=lambda r: r.view.deadline)
        risk.sort(key=lambda r: r.view.deadline)
        # A priority without activities stays: the team lead sees it is empty, not gone.
        return Overview(model.settings.name, today, list(counts.values()), late, risk)

    def mine(self, actor: Actor, now: datetime) -> ActivityList:
        if actor.slack_id is None:
            raise DomainError("In de shell is er geen ‘mijn’: vraag een activiteit of prioriteit.")
        model = self._require()
        person = model.people.get(actor.person_key) if actor.person_key else None
        if person is None:
            raise DomainError(NOT_LINKED)
        today = today_in(now, self.tz)
        rows = [self._row(model, a, today) for a in model.activities if a.owner_key == person.key]
        return ActivityList(
            "Jouw activiteiten", rows, "Je bent van geen enkele activiteit de actiehouder."
        )

    def behind(self, now: datetime) -> ActivityList:
        model = self._require()
        today = today_in(now, self.tz)
        rows = [
            self._row(model, a, today)
            for a in model.activities
            if is_behind(a.deadline, a.status, today)
        ]
        rows.sort(key=lambda r: r.view.deadline)
        return ActivityList(
            "Achter op schema (te laat of vertraagd)",
            rows,
            "Niets loopt achter: geen activiteit is te laat of vertraagd. 🎉",
        )

    @staticmethod
    def _priority(model: _Model, text: str) -> tuple[str, str] | None:
        wanted = _priority_key(_PRIORITY_WORD.sub("", text))
        if len(wanted) < 3 or model.settings is None:
            return None
        for key, name in model.settings.priorities:
            if wanted in (compact(key), _priority_key(name)):
                return key, name
        for key, name in model.settings.priorities:
            if len(wanted) >= 5 and _priority_key(name).startswith(wanted):
                return key, name
        return None

    def find(self, text: str, now: datetime) -> Card | Picks:
        """The activity `text` means, as a card; a pick list or suggestions otherwise."""
        model = self._require()
        query = text.strip().lstrip("#")
        if query in model.by_key:
            return self.card(model.by_key[query].id, now)
        # All good matches, to say how many more there are than the pick list shows.
        result = model.index.search(query, limit=max(len(model.activities), 1))
        if result.best is not None:
            return self.card(result.best.task.id, now)
        matches = [model.by_id[m.task.id] for m in result.matches[:PICK_LIMIT]]
        suggestions = [
            model.by_id[s.id] for s in result.suggestions[:PICK_LIMIT] if s.id in model.by_id
        ]
        more = max(len(result.matches) - len(matches), 0)
        return Picks(text.strip(), matches, suggestions, more)

    def show(self, activity_id: int, actor: Actor, now: datetime) -> Card:
        """One activity's card, for someone who may read the programme."""
        require(Action.READ_PROGRAMME, actor)
        return self.readable(self.card(activity_id, now), actor, now)

    def shared(self, activity_id: int, channel: str | None, actor: Actor, now: datetime) -> Card:
        """The card as shared in `channel`, where everyone reads it (colleagues who may not read
        the team's action items, guests): of the linked items, only those agreed in that
        channel, which its members could read there already."""
        card = self.show(activity_id, actor, now)
        card = replace(card, items=tuple(i for i in card.items if i.channel == channel))
        if not any(u.note for u in card.history) or not self._outsiders_in(channel, now):
            return card
        # The notes are the team's, as a meeting reminder keeps its items from such a channel;
        # status, deadline and who changed them stay, so partners there still see the progress.
        log.info("programme card shared without its notes: outsiders may read %s", channel)
        history = tuple(replace(u, note="") if u.note else u for u in card.history)
        return replace(card, history=history, notes_withheld=True)

    def _outsiders_in(self, channel: str | None, now: datetime) -> bool:
        """Whether guests or another organisation's users may read `channel`; yes when it
        cannot be told (fail closed)."""
        if channel is None or self.access is None:
            return True
        return self.access.has_outsiders(channel, now)

    def readable(self, card: Card, actor: Actor, now: datetime) -> Card:
        """The card with only the linked action items `actor` may read, by the rule `/acties`
        follows: the team all of them, anyone else those of the channels they are in."""
        if not card.items or allowed(Action.READ_ITEMS, actor):
            return card
        channels: frozenset[str] = frozenset()
        if self.access is not None and not actor.is_stranger:
            channels = self.access.channels_of(actor, {i.channel for i in card.items}, now)
        return replace(card, items=tuple(i for i in card.items if i.channel in channels))

    def _held(self, view: ActivityView, actor: Actor) -> set[Role]:
        """The action holder holds the activity; the regievoerders direct every activity."""
        settings = self.model().settings
        directing = settings.regievoerders if settings else ()
        key = actor.person_key
        holds = key is not None and (key == view.owner_key or key in directing)
        return {Role.ACTION_HOLDER} if holds else set()

    def may_update(self, activity_id: int, actor: Actor) -> None:
        """Refused (AccessDenied, in Dutch) unless `actor` may update the activity."""
        try:
            view = self.store.activity(activity_id)
        except UnknownActivityError:
            raise DomainError(ACTIVITY_GONE) from None
        require(Action.UPDATE_ACTIVITY, actor, self._held(view, actor))

    def can_update(self, view: ActivityView, actor: Actor) -> bool:
        return allowed(Action.UPDATE_ACTIVITY, actor, self._held(view, actor))

    def card(self, activity_id: int, now: datetime) -> Card:
        """One activity's card: kept per activity and day until the programme, the team or an
        action item changes (its history and linked items are read once, not per request)."""
        today = today_in(now, self.tz)
        return self._cards.get((activity_id, today), lambda: self._card(activity_id, today))

    def _card(self, activity_id: int, today: date) -> Card:
        model = self.model()
        try:
            view = self.store.activity(activity_id)
        except UnknownActivityError:
            raise DomainError(ACTIVITY_GONE) from None
        history = self.store.history(activity_id)
        spent = sum((u.spent for u in history if u.spent is not None), Decimal(0))
        return Card(
            self._row(model, view, today),
            tuple(history),
            tuple(self.store.linked_items(view.key)),
            spent,
            today,
        )

    # -- updates ---------------------------------------------------------------------------------

    def read_deadline(self, text: str, now: datetime) -> date:
        """A new deadline as typed ("eind 2025", "1 juli 2025", "Q3 2025", "volgende maand");
        refused when it has already passed (a typed year one too low would otherwise make the
        activity late at once, without a word)."""
        found = parse_deadline(text)
        if found is None:
            try:
                found = parse_due_date(text, now, tz=self.tz)  # a week: its Friday
            except DutchDateError:
                year = today_in(now, self.tz).year + 1  # examples that are never in the past
                raise UpdateRefused(
                    f"“{escape(text.strip())}” kan ik niet als datum lezen. Schrijf bijvoorbeeld "
                    f"‘1 juli {year}’, ‘eind {year}’ of ‘Q3 {year}’.",
                    field="deadline",
                ) from None
        if found < today_in(now, self.tz):
            raise UpdateRefused(
                f"“{escape(text.strip())}” is {format_date(found)}: die dag is al voorbij. "
                "Een nieuwe deadline ligt vandaag of later.",
                field="deadline",
            )
        return found

    @staticmethod
    def read_spent(text: str) -> Decimal | None:
        """Spending as typed; refused unless it is one amount written the Dutch way, so
        "1234.5" or "€ 1,234.56" is never stored as something else than was meant."""
        if not visible(text):
            return None
        amount = parse_amount(without_invisible(text))
        if amount is None or amount > Decimal("100000000"):
            raise UpdateRefused(
                f"“{escape(text.strip())}” is geen bedrag. Schrijf bijvoorbeeld ‘1.500’ of "
                "‘€ 1.500,50’ (centen na een komma).",
                field="spent",
            )
        return amount

    def update(
        self,
        activity_id: int,
        *,
        status_text: str | None,
        note: str,
        deadline_text: str = "",
        spent_text: str = "",
        actor: Actor,
        now: datetime,
    ) -> Updated:
        """Record a status (with its note), a moved deadline and/or spending, in one update.
        Refused, with the field it is about: a delay or cancellation without a reason, a new
        deadline without a reason or that cannot be read, nothing to record."""
        # A note that only looks empty (zero-width spaces, direction marks) is no reason.
        note = note.strip() if visible(note) else ""
        if len(note) > NOTE_LIMIT:
            raise UpdateRefused(
                f"De toelichting is te lang (meer dan {NOTE_LIMIT} tekens).", field="note"
            )
        try:
            current = self.store.activity(activity_id)
        except UnknownActivityError:
            raise UpdateRefused(ACTIVITY_GONE, field="status") from None
        if not self.can_update(current, actor):
            self.may_update(activity_id, actor)  # raises the policy's own Dutch refusal
        by = actor.by
        status: Status | None = None
        if status_text:
            status = parse_status(status_text)
            if status is None:
                raise UpdateRefused(
                    f"“{escape(status_text)}” is geen status. Kies uit: {status_choices()}.",
                    field="status",
                )
        new_status = status if status is not None and status != current.status else None
        deadline = (
            self.read_deadline(without_invisible(deadline_text), now)
            if visible(deadline_text)
            else None
        )
        if deadline == current.deadline:
            deadline = None
        spent = self.read_spent(spent_text)
        if new_status is not None and new_status.needs_reason and not note:
            raise UpdateRefused(
                f"Bij ‘{new_status.value}’ hoort een reden: schrijf in de toelichting waarom.",
                field="note",
            )
        if deadline is not None and not note:
            raise UpdateRefused(
                "Schrijf bij een nieuwe deadline de reden in de toelichting.", field="note"
            )
        if new_status is None and deadline is None and spent is None and not note:
            raise UpdateRefused(
                "Er is niets gewijzigd: kies een andere status, een nieuwe deadline, of schrijf "
                "een toelichting.",
                field="note",
            )
        kind = "status" if new_status or not deadline else "deadline"
        try:
            _, update = self.store.record(
                activity_id,
                kind=kind,
                by=by,
                now=now,
                status=new_status,
                deadline=deadline,
                spent=spent,
                note=note,
            )
        except UnknownActivityError:
            raise UpdateRefused(ACTIVITY_GONE, field="status") from None
        card = self.card(activity_id, now)
        notices = []
        owner = card.row.owner
        if owner and owner.slack_id and owner.slack_id != by:
            what = f"de status is nu *{card.row.view.status.value}*" if new_status else "bijgewerkt"
            notices.append(
                Notice(
                    owner.slack_id,
                    f"<@{by}> heeft *{escape(current.name)}* bijgewerkt: {what}.",
                    "programme update DM",
                )
            )
        return Updated(card, update, notices)

    def no_change(self, activity_id: int, *, actor: Actor, now: datetime) -> Card:
        """ "Geen wijziging" from the monthly DM: recorded, so the regievoerders see it was
        looked at."""
        self.may_update(activity_id, actor)
        try:
            self.store.record(activity_id, kind="no_change", by=actor.by, now=now)
        except UnknownActivityError:
            raise DomainError(ACTIVITY_GONE) from None
        return self.card(activity_id, now)

    # -- the clock -------------------------------------------------------------------------------

    def settings(self) -> ProgrammeSettings | None:
        return self.model().settings

    def digests(self, now: datetime) -> list[Digest]:
        """One per action holder with open activities and a Slack ID."""
        model = self.model()
        today = today_in(now, self.tz)
        per_owner: dict[str, list[Row]] = {}
        for view in model.activities:
            if view.status.closed or not view.owner_key:
                continue
            per_owner.setdefault(view.owner_key, []).append(self._row(model, view, today))
        found = []
        for key, rows in per_owner.items():
            person = model.people.get(key)
            if person is not None and person.slack_id:
                # The DM lists the first 20: what is late or at risk must be among them.
                rows.sort(key=lambda r: (not r.late, not r.at_risk, r.view.deadline))
                found.append(Digest(person.slack_id, person, rows, today))
        return found

    def digest_for(self, person_key: str, now: datetime) -> Digest | None:
        return next((d for d in self.digests(now) if d.person.key == person_key), None)

    def untracked(self, now: datetime) -> list[Row]:
        """The open activities whose monthly DM nobody gets: no action holder, one who is no
        longer in the team overview, or one without a Slack ID."""
        model = self.model()
        today = today_in(now, self.tz)
        rows = [
            self._row(model, view, today)
            for view in model.activities
            if not view.status.closed and not ((owner := model.owner(view)) and owner.slack_id)
        ]
        rows.sort(key=lambda r: (r.view.deadline, r.view.name))
        return rows

    def untracked_readers(self, now: datetime) -> list[PersonView]:
        """Who hears of the activities nobody is reminded of: the team leads (people.yaml's
        access), or when none has a Slack ID, the regievoerders, who direct the programme."""
        model = self.model()
        leads = self.access.config(now).team_leads if self.access is not None else frozenset()
        found = sorted(
            (p for p in model.people.values() if p.slack_id and p.slack_id in leads),
            key=lambda p: p.key,
        )
        return found or self.regievoerders()

    def untracked_notice(self, to: str, now: datetime) -> Notice | None:
        """The DM, in the monthly round, about the open activities no action holder is
        reminded of; None when every open activity has one (anymore)."""
        rows = self.untracked(now)
        if not rows:
            return None
        model = self.model()
        count = len(rows)
        lines = [
            f"📋 Uitvoeringsprogramma: {count} open "
            f"{'activiteit krijgt' if count == 1 else 'activiteiten krijgen'} deze maand geen "
            "herinnering, omdat niemand met een Slack-account er actiehouder van is:"
        ]
        for row in rows[:LATE_LIST_LIMIT]:
            view = row.view
            lines.append(
                f"• *{escape(view.name)}* — {_untracked_reason(model, view)}; status: "
                f"{view.status.value}, deadline {format_date(view.deadline)}"
            )
        if count > LATE_LIST_LIMIT:
            lines.append(f"• en nog {count - LATE_LIST_LIMIT}")
        lines.append(
            "Wijs een actiehouder aan (`owner` in `config/programma.yaml`) of vul het Slack "
            "member-ID in (`config/people.yaml`), en draai `oov-bot import`."
        )
        return Notice(to, "\n".join(lines), "programme activities without a reminded holder")

    def late_activities(self, now: datetime) -> list[Row]:
        model = self.model()
        today = today_in(now, self.tz)
        return [
            self._row(model, a, today)
            for a in model.activities
            if is_late(a.deadline, a.status, today)
        ]

    def late_notice(
        self, activities: Sequence[tuple[int, date]], to: str, now: datetime
    ) -> Notice | None:
        """The regievoerder's DM about activities whose deadline passed, each given as planned
        (id, deadline): one DM for all that passed together (the end of a year ends many), so no
        string of DMs. What was finished or moved meanwhile is left out; None when nothing is."""
        model = self.model()
        today = today_in(now, self.tz)
        views = sorted(
            (
                view
                for activity_id, deadline in activities
                if (view := model.by_id.get(activity_id)) is not None
                and view.deadline == deadline
                and is_late(view.deadline, view.status, today)
            ),
            key=lambda v: (v.deadline, v.name),
        )
        if not views:
            return None
        if len(views) == 1:
            (view,) = views
            text = (
                f"⏰ De deadline van *{escape(view.name)}* ({format_date(view.deadline)}) is "
                f"verstreken en de activiteit is niet afgerond (status: {view.status.value}). "
                f"Actiehouder: {self._holder(model, view)}. Bekijk haar met "
                f"`/programma {view.key}`."
            )
            return Notice(to, text, "programme deadline passed")
        lines = [
            f"⏰ Van {len(views)} activiteiten is de deadline verstreken en ze zijn niet afgerond:"
        ]
        for view in views[:LATE_LIST_LIMIT]:
            lines.append(
                f"• *{escape(view.name)}* — deadline {format_date(view.deadline)}, status: "
                f"{view.status.value}, actiehouder: {self._holder(model, view)}"
            )
        if len(views) > LATE_LIST_LIMIT:
            lines.append(f"• en nog {len(views) - LATE_LIST_LIMIT}")
        lines.append("Bekijk ze met `/programma achter`.")
        return Notice(to, "\n".join(lines), "programme deadlines passed")

    @staticmethod
    def _holder(model: _Model, view: ActivityView) -> str:
        owner = model.owner(view)
        if owner is None:
            return "niemand"
        return f"<@{owner.slack_id}>" if owner.slack_id else escape(owner.name)

    def regievoerders(self) -> list[PersonView]:
        model = self.model()
        if model.settings is None:
            return []
        return [
            p
            for key in model.settings.regievoerders
            if (p := model.people.get(key)) is not None and p.slack_id
        ]

    def meeting_lines(
        self, series_key: str, since: datetime | None, now: datetime
    ) -> list[MeetingLine]:
        """The activities discussed in a meeting series, with what changed since `since` (the
        previous meeting)."""
        model = self.model()
        linked = [a for a in model.activities if a.activity.config.meeting == series_key]
        if not linked:
            return []
        today = today_in(now, self.tz)
        updates = self.store.updates(
            since=since or datetime.min.replace(tzinfo=UTC),
            until=now,
            activity_ids=[a.id for a in linked],
        )
        per: dict[int, list[UpdateView]] = {}
        for u in updates:
            if u.kind != "no_change":
                per.setdefault(u.activity_id, []).append(u)
        return [MeetingLine(self._row(model, a, today), per.get(a.id, [])) for a in linked]

    def purge_notes(self, now: datetime) -> int:
        settings = self.settings()
        if settings is None:
            return 0
        cutoff = now - timedelta(days=round(settings.retention_months * 30.44))
        return self.store.purge_notes(cutoff)

    # -- the report ------------------------------------------------------------------------------

    def report(self, until: date, now: datetime) -> Document:
        """The progress report for the college, as recorded up to and including `until`."""
        model = self._require()
        settings = model.settings
        assert settings is not None
        end_of_day = datetime.combine(until + timedelta(days=1), datetime.min.time(), self.tz)
        updates = [u for u in self.store.updates() if u.at < end_of_day]
        per: dict[int, list[UpdateView]] = {}
        for u in updates:
            per.setdefault(u.activity_id, []).append(u)
        return build_report(model, settings, per, until, now, self.tz)


# --- the report document -------------------------------------------------------------------------


def _untracked_reason(model: _Model, view: ActivityView) -> str:
    """Why nobody is reminded of `view`, in Dutch."""
    if not view.owner_key:
        return "geen actiehouder"
    owner = model.owner(view)
    if owner is None:
        return f"actiehouder `{view.owner_key}` staat niet (meer) in het teamoverzicht"
    return f"actiehouder {escape(owner.name)} heeft geen Slack-ID"


# `/programma` asked in everyday Dutch: "wat is te laat", "wat loopt achter", "mijn activiteiten".
_QUESTION_WORDS = ("wat", "welke", "is", "zijn", "loopt", "lopen", "staat", "staan")
_BEHIND_WORDS = (
    "achter", "achterstand", "laat", "telaat", "achteropschema", "vertraagd", "vertraging",
)  # fmt: skip
_MINE_WORDS = ("activiteit", "activiteiten")
_PRIORITY_WORD = re.compile(r"^\s*prioriteit\s+", re.IGNORECASE)


def _asks_mine(read: CommandWords) -> bool:
    """'mijn', 'ik', … or 'mijn activiteiten'."""
    words = read.words
    return read.is_self or (
        len(words) == 2 and fold(words[0]) in SELF_WORDS and compact(words[1]) in _MINE_WORDS
    )


def _asks_behind(read: CommandWords) -> bool:
    words = [compact(w) for w in read.words]
    while len(words) > 1 and words[0] in _QUESTION_WORDS:
        words.pop(0)
    return "".join(words) in _BEHIND_WORDS


def _priority_key(text: str) -> str:
    """A priority name to compare: 'Zorg & veiligheid' is 'Zorg en veiligheid'."""
    return compact(text.replace("&", " en "))


def _state_at(view: ActivityView, history: Sequence[UpdateView]) -> tuple[Status, date]:
    """The status and deadline as recorded in `history` (already cut at the report date)."""
    status, deadline = Status.NIET_GESTART, view.original_deadline
    for u in history:
        if u.status_to is not None:
            status = u.status_to
        if u.deadline_to is not None:
            deadline = u.deadline_to
    return status, deadline


@functools.lru_cache(maxsize=4096)
def _day_text(day: date) -> str:
    """format_date, remembered: a report names the same days thousands of times."""
    return format_date(day)


def _done_line(u: UpdateView, tz: tzinfo) -> str | None:
    day = _day_text(u.at.astimezone(tz).date())
    parts = []
    if u.status_from != u.status_to and u.status_to is not None:
        parts.append(f"status {u.status_to.value}")
    if u.deadline_to is not None and u.kind != "import":
        parts.append(f"deadline verplaatst naar {_day_text(u.deadline_to)}")
    if u.spent is not None:
        parts.append(f"uitgegeven {euro(u.spent)}")
    head = f"{day} — {', '.join(parts)}" if parts else day
    if u.note:
        return f"{head}: {u.note}"
    return head if parts else None


def build_report(
    model: _Model,
    settings: ProgrammeSettings,
    per: dict[int, list[UpdateView]],
    until: date,
    now: datetime,
    tz: tzinfo,
) -> Document:
    # The document model only when a report is written: not in every web process's start.
    from bot.core.documents import Bullets, Document, Heading, Paragraph, Table

    blocks: list[Heading | Paragraph | Bullets | Table] = []
    states = {a.id: _state_at(a, per.get(a.id, [])) for a in model.activities}
    # A deadline has passed when it lies within the report's period (which runs to the end of
    # `until`), but never one still to come: a report "tot" a future date does not call an
    # activity late before its deadline is there.
    today = now.astimezone(tz).date()
    passed_before = min(until + timedelta(days=1), today)
    counted_from = min(until, today)
    blocks.append(Heading("Inleiding", 1))
    blocks.append(
        Paragraph(
            f"Deze rapportage beschrijft de uitvoering van het {settings.name} tot en met "
            f"{format_date(until)}. Per prioriteit staan de activiteiten met hun doel, hun status "
            "en wat er is gedaan, zoals het team dat gedurende de periode heeft vastgelegd. "
            "Daarna volgen de activiteiten die (gedeeltelijk) niet zijn uitgevoerd, met de reden, "
            "en het budgetoverzicht."
        )
    )
    priorities = list(settings.priorities) or list(
        dict.fromkeys((a.activity.priority_key, a.activity.priority_name) for a in model.activities)
    )
    summary_rows = []
    for key, name in priorities:
        statuses = [states[a.id][0] for a in model.activities if a.activity.priority_key == key]
        summary_rows.append((name, *(str(statuses.count(s)) for s in Status), str(len(statuses))))
    blocks.append(
        Table(
            ("Prioriteit", *(s.label for s in Status), "Totaal"),
            tuple(summary_rows),
            caption=f"Status per prioriteit op {format_date(until)}",
        )
    )
    blocks.append(Heading("Uitvoering per prioriteit", 1))
    for number, (key, name) in enumerate(priorities, start=1):
        activities = [a for a in model.activities if a.activity.priority_key == key]
        blocks.append(Heading(f"{number}. {name}", 2))
        if not activities:
            blocks.append(Paragraph("Onder deze prioriteit staan (nog) geen activiteiten."))
        for view in activities:
            status, deadline = states[view.id]
            config = view.activity.config
            blocks.append(Heading(view.name, 3))
            if config.criterion:
                blocks.append(Paragraph(f"Doel behaald als: {config.criterion}"))
            deadline_text = f"deadline {format_date(deadline)}"
            if deadline != view.original_deadline:
                deadline_text += f" (oorspronkelijk {format_date(view.original_deadline)})"
            # Late or at risk on the report's date, as in the table of what was not done.
            if not status.closed and deadline < passed_before:
                deadline_text += " (verstreken, niet afgerond)"
            elif not status.closed and deadline - counted_from <= AT_RISK_WINDOW:
                days = (deadline - counted_from).days
                deadline_text += (
                    f" (nog {days} dag{'en' if days != 1 else ''}, dreigt te laat te komen)"
                )
            owner = model.owner(view)
            blocks.append(
                Paragraph(
                    f"Status: {status.value}; {deadline_text}. "
                    f"Actiehouder: {owner.name if owner else 'niet toegewezen'}."
                )
            )
            # What the college decides on: the money and who answers for it in the college.
            spent = sum_spent(per.get(view.id, [])).get(view.id)
            facts = [
                *([f"Budget: {config.budget.rstrip('.')}."] if config.budget else []),
                *([f"Uitgegeven (vastgelegd): {euro(spent)}."] if spent else []),
                *(
                    [f"Bestuurlijk aanspreekpunt: {config.portfolio_holder.rstrip('.')}."]
                    if config.portfolio_holder
                    else []
                ),
            ]
            if facts:
                blocks.append(Paragraph(" ".join(facts)))
            done = [line for u in per.get(view.id, []) if (line := _done_line(u, tz))]
            if done:
                blocks.append(Bullets(tuple(done)))
            else:
                blocks.append(Paragraph("Er is over deze activiteit niets vastgelegd."))
    blocks.append(Heading("Niet of gedeeltelijk uitgevoerd", 1))
    missed = []
    for view in model.activities:
        status, deadline = states[view.id]
        if status is Status.AFGEROND:
            continue
        if status in (Status.LOOPT, Status.NIET_GESTART) and deadline >= passed_before:
            continue  # not due yet at the report's date
        reasons = [
            u.note
            for u in per.get(view.id, [])
            if u.note
            and (u.status_to in (Status.VERTRAAGD, Status.GESCHRAPT) or u.deadline_to is not None)
        ]
        reason = reasons[-1] if reasons else "geen reden vastgelegd"
        missed.append((view.name, status.value, format_date(deadline), reason))
    if missed:
        blocks.append(
            Paragraph(
                "De volgende activiteiten zijn (gedeeltelijk) niet uitgevoerd: vertraagd, "
                "geschrapt, of niet afgerond terwijl de deadline is verstreken."
            )
        )
        blocks.append(Table(("Activiteit", "Status", "Deadline", "Reden"), tuple(missed)))
    else:
        blocks.append(Paragraph("Alle activiteiten liggen op schema of zijn afgerond."))
    blocks += _budget_blocks(model, settings, per)
    subtitle = (
        f"{settings.organisation + ' — ' if settings.organisation else ''}voortgangsrapportage "
        f"tot en met {format_date(until)} (gemaakt op {format_date(now.astimezone(tz).date())})"
    )
    return Document(
        title=f"Voortgangsrapportage {settings.name}",
        subtitle=subtitle,
        blocks=tuple(blocks),
        created=now,
    )


def _budget_blocks(
    model: _Model, settings: ProgrammeSettings, per: dict[int, list[UpdateView]]
) -> list[Heading | Paragraph | Table]:
    from bot.core.documents import Heading, Paragraph, Table

    spent = sum_spent([u for updates in per.values() for u in updates])
    spent_by_key = {a.key: spent.get(a.id, Decimal(0)) for a in model.activities}
    rows = []
    budgeted = Decimal(0)
    shown_keys = set()
    for line in settings.budget_lines:
        line_spent = spent_by_key.get(line.activity, Decimal(0)) if line.activity else None
        if line.activity:
            shown_keys.add(line.activity)
        budgeted += line.cost or Decimal(0)
        rows.append((line.subject, euro(line.cost), euro(line_spent) if line_spent else "—"))
    for view in model.activities:
        amount = spent_by_key.get(view.key, Decimal(0))
        if amount and view.key not in shown_keys:
            rows.append((view.name, euro(view.activity.budget_amount), euro(amount)))
            budgeted += view.activity.budget_amount or Decimal(0)
    total_spent = sum(spent.values(), Decimal(0))
    available = settings.budget_available
    blocks: list[Heading | Paragraph | Table] = [Heading("Budget", 1)]
    if not rows and available is None:
        blocks.append(Paragraph("Er is geen budget vastgelegd."))
        return blocks
    rows.append(("Totaal kosten (begroot)", euro(budgeted), euro(total_spent)))
    blocks.append(
        Table(
            ("Onderwerp", "Kosten (begroot)", "Uitgegeven (vastgelegd)"),
            tuple(rows),
            caption="Budgetoverzicht",
        )
    )
    remainder = available - total_spent if available is not None else None
    blocks.append(
        Table(
            ("", "Bedrag"),
            (
                ("Beschikbaar budget", euro(available)),
                ("Uitgegeven (vastgelegd)", euro(total_spent)),
                ("Restant", euro(remainder)),
                (
                    "Restant na alle begrote kosten",
                    euro(available - budgeted if available is not None else None),
                ),
            ),
            caption="Beschikbaar, uitgegeven en restant",
        )
    )
    return blocks
