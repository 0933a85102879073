"""The scheduler process. Meeting reminders and piket notices arrive with those features."""

from __future__ import annotations

import logging

from bot.context import AppContext

log = logging.getLogger(__name__)

NOT_YET = "clock: nothing to schedule yet (meeting reminders arrive with the meetings feature)"


def start_clock(ctx: AppContext) -> None:
    log.info(NOT_YET)


def run_clock(ctx: AppContext) -> int:
    log.info(NOT_YET)
    return 0
