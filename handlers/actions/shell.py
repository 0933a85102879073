"""`oov-bot shell`: an action line typed as if posted in Slack, through the same capture."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

from bot.context import AppContext
from bot.core.action_items import action_body
from bot.services.actions import ActionsError, PostedMessage, confirmation_text
from handlers.actions.factory import action_service

SHELL_CHANNEL = "shell"
# The shell has no Slack user; "ik" or nobody named would make this stand-in the owner.
SHELL_AUTHOR = "USHELL"
_SHELL_MENTION = re.compile(r"(?<![\w<@])@([\w-]+(?:\.[\w-]+)*)")


def is_action_line(line: str) -> bool:
    # "@aov-1" stands for a mention here, also where only a mention may stand ("Actie @aov-1:").
    return action_body(_SHELL_MENTION.sub("<@USHELL>", line)) is not None


def shell_capture(ctx: AppContext) -> Callable[[str], str]:
    """Answers an `actie: @aov-1 belt de wijkagent voor vrijdag` line in the shell through the
    same capture as a Slack message, with `@key` (or `@name`) standing for a colleague's mention.
    The line belongs to no meeting, so "voor het volgende overleg" needs the meeting's name."""
    service = action_service(ctx)
    serials = itertools.count(1)

    def mention(match: re.Match[str]) -> str:
        found = service.person_ref(match[1])
        if found is None:
            raise ActionsError(
                f"Onbekende collega `@{match[1]}`: gebruik een sleutel uit people.yaml, "
                "bijvoorbeeld `@aov-1`."
            )
        return f"<@{found[0]}>"

    def answer(line: str) -> str:
        now = ctx.now()
        try:
            text = _SHELL_MENTION.sub(mention, line.strip())
        except ActionsError as error:
            return error.message
        read = service.read(text, SHELL_AUTHOR, now, require_prefix=True)
        if read is None or read.owner == SHELL_AUTHOR:
            return (
                "Noem in de shell wie het doet, bijvoorbeeld "
                "`actie: @aov-1 belt de wijkagent voor vrijdag`."
            )
        # Unique per line, and across shells started in different seconds.
        ts = f"{int(now.timestamp())}.{next(serials):06d}"
        message = PostedMessage(SHELL_CHANNEL, ts, None, SHELL_AUTHOR, text)
        outcome = service.capture(message, source="prefix", meeting=None, now=now)
        if outcome is None:  # cannot happen after read() succeeded; say so rather than crash
            return "Dat is geen actieregel."
        return confirmation_text(outcome)

    return answer
