"""Read models and data versions: a change made by another process (here: a second engine on the
same database, SQLite and PostgreSQL) is what the next request answers, and no cache keeps
answering from before a change, whatever the change looks like (a same-instant update, a delete
and an insert, a write in plain SQL). Read models are built when a process is assembled, so the
first commands of a fresh app only check the data versions; reading the versions once per answer
never carries over to the next request.

Most tests here ask at a person's pace: each answer comes more than VERSIONS_TTL after the last,
so it reads the versions itself. The answers of a burst share one reading (see the end)."""

from __future__ import annotations

import gc
import importlib.util
import json
import threading
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, text, update

from bot.core import meetings
from bot.core.meetings import Status
from bot.core.programme import Status as ProgrammeStatus
from bot.core.rota import DayRange
from storage.actions import ActionStore, NewActionItem
from storage.meetings import MeetingStore
from storage.models.capacity import capacity_state
from storage.piket import PiketStore
from storage.programme import ProgrammeStore
from storage.session import Database
from storage.team import TeamStore
from storage.versions import (
    TEAM,
    TRACKED_TABLES,
    VERSIONS_TTL,
    VersionedCache,
    read_once,
    read_versions,
    share_versions,
)
from testkit.app import RunningBot
from testkit.clock import FixedClock
from testkit.fake_slack import FakeSlack
from testkit.piket_fixtures import RUNNING_WEEK, piket_bots
from testkit.replies import answer, text_of
from testkit.team_config import REPO, SLACK_IDS


@pytest.fixture
def bot(
    db: Database, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path
) -> Iterator[RunningBot]:
    with piket_bots(db, fake_slack, clock, tmp_path) as make:
        yield make(**RUNNING_WEEK)


@pytest.fixture(autouse=True)
def at_a_persons_pace(db: Database) -> None:
    """Every reading of the versions is a new one, as when answers are more than VERSIONS_TTL
    apart."""
    share_versions(db, ttl=0)


@pytest.fixture
def elsewhere(db: Database) -> Iterator[Database]:
    """Another process's view of the same database: its own engine, sessions and caches."""
    other = Database(db.url)
    yield other
    other.dispose()


def shown(bot: RunningBot, command: str, words: str = "") -> str:
    return text_of(answer(bot.slack.command(command, words)))


def migration_module(name: str) -> Any:
    path = REPO / "storage" / "migrations" / "versions" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"migration_{name}", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    return migration


def test_the_migrations_track_the_tables_the_read_models_name() -> None:
    tracked: dict[str, str] = {}
    for name in ("0004_versions", "0005_action_versions", "0006_programme_versions"):
        migration = migration_module(name)
        assert not tracked.keys() & migration.TRACKED_TABLES.keys()  # one trigger per table
        tracked |= migration.TRACKED_TABLES
    assert dict(TRACKED_TABLES) == tracked
    # 0008 moves every table's PostgreSQL trigger to the commit: it must list them all.
    assert tracked == migration_module("0008_versions_at_commit").TRACKED_TABLES


def an_action_item(db: Database, now: datetime, text: str = "Nagaan wie de sleutel heeft") -> int:
    """aov-1's open item (by default "Nagaan wie de sleutel heeft") from the teamoverleg, written
    by `db`'s process; its id."""
    me = SLACK_IDS["aov-1"]
    captured = ActionStore(db).capture(
        NewActionItem(
            channel="C0TEAM0001",
            message_ts="1700000000.000001",
            thread_ts=None,
            source="prefix",
            text=text,
            owner_slack_id=me,
            author_slack_id=me,
            due_on=date(2026, 12, 4),
            due_kind="date",
            series_key="teamoverleg",
        ),
        now,
    )
    return captured.item.id


