"""Persistence of the piket rota: planning shifts into the database, swaps and operator overrides
with their audit log, and the hashed tokens of the iCal feeds.

Shifts are planned by the pure `bot.core.rota.generate_shifts`; this module decides what that means
for stored rows: started shifts are never touched, a shift whose person changes keeps its uid and
gets SEQUENCE+1 and a new LAST-MODIFIED, unchanged shifts keep every byte. Every change a feed can
show moves `piket_state.version`, the cache key of rendered feeds.
"""

from __future__ import annotations

import threading
import uuid
from bisect import bisect_left
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any, Final, Protocol
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from msgspec import Struct
from sqlalchemy import (
    Connection,
    Engine,
    Pool,
    Row,
    Update,
    bindparam,
    delete,
    event,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.pool import ConnectionPoolEntry

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
from storage.models.piket import (
    piket_changes,
    piket_feed_tokens,
    piket_shifts,
    piket_state,
    piket_swaps,
)
from storage.models.team import people
from storage.session import Database
from storage.team import PersonView, person_view
from storage.versions import PIKET, TEAM, ReadModel

STATE_ID = 1
UID_DOMAIN = "piket.oov-bot"


# --- views ----------------------------------------------------------------------------------


class ShiftView(Struct, frozen=True):
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


# A shift with its person's columns (an outer join: a shift may have nobody), named apart from
# the shift's own.
_SHIFTS_WITH_PERSON: Final = select(
    piket_shifts,
    people.c.key.label("person_key"),
    people.c.name.label("person_name"),
    people.c.slack_id.label("person_slack_id"),
    people.c.hours_per_week.label("person_hours_per_week"),
).outerjoin(people, people.c.id == piket_shifts.c.person_id)


def _shift_view(row: Row[Any]) -> ShiftView:
    """A row of `_SHIFTS_WITH_PERSON`."""
    person = (
        None
        if row.person_key is None
        else PersonView(
            row.person_id,
            row.person_key,
            row.person_name,
            row.person_slack_id,
            row.person_hours_per_week,
        )
    )
    return ShiftView(
        id=row.id,
        uid=row.uid,
        role=row.role,
        person=person,
        start=row.start,
        end=row.end,
        sequence=row.sequence,
        pinned=row.pinned,
        created_at=row.created_at,
        last_modified=row.last_modified,
    )


def _shift_view_of(conn: Connection, shift_id: int) -> ShiftView:
    """The shift of an id as stored now, with its person."""
    return _shift_view(conn.execute(_SHIFTS_WITH_PERSON.where(piket_shifts.c.id == shift_id)).one())


def _person(conn: Connection, person_id: int | None) -> Row[Any] | None:
    """The `people` row of an id (None for None or an unknown id)."""
    if person_id is None:
        return None
    return conn.execute(select(people).where(people.c.id == person_id)).one_or_none()


class SwapStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"


class SwapView(Struct, frozen=True):
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


class SwapResult(Struct, frozen=True):
    answer: SwapAnswer
    swap: SwapView | None
    reason: str = ""  # Dutch, for EXPIRED
    changed: tuple[ShiftView, ...] = ()  # the shifts as stored after an accepted swap


class ShiftChangeView(Struct, frozen=True):
    shift_uid: str
    role: str
    start: datetime
    end: datetime
    previous: PersonView | None
    new: PersonView | None
    changed_by: str
    source: str
    changed_at: datetime


class FeedTokenView(Struct, frozen=True):
    id: int
    person: PersonView
    scope: FeedScope
    created_at: datetime
    served_etag: str | None
    served_last_modified: datetime | None
    rota_version: int  # the cache key of the rendered feed


class PlanReport(Struct, frozen=True):
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


# In a connection's info (kept with the pooled DBAPI connection): this transaction changed
# shifts or tokens; then, that it committed.
_CHANGED = "piket_changed"
_COMMITTED = "piket_changed_committed"


class LocalChanges:
    """Counts the committed changes this process made to shifts and tokens, so its own caches
    drop what they hold at once; other processes' changes reach them after a short TTL.

    `mark(conn)` notes a change in the connection's transaction. The count moves when that
    connection goes back to the pool after a commit: Core's commit event comes before the
    commit itself, and a reader that sees the new count must see the change too."""

    count = 0

    @staticmethod
    def mark(conn: Connection) -> None:
        conn.info[_CHANGED] = True


@event.listens_for(Engine, "commit")
def _note_committed_change(conn: Connection) -> None:
    if conn.info.pop(_CHANGED, False):
        conn.info[_COMMITTED] = True


@event.listens_for(Pool, "checkin")
def _count_committed_change(_dbapi_connection: object, record: ConnectionPoolEntry) -> None:
    record.info.pop(_CHANGED, None)  # rolled back: nothing changed
    if record.info.pop(_COMMITTED, False):
        LocalChanges.count += 1


def _bump_version(conn: Connection, now: datetime) -> None:
    conn.execute(
        update(piket_state)
        .where(piket_state.c.id == STATE_ID)
        .values(version=piket_state.c.version + 1, updated_at=now)
    )
    LocalChanges.mark(conn)


def plan_rota(conn: Connection, config: PiketConfig, now: datetime, *, replan: bool) -> PlanReport:
    """Bring the stored shifts in line with the rules, up to the planning horizon.

    replan=False (the daily roll-on): every stored shift stays; only weeks not yet planned are
    added. replan=True (the rules changed): future shifts are planned afresh, except those
    swapped or set by an operator. Started shifts are never touched. Planning the same future
    again later may spread it differently (fairness looks at who served since), so the stored
    plan is only redone when the rules change.
    """
    key_of: dict[int, str] = {
        pid: key for pid, key in conn.execute(select(people.c.id, people.c.key))
    }
    id_of = {key: pid for pid, key in key_of.items()}
    rows = conn.execute(select(piket_shifts).order_by(piket_shifts.c.start).with_for_update()).all()

    def as_shift(row: Row[Any]) -> Shift:
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
    updates: list[dict[str, Any]] = []
    for shift in planned:
        if shift in kept:
            continue
        row = slots.pop((shift.role, shift.start), None)
        if row is None:
            to_insert.append(shift)
            continue
        person_id = id_of.get(shift.person_key) if shift.person_key else None
        if row.person_id != person_id or row.end != shift.end:
            updates.append(
                {
                    "shift_id": row.id,
                    "new_person_id": person_id,
                    "new_end": shift.end,
                    "new_sequence": row.sequence + 1,
                }
            )
    if updates:
        conn.execute(
            update(piket_shifts)
            .where(piket_shifts.c.id == bindparam("shift_id"))
            .values(
                person_id=bindparam("new_person_id"),
                end=bindparam("new_end"),
                sequence=bindparam("new_sequence"),
                last_modified=now,
            ),
            updates,
        )
    if slots:  # no longer in the plan (the cycle or handover moved)
        # Before the inserts: a new shift may take a removed one's (role, start).
        conn.execute(
            delete(piket_shifts).where(piket_shifts.c.id == bindparam("shift_id")),
            [{"shift_id": row.id} for row in slots.values()],
        )
    if to_insert:
        conn.execute(
            insert(piket_shifts),
            [
                {
                    "uid": new_uid(),
                    "role": shift.role,
                    "person_id": id_of.get(shift.person_key) if shift.person_key else None,
                    "start": shift.start,
                    "end": shift.end,
                    "sequence": 0,
                    "pinned": False,
                    "created_at": now,
                    "last_modified": now,
                }
                for shift in to_insert
            ],
        )
    report = PlanReport(added=len(to_insert), changed=len(updates), removed=len(slots))
    if report:
        _bump_version(conn, now)
    return report


def import_piket(conn: Connection, team: TeamConfig, now: datetime, report: ImportReport) -> None:
    """The import step for piket.yaml (FEATURE_IMPORTERS): store the rules, plan the rota.

    Idempotent: an unchanged piket.yaml only rolls the horizon on. Swaps made in Slack stay."""
    piket_file: PiketFile | None = team.extra.get(PIKET_FILE)
    if piket_file is None:
        return
    state = conn.execute(
        select(piket_state).where(piket_state.c.id == STATE_ID).with_for_update()
    ).one_or_none()
    names: dict[str, str] = {
        key: name for key, name in conn.execute(select(people.c.key, people.c.name))
    }
    rules_changed = state is None or state.config_digest != piket_file.digest
    if state is None:
        conn.execute(
            insert(piket_state).values(
                id=STATE_ID,
                config=dict(piket_file.data),
                config_digest=piket_file.digest,
                people_names=names,
                version=0,
                imported_at=now,
                updated_at=now,
            )
        )
    elif rules_changed or state.people_names != names:
        renamed = {key for key, name in names.items() if state.people_names.get(key) != name}
        _touch_shifts_of(conn, renamed, now)
        conn.execute(
            update(piket_state)
            .where(piket_state.c.id == STATE_ID)
            .values(
                config=dict(piket_file.data),
                config_digest=piket_file.digest,
                people_names=names,
                imported_at=now,
                updated_at=now,
                version=state.version + 1,
            )
        )
        LocalChanges.mark(conn)
    pinned_future = conn.scalars(
        select(piket_shifts.c.id).where(piket_shifts.c.pinned, piket_shifts.c.start > now)
    ).all()
    plan = plan_rota(conn, piket_file.config, now, replan=rules_changed)
    if plan.added:
        report.created.append(f"piket: {plan.added} dienst(en) ingepland")
    if plan.changed:
        kept = f" (geruilde diensten blijven staan: {len(pinned_future)})" if pinned_future else ""
        report.updated.append(f"piket: {plan.changed} dienst(en) opnieuw ingedeeld{kept}")
    if plan.removed:
        report.retired.append(f"piket: {plan.removed} dienst(en) vervallen")
    rules = piket_file.config.rules
    for shift in _pinned_unqualified(conn, rules, now):
        who = names.get(shift.person_key or "", shift.person_key)
        day = day_month_text(shift.start.astimezone(rules.tz).date())
        report.conflicts.append(
            f"piket {shift.role} {format_period(shift.start, shift.end, tz=rules.tz)}: {who} "
            "blijft ingeroosterd (geruild of aangewezen) maar is dan niet gekwalificeerd volgens "
            f"piket.yaml; wijs iemand anders aan met `oov-bot piket zet {shift.role} "
            f"'{day}' <persoon>`"
        )


def _pinned_unqualified(conn: Connection, rules: RotaRules, now: datetime) -> list[Shift]:
    """Swapped or operator-set shifts still to run whose person piket.yaml no longer allows."""
    key_of: dict[int, str] = {
        pid: key for pid, key in conn.execute(select(people.c.id, people.c.key))
    }
    rows = conn.execute(
        select(piket_shifts)
        .where(
            piket_shifts.c.pinned,
            piket_shifts.c.end > now,
            piket_shifts.c.person_id.is_not(None),
        )
        .order_by(piket_shifts.c.start, piket_shifts.c.role)
    )
    shifts = [Shift(r.role, key_of.get(r.person_id or -1), r.start, r.end) for r in rows]
    return unqualified(rules, shifts)


def export_piket(conn: Connection) -> dict[str, Any]:
    """`oov-bot export`: piket.yaml as last imported (swaps and overrides live in the database
    and survive a re-import of this file)."""
    state = conn.execute(
        select(piket_state.c.config).where(piket_state.c.id == STATE_ID)
    ).one_or_none()
    return {} if state is None else {PIKET_FILE: state.config}


def _already_on_duty(
    conn: Connection, person: Row[Any], row: Row[Any], given_away: list[str], tz: tzinfo
) -> str | None:
    """Why `person` cannot take the shift `row`: they hold another shift at the same time (one
    person, one role at a time, as the planner does), not counting shifts they give away in the
    same swap."""
    other = conn.execute(
        select(piket_shifts.c.role, piket_shifts.c.start).where(
            piket_shifts.c.person_id == person.id,
            piket_shifts.c.uid.not_in([row.uid, *given_away]),
            piket_shifts.c.start < row.end,
            piket_shifts.c.end > row.start,
        )
    ).first()
    if other is None:
        return None
    return (
        f"{person.name} heeft dan al piket als {other.role} (vanaf "
        f"{format_datetime(other.start, tz=tz)}); niemand kan twee rollen tegelijk vervullen."
    )


def _touch_shifts_of(conn: Connection, person_keys: set[str], now: datetime) -> None:
    """A renamed person's shifts that have not ended show a new SUMMARY: a change for clients."""
    if not person_keys:
        return
    ids = select(people.c.id).where(people.c.key.in_(person_keys))
    conn.execute(
        update(piket_shifts)
        .where(piket_shifts.c.person_id.in_(ids), piket_shifts.c.end > now)
        .values(sequence=piket_shifts.c.sequence + 1, last_modified=now)
    )


# --- the store ------------------------------------------------------------------------------

_FEED_TOKEN_QUERY = (
    select(
        piket_feed_tokens.c.id,
        piket_feed_tokens.c.scope,
        piket_feed_tokens.c.created_at,
        piket_feed_tokens.c.served_etag,
        piket_feed_tokens.c.served_last_modified,
        piket_state.c.version,
        people.c.id,
        people.c.key,
        people.c.name,
        people.c.slack_id,
        people.c.hours_per_week,
    )
    .join(people, people.c.id == piket_feed_tokens.c.person_id)
    .join(piket_state, piket_state.c.id == STATE_ID)
    .where(
        piket_feed_tokens.c.token_hash == bindparam("hashed"),
        piket_feed_tokens.c.revoked_at.is_(None),
        people.c.active,
    )
)


# Executed for many rows at once; Last-Modified only moves forward, also when two web
# processes serve the same token.
_RECORD_SERVED = (
    update(piket_feed_tokens)
    .where(
        piket_feed_tokens.c.id == bindparam("token_id"),
        or_(
            piket_feed_tokens.c.served_last_modified.is_(None),
            piket_feed_tokens.c.served_last_modified <= bindparam("modified"),
        ),
    )
    .values(served_etag=bindparam("etag"), served_last_modified=bindparam("modified"))
)


class RotaSnapshot(Struct, frozen=True):
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
        with self.db.transaction() as conn:
            digest = conn.scalar(
                select(piket_state.c.config_digest).where(piket_state.c.id == STATE_ID)
            )
            if digest is None:
                return None
            with self._lock:
                if self._config and self._config[0] == digest:
                    return self._config[1]
            data = conn.scalar(select(piket_state.c.config).where(piket_state.c.id == STATE_ID))
        config = parse_piket_config(data, tz=self.tz)
        with self._lock:
            self._config = (digest, config)
        return config

    def _load_rota(self) -> RotaSnapshot:
        query = _SHIFTS_WITH_PERSON.order_by(piket_shifts.c.start, piket_shifts.c.id)
        with self.db.transaction() as conn:
            return RotaSnapshot.of([_shift_view(row) for row in conn.execute(query)])

    def rota_version(self) -> int | None:
        """The version feeds are cached under (None: piket.yaml was never imported)."""
        with self.db.engine.connect() as conn:
            return conn.execute(
                select(piket_state.c.version).where(piket_state.c.id == STATE_ID)
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
        with self.db.transaction() as conn:
            state = conn.execute(
                select(piket_state.c.id).where(piket_state.c.id == STATE_ID).with_for_update()
            ).one_or_none()
            if state is None:
                return PlanReport()
            return plan_rota(conn, config, now, replan=replan)

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
        query = _SHIFTS_WITH_PERSON.order_by(piket_shifts.c.start, piket_shifts.c.id)
        if start is not None:
            query = query.where(piket_shifts.c.end > start)
        if end is not None:
            query = query.where(piket_shifts.c.start < end)
        if person_id is not None:
            query = query.where(piket_shifts.c.person_id == person_id)
        with self.db.transaction() as conn:
            return [_shift_view(row) for row in conn.execute(query)]

    def shift(self, uid: str) -> ShiftView | None:
        with self.db.transaction() as conn:
            return _shift_by_uid(conn, uid)

    def _apply(
        self,
        conn: Connection,
        row: Row[Any],
        to_person: Row[Any],
        rules_config: PiketConfig,
        *,
        now: datetime,
        by: str,
        source: str,
        swap_id: int | None = None,
    ) -> list[int]:
        """Hand the shift `row` to `to_person` (a running shift is split at `now`); audited.
        Returns the ids of the shifts changed. Raises RotaError when the person is not
        qualified or the shift is over."""
        previous = _person(conn, row.person_id)
        current = Shift(row.role, previous.key if previous else None, row.start, row.end)
        parts = swap(
            rules_config.rules, current, to_person.key, now=now, person_name=to_person.name
        )
        # Pinned (as is the part split off it): planning keeps them as they are.
        touched = {"pinned": True, "last_modified": now, "sequence": row.sequence + 1}
        if len(parts) == 1:
            conn.execute(
                update(piket_shifts)
                .where(piket_shifts.c.id == row.id)
                .values(person_id=to_person.id, **touched)
            )
            changed_ids = [row.id]
            changed = Shift(row.role, to_person.key, row.start, row.end)
            changed_uid = row.uid
        else:  # the part already served stays with the previous person
            conn.execute(
                update(piket_shifts)
                .where(piket_shifts.c.id == row.id)
                .values(end=parts[0].end, **touched)
            )
            changed = parts[1]
            changed_uid = new_uid()
            new_id = conn.execute(
                insert(piket_shifts).values(
                    uid=changed_uid,
                    role=row.role,
                    person_id=to_person.id,
                    start=changed.start,
                    end=changed.end,
                    sequence=0,
                    pinned=True,
                    created_at=now,
                    last_modified=now,
                )
            ).inserted_primary_key[0]
            changed_ids = [row.id, new_id]
        conn.execute(
            insert(piket_changes).values(
                shift_uid=changed_uid,
                role=row.role,
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
        return changed_ids

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
        with self.db.transaction() as conn:
            person = conn.execute(
                select(people).where(people.c.key == person_key, people.c.active)
            ).first()
            if person is None:
                raise RotaError(
                    f"Onbekende persoon ‘{person_key}’ (gebruik de sleutel uit people.yaml)."
                )
            rows = conn.execute(
                select(piket_shifts)
                .where(piket_shifts.c.role == role_rota.name, piket_shifts.c.end > now)
                .order_by(piket_shifts.c.start)
                .with_for_update()
            ).all()
            by_shift = {Shift(r.role, None, r.start, r.end): r for r in rows}
            matches = shifts_in(list(by_shift), days, self.tz)
            if not matches:
                raise RotaError(f"Er is geen komende {role_rota.name}-dienst op {days.label}.")
            row = by_shift[matches[0]]
            previous = person_view(_person(conn, row.person_id))
            changed = self._apply(conn, row, person, config, now=now, by=by, source="cli")
            _bump_version(conn, now)
            return previous, [_shift_view_of(conn, shift_id) for shift_id in changed]

    def _require_config(self) -> PiketConfig:
        config = self.config()
        if config is None:
            raise RotaError(
                "Er is nog geen piketrooster: zet config/piket.yaml klaar en draai "
                "`oov-bot import`."
            )
        return config

    def changes(self, shift_uid: str | None = None) -> list[ShiftChangeView]:
        query = select(piket_changes).order_by(piket_changes.c.changed_at, piket_changes.c.id)
        if shift_uid is not None:
            query = query.where(piket_changes.c.shift_uid == shift_uid)
        with self.db.transaction() as conn:
            found = conn.execute(query).all()
            # The team is a few dozen people: one query instead of one per change.
            team = {p.id: person_view(p) for p in conn.execute(select(people))}
        return [
            ShiftChangeView(
                shift_uid=c.shift_uid,
                role=c.role,
                start=c.start,
                end=c.end,
                previous=team.get(c.from_person_id) if c.from_person_id else None,
                new=team.get(c.to_person_id) if c.to_person_id else None,
                changed_by=c.changed_by,
                source=c.source,
                changed_at=c.changed_at,
            )
            for c in found
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
        with self.db.transaction() as conn:
            row = _shift_row(conn, shift_uid)
            to_person = _person(conn, to_person_id)
            if row is None or row.person_id is None or to_person is None:
                raise RotaError("Deze dienst bestaat niet (meer).")
            from_person = _person(conn, row.person_id)
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
            if reason := _already_on_duty(conn, to_person, row, given_back, self.tz):
                raise RotaError(reason)
            if return_shift_uid is not None:
                back = _shift_row(conn, return_shift_uid)
                if back is None or back.person_id != to_person.id:
                    raise RotaError(f"{to_person.name} heeft die dienst niet.")
                swap(
                    config.rules,
                    Shift(back.role, to_person.key, back.start, back.end),
                    from_person.key,
                    now=now,
                    person_name=from_person.name,
                )
                if reason := _already_on_duty(conn, from_person, back, [shift_uid], self.tz):
                    raise RotaError(reason)
            swap_id = conn.execute(
                insert(piket_swaps).values(
                    shift_uid=shift_uid,
                    return_shift_uid=return_shift_uid,
                    from_person_id=from_person.id,
                    to_person_id=to_person.id,
                    status=SwapStatus.OPEN.value,
                    proposed_by=proposed_by,
                    created_at=now,
                )
            ).inserted_primary_key[0]
            return self._swap_view(conn, _swap_row(conn, swap_id))

    def swap(self, swap_id: int) -> SwapView | None:
        with self.db.transaction() as conn:
            proposal = _swap_row(conn, swap_id)
            return self._swap_view(conn, proposal) if proposal else None

    def _swap_view(self, conn: Connection, proposal: Row[Any]) -> SwapView:
        from_person = person_view(_person(conn, proposal.from_person_id))
        to_person = person_view(_person(conn, proposal.to_person_id))
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
            shift=_shift_by_uid(conn, proposal.shift_uid),
            return_shift=_shift_by_uid(conn, proposal.return_shift_uid),
        )

    def answer_swap(
        self, swap_id: int, *, accept: bool, by_slack_id: str, now: datetime
    ) -> SwapResult:
        """Accept or decline a proposal, once, by the colleague it was made to. On acceptance
        both shifts change in one transaction (pinned, SEQUENCE+1, audited)."""
        config = self.config()
        with self.db.transaction() as conn:
            proposal = _swap_row(conn, swap_id)
            if proposal is None:
                return SwapResult(SwapAnswer.UNKNOWN, None)
            to_person = _person(conn, proposal.to_person_id)
            from_person = _person(conn, proposal.from_person_id)
            assert to_person is not None and from_person is not None
            if to_person.slack_id != by_slack_id:
                return SwapResult(SwapAnswer.NOT_YOURS, self._swap_view(conn, proposal))
            # Claim the proposal first: of two clicks at once, one finds it no longer open.
            claimed = conn.execute(
                update(piket_swaps)
                .where(piket_swaps.c.id == swap_id, piket_swaps.c.status == SwapStatus.OPEN.value)
                .values(answered_by=by_slack_id, answered_at=now)
            ).rowcount
            if not claimed:
                proposal = _swap_row(conn, swap_id)
                return SwapResult(SwapAnswer.ALREADY_ANSWERED, self._swap_view(conn, proposal))
            if not accept:
                _set_swap_status(conn, swap_id, SwapStatus.DECLINED)
                proposal = _swap_row(conn, swap_id)
                return SwapResult(SwapAnswer.DECLINED, self._swap_view(conn, proposal))

            reason, moves = self._swap_moves(conn, proposal, from_person, to_person, config, now)
            if reason or config is None:
                _set_swap_status(conn, swap_id, SwapStatus.EXPIRED)
                proposal = _swap_row(conn, swap_id)
                return SwapResult(SwapAnswer.EXPIRED, self._swap_view(conn, proposal), reason)
            changed: list[int] = []
            for row, taker in moves:
                changed += self._apply(
                    conn, row, taker, config, now=now, by=by_slack_id, source="slack",
                    swap_id=swap_id,
                )  # fmt: skip
            _set_swap_status(conn, swap_id, SwapStatus.ACCEPTED)
            _bump_version(conn, now)
            views = tuple(_shift_view_of(conn, shift_id) for shift_id in changed)
            proposal = _swap_row(conn, swap_id)
            return SwapResult(SwapAnswer.ACCEPTED, self._swap_view(conn, proposal), changed=views)

    def _swap_moves(
        self,
        conn: Connection,
        proposal: Row[Any],
        from_person: Row[Any],
        to_person: Row[Any],
        config: PiketConfig | None,
        now: datetime,
    ) -> tuple[str, list[tuple[Row[Any], Row[Any]]]]:
        """(why the proposal can no longer be carried out, or "", the moves to make: a shift's
        row and who takes it). Checked in full before anything changes, so both shifts move or
        neither does."""
        if config is None:
            return "Er is geen piketrooster meer.", []
        wanted = [(proposal.shift_uid, from_person, to_person)]
        if proposal.return_shift_uid:
            wanted.append((proposal.return_shift_uid, to_person, from_person))
        moves: list[tuple[Row[Any], Row[Any]]] = []
        for uid, holder, taker in wanted:
            row = _shift_row(conn, uid, for_update=True)
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
            if reason := _already_on_duty(conn, taker, row, given_away, self.tz):
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
        with self.db.transaction() as conn:
            revoked = 0
            if revoke_existing:
                revoked = conn.execute(_revoke(person_id, now)).rowcount
            LocalChanges.mark(conn)
            conn.execute(
                insert(piket_feed_tokens),
                [
                    {
                        "token_hash": token_hash(token),
                        "person_id": person_id,
                        "scope": scope.value,
                        "created_at": now,
                    }
                    for scope, token in tokens.items()
                ],
            )
        return tokens, revoked

    def revoke_tokens(self, person_id: int, *, now: datetime) -> int:
        with self.db.transaction() as conn:
            LocalChanges.mark(conn)
            return conn.execute(_revoke(person_id, now)).rowcount

    def feed_token(self, hashed: str) -> FeedTokenView | None:
        """A live token with its owner and the rota version, in one query (the hot path: a
        prebuilt statement on a plain connection, no transaction block)."""
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


def _shift_row(conn: Connection, uid: str, *, for_update: bool = False) -> Row[Any] | None:
    query = select(piket_shifts).where(piket_shifts.c.uid == uid)
    return conn.execute(query.with_for_update() if for_update else query).first()


def _shift_by_uid(conn: Connection, uid: str | None) -> ShiftView | None:
    """The shift of a uid as stored now, with its person (None: no uid, or no such shift)."""
    if uid is None:
        return None
    found = conn.execute(_SHIFTS_WITH_PERSON.where(piket_shifts.c.uid == uid)).one_or_none()
    return _shift_view(found) if found else None


def _swap_row(conn: Connection, swap_id: int) -> Row[Any] | None:
    return conn.execute(select(piket_swaps).where(piket_swaps.c.id == swap_id)).one_or_none()


def _set_swap_status(conn: Connection, swap_id: int, status: SwapStatus) -> None:
    conn.execute(update(piket_swaps).where(piket_swaps.c.id == swap_id).values(status=status.value))


def _revoke(person_id: int, now: datetime) -> Update:
    """Revoke a person's live feed tokens (a change this process's token cache must see: mark
    the connection that runs it)."""
    return (
        update(piket_feed_tokens)
        .where(piket_feed_tokens.c.person_id == person_id, piket_feed_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
