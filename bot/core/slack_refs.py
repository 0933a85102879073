"""How config files name Slack things: shared by every feature's validator."""

# "#name" (lowercase, as Slack writes channel names) or a channel ID (C…/G…), which survives a
# rename.
SLACK_CHANNEL_PATTERN = r"^(#[a-z0-9][a-z0-9_-]{0,79}|[CG][A-Z0-9]{6,})$"
SLACK_CHANNEL_HINT = (
    'schrijf "#kanaalnaam" (met #, kleine letters, geen spaties) of de kanaal-ID (C0123ABCD)'
)


def channel_mention(channel: str) -> str:
    """How a reply names a configured channel: an ID as a clickable `<#C…>`, a "#name" as is."""
    return channel if channel.startswith("#") else f"<#{channel}>"