@pytest.mark.parametrize("table", sorted(TRACKED_TABLES))
def test_any_write_to_a_tracked_table_raises_its_version(
    bot: RunningBot, elsewhere: Database, table: str
) -> None:
    name = TRACKED_TABLES[table]
    if table == "meeting_occurrence_changes":  # empty after an import: one change by hand
        meetings = MeetingStore(elsewhere, bot.ctx.tz)
        now = bot.clock()
        [(view, occurrence), *_] = meetings.occurrences(now, now + timedelta(days=14))
        meetings.cancel(view.key, occurrence.original_date, by="U0TL00001", now=bot.clock())
    if table == "action_items":  # none in the bundled data
        an_action_item(elsewhere, bot.clock())
    if table == "programme_updates":  # none after an import: one "geen wijziging"
        programme = ProgrammeStore(elsewhere)
        programme.record(programme.activities()[0].id, kind="no_change", by="U0TL00001",
                         now=bot.clock())  # fmt: skip
    before = read_versions(bot.ctx.db)[name]
    # An update that changes nothing visible (no timestamp moves) is still a write.
    with elsewhere.engine.begin() as conn:
        conn.execute(text(f"UPDATE {table} SET id = id"))
    assert read_versions(bot.ctx.db)[name] > before
    # And nothing else moved: an action item or a delivery must not rebuild the team.
    others = {n: v for n, v in read_versions(bot.ctx.db).items() if n != name}
    with elsewhere.engine.begin() as conn:
        conn.execute(text(f"UPDATE {table} SET id = id"))
    assert {n: v for n, v in read_versions(bot.ctx.db).items() if n != name} == others


def test_a_task_owner_changed_by_another_process_at_the_same_instant_is_answered_at_once(
    bot: RunningBot, elsewhere: Database
) -> None:
    before = shown(bot, "/taken", "aov-3")
    here = bot.ctx.team.find_person("aov-3")
    assert here is not None
    other = TeamStore(elsewhere)
    task = next(t for t in other.tasks() if not t.owner or t.owner.key != "aov-3")
    assert task.subject not in before
    # At the import's own instant: a (count, newest updated_at) key does not move.
    other.change_owners(
        task.id, {"owner": here.id}, changed_by="U0TL00001", source="cli", now=bot.clock()
    )
    assert task.subject in shown(bot, "/taken", "aov-3")
    assert task.subject in shown(bot, "/taken", f"<@{SLACK_IDS['aov-3']}>")
    found = shown(bot, "/wie", task.subject)
    assert f"<@{SLACK_IDS['aov-3']}>" in found


def test_a_person_renamed_by_another_process_is_found_by_the_new_name_only(
    bot: RunningBot, elsewhere: Database
) -> None:
    assert "AOV-er 2" in shown(bot, "/taken", "AOV-er 2")
    with elsewhere.engine.begin() as conn:
        conn.execute(text("UPDATE people SET name = 'Anna Vos' WHERE key = 'aov-2'"))
    assert "Anna Vos" in shown(bot, "/taken", "anna vos")
    assert "Ik ken geen persoon" in shown(bot, "/taken", "AOV-er 2")


def test_a_meeting_cancelled_by_another_process_shows_at_the_next_overleg(
    bot: RunningBot, elsewhere: Database
) -> None:
    meetings = MeetingStore(elsewhere, bot.ctx.tz)
    [(view, occurrence), *_] = meetings.occurrences(bot.clock(), bot.clock() + timedelta(days=14))
    before = shown(bot, "/overleg")
    meetings.cancel(view.key, occurrence.original_date, by="U0TL00001", now=bot.clock())
    after = shown(bot, "/overleg")
    assert after != before
    assert after.count("~") > before.count("~") or "afgelast" in after.lower()
    # And undone (a delete): the list is as it was.
    meetings.restore(view.key, occurrence.original_date)
    assert shown(bot, "/overleg") == before


def test_a_shift_given_away_by_another_process_shows_at_the_next_piket(
    bot: RunningBot, elsewhere: Database
) -> None:
    aov3 = f"<@{SLACK_IDS['aov-3']}>"
    now_on_duty = shown(bot, "/piket")
    assert f"*OVD-BZ*: <@{SLACK_IDS['aov-1']}>" in now_on_duty
    coming = shown(bot, "/piket", "volgende")
    day = bot.clock().astimezone(bot.ctx.tz).date()
    PiketStore(elsewhere, bot.ctx.tz).set_person(
        "OVD-BZ", DayRange(day, day, "vandaag"), "aov-3", now=bot.clock()
    )
    assert f"*OVD-BZ*: {aov3}" in shown(bot, "/piket")
    assert shown(bot, "/piket", "volgende") != coming
    assert "OVD-BZ*: maandag 23 november 2026" in shown(bot, "/piket", "aov-3")


