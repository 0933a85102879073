"""Persistence of the piket rota: planning shifts into the database, swaps and operator overrides
with their audit log, and the hashed tokens of the iCal feeds.

Shifts are planned by the pure `bot.core.rota.generate_shifts`; this module decides what that means
for stored rows: started shifts are never touched, a shift whose person changes keeps its uid and
gets SEQUENCE+1 and a new LAST-MODIFIED, unchanged shifts keep every byte. Every change a feed can
show moves `PiketState.version`, the cache key of rendered feeds.
"""

from __future__ import annotations

import threading
import uuid
from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from sqlalchemy import bindparam, event, or_, select, update
from sqlalchemy.orm import Session

from bot.core.config_files import TeamConfig
from bot.core.piket_feed import FeedScope, new_token, token_hash
from bot.core.rota import (
    PIKET_FILE,
    DayRange,
    PiketConfig,
    PiketFile,
    RotaError,
    RotaRules,
    Shift,
    generate_shifts,
    parse_piket_config,
    shifts_in,
    swap,
    unqualified,
)
from bot.language import format_datetime, format_period
from bot.language.format import day_month_text
from storage.import_report import ImportReport
from storage.models.piket import PiketChange, PiketFeedToken, PiketShift, PiketState, PiketSwap
from storage.models.team import Person
from storage.session import Database
from storage.team import PersonView, person_view
from storage.versions import PIKET, TEAM, ReadModel

STATE_ID = 1
UID_DOMAIN = "piket.oov-bot"


# --- views ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftView:
    id: int
    uid: str
    role: str
    person: PersonView | None
    start: datetime
    end: datetime
    sequence: int
    pinned: bool
    created_at: datetime
    last_modified: datetime

    @property
    def person_key(self) -> str | None:
        return self.person.key if self.person else None

    def as_shift(self) -> Shift:
        return Shift(self.role, self.person_key, self.start, self.end)


def _shift_view(row: PiketShift, person: Person | None) -> ShiftView:
    return ShiftView(
        id=row.id,
        uid=row.uid,
        role=row.role,
        person=person_view(person),
        start=row.start,
        end=row.end,
        sequence=row.sequence,
        pinned=row.pinned,
        created_at=row.created_at,
        last_modified=row.last_modified,
    )


class SwapStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"


@dataclass(frozen=True)
class SwapView:
    id: int
    status: SwapStatus
    shift_uid: str
    return_shift_uid: str | None
    from_person: PersonView
    to_person: PersonView
    proposed_by: str
    created_at: datetime
    answered_at: datetime | None
    # The shifts as they are now (None when planning has since removed them).
    shift: ShiftView | None
    return_shift: ShiftView | None


