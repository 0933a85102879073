"""`oov-bot rapport capaciteit`: the capacity report as Word and Markdown files."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.context import AppContext
from bot.core.access import Actor
from bot.services.capacity import build_capacity_service


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--map", default=".", help="waar de bestanden komen (standaard: de huidige map)"
    )
    parser.add_argument(
        "--naam",
        default="",
        help="bestandsnaam zonder extensie (standaard: capaciteit-JJJJ-MM-DD, datum van vandaag)",
    )


def run(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.core.documents import write_document
    from handlers.capaciteit.report import report_document, report_stem

    picture = ctx.service(build_capacity_service).picture(ctx.now(), Actor.operator())
    stem = args.naam.strip() or report_stem(picture)
    written = write_document(report_document(picture), Path(args.map), stem)
    for path in written:
        print(path)
    return 0
