"""What piket's adapters share (Slack listeners, clock, CLI; no Bolt): building the service from
the context, and sending what its use cases decided through the gateway: notices (DMs, channel
posts), the channel topic and the user group's members."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from bot.context import AppContext
from bot.gateway import SlackError, SlackGateway
from bot.services.notices import Notice
from bot.services.piket import PiketService, UsergroupUpdate
from handlers.blocks import section
from storage.piket import PiketStore, new_store

log = logging.getLogger(__name__)


def piket_store(ctx: AppContext) -> PiketStore:
    """The context's one piket store: its read models (the rota, the rules) are built once per
    data version for every adapter (listeners, feeds, the clock; the Home asks for the same)."""
    return ctx.service(new_store)


def build_service(ctx: AppContext) -> PiketService:
    return PiketService(
        piket_store(ctx),
        ctx.team,
        tz=ctx.tz,
        public_base_url=ctx.settings.public_base_url,
    )


class Outbox:
    """One per adapter: it remembers user group handles it has looked up."""

    def __init__(self, gateway: SlackGateway) -> None:
        self.gateway = gateway
        self._usergroup_ids: dict[str, str] = {}

    def tell(self, notices: Iterable[Notice]) -> None:
        """Courtesy messages: a failure is logged by the gateway, never raised."""
        for notice in notices:
            self.gateway.try_post(
                notice.to, notice.text, blocks=[section(notice.text)], what=notice.what
            )

    def set_usergroup(self, update: UsergroupUpdate | None) -> None:
        """Best effort: a group that cannot be updated leaves a warning in the log."""
        if update is None or not self.gateway.enabled:
            return
        try:
            group = self._usergroup_id(update.usergroup)
            if group:
                self.gateway.set_usergroup_users(group, list(update.members))
        except SlackError as exc:
            log.warning("piket user group not updated: %s", exc.code)

    def _usergroup_id(self, configured: str) -> str | None:
        if re.fullmatch(r"S[A-Z0-9]+", configured):
            return configured
        if configured not in self._usergroup_ids:
            for group in self.gateway.usergroups():
                self._usergroup_ids[group.get("handle", "")] = group["id"]
        found = self._usergroup_ids.get(configured)
        if found is None:
            log.warning("piket user group %s not found in Slack", configured)
        return found

    def set_topic(self, channel: str, topic: str) -> None:
        if not self.gateway.enabled:
            return
        try:
            self.gateway.set_topic(channel, topic)
        except SlackError as exc:
            log.warning("piket channel topic not set: %s", exc.code)
