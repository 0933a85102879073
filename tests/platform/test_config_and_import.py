"""`oov-bot check` names file and line; `import` is idempotent and keeps changes made in Slack;
`export` writes YAML that `import` accepts; the migrations match the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from bot.cli import main
from bot.features import export_config, import_config, load_config
from storage.models import metadata
from storage.models.team import people, tasks
from storage.session import Database
from testkit.clock import FIXED_NOW
from testkit.config_check import check, line_of
from testkit.team_config import CONFIG_DIR, copy_config, edit_yaml


def test_the_bundled_config_is_valid(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = check(CONFIG_DIR, monkeypatch, capsys)
    assert code == 0, out
    assert "in orde — 6 personen, 59 taken" in out[-1]


def test_check_reports_every_problem_with_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = copy_config(tmp_path / "config")
    tasks = config / "tasks.yaml"

    def break_tasks(data) -> None:
        data["tasks"][0]["owner"] = "aov-9"
        data["tasks"][1]["category"] = "structureeel"
        data["tasks"][2]["subject"] = data["tasks"][3]["subject"]
        data["tasks"][4]["time"] = "heel veel uur"
        data["tasks"][5]["onwer"] = "aov-1"
        del data["tasks"][6]["subject"]

    edit_yaml(tasks, break_tasks)
    code, out = check(config, monkeypatch, capsys)
    assert code == 1
    expected = {
        line_of(tasks, "owner: aov-9"): "owner: onbekende persoon 'aov-9'",
        line_of(tasks, "category: structureeel"): "onbekende waarde 'structureeel'",
        line_of(tasks, "heel veel uur"): "time: ",
        line_of(tasks, "onwer: aov-1"): "onwer: onbekend veld",
    }
    for line, message in expected.items():
        assert any(o.startswith(f"{tasks}:{line}: ") and message in o for o in out), (line, out)
    duplicate = [o for o in out if "dubbel onderwerp" in o]
    assert len(duplicate) == 1 and duplicate[0].startswith(f"{tasks}:")
    assert any("subject: verplicht veld ontbreekt" in o for o in out)
    assert "Traceback" not in "\n".join(out)


def test_check_reports_yaml_syntax_errors_with_the_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = copy_config(tmp_path / "config")
    people = config / "people.yaml"
    lines = people.read_text().splitlines()
    target = line_of(people, "name:", 2)
    lines[target - 1] = lines[target - 1].replace("name:", "name: [oops")
    people.write_text("\n".join(lines) + "\n")
    code, out = check(config, monkeypatch, capsys)
    assert code == 1
    assert any(o.startswith(f"{people}:") and "YAML-fout" in o for o in out), out
    line = int(next(o for o in out if "YAML-fout" in o).split(":")[1])
    assert target <= line <= target + 2


@pytest.mark.parametrize(
    ("break_line", "message"),
    [
        (lambda line: "\t" + line.lstrip(), "tab gevonden; spring in met spaties, niet met tabs"),
        (
            lambda line: f"{line}\n{line[: len(line) - len(line.lstrip())]}name: Dubbel",
            "'name' staat twee keer in hetzelfde blok",
        ),
        # These were ruamel's English ("found character '@' that cannot start any token").
        (
            lambda line: line.replace('"', "").replace("AOV-er 2", "@aov-2"),
            "een waarde kan niet met '@' beginnen; zet de tekst tussen aanhalingstekens",
        ),
        (
            lambda line: line.replace('"', "").replace("AOV-er 2", "*aov-2"),
            "een waarde kan niet met '*' of '&' beginnen",
        ),
        (
            lambda line: f"{line}\n---",
            "een tweede document ('---'); een configuratiebestand is één document",
        ),
    ],
)
def test_yaml_mistakes_are_explained_in_dutch_and_import_refuses_them(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    break_line,
    message: str,
) -> None:
    config = copy_config(tmp_path / "config")
    people = config / "people.yaml"
    lines = people.read_text().splitlines()
    target = line_of(people, "name:", 2)
    lines[target - 1] = break_line(lines[target - 1])
    people.write_text("\n".join(lines) + "\n")

    code, out = check(config, monkeypatch, capsys)
    assert code == 1
    problem = next(o for o in out if "YAML-fout" in o)
    assert message in problem, out
    assert int(problem.split(":")[1]) in {target, target + 1}
    assert out[-1] == "1 probleem gevonden in de configuratie."

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'oov.db'}")
    assert main(["import"]) == 1
    captured = capsys.readouterr()
    assert message in captured.err and "Niets geïmporteerd." in captured.err + captured.out
    assert "Traceback" not in captured.err + captured.out


@pytest.mark.parametrize(
    ("needle", "bad", "message"),
    [
        # Saved as Latin-1 (Windows, Excel): reported as people.yaml:1 whatever the line.
        ("Boa-coördinator", "Boa-coördinator".encode("latin-1"), "geen UTF-8-tekst (byte 0xf6)"),
        # An invisible control character pasted from a document: a ruamel traceback.
        ("AOV-er 2", b"AOV\x07er 2", "teken U+0007 is niet toegestaan"),
        ("AOV-er 3", b"AOV-er\x003", "teken U+0000 is niet toegestaan"),
    ],
)
def test_unreadable_bytes_are_named_by_file_and_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    needle: str,
    bad: bytes,
    message: str,
) -> None:
    config = copy_config(tmp_path / "config")
    people = config / "people.yaml"
    target = line_of(people, needle)
    people.write_bytes(people.read_bytes().replace(needle.encode(), bad, 1))
    code, out = check(config, monkeypatch, capsys)
    assert code == 1
    assert out[0].startswith(f"{people}:{target}: ") and message in out[0], out
    assert out[-1] == "1 probleem gevonden in de configuratie."


def test_a_wrong_item_in_a_list_is_named_by_its_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = copy_config(tmp_path / "config")
    meetings = config / "meetings.yaml"

    def break_series(data) -> None:
        data["meetings"][0]["weekday"] = ["dinsdag", "dondrdag"]
        data["meetings"][1]["channel"] = "teamoverleg"

    edit_yaml(meetings, break_series)
    code, out = check(config, monkeypatch, capsys)
    assert code == 1
    assert any("weekday: 'dondrdag' is geen weekdag" in o for o in out), out
    assert any('channel: schrijf "#kanaalnaam"' in o for o in out), out
    assert out[-1] == "2 problemen gevonden in de configuratie."


def test_check_names_a_missing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = copy_config(tmp_path / "config")
    (config / "people.yaml").unlink()
    code, out = check(config, monkeypatch, capsys)
    assert code == 1
    assert f"{config / 'people.yaml'}:1: bestand ontbreekt" in out


@pytest.mark.parametrize(
    ("file", "text", "message"),
    [
        ("people.yaml", "", "het bestand moet beginnen met 'people:' gevolgd door een lijst"),
        ("people.yaml", "- aov-1\n", "het bestand moet beginnen met 'people:'"),
        ("tasks.yaml", "taken:\n  - subject: BIBOB\n", "onbekend veld 'taken'"),
    ],
)
def test_a_file_with_an_unusable_top_level_is_one_problem(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    file: str,
    text: str,
    message: str,
) -> None:
    """An emptied people.yaml was reported in the middle of 173 lines, one "onbekende
    persoon" for every reference in tasks, meetings, piket and programme."""
    config = copy_config(tmp_path / "config")
    (config / file).write_text(text, encoding="utf-8")
    code, out = check(config, monkeypatch, capsys)
    assert code == 1
    assert len(out) == 2 and out[0].startswith(f"{config / file}:") and message in out[0], out
    assert out[-1] == "1 probleem gevonden in de configuratie."


