"""A clock tests can set and advance, and the suite's fixed "now"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import PLAN_JOB, Clock

# A Monday morning in Amsterdam (08:00 UTC = 09:00 CET).
FIXED_NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


class FixedClock:
    """A clock tests can set and advance; the app reads time only through it."""

    def __init__(self, now: datetime = FIXED_NOW) -> None:
        self.current = now

    def __call__(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


def run_round(clock: Clock, fixed: FixedClock, when: datetime) -> list[str]:
    """Set the time, plan, then run the deliveries that are due; returns their statuses. (The
    clock's scheduler is started paused; this does what the running scheduler would.)"""
    fixed.current = when
    clock.plan()
    results = []
    for job in sorted(clock.scheduler.get_jobs(), key=lambda j: j.next_run_time):
        if job.id != PLAN_JOB and job.next_run_time <= when:
            results.append(job.func(*job.args))
            job.remove()
    return results
