"""The adapters' side of access: the actor behind any Slack payload, and the Slack lookups the
Slack-free `AccessService` needs, through the gateway. Every feature's listeners call
`actor_of(ctx, body)` and hand the actor to their service, which decides."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from bot.context import AppContext
from bot.core.access import Actor
from bot.gateway import SlackError, SlackGateway
from bot.services.access import AccessService, DirectoryError
from storage.access import AccessStore

# A user Slack does not know is an answer, not a failure that passes.
_SETTLED = frozenset({"user_not_found", "users_not_found"})


def _directory_error(exc: SlackError) -> DirectoryError:
    return DirectoryError(exc.code, passing=not exc.permanent and exc.code not in _SETTLED)


class GatewayDirectory:
    """What Slack knows about users, channels and user groups; any failure is a DirectoryError
    (the service then fails closed)."""

    def __init__(self, gateway: SlackGateway) -> None:
        self.gateway = gateway

    def user(self, slack_id: str) -> Mapping[str, Any]:
        try:
            return self.gateway.user(slack_id)
        except SlackError as exc:
            raise _directory_error(exc) from None

    def home(self) -> tuple[str | None, str | None]:
        try:
            auth = self.gateway.auth_test()
        except SlackError as exc:
            raise _directory_error(exc) from None
        return auth.get("team_id") or None, auth.get("enterprise_id") or None

    def channel_members(self, channel: str) -> Collection[str]:
        try:
            return self.gateway.channel_members(channel)
        except SlackError as exc:
            raise _directory_error(exc) from None

    def usergroup_members(self, usergroup: str) -> Collection[str]:
        try:
            return self.gateway.usergroup_members(usergroup)
        except SlackError as exc:
            raise _directory_error(exc) from None


def build_access(ctx: AppContext) -> AccessService:
    return AccessService(AccessStore(ctx.db), GatewayDirectory(ctx.gateway))


def access_service(ctx: AppContext) -> AccessService:
    """The one AccessService of this process (its caches are shared by every listener)."""
    return ctx.service(build_access)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def payload_ids(body: Mapping[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(user ID, the user's team ID, enterprise ID) of a slash command, an interactive payload
    or an event. The user's own team where Slack says it (`user.team_id`, an event's
    `user_team`), so a Slack Connect user is recognised in a shared channel."""
    if "command" in body:  # slash command (form fields)
        return _str(body.get("user_id")), _str(body.get("team_id")), _str(body.get("enterprise_id"))
    event = _dict(body.get("event"))
    if event:
        user = event.get("user")
        user_id = _str(user) or _str(_dict(user).get("id"))
        team = _str(event.get("user_team")) or _str(_dict(user).get("team_id"))
        return user_id, team, _str(body.get("enterprise_id"))
    user = _dict(body.get("user"))
    team = _str(user.get("team_id")) or _str(_dict(body.get("team")).get("id"))
    return _str(user.get("id")), team, _str(_dict(body.get("enterprise")).get("id"))


def actor_of(ctx: AppContext, body: Mapping[str, Any], *, raise_passing: bool = False) -> Actor:
    """The actor behind a payload. `raise_passing` (events Slack delivers again when not
    answered 200): a Slack failure that may pass raises DirectoryError instead of making the
    user a stranger."""
    user_id, team_id, enterprise_id = payload_ids(body)
    return access_service(ctx).actor(
        user_id,
        ctx.now(),
        team_id=team_id,
        enterprise_id=enterprise_id,
        raise_passing=raise_passing,
    )
