"""The one way to Slack's Web API. Every call goes through `SlackGateway`, which owns the short
timeouts, the retries (the SDK's handlers for rate limits, 5xx and dropped connections) and the
reading of Slack's error codes, sorted into "try again later" and "will never work". Without Slack
credentials posts are logged instead (DESIGN.md § Environment). Message text is never logged.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from msgspec import Struct
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

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
        "no_permission",
    }
)
# Scheduled work may wait for Slack; a call made while a user waits for an answer may not.
TIMEOUT_SECONDS = 10
QUICK_TIMEOUT_SECONDS = 2


def create_client(token: str, base_url: str, *, quick: bool = False) -> WebClient:
    """A Web API client. A quick one (a user is waiting) has a short timeout and does not sit
    out a rate limit's Retry-After; scheduled work may wait and retries more."""
    retries = 1 if quick else 2
    handlers = [
        ConnectionErrorRetryHandler(max_retry_count=retries),
        ServerErrorRetryHandler(max_retry_count=retries),
    ]
    if not quick:
        handlers.append(RateLimitErrorRetryHandler(max_retry_count=retries))
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=QUICK_TIMEOUT_SECONDS if quick else TIMEOUT_SECONDS,
        retry_handlers=handlers,
    )


def error_code(exc: BaseException) -> str:
    """Slack's error code for a failed call (`channel_not_found`), or the kind of failure when
    Slack was not reached. Never the payload or message text."""
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or f"http_{exc.response.status_code}")
    return exc.__class__.__name__


class SentMessage(Struct, frozen=True):
    channel: str
    ts: str


class SlackError(Exception):
    """Slack refused or could not be reached. `code` is Slack's error code (never message text);
    `permanent` says no retry will cure it; `reached` is False when Slack never answered."""

    def __init__(self, code: str, *, permanent: bool, reached: bool = True) -> None:
        super().__init__(code)
        self.code = code
        self.permanent = permanent
        self.reached = reached


@contextmanager
def _slack_call() -> Iterator[None]:
    try:
        yield
    except SlackApiError as exc:
        code = error_code(exc)
        raise SlackError(code, permanent=code in PERMANENT_ERRORS) from None
    except (SlackClientError, OSError) as exc:
        raise SlackError(error_code(exc), permanent=False, reached=False) from None


