"""Meeting series and occurrence changes: queries, `oov-bot import`, and the occurrence questions
other features ask ("the next boa-briefing after T", "which meeting was this reminder for").

Series come from config/meetings.yaml through `import_meetings` (the config reload: a running clock
reads them again every planning round). Changes to single occurrences are made in Slack and are
stored separately, keyed by series and original date, so a re-import never touches them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Protocol

from msgspec import Struct, field
from pydantic import ValidationError
from sqlalchemy import Connection, Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.core import meetings
from bot.core.config_files import TeamConfig
from bot.core.meetings import (
    KEY_PREFIX,
    MEETINGS_FILE,
    ChangeAction,
    MeetingSeries,
    Occurrence,
    OccurrenceChange,
    parse_delivery_key,
    series_from_spec,
    series_spec,
)
from bot.language import TZ, format_date
from storage.deliveries import DeliveryStore
from storage.import_report import ImportReport
from storage.models.deliveries import deliveries
from storage.models.meetings import meeting_occurrence_changes, meeting_series
from storage.models.team import tasks
from storage.session import Database, changed_columns
from storage.versions import MEETINGS, ReadModel

log = logging.getLogger(__name__)


class SeriesView(Struct, frozen=True):
    series: MeetingSeries
    task_id: int | None  # the task overview row (storage.team.TeamStore.task)

    @property
    def key(self) -> str:
        return self.series.key


class UnknownSeriesError(LookupError):
    pass


def _change(row: Row[Any]) -> OccurrenceChange:
    return OccurrenceChange(
        original_date=row.original_date,
        action=ChangeAction(row.action),
        new_start=row.new_start,
        changed_by=row.changed_by,
        changed_at=row.changed_at,
    )


class MeetingsSnapshot(Struct, frozen=True):
    """The active series (their specs validated once per import, not per request) and every
    change by hand, at one meetings data version."""

    views: tuple[SeriesView, ...]
    by_key: dict[str, SeriesView]
    changes: dict[str, tuple[OccurrenceChange, ...]]
    # Every series' occurrences per window of local days (see MeetingStore.occurrences); kept
    # with the snapshot, so they go when the meetings change.
    days: dict[tuple[date, date], list[tuple[SeriesView, Occurrence]]] = field(default_factory=dict)
    # A series' next occurrences from a day's midnight (see MeetingStore.upcoming), likewise.
    upcoming: dict[tuple[str, date, int], list[Occurrence]] = field(default_factory=dict)

    def changes_of(self, key: str) -> tuple[OccurrenceChange, ...]:
        return self.changes.get(key, ())


# Per meetings version: windows of days kept for listings, and next occurrences per series and
# day; past these the day has moved on and the old ones go. Spare: occurrences earlier that day.
_KEPT_WINDOWS = 16
_KEPT_UPCOMING = 256
_SPARE = 2


def _midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=tz)


class _HasDatabase(Protocol):
    db: Database

    @property
    def tz(self) -> tzinfo: ...


def new_store(ctx: _HasDatabase) -> MeetingStore:
    """A store for an app context: `ctx.service(new_store)` gives the context's shared one, so
    every adapter (the meetings, the action items, the Home, the clock) reads one read model of
    the series and their dates."""
    return MeetingStore(ctx.db, ctx.tz)


class MeetingStore:
    """Series and their changes by hand. Reads answer from a read model rebuilt when the
    meetings' data version moves (storage.versions), whichever process changed them."""

    def __init__(self, db: Database, tz: tzinfo = TZ) -> None:
        self.db = db
        self.tz = tz
        self._snapshot = ReadModel(db, (MEETINGS,), self._load)

    # -- series ----------------------------------------------------------------------------------

    def _load(self) -> MeetingsSnapshot:
        """The active series in config order. A row this version cannot read (stored by another
        version, not yet re-imported) is logged and left out rather than stopping every other
        series' reminders."""
        with self.db.transaction() as conn:
            rows = conn.execute(
                select(meeting_series)
                .where(meeting_series.c.active)
                .order_by(meeting_series.c.position, meeting_series.c.id)
            ).all()
            views = []
            for row in rows:
                try:
                    views.append(SeriesView(series_from_spec(row.spec), row.task_id))
                except ValidationError:
                    log.error(
                        "meeting series %s in the database does not fit this version; "
                        "run `oov-bot import` to store it again",
                        row.key,
                    )
            query = select(meeting_series.c.key, meeting_occurrence_changes).select_from(
                meeting_occurrence_changes.join(
                    meeting_series, meeting_occurrence_changes.c.series_id == meeting_series.c.id
                )
            )
            found: dict[str, list[OccurrenceChange]] = {}
            for row in conn.execute(query):
                found.setdefault(row.key, []).append(_change(row))
        return MeetingsSnapshot(
            views=tuple(views),
            by_key={v.key: v for v in views},
            changes={key: tuple(changes) for key, changes in found.items()},
        )

    def snapshot(self) -> MeetingsSnapshot:
        return self._snapshot.get()

    def refresh(self) -> None:
        self._snapshot.refresh()

    def all_series(self) -> list[SeriesView]:
        """The active series in config order (see _load)."""
        return list(self.snapshot().views)

    def get(self, key: str) -> SeriesView | None:
        return self.snapshot().by_key.get(key)

    def find(self, text: str) -> list[SeriesView]:
        """The series a person means ("boa", "Teamoverleg", "tvo"); several when ambiguous."""
        views = self.all_series()
        by_key = {v.key: v for v in views}
        return [by_key[s.key] for s in meetings.match_series([v.series for v in views], text)]

    def series_for_channel(self, channel: str) -> SeriesView | None:
        """The series that posts in a channel (by Slack channel ID). A series configured as
        "#name" is recognised by the channel ID Slack returned for its latest reminder."""
        if channel.startswith("D"):
            return None  # a DM (the chair's), never a meeting channel
        views = self.snapshot().by_key
        direct = next((v for v in views.values() if v.series.channel == channel), None)
        if direct is not None:
            return direct
        with self.db.transaction() as conn:
            keys = conn.scalars(
                select(deliveries.c.key)
                .where(
                    deliveries.c.channel == channel,
                    deliveries.c.key.startswith(f"{KEY_PREFIX}:"),
                )
                .order_by(deliveries.c.id.desc())
                .limit(20)
            ).all()
        refs = (parse_delivery_key(key) for key in keys)
        return next((views[r.series_key] for r in refs if r and r.series_key in views), None)

    def channel_id_of(self, series_key: str) -> str | None:
        """The channel ID Slack returned for the series' latest channel reminder (a series
        configured as "#name" is known by it); None before its first one."""
        with self.db.transaction() as conn:
            channel: str | None = conn.scalar(
                select(deliveries.c.channel)
                .where(
                    deliveries.c.key.startswith(f"{KEY_PREFIX}:{series_key}:"),
                    deliveries.c.channel.is_not(None),
                    ~deliveries.c.channel.startswith("D"),  # the chair's DM
                    ~deliveries.c.channel.startswith("#"),
                )
                .order_by(deliveries.c.id.desc())
                .limit(1)
            )
        return channel

    def for_message(
        self, channel: str, thread_ts: str | None
    ) -> tuple[SeriesView, Occurrence | None] | None:
        """The meeting a Slack message belongs to: the series and occurrence of the reminder whose
        thread it is in, else the series of the channel (occurrence unknown), else None."""
        if thread_ts:
            record = DeliveryStore(self.db).by_message(channel, thread_ts)
            ref = parse_delivery_key(record.key) if record else None
            view = self.get(ref.series_key) if ref else None
            if ref and view:
                return view, self.occurrence(ref.series_key, ref.occurrence_date)
        view = self.series_for_channel(channel)
        return (view, None) if view else None

    # -- occurrences -----------------------------------------------------------------------------

    def changes(self, keys: Iterable[str] | None = None) -> dict[str, tuple[OccurrenceChange, ...]]:
        """Series key -> its changes by hand (a small table: a few rows a month)."""
        changes = self.snapshot().changes
        if keys is None:
            return dict(changes)
        return {key: changes[key] for key in keys if key in changes}

    def occurrences(
        self, start: datetime, end: datetime, *, keys: Iterable[str] | None = None
    ) -> list[tuple[SeriesView, Occurrence]]:
        """Every occurrence of the active series (or of `keys`) starting in [start, end), by start;
        cancelled and skipped ones included."""
        snapshot = self.snapshot()
        if keys is None:
            days = self._whole_days(snapshot, start, end)
            return [pair for pair in days if start <= pair[1].start < end]
        wanted = set(keys)
        views = [v for v in snapshot.views if v.key in wanted]
        return self._occurrences(snapshot, views, start, end)

    def _occurrences(
        self,
        snapshot: MeetingsSnapshot,
        views: Iterable[SeriesView],
        start: datetime,
        end: datetime,
    ) -> list[tuple[SeriesView, Occurrence]]:
        found = [
            (view, occurrence)
            for view in views
            for occurrence in meetings.occurrences(
                view.series, start, end, snapshot.changes_of(view.key), tz=self.tz
            )
        ]
        return sorted(found, key=lambda pair: (pair[1].start, pair[0].series.name))

    def _whole_days(
        self, snapshot: MeetingsSnapshot, start: datetime, end: datetime
    ) -> list[tuple[SeriesView, Occurrence]]:
        """Every series' occurrences on the local days from `start`'s to `end`'s, worked out once
        per meetings version: a listing asks the same fortnight all day long, so each answer only
        picks its part (the same as working out [start, end) itself: membership is by start)."""
        first = start.astimezone(self.tz).date()
        last = end.astimezone(self.tz).date() + timedelta(days=1)
        found = snapshot.days.get((first, last))
        if found is None:
            found = self._occurrences(
                snapshot, snapshot.views, _midnight(first, self.tz), _midnight(last, self.tz)
            )
            if len(snapshot.days) >= _KEPT_WINDOWS:  # the day moved on: the old ones go
                snapshot.days.clear()
            snapshot.days[(first, last)] = found
        return found

    def _series(self, series_key: str) -> tuple[MeetingSeries, tuple[OccurrenceChange, ...]] | None:
        snapshot = self.snapshot()
        view = snapshot.by_key.get(series_key)
        return (view.series, snapshot.changes_of(series_key)) if view else None

    def occurrence(self, series_key: str, original_date: date) -> Occurrence | None:
        """The occurrence a delivery key names (see bot.core.meetings.parse_delivery_key)."""
        found = self._series(series_key)
        if found is None:
            return None
        return meetings.occurrence_on(found[0], original_date, found[1], tz=self.tz)

    def occurrence_for_day(self, series_key: str, day: date) -> Occurrence | None:
        """The occurrence a person means by a date (the moved date or the original one)."""
        found = self._series(series_key)
        if found is None:
            return None
        return meetings.occurrence_for_day(found[0], day, found[1], tz=self.tz)

    def next_occurrence(self, series_key: str, after: datetime) -> Occurrence | None:
        """The next occurrence of a series that takes place (not cancelled or skipped) after
        `after`; None for an unknown series or when none is planned (in the next two years)."""
        found = self._series(series_key)
        if found is None:
            return None
        return meetings.next_occurrence(found[0], after, found[1], tz=self.tz)

    def upcoming(self, series_key: str, after: datetime, count: int) -> list[Occurrence]:
        """The next `count` occurrences after `after` (see bot.core.meetings.upcoming). Worked
        out from the day's midnight once per meetings version, with a few to spare for the ones
        earlier that day; an answer those cannot give is worked out from `after` itself."""
        snapshot = self.snapshot()
        view = snapshot.by_key.get(series_key)
        if view is None:
            return []
        changes = snapshot.changes_of(series_key)
        day = after.astimezone(self.tz).date()
        key = (series_key, day, count)
        from_midnight = snapshot.upcoming.get(key)
        if from_midnight is None:
            from_midnight = meetings.upcoming(
                view.series, _midnight(day, self.tz), count + _SPARE, changes, tz=self.tz
            )
            if len(snapshot.upcoming) >= _KEPT_UPCOMING:
                snapshot.upcoming.clear()
            snapshot.upcoming[key] = from_midnight
        later = [o for o in from_midnight if o.start > after]
        if len(later) >= count:
            return later[:count]
        return meetings.upcoming(view.series, after, count, changes, tz=self.tz)

    # -- changes by hand -------------------------------------------------------------------------

    def cancel(self, series_key: str, original_date: date, *, by: str, now: datetime) -> None:
        self._set_change(series_key, original_date, ChangeAction.CANCEL, None, by, now)

    def move(
        self,
        series_key: str,
        original_date: date,
        new_start: datetime,
        *,
        by: str,
        now: datetime,
    ) -> None:
        self._set_change(series_key, original_date, ChangeAction.MOVE, new_start, by, now)

    def restore(self, series_key: str, original_date: date) -> bool:
        """Undo a cancellation or move; False when there was none."""
        with self.db.transaction() as conn:
            series_id = self._series_id(conn, series_key)
            result = conn.execute(
                delete(meeting_occurrence_changes).where(
                    meeting_occurrence_changes.c.series_id == series_id,
                    meeting_occurrence_changes.c.original_date == original_date,
                )
            )
            return bool(result.rowcount)

    def _set_change(
        self,
        series_key: str,
        original_date: date,
        action: ChangeAction,
        new_start: datetime | None,
        by: str,
        now: datetime,
    ) -> None:
        for attempt in range(2):  # two people changing the same meeting at the same moment
            try:
                with self.db.transaction() as conn:
                    series_id = self._series_id(conn, series_key)
                    row = conn.execute(
                        select(meeting_occurrence_changes).where(
                            meeting_occurrence_changes.c.series_id == series_id,
                            meeting_occurrence_changes.c.original_date == original_date,
                        )
                    ).first()
                    values = {
                        "action": action.value,
                        "new_start": new_start,
                        "changed_by": by,
                        "changed_at": now,
                    }
                    if row is None:
                        conn.execute(
                            insert(meeting_occurrence_changes).values(
                                series_id=series_id, original_date=original_date, **values
                            )
                        )
                    elif changed := changed_columns(row, values):
                        conn.execute(
                            update(meeting_occurrence_changes)
                            .where(meeting_occurrence_changes.c.id == row.id)
                            .values(changed)
                        )
                return
            except IntegrityError:
                if attempt:
                    raise

    @staticmethod
    def _series_id(conn: Connection, series_key: str) -> int:
        series_id: int | None = conn.scalar(
            select(meeting_series.c.id).where(meeting_series.c.key == series_key)
        )
        if series_id is None:
            raise UnknownSeriesError(series_key)
        return series_id