def test_the_rota_read_model_equals_the_tables(bot: RunningBot, elsewhere: Database) -> None:
    store = PiketStore(bot.ctx.db, bot.ctx.tz)
    now = bot.clock()
    aov1 = bot.ctx.team.find_person("aov-1")
    assert aov1 is not None
    for start, end, person in [
        (None, None, None),
        (now, None, None),
        (now, now + timedelta(days=400), None),
        (now - timedelta(days=1), now, None),
        (now, now + timedelta(microseconds=1), None),
        (now - timedelta(days=90), now + timedelta(days=30), aov1.id),
        (now, None, aov1.id),
    ]:
        assert store.shifts(start, end, person_id=person) == store.shifts_from_database(
            start, end, person_id=person
        )


def test_the_meetings_read_model_answers_as_working_them_out(
    bot: RunningBot, elsewhere: Database
) -> None:
    """Listings and next meetings are worked out per day and kept per meetings version; every
    answer must equal working it out for the exact instant, also around a DST change, at a
    meeting's own start, after changes by hand, and after the meetings changed elsewhere."""
    store, other, tz = (
        MeetingStore(bot.ctx.db, bot.ctx.tz),
        MeetingStore(elsewhere, bot.ctx.tz),
        bot.ctx.tz,
    )
    now = bot.clock()
    instants = [now + timedelta(hours=13 * n, minutes=n) for n in range(60)]
    spring = datetime(2027, 3, 27, 12, tzinfo=UTC)  # the change is at 01:00 UTC on the 28th
    instants += [spring + timedelta(hours=5 * n) for n in range(12)]

    def check() -> None:
        snapshot = store.snapshot()

        def worked_out(start: datetime, end: datetime) -> list[tuple[Any, Any]]:
            found = [
                (view, occurrence)
                for view in snapshot.views
                for occurrence in meetings.occurrences(
                    view.series, start, end, snapshot.changes_of(view.key), tz=tz
                )
            ]
            return sorted(found, key=lambda pair: (pair[1].start, pair[0].series.name))

        starts = [o.start for _, o in worked_out(now, now + timedelta(days=30))]
        for start in instants + starts:
            for length in (timedelta(hours=1), timedelta(days=1), timedelta(days=14)):
                assert store.occurrences(start, start + length) == worked_out(start, start + length)
        for view in snapshot.views:
            own = [o.start for v, o in worked_out(now, now + timedelta(days=30)) if v == view]
            afters = instants + own + [s - timedelta(microseconds=1) for s in own]
            for after in afters:
                for count in (1, 5):
                    assert store.upcoming(view.key, after, count) == meetings.upcoming(
                        view.series, after, count, snapshot.changes_of(view.key), tz=tz
                    ), (view.key, after, count)

    check()
    # Changes by hand elsewhere: a cancellation, a move into another week, a move within a day.
    [(first, a), (second, b), (third, c), *_] = other.occurrences(now, now + timedelta(days=21))
    other.cancel(first.key, a.original_date, by="U0TL00001", now=now)
    other.move(second.key, b.original_date, b.start + timedelta(days=9), by="U0TL00001", now=now)
    other.move(third.key, c.original_date, c.start - timedelta(hours=2), by="U0TL00001", now=now)
    assert any(o.status is not Status.PLANNED for _, o in store.occurrences(now, a.end))
    check()


def test_the_team_read_model_answers_as_the_queries_did(bot: RunningBot) -> None:
    team = bot.ctx.team
    people = team.people()
    assert [p.name for p in people] == sorted(p.name for p in people)
    for person in people:
        assert team.find_person(person.key) == person
        assert team.find_person(f"@{person.key.upper()}") == person
        assert team.find_person(person.name.upper()) == person
        if person.slack_id:
            assert team.find_person(person.slack_id.lower()) == person
            assert team.person_by_slack_id(person.slack_id) == person
        owned, deputy = team.tasks_of(person.id)
        assert all(t.owner == person for t in owned)
        assert all(t.deputy == person for t in deputy)
    assert team.find_person("niemand") is None


# -- built at assembly, read once per answer ----------------------------------------------


class Statements:
    """The SQL the app's own engine sends, as the database receives it."""

    def __init__(self, db: Database) -> None:
        self.seen: list[str] = []
        self._engine = db.engine
        event.listen(self._engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.seen.append(" ".join(statement.split()))

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._record)

    def beyond_versions(self) -> list[str]:
        return [s for s in self.seen if "data_versions" not in s]


