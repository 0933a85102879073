"""Bolt tries its listeners one by one, in the order they were added, until one matches: every
listener in front of a slash command costs each of its requests something. The slash commands,
which a person waits for, come first, and a listener that does not match costs a dictionary
lookup, not Bolt's building of every listener argument."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt.listener_matcher import builtins as bolt_builtins
from slack_bolt.listener_matcher.builtins import BuiltinListenerMatcher

from bot.app import BodyMatcher
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


def test_every_matcher_that_reads_only_the_body_is_called_with_the_body() -> None:
    matchers = [m for listener in assembled_bolt_app()._listeners for m in listener.matchers]
    assert not [m for m in matchers if type(m) is BuiltinListenerMatcher], (
        "a Bolt matcher is still called through build_required_kwargs"
    )
    assert sum(isinstance(m, BodyMatcher) for m in matchers) >= 30


@pytest.mark.parametrize(
    "body",
    [
        {"command": "/capaciteit", "text": ""},  # the last slash command
        {"type": "block_actions", "actions": [{"action_id": "nobody-has-this"}]},
    ],
)
def test_trying_listeners_builds_no_listener_arguments(
    monkeypatch: pytest.MonkeyPatch, body: dict[str, Any]
) -> None:
    def refuse(**_kwargs: Any) -> dict[str, Any]:
        raise AssertionError("a matcher had Bolt build every listener argument")

    monkeypatch.setattr(bolt_builtins, "build_required_kwargs", refuse)
    app = assembled_bolt_app()
    request = _Request(body)
    matched = [lst for lst in app._listeners if lst.matches(req=request, resp=None)]  # type: ignore[arg-type]
    assert len(matched) == (1 if "command" in body else 0)


class _Request:
    """What a BodyMatcher reads of Bolt's request."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
