"""Messages a use case sends as a side effect (a DM to the other person, a post in a channel),
returned as data for the adapter to deliver. Their text is Slack mrkdwn, so what a user typed
or a config file holds is escaped here; Block Kit stays in the adapters."""

from __future__ import annotations

from msgspec import Struct

from storage.team import PersonView


class Notice(Struct, frozen=True):
    to: str  # a channel (ID or "#name") or a user's Slack ID (the app's DM)
    text: str
    what: str = "message"  # names the message in logs; the text is never logged
    thread_ts: str | None = None  # a reply in this thread


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention(person: PersonView | None, *, empty: str = "_niemand_") -> str:
    if person is None:
        return empty
    return f"<@{person.slack_id}>" if person.slack_id else escape(person.name)


def channel_ref(channel: str) -> str:
    """A channel as Slack shows it: a link for an ID, the name as typed otherwise."""
    return f"<#{channel}>" if channel[:1] in {"C", "G"} else escape(channel)


def who(user_id: str | None) -> str:
    """Who made a change: a Slack user, or the operator at `oov-bot shell`."""
    return f"<@{user_id}>" if user_id else "de beheerder"