class SwapAnswer(StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"  # the shift changed, ended or can no longer go to the colleague
    ALREADY_ANSWERED = "already_answered"
    NOT_YOURS = "not_yours"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SwapResult:
    answer: SwapAnswer
    swap: SwapView | None
    reason: str = ""  # Dutch, for EXPIRED
    changed: tuple[ShiftView, ...] = ()  # the shifts as stored after an accepted swap


@dataclass(frozen=True)
class ShiftChangeView:
    shift_uid: str
    role: str
    start: datetime
    end: datetime
    previous: PersonView | None
    new: PersonView | None
    changed_by: str
    source: str
    changed_at: datetime


@dataclass(frozen=True)
class FeedTokenView:
    id: int
    person: PersonView
    scope: FeedScope
    created_at: datetime
    served_etag: str | None
    served_last_modified: datetime | None
    rota_version: int  # the cache key of the rendered feed


@dataclass(frozen=True)
class PlanReport:
    added: int = 0
    changed: int = 0
    removed: int = 0

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


# --- planning -------------------------------------------------------------------------------


def planning_horizon(config: PiketConfig, now: datetime) -> datetime:
    """Plan a month beyond what feeds show, so a feed is always full between daily roll-ons."""
    return now + relativedelta(months=max(12, config.feed_future_months) + 1)


def new_uid() -> str:
    return f"{uuid.uuid4()}@{UID_DOMAIN}"


class LocalChanges:
    """Counts the committed changes this process made to shifts and tokens, so its own caches
    drop what they hold at once; other processes' changes reach them after a short TTL."""

    count = 0

    @staticmethod
    def mark(s: Session) -> None:
        s.info["piket_changed"] = True


@event.listens_for(Session, "after_commit")
def _count_committed_change(session: Session) -> None:
    if session.info.pop("piket_changed", False):
        LocalChanges.count += 1


def _bump_version(s: Session, now: datetime) -> None:
    LocalChanges.mark(s)
    s.execute(
        update(PiketState)
        .where(PiketState.id == STATE_ID)
        .values(version=PiketState.version + 1, updated_at=now)
    )


def plan_rota(s: Session, config: PiketConfig, now: datetime, *, replan: bool) -> PlanReport:
    """Bring the stored shifts in line with the rules, up to the planning horizon.

    replan=False (the daily roll-on): every stored shift stays; only weeks not yet planned are
    added. replan=True (the rules changed): future shifts are planned afresh, except those
    swapped or set by an operator. Started shifts are never touched. Planning the same future
    again later may spread it differently (fairness looks at who served since), so the stored
    plan is only redone when the rules change.
    """
    people = {p.id: p for p in s.scalars(select(Person))}
    key_of = {pid: p.key for pid, p in people.items()}
    id_of = {p.key: pid for pid, p in people.items()}
    rows = list(s.scalars(select(PiketShift).order_by(PiketShift.start).with_for_update()))

    def as_shift(row: PiketShift) -> Shift:
        return Shift(row.role, key_of.get(row.person_id or -1), row.start, row.end)

    started = [r for r in rows if r.start <= now]
    future = [r for r in rows if r.start > now]
    replaceable = [r for r in future if replan and not r.pinned]
    fixed = [as_shift(r) for r in future if not (replan and not r.pinned)]
    history = [as_shift(r) for r in started]
    planned = generate_shifts(
        config.rules,
        now,
        planning_horizon(config, now),
        history=history,
        fixed=fixed,
        now=now,
    )
    kept = {*history, *fixed}
    slots = {(r.role, r.start): r for r in replaceable}
    to_insert: list[Shift] = []
    changed = 0
    for shift in planned:
        if shift in kept:
            continue
        row = slots.pop((shift.role, shift.start), None)
        if row is None:
            to_insert.append(shift)
            continue
        person_id = id_of.get(shift.person_key) if shift.person_key else None
        if row.person_id != person_id or row.end != shift.end:
            row.person_id, row.end = person_id, shift.end
            row.sequence += 1
            row.last_modified = now
            changed += 1
    for row in slots.values():  # no longer in the plan (the cycle or handover moved)
        s.delete(row)
    s.flush()  # deletes before inserts: a new shift may take a removed one's (role, start)
    for shift in to_insert:
        s.add(
            PiketShift(
                uid=new_uid(),
                role=shift.role,
                person_id=id_of.get(shift.person_key) if shift.person_key else None,
                start=shift.start,
                end=shift.end,
                sequence=0,
                pinned=False,
                created_at=now,
                last_modified=now,
            )
        )
    s.flush()
    report = PlanReport(added=len(to_insert), changed=changed, removed=len(slots))
    if report:
        _bump_version(s, now)
    return report


def import_piket(s: Session, team: TeamConfig, now: datetime, report: ImportReport) -> None:
    """The import step for piket.yaml (FEATURE_IMPORTERS): store the rules, plan the rota.

    Idempotent: an unchanged piket.yaml only rolls the horizon on. Swaps made in Slack stay."""
    piket_file: PiketFile | None = team.extra.get(PIKET_FILE)
    if piket_file is None:
        return
    state = s.get(PiketState, STATE_ID, with_for_update=True)
    names = {p.key: p.name for p in s.scalars(select(Person))}
    rules_changed = state is None or state.config_digest != piket_file.digest
    if state is None:
        state = PiketState(
            id=STATE_ID,
            config=dict(piket_file.data),
            config_digest=piket_file.digest,
            people_names=names,
            version=0,
            imported_at=now,
            updated_at=now,
        )
        s.add(state)
    elif rules_changed or state.people_names != names:
        renamed = {key for key, name in names.items() if state.people_names.get(key) != name}
        _touch_shifts_of(s, renamed, now)
        state.config, state.config_digest = dict(piket_file.data), piket_file.digest
        state.people_names = names
        state.imported_at = state.updated_at = now
        state.version += 1
        LocalChanges.mark(s)
    s.flush()
    pinned_future = s.scalars(
        select(PiketShift.id).where(PiketShift.pinned, PiketShift.start > now)
    ).all()
    plan = plan_rota(s, piket_file.config, now, replan=rules_changed)
    if plan.added:
        report.created.append(f"piket: {plan.added} dienst(en) ingepland")
    if plan.changed:
        kept = f" (geruilde diensten blijven staan: {len(pinned_future)})" if pinned_future else ""
        report.updated.append(f"piket: {plan.changed} dienst(en) opnieuw ingedeeld{kept}")
    if plan.removed:
        report.retired.append(f"piket: {plan.removed} dienst(en) vervallen")
    rules = piket_file.config.rules
    for shift in _pinned_unqualified(s, rules, now):
        who = names.get(shift.person_key or "", shift.person_key)
        day = day_month_text(shift.start.astimezone(rules.tz).date())
        report.conflicts.append(
            f"piket {shift.role} {format_period(shift.start, shift.end, tz=rules.tz)}: {who} "
            "blijft ingeroosterd (geruild of aangewezen) maar is dan niet gekwalificeerd volgens "
            f"piket.yaml; wijs iemand anders aan met `oov-bot piket zet {shift.role} "
            f"'{day}' <persoon>`"
        )


def _pinned_unqualified(s: Session, rules: RotaRules, now: datetime) -> list[Shift]:
    """Swapped or operator-set shifts still to run whose person piket.yaml no longer allows."""
    key_of = {p.id: p.key for p in s.scalars(select(Person))}
    rows = s.scalars(
        select(PiketShift)
        .where(PiketShift.pinned, PiketShift.end > now, PiketShift.person_id.is_not(None))
        .order_by(PiketShift.start, PiketShift.role)
    )
    shifts = [Shift(r.role, key_of.get(r.person_id or -1), r.start, r.end) for r in rows]
    return unqualified(rules, shifts)


def export_piket(s: Session) -> dict[str, Any]:
    """`oov-bot export`: piket.yaml as last imported (swaps and overrides live in the database
    and survive a re-import of this file)."""
    state = s.get(PiketState, STATE_ID)
    return {} if state is None else {PIKET_FILE: state.config}


def _already_on_duty(
    s: Session, person: Person, row: PiketShift, given_away: list[str], tz: tzinfo
) -> str | None:
    """Why `person` cannot take `row`: they hold another shift at the same time (one person, one
    role at a time, as the planner does), not counting shifts they give away in the same swap."""
    other = s.scalar(
        select(PiketShift).where(
            PiketShift.person_id == person.id,
            PiketShift.uid.not_in([row.uid, *given_away]),
            PiketShift.start < row.end,
            PiketShift.end > row.start,
        )
    )
    if other is None:
        return None
    return (
        f"{person.name} heeft dan al piket als {other.role} (vanaf "
        f"{format_datetime(other.start, tz=tz)}); niemand kan twee rollen tegelijk vervullen."
    )


def _touch_shifts_of(s: Session, person_keys: set[str], now: datetime) -> None:
    """A renamed person's shifts that have not ended show a new SUMMARY: a change for clients."""
    if not person_keys:
        return
    ids = select(Person.id).where(Person.key.in_(person_keys))
    s.execute(
        update(PiketShift)
        .where(PiketShift.person_id.in_(ids), PiketShift.end > now)
        .values(sequence=PiketShift.sequence + 1, last_modified=now)
        .execution_options(synchronize_session=False)
    )


# --- the store ------------------------------------------------------------------------------

_FEED_TOKEN_QUERY = (
    select(
        PiketFeedToken.id,
        PiketFeedToken.scope,
        PiketFeedToken.created_at,
        PiketFeedToken.served_etag,
        PiketFeedToken.served_last_modified,
        PiketState.version,
        Person.id,
        Person.key,
        Person.name,
        Person.slack_id,
        Person.hours_per_week,
    )
    .join(Person, Person.id == PiketFeedToken.person_id)
    .join(PiketState, PiketState.id == STATE_ID)
    .where(
        PiketFeedToken.token_hash == bindparam("hashed"),
        PiketFeedToken.revoked_at.is_(None),
        Person.active,
    )
)


# Core, executed for many rows at once; Last-Modified only moves forward, also when two web
# processes serve the same token.
_RECORD_SERVED = (
    update(PiketFeedToken)
    .where(
        PiketFeedToken.id == bindparam("token_id"),
        or_(
            PiketFeedToken.served_last_modified.is_(None),
            PiketFeedToken.served_last_modified <= bindparam("modified"),
        ),
    )
    .values(served_etag=bindparam("etag"), served_last_modified=bindparam("modified"))
)


@dataclass(frozen=True)
class RotaSnapshot:
    """Every stored shift (a row per role per duty week: a few hundred after years) with its
    person, by start, at one piket and team data version; ranges are answered by bisection."""

    shifts: tuple[ShiftView, ...]  # by start, then id (as the query orders them)
    starts: tuple[datetime, ...]
    longest: timedelta

    @classmethod
    def of(cls, shifts: list[ShiftView]) -> RotaSnapshot:
        longest = max((s.end - s.start for s in shifts), default=timedelta(0))
        return cls(tuple(shifts), tuple(s.start for s in shifts), longest)

    def between(
        self, start: datetime | None, end: datetime | None, person_id: int | None
    ) -> list[ShiftView]:
        """Shifts overlapping [start, end), as PiketStore.shifts answers."""
        low = 0 if start is None else bisect_left(self.starts, start - self.longest)
        high = len(self.starts) if end is None else bisect_left(self.starts, end)
        return [
            s
            for s in self.shifts[low:high]
            if (start is None or s.end > start)
            and (person_id is None or (s.person is not None and s.person.id == person_id))
        ]


class _HasDatabase(Protocol):
    db: Database

    @property
    def tz(self) -> ZoneInfo: ...


def new_store(ctx: _HasDatabase) -> PiketStore:
    """A store for an app context: `ctx.service(new_store)` gives the context's shared one, so
    every adapter (listeners, feeds, the clock, the Home) reads one rota read model."""
    return PiketStore(ctx.db, ctx.tz)


class PiketStore:
    def __init__(self, db: Database, tz: ZoneInfo) -> None:
        self.db = db
        self.tz = tz
        self._lock = threading.Lock()
        self._config: tuple[str, PiketConfig] | None = None
        self._config_model = ReadModel(db, (PIKET,), self._load_config)
        self._rota = ReadModel(db, (PIKET, TEAM), self._load_rota)

    # -- rules and versions ----------------------------------------------------------------

    def config(self) -> PiketConfig | None:
        """The rules as last imported (None: piket.yaml was never imported), parsed once per
        import."""
        return self._config_model.get()

    def _load_config(self) -> PiketConfig | None:
        with self.db.session() as s:
            digest = s.scalar(select(PiketState.config_digest).where(PiketState.id == STATE_ID))
            if digest is None:
                return None
            with self._lock:
                if self._config and self._config[0] == digest:
                    return self._config[1]
            data = s.scalar(select(PiketState.config).where(PiketState.id == STATE_ID))
        config = parse_piket_config(data, tz=self.tz)
        with self._lock:
            self._config = (digest, config)
        return config

    def _load_rota(self) -> RotaSnapshot:
        query = (
            select(PiketShift, Person)
            .outerjoin(Person, Person.id == PiketShift.person_id)
            .order_by(PiketShift.start, PiketShift.id)
        )
        with self.db.session() as s:
            return RotaSnapshot.of([_shift_view(row, person) for row, person in s.execute(query)])

    def rota_version(self) -> int | None:
        """The version feeds are cached under (None: piket.yaml was never imported)."""
        with self.db.engine.connect() as conn:
            return conn.execute(
                select(PiketState.version).where(PiketState.id == STATE_ID)
            ).scalar_one_or_none()

    def refresh(self) -> None:
        """Rebuild what changed since the last read (for the clock or a post-write hook)."""
        self._config_model.refresh()
        self._rota.refresh()

    def plan(self, now: datetime, *, replan: bool = False) -> PlanReport:
        """Roll the planning horizon on (the clock does this daily)."""
        config = self.config()
        if config is None:
            return PlanReport()
        with self.db.session() as s:
            if s.get(PiketState, STATE_ID, with_for_update=True) is None:
                return PlanReport()
            return plan_rota(s, config, now, replan=replan)

    # -- shifts ----------------------------------------------------------------------------

    def shifts(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        person_id: int | None = None,
    ) -> list[ShiftView]:
        """Shifts overlapping [start, end), by start then role order of the query; answered from
        the rota's read model (one version query when nothing changed)."""
        return self._rota.get().between(start, end, person_id)

    def shifts_from_database(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        person_id: int | None = None,
    ) -> list[ShiftView]:
        """`shifts` straight from the tables (what the read model must equal; tests compare)."""
        query = (
            select(PiketShift, Person)
            .outerjoin(Person, Person.id == PiketShift.person_id)
            .order_by(PiketShift.start, PiketShift.id)
        )
        if start is not None:
            query = query.where(PiketShift.end > start)
        if end is not None:
            query = query.where(PiketShift.start < end)
        if person_id is not None:
            query = query.where(PiketShift.person_id == person_id)
        with self.db.session() as s:
            return [_shift_view(row, person) for row, person in s.execute(query)]

    def shift(self, uid: str) -> ShiftView | None:
        with self.db.session() as s:
            found = s.execute(
                select(PiketShift, Person)
                .outerjoin(Person, Person.id == PiketShift.person_id)
                .where(PiketShift.uid == uid)
            ).one_or_none()
            return _shift_view(*found) if found else None

    def _apply(
        self,
        s: Session,
        row: PiketShift,
        to_person: Person,
        rules_config: PiketConfig,
        *,
        now: datetime,
        by: str,
        source: str,
        swap_id: int | None = None,
    ) -> list[PiketShift]:
        """Hand `row` to `to_person` (a running shift is split at `now`); audited. Raises
        RotaError when the person is not qualified or the shift is over."""
        previous = s.get(Person, row.person_id) if row.person_id else None
        current = Shift(row.role, previous.key if previous else None, row.start, row.end)
        parts = swap(
            rules_config.rules, current, to_person.key, now=now, person_name=to_person.name
        )
        if len(parts) == 1:
            row.person_id = to_person.id
            changed = row
        else:  # the part already served stays with the previous person
            row.end = parts[0].end
            changed = PiketShift(
                uid=new_uid(),
                role=row.role,
                person_id=to_person.id,
                start=parts[1].start,
                end=parts[1].end,
                sequence=0,
                created_at=now,
                last_modified=now,
            )
            s.add(changed)
        for touched in {row, changed}:
            touched.pinned = True
            touched.last_modified = now
        row.sequence += 1
        s.add(
            PiketChange(
                shift_uid=changed.uid,
                role=changed.role,
                start=changed.start,
                end=changed.end,
                from_person_id=previous.id if previous else None,
                to_person_id=to_person.id,
                changed_by=by,
                source=source,
                swap_id=swap_id,
                changed_at=now,
            )
        )
        s.flush()
        return [row] if changed is row else [row, changed]

    def set_person(
        self, role: str, days: DayRange, person_key: str, *, now: datetime, by: str = "cli"
    ) -> tuple[PersonView | None, list[ShiftView]]:
        """Operator override: give the `role` shift on `days` to a person (pinned, audited).
        Returns the previous holder and the shifts as stored now. Raises RotaError (Dutch) when
        there is no such shift or the person cannot take it."""
        config = self._require_config()
        role_rota = config.rules.role(role)
        if role_rota is None:
            known = ", ".join(r.name for r in config.rules.roles)
            raise RotaError(f"Onbekende rol ‘{role}’; kies uit {known}.")
        with self.db.session() as s:
            person = s.scalar(select(Person).where(Person.key == person_key, Person.active))
            if person is None:
                raise RotaError(
                    f"Onbekende persoon ‘{person_key}’ (gebruik de sleutel uit people.yaml)."
                )
            rows = list(
                s.scalars(
                    select(PiketShift)
                    .where(PiketShift.role == role_rota.name, PiketShift.end > now)
                    .order_by(PiketShift.start)
                    .with_for_update()
                )
            )
            by_shift = {Shift(r.role, None, r.start, r.end): r for r in rows}
            matches = shifts_in(list(by_shift), days, self.tz)
            if not matches:
                raise RotaError(f"Er is geen komende {role_rota.name}-dienst op {days.label}.")
            row = by_shift[matches[0]]
            previous = person_view(s.get(Person, row.person_id)) if row.person_id else None
            changed = self._apply(s, row, person, config, now=now, by=by, source="cli")
            _bump_version(s, now)
            return previous, [
                _shift_view(r, s.get(Person, r.person_id) if r.person_id else None) for r in changed
            ]

    def _require_config(self) -> PiketConfig:
        config = self.config()
        if config is None:
            raise RotaError(
                "Er is nog geen piketrooster: zet config/piket.yaml klaar en draai "
                "`oov-bot import`."
            )
        return config

    def changes(self, shift_uid: str | None = None) -> list[ShiftChangeView]:
        with self.db.session() as s:
            query = select(PiketChange).order_by(PiketChange.changed_at, PiketChange.id)
            if shift_uid is not None:
                query = query.where(PiketChange.shift_uid == shift_uid)
            return [
                ShiftChangeView(
                    shift_uid=c.shift_uid,
                    role=c.role,
                    start=c.start,
                    end=c.end,
                    previous=person_view(s.get(Person, c.from_person_id))
                    if c.from_person_id
                    else None,
                    new=person_view(s.get(Person, c.to_person_id)) if c.to_person_id else None,
                    changed_by=c.changed_by,
                    source=c.source,
                    changed_at=c.changed_at,
                )
                for c in s.scalars(query)
            ]

    # -- swaps -----------------------------------------------------------------------------

    def propose_swap(
        self,
        shift_uid: str,
        to_person_id: int,
        *,
        return_shift_uid: str | None = None,
        proposed_by: str,
        now: datetime,
    ) -> SwapView:
        """Store an open proposal after checking it could be accepted now (RotaError if not)."""
        config = self._require_config()
        with self.db.session() as s:
            row = s.scalar(select(PiketShift).where(PiketShift.uid == shift_uid))
            to_person = s.get(Person, to_person_id)
            if row is None or row.person_id is None or to_person is None:
                raise RotaError("Deze dienst bestaat niet (meer).")
            from_person = s.get(Person, row.person_id)
            assert from_person is not None
            if to_person.id == from_person.id:
                raise RotaError("Je kunt niet met jezelf ruilen.")
            swap(
                config.rules,
                Shift(row.role, from_person.key, row.start, row.end),
                to_person.key,
                now=now,
                person_name=to_person.name,
            )
            given_back = [return_shift_uid] if return_shift_uid else []
            if reason := _already_on_duty(s, to_person, row, given_back, self.tz):
                raise RotaError(reason)
            if return_shift_uid is not None:
                back = s.scalar(select(PiketShift).where(PiketShift.uid == return_shift_uid))
                if back is None or back.person_id != to_person.id:
                    raise RotaError(f"{to_person.name} heeft die dienst niet.")
                swap(
                    config.rules,
                    Shift(back.role, to_person.key, back.start, back.end),
                    from_person.key,
                    now=now,
                    person_name=from_person.name,
                )
                if reason := _already_on_duty(s, from_person, back, [shift_uid], self.tz):
                    raise RotaError(reason)
            proposal = PiketSwap(
                shift_uid=shift_uid,
                return_shift_uid=return_shift_uid,
                from_person_id=from_person.id,
                to_person_id=to_person.id,
                status=SwapStatus.OPEN.value,
                proposed_by=proposed_by,
                created_at=now,
            )
            s.add(proposal)
            s.flush()
            return self._swap_view(s, proposal)

    def swap(self, swap_id: int) -> SwapView | None:
        with self.db.session() as s:
            proposal = s.get(PiketSwap, swap_id)
            return self._swap_view(s, proposal) if proposal else None

    def _swap_view(self, s: Session, proposal: PiketSwap) -> SwapView:
        def current(uid: str | None) -> ShiftView | None:
            if uid is None:
                return None
            found = s.execute(
                select(PiketShift, Person)
                .outerjoin(Person, Person.id == PiketShift.person_id)
                .where(PiketShift.uid == uid)
            ).one_or_none()
            return _shift_view(*found) if found else None

        from_person = person_view(s.get(Person, proposal.from_person_id))
        to_person = person_view(s.get(Person, proposal.to_person_id))
        assert from_person is not None and to_person is not None
        return SwapView(
            id=proposal.id,
            status=SwapStatus(proposal.status),
            shift_uid=proposal.shift_uid,
            return_shift_uid=proposal.return_shift_uid,
            from_person=from_person,
            to_person=to_person,
            proposed_by=proposal.proposed_by,
            created_at=proposal.created_at,
            answered_at=proposal.answered_at,
            shift=current(proposal.shift_uid),
            return_shift=current(proposal.return_shift_uid),
        )

    def answer_swap(
        self, swap_id: int, *, accept: bool, by_slack_id: str, now: datetime
    ) -> SwapResult:
        """Accept or decline a proposal, once, by the colleague it was made to. On acceptance
        both shifts change in one transaction (pinned, SEQUENCE+1, audited)."""
        config = self.config()
        with self.db.session() as s:
            proposal = s.get(PiketSwap, swap_id)
            if proposal is None:
                return SwapResult(SwapAnswer.UNKNOWN, None)
            to_person = s.get(Person, proposal.to_person_id)
            from_person = s.get(Person, proposal.from_person_id)
            assert to_person is not None and from_person is not None
            if to_person.slack_id != by_slack_id:
                return SwapResult(SwapAnswer.NOT_YOURS, self._swap_view(s, proposal))
            # Claim the proposal first: of two clicks at once, one finds it no longer open.
            claimed = s.execute(
                update(PiketSwap)
                .where(PiketSwap.id == swap_id, PiketSwap.status == SwapStatus.OPEN.value)
                .values(answered_by=by_slack_id, answered_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            s.refresh(proposal)
            if not claimed:
                return SwapResult(SwapAnswer.ALREADY_ANSWERED, self._swap_view(s, proposal))
            if not accept:
                proposal.status = SwapStatus.DECLINED.value
                return SwapResult(SwapAnswer.DECLINED, self._swap_view(s, proposal))

            reason, moves = self._swap_moves(s, proposal, from_person, to_person, config, now)
            if reason or config is None:
                proposal.status = SwapStatus.EXPIRED.value
                return SwapResult(SwapAnswer.EXPIRED, self._swap_view(s, proposal), reason)
            changed: list[PiketShift] = []
            for row, taker in moves:
                changed += self._apply(
                    s, row, taker, config, now=now, by=by_slack_id, source="slack",
                    swap_id=proposal.id,
                )  # fmt: skip
            proposal.status = SwapStatus.ACCEPTED.value
            _bump_version(s, now)
            s.flush()
            views = tuple(
                _shift_view(r, s.get(Person, r.person_id) if r.person_id else None) for r in changed
            )
            return SwapResult(SwapAnswer.ACCEPTED, self._swap_view(s, proposal), changed=views)

    def _swap_moves(
        self,
        s: Session,
        proposal: PiketSwap,
        from_person: Person,
        to_person: Person,
        config: PiketConfig | None,
        now: datetime,
    ) -> tuple[str, list[tuple[PiketShift, Person]]]:
        """(why the proposal can no longer be carried out, or "", the moves to make). Checked in
        full before anything changes, so both shifts move or neither does."""
        if config is None:
            return "Er is geen piketrooster meer.", []
        wanted = [(proposal.shift_uid, from_person, to_person)]
        if proposal.return_shift_uid:
            wanted.append((proposal.return_shift_uid, to_person, from_person))
        moves: list[tuple[PiketShift, Person]] = []
        for uid, holder, taker in wanted:
            row = s.scalar(select(PiketShift).where(PiketShift.uid == uid).with_for_update())
            if row is None or row.person_id != holder.id:
                return "De dienst is inmiddels gewijzigd; dit voorstel vervalt.", []
            try:
                swap(
                    config.rules,
                    Shift(row.role, holder.key, row.start, row.end),
                    taker.key,
                    now=now,
                    person_name=taker.name,
                )
            except RotaError as exc:
                return exc.message, []
            given_away = [u for u, giver, _ in wanted if giver.id == taker.id]
            if reason := _already_on_duty(s, taker, row, given_away, self.tz):
                return reason, []
            moves.append((row, taker))
        return "", moves

    # -- feed tokens -----------------------------------------------------------------------

    def issue_tokens(
        self, person_id: int, *, now: datetime, revoke_existing: bool = False
    ) -> tuple[dict[FeedScope, str], int]:
        """New feed tokens (one per scope) for a person; with revoke_existing the old ones stop
        working. Returns the tokens (shown once, never stored) and how many were revoked."""
        tokens = {scope: new_token() for scope in FeedScope}
        with self.db.session() as s:
            revoked = 0
            if revoke_existing:
                revoked = s.execute(
                    update(PiketFeedToken)
                    .where(
                        PiketFeedToken.person_id == person_id, PiketFeedToken.revoked_at.is_(None)
                    )
                    .values(revoked_at=now)
                ).rowcount
            for scope, token in tokens.items():
                s.add(
                    PiketFeedToken(
                        token_hash=token_hash(token),
                        person_id=person_id,
                        scope=scope.value,
                        created_at=now,
                    )
                )
            LocalChanges.mark(s)
        return tokens, revoked

    def revoke_tokens(self, person_id: int, *, now: datetime) -> int:
        with self.db.session() as s:
            LocalChanges.mark(s)
            return s.execute(
                update(PiketFeedToken)
                .where(PiketFeedToken.person_id == person_id, PiketFeedToken.revoked_at.is_(None))
                .values(revoked_at=now)
            ).rowcount

    def feed_token(self, hashed: str) -> FeedTokenView | None:
        """A live token with its owner and the rota version, in one query (the hot path: a
        prebuilt statement on a plain connection, no ORM session)."""
        with self.db.engine.connect() as conn:
            found = conn.execute(_FEED_TOKEN_QUERY, {"hashed": hashed}).one_or_none()
        if found is None:
            return None
        token_id, scope, created, etag, served, version, *person = found
        return FeedTokenView(
            token_id, PersonView(*person), FeedScope(scope), created, etag, served, version
        )

    def record_served_many(self, served: dict[int, tuple[str, datetime]]) -> None:
        """Remember the body last served under each token (id -> ETag, Last-Modified), in one
        transaction: the feed server writes them in the background, in batches. Last-Modified
        only moves forward."""
        if not served:
            return
        rows = [
            {"token_id": token_id, "etag": etag, "modified": modified}
            for token_id, (etag, modified) in served.items()
        ]
        with self.db.engine.begin() as conn:
            conn.execute(_RECORD_SERVED, rows)
