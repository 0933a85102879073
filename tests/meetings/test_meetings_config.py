"""config/meetings.yaml: the bundled series, `oov-bot check` with file:line for every problem, and
`oov-bot import` as the config reload (idempotent, changes by hand in Slack survive)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.cadence import parse_cadence
from bot.core.meetings import MEETINGS_FILE, Status
from bot.features import export_config, import_config, load_config
from bot.language import TZ
from storage.meetings import MeetingStore
from storage.session import Database
from testkit.clock import FIXED_NOW
from testkit.config_check import check, line_of
from testkit.team_config import copy_config, edit_yaml, write_yaml

# The meeting series of the task overview that have a cadence (the list).
OVERVIEW_SERIES = {
    "Boa-briefing": "boa-briefing",
    "Teamoverleg Veiligheid": "teamoverleg",
    "Ambtelijk Voorbereidingsoverleg (AVO) Gezagsdriehoek Noord Drenthe": "avo-driehoek",
    "Gezagsdriehoek Noord Drenthe": "gezagsdriehoek",
    "Lokaal politieoverleg (Veiligheidsoverleg)": "lokaal-politieoverleg",
    "Tactisch Veiligheidsoverleg (TVO) met Gemeente, politie, toegang, Oggz en ZVHD": "tvo",
    "Lokaal operationeel veiligheidsoverleg (OVO)": "ovo",
    "Regionaal bestuurlijk politieoverleg Noord Nederland (RPBO)": "rpbo",
    "Jihadisme / radicalisering": "cter",
    "Algemeen Bestuur Veiligheidsregio Drenthe": "ab-vrd",
    "Bestuurlijk veiligheidsoverleg Drenthe": "bvo-drenthe",
    "Drents AOV-overleg Sociale veiligheid": "drents-aov-overleg",
    "Veiligheidsoverleg Noord Drenthe": "veiligheidsoverleg-noord-drenthe",
}


def test_the_bundled_series_cover_the_overview_with_its_own_words(team_config) -> None:
    series = {s.key: s for s in team_config.extra[MEETINGS_FILE]}
    tasks = {t.subject: t for t in team_config.tasks}
    assert {s.task: key for key, s in series.items()} == OVERVIEW_SERIES
    for s in series.values():
        assert s.cadence == tasks[s.task].time  # as written in the overview
        assert s.example  # weekdays and times are not in the overview
    # The boa-briefing reminder needs its externals; every series meets at least once a year.
    assert series["boa-briefing"].externals == ("politie", "jongerenwerk", "KMar", "verkeer")
    assert parse_cadence(series["boa-briefing"].cadence).recurrences[0].interval == 1


def test_check_reports_meeting_problems_with_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = copy_config(tmp_path / "config")
    base = {"time": "10:00", "channel": "#overleg"}
    broken: list[dict[str, Any]] = [
        {"key": "boa", "name": "Boa", "task": "Boa-breifing", "weekday": "dinsdag",
         "first_date": date(2026, 1, 6), **base},
        {"key": "team", "name": "Team", "task": "Teamoverleg Veiligheid", "weekday": "dinsdag",
         "first_date": date(2026, 1, 5), "chair": "aov-9", **base},
        {"key": "cter", "name": "CTER", "task": "Jihadisme / radicalisering",
         "weekday": "woensdag", "first_date": date(2026, 1, 7), **base},
        {"key": "vrd", "name": "VRD", "task": "Algemeen Bestuur Veiligheidsregio Drenthe",
         "weekday": "woensdag", "first_date": date(2026, 1, 7), **base},
        {"key": "x1", "name": "X1", "task": "BIBOB", "cadence": "2 uur per week",
         "weekday": "dinsdg", "first_date": date(2026, 1, 6), **base},
        {"key": "x2", "name": "X2", "task": "BIBOB", "cadence": "2 uur per week",
         "weekday": "dinsdag", "first_date": date(2026, 1, 6), "on_holiday": "misschien",
         **base},
        {"key": "boa", "name": "Boa 2", "task": "Boa-briefing", "weekday": "dinsdag",
         "first_date": date(2026, 1, 6), **base},
        # `time: 9.30` unquoted is the number 9.3: it was "'9.3' is geen geldige tijd".
        {"key": "x3", "name": "X3", "task": "BIBOB", "cadence": "2 uur per week",
         "weekday": "dinsdag", "first_date": date(2026, 1, 6), **base, "time": 9.3},
    ]  # fmt: skip
    meetings = config / MEETINGS_FILE
    write_yaml(meetings, {"meetings": broken})

    code, out = check(config, monkeypatch, capsys)

    assert code == 1
    expected = {
        line_of(meetings, "Boa-breifing"): "onbekende taak 'Boa-breifing'",
        line_of(meetings, "first_date: 2026-01-05"): "maandag 5 januari 2026 is geen dag",
        line_of(meetings, "chair: aov-9"): "onbekende persoon 'aov-9'",
        line_of(meetings, "key: cter"): "week_of_month ontbreekt",
        line_of(meetings, "key: vrd"): "geef de data op onder `dates`",
        line_of(meetings, "dinsdg"): "'dinsdg' is geen weekdag",
        line_of(meetings, "misschien"): "kies uit 'overslaan', 'volgende werkdag', 'doorgaan'",
        line_of(meetings, "key: boa", 2): "dubbele sleutel 'boa'",
        line_of(meetings, "time: 9.3"): "time: zet de tijd tussen aanhalingstekens, bijvoorbeeld",
    }
    for line, message in expected.items():
        assert any(o.startswith(f"{meetings}:{line}: ") and message in o for o in out), (
            line,
            message,
            out,
        )
    assert "bedoelt u 'Boa-briefing'?" in "\n".join(out)
    assert "Traceback" not in "\n".join(out)


def imported(db: Database, config: Path, now: datetime = FIXED_NOW):
    return import_config(db, load_config(config), now)


def test_a_choice_is_read_whatever_its_case_and_spacing(tmp_path: Path) -> None:
    """'Dinsdag' was read as a weekday, but 'Overslaan' or 'Volgende werkdag' was refused, and
    a task's 'Structureel' too: every value picked from a list is read alike."""
    config = copy_config(tmp_path / "config")

    def capitalised(data: Any) -> None:
        data["meetings"][0]["on_holiday"] = "Volgende  Werkdag"

    def task_category(data: Any) -> None:
        data["tasks"][0]["category"] = "Structureel"

    edit_yaml(config / MEETINGS_FILE, capitalised)
    edit_yaml(config / "tasks.yaml", task_category)
    team = load_config(config)
    series = team.extra[MEETINGS_FILE][0]
    assert series.on_holiday == "volgende werkdag"
    assert team.tasks[0].category == "structureel"


