"""How config files and Slack texts name Slack things: shared by every feature."""

import re

# "#name" (lowercase, as Slack writes channel names) or a channel ID (C…/G…), which survives a
# rename.
SLACK_CHANNEL_PATTERN = r"^(#[a-z0-9][a-z0-9_-]{0,79}|[CG][A-Z0-9]{6,})$"
SLACK_CHANNEL_HINT = (
    'schrijf "#kanaalnaam" (met #, kleine letters, geen spaties) of de kanaal-ID (C0123ABCD)'
)


def channel_mention(channel: str) -> str:
    """How a reply names a configured channel: an ID as a clickable `<#C…>`, a "#name" as is."""
    return channel if channel.startswith("#") else f"<#{channel}>"


# How Slack writes a channel in text it escapes (a slash command with should_escape): <#C123>,
# <#C123|name> or <#C123|> (the name left out).
_CHANNEL_TOKEN = re.compile(r"<#([CG][A-Z0-9]{2,30})(?:\|([^<>|]*))?>")


def channel_token(word: str) -> tuple[str, str | None] | None:
    """(channel ID, name or None) when `word` is a whole Slack channel token, else None."""
    match = _CHANNEL_TOKEN.fullmatch(word.strip())
    if match is None:
        return None
    return match[1], (match[2] or None)
