"""Contracts every declared feature keeps: each command answers `help` from its spec; the README
and manifest.yaml say what is registered; clock planner keys never collide."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from ruamel.yaml import YAML

from bot.app import create_context
from bot.docs import MANIFEST, README, manifest_with_commands, readme_with_table
from bot.features import all_features, planners, slash_commands
from testkit.app import RunningBot, make_settings
from testkit.replies import answer


class ListenerRecorder:
    """Stands in for Bolt's App while a feature registers: records what it listens to."""

    def __init__(self) -> None:
        self.registered: dict[str, list[Any]] = defaultdict(list)

    def _record(self, kind: str) -> Callable[..., Callable[[Callable[..., Any]], Any]]:
        def listen(constraint: Any = None, *_: Any, **__: Any) -> Callable[..., Any]:
            self.registered[kind].append(constraint)
            return lambda function: function

        return listen

    def __getattr__(self, kind: str) -> Callable[..., Any]:
        return self._record(kind)


@pytest.fixture(scope="module")
def registered() -> dict[str, list[Any]]:
    recorder = ListenerRecorder()
    ctx = create_context(make_settings(database_url="sqlite://"))  # registering queries nothing
    for feature in all_features():
        if feature.listeners:
            feature.listeners(recorder, ctx)  # type: ignore[arg-type]
    return recorder.registered


def _manifest() -> dict[str, Any]:
    return YAML(typ="safe").load(MANIFEST.read_text(encoding="utf-8"))


@pytest.mark.parametrize("command", slash_commands(), ids=lambda c: c.name)
def test_every_command_answers_help_from_its_spec(bot: RunningBot, command: Any) -> None:
    for word in ("help", "hulp", "?"):
        body = answer(bot.slack.command(command.name, word))
        assert body["response_type"] == "ephemeral"
        assert body["blocks"][0]["text"]["text"].startswith(command.help_text().split("\n")[0])
        for usage in command.usages:
            assert f"{command.name} {usage.form}".rstrip().replace("<", "&lt;").replace(
                ">", "&gt;"
            ) in str(body["blocks"])


def test_readme_command_table_is_generated_from_the_specs() -> None:
    readme = README.read_text(encoding="utf-8")
    assert readme_with_table(readme) == readme, "README is out of date: run `make docs`"


def test_manifest_slash_commands_are_generated_from_the_specs() -> None:
    manifest = MANIFEST.read_text(encoding="utf-8")
    assert manifest_with_commands(manifest) == manifest, "manifest is out of date: `make docs`"


def test_usage_hints_fit_slacks_command_menu() -> None:
    for command in slash_commands():
        assert 0 < len(command.usage_hint()) <= 100 or not any(u.form for u in command.usages)


def test_manifest_commands_shortcuts_and_events_equal_what_is_registered(
    registered: dict[str, list[Any]],
) -> None:
    manifest = _manifest()
    features = manifest["features"]
    assert {c["command"] for c in features["slash_commands"]} == set(registered["command"])
    assert {c.name for c in slash_commands()} == set(registered["command"])
    assert {s["callback_id"] for s in features.get("shortcuts", [])} == set(registered["shortcut"])
    # `message.channels` and `message.groups` both arrive as the event type `message`.
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    subscribed = {event.split(".")[0] for event in events}
    listened = {e if isinstance(e, str) else e.get("type") for e in registered["event"]}
    assert subscribed == listened
    assert manifest["features"]["app_home"]["home_tab_enabled"] == ("app_home_opened" in listened)


def test_listener_ids_are_unique(registered: dict[str, list[Any]]) -> None:
    for kind in ("command", "shortcut", "view"):
        texts = [c.pattern if isinstance(c, re.Pattern) else c for c in registered[kind]]
        duplicates = [name for name, count in Counter(texts).items() if count > 1]
        assert not duplicates, f"{kind} registered twice: {duplicates}"


def test_clock_planner_keys_are_unique(bot: RunningBot) -> None:
    """Over two months of the bundled data, no two planned deliveries share a key (a shared key
    would let one post claim, and so silently suppress, another)."""
    now = bot.ctx.now()
    keys = [
        delivery.key
        for planner in planners()
        for delivery in planner(bot.ctx, now - timedelta(days=1), now + timedelta(days=62))
    ]
    assert keys, "the bundled data plans nothing: the check would prove nothing"
    duplicates = [key for key, count in Counter(keys).items() if count > 1]
    assert not duplicates
