"""The progress report for the college read as a college member reads it: every priority of the
programme is in it, and an activity whose deadline has passed or is near says so where it is
described, not only in the table at the end."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import docx

from bot.core.documents import render_docx
from bot.core.programme import PROGRAMMA_FILE, Status
from bot.features import import_config, load_config
from bot.services.programma import ProgrammeService
from storage.programme import ProgrammeStore
from storage.session import Database
from storage.team import TeamStore
from testkit.team_config import copy_config, edit_yaml

NOW = datetime(2024, 12, 10, 9, 0, tzinfo=UTC)
TZ = ZoneInfo("Europe/Amsterdam")


def _service(db: Database, config: Path) -> ProgrammeService:
    import_config(db, load_config(config), NOW)
    return ProgrammeService(ProgrammeStore(db), TeamStore(db), tz=TZ)


def _paragraphs(service: ProgrammeService, until: date, now: datetime = NOW) -> list[str]:
    word = docx.Document(io.BytesIO(render_docx(service.report(until, now))))
    return [p.text for p in word.paragraphs]


def _status_line(paragraphs: list[str], activity: str) -> str:
    at = paragraphs.index(activity)
    return next(p for p in paragraphs[at:] if p.startswith("Status: "))


def test_a_passed_or_near_deadline_is_marked_where_the_activity_is_described(
    db: Database, tmp_path: Path
) -> None:
    service = _service(db, copy_config(tmp_path / "config"))
    store = ProgrammeStore(db)
    vitale = next(a for a in store.activities() if a.key == "vitale-vakantieparken")
    store.record(vitale.id, kind="status", by="U0AOV0003", now=NOW, status=Status.LOOPT)
    # On 10 December 2024 the deadline of 31 December 2024 is three weeks away ...
    paragraphs = _paragraphs(service, date(2024, 12, 10))
    assert _status_line(paragraphs, "Verkenning deelname Vitale Vakantieparken") == (
        "Status: loopt; deadline dinsdag 31 december 2024 (nog 21 dagen, dreigt te laat te "
        "komen). Actiehouder: AOV-er 3."
    )
    # ... and in a report over January 2025, made in February, it has passed undone.
    paragraphs = _paragraphs(service, date(2025, 1, 31), datetime(2025, 2, 3, 9, 0, tzinfo=UTC))
    assert _status_line(paragraphs, "Verkenning deelname Vitale Vakantieparken") == (
        "Status: loopt; deadline dinsdag 31 december 2024 (verstreken, niet "
        "afgerond). Actiehouder: AOV-er 3."
    )
    # An activity far from its deadline carries no mark.
    assert _status_line(paragraphs, "Preventieacties buitengebied") == (
        "Status: niet gestart; deadline woensdag 31 december 2025. Actiehouder: Boa-coördinator."
    )


def test_a_report_until_a_future_date_calls_nothing_late_before_its_deadline(
    db: Database, tmp_path: Path
) -> None:
    service = _service(db, copy_config(tmp_path / "config"))
    # Made on 10 December 2024 "tot 31 december 2025": the deadline of 31 December 2024 is
    # three weeks away, not passed.
    paragraphs = _paragraphs(service, date(2025, 12, 31))
    assert _status_line(paragraphs, "Verkenning deelname Vitale Vakantieparken") == (
        "Status: niet gestart; deadline dinsdag 31 december 2024 (nog 21 dagen, dreigt te laat "
        "te komen). Actiehouder: AOV-er 3."
    )
    at = paragraphs.index("Niet of gedeeltelijk uitgevoerd")
    assert paragraphs[at + 1] == "Alle activiteiten liggen op schema of zijn afgerond."


def test_each_activity_names_its_budget_what_was_spent_and_its_portfolio_holder(
    db: Database, tmp_path: Path
) -> None:
    service = _service(db, copy_config(tmp_path / "config"))
    store = ProgrammeStore(db)
    gae = next(a for a in store.activities() if a.key == "systeemoefening-gae")
    store.record(gae.id, kind="status", by="U0AOV0003", now=NOW, spent=Decimal("2500"))
    paragraphs = _paragraphs(service, date(2024, 12, 31))
    at = paragraphs.index("Deelname systeem oefening GAE met bevolkingszorg")
    assert paragraphs[at + 2].startswith("Status: ")
    assert paragraphs[at + 3] == (
        "Budget: Bestaand beleid. Uitgegeven (vastgelegd): € 2.500. Bestuurlijk aanspreekpunt: "
        "burgemeester."
    )


def test_a_priority_without_activities_is_still_in_the_report(db: Database, tmp_path: Path) -> None:
    config = copy_config(tmp_path / "config")

    def add_priority(data: Any) -> None:
        data["priorities"].append({"key": "evenementen", "name": "Veilige evenementen"})

    edit_yaml(config / PROGRAMMA_FILE, add_priority)
    paragraphs = _paragraphs(_service(db, config), date(2024, 12, 31))
    at = paragraphs.index("5. Veilige evenementen")
    assert paragraphs[at + 1] == "Onder deze prioriteit staan (nog) geen activiteiten."
    word = docx.Document(
        io.BytesIO(render_docx(_service(db, config).report(date(2024, 12, 31), NOW)))
    )
    summary = next(t for t in word.tables if t.rows[0].cells[0].text == "Prioriteit")
    assert [c.text for c in summary.rows[-1].cells] == ["Veilige evenementen", *"000000"]
