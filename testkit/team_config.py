"""Helpers to write variants of the config directory for tests."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parent.parent
CONFIG_DIR = REPO / "config"

# Slack member IDs for the placeholder team, as an operator would fill them in after installing.
SLACK_IDS = {
    "aov-1": "U0AOV0001",
    "aov-2": "U0AOV0002",
    "aov-3": "U0AOV0003",
    "boa-coordinator": "U0BOA0001",
    "beleidsmedewerker": "U0BLD0001",
    "teamleider": "U0TL00001",
}


def _yaml() -> YAML:
    yaml = YAML()
    yaml.width = 4096
    return yaml


# The default test user (testkit.slack_requests.DEFAULT_USER_ID) is aov-1. Tests written before
# access rules existed act as aov-1 for everything; their fixtures make aov-1 a team lead too.
LEADS_WITH_DEFAULT_USER = ("teamleider", "aov-1")


def copy_config(
    target: Path,
    *,
    with_slack_ids: bool = True,
    team_leads: Sequence[str] | None = LEADS_WITH_DEFAULT_USER,
) -> Path:
    """The bundled config in `target`, with the people linked to Slack IDs; `team_leads`
    replaces people.yaml's `access.team_leads` (None keeps the bundled one)."""
    target.mkdir(parents=True, exist_ok=True)
    for source in CONFIG_DIR.glob("*.yaml"):
        shutil.copy(source, target / source.name)
    if with_slack_ids:
        edit_yaml(target / "people.yaml", _link_people)
    if team_leads is not None:
        edit_yaml(target / "people.yaml", lambda data: _set_leads(data, team_leads))
    return target


def _set_leads(data: Any, team_leads: Sequence[str]) -> None:
    access = data.setdefault("access", {})
    access["team_leads"] = list(team_leads)


def _link_people(data: Any) -> None:
    for person in data["people"]:
        person["slack_id"] = SLACK_IDS.get(person["key"], "")


def edit_yaml(path: Path, edit: Any) -> None:
    yaml = _yaml()
    data = yaml.load(path.read_text(encoding="utf-8"))
    edit(data)
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)


def write_yaml(path: Path, data: Any) -> None:
    with path.open("w", encoding="utf-8") as handle:
        _yaml().dump(data, handle)
