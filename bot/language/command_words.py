"""A slash command's text as every command reads it: its words and its first word.

Each command has its own words ("agenda", "rapport", "annuleer"), but how the text is cut into
words, and which words ask for help or mean the caller, is the same everywhere: split on any white
space (also a no-break space), invisible characters (pasted zero-width spaces, direction marks)
dropped, the first word compared folded ("Mijn", "MIJN", "mijn" are one word).
"""

from collections.abc import Sequence

from msgspec import Struct

from bot.language.fold import fold, without_invisible
from bot.language.names import is_help
from bot.language.people import SELF_WORDS

__all__ = [
    "REASON_WORDS",
    "TO_WORDS",
    "CommandWords",
    "command_words",
    "split_at_to",
    "split_reason",
    "without_date_preposition",
]

# "from … to …" in a command: `/overleg verplaats <datum> naar <datum>`, `/capaciteit als <taak>
# naar <persoon>`.
TO_WORDS = frozenset({"naar", "->", "→"})
# Before the date a command is about: "annuleer boa op 15 december", "verplaats boa van 22-12 naar
# 23-12".
DATE_PREPOSITIONS = frozenset({"op", "van"})
# What starts the reason a user adds to a command: "annuleer boa 22-12 ivm kerstreces".
REASON_WORDS = frozenset({"ivm", "i.v.m.", "i.v.m", "wegens", "vanwege", "want", "omdat"})


class CommandWords(Struct, frozen=True):
    words: tuple[str, ...]

    @property
    def first(self) -> str:
        """The first word folded, to compare with a command's words; '' for no text."""
        return fold(self.words[0]) if self.words else ""

    @property
    def rest(self) -> str:
        """The words after the first, as typed, one space apart."""
        return " ".join(self.words[1:])

    @property
    def text(self) -> str:
        """All words as typed, one space apart."""
        return " ".join(self.words)

    @property
    def is_help(self) -> bool:
        return len(self.words) == 1 and is_help(self.words[0])

    @property
    def is_self(self) -> bool:
        """Only "mijn", "ik", "mij" or "me": the one who asks."""
        return len(self.words) == 1 and self.first in SELF_WORDS


def command_words(text: str) -> CommandWords:
    return CommandWords(tuple(without_invisible(text).split()))


def split_at_to(words: Sequence[str]) -> tuple[list[str], list[str]] | None:
    """The words before and after the last "naar" (or "->", "→"), None without one. The last:
    what comes before it may contain the word itself ("Verwijzing naar zorg naar aov-1")."""
    for at in range(len(words) - 1, -1, -1):
        if fold(words[at]) in TO_WORDS:
            return list(words[:at]), list(words[at + 1 :])
    return None


def without_date_preposition(words: Sequence[str]) -> list[str]:
    """The words without a leading "op" or "van" ("op 15 december" is "15 december")."""
    if len(words) > 1 and fold(words[0]) in DATE_PREPOSITIONS:
        return list(words[1:])
    return list(words)


def split_reason(words: Sequence[str]) -> tuple[list[str], str | None]:
    """The words before a reason ("ivm", "wegens", "vanwege", "want", "omdat"), and the reason
    as typed (None without one): "22-12 ivm kerstreces" is (["22-12"], "kerstreces")."""
    for at, word in enumerate(words):
        if at and fold(word).rstrip(":") in REASON_WORDS:
            reason = " ".join(words[at + 1 :]).strip()
            return list(words[:at]), reason or None
    return list(words), None
