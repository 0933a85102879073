"""The `oov-bot` command line (DESIGN.md § CLI)."""

from __future__ import annotations

import argparse
import contextlib
import errno
import gc
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import (
    ArgumentError,
    DatabaseError,
    DBAPIError,
    NoSuchModuleError,
    OperationalError,
)

from bot.app import build_read_models, create_bolt_app, create_context
from bot.context import AppContext
from bot.core.config_files import ConfigDirError, ConfigError
from bot.dutch_argparse import DutchArgumentParser
from bot.features import (
    cli_commands,
    config_files,
    export_config,
    import_config,
    load_config,
    misnamed_config_files,
    planners,
    report_commands,
)
from bot.gateway import error_code
from bot.settings import Settings, SettingsFileError, env_file_warnings
from bot.slack_auth import SlackAuth
from handlers.feature import CliCommand, ReportCommand
from storage.session import NewerSchemaError, sqlite_file

log = logging.getLogger("oov-bot")


def setup_logging(level: str | None = None) -> None:
    """The production log configuration; `level` defaults to OOV_LOG_LEVEL from the settings
    (environment or .env)."""
    logging.basicConfig(
        level=(level or Settings().oov_log_level).upper(),
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


def check_schema(ctx: AppContext, *, migrate: bool) -> None:
    """Make sure the schema is at this code's revision, in one query when it is. `migrate`:
    bring it there when behind (Alembic is imported only then); otherwise say what to run."""
    state = ctx.db.schema_state()
    if state.unknown:
        raise NewerSchemaError(state.unknown)
    if state.up_to_date:
        return
    if migrate:
        ctx.db.upgrade()
    elif not state.current:
        raise OperatorError(
            "de database heeft nog geen schema: draai eerst `oov-bot db upgrade` "
            "(en `oov-bot import` voor de teamgegevens)."
        )
    else:
        raise OperatorError(
            "het databaseschema loopt achter op deze versie van oov-bot: draai eerst "
            "`oov-bot db upgrade`."
        )


def warn_when_empty(ctx: AppContext) -> None:
    """One line when the database holds no team data: the Procfile's `release` only migrates,
    so a first deployment answered every command with nothing, and said nothing."""
    if ctx.team.tasks_version()[0] == 0:
        log.warning(
            "the database holds no team data yet: commands find no tasks and nothing is "
            "scheduled until `oov-bot import` loads %s",
            ctx.settings.oov_config_dir,
        )


def prepare_database(ctx: AppContext, *, migrate: bool, import_when_empty: bool) -> None:
    """Check (and with `migrate` bring up to date) the schema; load the bundled config into an
    empty database."""
    check_schema(ctx, migrate=migrate)
    if import_when_empty and ctx.team.tasks_version()[0] == 0:
        team = load_config(ctx.settings.oov_config_dir)
        report = import_config(ctx.db, team, ctx.now())
        log.info(
            "empty database: imported %s (%d tasks)", ctx.settings.oov_config_dir, len(team.tasks)
        )
        for line in report.lines()[1:]:
            log.debug(line)


def print_misnamed_files(config_dir: Path) -> None:
    for line in misnamed_config_files(config_dir):
        print(line, file=sys.stderr)


def cmd_check(settings: Settings, _args: argparse.Namespace) -> int:
    print_misnamed_files(settings.oov_config_dir)
    try:
        team = load_config(settings.oov_config_dir)
    except ConfigError as exc:
        print_problems(exc)
        return 1
    # What the bot understood of each file first, the verdict on the last line.
    for config in config_files():
        if config.describe is not None and config.name in team.extra:
            for line in config.describe(team.extra[config.name]):
                print(line)
    extra = "".join(f", {name}" for name in team.extra)
    print(
        f"{settings.oov_config_dir}: in orde — {len(team.people)} personen, "
        f"{len(team.tasks)} taken{extra}."
    )
    return 0


def cmd_import(settings: Settings, _args: argparse.Namespace) -> int:
    print_misnamed_files(settings.oov_config_dir)
    try:
        team = load_config(settings.oov_config_dir)
    except ConfigError as exc:
        print_problems(exc)
        print("Niets geïmporteerd.", file=sys.stderr)
        return 1
    ctx = create_context(settings)
    ctx.db.upgrade_if_behind()  # Alembic only when there is something to migrate
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
    check_schema(ctx, migrate=False)  # behind: say so, not "no such table" as unreachable
    target = Path(args.dir)
    files = {target / name: text for name, text in export_config(ctx.db).items()}
    # A file that differs is someone's work (often config/ itself, with its comments, which an
    # export cannot carry): write nothing unless the operator says so, rather than some files.
    differing = [path for path, text in files.items() if _differs(path, text)]
    if differing and not args.overschrijven:
        print(
            f"Niets geschreven: {len(differing)} bestand(en) in {target} bestaan al en wijken af "
            "(commentaar in config/ gaat bij overschrijven verloren):",
            file=sys.stderr,
        )
        for path in differing:
            print(f"  {path}", file=sys.stderr)
        print("Kies een andere map met --dir, of voeg --overschrijven toe.", file=sys.stderr)
        return 1
    target.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
        print(f"geschreven: {path}")
    return 0


def _differs(path: Path, text: str) -> bool:
    if not path.is_file():
        return False  # nothing there to lose (a path that cannot be written fails when written)
    try:
        return path.read_text(encoding="utf-8") != text
    except (OSError, UnicodeDecodeError):
        return True  # unreadable, or not text of ours: never overwritten silently


def cmd_db(settings: Settings, args: argparse.Namespace) -> int:
    ctx = create_context(settings)
    ctx.db.upgrade()
    print("Database bijgewerkt tot de nieuwste versie.")
    return 0


def _start_web(settings: Settings, *, with_clock: bool) -> int:
    ctx = create_context(settings)
    try:
        # `run` (one team, `make run`) migrates and imports by itself, so a fresh machine needs
        # one command; `serve` leaves both to `release` (`oov-bot db upgrade`) and only checks.
        prepare_database(ctx, migrate=with_clock, import_when_empty=with_clock)
    except ConfigError as exc:
        print_problems(exc)
        return 1
    warn_when_empty(ctx)
    if reason := settings.slack_missing_reason():
        log.warning(reason)
    bolt = create_bolt_app(ctx)
    # Before the server settles the heap (bot/web.py): the first request finds them built.
    build_read_models(ctx)
    slack_auth = None
    if bolt is not None and ctx.slack is not None:
        # A wrong token is reported now, in one line, rather than at the first slash command.
        slack_auth = SlackAuth(ctx.gateway)
        slack_auth.check_and_log()
    from bot.web import create_web_app, listen, serve

    # Bound, and Socket Mode connected, before the clock starts: a second `run` on a port in
    # use (or a refused app token) stops before a clock claims and posts what is due.
    server = listen(
        create_web_app(ctx, bolt, slack_auth),
        host="0.0.0.0",
        port=settings.port,
        threads=settings.oov_web_threads,
    )
    if bolt is not None and settings.socket_mode:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        try:
            SocketModeHandler(bolt, settings.slack_app_token).connect()
        except (SlackApiError, OSError) as exc:  # raised inside Bolt's Socket Mode client
            code = error_code(exc)
            log.error("Socket Mode: could not connect to Slack with SLACK_APP_TOKEN (%s)", code)
            return 1
        log.info("Slack: Socket Mode connected; HTTP still serves feeds and /healthz")
    if with_clock:
        from bot.clock import start_clock

        start_clock(ctx, planners())
    log.info("listening on port %d", settings.port)
    serve(server)
    return 0


def cmd_run(settings: Settings, _args: argparse.Namespace) -> int:
    return _start_web(settings, with_clock=True)


def cmd_serve(settings: Settings, _args: argparse.Namespace) -> int:
    return _start_web(settings, with_clock=False)


def cmd_clock(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.clock import run_clock

    ctx = create_context(settings)
    check_schema(ctx, migrate=True)  # exactly one clock runs: it may migrate when behind
    warn_when_empty(ctx)
    build_read_models(ctx)  # before run_clock settles the heap (bot/heap.py)
    return run_clock(ctx, planners())


def cmd_shell(settings: Settings, args: argparse.Namespace) -> int:
    from bot.shell import interactive_lines, run_shell, shell_context

    try:
        with shell_context(settings, real_database=args.echte_database) as (ctx, which):
            # On stderr: visible in the terminal, and piped answers stay clean.
            print(which, file=sys.stderr)
            interactive = sys.stdin.isatty()
            lines = interactive_lines() if interactive else sys.stdin
            run_shell(ctx, lines, sys.stdout, interactive=interactive)
    except ConfigError as exc:
        print_problems(exc)
        return 1
    return 0


def feature_command(
    command: CliCommand | ReportCommand,
) -> Callable[[Settings, argparse.Namespace], int]:
    """A feature's CLI command, run on a database whose schema is in place."""

    def run(settings: Settings, args: argparse.Namespace) -> int:
        ctx = create_context(settings)
        if not ctx.db.has_schema():
            print("De database is leeg: draai eerst `oov-bot import`.", file=sys.stderr)
            return 1
        check_schema(ctx, migrate=False)
        return command.run(ctx, args)

    return run


class _Parser(DutchArgumentParser):
    """A parser that adds its arguments when first used (parsed, or its help shown): a
    feature's command is configured by its own module (`lazy` in its declaration), which only
    that command's run imports, not every start of `oov-bot serve`."""

    def __init__(
        self,
        *args: Any,
        configure: Callable[[argparse.ArgumentParser], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._pending = configure

    def _configure(self) -> None:
        if self._pending is not None:
            configure, self._pending = self._pending, None
            configure(self)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        self._configure()
        return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        self._configure()
        return str(super().format_usage())

    def format_help(self) -> str:
        self._configure()
        return str(super().format_help())


def build_parser() -> argparse.ArgumentParser:
    # Dutch throughout, argparse's own texts included (bot/dutch_argparse.py); every subcommand
    # has a description, shown by `oov-bot <commando> --help`. Subparsers, also the features'
    # commands, inherit the Dutch parser class.
    parser = _Parser(
        prog="oov-bot",
        description="Slack-assistent voor team OOV. `oov-bot <commando> --help` vertelt meer.",
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMANDO", title="commando's"
    )

    def command(
        name: str, summary: str, description: str, func: Callable[..., int]
    ) -> argparse.ArgumentParser:
        new = sub.add_parser(
            name, help=summary, description=f"{summary[0].upper()}{summary[1:]}. {description}"
        )
        new.set_defaults(func=func)
        return new

    command(
        "run",
        "web + scheduler in één proces (standaard voor één team)",
        "Werkt de database bij, laadt config/ in een lege database, controleert het Slack-token "
        "en luistert op PORT; verstuurt ook de herinneringen.",
        cmd_run,
    ).set_defaults(settles_heap=True)
    command(
        "serve",
        "alleen de webserver (Slack-verzoeken, feeds, /healthz)",
        "Voor een opzet met een aparte `oov-bot clock`: verstuurt zelf geen herinneringen.",
        cmd_serve,
    ).set_defaults(settles_heap=True)
    command(
        "clock",
        "alleen de scheduler (herinneringen)",
        "Draai er precies één naast `oov-bot serve`.",
        cmd_clock,
    ).set_defaults(settles_heap=True)
    command(
        "check",
        "controleer config/ (fouten als bestand:regel: melding)",
        "Leest OOV_CONFIG_DIR zonder de database aan te raken; exitcode 1 bij fouten.",
        cmd_check,
    )
    command(
        "import",
        "laad config/ in de database (wijzigingen uit Slack blijven)",
        "Wat in Slack is gewijzigd (bijv. een nieuwe eigenaar) blijft staan; conflicten worden "
        "gemeld.",
        cmd_import,
    )
    export = command(
        "export",
        "schrijf de database als YAML",
        "Schrijft de YAML-bestanden van config/ (en de actiepunten) in een map.",
        cmd_export,
    )
    export.add_argument(
        "--dir", default="export", help="map om in te schrijven (standaard: export)"
    )
    export.add_argument(
        "--overschrijven",
        action="store_true",
        help="bestaande bestanden die afwijken toch overschrijven",
    )
    shell = command(
        "shell",
        "probeer de commando's zonder Slack",
        "Typ slash-commando's en actieregels, lees de antwoorden als tekst. Standaard op een "
        "wegwerpkopie: een tijdelijke SQLite-database met config/, zonder Slack.",
        cmd_shell,
    )
    shell.add_argument(
        "--echte-database",
        action="store_true",
        help="werk op DATABASE_URL (zoals `make run`): wijzigingen zijn echt",
    )
    for feature_command_ in cli_commands():
        # The description defaults to the help line (bot/dutch_argparse.py).
        feature_parser = sub.add_parser(
            feature_command_.name,
            help=feature_command_.help,
            configure=feature_command_.configure,
        )
        feature_parser.set_defaults(func=feature_command(feature_command_))
    reports = report_commands()
    if reports:
        report = sub.add_parser(
            "rapport",
            help="schrijf een rapport (Word en Markdown)",
            description="Schrijf een rapport als Word- en Markdown-bestand.",
        )
        report_sub = report.add_subparsers(
            dest="report", required=True, metavar="RAPPORT", title="rapporten"
        )
        for report_command in reports:
            report_parser = report_sub.add_parser(
                report_command.name, help=report_command.help, configure=report_command.configure
            )
            report_parser.set_defaults(func=feature_command(report_command))
    db = sub.add_parser("db", help="database-beheer", description="Database-beheer.")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTIE", title="acties")
    db_sub.add_parser(
        "upgrade",
        help="voer de migraties uit",
        description="Voer de migraties uit: brengt DATABASE_URL naar het nieuwste schema.",
    ).set_defaults(func=cmd_db)
    return parser


class OperatorError(Exception):
    """A problem the operator can fix; str() is one Dutch line."""


# Dutch for the OS errors an operator meets (permissions, missing directories, a full disk).
OS_ERRORS = {
    errno.EACCES: "geen toegang (controleer de rechten)",
    errno.EPERM: "niet toegestaan (controleer de rechten)",
    errno.ENOENT: "bestaat niet",
    errno.ENOTDIR: "een deel van het pad is geen map",
    errno.EISDIR: "is een map",
    errno.EEXIST: "bestaat al",
    errno.ENOSPC: "de schijf is vol",
    errno.EROFS: "het bestandssysteem is alleen-lezen",
    errno.EADDRINUSE: "het adres of de poort (PORT) is al in gebruik",
}


# PostgreSQL's "insufficient privilege" and "read-only SQL transaction".
REFUSED_SQLSTATES = frozenset({"42501", "25006"})


# What to write, for the settings whose form is not a number with bounds.
SETTING_HINTS = {
    "OOV_LOG_LEVEL": "kies DEBUG, INFO, WARNING, ERROR of CRITICAL",
    "OOV_ACTION_EMOJI": "schrijf de naam van een emoji, bijvoorbeeld pushpin",
    "PORT": "schrijf een poortnummer, bijvoorbeeld 3000",
    "OOV_ACTION_DIGEST_WEEKDAY": "schrijf 1 (maandag) tot en met 7 (zondag), of 0 (uit)",
}


def setting_problem(error: Any) -> str:
    """One of pydantic's errors about a setting, in Dutch, naming the setting as it is set."""
    name = ".".join(str(part) for part in error["loc"]).upper()
    context = error.get("ctx") or {}
    if error["type"] == "value_error" and context.get("error"):
        return f"{name}: {context['error']}"  # the validator's own Dutch words
    if error["type"] == "greater_than_equal":
        return f"{name} moet minstens {context['ge']} zijn"
    if error["type"] == "less_than_equal":
        return f"{name} mag hoogstens {context['le']} zijn"
    if hint := SETTING_HINTS.get(name):
        return f"{name} heeft een ongeldige waarde; {hint}"
    if error["type"] == "int_parsing":
        return f"{name} moet een geheel getal zijn"
    return f"{name} heeft een ongeldige waarde"


def sqlite_folder_problem() -> str | None:
    """Why SQLite cannot open DATABASE_URL's file, when its folder is the reason: SQLite says
    only "unable to open database file", also when the folder is missing or read-only (it
    writes its -wal and -shm files next to the database)."""
    try:
        database = sqlite_file(Settings().database_url)
    except Exception:  # the settings were the problem: nothing to add
        return None
    if database is None:
        return None
    folder = database.absolute().parent
    if not folder.is_dir():
        return f"DATABASE_URL: de map {folder} bestaat niet; maak hem aan of kies een ander pad."
    if not os.access(folder, os.W_OK):
        return (
            f"DATABASE_URL: in de map {folder} mag oov-bot niet schrijven (SQLite zet er ook "
            "zijn -wal- en -shm-bestanden); geef schrijfrechten of kies een ander pad."
        )
    return None


def operator_message(exc: BaseException) -> str | None:
    """One Dutch line for an error the operator caused and can fix; None for a bug."""
    if isinstance(exc, OperatorError | SettingsFileError | ConfigDirError):
        return str(exc)
    if isinstance(exc, NewerSchemaError):
        return (
            "de database is bijgewerkt door een nieuwere oov-bot (onbekende schemaversie "
            f"{', '.join(sorted(exc.revisions))}): start die nieuwere versie."
        )
    if isinstance(exc, ValidationError):
        problems = "; ".join(setting_problem(error) for error in exc.errors())
        return f"ongeldige instelling: {problems} (zie .env.example)."
    if isinstance(exc, NoSuchModuleError):
        return "DATABASE_URL noemt een onbekend databasetype (gebruik sqlite:/// of postgresql://)."
    if isinstance(exc, ArgumentError):
        # Never echo the URL: it can hold a password.
        return (
            "DATABASE_URL is geen geldige database-URL (bijvoorbeeld sqlite:///oov-bot.db of "
            "postgresql://gebruiker:wachtwoord@host:5432/oov)."
        )
    if isinstance(exc, OperationalError):
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else exc.__class__.__name__
        if reason == "unable to open database file" and (folder := sqlite_folder_problem()):
            return folder
        return f"de database (DATABASE_URL) is niet bereikbaar of niet te openen ({reason})."
    if isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in REFUSED_SQLSTATES:
        # PostgreSQL 15 no longer lets every user create tables in `public`; a read replica or
        # a read-only user refuses every write.
        reason = str(exc.orig).strip().splitlines()[0]
        return (
            f"de database (DATABASE_URL) weigert deze gebruiker ({reason}); geef de gebruiker "
            "schrijfrechten (bijv. maak hem eigenaar van de database) of wijs naar de primaire "
            "server."
        )
    if type(exc) is DatabaseError:
        # Not a subclass (an IntegrityError is a bug): SQLite's "file is not a database" (the
        # URL names another file) and "database disk image is malformed".
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else exc.__class__.__name__
        return (
            f"de database (DATABASE_URL) is niet te lezen ({reason}); klopt het pad, en is het "
            "bestand een oov-bot-database?"
        )
    if isinstance(exc, OSError) and not isinstance(exc, ConnectionError | TimeoutError):
        what = OS_ERRORS.get(exc.errno or 0, exc.strerror or exc.__class__.__name__)
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{what}."
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not getattr(args, "settles_heap", False):
        # The console script paused the collector for loading (bot/entry.py); the servers turn
        # it back on when they settle their assembled heap (bot/heap.py), the rest now.
        gc.enable()
    try:
        settings = Settings()
        for warning in env_file_warnings():
            print(f"oov-bot: {warning}", file=sys.stderr)
        setup_logging(settings.oov_log_level)
        code = int(args.func(settings, args) or 0)
        sys.stdout.flush()  # here, so that a closed pipe is met inside this try
        return code
    except KeyboardInterrupt:
        # Ctrl-C: stop quietly on a line of our own; 130 is what shells report for SIGINT.
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of the output went away (`oov-bot piket toon | head -3`): stop quietly, as
        # other command-line tools do; 141 is what shells report for SIGPIPE.
        with contextlib.suppress(OSError, ValueError):  # no real stdout (a test's capture)
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:
        message = operator_message(exc)
        if message is None:
            raise
        print(f"oov-bot: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
