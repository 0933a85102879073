"""Action items: capture under a unique source key, lifecycle, listings and the retention purge.

Every state change is one conditional UPDATE (`... WHERE status = 'open'`), so two processes
handling the same Slack event (a retry, or prefix and reaction at once) cannot both act on it:
the one whose statement changed a row does the follow-up, the other sees nothing to do.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Literal

from msgspec import Struct
from msgspec.structs import fields, replace
from sqlalchemy import Connection, Row, Select, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from storage.models.actions import CANCELLED, DONE, OPEN, action_items
from storage.session import Database

__all__ = [
    "ACTION_ITEMS_FILE",
    "CANCELLED",
    "DELETED_SOURCE",
    "DONE",
    "MEETING_DUE_KINDS",
    "OPEN",
    "ActionItemView",
    "ActionQuery",
    "ActionStore",
    "Captured",
    "CapturedLines",
    "ItemChange",
    "NewActionItem",
    "export_action_items",
    "page_statement",
]


# Due kinds whose date is a meeting's: "voor het volgende overleg", or nothing said in a meeting's
# thread (bot.core.action_items.DueKind). Their date follows the meeting when it is cancelled or
# moved.
MEETING_DUE_KINDS = ("next_meeting", "default")

# The source of a placeholder for a message deleted before its item was stored.
DELETED_SOURCE = "deleted"


class ActionItemView(Struct, frozen=True):
    id: int
    channel: str
    message_ts: str
    line_no: int  # the item's place among its message's action lines; 0: the whole message
    thread_ts: str | None
    permalink: str | None
    source: str
    text: str
    owner_slack_id: str
    author_slack_id: str
    due_on: date | None
    due_kind: str
    series_key: str | None
    occurrence_at: datetime | None
    status: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    closed_by: str | None
    confirmed_at: datetime | None
    confirmation_ts: str | None

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    @property
    def thread_root(self) -> str:
        """The ts to reply under: the thread the message is in, or the message itself."""
        return self.thread_ts or self.message_ts

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < today


_VIEW_FIELDS = tuple(f.name for f in fields(ActionItemView))
# The view's fields as columns, in the view's order: a selected row becomes its view by position
# (by name it cost /acties a third of its listing).
_VIEW_COLUMNS = tuple(action_items.c[name] for name in _VIEW_FIELDS)
# Every read of whole items selects these, so that `_view` can build them by position.
_ITEMS: Select[Any] = select(*_VIEW_COLUMNS)


def _view(row: Row[Any]) -> ActionItemView:
    """A row of `_ITEMS` as its view."""
    return ActionItemView(*row)


class NewActionItem(Struct, frozen=True):
    channel: str
    message_ts: str
    thread_ts: str | None
    source: str  # prefix | reaction | shortcut
    text: str
    owner_slack_id: str
    author_slack_id: str
    due_on: date | None
    due_kind: str
    series_key: str | None = None
    occurrence_at: datetime | None = None
    line_no: int = 0  # the action line of the message; 0 for the first or the whole message


class Captured(Struct, frozen=True):
    item: ActionItemView
    created: bool  # False: the source message already had an item (retry, second route)


class CapturedLines(Struct, frozen=True):
    """The items of one message: those just stored, or (`created` False) those it had already."""

    items: tuple[ActionItemView, ...]
    created: bool


class ItemChange(Struct, frozen=True):
    before: ActionItemView
    after: ActionItemView

    @property
    def changed(self) -> tuple[str, ...]:
        return tuple(
            name
            for name in ("text", "owner_slack_id", "due_on")
            if getattr(self.before, name) != getattr(self.after, name)
        )


class ActionQuery(Struct, frozen=True):
    """One page of `/acties`: newest first, after the cursor (an item id) when paging on."""

    status: Literal["open", "done"] = OPEN
    owner_slack_id: str | None = None
    series_key: str | None = None
    before_id: int | None = None
    limit: int = 20
    # Only items from these channels (a reader outside the team: the channels they are in).
    channels: tuple[str, ...] | None = None
    # Only items due before this day (`/acties te laat`).
    due_before: date | None = None


def page_statement(query: ActionQuery) -> Select[Any]:
    """The SELECT behind `/acties` (one row more than a page, to tell whether there are more):
    an index range scan (see the indexes on action_items) however many items there are."""
    return _page_shape(*_shape_of(query)).params(**_page_params(query))


def _shape_of(query: ActionQuery) -> tuple[bool, bool, bool, bool, int, bool]:
    return (
        query.owner_slack_id is not None,
        query.series_key is not None,
        query.before_id is not None,
        query.channels is not None,
        query.limit,
        query.due_before is not None,
    )


@lru_cache(maxsize=64)
def _page_shape(
    owner: bool, series: bool, before: bool, channels: bool, limit: int, due_before: bool = False
) -> Select[Any]:
    """The statement per shape of query, built once with bound parameters: building it anew
    cost /acties a fifth of its CPU."""
    conditions = [action_items.c.status == bindparam("status")]
    if owner:
        conditions.append(action_items.c.owner_slack_id == bindparam("owner_slack_id"))
    if series:
        conditions.append(action_items.c.series_key == bindparam("series_key"))
    if before:
        conditions.append(action_items.c.id < bindparam("before_id"))
    if channels:
        conditions.append(action_items.c.channel.in_(bindparam("channels", expanding=True)))
    if due_before:
        conditions.append(action_items.c.due_on < bindparam("due_before"))
    return _ITEMS.where(*conditions).order_by(action_items.c.id.desc()).limit(limit + 1)


def _page_params(query: ActionQuery) -> dict[str, Any]:
    values: dict[str, Any] = {
        "status": query.status,
        "owner_slack_id": query.owner_slack_id,
        "series_key": query.series_key,
        "before_id": query.before_id,
        "channels": list(query.channels) if query.channels is not None else None,
        "due_before": query.due_before,
    }
    return {name: value for name, value in values.items() if value is not None}


def _new_values(new: NewActionItem, now: datetime) -> dict[str, Any]:
    """The columns of a new open item; the others start empty."""
    return {f.name: getattr(new, f.name) for f in fields(NewActionItem)} | {
        "status": OPEN,
        "created_at": now,
        "updated_at": now,
    }


def _insert_items(conn: Connection, rows: Sequence[dict[str, Any]]) -> tuple[ActionItemView, ...]:
    """Insert new items in one statement; their views, in the order given. The views hold the
    values as given (the caller's `now`, not its UTC reading), as the items were always shown."""
    statement = insert(action_items).returning(action_items.c.id, sort_by_parameter_order=True)
    ids = conn.execute(statement, list(rows)).scalars().all()
    return tuple(
        ActionItemView(**{name: values.get(name) for name in _VIEW_FIELDS} | {"id": item_id})
        for item_id, values in zip(ids, rows, strict=True)
    )


class ActionStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- capture ---------------------------------------------------------------------------------

    def capture(self, new: NewActionItem, now: datetime) -> Captured:
        """Insert the item for a source message; the existing one when it already has one."""
        captured = self.capture_lines([new], now)
        return Captured(captured.items[0], captured.created)

    def capture_lines(self, lines: Sequence[NewActionItem], now: datetime) -> CapturedLines:
        """Insert the items of one source message (its action lines) in one transaction: all of
        them, or, when the message has items already (a retried event, a second route, a
        placeholder of a deleted message), none and those it has."""
        try:
            with self.db.transaction() as conn:
                items = _insert_items(conn, [_new_values(new, now) for new in lines])
                return CapturedLines(items, created=True)
        except IntegrityError:
            existing = self.items_of(lines[0].channel, lines[0].message_ts)
            if not existing:  # the unique key is the only constraint that can fail here
                raise
            return CapturedLines(tuple(existing), created=False)

    def add_line(self, new: NewActionItem, now: datetime) -> ActionItemView | None:
        """Add an item for a line an edit added to a message; None when it has one already."""
        try:
            with self.db.transaction() as conn:
                return _insert_items(conn, [_new_values(new, now)])[0]
        except IntegrityError:
            return None

    def by_source(self, channel: str, message_ts: str) -> ActionItemView | None:
        """The message's head item (its first line, or the whole message)."""
        with self.db.transaction() as conn:
            row = conn.execute(
                _ITEMS.where(
                    action_items.c.channel == channel, action_items.c.message_ts == message_ts
                )
                .order_by(action_items.c.line_no)
                .limit(1)
            ).first()
            return _view(row) if row else None

    def items_of(self, channel: str, message_ts: str) -> list[ActionItemView]:
        """Every item of a source message, by line."""
        with self.db.transaction() as conn:
            rows = conn.execute(
                _ITEMS.where(
                    action_items.c.channel == channel, action_items.c.message_ts == message_ts
                ).order_by(action_items.c.line_no)
            )
            return [_view(row) for row in rows]

    def get(self, item_id: int) -> ActionItemView | None:
        with self.db.transaction() as conn:
            row = conn.execute(_ITEMS.where(action_items.c.id == item_id)).one_or_none()
            return _view(row) if row else None

    def set_permalink(self, item_id: int, permalink: str) -> None:
        self._set(item_id, permalink=permalink)

    def set_message_permalink(self, channel: str, message_ts: str, permalink: str) -> None:
        """The message's link on each of its live items that lacks it (all share the message)."""
        with self.db.transaction() as conn:
            conn.execute(
                update(action_items)
                .where(
                    action_items.c.channel == channel,
                    action_items.c.message_ts == message_ts,
                    action_items.c.status != CANCELLED,
                    action_items.c.permalink.is_(None),
                )
                .values(permalink=permalink)
            )

    # -- the one confirmation per source message ---------------------------------------------------

    def claim_confirmation(self, item_id: int, now: datetime) -> bool:
        """True for exactly one caller per item: that caller posts the confirmation."""
        with self.db.transaction() as conn:
            result = conn.execute(
                update(action_items)
                .where(action_items.c.id == item_id, action_items.c.confirmed_at.is_(None))
                .values(confirmed_at=now)
            )
            return result.rowcount == 1

    def confirmed(self, item_id: int, confirmation_ts: str | None) -> None:
        self._set(item_id, confirmation_ts=confirmation_ts)

    def release_confirmation(self, item_id: int) -> None:
        """The confirmation could not be posted: let a retried event try again."""
        self._set(item_id, confirmed_at=None)

    # -- lifecycle -------------------------------------------------------------------------------

    def update_from_source(
        self,
        channel: str,
        message_ts: str,
        *,
        text: str,
        owner_slack_id: str,
        due_on: date | None,
        due_kind: str,
        now: datetime,
        revive: bool = False,
        line_no: int = 0,
    ) -> ItemChange | None:
        """Apply an edited source message (its action line `line_no`); None when there is no
        live item or nothing changed. With `revive` a cancelled item is opened again (logged anew
        through the shortcut, or its `actie:` line put back)."""
        with self.db.transaction() as conn:
            query = _ITEMS.where(
                action_items.c.channel == channel,
                action_items.c.message_ts == message_ts,
                action_items.c.line_no == line_no,
                action_items.c.source != DELETED_SOURCE,
            )
            if not revive:
                query = query.where(action_items.c.status != CANCELLED)
            row = conn.execute(query.with_for_update()).first()
            if row is None:
                return None
            before = _view(row)
            values: dict[str, Any] = {
                "text": text,
                "owner_slack_id": owner_slack_id,
                "due_on": due_on,
                "due_kind": due_kind,
            }
            if before.status == CANCELLED:
                values |= {"status": OPEN, "closed_at": None, "closed_by": None}
            change = ItemChange(before, replace(before, **values, updated_at=now))
            if not change.changed and before.status != CANCELLED:
                return None
            conn.execute(
                update(action_items)
                .where(action_items.c.id == before.id)
                .values(**values, updated_at=now)
            )
            return change

    def cancel_source(
        self,
        channel: str,
        message_ts: str,
        now: datetime,
        *,
        deleted: bool = False,
        from_line: int = 0,
    ) -> list[ActionItemView]:
        """The source message was deleted (or is no action any more, or lost its action lines
        from `from_line` on): cancel those items (empty when there is none to cancel). Their text
        and link go with them: a cancelled item is never shown, and a deleted message may have
        been deleted for what it said (a resident, a case). A `deleted` message's items are
        marked so that nothing (a late edit) brings them back."""
        values: dict[str, Any] = {
            "status": CANCELLED,
            "closed_at": now,
            "closed_by": None,
            "updated_at": now,
            "text": "",
            "permalink": None,
        }
        if deleted:
            values["source"] = DELETED_SOURCE
        with self.db.transaction() as conn:
            ids = list(
                conn.execute(
                    update(action_items)
                    .where(
                        action_items.c.channel == channel,
                        action_items.c.message_ts == message_ts,
                        action_items.c.line_no >= from_line,
                        action_items.c.status.in_((OPEN, DONE)),
                    )
                    .values(**values)
                    .returning(action_items.c.id)
                ).scalars()
            )
            if deleted:  # lapsed lines too: their text is gone already, nothing brings them back
                conn.execute(
                    update(action_items)
                    .where(
                        action_items.c.channel == channel, action_items.c.message_ts == message_ts
                    )
                    .values(source=DELETED_SOURCE)
                )
            rows = conn.execute(
                _ITEMS.where(action_items.c.id.in_(ids)).order_by(action_items.c.line_no)
            )
            return [_view(row) for row in rows]

    def remember_deleted(self, channel: str, message_ts: str, now: datetime) -> bool:
        """An action message was deleted before its item was stored (Slack redelivers a failed
        event later, after the deletion): keep a lapsed placeholder under its source key, with
        no text, so the late delivery finds it and logs nothing. False when it has an item."""
        try:
            with self.db.transaction() as conn:
                conn.execute(
                    insert(action_items).values(
                        channel=channel,
                        message_ts=message_ts,
                        source=DELETED_SOURCE,
                        text="",
                        owner_slack_id="",
                        author_slack_id="",
                        due_kind="default",
                        status=CANCELLED,
                        created_at=now,
                        updated_at=now,
                        closed_at=now,  # purged with the other lapsed items
                    )
                )
            return True
        except IntegrityError:
            return False

    def close(self, item_id: int, by: str, now: datetime) -> ActionItemView | None:
        return self._transition(
            action_items.c.id == item_id,
            from_status=(OPEN,),
            values={"status": DONE, "closed_at": now, "closed_by": by, "updated_at": now},
        )

    def reopen(self, item_id: int, now: datetime) -> ActionItemView | None:
        return self._transition(
            action_items.c.id == item_id,
            from_status=(DONE,),
            values={"status": OPEN, "closed_at": None, "closed_by": None, "updated_at": now},
        )

    def _transition(
        self, where: Any, *, from_status: Sequence[str], values: dict[str, Any]
    ) -> ActionItemView | None:
        with self.db.transaction() as conn:
            item_id = conn.scalar(
                update(action_items)
                .where(where, action_items.c.status.in_(from_status))
                .values(**values)
                .returning(action_items.c.id)
            )
            if item_id is None:
                return None
            return _view(conn.execute(_ITEMS.where(action_items.c.id == item_id)).one())

    def _set(self, item_id: int, **values: Any) -> None:
        with self.db.transaction() as conn:
            conn.execute(update(action_items).where(action_items.c.id == item_id).values(**values))

    # -- listings --------------------------------------------------------------------------------

    def channels(self) -> list[str]:
        """Every channel an item came from (a handful: the meeting channels)."""
        with self.db.transaction() as conn:
            return list(conn.scalars(select(action_items.c.channel).distinct()))

    def page(self, query: ActionQuery) -> tuple[list[ActionItemView], bool]:
        """(items, whether there are more): one keyset page, newest first. Read on a plain
        connection, rolled back when it closes (the hot path of /acties: nothing to commit)."""
        with self.db.engine.connect() as conn:
            statement = _page_shape(*_shape_of(query))
            rows = conn.execute(statement, _page_params(query)).all()
        views = [ActionItemView(*row) for row in rows]
        return views[: query.limit], len(rows) > query.limit

    def open_for_series(self, series_key: str, limit: int = 50) -> list[ActionItemView]:
        """Open items of a meeting series by due date, overdue (earliest) first, undated last."""
        with self.db.transaction() as conn:
            rows = conn.execute(
                _ITEMS.where(action_items.c.series_key == series_key, action_items.c.status == OPEN)
                .order_by(action_items.c.due_on.is_(None), action_items.c.due_on, action_items.c.id)
                .limit(limit)
            )
            return [_view(r) for r in rows]

    def open_for_owner(self, owner_slack_id: str, limit: int = 50) -> list[ActionItemView]:
        """Open items of one person by due date, earliest first, undated last."""
        with self.db.transaction() as conn:
            rows = conn.execute(
                _ITEMS.where(
                    action_items.c.owner_slack_id == owner_slack_id, action_items.c.status == OPEN
                )
                .order_by(action_items.c.due_on.is_(None), action_items.c.due_on, action_items.c.id)
                .limit(limit)
            )
            return [_view(r) for r in rows]

    def count_open_for_owner(self, owner_slack_id: str) -> int:
        with self.db.transaction() as conn:
            return int(
                conn.scalar(
                    select(func.count(action_items.c.id)).where(
                        action_items.c.owner_slack_id == owner_slack_id,
                        action_items.c.status == OPEN,
                    )
                )
                or 0
            )

    def open_due_at_meetings(self, days: Collection[date]) -> list[ActionItemView]:
        """Open items due "at the next meeting" (said so, or nothing said in a meeting's
        thread) on one of `days`."""
        with self.db.transaction() as conn:
            rows = conn.execute(
                _ITEMS.where(
                    action_items.c.status == OPEN,
                    action_items.c.due_kind.in_(MEETING_DUE_KINDS),
                    action_items.c.due_on.in_(list(days)),
                ).order_by(action_items.c.id)
            )
            return [_view(r) for r in rows]

    def follow_meeting(
        self, item_id: int, due_from: date, due_on: date | None, now: datetime
    ) -> bool:
        """Give an item due at a meeting the date its meeting now has. Only while it is still open
        and due on `due_from`: an edit or a close in between wins."""
        with self.db.transaction() as conn:
            result = conn.execute(
                update(action_items)
                .where(
                    action_items.c.id == item_id,
                    action_items.c.status == OPEN,
                    action_items.c.due_on == due_from,
                    action_items.c.due_kind.in_(MEETING_DUE_KINDS),
                )
                .values(due_on=due_on, updated_at=now)
            )
            return result.rowcount == 1

    def owners_with_overdue(self, today: date) -> list[str]:
        with self.db.transaction() as conn:
            return list(
                conn.scalars(
                    select(action_items.c.owner_slack_id)
                    .where(action_items.c.status == OPEN, action_items.c.due_on < today)
                    .distinct()
                    .order_by(action_items.c.owner_slack_id)
                )
            )

    def overdue_for(self, owner_slack_id: str, today: date) -> list[ActionItemView]:
        with self.db.transaction() as conn:
            rows = conn.execute(
                _ITEMS.where(
                    action_items.c.owner_slack_id == owner_slack_id,
                    action_items.c.status == OPEN,
                    action_items.c.due_on < today,
                ).order_by(action_items.c.due_on, action_items.c.id)
            )
            return [_view(r) for r in rows]

    # -- retention -------------------------------------------------------------------------------

    def purge(self, closed_before: datetime, batch: int = 5000) -> int:
        """Delete closed and cancelled items closed before the cut-off, in short transactions."""
        removed = 0
        while True:
            with self.db.transaction() as conn:
                ids = list(
                    conn.scalars(
                        select(action_items.c.id)
                        .where(
                            action_items.c.status.in_((DONE, CANCELLED)),
                            action_items.c.closed_at < closed_before,
                        )
                        .limit(batch)
                    )
                )
                if ids:
                    conn.execute(delete(action_items).where(action_items.c.id.in_(ids)))
            removed += len(ids)
            if len(ids) < batch:
                return removed


def _export_rows(conn: Connection) -> Iterator[dict[str, Any]]:
    rows = conn.execute(
        select(action_items).order_by(action_items.c.id).execution_options(yield_per=1000)
    )
    for row in rows:
        yield {
            "id": row.id,
            "status": row.status,
            "text": row.text,
            "owner": row.owner_slack_id,
            "author": row.author_slack_id,
            "due_on": row.due_on.isoformat() if row.due_on else None,
            "due_kind": row.due_kind,
            "series": row.series_key,
            "occurrence_at": row.occurrence_at.isoformat() if row.occurrence_at else None,
            "channel": row.channel,
            "message_ts": row.message_ts,
            "line": row.line_no,
            "permalink": row.permalink,
            "created_at": row.created_at.isoformat(),
            "updated_at": row.updated_at.isoformat(),
            "closed_at": row.closed_at.isoformat() if row.closed_at else None,
            "closed_by": row.closed_by,
        }


ACTION_ITEMS_FILE = "action_items.yaml"


def export_action_items(conn: Connection) -> dict[str, dict[str, Any]]:
    """Every action item (open, done and cancelled) as an archive file for `oov-bot export`, e.g.
    before the retention purge removes old ones. `oov-bot import` does not read it."""
    return {ACTION_ITEMS_FILE: {"action_items": list(_export_rows(conn))}}
