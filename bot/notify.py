"""Posting to Slack from scheduled work, with Slack's failures sorted into "try again later" and
"will never work". Without Slack credentials, posts are logged instead (DESIGN.md § Environment)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

log = logging.getLogger(__name__)

# Errors no retry will cure: a person must fix the channel, the invitation or the token.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "account_inactive",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "user_not_found",
        "cannot_dm_bot",
        "restricted_action",
        "msg_too_long",
        "invalid_blocks",
        "no_text",
        "missing_scope",
        "team_access_not_granted",
    }
)


@dataclass(frozen=True)
class SentMessage:
    channel: str
    ts: str


class DeliveryError(Exception):
    """Slack refused or could not be reached. `code` is Slack's error code (never message text)."""

    def __init__(self, code: str, *, permanent: bool) -> None:
        super().__init__(code)
        self.code = code
        self.permanent = permanent


class Notifier:
    def __init__(self, client: WebClient | None) -> None:
        self.client = client

    def post(
        self,
        channel: str,
        text: str,
        *,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
        what: str = "message",
    ) -> SentMessage | None:
        """Post to a channel (or a user ID: the app's DM). `what` names the post in logs; the text
        itself is never logged. Returns None when Slack is not configured (the post is logged)."""
        if self.client is None:
            log.info("Slack not configured: not posting %s to %s", what, channel)
            return None
        try:
            response = self.client.chat_postMessage(
                channel=channel,
                text=text,
                blocks=blocks,
                thread_ts=thread_ts,
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            code = str(exc.response.get("error") or f"http_{exc.response.status_code}")
            raise DeliveryError(code, permanent=code in PERMANENT_ERRORS) from None
        except (SlackClientError, OSError) as exc:
            raise DeliveryError(exc.__class__.__name__, permanent=False) from None
        return SentMessage(channel=str(response["channel"]), ts=str(response["ts"]))

    def try_post(self, channel: str, text: str, **kwargs: Any) -> SentMessage | None:
        """Best effort (e.g. a courtesy DM): a failure is logged, never raised."""
        try:
            return self.post(channel, text, **kwargs)
        except DeliveryError as exc:
            log.warning(
                "could not post %s to %s: %s", kwargs.get("what", "message"), channel, exc.code
            )
            return None
