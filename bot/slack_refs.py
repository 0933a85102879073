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


# --- how Dutch texts for Slack write people and user input (mrkdwn) ---------------------------


def escape_mrkdwn(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def person_mention(slack_id: str | None, name: str) -> str:
    """A linked person as `<@U…>` (Slack shows their name), anyone else by their escaped name."""
    return f"<@{slack_id}>" if slack_id else escape_mrkdwn(name)