def import_meetings(
    conn: Connection, team: TeamConfig, now: datetime, report: ImportReport
) -> None:
    """`oov-bot import` step for meetings.yaml: create, update and retire series by key.

    Series are not edited in Slack, so the file simply wins; occurrence changes made in Slack live
    in their own table and are kept. Without a meetings.yaml nothing changes (a missing file must
    not silently stop every reminder; `meetings: []` does that on purpose).
    """
    config: tuple[MeetingSeries, ...] | None = team.extra.get(MEETINGS_FILE)
    if config is None:
        return
    task_ids: dict[str, int] = dict(conn.execute(select(tasks.c.subject, tasks.c.id)).all())
    existing = {row.key: row for row in conn.execute(select(meeting_series))}
    for position, series in enumerate(config):
        spec = series_spec(series)
        task_id = task_ids.get(series.task) if series.task else None
        row = existing.get(series.key)
        if row is None:
            conn.execute(
                insert(meeting_series).values(
                    key=series.key, spec=spec, task_id=task_id, position=position, updated_at=now
                )
            )
            report.created.append(f"overleg {series.key}")
            continue
        values: dict[str, Any] = {"position": position}
        if row.spec != spec or row.task_id != task_id or not row.active:
            values.update(spec=spec, task_id=task_id, active=True, updated_at=now)
            report.updated.append(f"overleg {series.key}")
        if changed := changed_columns(row, values):
            conn.execute(
                update(meeting_series).where(meeting_series.c.id == row.id).values(changed)
            )
        _report_stranded_changes(conn, row.id, series, now, report)
    keys = {series.key for series in config}
    for row in existing.values():
        if row.key not in keys and row.active:
            conn.execute(
                update(meeting_series)
                .where(meeting_series.c.id == row.id)
                .values(active=False, updated_at=now)
            )
            report.retired.append(f"overleg {row.key}")