def test_import_is_idempotent_and_a_reload_keeps_changes_made_in_slack(
    db: Database, tmp_path: Path
) -> None:
    config = copy_config(tmp_path / "config")
    first = imported(db, config)
    assert sum(c.startswith("overleg ") for c in first.created) == len(OVERVIEW_SERIES)
    assert not any(u.startswith("overleg ") for u in imported(db, config).updated)

    store = MeetingStore(db)
    store.cancel("boa-briefing", date(2026, 12, 1), by="U0AOV0001", now=FIXED_NOW)
    new_start = datetime(2026, 12, 3, 13, 0, tzinfo=TZ)
    store.move("teamoverleg", date(2026, 11, 30), new_start, by="U0AOV0001", now=FIXED_NOW)

    def edit(data: Any) -> None:
        boa = next(m for m in data["meetings"] if m["key"] == "boa-briefing")
        boa["time"] = "09:30"
        boa["place"] = "Raadzaal"
        data["meetings"] = [m for m in data["meetings"] if m["key"] != "rpbo"]

    edit_yaml(config / MEETINGS_FILE, edit)
    report = imported(db, config, FIXED_NOW + timedelta(days=1))
    assert [u for u in report.updated if u.startswith("overleg ")] == ["overleg boa-briefing"]
    assert report.retired == ["overleg rpbo"]
    assert store.get("rpbo") is None
    boa = store.occurrence("boa-briefing", date(2026, 12, 1))
    assert boa.status is Status.CANCELLED and boa.start.strftime("%H:%M") == "09:30"
    assert store.occurrence("teamoverleg", date(2026, 11, 30)).start == new_start

    # Back in the file: the series returns, with the same key and so the same reminders.
    edit_yaml(config / MEETINGS_FILE, lambda data: data["meetings"].append(_rpbo()))
    assert "overleg rpbo" in imported(db, config).updated
    assert store.get("rpbo") is not None