def answered(bot: RunningBot, command: str, words: str) -> tuple[str, Statements]:
    """The reply to `command words` and the SQL statements its answer sent."""
    statements = Statements(bot.ctx.db)
    try:
        return shown(bot, command, words), statements
    finally:
        statements.close()


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ("/wie", "bibob"),
        ("/taken", ""),
        ("/taken", "aov-2"),
        ("/overleg", ""),
        ("/overleg", "teamoverleg"),
        ("/overleg", "boa-briefing"),
        ("/piket", ""),
        ("/piket", "volgende"),
        ("/piket", "aov-2"),
    ],
)
def test_the_first_command_of_a_fresh_app_finds_its_read_models_built(
    bot: RunningBot, command: str, words: str
) -> None:
    reply, statements = answered(bot, command, words)
    assert "Er ging iets mis" not in reply and "Ik ken geen" not in reply
    assert statements.seen, "the answer must still check the data versions"
    # Nothing was read but the versions: people, tasks and series were built at assembly.
    assert statements.beyond_versions() == []


def test_an_overleg_answer_reads_the_versions_once(bot: RunningBot) -> None:
    reply, statements = answered(bot, "/overleg", "teamoverleg")
    assert "<@U0TL00001>" in reply  # the chair, one of the people it looks up
    assert len(statements.seen) == 1


PIKET_QUESTIONS = (
    "",  # who is on duty now
    "nu",
    "volgende",
    "mijn",  # the caller, by Slack ID
    "aov-2",
    f"<@{SLACK_IDS['aov-3']}|aov3>",
    "week 52",
    "10 januari 2027",  # no duty that day: the next duty week instead
    "23 december 10:00",
)
# (command, words, what the answer shows: any of these)
READ_ONLY_ANSWERS = [
    ("/taken", "", ("Eigenaar",)),
    ("/taken", "aov-2", ("Eigenaar",)),
    ("/taken", f"<@{SLACK_IDS['aov-3']}|aov3>", ("Eigenaar",)),
    ("/wie", "bibob", ("BIBOB",)),
    ("/wie", "huisverbod", ("uisverbod",)),
    # Answered from the rota, the rules and the team.
    *(("/piket", words, ("OVD-BZ", "Volgende piketweek")) for words in PIKET_QUESTIONS),
]


@pytest.mark.parametrize(("command", "words", "shows"), READ_ONLY_ANSWERS)
def test_a_read_only_answer_reads_the_versions_once(
    bot: RunningBot, command: str, words: str, shows: tuple[str, ...]
) -> None:
    reply, statements = answered(bot, command, words)
    assert "Er ging iets mis" not in reply and "Ik ken geen" not in reply
    assert any(shown_text in reply for shown_text in shows), reply
    assert len(statements.seen) == 1, statements.seen


@pytest.mark.parametrize(
    ("words", "told"),
    [
        ("agenda", "privébericht"),
        (f"ruil 15 februari <@{SLACK_IDS['aov-2']}|aov2>", "Ruilvoorstel verstuurd"),
    ],
)
def test_a_piket_answer_that_writes_reads_the_versions_once_too(
    bot: RunningBot, words: str, told: str
) -> None:
    reply, statements = answered(bot, "/piket", words)
    assert told in reply
    assert any(s.startswith("INSERT") for s in statements.seen)  # the tokens, the proposal
    assert len(statements.seen) - len(statements.beyond_versions()) == 1, statements.seen


@pytest.mark.parametrize("words", ["", "open", "alle", "teamoverleg", "aov-2"])
def test_an_acties_answer_reads_the_versions_at_most_once(bot: RunningBot, words: str) -> None:
    reply, statements = answered(bot, "/acties", words)
    assert "Er ging iets mis" not in reply and "Ik ken geen" not in reply
    assert len(statements.seen) - len(statements.beyond_versions()) <= 1, statements.seen


def test_the_home_reads_the_meetings_the_app_read_at_assembly(bot: RunningBot) -> None:
    # One read model of the series per process: /overleg's, built at start, serves the Home's
    # coming meetings too (and the action items' meetings, and the clock's reminders).
    statements = Statements(bot.ctx.db)
    try:
        event = {"type": "app_home_opened", "user": SLACK_IDS["aov-1"], "tab": "home"}
        assert bot.slack.event(event | {"channel": "D0HOME001"}).status_code == 200
        home = bot.fake.wait_for("views.publish", 1)[-1].args["view"]
    finally:
        statements.close()
    assert "Teamoverleg" in json.dumps(home, ensure_ascii=False)
    assert not [s for s in statements.seen if "meeting_series" in s], statements.seen


