"""Actors for tests that call services directly (no Slack in between): the roles a real
request would have been resolved to by `bot.services.access.AccessService`."""

from __future__ import annotations

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
