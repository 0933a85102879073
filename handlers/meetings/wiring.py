"""The meetings service on a context's stores: shared by the feature's adapters."""

from __future__ import annotations

from bot.context import AppContext
from bot.services.meetings import MeetingService
from storage.actions import ActionStore
from storage.meetings import MeetingStore


def meeting_service(ctx: AppContext) -> MeetingService:
    return MeetingService(
        MeetingStore(ctx.db, ctx.tz),
        ctx.team,
        ActionStore(ctx.db),
        tz=ctx.tz,
        grace_minutes=ctx.settings.oov_reminder_grace_minutes,
    )
