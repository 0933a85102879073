"""Bolt tries its listeners one by one, in the order they were added, until one matches: every
listener in front of a slash command costs each of its requests a few microseconds. The slash
commands, which a person waits for, come first."""

from __future__ import annotations

from bot.features import slash_commands
from testkit.app import assembled_bolt_app


def kind(listener: object) -> str:
    """'command', 'action', 'event', ...: the Bolt matcher function the listener was added by."""
    return {m.func.__qualname__.split(".")[0] for m in listener.matchers}.pop()  # type: ignore[attr-defined]


def test_slash_commands_are_tried_before_every_other_listener() -> None:
    kinds = [kind(listener) for listener in assembled_bolt_app()._listeners]
    commands = kinds.count("command")
    assert commands == len(slash_commands()) >= 5
    assert kinds[:commands] == ["command"] * commands, kinds
    assert {"action", "event", "view_submission"} <= set(kinds[commands:])