def test_read_once_nested_keeps_the_outer_reading(bot: RunningBot, elsewhere: Database) -> None:
    statements = Statements(bot.ctx.db)
    try:
        with read_once():
            first = read_versions(bot.ctx.db)
            with elsewhere.engine.begin() as conn:
                conn.execute(text("UPDATE people SET id = id"))
            with read_once():  # a use case that reads once, inside an answer that does too
                assert read_versions(bot.ctx.db) == first
            assert read_versions(bot.ctx.db) == first
        assert read_versions(bot.ctx.db)[TEAM] > first[TEAM]
    finally:
        statements.close()
    assert len(statements.seen) == 2  # once inside, once after


def test_a_shift_given_away_by_another_process_shows_at_every_next_piket(
    bot: RunningBot, elsewhere: Database
) -> None:
    # As many answers as there are worker threads, so a reading kept past its answer would show.
    for _ in range(10):
        assert f"*OVD-BZ*: <@{SLACK_IDS['aov-1']}>" in shown(bot, "/piket")
    day = bot.clock().astimezone(bot.ctx.tz).date()
    PiketStore(elsewhere, bot.ctx.tz).set_person(
        "OVD-BZ", DayRange(day, day, "vandaag"), "aov-3", now=bot.clock()
    )
    for _ in range(10):
        assert f"*OVD-BZ*: <@{SLACK_IDS['aov-3']}>" in shown(bot, "/piket")


def test_a_chair_relinked_by_another_process_shows_at_the_next_overleg(
    bot: RunningBot, elsewhere: Database
) -> None:
    # Several answers first, so every worker thread has answered once and would keep a
    # reading of the versions if one outlived its request.
    for _ in range(10):
        assert "<@U0TL00001>" in shown(bot, "/overleg", "teamoverleg")
    with elsewhere.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE people SET slack_id = 'U0TL00009', name = 'Anna Vos' "
                "WHERE key = 'teamleider'"
            )
        )
    for _ in range(10):
        reply = shown(bot, "/overleg", "teamoverleg")
        assert "<@U0TL00009>" in reply
        assert "<@U0TL00001>" not in reply
    # Other commands, in the same worker threads, see it too.
    for _ in range(10):
        assert "Anna Vos" in shown(bot, "/taken", "anna vos")


def test_an_item_added_by_another_process_shows_at_the_next_acties(
    bot: RunningBot, elsewhere: Database
) -> None:
    # Asked as often as there are worker threads first: every page is kept by then.
    for _ in range(10):
        assert "Nagaan wie de sleutel heeft" not in shown(bot, "/acties", "alle")
        assert "Nagaan wie de sleutel heeft" not in shown(bot, "/acties", "teamoverleg")
    an_action_item(elsewhere, bot.clock())
    assert "Nagaan wie de sleutel heeft" in shown(bot, "/acties", "alle")
    assert "Nagaan wie de sleutel heeft" in shown(bot, "/acties", "teamoverleg")


ACTIES_QUESTIONS = ["", "open", "alle", "afgerond", "teamoverleg", "aov-2", "mijn teamoverleg"]


@pytest.mark.parametrize("words", ACTIES_QUESTIONS)
def test_an_acties_page_asked_again_reads_only_the_versions(
    bot: RunningBot, elsewhere: Database, words: str
) -> None:
    an_action_item(elsewhere, bot.clock())
    first, _ = answered(bot, "/acties", words)
    again, statements = answered(bot, "/acties", words)
    assert again == first
    assert "Er ging iets mis" not in again and "Ik ken geen" not in again
    assert len(statements.seen) == 1, statements.seen


def test_an_item_closed_by_another_process_leaves_the_next_acties(
    bot: RunningBot, elsewhere: Database
) -> None:
    item = an_action_item(elsewhere, bot.clock())
    for _ in range(10):
        assert "Nagaan wie de sleutel heeft" in shown(bot, "/acties", "alle")
    ActionStore(elsewhere).close(item, by=SLACK_IDS["aov-2"], now=bot.clock())
    assert "Nagaan wie de sleutel heeft" not in shown(bot, "/acties", "alle")
    assert "Nagaan wie de sleutel heeft" in shown(bot, "/acties", "alle afgerond")