def _report_stranded_changes(
    conn: Connection, series_id: int, series: MeetingSeries, now: datetime, report: ImportReport
) -> None:
    """A cancellation or move made in Slack whose date the (new) rhythm no longer has: it no
    longer applies, so the operator must hear of it (the row is kept: reverting the file revives
    it)."""
    today = now.astimezone(TZ).date()
    rows = conn.execute(
        select(meeting_occurrence_changes).where(
            meeting_occurrence_changes.c.series_id == series_id,
            meeting_occurrence_changes.c.original_date >= today,
        )
    )
    for row in rows:
        if meetings.occurrence_on(series, row.original_date) is not None:
            continue
        what = "afgelast" if row.action == ChangeAction.CANCEL.value else "verplaatst"
        report.conflicts.append(
            f"overleg {series.key}: {format_date(row.original_date)} is in Slack {what}, maar "
            "die datum hoort niet meer bij het ritme in meetings.yaml; die wijziging geldt dus "
            "niet meer. Doe hem zo nodig opnieuw met /overleg."
        )


def export_meetings(conn: Connection) -> dict[str, dict[str, Any]]:
    """The active series as meetings.yaml for `oov-bot export`, in the words the file uses
    (weekday names, "HH:MM"), defaults left out. Changes to single occurrences are not in it:
    they live in the database only."""
    rows = conn.execute(
        select(meeting_series)
        .where(meeting_series.c.active)
        .order_by(meeting_series.c.position, meeting_series.c.id)
    )
    exported = []
    for row in rows:
        try:
            series = series_from_spec(row.spec)
        except ValidationError:
            log.error("meeting series %s not exported: stored by another version", row.key)
            continue
        exported.append(meetings.series_yaml(series))
    return {MEETINGS_FILE: {"meetings": exported}} if exported else {}
