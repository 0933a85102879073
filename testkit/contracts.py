"""Contracts between what the bot renders and what it listens for.

Every `action_id` in a payload the bot sends must reach a Bolt listener, or a click on it is
answered by nobody (Slack shows the user a warning after 3 seconds). The check asks the app's own
listeners: for each rendered (action_id, block_id) it builds the `block_actions` body Slack would
send for a click and lets every listener's matchers decide, so regex matchers and constraints
count exactly as Bolt applies them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse

from testkit.fake_slack import APP_ID, TEAM_ID, RenderedAction


def click_body(action_id: str, block_id: str | None) -> dict[str, Any]:
    """The smallest block_actions body Bolt routes like a real click on this element."""
    return {
        "type": "block_actions",
        "api_app_id": APP_ID,
        "team": {"id": TEAM_ID},
        "user": {"id": "U0AOV0001", "team_id": TEAM_ID},
        "actions": [
            {"type": "button", "action_id": action_id, "block_id": block_id or "b"},
        ],
    }


def has_listener(app: App, action_id: str, block_id: str | None = None) -> bool:
    request = BoltRequest(body=click_body(action_id, block_id), mode="socket_mode")
    response = BoltResponse(status=200)
    return any(
        listener.matches(req=request, resp=response)
        for listener in app._listeners  # Bolt keeps no public list of them.
    )


def unhandled_actions(app: App, rendered: Iterable[RenderedAction]) -> list[str]:
    """The rendered action_ids no listener of `app` would receive, as readable lines."""
    missing: dict[tuple[str, str | None], str] = {}
    for action in rendered:
        key = (action.action_id, action.block_id)
        if key not in missing and not has_listener(app, *key):
            missing[key] = f"  {action.action_id!r} (block {action.block_id!r}, {action.method})"
    return list(missing.values())
