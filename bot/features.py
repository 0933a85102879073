"""Assembly's view of the features: found by walking `handlers/`, then iterated for every part
of the bot (config, import/export, clock, shell, web routes, CLI). Nothing here names a feature.
Config loading, import and export are imported by the commands that use them."""

from __future__ import annotations

import functools
import importlib
import pkgutil
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import handlers
from handlers.feature import Feature, load

if TYPE_CHECKING:
    from bot.core.config_files import FeatureValidator, TeamConfig
    from bot.planning import Planner
    from handlers.commands import SlashCommand
    from handlers.feature import CliCommand, ConfigFile, ReportCommand, Route, ShellLine
    from storage.import_report import ImportReport
    from storage.session import Database


@functools.cache
def all_features() -> tuple[Feature, ...]:
    """Every `FEATURE` declared by a module of the `handlers` package, by declared order, then
    name (so listeners, planners and imports run in the same order on every start)."""
    found: list[Feature] = []
    for module_info in sorted(pkgutil.iter_modules(handlers.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{handlers.__name__}.{module_info.name}")
        feature = getattr(module, "FEATURE", None)
        if isinstance(feature, Feature):
            found.append(feature)
    names = [f.name for f in found]
    if len(set(names)) != len(names):
        raise RuntimeError(f"two features share a name: {sorted(names)}")
    return tuple(sorted(found, key=lambda f: (f.order, f.name)))


def feature_files() -> dict[str, FeatureValidator]:
    return {f.config.name: f.config.validate for f in all_features() if f.config}


def load_config(config_dir: Path) -> TeamConfig:
    """people.yaml, tasks.yaml and every feature's file, validated (raises ConfigError)."""
    from bot.core.config_files import load_config as load_config_files

    return load_config_files(config_dir, feature_files())


def misnamed_config_files(config_dir: Path) -> list[str]:
    """A line for each YAML file in `config_dir` named almost like one oov-bot reads."""
    from bot.core.config_files import PEOPLE_FILE, TASKS_FILE, misnamed_files

    return misnamed_files(config_dir, [PEOPLE_FILE, TASKS_FILE, *(c.name for c in config_files())])


def import_config(db: Database, team: TeamConfig, now: datetime) -> ImportReport:
    from storage.yaml_io import import_config as import_config_files

    importers = [f.config.importer for f in all_features() if f.config]
    return import_config_files(db, team, now, importers)


def export_config(db: Database) -> dict[str, str]:
    from storage.yaml_io import export_config as export_config_files

    exporters = [
        exporter
        for f in all_features()
        for exporter in (f.config.exporter if f.config else None, f.exporter)
        if exporter
    ]
    return export_config_files(db, exporters)


def planners() -> list[Planner]:
    """Every feature's planners, their modules imported now: a clock loads them while it starts,
    before its heap is settled (bot/heap.py), not in its first planning round."""
    return [load(planner) for f in all_features() for planner in f.planners]


def slash_commands() -> list[SlashCommand]:
    return [command for f in all_features() for command in f.commands]


def shell_lines() -> list[ShellLine]:
    return [line for f in all_features() for line in f.shell_lines]


def routes() -> list[Route]:
    return [route for f in all_features() for route in f.routes]


def cli_commands() -> list[CliCommand]:
    return [command for f in all_features() for command in f.cli]


def report_commands() -> list[ReportCommand]:
    return [report for f in all_features() for report in f.reports]


def config_files() -> list[ConfigFile]:
    return [f.config for f in all_features() if f.config]
