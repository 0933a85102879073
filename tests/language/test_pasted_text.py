"""Text pasted from Word or a web page carries invisible characters: a soft hyphen where Word
may break a word ("huis\\xadverbod"), zero-width spaces, direction marks. A reader does not see
them, so no command may read them: every command answers the pasted text as the typed one (the
language kernel's `fold` drops them, and every command compares, searches and reads dates
through it)."""

from __future__ import annotations

import pytest

from bot.language import clean, compact, fold
from testkit.app import RunningBot
from testkit.replies import answer, text_of

SOFT_HYPHEN = "\u00ad"
ZERO_WIDTH_SPACE = "\u200b"
LEFT_TO_RIGHT_MARK = "\u200e"

# (command, as typed, as pasted)
PASTED = [
    ("/wie", "huisverbod", f"huis{SOFT_HYPHEN}verbod"),
    ("/wie", "BIBOB", f"BI{ZERO_WIDTH_SPACE}BOB"),
    ("/taken", "aov-2", f"{LEFT_TO_RIGHT_MARK}aov-2"),
    ("/overleg", "teamoverleg", f"team{SOFT_HYPHEN}overleg"),
    ("/piket", "week 52", f"week{ZERO_WIDTH_SPACE} 52"),
    ("/piket", "10 januari 2027", f"10 janu{SOFT_HYPHEN}ari 2027"),
    ("/acties", "teamoverleg", f"team{SOFT_HYPHEN}overleg"),
    ("/programma", "ondermijning", f"onder{SOFT_HYPHEN}mijning"),
]


@pytest.mark.parametrize(("command", "typed", "pasted"), PASTED)
def test_a_pasted_text_is_answered_as_the_typed_one(
    bot: RunningBot, command: str, typed: str, pasted: str
) -> None:
    as_typed = text_of(answer(bot.slack.command(command, typed)))
    assert "Ik ken geen" not in as_typed and "kan ik niet" not in as_typed, as_typed
    assert text_of(answer(bot.slack.command(command, pasted))) == as_typed


@pytest.mark.parametrize(
    "character", [SOFT_HYPHEN, ZERO_WIDTH_SPACE, LEFT_TO_RIGHT_MARK, "\u200d", "\u2060", "\ufeff"]
)
def test_the_kernel_folds_invisible_characters_away(character: str) -> None:
    assert fold(f"Huis{character}verbod") == "huisverbod"
    assert compact(f"Boa-{character}briefing") == "boabriefing"
    assert clean(f"{character}10 januari{character}") == "10 januari"


@pytest.mark.parametrize(
    "command", ["/wie", "/taken", "/overleg", "/piket", "/acties", "/programma"]
)
def test_help_with_an_invisible_character_around_it_is_help(bot: RunningBot, command: str) -> None:
    assert text_of(answer(bot.slack.command(command, f"{ZERO_WIDTH_SPACE} help "))) == text_of(
        answer(bot.slack.command(command, "help"))
    )
