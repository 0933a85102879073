"""Send correctly signed Slack requests to the running app over HTTP, as Slack itself does.

    client = SignedSlackClient(app_url, "test-secret", response_urls=fake.response_url)
    assert client.command("/wie", "bibob").status_code == 200
    client.interactivity(client.block_actions_payload("sluit_actie", "42"))
    client.command("/wie", "bibob", signature="bad")  # -> 401

Payload shapes follow what Slack sends (https://docs.slack.dev/reference/interaction-payloads).
`serve_wsgi` runs a WSGI app (Bolt's adapter, Flask) on a free local port for these requests.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Literal, TypedDict, Unpack
from urllib.parse import urlencode

import requests
from werkzeug.serving import WSGIRequestHandler, make_server

from testkit.fake_slack import APP_ID, BOT_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID

SignatureMode = Literal["valid", "bad", "missing", "stale"]
"""valid: as Slack signs; bad: signed with another secret; missing: no X-Slack-Signature;
stale: validly signed but the timestamp is 6 minutes old (Slack apps reject > 5 minutes)."""

STALE_AFTER_SECONDS = 5 * 60
VERIFICATION_TOKEN = "test-verification-token"  # deprecated by Slack but still sent in bodies
DEFAULT_USER_ID = "U0AOV0001"
DEFAULT_CHANNEL_ID = "C0TEAM001"
# Nothing listens on the discard port: without a fake, a response_url post fails fast, locally.
_UNREACHABLE_BASE = "http://127.0.0.1:9/response/"


class SendOptions(TypedDict, total=False):
    signature: SignatureMode
    timestamp: int  # seconds since the epoch; default: now
    extra_headers: Mapping[str, str]


def slack_signature(signing_secret: str, timestamp: int | str, body: str | bytes) -> str:
    """X-Slack-Signature for a body: "v0=" + hex HMAC-SHA256 of "v0:<timestamp>:<body>", over
    the body's bytes as sent (a str is sent as UTF-8).

    Written out rather than borrowed from slack_sdk, so tests do not check the app's verifier
    against itself.
    """
    raw = body if isinstance(body, bytes) else body.encode()
    base = f"v0:{timestamp}:".encode() + raw
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


class SignedSlackClient:
    """Plays Slack towards the app at `base_url` (e.g. "http://127.0.0.1:3000").

    `response_urls` makes the response_url put in payloads (pass `FakeSlack.response_url`);
    without it they point at a local port where nothing listens, never at slack.com.
    `check_reply` sees the JSON body of every 200 answer, as Slack would (pass
    `FakeSlack.check_reply`, which records what Slack would refuse).
    """

    def __init__(
        self,
        base_url: str,
        signing_secret: str,
        *,
        response_urls: Callable[[str], str] | None = None,
        events_path: str = "/slack/events",
        timeout: float = 10.0,
        check_reply: Callable[[Any], None] | None = None,
    ) -> None:
        self.events_url = base_url.rstrip("/") + events_path
        self.signing_secret = signing_secret
        self.timeout = timeout
        self.new_response_url: Callable[[str], str] = response_urls or _UNREACHABLE_BASE.__add__
        self._serials = itertools.count(1)
        # Slack checks the app's direct answers too (pass `FakeSlack.check_reply`).
        self.check_reply = check_reply

    # -- sending ---------------------------------------------------------------------------------

    def post(
        self, body: str, content_type: str, **options: Unpack[SendOptions]
    ) -> requests.Response:
        """POST a raw body to the events URL, signed as `options["signature"]` says."""
        mode = options.get("signature", "valid")
        timestamp = options.get("timestamp", int(time.time()))
        if mode == "stale":
            timestamp -= STALE_AFTER_SECONDS + 60
        secret = self.signing_secret if mode != "bad" else self.signing_secret + "-wrong"
        headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": str(timestamp)}
        if mode != "missing":
            headers["X-Slack-Signature"] = slack_signature(secret, timestamp, body)
        headers.update(options.get("extra_headers", {}))
        response = requests.post(
            self.events_url, data=body.encode(), headers=headers, timeout=self.timeout
        )
        if self.check_reply is not None and response.status_code == 200 and response.text:
            with contextlib.suppress(ValueError):
                self.check_reply(response.json())
        return response

    def command(
        self,
        command: str,
        text: str = "",
        *,
        user_id: str = DEFAULT_USER_ID,
        user_name: str = "aov.tester",
        channel_id: str = DEFAULT_CHANNEL_ID,
        channel_name: str = "teamoverleg",
        response_url: str | None = None,
        trigger_id: str | None = None,
        team_id: str = TEAM_ID,
        **options: Unpack[SendOptions],
    ) -> requests.Response:
        """A slash command, form-encoded with the fields in the order Slack sends them."""
        form = {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name,
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url
            or self.new_response_url(f"commands/{command.lstrip('/')}"),
            "trigger_id": trigger_id or self.new_trigger_id(),
        }
        return self.post(urlencode(form), "application/x-www-form-urlencoded", **options)

    def interactivity(
        self, payload: Mapping[str, Any], **options: Unpack[SendOptions]
    ) -> requests.Response:
        """An interaction (button, modal submit, shortcut): form body `payload=<json>`."""
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded", **options)

    def event(
        self,
        event: Mapping[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        **options: Unpack[SendOptions],
    ) -> requests.Response:
        """An Events API event in its event_callback envelope; retries carry Slack's headers."""
        event_time = options.get("timestamp", int(time.time()))
        envelope = {
            "token": VERIFICATION_TOKEN,
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "event": {"event_ts": event.get("ts", f"{event_time}.000100"), **event},
            "type": "event_callback",
            "event_id": event_id or f"Ev0TEST{next(self._serials):05d}",
            "event_time": event_time,
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": TEAM_ID,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        retry_headers = {}
        if retry_num is not None:
            retry_headers["X-Slack-Retry-Num"] = str(retry_num)
        if retry_reason is not None:
            retry_headers["X-Slack-Retry-Reason"] = retry_reason
        options["extra_headers"] = {**retry_headers, **options.get("extra_headers", {})}
        return self.post(json.dumps(envelope), "application/json", **options)

    def url_verification(self, challenge: str, **options: Unpack[SendOptions]) -> requests.Response:
        body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
        return self.post(json.dumps(body), "application/json", **options)

    # -- payload builders ------------------------------------------------------------------------

    def block_actions_payload(
        self,
        action_id: str,
        value: str | None = None,
        *,
        block_id: str = "actions",
        user_id: str = DEFAULT_USER_ID,
        channel_id: str = DEFAULT_CHANNEL_ID,
        message: Mapping[str, Any] | None = None,
        message_ts: str = "1700000000.000100",
        view: Mapping[str, Any] | None = None,
        state_values: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A button click. With `view` the button is in a modal or App Home, else in a message
        in `channel_id` (ephemeral when `message` is None, as Slack omits it then)."""
        action: dict[str, Any] = {
            "type": "button",
            "action_id": action_id,
            "block_id": block_id,
            "text": {"type": "plain_text", "text": action_id, "emoji": True},
            "action_ts": f"{int(time.time())}.000200",
        }
        if value is not None:
            action["value"] = value
        payload: dict[str, Any] = {
            "type": "block_actions",
            **self._interaction_common(user_id),
            "state": {"values": dict(state_values or {})},
            "actions": [action],
        }
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view.get("id", "V0VIEW0001")}
            payload["view"] = dict(view)
            return payload
        payload["container"] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": message is None,
        }
        payload["channel"] = {"id": channel_id, "name": "teamoverleg"}
        payload["response_url"] = self.new_response_url(f"actions/{action_id}")
        if message is not None:
            payload["message"] = {"type": "message", "ts": message_ts, **message}
        return payload

    def view_submission_payload(
        self,
        callback_id: str,
        values: Mapping[str, Mapping[str, Mapping[str, Any]]],
        *,
        private_metadata: str = "",
        user_id: str = DEFAULT_USER_ID,
        view_id: str = "V0VIEW0001",
    ) -> dict[str, Any]:
        """A modal submit. `values` is Slack's shape: {block_id: {action_id: {"type": ...,
        "value": ...}}} (selects carry "selected_option"/"selected_user" instead of "value")."""
        return {
            "type": "view_submission",
            **self._interaction_common(user_id),
            "view": {
                "id": view_id,
                "team_id": TEAM_ID,
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": private_metadata,
                "blocks": [],
                "state": {"values": {block: dict(actions) for block, actions in values.items()}},
                "hash": "1700000000.abcdef01",
                "title": {"type": "plain_text", "text": "oov-bot"},
                "previous_view_id": None,
                "root_view_id": view_id,
                "app_id": APP_ID,
                "external_id": "",
                "app_installed_team_id": TEAM_ID,
                "bot_id": BOT_ID,
            },
            "response_urls": [],
        }

    def message_action_payload(
        self,
        callback_id: str,
        message: Mapping[str, Any],
        *,
        user_id: str = DEFAULT_USER_ID,
        channel_id: str = DEFAULT_CHANNEL_ID,
    ) -> dict[str, Any]:
        """A message shortcut on `message` (needs at least "text"; "ts", "user" get defaults)."""
        full_message = {"type": "message", "user": user_id, "ts": "1700000000.000100", **message}
        return {
            "type": "message_action",
            **self._interaction_common(user_id),
            "callback_id": callback_id,
            "action_ts": f"{int(time.time())}.000300",
            "channel": {"id": channel_id, "name": "teamoverleg"},
            "message_ts": full_message["ts"],
            "message": full_message,
            "response_url": self.new_response_url(f"shortcuts/{callback_id}"),
        }

    def new_trigger_id(self) -> str:
        return f"1700000000.{next(self._serials)}.0123456789abcdef0123456789abcdef"

    def _interaction_common(self, user_id: str) -> dict[str, Any]:
        return {
            "token": VERIFICATION_TOKEN,
            "api_app_id": APP_ID,
            "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
            "enterprise": None,
            "is_enterprise_install": False,
            "user": {
                "id": user_id,
                "username": "aov.tester",
                "name": "aov.tester",
                "team_id": TEAM_ID,
            },
            "trigger_id": self.new_trigger_id(),
        }


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # No access log in test output; errors are still logged.


@contextmanager
def serve_wsgi(app: Callable[..., Any]) -> Iterator[str]:
    """Serve a WSGI app on a free port of 127.0.0.1 in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="wsgi-under-test", daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
