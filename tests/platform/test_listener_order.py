"""Bolt tries its listeners one by one, in the order they were added, until one matches: every
listener in front of a slash command costs each of its requests a few microseconds. The slash
commands, which a person waits for, come first."""

from __future__ import annotations

from slack_bolt import App

from bot.app import create_bolt_app, create_context
from bot.features import slash_commands
from testkit.app import make_settings


def bolt_app() -> App:
    settings = make_settings(
        database_url="sqlite://",
        slack_bot_token="xoxb-order",
        slack_signing_secret="order",
        slack_api_url="http://127.0.0.1:9/api/",
    )
    app = create_bolt_app(create_context(settings))
    assert app is not None
    return app


def kind(listener: object) -> str:
    """'command', 'action', 'event', ...: the Bolt matcher function the listener was added by."""
    return {m.func.__qualname__.split(".")[0] for m in listener.matchers}.pop()  # type: ignore[attr-defined]


def test_slash_commands_are_tried_before_every_other_listener() -> None:
    kinds = [kind(listener) for listener in bolt_app()._listeners]
    commands = kinds.count("command")
    assert commands == len(slash_commands()) >= 5
    assert kinds[:commands] == ["command"] * commands, kinds
    assert {"action", "event", "view_submission"} <= set(kinds[commands:])
