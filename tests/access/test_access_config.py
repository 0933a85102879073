"""people.yaml's `access:` block: checked like the rest of the config (file:line, Dutch), imported
into the database (the YAML wins: nothing in Slack changes it) and exported back; and the pure
decision of who a users.info object is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.core.access import POLICY, ROLE_NAMES, Role, Standing, classify
from bot.features import export_config, import_config, load_config
from storage.access import AccessStore
from storage.session import Database
from testkit.clock import FIXED_NOW
from testkit.config_check import check, line_of
from testkit.team_config import REPO, SLACK_IDS, copy_config, edit_yaml


def test_mistakes_in_the_access_block_are_reported_with_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = copy_config(tmp_path / "config")
    people = config / "people.yaml"

    def break_access(data: Any) -> None:
        data["access"]["team_leads"] = ["teamleidr"]
        data["access"]["readers"] = ["afdelingshoofd"]
        data["access"]["reader_groups"] = ["U0NOTAGROUP"]
        data["access"]["register_opn"] = True

    edit_yaml(people, break_access)
    code, out = check(config, monkeypatch, capsys)
    assert code == 1
    expected = {
        line_of(people, "teamleidr"): "team_leads: onbekende persoon 'teamleidr'",
        line_of(people, "- afdelingshoofd"): "moet een Slack member-ID zijn",
        line_of(people, "U0NOTAGROUP"): "moet het ID van een Slack-gebruikersgroep zijn",
        line_of(people, "register_opn"): "onbekend veld 'register_opn'; bedoelt u 'register_open'",
    }
    for line, message in expected.items():
        assert any(o.startswith(f"{people}:{line}: ") and message in o for o in out), (line, out)
    assert "Traceback" not in "\n".join(out)


def test_access_is_imported_and_exported_and_the_yaml_wins(db: Database, tmp_path: Path) -> None:
    config = copy_config(tmp_path / "config", team_leads=("teamleider",))

    def grant(data: Any) -> None:
        data["access"]["readers"] = ["U0READER1"]
        data["access"]["reader_groups"] = ["S0STAF001"]
        data["access"]["register_open"] = True

    edit_yaml(config / "people.yaml", grant)
    import_config(db, load_config(config), FIXED_NOW)
    loaded = AccessStore(db).load()
    assert loaded.team_leads == {SLACK_IDS["teamleider"]}
    assert loaded.readers == {"U0READER1"}
    assert loaded.reader_groups == ("S0STAF001",)
    assert loaded.register_open
    assert loaded.team[SLACK_IDS["aov-1"]] == "aov-1"

    exported = tmp_path / "export"
    exported.mkdir()
    for name, text in export_config(db).items():
        (exported / name).write_text(text)
    again = load_config(exported)
    assert again.access == load_config(config).access
    assert not import_config(db, again, FIXED_NOW).changed

    edit_yaml(config / "people.yaml", lambda data: data["access"].update(register_open=False))
    report = import_config(db, load_config(config), FIXED_NOW)
    assert "toegang (access)" in report.updated
    assert not AccessStore(db).load().register_open


def member(**extra: Any) -> dict[str, Any]:
    return {
        "id": "U1",
        "team_id": "T0HOME",
        "is_restricted": False,
        "is_ultra_restricted": False,
        **extra,
    }


@pytest.mark.parametrize(
    ("user", "payload_team", "home_enterprise", "standing"),
    [
        (member(), "T0HOME", None, Standing.MEMBER),
        (member(is_restricted=True), "T0HOME", None, Standing.GUEST),
        (member(is_restricted=True, is_ultra_restricted=True), "T0HOME", None, Standing.GUEST),
        (member(team_id="T0POLITIE"), "T0POLITIE", None, Standing.EXTERNAL),
        (member(), "T0POLITIE", None, Standing.EXTERNAL),  # the request says another team
        (member(is_stranger=True), None, None, Standing.EXTERNAL),
        (member(deleted=True), None, None, Standing.UNKNOWN),
        ({}, None, None, Standing.UNKNOWN),  # nothing known: never a member
        # Enterprise Grid: another workspace of the same organisation is ours...
        (
            member(team_id="T0OTHERWS", enterprise_user={"enterprise_id": "E0GEMEENTE"}),
            "T0OTHERWS",
            "E0GEMEENTE",
            Standing.MEMBER,
        ),
        # ...another organisation's is not.
        (
            member(team_id="T0POLITIE", enterprise_user={"enterprise_id": "E0POLITIE"}),
            "T0POLITIE",
            "E0GEMEENTE",
            Standing.EXTERNAL,
        ),
    ],
)
def test_who_a_slack_user_is(
    user: dict[str, Any], payload_team: str | None, home_enterprise: str | None, standing: Standing
) -> None:
    found = classify(
        user, home_team="T0HOME", home_enterprise=home_enterprise, payload_team=payload_team
    )
    assert found is standing


def test_the_readme_lists_every_action_of_the_access_table_with_who_may() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Wie mag wat") :]
    section = section[: section.index("\n## ", 3)]
    for action, rule in POLICY.items():
        [row] = [line for line in section.splitlines() if line.startswith(f"| {rule.readme} |")]
        for role in rule.who - {Role.OPERATOR}:
            assert ROLE_NAMES[role] in row, (action, role)
    assert "access:" in section and "readers:" in section  # how to grant read access
