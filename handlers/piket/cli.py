"""The operator's CLI: `oov-bot piket toon` (the coming duty weeks) and `oov-bot piket zet`
(give a shift to someone: pinned, audited, both people told)."""

from __future__ import annotations

import argparse
import sys

from bot.context import AppContext
from bot.services.errors import DomainError
from handlers.blocks import blocks_to_text
from handlers.piket.blocks import plain_name, weeks_reply
from handlers.piket.common import Outbox, build_service


def rota_text(ctx: AppContext, weeks: int) -> str:
    """`oov-bot piket toon`: the coming duty weeks as plain text."""
    coming = build_service(ctx).coming_weeks(ctx.now(), count=weeks)
    return blocks_to_text(weeks_reply(coming, ctx.tz, name=plain_name).blocks)


def override(ctx: AppContext, role: str, when: str, person_key: str) -> str:
    """`oov-bot piket zet <rol> <datum> <persoon>`: returns a Dutch summary; PiketError (a
    DomainError) on bad input."""
    done = build_service(ctx).override(role, when, person_key, ctx.now(), by="cli")
    outbox = Outbox(ctx.gateway)
    outbox.tell(done.notices)
    outbox.set_usergroup(done.usergroup)
    return done.summary


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="piket_command", required=True, metavar="ACTIE")
    show = sub.add_parser("toon", help="de komende piketweken")
    show.add_argument("--weken", type=int, default=8, help="hoeveel piketweken (standaard 8)")
    assign = sub.add_parser(
        "zet", help="geef een dienst aan iemand, bijv.: oov-bot piket zet OVD-BZ 'week 14' aov-2"
    )
    assign.add_argument("rol", help="OVD-BZ of IM-ACBZ")
    assign.add_argument("datum", nargs="+", help="een datum of week in de piketweek")
    assign.add_argument("persoon", help="persoonssleutel uit people.yaml")


def run(ctx: AppContext, args: argparse.Namespace) -> int:
    try:
        if args.piket_command == "zet":
            print(override(ctx, args.rol, " ".join(args.datum), args.persoon))
        else:
            print(rota_text(ctx, args.weken))
    except DomainError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    return 0
