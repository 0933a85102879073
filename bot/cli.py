"""The `oov-bot` command line (DESIGN.md § CLI)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from slack_sdk.errors import SlackApiError

from bot.app import create_bolt_app, create_context
from bot.config_files import ConfigError
from bot.context import AppContext
from bot.features import cli_commands, export_config, import_config, load_config, planners
from bot.settings import Settings
from handlers.feature import CliCommand

log = logging.getLogger("oov-bot")


def setup_logging() -> None:
    logging.basicConfig(
        level=os.environ.get("OOV_LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # One line per migration or per job run is noise; their warnings still show.
    for noisy in ("alembic", "apscheduler.executors", "apscheduler.scheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # At DEBUG the Slack SDK logs request and response bodies, i.e. message text about residents
    # and cases: never let it, whatever OOV_LOG_LEVEL says.
    for sdk in ("slack_sdk", "slack_bolt"):
        logging.getLogger(sdk).setLevel(max(logging.INFO, logging.getLogger().level))


def print_problems(error: ConfigError) -> None:
    for problem in error.problems:
        print(problem, file=sys.stderr)
    count = len(error.problems)
    found = f"{count} {'probleem' if count == 1 else 'problemen'} gevonden in de configuratie."
    print(found, file=sys.stderr)


def prepare_database(ctx: AppContext, *, import_when_empty: bool) -> None:
    """Bring the schema up to date; load the bundled config into an empty database."""
    ctx.db.upgrade()
    if import_when_empty and ctx.team.tasks_version()[0] == 0:
        team = load_config(ctx.settings.oov_config_dir)
        report = import_config(ctx.db, team, ctx.now())
        log.info(
            "empty database: imported %s (%d tasks)", ctx.settings.oov_config_dir, len(team.tasks)
        )
        for line in report.lines()[1:]:
            log.debug(line)


def cmd_check(settings: Settings, _args: argparse.Namespace) -> int:
    try:
        team = load_config(settings.oov_config_dir)
    except ConfigError as exc:
        print_problems(exc)
        return 1
    extra = "".join(f", {name}" for name in team.extra)
    print(
        f"{settings.oov_config_dir}: in orde — {len(team.people)} personen, "
        f"{len(team.tasks)} taken{extra}."
    )
    return 0


def cmd_import(settings: Settings, _args: argparse.Namespace) -> int:
    try:
        team = load_config(settings.oov_config_dir)
    except ConfigError as exc:
        print_problems(exc)
        print("Niets geïmporteerd.", file=sys.stderr)
        return 1
    ctx = create_context(settings)
    ctx.db.upgrade()
    report = import_config(ctx.db, team, ctx.now())
    print("\n".join(report.lines()))
    return 0


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    ctx = create_context(settings)
    if not ctx.db.has_schema():
        print(
            "De database is leeg: draai eerst `oov-bot db upgrade` en `oov-bot import`.",
            file=sys.stderr,
        )
        return 1
    target = Path(args.dir)
    target.mkdir(parents=True, exist_ok=True)
    for name, text in export_config(ctx.db).items():
        (target / name).write_text(text, encoding="utf-8")
        print(f"geschreven: {target / name}")
    return 0


def cmd_db(settings: Settings, args: argparse.Namespace) -> int:
    ctx = create_context(settings)
    ctx.db.upgrade()
    print("Database bijgewerkt tot de nieuwste versie.")
    return 0


def _start_web(settings: Settings, *, with_clock: bool, import_when_empty: bool) -> int:
    ctx = create_context(settings)
    try:
        prepare_database(ctx, import_when_empty=import_when_empty)
    except ConfigError as exc:
        print_problems(exc)
        return 1
    if reason := settings.slack_missing_reason():
        log.warning(reason)
    bolt = create_bolt_app(ctx)
    if with_clock:
        from bot.clock import start_clock

        start_clock(ctx, planners())
    if bolt is not None and settings.socket_mode:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        try:
            SocketModeHandler(bolt, settings.slack_app_token).connect()
        except (SlackApiError, OSError) as exc:
            code = exc.response.get("error") if isinstance(exc, SlackApiError) else exc
            log.error("Socket Mode: could not connect to Slack with SLACK_APP_TOKEN (%s)", code)
            return 1
        log.info("Slack: Socket Mode connected; HTTP still serves feeds and /healthz")
    from bot.web import create_web_app, serve

    log.info("listening on port %d", settings.port)
    serve(
        create_web_app(ctx, bolt),
        host="0.0.0.0",
        port=settings.port,
        threads=settings.oov_web_threads,
    )
    return 0


def cmd_run(settings: Settings, _args: argparse.Namespace) -> int:
    return _start_web(settings, with_clock=True, import_when_empty=True)


def cmd_serve(settings: Settings, _args: argparse.Namespace) -> int:
    return _start_web(settings, with_clock=False, import_when_empty=False)


def cmd_clock(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.clock import run_clock

    ctx = create_context(settings)
    ctx.db.upgrade()
    return run_clock(ctx, planners())


def cmd_shell(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.shell import interactive_lines, run_shell

    ctx = create_context(settings)
    try:
        prepare_database(ctx, import_when_empty=True)
    except ConfigError as exc:
        print_problems(exc)
        return 1
    interactive = sys.stdin.isatty()
    lines = interactive_lines() if interactive else sys.stdin
    run_shell(ctx, lines, sys.stdout, interactive=interactive)
    return 0


def feature_command(command: CliCommand) -> Callable[[Settings, argparse.Namespace], int]:
    """A feature's CLI command, run on a database whose schema is in place."""

    def run(settings: Settings, args: argparse.Namespace) -> int:
        ctx = create_context(settings)
        if not ctx.db.has_schema():
            print("De database is leeg: draai eerst `oov-bot import`.", file=sys.stderr)
            return 1
        return command.run(ctx, args)

    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="oov-bot", description="Slack-assistent voor team OOV.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser(
        "run", help="web + scheduler in één proces (standaard voor één team)"
    ).set_defaults(func=cmd_run)
    sub.add_parser(
        "serve", help="alleen de webserver (Slack-verzoeken, feeds, /healthz)"
    ).set_defaults(func=cmd_serve)
    sub.add_parser("clock", help="alleen de scheduler (herinneringen)").set_defaults(func=cmd_clock)
    sub.add_parser(
        "check", help="controleer config/ (fouten als bestand:regel: melding)"
    ).set_defaults(func=cmd_check)
    sub.add_parser(
        "import", help="laad config/ in de database (wijzigingen uit Slack blijven)"
    ).set_defaults(func=cmd_import)
    export = sub.add_parser("export", help="schrijf de database als YAML")
    export.add_argument(
        "--dir", default="export", help="map om in te schrijven (standaard: export)"
    )
    export.set_defaults(func=cmd_export)
    sub.add_parser("shell", help="probeer de commando's zonder Slack").set_defaults(func=cmd_shell)
    for command in cli_commands():
        feature_parser = sub.add_parser(command.name, help=command.help)
        command.configure(feature_parser)
        feature_parser.set_defaults(func=feature_command(command))
    db = sub.add_parser("db", help="database-beheer")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", help="voer de migraties uit").set_defaults(func=cmd_db)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging()
    settings = Settings()
    return int(args.func(settings, args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