def test_a_config_file_under_a_near_miss_name_is_pointed_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """meeting.yaml (for meetings.yaml) was not read and check said "in orde": the reminders
    were silently off. A copy next to the real file is no mistake and is not named."""
    config = copy_config(tmp_path / "config")
    (config / "meetings.yaml").rename(config / "meeting.yaml")
    (config / "piket.yaml").rename(config / "piket.yml")
    (config / "people-oud.yaml").write_text("people: []\n", encoding="utf-8")
    code, out = check(config, monkeypatch, capsys)
    assert code == 0
    assert f"{config / 'meeting.yaml'}: niet gelezen; bedoelt u meetings.yaml?" in out
    assert f"{config / 'piket.yml'}: niet gelezen; bedoelt u piket.yaml?" in out
    assert not [line for line in out if "people-oud" in line], out

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'oov.db'}")
    assert main(["import"]) == 0
    assert "meeting.yaml: niet gelezen; bedoelt u meetings.yaml?" in capsys.readouterr().err


def test_a_number_with_a_decimal_comma_says_to_write_a_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "32,5" (as a Dutch number is written) was only "moet een getal zijn"."""
    config = copy_config(tmp_path / "config")
    people = config / "people.yaml"
    target = line_of(people, "hours_per_week: 32")
    people.write_text(
        people.read_text(encoding="utf-8").replace("hours_per_week: 32", "hours_per_week: 32,5", 1),
        encoding="utf-8",
    )
    code, out = check(config, monkeypatch, capsys)
    assert code == 1
    assert out[0] == (
        f"{people}:{target}: hours_per_week: moet een getal zijn; schrijf 32.5 (met een punt)"
    )


def test_a_channel_name_without_quotes_is_not_taken_for_a_comment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`team_channel: #oov-piket` is, to YAML, an empty key and a comment: check said "in orde"
    and the handover was never posted in the channel."""
    config = copy_config(tmp_path / "config")
    piket = config / "piket.yaml"
    lines = piket.read_text(encoding="utf-8").splitlines()
    target = line_of(piket, "team_channel:")
    lines[target - 1] = "team_channel: #oov-piket"
    piket.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out = check(config, monkeypatch, capsys)
    assert code == 1
    assert out == [
        f"{piket}:{target}: YAML-fout: team_channel: #oov-piket wordt gelezen als opmerking, "
        'niet als waarde; zet het tussen aanhalingstekens: "#oov-piket"',
        "1 probleem gevonden in de configuratie.",
    ]


