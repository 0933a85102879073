"""`oov-bot rapport programma [--tot DATUM] [--map MAP]`: the progress report as Word and
Markdown files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.context import AppContext
from bot.language import DutchDateError, parse_due_date, today_in
from bot.language.milestones import parse_deadline
from bot.services.errors import DomainError
from handlers.programma.common import build_service, write_report_files


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tot",
        default="",
        metavar="DATUM",
        help="stand van zaken tot en met deze datum (standaard vandaag), bijv. 2025-12-31",
    )
    parser.add_argument(
        "--map", default="rapport", help="map om de bestanden in te schrijven (standaard: rapport)"
    )


def run(ctx: AppContext, args: argparse.Namespace) -> int:
    now = ctx.now()
    until = today_in(now, ctx.tz)
    if args.tot.strip():
        found = parse_deadline(args.tot)
        if found is None:
            try:
                found = parse_due_date(args.tot, now, tz=ctx.tz)
            except DutchDateError:
                print(
                    f"oov-bot: '{args.tot}' is geen datum "
                    "(bijv. 2025-12-31 of '31 december 2025').",
                    file=sys.stderr,
                )
                return 1
        until = found
    try:
        paths = write_report_files(build_service(ctx), until, now, Path(args.map))
    except DomainError as exc:
        print(f"oov-bot: {exc.message}", file=sys.stderr)
        return 1
    for path in paths:
        print(path)
    return 0
