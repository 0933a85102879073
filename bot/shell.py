"""`oov-bot shell`: type slash commands, read the answers as text. No Slack workspace needed."""

from __future__ import annotations

import contextlib
import re
import shlex
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TextIO

from bot.app import create_context
from bot.context import AppContext
from bot.features import import_config, load_config, shell_lines, slash_commands
from bot.language import command_words
from bot.settings import Settings
from handlers.blocks import Reply, blocks_to_text
from storage.session import Database
from storage.team import give_stand_in_slack_ids

BANNER = (
    "oov-bot shell — typ een slash-commando, bijvoorbeeld `/wie bibob` of `/taken aov-1`.\n"
    "Een actieregel gaat zoals in Slack: `actie: @aov-1 belt de wijkagent voor vrijdag`.\n"
    "`help` toont de commando's, Ctrl-C wist de regel, `exit` (of Ctrl-D) stopt."
)


@contextlib.contextmanager
def shell_context(settings: Settings, *, real_database: bool) -> Iterator[tuple[AppContext, str]]:
    """The shell's context and the line that says which database it works on.

    By default a throwaway SQLite database in a temporary directory, loaded with the config in
    OOV_CONFIG_DIR and deleted on exit: trying `/overleg annuleer` in the shell must not cancel a
    real meeting. It has no Slack client, and people without a Slack ID get a stand-in one, so
    action items can be tried with the bundled config. `real_database` works on DATABASE_URL,
    with the Slack settings as they are, as `make run` does.
    """
    if real_database:
        ctx = create_context(settings)
        ctx.db.upgrade()
        if ctx.team.tasks_version()[0] == 0:
            import_config(ctx.db, load_config(settings.oov_config_dir), ctx.now())
        try:
            yield ctx, f"Database: {ctx.db.shown_url} (DATABASE_URL) — wijzigingen zijn echt."
        finally:
            ctx.db.dispose()
        return
    team = load_config(settings.oov_config_dir)  # ConfigError before anything is created
    with tempfile.TemporaryDirectory(prefix="oov-shell-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'shell.db'}"
        local = settings.model_copy(
            update={"database_url": url, "slack_bot_token": None, "slack_app_token": None}
        )
        ctx = create_context(local, db=Database(url))
        try:
            ctx.db.upgrade()
            import_config(ctx.db, team, ctx.now())
            give_stand_in_slack_ids(ctx.db)
            yield (
                ctx,
                (
                    f"Database: wegwerpkopie met {settings.oov_config_dir} (verdwijnt bij het "
                    "stoppen; niets gaat naar Slack). `oov-bot shell --echte-database` werkt op "
                    "DATABASE_URL."
                ),
            )
        finally:
            ctx.db.dispose()


def command_table(ctx: AppContext) -> dict[str, Callable[[str], Reply]]:
    return {c.name: c.shell(ctx) for c in slash_commands() if c.shell}


def answer_line(commands: dict[str, Callable[[str], Reply]], line: str) -> str:
    read = command_words(line)  # as each command reads its own words
    if not read.words:
        return ""
    if read.is_help:
        return "Beschikbaar: " + ", ".join(sorted(commands)) + " (elk met `help`)."
    name, text = read.first, read.rest
    if not name.startswith("/"):
        name = "/" + name
    handler = commands.get(name)
    if handler is None:
        return f"Onbekend commando {shlex.quote(name)}. Beschikbaar: {', '.join(sorted(commands))}."
    reply = handler(text)
    return blocks_to_text(reply.blocks) if reply.blocks else reply.text


_MENTION = re.compile(r"<?@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>?")


def show_people(ctx: AppContext, text: str) -> str:
    """`<@U123>` (or `@U123` once rendered) as `@aov-1`: in a terminal a Slack ID says nothing."""
    people = {p.slack_id: p.key for p in ctx.team.people() if p.slack_id}
    return _MENTION.sub(lambda m: f"@{people[m[1]]}" if m[1] in people else m[0], text)


def line_table(ctx: AppContext) -> list[tuple[Callable[[str], bool], Callable[[str], str]]]:
    """Lines that are no slash command but a feature's (e.g. `actie: …`)."""
    return [(line.matches, line.answer(ctx)) for line in shell_lines()]


def run_shell(ctx: AppContext, lines: Iterable[str], out: TextIO, *, interactive: bool) -> None:
    commands = command_table(ctx)
    other_lines = line_table(ctx)
    if interactive:
        print(BANNER, file=out)
    for line in lines:
        if line.strip() in {"exit", "quit", "stop"}:
            break
        try:
            claimed = next((answer for matches, answer in other_lines if matches(line)), None)
            answer = claimed(line) if claimed else answer_line(commands, line)
        except KeyboardInterrupt:
            # Ctrl-C while a command runs stops that command, not the shell.
            answer = "Afgebroken."
        if answer:
            print(show_people(ctx, answer), file=out)
            print(file=out)


def interactive_lines(prompt: str = "oov> ", out: TextIO = sys.stdout) -> Iterable[str]:
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401 - gives the prompt line editing and history
    while True:
        try:
            yield input(prompt)
        except KeyboardInterrupt:
            # As in bash: Ctrl-C drops the line being typed and gives a fresh prompt.
            print(file=out)
        except EOFError:
            # Ctrl-D leaves the cursor after the prompt; end the line so the shell's prompt
            # after us starts on a line of its own.
            print(file=out)
            return