def owners(db: Database) -> dict[str, str | None]:
    with db.transaction() as conn:
        rows = conn.execute(
            select(tasks.c.subject, people.c.key)
            .outerjoin(people, tasks.c.owner_id == people.c.id)
            .where(tasks.c.active)
        )
        return {subject: owner for subject, owner in rows}


def test_import_twice_changes_nothing(db: Database) -> None:
    team = load_config(CONFIG_DIR)
    first = import_config(db, team, FIXED_NOW)
    # Tasks and people; feature files (piket, meetings) add lines of their own.
    assert len([c for c in first.created if c.startswith(("taak ", "persoon "))]) == 59 + 6
    before = export_config(db)
    second = import_config(db, team, FIXED_NOW)
    assert not second.changed and not second.conflicts and not second.kept_from_slack
    assert export_config(db) == before


def test_import_keeps_a_change_made_in_slack_and_reports_conflicts(
    db: Database, tmp_path: Path
) -> None:
    config = copy_config(tmp_path / "config", with_slack_ids=False)
    import_config(db, load_config(config), FIXED_NOW)
    from storage.team import TeamStore

    store = TeamStore(db)
    task = next(t for t in store.tasks() if t.subject == "Huisverboden")
    yaml_owner = task.owner.key
    slack_owner = next(p for p in store.people() if p.key not in {yaml_owner, task.deputy.key})
    store.change_owners(
        task.id, {"owner": slack_owner.id}, changed_by="U1", source="slack", now=FIXED_NOW
    )

    # YAML unchanged: the Slack change stays, and is mentioned.
    report = import_config(db, load_config(config), FIXED_NOW)
    assert owners(db)["Huisverboden"] == slack_owner.key
    assert not report.conflicts and any("Huisverboden" in k for k in report.kept_from_slack)

    # YAML changed too, to someone else: a conflict, reported on every import; Slack's value stays.
    third = next(
        p for p in store.people() if p.key not in {yaml_owner, slack_owner.key, task.deputy.key}
    )

    def set_owner(key: str):
        def edit(data) -> None:
            next(t for t in data["tasks"] if t["subject"] == "Huisverboden")["owner"] = key

        return edit

    edit_yaml(config / "tasks.yaml", set_owner(third.key))
    for _ in range(2):
        report = import_config(db, load_config(config), FIXED_NOW)
        assert len(report.conflicts) == 1 and "Huisverboden" in report.conflicts[0]
        assert owners(db)["Huisverboden"] == slack_owner.key

    # Once the YAML agrees with Slack, all is quiet.
    edit_yaml(config / "tasks.yaml", set_owner(slack_owner.key))
    report = import_config(db, load_config(config), FIXED_NOW)
    assert not report.conflicts and not report.changed


