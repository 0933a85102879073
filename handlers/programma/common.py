"""What the programme's adapters share (Slack, clock, CLI): the service built once per context,
and the report written as Word and Markdown."""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path

from bot.context import AppContext
from bot.services.programma import ProgrammeService
from handlers.access import access_service
from storage.programme import ProgrammeStore


def _build(ctx: AppContext) -> ProgrammeService:
    return ProgrammeService(ProgrammeStore(ctx.db), ctx.team, tz=ctx.tz, access=access_service(ctx))


def build_service(ctx: AppContext) -> ProgrammeService:
    return ctx.service(_build)


def report_stem(until: date) -> str:
    return f"voortgangsrapportage-programma-{until.isoformat()}"


def write_report_files(
    service: ProgrammeService, until: date, now: datetime, directory: Path
) -> list[Path]:
    """The report as .docx and .md in `directory`; DomainError when there is no programme."""
    from bot.core.documents import write_document  # only when a report is written

    document = service.report(until, now)
    return write_document(document, directory, report_stem(until))


def write_report(
    service: ProgrammeService, until: date, now: datetime
) -> list[tuple[str, bytes, str]]:
    """The report's files as (file name, content, title), Word first."""
    with tempfile.TemporaryDirectory(prefix="oov-rapport-") as tmp:
        paths = write_report_files(service, until, now, Path(tmp))
        files = [(p.name, p.read_bytes(), _title(p)) for p in paths]
    return sorted(files, key=lambda f: not f[0].endswith(".docx"))


def _title(path: Path) -> str:
    kind = "Word" if path.suffix == ".docx" else "Markdown"
    return f"Voortgangsrapportage uitvoeringsprogramma ({kind})"
