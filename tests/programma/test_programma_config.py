"""config/programma.yaml: the bundled programme (seed 001 ch. 5, a budget like seed 004's),
`oov-bot check` with what it read per activity and file:line problems, and `oov-bot import` that
never silently overwrites what was changed in Slack."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.core.programme import PROGRAMMA_FILE, Programme, Status
from bot.features import export_config, import_config, load_config
from storage.programme import ProgrammeStore
from storage.session import Database
from testkit.config_check import check, line_of
from testkit.team_config import copy_config, edit_yaml

NOW = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)

# Chapter 5 of seed 001, activity names as written, under the programme's four priorities.
SEED_ACTIVITIES = {
    "Zorg en veiligheid": [
        "Bestuurlijke samenwerking domeinen Zorg en Veiligheid versterken",
        "Samenwerking netwerkpartners zorg en veiligheid versterken",
        "AVE model implementeren",
        "Aanpak middelgebruik jongeren",
    ],
    "Ondermijning": [
        "Beleid en aanpak mensenhandel",
        "Bewustwording eigen organisatie op ondermijning",
        "Bibob-beleid en implementatie",
        "Veiligheid Groningen Airport Eelde",
        "Actualisatie Damoclesbeleid",
        "Communicatiestrategie ondermijning ontwikkelen",
        "Lokaal Informatie Overleg (LIO)",
        "Integrale controle bedrijventerreinen",
        "Verkenning deelname Vitale Vakantieparken",
        "Preventieacties buitengebied",
        "APV ondermijningsproof maken",
    ],
    "Weerbaarheid digitaal gebied": [
        "Bewustwordingsacties MKB en jongeren op digitaal gebied",
        "Cyberoefening Eigen organisatie",
    ],
    "Incident- en rampenbestrijding": [
        "Basis op orde houden incident- en rampenbestrijding",
        "Deelname systeem oefening GAE met bevolkingszorg",
        "Afronden project actualisatie bevolkingszorg",
    ],
}


def test_the_bundled_programme_is_seed_001_chapter_5(team_config: Any) -> None:
    programme: Programme = team_config.extra[PROGRAMMA_FILE]
    assert {p.name: [a.name for a in p.activities] for p in programme.priorities} == (
        SEED_ACTIVITIES
    )
    by_key = {a.key: a for a in programme.activities}
    bibob = by_key["bibob-beleid"].config
    assert bibob.criterion == "Het beleid voor het einde van 2024 is geactualiseerd."
    assert bibob.partners == "RIEC, Partner- gemeenten Drentse Aanpak Ondermijning"
    assert bibob.budget == "Zie voorgesteld nieuw beleid"
    assert by_key["bibob-beleid"].deadline == date(2024, 12, 31)
    assert by_key["bestuurlijke-samenwerking-zorg-veiligheid"].deadline == date(2025, 1, 1)
    assert [m.due for m in by_key["bewustwording-mkb-jongeren-digitaal"].milestones] == [
        date(2024, 12, 31),
        date(2024, 12, 31),
        date(2025, 12, 31),
    ]
    # The budget as seed 004's table: sixteen lines, € 201.500 in total, € 214.571 available.
    assert len(programme.budget_lines) == 16
    assert sum(b.cost or 0 for b in programme.budget_lines) == Decimal("201500")
    assert programme.budget_available == Decimal("214571")


def test_check_shows_per_activity_what_it_read(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out = check(copy_config(tmp_path / "config"), monkeypatch, capsys)
    assert code == 0, out
    shown = "\n".join(out)
    assert "    bibob-beleid: deadline dinsdag 31 december 2024 (‘voor het einde van 2024’)" in out
    assert (
        "    bestuurlijke-samenwerking-zorg-veiligheid: deadline woensdag 1 januari 2025 "
        "(‘vanaf begin 2025’)"
    ) in out
    assert (
        "cyberoefening: mijlpalen dinsdag 31 december 2024 (‘in 2024’), woensdag 31 december"
        in shown
    )
    assert "ave-model: geen termijn in het criterium: einde programma" in shown
    # The explicit deadline wins; what the criterion could not say is still shown.
    assert (
        "basis-op-orde-rampenbestrijding: deadline woensdag 31 december 2025 (uit 'deadline:')"
        in shown
    )
    assert "‘voor 2024 en 2025’ is dubbelzinnig" in shown


def test_check_reports_programme_problems_with_file_and_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = copy_config(tmp_path / "config")
    path = config / PROGRAMMA_FILE

    def breaks(data: Any) -> None:
        activities = data["priorities"][1]["activities"]
        activities[0]["owner"] = "aov-9"
        activities[1]["criterion"] = "Het beleid is uiterlijk kerst 2025 klaar."
        activities[2]["key"] = activities[3]["key"]
        del data["priorities"][3]["activities"][0]["deadline"]  # "voor 2024 en 2025" unread
        data["budget"]["lines"][0]["cost"] = "veel"

    edit_yaml(path, breaks)
    code, out = check(config, monkeypatch, capsys)
    assert code == 1
    line = line_of(path, "owner: aov-9")
    assert any(o.startswith(f"{path}:{line}: owner: onbekende persoon 'aov-9'") for o in out), out
    line = line_of(path, "uiterlijk kerst 2025")
    assert (
        f"{path}:{line}: criterion: termijn niet te lezen: ‘uiterlijk kerst 2025’ is geen "
        "datum die ik kan lezen. Zet de bedoelde datum in 'deadline: JJJJ-MM-DD'" in out
    )
    assert any("dubbele activiteit 'veiligheid-gae'" in o for o in out)
    line = line_of(path, "voor 2024 en 2025")
    assert any(
        o.startswith(f"{path}:{line}: criterion: termijn niet te lezen: ‘voor 2024 en 2025’")
        for o in out
    )
    line = line_of(path, "cost: veel")
    assert f"{path}:{line}: cost: 'veel' is geen bedrag (schrijf bijv. '€ 7.500,-')" in out


def test_reimport_keeps_what_was_changed_in_slack_and_reports_a_conflict(
    db: Database, tmp_path: Path
) -> None:
    config = copy_config(tmp_path / "config")
    import_config(db, load_config(config), NOW)
    store = ProgrammeStore(db)
    bibob = next(a for a in store.activities() if a.key == "bibob-beleid")
    store.record(
        bibob.id,
        kind="status",
        by="U0AOV0001",
        now=NOW,
        status=Status.VERTRAAGD,
        deadline=date(2025, 7, 1),
        note="Wacht op het RIEC-model.",
    )

    def edit(data: Any) -> None:
        activity = data["priorities"][1]["activities"][2]
        assert activity["key"] == "bibob-beleid"
        activity["deadline"] = date(2025, 3, 1)  # changed in the YAML as well
        activity["partners"] = "RIEC"

    edit_yaml(config / PROGRAMMA_FILE, edit)
    report = import_config(db, load_config(config), NOW)
    after = next(a for a in store.activities() if a.key == "bibob-beleid")
    assert after.deadline == date(2025, 7, 1)  # Slack's change stays
    assert after.original_deadline == date(2024, 12, 31)
    assert after.status is Status.VERTRAAGD
    assert after.activity.config.partners == "RIEC"  # the YAML-only change is applied
    assert any("bibob-beleid: deadline is in Slack gewijzigd" in c for c in report.conflicts)
    assert [u.note for u in store.history(after.id)] == ["Wacht op het RIEC-model."]

    # Once more: still reported, still kept; nothing else changes.
    again = import_config(db, load_config(config), NOW)
    assert any("bibob-beleid" in c for c in again.conflicts) and not again.created


def test_export_then_import_changes_nothing(db: Database, tmp_path: Path) -> None:
    config = copy_config(tmp_path / "config")
    import_config(db, load_config(config), NOW)
    store = ProgrammeStore(db)
    lio = next(a for a in store.activities() if a.key == "lokaal-informatie-overleg")
    store.record(
        lio.id,
        kind="deadline",
        by="U0AOV0002",
        now=NOW,
        deadline=date(2026, 3, 1),
        note="Wacht op het RIEC.",
    )
    exported = tmp_path / "export"
    exported.mkdir()
    for name, text in export_config(db).items():
        (exported / name).write_text(text, encoding="utf-8")
    team = load_config(exported)
    report = import_config(db, team, NOW)
    assert not report.updated and not report.created and not report.retired
    assert not report.conflicts, report.conflicts
    programme: Programme = team.extra[PROGRAMMA_FILE]
    assert len(programme.activities) == 20
    moved = next(a for a in programme.activities if a.key == "lokaal-informatie-overleg")
    assert moved.deadline == date(2026, 3, 1)


def test_oov_bot_rapport_programma_writes_word_and_markdown(
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.cli import main

    config = copy_config(tmp_path / "config")
    import_config(db, load_config(config), NOW)
    store = ProgrammeStore(db)
    lio = next(a for a in store.activities() if a.key == "lokaal-informatie-overleg")
    store.record(
        lio.id,
        kind="status",
        by="U0AOV0002",
        now=NOW,
        status=Status.LOOPT,
        note="Eerste verkenning met het RIEC.",
    )
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("OOV_CONFIG_DIR", str(config))
    out = tmp_path / "rapporten"
    assert main(["rapport", "programma", "--tot", "2024-12-31", "--map", str(out)]) == 0
    written = capsys.readouterr().out.split()
    stem = "voortgangsrapportage-programma-2024-12-31"
    assert written == [str(out / f"{stem}.docx"), str(out / f"{stem}.md")]
    markdown = (out / f"{stem}.md").read_text(encoding="utf-8")
    assert "vrijdag 1 maart 2024 — status loopt: Eerste verkenning met het RIEC." in markdown
    assert "Lokaal Informatie Overleg (LIO)" in markdown

    assert main(["rapport", "programma", "--tot", "sinterklaas", "--map", str(out)]) == 1
    assert "'sinterklaas' is geen datum" in capsys.readouterr().err