def test_yaml_edits_are_applied_and_removed_tasks_retired(db: Database, tmp_path: Path) -> None:
    config = copy_config(tmp_path / "config")
    import_config(db, load_config(config), FIXED_NOW)

    def edit(data) -> None:
        data["tasks"][0]["duties"] = "Nieuwe omschrijving"
        del data["tasks"][-1]

    edit_yaml(config / "tasks.yaml", edit)
    report = import_config(db, load_config(config), FIXED_NOW)
    assert len(report.updated) == 1 and len(report.retired) == 1
    with db.transaction() as conn:
        first = conn.execute(select(tasks).order_by(tasks.c.position)).first()
        assert first.duties == "Nieuwe omschrijving"
        assert len(conn.execute(select(tasks).where(tasks.c.active)).all()) == 58


def test_export_writes_yaml_that_import_accepts(db: Database, tmp_path: Path) -> None:
    import_config(db, load_config(CONFIG_DIR), FIXED_NOW)
    exported = tmp_path / "export"
    exported.mkdir()
    for name, text in export_config(db).items():
        (exported / name).write_text(text)
    team = load_config(exported)
    assert len(team.tasks) == 59
    original = load_config(CONFIG_DIR)
    assert [t.model_dump(exclude={"line"}) for t in team.tasks] == [
        t.model_dump(exclude={"line"}) for t in original.tasks
    ]
    # Importing the export back changes nothing.
    assert not import_config(db, team, FIXED_NOW).changed


def test_migrations_create_exactly_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


@pytest.mark.parametrize(
    ("file", "top", "field", "bad"),
    [
        ("people.yaml", "people", "hours_per_week", "veel"),
        ("people.yaml", "people", "slack_id", "niet-een-id"),
        ("people.yaml", "people", "name", ""),
        ("tasks.yaml", "tasks", "category", "structureeel"),
        ("tasks.yaml", "tasks", "owner", "Niet Een Sleutel"),
    ],
)
def test_one_typo_in_a_record_is_one_problem_not_one_per_reference(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    file: str,
    top: str,
    field: str,
    bad: str,
) -> None:
    """A record with a bad field is reported once; the people and tasks it names are still
    known to every other file (tasks, meetings, piket), so no "onbekende persoon" follows."""
    config = copy_config(tmp_path / "config")
    path = config / file
    # The most referenced record: the one whose key or subject the other files name most.
    text = "\n".join(p.read_text(encoding="utf-8") for p in config.glob("*.yaml"))

    def break_one(data) -> None:
        records = data[top]
        name = "key" if top == "people" else "subject"
        target = max(records, key=lambda r: text.count(str(r[name])))
        target[field] = bad

    edit_yaml(path, break_one)
    code, out = check(config, monkeypatch, capsys)
    assert code == 1
    problems = [o for o in out if o.startswith(str(config))]
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}:")
