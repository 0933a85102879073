"""Folding text for comparison: one rule for case, accents and typographic apostrophes."""

import re
import unicodedata
from functools import lru_cache

__all__ = ["clean", "compact", "fold", "fold_with_offsets"]


def fold(text: str) -> str:
    """Lower case without accents ('Vóór' -> 'voor'), typographic apostrophes made plain."""
    if text.isascii():  # most text: nothing to decompose (read models fold ~40k characters)
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.replace("’", "'").replace("‘", "'")


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
