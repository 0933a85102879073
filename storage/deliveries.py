"""Claiming and recording scheduled deliveries (see storage.models.deliveries)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from msgspec import Struct
from msgspec.structs import replace
from sqlalchemy import Row, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from storage.models.deliveries import clock_marks, deliveries
from storage.session import Database


class DeliveryRecord(Struct, frozen=True):
    key: str
    kind: str
    due_at: datetime
    status: str
    detail: str | None
    channel: str | None
    ts: str | None


def _record(row: Row[Any]) -> DeliveryRecord:
    return DeliveryRecord(
        row.key, row.kind, row.due_at, row.status, row.detail, row.channel, row.ts
    )


RETRY = "retry"  # a transient failure released the claim: the next planning round tries again


class DeliveryStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def claim(
        self, key: str, kind: str, due_at: datetime, *, status: str, by: str, now: datetime
    ) -> bool:
        """Insert the row for `key`, or take over a row released for retry; False when another
        process (or an earlier run) has it."""
        finished_at = now if status != "claimed" else None
        try:
            with self.db.transaction() as conn:
                conn.execute(
                    insert(deliveries).values(
                        key=key,
                        kind=kind,
                        due_at=due_at,
                        status=status,
                        claimed_by=by,
                        claimed_at=now,
                        finished_at=finished_at,
                    )
                )
            return True
        except IntegrityError:
            pass
        with self.db.transaction() as conn:
            # One conditional UPDATE: of two clocks retrying at once, only one changes the row.
            taken = conn.execute(
                update(deliveries)
                .where(deliveries.c.key == key, deliveries.c.status == RETRY)
                .values(
                    status=status,
                    claimed_by=by,
                    claimed_at=now,
                    finished_at=finished_at,
                    detail=None,
                )
            )
            return bool(taken.rowcount)

    def finish(
        self,
        key: str,
        *,
        status: str,
        now: datetime,
        detail: str | None = None,
        channel: str | None = None,
        ts: str | None = None,
    ) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                update(deliveries)
                .where(deliveries.c.key == key)
                .values(status=status, finished_at=now, detail=detail, channel=channel, ts=ts)
            )

    def statuses(self, keys: list[str]) -> dict[str, str]:
        """Key -> status of the keys that have a row."""
        found: dict[str, str] = {}
        with self.db.transaction() as conn:
            for start in range(0, len(keys), 500):  # stay under SQLite's parameter limit
                chunk = keys[start : start + 500]
                rows = conn.execute(
                    select(deliveries.c.key, deliveries.c.status).where(deliveries.c.key.in_(chunk))
                )
                found.update((key, status) for key, status in rows)
        return found

    def known_keys(self, keys: list[str]) -> set[str]:
        """The keys that are done with or being sent (not those waiting for a retry)."""
        return {key for key, status in self.statuses(keys).items() if status != RETRY}

    def release(self, key: str, detail: str | None = None) -> None:
        """Give up a claim after a transient failure, so a later planning round retries it. The
        row stays (status "retry"), so a retry that runs out of grace is recorded as missed."""
        with self.db.transaction() as conn:
            conn.execute(
                update(deliveries)
                .where(deliveries.c.key == key, deliveries.c.status == "claimed")
                .values(status=RETRY, detail=detail)
            )

    def oldest_retry(self) -> datetime | None:
        """Due time of the oldest delivery waiting for a retry: planning must look back to it."""
        with self.db.transaction() as conn:
            oldest: datetime | None = conn.scalar(
                select(func.min(deliveries.c.due_at)).where(deliveries.c.status == RETRY)
            )
            return oldest

    def close_retries(self, due_before: datetime, now: datetime) -> list[DeliveryRecord]:
        """Retries nobody plans any more (cancelled meanwhile), past the grace window: closed as
        missed, so they are on record and the planning window stops reaching back for them."""
        with self.db.transaction() as conn:
            rows = conn.execute(
                select(deliveries).where(
                    deliveries.c.status == RETRY, deliveries.c.due_at < due_before
                )
            ).all()
            # By id, the rows just read (not by the condition again): the records returned are
            # exactly the rows closed.
            for row in rows:
                conn.execute(
                    update(deliveries)
                    .where(deliveries.c.id == row.id)
                    .values(status="missed", finished_at=now)
                )
            return [replace(_record(r), status="missed") for r in rows]

    def mark(self, name: str) -> datetime | None:
        with self.db.transaction() as conn:
            at: datetime | None = conn.scalar(
                select(clock_marks.c.at).where(clock_marks.c.name == name)
            )
            return at

    def set_mark(self, name: str, at: datetime) -> None:
        """Move the mark forward (never back: two clocks may both write it)."""
        for _ in range(2):  # a second clock may insert the first row at the same moment
            try:
                with self.db.transaction() as conn:
                    current: datetime | None = conn.scalar(
                        select(clock_marks.c.at).where(clock_marks.c.name == name).with_for_update()
                    )
                    if current is None:
                        conn.execute(insert(clock_marks).values(name=name, at=at))
                    elif current < at:
                        conn.execute(
                            update(clock_marks).where(clock_marks.c.name == name).values(at=at)
                        )
                return
            except IntegrityError:
                continue

    def get(self, key: str) -> DeliveryRecord | None:
        with self.db.transaction() as conn:
            row = conn.execute(select(deliveries).where(deliveries.c.key == key)).first()
            return _record(row) if row else None

    def by_message(self, channel: str, ts: str) -> DeliveryRecord | None:
        """The delivery that produced a Slack message (to recognise replies in its thread)."""
        with self.db.transaction() as conn:
            row = conn.execute(
                select(deliveries).where(deliveries.c.channel == channel, deliveries.c.ts == ts)
            ).first()
            return _record(row) if row else None

    def expire_stale_claims(self, older_than: datetime, now: datetime) -> list[DeliveryRecord]:
        """Claims never finished (the process died mid-send): mark them failed so they are on
        record and reported. They are not retried: the post may have gone out."""
        with self.db.transaction() as conn:
            rows = conn.execute(
                select(deliveries).where(
                    deliveries.c.status == "claimed", deliveries.c.claimed_at < older_than
                )
            ).all()
            for row in rows:  # by id, as close_retries
                conn.execute(
                    update(deliveries)
                    .where(deliveries.c.id == row.id)
                    .values(status="failed", finished_at=now, detail="stale_claim")
                )
            return [replace(_record(r), status="failed", detail="stale_claim") for r in rows]

    def list(self, kind: str | None = None) -> list[DeliveryRecord]:
        with self.db.transaction() as conn:
            query = select(deliveries).order_by(deliveries.c.due_at, deliveries.c.id)
            if kind:
                query = query.where(deliveries.c.kind == kind)
            return [_record(r) for r in conn.execute(query)]