class SlackGateway:
    """`client` is None when Slack is not configured: posts are then logged and dropped, and
    the other calls raise SlackError("not_configured")."""

    def __init__(self, client: WebClient | None) -> None:
        self.client = client

    @functools.cached_property
    def quick(self) -> WebClient | None:
        """The same credentials with a short timeout, for calls a user is waiting on."""
        client = self.client
        if client is None:
            return None
        return create_client(client.token or "", client.base_url, quick=True)

    @property
    def enabled(self) -> bool:
        return self.client is not None

    def _client(self, *, quick: bool = False) -> WebClient:
        client = self.quick if quick else self.client
        if client is None:
            raise SlackError("not_configured", permanent=True)
        return client

    # -- messages --------------------------------------------------------------------------

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
        with _slack_call():
            response = self.client.chat_postMessage(
                channel=channel,
                text=text,
                blocks=blocks,
                thread_ts=thread_ts,
                unfurl_links=False,
                unfurl_media=False,
            )
        return SentMessage(channel=str(response["channel"]), ts=str(response["ts"]))

    def try_post(self, channel: str, text: str, **kwargs: Any) -> SentMessage | None:
        """Best effort (e.g. a courtesy DM): a failure is logged, never raised."""
        try:
            return self.post(channel, text, **kwargs)
        except SlackError as exc:
            log.warning(
                "could not post %s to %s: %s", kwargs.get("what", "message"), channel, exc.code
            )
            return None

    def update(
        self, channel: str, ts: str, text: str, *, blocks: list[dict[str, Any]] | None = None
    ) -> None:
        with _slack_call():
            self._client().chat_update(channel=channel, ts=ts, text=text, blocks=blocks)

    def permalink(self, channel: str, ts: str) -> str:
        with _slack_call():
            response = self._client(quick=True).chat_getPermalink(channel=channel, message_ts=ts)
        return str(response["permalink"])

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        """One message by channel and ts, also a thread reply; None when Slack has none.

        conversations.replies always answers with the thread's parent first, counted toward
        `limit`: the window of one ts holds the parent and, for a reply, the reply itself."""
        with _slack_call():
            response = self._client(quick=True).conversations_replies(
                channel=channel, ts=ts, oldest=ts, latest=ts, inclusive=True, limit=2
            )
        return next((m for m in response.get("messages") or [] if m.get("ts") == ts), None)

    def upload_file(
        self,
        to: str,
        filename: str,
        content: bytes,
        title: str,
        initial_comment: str = "",
        thread_ts: str | None = None,
    ) -> None:
        """Share a file (a report, a chart) in a channel, or in the app's DM with a user when `to`
        is a user ID. files_upload_v2 takes user IDs in `channels`, so no im:write is needed."""
        if self.client is None:
            log.info("Slack not configured: not uploading %s to %s", filename, to)
            return
        target: dict[str, Any] = (
            {"channels": [to]} if to.startswith(("U", "W")) else {"channel": to}
        )
        with _slack_call():
            self.client.files_upload_v2(
                filename=filename,
                content=content,
                title=title,
                initial_comment=initial_comment or None,
                thread_ts=thread_ts,
                **target,
            )

    # -- views -----------------------------------------------------------------------------

    def open_view(self, trigger_id: str, view: dict[str, Any]) -> None:
        with _slack_call():
            self._client(quick=True).views_open(trigger_id=trigger_id, view=view)

    def update_view(
        self, view_id: str, view: dict[str, Any], *, view_hash: str | None = None
    ) -> None:
        """Redraw an open modal; with `view_hash`, Slack refuses it when the modal has changed
        meanwhile (the user's newer choice wins)."""
        with _slack_call():
            self._client(quick=True).views_update(view_id=view_id, view=view, hash=view_hash)

    def publish_home(self, user_id: str, view: dict[str, Any]) -> None:
        with _slack_call():
            self._client().views_publish(user_id=user_id, view=view)

    # -- people, channels, groups -----------------------------------------------------------

    def user(self, user_id: str) -> dict[str, Any]:
        with _slack_call():
            return dict(self._client(quick=True).users_info(user=user_id)["user"])

    def channel_members(self, channel: str) -> list[str]:
        """Every member of a channel (conversations.members, page by page)."""
        members: list[str] = []
        cursor: str | None = None
        with _slack_call():
            while True:
                response = self._client(quick=True).conversations_members(
                    channel=channel, limit=1000, cursor=cursor
                )
                members.extend(str(m) for m in response.get("members") or [])
                cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
                if not cursor:
                    return members

    def usergroup_members(self, usergroup: str) -> list[str]:
        with _slack_call():
            response = self._client(quick=True).usergroups_users_list(usergroup=usergroup)
        return [str(u) for u in response.get("users") or []]

    def channel_name(self, channel: str) -> str | None:
        with _slack_call():
            return (
                self._client(quick=True).conversations_info(channel=channel)["channel"].get("name")
            )

    def set_topic(self, channel: str, topic: str) -> None:
        with _slack_call():
            self._client().conversations_setTopic(channel=channel, topic=topic)

    def usergroups(self) -> list[dict[str, Any]]:
        with _slack_call():
            return list(self._client().usergroups_list().get("usergroups", []))

    def set_usergroup_users(self, usergroup: str, users: list[str]) -> None:
        with _slack_call():
            self._client().usergroups_users_update(usergroup=usergroup, users=users)

    def auth_test(self) -> dict[str, Any]:
        with _slack_call():
            return dict(self._client(quick=True).auth_test().data)  # type: ignore[union-attr]
