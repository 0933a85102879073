"""The scheduler process: plans every feature's scheduled posts and fires each on time, once.

Designed around APScheduler 3's traps:
- only the clock runs a scheduler (web processes never do), and two clocks by mistake are safe:
  each post is claimed in the database under a unique key before it is sent;
- jobs live in memory and are derived from the database/config on every planning round, with
  explicit ids (no pickled job store that drops jobs after a code change);
- late runs are not silently skipped: the planning round itself catches up what is due within the
  grace window and records (and reports) older misses;
- every trigger carries the configured time zone.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot import heap
from bot.context import AppContext
from bot.gateway import SlackError
from bot.planning import PlannedDelivery, Planner
from storage.deliveries import RETRY, DeliveryStore

log = logging.getLogger(__name__)

PLAN_JOB = "plan"
MARK = "planned_until"


class Clock:
    def __init__(
        self,
        ctx: AppContext,
        planners: Sequence[Planner],
        *,
        grace: timedelta,
        horizon: timedelta = timedelta(hours=25),
        replan_every: timedelta = timedelta(minutes=1),
        stale_after: timedelta = timedelta(minutes=10),
    ) -> None:
        self.ctx = ctx
        self.planners = list(planners)
        self.grace = grace
        self.horizon = horizon
        self.replan_every = replan_every
        self.stale_after = stale_after
        self.store = DeliveryStore(ctx.db)
        self.identity = f"{socket.gethostname()}:{os.getpid()}"
        self.stopping = threading.Event()
        self.scheduler = BackgroundScheduler(
            timezone=ctx.tz,
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                # Deliveries check lateness themselves; APScheduler must never skip one silently.
                "misfire_grace_time": None,
            },
        )

    def start(self) -> None:
        self.scheduler.add_job(
            self.plan,
            IntervalTrigger(seconds=self.replan_every.total_seconds(), timezone=self.ctx.tz),
            id=PLAN_JOB,
            next_run_time=self.ctx.now(),
            replace_existing=True,
        )
        self.scheduler.start()
        log.info("clock started (%s), grace window %s", self.identity, self.grace)

    def shutdown(self) -> None:
        # A planning round in progress stops at its next planner (a busy machine can make a
        # whole round take seconds); a post in hand is finished, so none is cut off half-way.
        self.stopping.set()
        self.scheduler.shutdown(wait=True)

    def plan(self) -> None:
        """One planning round: schedule what is coming, catch up or record what was due."""
        now = self.ctx.now()
        for stale in self.store.expire_stale_claims(now - self.stale_after, now):
            log.error(
                "delivery %s was claimed but never finished; it may not have been posted", stale.key
            )
        planned_until = self.store.mark(MARK) or now - self.grace  # first run: grace only
        earliest = min(planned_until, now - self.grace, self.store.oldest_retry() or now)
        planned: list[PlannedDelivery] = []
        complete = True
        for planner in self.planners:
            if self.stopping.is_set():
                return  # nothing scheduled, the mark unmoved: the next clock plans it all again
            # One feature's failure must not hold up the others' posts.
            try:
                planned.extend(planner(self.ctx, earliest, now + self.horizon))
            except Exception:
                complete = False
                name = getattr(planner, "__module__", repr(planner))
                log.exception("planning by %s failed; it is planned again next round", name)
        if self.stopping.is_set():
            return
        statuses = self.store.statuses([d.key for d in planned])
        wanted: set[str] = set()
        for delivery in planned:
            status = statuses.get(delivery.key)
            if status is not None and status != RETRY:
                continue
            if delivery.due_at < now - self.grace:
                # Due while nobody was planning, or retried until the grace window ran out.
                if delivery.due_at >= planned_until or status == RETRY:
                    self._record_missed(delivery, now)
                continue
            wanted.add(delivery.key)
            run_at = max(delivery.due_at, now)
            self.scheduler.add_job(
                self.deliver,
                DateTrigger(run_date=run_at, timezone=self.ctx.tz),
                args=[delivery],
                id=delivery.key,
                replace_existing=True,
            )
        if not complete:
            return  # keep the failed planner's jobs and look back from the same mark next round
        for job in self.scheduler.get_jobs():
            if job.id != PLAN_JOB and job.id not in wanted:
                job.remove()  # cancelled or moved since the previous round
        for dropped in self.store.close_retries(now - self.grace, now):
            log.warning("delivery %s was waiting for a retry but is no longer planned", dropped.key)
        self.store.set_mark(MARK, now)

    def _record_missed(self, delivery: PlannedDelivery, now: datetime) -> None:
        if not self.store.claim(
            delivery.key, delivery.kind, delivery.due_at, status="missed", by=self.identity, now=now
        ):
            return
        log.warning(
            "missed %s (due %s, more than %s ago): not posted late",
            delivery.key,
            delivery.due_at.isoformat(),
            self.grace,
        )
        if delivery.on_missed:
            delivery.on_missed()

    def deliver(self, delivery: PlannedDelivery) -> str:
        """Claim and send one delivery; returns its final status (or "taken")."""
        now = self.ctx.now()
        if not self.store.claim(
            delivery.key,
            delivery.kind,
            delivery.due_at,
            status="claimed",
            by=self.identity,
            now=now,
        ):
            return "taken"
        try:
            sent = delivery.send()
        except SlackError as exc:
            if not exc.permanent:
                # Slack's retry handlers already waited (Retry-After, backoff); release the claim so
                # the next planning round tries again while still within the grace window.
                self.store.release(delivery.key, exc.code)
                log.warning("delivery %s failed (%s); will retry", delivery.key, exc.code)
                return "retry"
            self.store.finish(delivery.key, status="failed", now=self.ctx.now(), detail=exc.code)
            log.error("delivery %s failed permanently: %s", delivery.key, exc.code)
            if delivery.on_failed:
                delivery.on_failed(exc)
            return "failed"
        except Exception as exc:
            self.store.finish(
                delivery.key, status="failed", now=self.ctx.now(), detail=exc.__class__.__name__
            )
            log.exception("delivery %s crashed", delivery.key)
            return "failed"
        self.store.finish(
            delivery.key,
            status="sent",
            now=self.ctx.now(),
            channel=sent.channel if sent else None,
            ts=sent.ts if sent else None,
        )
        return "sent"


def create_clock(ctx: AppContext, planners: Sequence[Planner]) -> Clock:
    return Clock(
        ctx,
        planners,
        grace=timedelta(minutes=ctx.settings.oov_reminder_grace_minutes),
        replan_every=timedelta(seconds=ctx.settings.oov_clock_replan_seconds),
    )


def start_clock(ctx: AppContext, planners: Sequence[Planner]) -> Clock:
    clock = create_clock(ctx, planners)
    clock.start()
    return clock


def run_clock(ctx: AppContext, planners: Sequence[Planner]) -> int:
    """`oov-bot clock`: run the scheduler until SIGTERM/SIGINT."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    clock = start_clock(ctx, planners)
    heap.settle()  # the assembled clock's heap, out of every later collection (bot/heap.py)
    stop.wait()
    clock.shutdown()
    log.info("clock stopped")
    return 0
