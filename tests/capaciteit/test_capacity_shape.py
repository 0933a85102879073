"""Capacity keeps the project's shape: a Slack-free service that imports no other feature's
service, adapters that reach Slack only through the gateway and import no other feature, and
matplotlib / python-docx imported only inside the functions that draw or write."""

from __future__ import annotations

import ast

from bot.features import all_features
from testkit.team_config import REPO
from tests.platform.test_architecture import _direct_imports, _graph, _modules, _under


def test_the_capacity_service_is_slack_free_and_uses_no_other_service() -> None:
    service = "bot.services.capacity"
    banned = _under(_direct_imports(service), "slack_sdk", "slack_bolt", "flask", "handlers")
    assert not banned, f"{service} imports {sorted(banned)}"
    assert not _under(_graph()[service], "handlers", "bot.context", "bot.gateway")
    siblings = _under(_graph()[service], "bot.services") - {service, "bot.services.errors"}
    assert siblings <= {"bot.services.notices", "bot.services.access", "bot.services.people"}, (
        sorted(siblings)
    )


def test_capaciteit_imports_no_other_feature_and_calls_slack_only_through_the_gateway() -> None:
    others = {f"handlers.{f.name}" for f in all_features()} - {"handlers.capaciteit"}
    for module in (m for m in _modules() if m.startswith("handlers.capaciteit")):
        assert not _under(_graph()[module], *others), module
    for path in (REPO / "handlers" / "capaciteit").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "client." not in text and "ctx.slack" not in text, path.name


def test_heavy_libraries_are_imported_only_inside_functions() -> None:
    for module in ("bot.core.capacity_charts", "handlers.capaciteit.slack", "bot.core.capacity"):
        tree = ast.parse(_modules()[module].read_text(encoding="utf-8"))
        top = [
            n
            for n in tree.body
            if isinstance(n, ast.Import | ast.ImportFrom)
            and any(
                name.startswith(("matplotlib", "docx"))
                for name in (
                    [a.name for a in n.names] if isinstance(n, ast.Import) else [n.module or ""]
                )
            )
        ]
        assert not top, f"{module} imports matplotlib or docx at module level"
