"""The one declaration each feature makes of what it contributes to the bot.

A feature module in `handlers/` ends with `FEATURE = Feature(...)`. Assembly (`bot.features`)
finds those declarations by walking the package and iterates them to build the Bolt app, the
clock, the web routes, the config loader, import/export, the shell and the CLI; no central file
names a feature, so adding one is adding its modules, its migration and its manifest lines.

A process uses only some of what a feature declares: the web server its listeners, read models
and routes, never its clock planners, CLI and report commands or shell lines. So a declaration
names the pieces a process may not need with `lazy("module:function")`, which imports that
module at the first call: `oov-bot serve` loads no feature's clock, CLI, report or shell module
(issue 10; tests/platform/test_process.py). The field's type says how it is called; a test
holds every lazy function to it.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from msgspec import Struct

from bot.context import AppContext
from handlers.commands import SlashCommand

if TYPE_CHECKING:
    from slack_bolt import App

    from bot.core.config_files import FeatureValidator
    from bot.planning import Planner
    from storage.yaml_io import FeatureExporter, FeatureImporter


class Lazy:
    """A function named `module:attribute`, imported when first called (see above). Stands in
    for the function wherever the declaration expects one; `load()` returns the function."""

    __slots__ = ("_function", "target")

    def __init__(self, target: str) -> None:
        module, _, attribute = target.partition(":")
        if not module or not attribute:
            raise ValueError(f"not a module:attribute reference: {target!r}")
        self.target = target
        self._function: Callable[..., Any] | None = None

    def load(self) -> Callable[..., Any]:
        if self._function is None:
            module, _, attribute = self.target.partition(":")
            function = getattr(importlib.import_module(module), attribute)
            if not callable(function):
                raise TypeError(f"{self.target} is not callable")
            self._function = function
        return self._function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.load()(*args, **kwargs)

    def __repr__(self) -> str:
        return f"lazy({self.target!r})"


def lazy(target: str) -> Callable[..., Any]:
    """`lazy("handlers.piket.clock:plan_deliveries")`: that function, imported on first call."""
    return Lazy(target)


F = TypeVar("F", bound=Callable[..., Any])


def load(function: F) -> F:
    """`function` itself, its module imported now when it is `lazy`."""
    return cast(F, function.load()) if isinstance(function, Lazy) else function


class ConfigFile(Struct, frozen=True):
    """A YAML file in `config/` that switches the feature on when present."""

    name: str
    validate: FeatureValidator
    importer: FeatureImporter
    exporter: FeatureExporter | None = None
    # What `oov-bot check` prints about the validated file besides "in orde": per record what
    # the bot understood (e.g. the deadlines it read), Dutch, one line each.
    describe: Callable[[Any], list[str]] | None = None


class ShellLine(Struct, frozen=True):
    """A line `oov-bot shell` gives a feature instead of a slash command, such as an `actie:`
    line typed as if posted in Slack: `matches(line)` claims it, `answer(ctx)` is built once per
    shell and returns the function that answers the line as text."""

    matches: Callable[[str], bool]
    answer: Callable[[AppContext], Callable[[str], str]]


class Route(Struct, frozen=True):
    """An HTTP route served next to `/slack/events`; `view(ctx)` builds the Flask view."""

    rule: str
    endpoint: str
    view: Callable[[AppContext], Callable[..., Any]]
    methods: tuple[str, ...] = ("GET", "HEAD")


class CliCommand(Struct, frozen=True):
    """An `oov-bot <name> …` subcommand: `configure` adds its arguments, `run` does the work and
    returns the exit status. `run` gets a context on a database with the current schema."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[AppContext, argparse.Namespace], int]


class ReportCommand(Struct, frozen=True):
    """An `oov-bot rapport <name> …` document: every feature's reports share one `rapport`
    command, so two features can each add one. `run` gets a context on a database with the
    current schema and returns the exit status."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[AppContext, argparse.Namespace], int]


class Feature(Struct, frozen=True):
    name: str
    # Where the feature comes in lists people read (help, README, manifest): the lowest first.
    order: int = 100
    # Registers the feature's Bolt listeners (commands, actions, views, events, shortcuts).
    listeners: Callable[[App, AppContext], None] | None = None
    # Builds the read models its commands answer from, on the context's shared services, when a
    # process is assembled (bot.app.build_read_models): the first request finds them built,
    # and the start-up heap is frozen with them (bot/heap.py).
    read_models: Callable[[AppContext], None] | None = None
    # Puts the feature's hooks on a new context, in every process (web, clock, shell, CLI), e.g.
    # a part of another feature's messages (`AppContext.meeting_reminder_sections`).
    attach: Callable[[AppContext], None] | None = None
    planners: tuple[Planner, ...] = ()
    config: ConfigFile | None = None
    # Files the feature writes on export without reading one on import (e.g. action items).
    exporter: FeatureExporter | None = None
    commands: tuple[SlashCommand, ...] = ()
    shell_lines: tuple[ShellLine, ...] = ()
    routes: tuple[Route, ...] = ()
    cli: tuple[CliCommand, ...] = ()
    reports: tuple[ReportCommand, ...] = ()
    # The feature's tables (a `storage.models` module) and its Alembic branch label.
    models: str | None = None
    migration_branch: str | None = None