def test_import_reports_changes_made_in_slack_that_a_new_rhythm_strands(
    db: Database, tmp_path: Path
) -> None:
    config = copy_config(tmp_path / "config")
    imported(db, config)
    store = MeetingStore(db)
    store.cancel("boa-briefing", date(2026, 12, 1), by="U0AOV0001", now=FIXED_NOW)
    new_start = datetime(2026, 12, 9, 10, 0, tzinfo=TZ)
    store.move("boa-briefing", date(2026, 12, 8), new_start, by="U0AOV0001", now=FIXED_NOW)

    def to_wednesday(data: Any) -> None:
        boa = next(m for m in data["meetings"] if m["key"] == "boa-briefing")
        boa["weekday"], boa["first_date"] = "woensdag", date(2026, 1, 7)

    edit_yaml(config / MEETINGS_FILE, to_wednesday)
    report = imported(db, config)
    stranded = [c for c in report.conflicts if c.startswith("overleg boa-briefing")]
    assert len(stranded) == 2, report.conflicts
    assert "dinsdag 1 december 2026 is in Slack afgelast" in stranded[0] + stranded[1]
    assert "dinsdag 8 december 2026 is in Slack verplaatst" in stranded[0] + stranded[1]
    assert "CONFLICT: overleg boa-briefing" in "\n".join(report.lines())
    # A change whose date the rhythm still has is not reported.
    assert not [c for c in imported(db, copy_config(tmp_path / "again")).conflicts if "boa" in c]


def _rpbo() -> dict[str, Any]:
    return {
        "key": "rpbo",
        "name": "RPBO",
        "task": "Regionaal bestuurlijk politieoverleg Noord Nederland (RPBO)",
        "weekday": "vrijdag",
        "week_of_month": 3,
        "time": "10:00",
        "first_date": date(2026, 1, 16),
        "channel": "#rpbo",
    }


def test_without_a_meetings_file_an_import_leaves_the_series_alone(
    db: Database, tmp_path: Path
) -> None:
    config = copy_config(tmp_path / "config")
    imported(db, config)
    (config / MEETINGS_FILE).unlink()
    report = imported(db, config)
    assert not report.retired
    assert len(MeetingStore(db).all_series()) == len(OVERVIEW_SERIES)


def test_export_writes_the_series_as_import_reads_them(db: Database, tmp_path: Path) -> None:
    config = copy_config(tmp_path / "config")
    imported(db, config)
    exported = tmp_path / "export"
    exported.mkdir()
    for name, text in export_config(db).items():
        (exported / name).write_text(text)
    assert "weekday: dinsdag" in (exported / MEETINGS_FILE).read_text()
    original = load_config(config).extra[MEETINGS_FILE]
    again = load_config(exported).extra[MEETINGS_FILE]
    assert [s.model_dump(exclude={"line"}) for s in again] == [
        s.model_dump(exclude={"line"}) for s in original
    ]
    assert not any(u.startswith("overleg ") for u in imported(db, exported).updated)
