"""The actions service for a context: built once (ctx.service) and shared by the feature's
listeners, planners and shell. The one Slack piece it gets is a channel-name lookup."""

from __future__ import annotations

from bot.context import AppContext
from bot.gateway import SlackError, SlackGateway
from bot.services.actions import ActionMeetings, ActionService, ChannelNames
from handlers.access import access_service
from storage.actions import ActionStore
from storage.deliveries import DeliveryStore
from storage.meetings import new_store as new_meeting_store

# A channel the bot cannot see has no name for it; that is an answer, not a failure.
_NO_NAME = frozenset({"channel_not_found", "missing_scope"})


def channel_names(gateway: SlackGateway) -> ChannelNames:
    """A channel's name from Slack. Any other failure is raised: the event that needed it is then
    delivered again (see slack.stored_or_retry)."""

    def name(channel: str) -> str | None:
        if not gateway.enabled:
            return None
        try:
            return gateway.channel_name(channel)
        except SlackError as exc:
            if exc.code in _NO_NAME:
                return None
            raise

    return name


def build_service(ctx: AppContext) -> ActionService:
    meetings = ActionMeetings(
        ctx.service(new_meeting_store), DeliveryStore(ctx.db), channel_names(ctx.gateway)
    )
    return ActionService(
        ActionStore(ctx.db),
        meetings,
        ctx.team,
        ctx.tz,
        retention_months=ctx.settings.oov_action_retention_months,
        access=access_service(ctx),
    )


def action_service(ctx: AppContext) -> ActionService:
    return ctx.service(build_service)
