"""`oov-bot shell`: type slash commands, read the answers as text. No Slack workspace needed."""

from __future__ import annotations

import contextlib
import shlex
from collections.abc import Callable, Iterable
from typing import TextIO

from bot.context import AppContext
from bot.features import slash_commands
from bot.language import is_help
from handlers.blocks import Reply, blocks_to_text

BANNER = (
    "oov-bot shell — typ een slash-commando, bijvoorbeeld `/wie bibob` of `/taken aov-1`.\n"
    "`help` toont de commando's, `exit` (of Ctrl-D) stopt."
)


def command_table(ctx: AppContext) -> dict[str, Callable[[str], Reply]]:
    return {c.name: c.shell(ctx) for c in slash_commands() if c.shell}


def answer_line(commands: dict[str, Callable[[str], Reply]], line: str) -> str:
    line = line.strip()
    if not line:
        return ""
    if is_help(line):
        return "Beschikbaar: " + ", ".join(sorted(commands)) + " (elk met `help`)."
    name, _, text = line.partition(" ")
    if not name.startswith("/"):
        name = "/" + name
    handler = commands.get(name.lower())
    if handler is None:
        return f"Onbekend commando {shlex.quote(name)}. Beschikbaar: {', '.join(sorted(commands))}."
    reply = handler(text)
    return blocks_to_text(reply.blocks) if reply.blocks else reply.text


def run_shell(ctx: AppContext, lines: Iterable[str], out: TextIO, *, interactive: bool) -> None:
    commands = command_table(ctx)
    if interactive:
        print(BANNER, file=out)
    for line in lines:
        if line.strip() in {"exit", "quit", "stop"}:
            break
        answer = answer_line(commands, line)
        if answer:
            print(answer, file=out)
            print(file=out)


def interactive_lines(prompt: str = "oov> ") -> Iterable[str]:
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401 - gives the prompt line editing and history
    while True:
        try:
            yield input(prompt)
        except EOFError:
            return