def test_a_kept_acties_page_is_the_askers_own_and_of_this_day(
    bot: RunningBot, elsewhere: Database
) -> None:
    an_action_item(elsewhere, bot.clock())
    aov1, aov2 = SLACK_IDS["aov-1"], SLACK_IDS["aov-2"]
    mine = text_of(answer(bot.slack.command("/acties", "", user_id=aov1)))
    assert "Nagaan wie de sleutel heeft" in mine
    # The same words from a colleague: their own items ("mijn"), not aov-1's page.
    theirs = text_of(answer(bot.slack.command("/acties", "", user_id=aov2)))
    assert "Nagaan wie de sleutel heeft" not in theirs
    assert "te laat" not in mine
    # Due on Friday 4 December: overdue from Saturday, with no change to the data.
    bot.clock.advance(date(2026, 12, 5) - bot.clock().astimezone(bot.ctx.tz).date())
    later = text_of(answer(bot.slack.command("/acties", "", user_id=aov1)))
    assert "te laat" in later


def test_a_versioned_cache_keeps_answers_until_their_data_changes(
    bot: RunningBot, elsewhere: Database
) -> None:
    cache: VersionedCache[str, Answer] = VersionedCache(bot.ctx.db, (TEAM,), size=2)
    built: list[str] = []

    def build(key: str) -> Callable[[], Answer]:
        return lambda: built.append(key) or Answer(key)

    first = cache.get("a", build("a"))
    assert cache.get("a", build("a")) is first and built == ["a"]
    # Another kind of data moving keeps it.
    with elsewhere.engine.begin() as conn:
        conn.execute(text("UPDATE piket_state SET id = id"))
    assert cache.get("a", build("a")) is first and built == ["a"]
    # At most `size` answers: the oldest goes first.
    cache.get("b", build("b"))
    cache.get("c", build("c"))
    cache.get("a", build("a"))
    assert built == ["a", "b", "c", "a"]
    # The team changing drops every answer at once: none built before lingers in memory.
    kept = weakref.ref(cache.get("c", build("c")))
    with elsewhere.engine.begin() as conn:
        conn.execute(text("UPDATE people SET id = id"))
    cache.get("b", build("b"))
    gc.collect()
    assert kept() is None
    assert built == ["a", "b", "c", "a", "b"]


def test_a_versioned_cache_files_no_answer_from_an_older_reading(
    bot: RunningBot, elsewhere: Database
) -> None:
    cache: VersionedCache[str, Answer] = VersionedCache(bot.ctx.db, (TEAM,))
    with read_once():
        read_versions(bot.ctx.db)  # this answer's reading: before the change below
        with elsewhere.engine.begin() as conn:
            conn.execute(text("UPDATE people SET name = 'Anna Vos' WHERE key = 'aov-2'"))
        # Meanwhile another thread reads the new versions and files its answer.
        newer = threading.Thread(target=lambda: cache.get("k", lambda: Answer("new")))
        newer.start()
        newer.join()
        assert cache.get("k", lambda: Answer("old")).value == "old"  # answered, not filed
    # Nor kept what the newer reading filed (it cannot tell that reading from a restored
    # database whose versions went back): the next answer is built anew, and then kept.
    assert cache.get("k", lambda: Answer("rebuilt")).value == "rebuilt"
    assert cache.get("k", lambda: Answer("again")).value == "rebuilt"


@dataclass
class Answer:
    value: str


# -- the programme and the capacity picture -------------------------------------------------


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ("/programma", ""),
        ("/programma", "mijn"),
        ("/programma", "ave-model"),
        ("/programma", "ondermijning"),
        ("/capaciteit", ""),
        ("/capaciteit", "aov-2"),
    ],
)
def test_a_programme_or_capacity_answer_asked_again_reads_only_the_versions(
    bot: RunningBot, command: str, words: str
) -> None:
    first, _ = answered(bot, command, words)
    again, statements = answered(bot, command, words)
    assert again == first
    assert "Er ging iets mis" not in again and "Ik ken geen" not in again
    assert len(statements.seen) == 1, statements.seen


def test_a_status_recorded_by_another_process_shows_at_the_next_programma(
    bot: RunningBot, elsewhere: Database
) -> None:
    assert "loopt" not in shown(bot, "/programma")  # the overview: counts per status
    programme = ProgrammeStore(elsewhere)
    activity = next(a for a in programme.activities() if a.key == "ave-model")
    programme.record(
        activity.id, kind="status", by="U0TL00001", now=bot.clock(), status=ProgrammeStatus.LOOPT
    )
    # At once: no polling interval in between (the read model's version moved).
    assert "1 loopt" in shown(bot, "/programma")
    assert "niet gestart → *loopt*" in shown(bot, "/programma", "ave-model")


