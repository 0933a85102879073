"""Actors for tests that call services directly (no Slack in between): the roles a real
request would have been resolved to by `bot.services.access.AccessService`."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.access import Actor, Role, Standing
from testkit.team_config import SLACK_IDS

OPERATOR = Actor.operator()


def member(key: str, *, lead: bool = False) -> Actor:
    """A team member of the linked test team (testkit.team_config.SLACK_IDS)."""
    roles = {Role.TEAM_MEMBER, *([Role.TEAM_LEAD] if lead else [])}
    return Actor(SLACK_IDS[key], Standing.MEMBER, frozenset(roles), key)


def lead(key: str = "teamleider") -> Actor:
    return member(key, lead=True)


def reader(slack_id: str) -> Actor:
    """Someone outside the team with read access."""
    return Actor(slack_id, Standing.MEMBER, frozenset({Role.READER}))


def outsider(slack_id: str) -> Actor:
    """A workspace member who is not in the team."""
    return Actor(slack_id, Standing.MEMBER)


_KEYS = {slack_id: key for key, slack_id in SLACK_IDS.items()}


def acting(slack_id: str | None) -> Actor:
    """For tests written before access rules: the operator for no caller (shell), else the
    linked team member with that Slack ID as a team lead, who may do what any route allows —
    so those tests keep asserting what they did. Refusals are tested in tests/access."""
    if slack_id is None:
        return OPERATOR
    return member(_KEYS[slack_id], lead=True)


def by(slack_id: str | None) -> Callable[[], Actor]:
    """`acting` as the services' lazy actor source (capture from messages and reactions)."""
    return lambda: acting(slack_id)
