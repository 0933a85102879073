"""The clock framework with a fixed clock and a planner of its own: claims, retries, misses,
a planner that fails, and two clocks racing for one delivery. (The scheduler is started paused;
`run_round` plans and runs what is due, as the running scheduler would.)"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import create_context
from bot.clock import MARK, Clock, PlannedDelivery
from bot.context import AppContext
from bot.gateway import SentMessage, SlackError
from storage.deliveries import DeliveryStore
from storage.session import Database
from testkit.app import make_settings
from testkit.clock import FixedClock, run_round

DUE = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
GRACE = timedelta(hours=2)


@dataclass
class Probe:
    """One delivery whose sending can be made to fail; records what the clock did with it."""

    key: str = "test:1"
    due_at: datetime = DUE
    failure: SlackError | None = None
    sent: int = 0
    missed: int = 0
    failed: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self) -> SentMessage:
        with self.lock:
            if self.failure is not None:
                raise self.failure
            self.sent += 1
            return SentMessage("C1", f"1.{self.sent}")

    def planner(self, ctx: AppContext, start: datetime, end: datetime) -> list[PlannedDelivery]:
        if not start <= self.due_at <= end:
            return []
        return [
            PlannedDelivery(
                self.key,
                "test",
                self.due_at,
                self.send,
                on_missed=self._on_missed,
                on_failed=lambda exc: self.failed.append(exc.code),
            )
        ]

    def _on_missed(self) -> None:
        self.missed += 1


@pytest.fixture
def ctx(db: Database, clock: FixedClock) -> AppContext:
    return create_context(make_settings(database_url=db.url), db=db, clock=clock)


@pytest.fixture
def start_clock(ctx: AppContext) -> Iterator[Callable[..., Clock]]:
    started: list[Clock] = []

    def start(*planners, **options) -> Clock:
        clock = Clock(ctx, list(planners), grace=GRACE, **options)
        clock.scheduler.start(paused=True)
        started.append(clock)
        return clock

    yield start
    for clock in started:
        clock.scheduler.shutdown(wait=False)


def status(ctx: AppContext, key: str = "test:1") -> str | None:
    record = DeliveryStore(ctx.db).get(key)
    return record.status if record else None


def test_a_delivery_is_sent_once_and_its_message_recorded(
    ctx: AppContext, clock: FixedClock, start_clock
) -> None:
    probe = Probe()
    running = start_clock(probe.planner)
    assert run_round(running, clock, DUE - timedelta(minutes=1)) == []
    assert run_round(running, clock, DUE) == ["sent"]
    assert run_round(running, clock, DUE + timedelta(minutes=1)) == []
    assert run_round(start_clock(probe.planner), clock, DUE + timedelta(minutes=2)) == []
    assert probe.sent == 1
    record = DeliveryStore(ctx.db).by_message("C1", "1.1")
    assert record is not None and record.key == "test:1" and record.status == "sent"


def test_a_transient_failure_is_retried_at_the_next_round(
    ctx: AppContext, clock: FixedClock, start_clock
) -> None:
    probe = Probe(failure=SlackError("fatal_error", permanent=False))
    running = start_clock(probe.planner)
    assert run_round(running, clock, DUE) == ["retry"]
    assert status(ctx) == "retry"
    probe.failure = None
    assert run_round(running, clock, DUE + timedelta(minutes=1)) == ["sent"]
    assert probe.sent == 1 and probe.missed == 0 and status(ctx) == "sent"


def test_retries_that_outlast_the_grace_window_are_recorded_as_missed(
    ctx: AppContext, clock: FixedClock, start_clock
) -> None:
    probe = Probe(failure=SlackError("ratelimited", permanent=False))
    running = start_clock(probe.planner)
    when = DUE
    while when <= DUE + GRACE:
        assert run_round(running, clock, when) == ["retry"]
        when += timedelta(minutes=30)
    assert run_round(running, clock, when) == []
    # Not silently dropped: on record as missed, reported once, never retried again.
    assert status(ctx) == "missed" and probe.missed == 1
    assert run_round(running, clock, when + timedelta(minutes=1)) == []
    assert probe.missed == 1 and probe.sent == 0


def test_a_retry_nobody_plans_any_more_is_closed_after_the_grace_window(
    ctx: AppContext, clock: FixedClock, start_clock, caplog: pytest.LogCaptureFixture
) -> None:
    probe = Probe(failure=SlackError("fatal_error", permanent=False))
    wanted = {"yes": True}

    def planner(ctx: AppContext, start: datetime, end: datetime) -> list[PlannedDelivery]:
        return probe.planner(ctx, start, end) if wanted["yes"] else []

    running = start_clock(planner)
    assert run_round(running, clock, DUE) == ["retry"]
    wanted["yes"] = False  # e.g. the meeting was cancelled meanwhile
    assert run_round(running, clock, DUE + timedelta(minutes=1)) == []
    assert status(ctx) == "retry"
    run_round(running, clock, DUE + GRACE + timedelta(minutes=1))
    assert status(ctx) == "missed" and probe.missed == 0
    assert "test:1 was waiting for a retry but is no longer planned" in caplog.text


def test_a_permanent_failure_is_reported_once_and_not_retried(
    ctx: AppContext, clock: FixedClock, start_clock
) -> None:
    probe = Probe(failure=SlackError("channel_not_found", permanent=True))
    running = start_clock(probe.planner)
    assert run_round(running, clock, DUE) == ["failed"]
    assert run_round(running, clock, DUE + timedelta(minutes=1)) == []
    assert probe.failed == ["channel_not_found"]
    record = DeliveryStore(ctx.db).get("test:1")
    assert (record.status, record.detail) == ("failed", "channel_not_found")


def test_a_delivery_due_while_the_clock_was_down_is_missed_beyond_grace_posted_within(
    ctx: AppContext, clock: FixedClock, start_clock
) -> None:
    old, recent = Probe(key="test:old"), Probe(key="test:recent", due_at=DUE + timedelta(hours=2))
    run_round(start_clock(old.planner, recent.planner), clock, DUE - timedelta(hours=1))
    # Down until 3 h after the first was due, 1 h after the second.
    restarted = start_clock(old.planner, recent.planner)
    assert run_round(restarted, clock, DUE + timedelta(hours=3)) == ["sent"]
    assert (old.sent, old.missed, recent.sent, recent.missed) == (0, 1, 1, 0)
    assert status(ctx, "test:old") == "missed"


def test_a_first_start_ever_looks_back_only_the_grace_window(
    ctx: AppContext, clock: FixedClock, start_clock
) -> None:
    probe = Probe()
    assert run_round(start_clock(probe.planner), clock, DUE + timedelta(hours=3)) == []
    assert (probe.sent, probe.missed, status(ctx)) == (0, 0, None)  # no downtime to report


def test_a_failing_planner_does_not_hold_up_the_others(
    ctx: AppContext, clock: FixedClock, start_clock, caplog: pytest.LogCaptureFixture
) -> None:
    healthy = Probe(key="test:healthy")
    flaky = Probe(key="test:flaky", due_at=DUE + timedelta(minutes=5))
    broken = {"now": False}

    def sometimes(ctx: AppContext, start: datetime, end: datetime) -> list[PlannedDelivery]:
        if broken["now"]:
            raise RuntimeError("database hiccup")
        return flaky.planner(ctx, start, end)

    running = start_clock(healthy.planner, sometimes)
    run_round(running, clock, DUE - timedelta(minutes=10))
    broken["now"] = True
    assert run_round(running, clock, DUE) == ["sent"]
    assert f"planning by {__name__} failed" in caplog.text  # the failing planner is named
    # The failed planner's job from the earlier round is kept, and still fires.
    assert running.scheduler.get_job("test:flaky") is not None
    assert DeliveryStore(ctx.db).mark(MARK) == DUE - timedelta(minutes=10)
    assert run_round(running, clock, DUE + timedelta(minutes=5)) == ["sent"]
    assert (healthy.sent, flaky.sent) == (1, 1)


def test_two_clocks_firing_at_once_send_once(
    ctx: AppContext, clock: FixedClock, start_clock
) -> None:
    probe = Probe()
    first, second = start_clock(probe.planner), start_clock(probe.planner)
    clock.current = DUE
    first.plan()
    second.plan()
    delivery = first.scheduler.get_job("test:1").args[0]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def fire(running: Clock) -> None:
        barrier.wait()
        results.append(running.deliver(delivery))

    threads = [threading.Thread(target=fire, args=(c,)) for c in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["sent", "taken"]
    assert probe.sent == 1


def test_a_claim_left_by_a_crashed_process_is_reported_and_not_resent(
    ctx: AppContext, clock: FixedClock, start_clock, caplog: pytest.LogCaptureFixture
) -> None:
    probe = Probe()
    store = DeliveryStore(ctx.db)
    store.claim("test:1", "test", DUE, status="claimed", by="dead:1", now=DUE)
    running = start_clock(probe.planner)
    assert run_round(running, clock, DUE + timedelta(minutes=11)) == []
    assert "test:1 was claimed but never finished" in caplog.text
    assert status(ctx) == "failed" and probe.sent == 0


def test_a_clock_told_to_stop_mid_round_plans_nothing_more_and_another_plans_it_all(
    ctx: AppContext, clock: FixedClock, start_clock
) -> None:
    first, second = Probe(key="test:first"), Probe(key="test:second")
    stopping = start_clock()

    def stop_after_first(ctx: AppContext, start: datetime, end: datetime) -> list[PlannedDelivery]:
        stopping.stopping.set()  # SIGTERM arrives while this planner runs
        return first.planner(ctx, start, end)

    stopping.planners = [stop_after_first, second.planner]
    clock.current = DUE - timedelta(minutes=10)
    stopping.plan()
    assert stopping.scheduler.get_jobs() == []  # nothing half-planned
    assert DeliveryStore(ctx.db).mark(MARK) is None  # the next clock looks back as far as this one
    successor = start_clock(first.planner, second.planner)
    assert run_round(successor, clock, DUE) == ["sent", "sent"]
    assert (first.sent, second.sent) == (1, 1)
