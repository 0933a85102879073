"""manifest.yaml asks for exactly the scopes the code needs: a security review asks why each one
is there. The methods called are found in the source (every call of a WebClient method or
`api_call("…")`, whatever the variable is called), the events in the manifest itself."""

from __future__ import annotations

import ast
import inspect
import re
from functools import cache

from ruamel.yaml import YAML
from slack_sdk import WebClient

from testkit.team_config import REPO

# Bot-token scopes per Web API method, from each method's page on docs.slack.dev ("Required
# scopes"). Any one listed scope suffices; an empty set means the method needs none.
METHOD_SCOPES: dict[str, frozenset[str]] = {
    "auth.test": frozenset(),
    "chat.postMessage": frozenset({"chat:write"}),
    "chat.postEphemeral": frozenset({"chat:write"}),
    "chat.update": frozenset({"chat:write"}),
    "chat.delete": frozenset({"chat:write"}),
    "chat.getPermalink": frozenset(),
    "conversations.replies": frozenset(
        {"channels:history", "groups:history", "im:history", "mpim:history"}
    ),
    "conversations.history": frozenset(
        {"channels:history", "groups:history", "im:history", "mpim:history"}
    ),
    "conversations.info": frozenset({"channels:read", "groups:read", "im:read", "mpim:read"}),
    "conversations.setTopic": frozenset(
        {"channels:manage", "groups:write", "im:write", "mpim:write"}
    ),
    "conversations.open": frozenset({"im:write", "mpim:write"}),
    "files.getUploadURLExternal": frozenset({"files:write"}),
    "files.completeUploadExternal": frozenset({"files:write"}),
    "conversations.members": frozenset({"channels:read", "groups:read", "im:read", "mpim:read"}),
    "reactions.add": frozenset({"reactions:write"}),
    "users.info": frozenset({"users:read"}),
    "users.lookupByEmail": frozenset({"users:read.email"}),
    "usergroups.list": frozenset({"usergroups:read"}),
    "usergroups.users.update": frozenset({"usergroups:write"}),
    "usergroups.users.list": frozenset({"usergroups:read"}),
    "views.open": frozenset(),
    "views.update": frozenset(),
    "views.push": frozenset(),
    "views.publish": frozenset(),
}

# Scopes that come with event subscriptions and features rather than methods.
EVENT_SCOPES: dict[str, frozenset[str]] = {
    "message.channels": frozenset({"channels:history"}),
    "message.groups": frozenset({"groups:history"}),
    "reaction_added": frozenset({"reactions:read"}),
    "app_home_opened": frozenset(),
}
# Needed for what the manifest declares: slash commands and shortcuts need `commands`;
# chat:write.public is the documented companion of chat.postMessage to channels the bot has not
# joined (reminders go to meeting channels nobody invited it to).
FEATURE_SCOPES = {"commands": "slash_commands", "chat:write.public": "chat.postMessage"}

SOURCE_DIRS = ("bot", "handlers", "storage")


def manifest() -> dict:
    return YAML(typ="safe").load((REPO / "manifest.yaml").read_text(encoding="utf-8"))


@cache
def webclient_methods() -> dict[str, str]:
    """WebClient's Python method name -> Slack method ("chat_postMessage" -> "chat.postMessage")."""
    found = {}
    for name, function in inspect.getmembers(WebClient, inspect.isfunction):
        if name.startswith("_"):
            continue
        match = re.search(r'api_call\(\s*"([a-zA-Z.]+)"', inspect.getsource(function))
        if match:
            found[name] = match[1]
    return found


# SDK helpers that call several Web API methods without an api_call of their own.
COMPOSITE_METHODS = {
    "files_upload_v2": {"files.getUploadURLExternal", "files.completeUploadExternal"},
}


def methods_called_in(source: str) -> set[str]:
    methods = webclient_methods()
    called = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr in COMPOSITE_METHODS:
            called |= COMPOSITE_METHODS[node.func.attr]
        elif node.func.attr in methods:
            called.add(methods[node.func.attr])
        elif node.func.attr == "api_call" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                called.add(first.value)
    return called


def methods_called() -> set[str]:
    called = set()
    for directory in SOURCE_DIRS:
        for path in sorted((REPO / directory).rglob("*.py")):
            called |= methods_called_in(path.read_text(encoding="utf-8"))
    return called


def requested_scopes() -> set[str]:
    return set(manifest()["oauth_config"]["scopes"]["bot"])


def test_the_scanner_finds_calls_whatever_the_client_is_called() -> None:
    source = (
        "quick.conversations_info(channel=c)\n"
        "self.ctx.slack.usergroups_users_update(usergroup=g, users=u)\n"
        'client.api_call("reactions.add", json={})\n'
        "store.open_for_owner(x)\n"
    )
    assert methods_called_in(source) == {
        "conversations.info",
        "usergroups.users.update",
        "reactions.add",
    }


def test_every_called_method_is_in_the_scope_table() -> None:
    called = methods_called()
    assert {"chat.postMessage", "views.publish", "usergroups.users.update"} <= called
    assert called - METHOD_SCOPES.keys() == set(), "add the new methods' scopes to METHOD_SCOPES"


def test_every_called_method_has_a_requested_scope() -> None:
    requested = requested_scopes()
    missing = {
        method: sorted(scopes)
        for method in methods_called()
        if (scopes := METHOD_SCOPES[method]) and not scopes & requested
    }
    assert missing == {}


def test_every_requested_scope_is_needed_by_the_code_or_the_manifest() -> None:
    data = manifest()
    needed: set[str] = set()
    for method in methods_called():
        needed |= METHOD_SCOPES[method]
    events = data["settings"]["event_subscriptions"]["bot_events"]
    for event in events:
        needed |= EVENT_SCOPES[event]
    features = data["features"]
    for scope, needs in FEATURE_SCOPES.items():
        if needs in features or needs in methods_called():
            needed.add(scope)
    unneeded = requested_scopes() - needed
    assert unneeded == set(), f"asked for but never used: {sorted(unneeded)}"


def test_every_subscribed_event_has_its_scope() -> None:
    data = manifest()
    requested = requested_scopes()
    for event in data["settings"]["event_subscriptions"]["bot_events"]:
        assert EVENT_SCOPES[event] <= requested, event


def test_the_readme_explains_every_scope() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("Scopes the manifest asks for", 1)[1].split("\n\n", 2)[1]
    explained = set(re.findall(r"`([a-z]+:[a-z.]+|commands)`", section))
    assert explained == requested_scopes()
