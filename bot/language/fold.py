"""Folding text for comparison: one rule for case, accents, typographic apostrophes and the
invisible characters that text pasted from Word or a web page brings along."""

import re
import unicodedata
from functools import lru_cache

__all__ = ["clean", "compact", "fold", "fold_with_offsets", "visible", "without_invisible"]


def fold(text: str) -> str:
    """Lower case without accents ('Vóór' -> 'voor'), typographic apostrophes made plain, and
    without format characters (a soft hyphen from Word in 'huis\xadverbod', zero-width spaces,
    direction marks): every command compares, searches and reads dates through this."""
    if text.isascii():  # most text: nothing to decompose (read models fold ~40k characters)
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(
        c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c) != "Cf"
    )
    return plain.replace("’", "'").replace("‘", "'")


def without_invisible(text: str) -> str:
    """The text without format characters (zero-width spaces and joiners, direction marks, byte
    order marks): pasted along with a word, they are no part of what was typed."""
    if text.isascii():
        return text
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def visible(text: str) -> str:
    """What a reader sees of the text: no invisible characters, no surrounding white space; ''
    for a text that only looks empty."""
    return without_invisible(text).strip()


def clean(text: str) -> str:
    """Folded, white space collapsed, surrounding dots, commas and spaces removed."""
    return " ".join(fold(text).split()).strip(" .,")


@lru_cache(maxsize=4096)  # names compared on every request: series, aliases, people
def compact(text: str) -> str:
    """Only the folded letters and digits: 'Boa-briefing' and 'boa briefing' become one key."""
    return re.sub(r"[^a-z0-9]", "", fold(text))


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Folded text and, per folded character, the index of its original character."""
    chars: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        folded = fold(char)
        chars.append(folded)
        offsets.extend([index] * len(folded))
    return "".join(chars), offsets