def test_capacity_settings_changed_by_another_process_show_at_the_next_capaciteit(
    bot: RunningBot, elsewhere: Database
) -> None:
    assert "min 20 % verlof" in shown(bot, "/capaciteit", "aov-2")
    with elsewhere.transaction() as conn:
        state = capacity_state.c
        config = conn.scalar(select(state.config).where(state.id == 1))
        assert config is not None
        # The settings alone, as a hand edit would: the file's digest stays as imported.
        conn.execute(
            update(capacity_state)
            .where(state.id == 1)
            .values(config={**config, "overhead_share": 0.3})
        )
    assert "min 30 % verlof" in shown(bot, "/capaciteit", "aov-2")


def test_an_action_item_naming_an_activity_shows_on_its_next_card(
    bot: RunningBot, elsewhere: Database
) -> None:
    assert "Actiepunten" not in shown(bot, "/programma", "ave-model")
    an_action_item(elsewhere, bot.clock(), "Offerte opvragen voor #ave-model")
    card = shown(bot, "/programma", "ave-model")
    assert "Actiepunten (1)" in card and "Offerte opvragen voor #ave-model" in card


# -- a burst of answers shares one reading ---------------------------------------------------


class Ticks:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def burst(db: Database) -> Ticks:
    ticks = Ticks()
    share_versions(db, monotonic=ticks)
    return ticks


def test_the_answers_of_a_burst_read_the_versions_once(bot: RunningBot, burst: Ticks) -> None:
    statements = Statements(bot.ctx.db)
    try:
        for words in ("", "aov-2", "aov-3", "", "teamleider"):
            assert "Eigenaar" in shown(bot, "/taken", words)
        assert "<@U0TL00001>" in shown(bot, "/overleg", "teamoverleg")
        assert len(statements.seen) == 1 and "data_versions" in statements.seen[0]
        burst.now += VERSIONS_TTL  # the next answer comes a tenth of a second later
        assert "Eigenaar" in shown(bot, "/taken", "")
        assert "Eigenaar" in shown(bot, "/taken", "aov-2")
        assert len(statements.seen) == 2 and "data_versions" in statements.seen[1]
    finally:
        statements.close()


def test_a_change_by_this_process_shows_in_the_next_answer_of_a_burst(
    bot: RunningBot, burst: Ticks
) -> None:
    assert f"*OVD-BZ*: <@{SLACK_IDS['aov-1']}>" in shown(bot, "/piket")
    day = bot.clock().astimezone(bot.ctx.tz).date()
    PiketStore(bot.ctx.db, bot.ctx.tz).set_person(
        "OVD-BZ", DayRange(day, day, "vandaag"), "aov-3", now=bot.clock()
    )
    assert f"*OVD-BZ*: <@{SLACK_IDS['aov-3']}>" in shown(bot, "/piket")  # no tick passed


def test_a_change_by_another_process_shows_within_a_tenth_of_a_second(
    bot: RunningBot, elsewhere: Database, burst: Ticks
) -> None:
    assert f"*OVD-BZ*: <@{SLACK_IDS['aov-1']}>" in shown(bot, "/piket")
    day = bot.clock().astimezone(bot.ctx.tz).date()
    PiketStore(elsewhere, bot.ctx.tz).set_person(
        "OVD-BZ", DayRange(day, day, "vandaag"), "aov-3", now=bot.clock()
    )
    # Within the burst's reading, the answer is as of that reading: the bound, not a defect.
    assert f"*OVD-BZ*: <@{SLACK_IDS['aov-1']}>" in shown(bot, "/piket")
    burst.now += VERSIONS_TTL
    assert f"*OVD-BZ*: <@{SLACK_IDS['aov-3']}>" in shown(bot, "/piket")


def test_only_a_committed_write_counts_as_this_process_changing_the_data(
    bot: RunningBot,
) -> None:
    db = bot.ctx.db
    before = db.writes
    with db.transaction() as conn:  # a read in a transaction, as some stores do
        conn.execute(select(text("1")))
    assert db.writes == before
    with pytest.raises(RuntimeError), db.transaction() as conn:
        conn.execute(text("UPDATE people SET id = id"))
        raise RuntimeError("rolled back")
    assert db.writes == before
    with db.transaction() as conn:
        conn.execute(text("UPDATE people SET id = id"))
    assert db.writes == before + 1
