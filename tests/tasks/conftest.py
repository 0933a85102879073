"""The search index over the bundled task overview, shared by the search tests."""

import pytest
from ruamel.yaml import YAML

from bot.core.task_search import SearchableTask, TaskIndex
from testkit.team_config import CONFIG_DIR

TASKS_YAML = CONFIG_DIR / "tasks.yaml"


@pytest.fixture(scope="session")
def index() -> TaskIndex:
    """The index as `/wie` builds it from config/tasks.yaml (ids: row numbers from 1)."""
    with TASKS_YAML.open(encoding="utf-8") as handle:
        rows = YAML(typ="safe", pure=True).load(handle)["tasks"]
    return TaskIndex(
        [
            SearchableTask(
                id=number,
                subject=row["subject"],
                description=row["description"],
                duties=row["duties"],
                aliases=tuple(row.get("aliases") or ()),
                legal_basis=row["legal_basis"],
            )
            for number, row in enumerate(rows, start=1)
        ]
    )
