"""The code's shape: no import cycles (function-level and TYPE_CHECKING imports included), one
direction of dependency between the layers, and assembly that names no feature."""

from __future__ import annotations

import ast
import importlib
import inspect
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from msgspec import Struct
from sqlalchemy import Table

from bot.features import all_features
from handlers.feature import Lazy, lazy
from storage.models import metadata
from testkit.team_config import REPO

PACKAGES = ("bot", "handlers", "storage")
# Modules that put the features together; they may import handlers, but only through discovery.
ASSEMBLY = {"bot.app", "bot.cli", "bot.features", "bot.shell", "bot.web", "bot.clock"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    return found


def _lazy_target(node: ast.AST) -> str | None:
    """The module of a feature's `lazy("module:function")` declaration (handlers.feature)."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "lazy"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value.partition(":")[0]
    return None


def _imports(path: Path, known: set[str]) -> set[str]:
    """Every project module `path` imports, wherever the import statement stands, and every
    module it declares `lazy`: imported later, but a dependency all the same."""
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif lazy := _lazy_target(node):
            names = [lazy]
        for name in names:
            # `from bot.core import meetings` imports bot.core.meetings; `import a.b` imports a.b.
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                targets.add(name)
    return targets


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    graph = {name: _imports(path, known) - {name} for name, path in modules.items()}
    # A package's __init__ is imported with any of its modules; that is not an arrow of its own.
    for name, targets in graph.items():
        graph[name] = {t for t in targets if not name.startswith(f"{t}.")}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycles_of_any_kind() -> None:
    cycle = _cycle(_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


@pytest.mark.parametrize("module", sorted(_modules()))
def test_layers_depend_one_way(module: str) -> None:
    imports = _graph()[module]
    if module.startswith("storage"):
        assert not {m for m in imports if m.startswith("handlers")}, "storage imports an adapter"
    if module.startswith("bot") and module not in ASSEMBLY:
        assert not {m for m in imports if m.startswith("handlers")}, (
            f"{module} is below the adapters but imports one"
        )
    if module in ASSEMBLY:
        # Shared adapter parts, not features: declarations, Block Kit, the interactive/error path.
        named = {m for m in imports if m.startswith("handlers.")} - {
            "handlers.feature",
            "handlers.commands",
            "handlers.blocks",
            "handlers.payloads",
        }
        assert not named, f"{module} names a feature ({sorted(named)}); iterate the declarations"


def test_every_feature_is_found_with_a_unique_name() -> None:
    names = [feature.name for feature in all_features()]
    assert sorted(names) == sorted(set(names))
    assert {"tasks", "meetings", "actions", "piket", "home"} <= set(names)


def _lazy_pieces(value: object, where: str) -> Iterator[tuple[str, Lazy]]:
    """Every `lazy` function in a declaration, with the field it stands in."""
    if isinstance(value, Lazy):
        yield where, value
    elif isinstance(value, partial):
        yield from _lazy_pieces(value.func, where)
    elif isinstance(value, tuple):
        for item in value:
            yield from _lazy_pieces(item, where)
    elif isinstance(value, Struct):
        for name in value.__struct_fields__:
            yield from _lazy_pieces(getattr(value, name), name)


# How many arguments each kind of declared function is called with (handlers/feature.py).
ARITY = {
    "planners": 3,
    "configure": 1,
    "run": 2,
    "matches": 1,
    "answer": 1,
    "listeners": 2,
    "read_models": 1,
    "attach": 1,
    "validate": 1,
    "importer": 4,
    "exporter": 1,
    "describe": 1,
    "view": 1,
}


def test_every_lazy_declaration_names_a_function_that_takes_its_arguments() -> None:
    found = [
        (feature.name, field, piece)
        for feature in all_features()
        for field, piece in _lazy_pieces(feature, "")
    ]
    assert {"planners", "configure", "run", "matches", "answer"} <= {f for _, f, _ in found}
    for feature, field, piece in found:
        function = piece.load()
        if field in ARITY:
            inspect.signature(function).bind(*[None] * ARITY[field])
        assert piece.target.startswith(f"handlers.{feature}."), (feature, piece)


def test_lazy_names_a_module_and_a_function() -> None:
    for bad in ("handlers.piket.clock", ":plan_deliveries", "handlers.piket.clock:"):
        with pytest.raises(ValueError):
            lazy(bad)
    with pytest.raises(AttributeError):
        lazy("handlers.piket.clock:no_such_function")()
    with pytest.raises(TypeError):
        lazy("handlers.programma.clock:DIGEST_KIND")()


def test_declared_models_and_migration_branches_exist() -> None:
    versions = "\n".join(
        p.read_text(encoding="utf-8")
        for p in (REPO / "storage" / "migrations" / "versions").glob("*.py")
    )
    for feature in all_features():
        if feature.models:
            tables = vars(importlib.import_module(feature.models)).values()
            assert any(isinstance(t, Table) and t.metadata is metadata for t in tables), (
                f"{feature.name}: no tables in {feature.models}"
            )
        if feature.migration_branch:
            assert f'("{feature.migration_branch}",)' in versions, (
                f"{feature.name}: no Alembic branch labelled {feature.migration_branch!r}"
            )


def _direct_imports(module: str) -> set[str]:
    """Every module `module` imports by name (third-party ones included), at any depth of code,
    or declares `lazy`."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(_modules()[module].read_text(encoding="utf-8"))):
        if lazy := _lazy_target(node):
            names.add(lazy)
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _under(names: set[str], *roots: str) -> set[str]:
    return {n for n in names if any(n == r or n.startswith(f"{r}.") for r in roots)}


@pytest.mark.parametrize(
    "service", ["bot.services.meetings", "bot.services.tasks", "bot.services.notices"]
)
def test_meeting_and_task_services_are_slack_free(service: str) -> None:
    banned = _under(_direct_imports(service), "slack_sdk", "slack_bolt", "flask", "handlers")
    assert not banned, f"{service} imports {sorted(banned)}"
    # Nor through a project module: the context and the gateway carry a WebClient.
    reached = _under(_graph()[service], "handlers", "bot.context", "bot.gateway")
    assert not reached, f"{service} reaches {sorted(reached)}"


@pytest.mark.parametrize("module", ["handlers.meetings.clock", "handlers.meetings.wiring"])
def test_meeting_clock_does_not_import_bolt(module: str) -> None:
    assert not _under(_direct_imports(module), "slack_bolt"), f"{module} imports slack_bolt"


@pytest.mark.parametrize("feature", ["meetings", "tasks"])
def test_meetings_and_tasks_import_no_other_feature(feature: str) -> None:
    shared = {"handlers", "handlers.feature", "handlers.commands", "handlers.blocks"}
    shared.update({"handlers.payloads", "handlers.access"})
    for module in (m for m in _modules() if m.split(".")[:2] == ["handlers", feature]):
        others = {
            m
            for m in _graph()[module]
            if m.startswith("handlers") and m not in shared and m.split(".")[1] != feature
        }
        assert not others, f"{module} imports {sorted(others)}"
    service = f"bot.services.{feature}"
    siblings = _under(_graph()[service], "bot.services") - {service, "bot.services.errors"}
    # Access and people are no features: every service asks who may, and who a text means.
    assert siblings <= {"bot.services.notices", "bot.services.access", "bot.services.people"}, (
        f"{service} imports {sorted(siblings)}"
    )


# --- actions and home: handlers are adapters over Slack-free services ---------------------------


@pytest.mark.parametrize("service", ["bot.services.actions", "bot.services.home"])
def test_actions_and_home_services_are_slack_free(service: str) -> None:
    banned = _under(_direct_imports(service), "slack_sdk", "slack_bolt", "flask", "handlers")
    assert not banned, f"{service} imports {sorted(banned)}"
    reached = _under(_graph()[service], "handlers", "bot.context", "bot.gateway")
    assert not reached, f"{service} reaches {sorted(reached)}"
    # Nor another feature's service: features meet through storage, core and context hooks.
    siblings = _under(_graph()[service], "bot.services") - {service, "bot.services.errors"}
    # Access and people are no features: every service asks who may, and who a text means.
    assert siblings <= {"bot.services.notices", "bot.services.access", "bot.services.people"}, (
        f"{service} imports {sorted(siblings)}"
    )


@pytest.mark.parametrize(
    "module", ["handlers.actions.clock", "handlers.actions.factory", "handlers.actions.blocks"]
)
def test_the_actions_clock_does_not_need_bolt(module: str) -> None:
    assert not _under(_direct_imports(module), "slack_bolt", "flask"), f"{module} imports Bolt"
    assert "handlers.actions.slack" not in _graph()[module], f"{module} imports the listeners"


@pytest.mark.parametrize("feature", ["actions", "home"])
def test_actions_and_home_import_no_other_feature(feature: str) -> None:
    others = {f"handlers.{f.name}" for f in all_features()} - {f"handlers.{feature}"}
    for module in (m for m in _modules() if m.split(".")[:2] == ["handlers", feature]):
        touched = _under(_graph()[module], *others)
        assert not touched, f"{module} imports {sorted(touched)}"


@pytest.mark.parametrize("feature", ["actions", "home"])
def test_actions_and_home_call_slack_only_through_the_gateway(feature: str) -> None:
    for path in (REPO / "handlers" / feature).rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "client." not in source, f"{path}: a direct Web API call"
        assert 'response.get("error")' not in source, f"{path}: use bot.gateway.error_code"


# --- piket: a Slack-free service under one-transport adapters ---------------------------------


def test_the_piket_service_is_slack_free() -> None:
    service = "bot.services.piket"
    banned = _under(_direct_imports(service), "slack_sdk", "slack_bolt", "flask", "handlers")
    assert not banned, f"{service} imports {sorted(banned)}"
    reached = _under(_graph()[service], "handlers", "bot.context", "bot.gateway")
    assert not reached, f"{service} reaches {sorted(reached)}"
    siblings = _under(_graph()[service], "bot.services") - {service, "bot.services.errors"}
    # Access and people are no features: every service asks who may, and who a text means.
    assert siblings <= {"bot.services.notices", "bot.services.access", "bot.services.people"}, (
        f"{service} imports {sorted(siblings)}"
    )


@pytest.mark.parametrize("module", ["clock", "cli", "feed", "common", "blocks"])
def test_piket_adapters_other_than_slack_do_not_import_bolt(module: str) -> None:
    imports = _direct_imports(f"handlers.piket.{module}")
    assert not _under(imports, "slack_bolt"), f"handlers.piket.{module} imports slack_bolt"
    if module != "feed":  # only the HTTP route speaks Flask
        assert not _under(imports, "flask"), f"handlers.piket.{module} imports flask"


def test_piket_imports_no_other_feature_and_calls_slack_only_through_the_gateway() -> None:
    others = {f"handlers.{f.name}" for f in all_features()} - {"handlers.piket"}
    for module in (m for m in _modules() if m.split(".")[:2] == ["handlers", "piket"]):
        touched = _under(_graph()[module], *others)
        assert not touched, f"{module} imports {sorted(touched)}"
    adapters = sorted((REPO / "handlers" / "piket").glob("*.py"))
    for path in [REPO / "bot" / "services" / "piket.py", *adapters]:
        text = path.read_text(encoding="utf-8")
        assert 'response.get("error")' not in text and "SlackApiError" not in text, path.name
        assert "ctx.slack" not in text and "client." not in text, path.name


@pytest.mark.parametrize(
    "module", sorted(m for m in _modules() if m.startswith(("bot.core", "bot.language")))
)
def test_the_core_and_the_language_kernel_are_pure(module: str) -> None:
    """No Slack, no web, no database, nothing above them: plain Python that tests and the CLI
    can call with a fixed `now`."""
    banned = _under(
        _direct_imports(module),
        "slack_sdk", "slack_bolt", "flask", "sqlalchemy", "storage", "handlers",
        "bot.services", "bot.context", "bot.gateway", "bot.app", "bot.features",
    )  # fmt: skip
    assert not banned, f"{module} imports {sorted(banned)}"
    reached = _under(_graph()[module], "storage", "handlers", "bot.services", "bot.context")
    assert not reached, f"{module} reaches {sorted(reached)}"


@pytest.mark.parametrize(
    "module", sorted(m for m in _modules() if not m.startswith(("storage.", "storage")))
)
def test_only_storage_speaks_sql(module: str) -> None:
    """storage/ owns the schema, the sessions and every query; above it, SQLAlchemy is met only
    as the errors a database can raise (to answer in Dutch when it is away)."""
    sql = _under(_direct_imports(module), "sqlalchemy", "storage.models") - {"sqlalchemy.exc"}
    assert not sql, f"{module} imports {sorted(sql)}"


@pytest.mark.parametrize("module", sorted(_modules()))
def test_nothing_uses_the_orm(module: str) -> None:
    """Storage speaks SQLAlchemy Core: importing the ORM and mapping classes cost every start
    ~70 ms and ~6 MiB (issue 10), for an identity map and unit of work the stores never needed."""
    orm = _under(_direct_imports(module), "sqlalchemy.orm", "sqlalchemy.ext")
    assert not orm, f"{module} imports {sorted(orm)}"


# Mutable holders that a Struct cannot express: an application context with fields filled after
# construction, and a problem whose place in the document takes no part in equality.
DATACLASSES = {"bot.context": 1, "bot.core.config_files": 1}


@pytest.mark.parametrize("module", sorted(_modules()))
def test_value_types_are_structs(module: str) -> None:
    """`dataclasses` writes and compiles a class's methods with one `exec` each, ~0.4 ms a frozen
    class on Python 3.11: 160 of them were ~60 ms of every start (issue 10). A `msgspec.Struct`
    is built in C in ~0.02 ms, with the same constructor, equality, hash and frozenness."""
    tree = ast.parse(_modules()[module].read_text(encoding="utf-8"))
    decorated = [
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        for decorator in node.decorator_list
        if "dataclass" in ast.unparse(decorator)
    ]
    assert len(decorated) == DATACLASSES.get(module, 0), f"{module}: dataclasses {decorated}"
