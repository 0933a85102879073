"""A command's words mean the same in every command (the kernel's `command_words`): the words
for the caller ("mijn", "ik", "mij", "me") in any case, a command's own words in any case, and
a no-break space or an invisible character between words is a space."""

from __future__ import annotations

import pytest

from bot.language import command_words, split_at_to
from testkit.app import RunningBot
from testkit.replies import answer, text_of

NO_BREAK_SPACE = "\u00a0"
ZERO_WIDTH_SPACE = "\u200b"


def test_the_kernel_cuts_words_on_any_space_and_folds_only_the_first() -> None:
    read = command_words(f" {ZERO_WIDTH_SPACE}Agenda{NO_BREAK_SPACE}Vernieuw  nu ")
    assert read.words == ("Agenda", "Vernieuw", "nu")
    assert (read.first, read.rest, read.text) == ("agenda", "Vernieuw nu", "Agenda Vernieuw nu")
    assert command_words("").first == "" and command_words("").words == ()
    assert command_words("Mij").is_self and command_words(f"ME{ZERO_WIDTH_SPACE}").is_self
    assert not command_words("mijn overleg").is_self
    assert command_words(f"{ZERO_WIDTH_SPACE}HELP").is_help
    assert not command_words("help mij").is_help


def test_the_kernel_reads_naar_as_the_last_to_word() -> None:
    words = ["Verwijzing", "naar", "zorg", "NAAR", "aov-1"]
    assert split_at_to(words) == (["Verwijzing", "naar", "zorg"], ["aov-1"])
    assert split_at_to(["1", "december", "→", "3", "december"]) == (
        ["1", "december"],
        ["3", "december"],
    )
    assert split_at_to(["1", "december", "10:00"]) is None


# (command, the usual form, other ways to type it)
SAME_WORDS = [
    ("/piket", "mijn", ("me", "IK", f"mij{NO_BREAK_SPACE}")),
    ("/piket", "volgende", ("Volgende", f"{ZERO_WIDTH_SPACE}VOLGENDE")),
    ("/programma", "mijn", ("me", "Mijn", f"{NO_BREAK_SPACE}ik")),
    ("/programma", "achter", ("ACHTER", "te laat")),
    ("/acties", "mijn", ("me", "MIJ", f"ik{NO_BREAK_SPACE}")),
    ("/capaciteit", "ik", ("me", "Mijn")),
]


@pytest.mark.parametrize(("command", "usual", "others"), SAME_WORDS)
def test_a_command_word_typed_otherwise_gets_the_same_answer(
    bot: RunningBot, command: str, usual: str, others: tuple[str, ...]
) -> None:
    expected = text_of(answer(bot.slack.command(command, usual)))
    for typed in others:
        assert text_of(answer(bot.slack.command(command, typed))) == expected, typed


def test_the_shell_reads_a_command_line_as_slack_reads_a_command(bot: RunningBot) -> None:
    from bot.shell import answer_line, command_table

    commands = command_table(bot.ctx)
    expected = answer_line(commands, "/wie bibob")
    assert "BIBOB" in expected
    for typed in ("wie bibob", "/WIE bibob", "\t/wie\tbibob ", f"/wie{NO_BREAK_SPACE}bibob"):
        assert answer_line(commands, typed) == expected, typed
    assert answer_line(commands, f"{ZERO_WIDTH_SPACE}HELP").startswith("Beschikbaar: ")
