"""argparse in Dutch: the `oov-bot` CLI speaks one language, also in argparse's own texts
("usage:", "options:", error messages).

argparse looks up its texts through the module-level name `argparse._` (gettext) each time it
formats one, so `DutchArgumentParser` swaps in a Dutch catalogue while it parses or formats and
puts the original back afterwards: other parsers in the process (pytest's, a library's) keep
theirs. Subparsers inherit the class, so feature commands get Dutch too. A message missing from
the catalogue falls back to English; tests/platform/test_cli.py looks for English in every
subcommand's help and errors.
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn

DUTCH: dict[str, str] = {
    "usage: ": "gebruik: ",
    "positional arguments": "argumenten",
    "options": "opties",
    "show this help message and exit": "toon deze hulp en stop",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fout: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s: %(message)s",
    "the following arguments are required: %s": "deze argumenten ontbreken: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "onbekende keuze: %(value)r (kies uit %(choices)s)"
    ),
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "onbekend commando %(parser_name)r (kies uit %(choices)s)"
    ),
    "unrecognized arguments: %s": "onbekende argumenten: %s",
    "invalid %(type)s value: %(value)r": "ongeldige waarde voor %(type)s: %(value)r",
    "expected one argument": "verwacht één waarde",
    "expected at most one argument": "verwacht hoogstens één waarde",
    "expected at least one argument": "verwacht minstens één waarde",
    "ambiguous option: %(option)s could match %(matches)s": (
        "dubbelzinnige optie: %(option)s kan %(matches)s zijn"
    ),
    "not allowed with argument %s": "niet toegestaan samen met argument %s",
    "one of the arguments %s is required": "een van de argumenten %s is nodig",
    "ignored explicit argument %r": "genegeerde waarde %r",
    "can't open '%(filename)s': %(error)s": "kan '%(filename)s' niet openen: %(error)s",
    "show program's version number and exit": "toon het versienummer en stop",
}

DUTCH_PLURAL: dict[tuple[str, str], tuple[str, str]] = {
    ("expected %s argument", "expected %s arguments"): (
        "verwacht %s waarde",
        "verwacht %s waarden",
    ),
}

_lock = threading.RLock()


def _gettext(message: str) -> str:
    return DUTCH.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    one, many = DUTCH_PLURAL.get((singular, plural), (singular, plural))
    return one if n == 1 else many


@contextmanager
def dutch() -> Iterator[None]:
    """argparse's texts in Dutch inside the block (re-entrant: subparsers nest)."""
    with _lock:
        saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
        argparse._, argparse.ngettext = _gettext, _ngettext  # type: ignore[attr-defined]
        try:
            yield
        finally:
            argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


def _in_dutch(method: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with dutch():
            return method(*args, **kwargs)

    wrapped.__name__ = method.__name__
    wrapped.__doc__ = method.__doc__
    return wrapped


class _SubParsers(argparse._SubParsersAction):  # type: ignore[type-arg]
    """Subcommands whose `--help` shows their one-line help as description when they have none,
    so no command (a feature's nested ones included) prints a bare usage line."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        if kwargs.get("description") is None and kwargs.get("help"):
            help_text = str(kwargs["help"])
            kwargs["description"] = f"{help_text[:1].upper()}{help_text[1:]}"
        return super().add_parser(name, **kwargs)


class DutchArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose own texts (usage, section titles, -h, errors) are Dutch."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The section titles and -h's help are created here, so create them in Dutch.
        with dutch():
            super().__init__(*args, **kwargs)
        self.register("action", "parsers", _SubParsers)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        with dutch():
            return super().parse_known_args(args, namespace)

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        # parse_args formats "unrecognized arguments" itself, outside parse_known_args.
        with dutch():
            return super().parse_args(args, namespace)

    add_subparsers = _in_dutch(argparse.ArgumentParser.add_subparsers)
    format_usage = _in_dutch(argparse.ArgumentParser.format_usage)
    format_help = _in_dutch(argparse.ArgumentParser.format_help)

    def error(self, message: str) -> NoReturn:
        with dutch():
            super().error(message)
