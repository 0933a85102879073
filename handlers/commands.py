"""Slash commands as data: one spec per command, from which its `help` reply, the shell's table,
the manifest's usage hint and the README's command table are all generated (and tested)."""

from __future__ import annotations

import re
from collections.abc import Callable

from msgspec import Struct

from bot.context import AppContext
from bot.language import fold
from handlers.blocks import Reply, escape, section

_WORD = re.compile(r"<[^>]*>|\S+")
USAGE_HINT_LIMIT = 100  # keeps the hint on one line of Slack's command menu


def _first_word(form: str) -> str:
    """`ruil <datum of week> @collega` → `ruil`; `<datum of week>` → itself."""
    match = _WORD.match(form)
    return match.group(0) if match else ""


class Usage(Struct, frozen=True):
    """One way to call a command. `form` follows the command name (`annuleer <naam> <datum>`);
    `does` is the Dutch help line, `readme` the English line of the README's table. `words` are
    the Dutch synonyms of the form's first word, which the command accepts as well. Examples use
    relative dates ("volgende maandag") so they keep working as the calendar moves on."""

    form: str
    does: str
    readme: str
    examples: tuple[str, ...] = ()
    words: tuple[str, ...] = ()


class SlashCommand(Struct, frozen=True):
    name: str
    summary: str  # Dutch, one line: the manifest's description and the help's first line
    usages: tuple[Usage, ...]
    notes: str = ""  # a closing Dutch paragraph of the help (what dates look like, …)
    # How `oov-bot shell` answers the command's text: built once per shell, caller unknown.
    shell: Callable[[AppContext], Callable[[str], Reply]] | None = None

    def verb(self, word: str) -> str | None:
        """The usage form's first word that `word` is (a synonym of), if any."""
        folded = fold(word).strip()
        for usage in self.usages:
            first = _first_word(usage.form)
            if first.startswith(("<", "@")):
                continue
            if folded == first or folded in usage.words:
                return first
        return None

    def usage_hint(self) -> str:
        """The manifest's usage hint: every form; when that is too long for the command menu,
        only each form's first word."""
        forms = " | ".join(u.form for u in self.usages if u.form)
        if len(forms) <= USAGE_HINT_LIMIT:
            return forms
        first_words = dict.fromkeys(_first_word(u.form) for u in self.usages if u.form)
        return "[" + "|".join(first_words) + "]"

    def help_text(self, notes: str | None = None) -> str:
        """The `help` reply as mrkdwn. `<naam>` is escaped: Slack would read it as a link."""
        lines = [f"*{self.name}* — {escape(self.summary)}"]
        for usage in self.usages:
            call = f"{self.name} {usage.form}".rstrip()
            line = f"• `{escape(call)}` — {escape(usage.does)}"
            if usage.examples:
                shown = ", ".join(f"`{escape(f'{self.name} {e}')}`" for e in usage.examples)
                line += f" (bijv. {shown})"
            lines.append(line)
        closing = self.notes if notes is None else notes
        if closing:
            lines.append(closing)
        return "\n".join(lines)

    def help_reply(self, notes: str | None = None) -> Reply:
        return Reply(text=f"Hulp bij {self.name}", blocks=[section(self.help_text(notes))])
