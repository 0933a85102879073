"""Who is asking: the actor behind a Slack request, and the one check every service makes.

Slack-free: what Slack knows (users.info, the installation's team, channel and user group
members) comes through an injected `Directory`; the adapter's one uses `ctx.gateway`. Every
answer is cached for a short while (`now` passed in), so a user's second request within the
window costs no Slack call; a lookup that fails makes the user a stranger (fail closed) and is
not cached, so the next request tries again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

from msgspec import Struct

from bot.core.access import (
    AccessConfig,
    Action,
    Actor,
    Role,
    Standing,
    classify,
    decide,
    standing_roles,
)
from bot.services.errors import DomainError
from storage.access import AccessStore

log = logging.getLogger(__name__)

# How long what Slack said about a user, a channel or a user group is trusted.
ACTOR_TTL = timedelta(minutes=5)
MEMBERS_TTL = timedelta(minutes=5)
# A channel's members' standing is asked before posting team data there; kept for an hour, as a
# reminder round asks for every member of the channel.
USERS_TTL = timedelta(hours=1)
# How often the role maps are re-checked against the data version (a config import).
CONFIG_TTL = timedelta(seconds=10)


class AccessDenied(DomainError):
    """The actor may not do this; `message` is the Dutch refusal that says who may."""

    def __init__(self, message: str, action: Action) -> None:
        super().__init__(message)
        self.action = action


class DirectoryError(Exception):
    """Slack could not answer (any reason): the caller fails closed. `passing`: the failure
    may pass (an outage, a rate limit), unlike an unknown user or a revoked token."""

    def __init__(self, code: str = "", *, passing: bool = True) -> None:
        super().__init__(code)
        self.passing = passing


class Directory(Protocol):
    def user(self, slack_id: str) -> Mapping[str, Any]: ...

    def home(self) -> tuple[str | None, str | None]:
        """(team_id, enterprise_id) of the installation."""
        ...

    def channel_members(self, channel: str) -> Collection[str]: ...

    def usergroup_members(self, usergroup: str) -> Collection[str]: ...


def require(action: Action, actor: Actor, held: Iterable[Role] = ()) -> None:
    """Raise AccessDenied unless `actor` may do `action`. A refusal is logged as the kind of
    action and the user ID, never what they asked."""
    decision = decide(action, actor, held)
    if not decision.allowed:
        log.info("access refused: %s for %s (%s)", action.value, actor.slack_id, actor.standing)
        raise AccessDenied(decision.refusal, action)


def allowed(action: Action, actor: Actor, held: Iterable[Role] = ()) -> bool:
    """Whether to offer something (a button, a modal): no log, no exception."""
    return decide(action, actor, held).allowed


class _Cached(Struct, frozen=True):
    value: Any
    until: datetime


class _TimedCache:
    def __init__(self, ttl: timedelta) -> None:
        self.ttl = ttl
        self._data: dict[Any, _Cached] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, now: datetime, load: Callable[[], Any]) -> Any:
        with self._lock:
            hit = self._data.get(key)
        if hit is not None and now < hit.until:
            return hit.value
        value = load()  # raises: nothing cached, the next request asks again
        with self._lock:
            if len(self._data) > 10_000:  # a flood of unknown IDs must not grow it forever
                self._data.clear()
            self._data[key] = _Cached(value, now + self.ttl)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


class AccessService:
    def __init__(
        self,
        store: AccessStore,
        directory: Directory,
        *,
        actor_ttl: timedelta = ACTOR_TTL,
        members_ttl: timedelta = MEMBERS_TTL,
    ) -> None:
        self.store = store
        self.directory = directory
        self._actors = _TimedCache(actor_ttl)
        self._members = _TimedCache(members_ttl)
        self._home = _TimedCache(timedelta(hours=1))
        # users.info of a channel's members (who else reads a reminder there), per user.
        self._users = _TimedCache(USERS_TTL)
        self._config = _TimedCache(CONFIG_TTL)
        self._config_lock = threading.Lock()
        self._config_version: Any = object()
        self._config_value = AccessConfig()

    # -- the role maps, rebuilt per data version -------------------------------------------------

    def config(self, now: datetime) -> AccessConfig:
        version = self._config.get("version", now, self.store.version)
        with self._config_lock:
            if version != self._config_version:
                self._config_value = self.store.load()
                self._config_version = version
                self._actors.clear()  # roles may have changed with the data
            return self._config_value

    def invalidate(self) -> None:
        """Forget everything cached (after an import in the same process)."""
        for cache in (self._actors, self._members, self._config, self._users):
            cache.clear()

    # -- the actor -------------------------------------------------------------------------------

    def actor(
        self,
        slack_id: str | None,
        now: datetime,
        *,
        team_id: str | None = None,
        enterprise_id: str | None = None,
        raise_passing: bool = False,
    ) -> Actor:
        """Who `slack_id` is, from the request's team/enterprise, Slack and the config.
        `raise_passing`: a lookup failure that may pass raises DirectoryError instead of making
        the user a stranger (an event can then be delivered again rather than be dropped)."""
        if not slack_id:
            return Actor.stranger(None)
        config = self.config(now)
        key = (slack_id, team_id, enterprise_id)
        try:
            actor: Actor = self._actors.get(
                key, now, lambda: self._resolve(slack_id, team_id, enterprise_id, config, now)
            )
        except DirectoryError as exc:
            if raise_passing and exc.passing:
                log.warning("access: could not look up %s; asked to try again", slack_id)
                raise
            log.warning("access: could not look up %s; treated as a stranger", slack_id)
            return Actor.stranger(slack_id)
        return actor

    def _resolve(
        self,
        slack_id: str,
        team_id: str | None,
        enterprise_id: str | None,
        config: AccessConfig,
        now: datetime,
    ) -> Actor:
        home_team, home_enterprise = self._home.get("home", now, self.directory.home)
        user = self.directory.user(slack_id)
        standing = classify(
            user,
            home_team=home_team,
            home_enterprise=home_enterprise,
            payload_team=team_id,
            payload_enterprise=enterprise_id,
        )
        in_group = False
        if standing is Standing.MEMBER and slack_id not in config.team:
            in_group = any(slack_id in self._group(group, now) for group in config.reader_groups)
        roles = standing_roles(slack_id, standing, config, in_reader_group=in_group)
        person_key = config.team.get(slack_id) if standing is Standing.MEMBER else None
        return Actor(slack_id, standing, roles, person_key)

    def _group(self, usergroup: str, now: datetime) -> frozenset[str]:
        try:
            members: frozenset[str] = self._members.get(
                ("group", usergroup),
                now,
                lambda: frozenset(self.directory.usergroup_members(usergroup)),
            )
        except DirectoryError:
            log.warning("access: could not read user group %s", usergroup)
            return frozenset()
        return members

    # -- channels --------------------------------------------------------------------------------

    def in_channel(self, actor: Actor, channel: str, now: datetime) -> bool:
        """Whether the actor is a member of `channel` (a private channel's items stay with its
        members). Strangers never are; a lookup failure says no."""
        if actor.is_stranger or not actor.slack_id:
            return False
        try:
            members: frozenset[str] = self._members.get(
                ("channel", channel),
                now,
                lambda: frozenset(self.directory.channel_members(channel)),
            )
        except DirectoryError:
            log.warning("access: could not read the members of %s", channel)
            return False
        return actor.slack_id in members

    def channels_of(self, actor: Actor, channels: Iterable[str], now: datetime) -> frozenset[str]:
        return frozenset(c for c in channels if self.in_channel(actor, c, now))

    def has_outsiders(self, channel: str, now: datetime) -> bool:
        """Whether anyone in `channel` is a guest, of another organisation, or someone Slack
        cannot tell us about: what the bot posts there reaches them too. Apps (bots) do not
        count. Fails closed: when Slack cannot say, the answer is yes."""
        try:
            members: frozenset[str] = self._members.get(
                ("channel", channel),
                now,
                lambda: frozenset(self.directory.channel_members(channel)),
            )
            home_team, home_enterprise = self._home.get("home", now, self.directory.home)
        except DirectoryError:
            log.warning(
                "access: could not read the members of %s; taken to have outsiders", channel
            )
            return True
        for slack_id in members:
            try:
                user = self._users.get(slack_id, now, lambda u=slack_id: self.directory.user(u))
            except DirectoryError:
                log.warning(
                    "access: could not look up %s in %s; taken as an outsider", slack_id, channel
                )
                return True
            if user.get("is_bot") or user.get("deleted") or slack_id == "USLACKBOT":
                continue
            standing = classify(user, home_team=home_team, home_enterprise=home_enterprise)
            if standing is not Standing.MEMBER:
                return True
        return False
