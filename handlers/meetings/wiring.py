"""The meetings service on a context's stores: shared by the feature's adapters."""

from __future__ import annotations

from bot.context import AppContext
from bot.services.meetings import MeetingService
from handlers.access import access_service
from storage.actions import ActionStore
from storage.meetings import new_store as new_meeting_store


def meeting_service(ctx: AppContext) -> MeetingService:
    """The context's one meetings service: its read model is built once per data version for
    the listeners, the clock and the shell alike."""
    return ctx.service(_build)


def build_read_models(ctx: AppContext) -> None:
    meeting_service(ctx).prepare()


def _build(ctx: AppContext) -> MeetingService:
    return MeetingService(
        ctx.service(new_meeting_store),
        ctx.team,
        ActionStore(ctx.db),
        tz=ctx.tz,
        grace_minutes=ctx.settings.oov_reminder_grace_minutes,
        access=access_service(ctx),
    )
