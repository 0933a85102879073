"""A local fake of the Slack Web API that records every call the bot makes.

Modelled on bolt-python's own `mock_web_api_server`: a real HTTP server on 127.0.0.1, so the code
under test goes through slack_sdk's real request building, retries and error handling. Point a
`WebClient(base_url=fake.url)` (or the app's SLACK_API_URL) at it; nothing ever reaches slack.com.

    with FakeSlack() as fake:
        client = WebClient(base_url=fake.url, token="xoxb-test")
        client.chat_postMessage(channel="C1", text="hoi")
        assert fake.wait_for("chat.postMessage")[0].args["text"] == "hoi"
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, quote, urlsplit

# The fake workspace. slack_requests.py sends requests from the same workspace and app.
TEAM_ID = "T0TEST001"
TEAM_NAME = "Test"
TEAM_DOMAIN = "test"
APP_ID = "A0OOVBOT1"
BOT_USER_ID = "U0BOT0001"
BOT_ID = "B0BOT0001"
TIMEZONE = "Europe/Amsterdam"

RESPONSE_URL_METHOD = "response_url"
"""`SlackCall.method` of a post to a URL made by `FakeSlack.response_url`."""

# Arguments that clients send as JSON text inside form bodies (and may do in JSON bodies too).
_JSON_TEXT_ARGS = frozenset({"blocks", "attachments", "view", "metadata", "user_auth_blocks"})

ResponseBody = dict[str, Any] | str
"""A dict is sent as JSON; a str as-is (Slack answers response_url posts with plain text)."""


@dataclass(frozen=True)
class SlackCall:
    """One request the fake received.

    `headers` has lower-case names (HTTP header names are case-insensitive and urllib changes
    their case). `at` is `time.monotonic()`, for ordering and measuring intervals.
    """

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    at: float
    path: str = ""

    def summary(self) -> str:
        shown = ", ".join(f"{key}={value!r}" for key, value in self.args.items())
        return f"{self.method}({shown[:200]})"


@dataclass(frozen=True)
class _Scripted:
    status: int
    body: ResponseBody
    headers: dict[str, str]


@dataclass
class _UserGroup:
    id: str
    handle: str
    name: str
    users: list[str] = field(default_factory=list)


class FakeSlack:
    """Fake Slack Web API on a free port of 127.0.0.1. Thread-safe; usable as context manager."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._calls: list[SlackCall] = []
        self._scripted: dict[str, deque[_Scripted]] = {}
        self._overrides: dict[str, ResponseBody | Callable[[dict[str, Any]], ResponseBody]] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._usergroups: dict[str, _UserGroup] = {}
        # Separate counters, so the first message ts is always "1700000000.000100".
        self._message_serials = itertools.count(1)
        self._view_serials = itertools.count(1)
        self._response_serials = itertools.count(1)
        self._builders: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.open": self._conversations_open,
            "conversations.setTopic": self._conversations_set_topic,
            "conversations.info": self._conversation_response,
            "conversations.join": self._conversation_response,
            "views.open": self._view_response,
            "views.update": self._view_response,
            "views.push": self._view_response,
            "views.publish": self._view_response,
            "users.info": self._users_info,
            "users.lookupByEmail": self._users_lookup_by_email,
            "usergroups.list": self._usergroups_list,
            "usergroups.users.update": self._usergroups_users_update,
        }
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> Self:
        if self._server is not None:
            return self
        self._server = _Server(("127.0.0.1", 0), _Handler, self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-slack", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base(self) -> str:
        """Server root without a path, e.g. "http://127.0.0.1:51234"."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not started; use start() or a with-block")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        """Web API base URL for `WebClient(base_url=...)` / SLACK_API_URL; ends in "/api/"."""
        return f"{self.base}/api/"

    def response_url(self, path_hint: str = "response") -> str:
        """A fresh response_url on this server; posts to it are recorded as "response_url" calls."""
        hint = quote(path_hint.strip("/"), safe="/")
        return f"{self.base}/response/{hint}/{next(self._response_serials)}"

    # -- scripting -------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 200,
        body: ResponseBody | None = None,
        headers: Mapping[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` with this response instead of the usual one.

        Without a body, the body is the error Slack gives for that status: {"ok": false, "error":
        "ratelimited"} for 429 (with Retry-After: 1 unless given), "fatal_error" otherwise.
        """
        error = "ratelimited" if status == HTTPStatus.TOO_MANY_REQUESTS else "fatal_error"
        response_headers = dict(headers or {})
        if status == HTTPStatus.TOO_MANY_REQUESTS and not any(
            name.lower() == "retry-after" for name in response_headers
        ):
            response_headers["Retry-After"] = "1"
        scripted = _Scripted(
            status, body if body is not None else {"ok": False, "error": error}, response_headers
        )
        with self._changed:
            self._scripted.setdefault(method, deque()).extend([scripted] * times)

    def set_response(
        self, method: str, body: ResponseBody | Callable[[dict[str, Any]], ResponseBody]
    ) -> None:
        """Answer every later call of `method` with `body` (or `body(args)`), status 200."""
        with self._changed:
            self._overrides[method] = body

    def add_user(
        self,
        user_id: str,
        real_name: str,
        *,
        email: str | None = None,
        display_name: str | None = None,
        tz: str = TIMEZONE,
    ) -> None:
        """Make users.info and users.lookupByEmail know this person."""
        user = _user(user_id, real_name, email or f"{user_id.lower()}@example.org", tz)
        if display_name is not None:
            user["profile"]["display_name"] = display_name
        with self._changed:
            self._users[user_id] = user

    def add_usergroup(
        self, usergroup_id: str, handle: str, name: str, users: list[str] | None = None
    ) -> None:
        with self._changed:
            self._usergroups[usergroup_id] = _UserGroup(usergroup_id, handle, name, users or [])

    # -- inspection ------------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[SlackCall]:
        with self._changed:
            return [call for call in self._calls if method is None or call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[SlackCall]:
        """All calls of `method` once there are at least `count`; AssertionError after `timeout`."""
        with self._changed:
            done = self._changed.wait_for(
                lambda: sum(call.method == method for call in self._calls) >= count, timeout
            )
            matching = [call for call in self._calls if call.method == method]
            if done:
                return matching
            made = "\n".join(f"  - {call.summary()}" for call in self._calls) or "  (none)"
            raise AssertionError(
                f"expected {count} call(s) of {method} within {timeout} s, got {len(matching)}; "
                f"calls made:\n{made}"
            )

    def reset(self) -> None:
        """Forget calls, scripted responses, users and user groups (the server keeps running)."""
        with self._changed:
            self._calls.clear()
            self._scripted.clear()
            self._overrides.clear()
            self._users.clear()
            self._usergroups.clear()

    # -- request handling (called from server threads) ----------------------------------------

    def _handle(
        self, method: str, args: dict[str, Any], headers: dict[str, str], path: str
    ) -> tuple[int, ResponseBody, dict[str, str]]:
        call = SlackCall(method, args, headers, time.monotonic(), path)
        with self._changed:
            self._calls.append(call)
            self._changed.notify_all()
            queue = self._scripted.get(method)
            if queue:
                scripted = queue.popleft()
                return scripted.status, scripted.body, scripted.headers
            override = self._overrides.get(method)
        if override is not None:
            return 200, override(args) if callable(override) else override, {}
        if method == RESPONSE_URL_METHOD:
            return 200, "ok", {}
        auth_error = _auth_error(args, headers)
        if auth_error:
            return 200, {"ok": False, "error": auth_error}, {}
        builder = self._builders.get(method)
        return 200, builder(args) if builder else {"ok": True}, {}

    def _next_ts(self) -> str:
        micros = next(self._message_serials) * 100
        return f"{1_700_000_000 + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": TEAM_NAME,
            "user": "oov-bot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _message(self, args: dict[str, Any], ts: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "subtype": "bot_message",
            "text": args.get("text", ""),
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
            "ts": ts,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if key in args:
                message[key] = args[key]
        return message

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        ts = self._next_ts()
        channel = _channel_id(args.get("channel", ""))
        return {"ok": True, "channel": channel, "ts": ts, "message": self._message(args, ts)}

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        ts = str(args.get("ts", ""))
        return {
            "ok": True,
            "channel": args.get("channel", ""),
            "ts": ts,
            "text": args.get("text", ""),
            "message": self._message(args, ts),
        }

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": args.get("channel", ""), "ts": args.get("ts", "")}

    def _chat_get_permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        ts = str(args.get("message_ts", "")).replace(".", "")
        permalink = f"https://{TEAM_DOMAIN}.slack.com/archives/{channel}/p{ts}"
        return {"ok": True, "channel": channel, "permalink": permalink}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = [user for user in str(args.get("users", "")).split(",") if user]
        channel = args.get("channel") or (f"D{users[0]}" if len(users) == 1 else "G0MPIM0001")
        return {
            "ok": True,
            "no_op": False,
            "already_open": False,
            "channel": _conversation(str(channel)),
        }

    def _conversations_set_topic(self, args: dict[str, Any]) -> dict[str, Any]:
        conversation = _conversation(str(args.get("channel", "")))
        conversation["topic"]["value"] = args.get("topic", "")
        return {"ok": True, "channel": conversation}

    def _conversation_response(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": _conversation(str(args.get("channel", "")))}

    def _view_response(self, args: dict[str, Any]) -> dict[str, Any]:
        view = args.get("view")
        view = dict(view) if isinstance(view, dict) else {}
        serial = next(self._view_serials)
        view_id = str(args.get("view_id") or f"V0VIEW{serial:04d}")
        return {
            "ok": True,
            "view": {
                "type": "home" if "user_id" in args else "modal",
                "blocks": [],
                "private_metadata": "",
                "callback_id": "",
                "external_id": args.get("external_id", ""),
                "clear_on_close": False,
                "notify_on_close": False,
                "previous_view_id": None,
                **view,
                "id": view_id,
                "team_id": TEAM_ID,
                "state": {"values": {}},
                "hash": f"1700000000.{serial:08x}",
                "root_view_id": view_id,
                "app_id": APP_ID,
                "app_installed_team_id": TEAM_ID,
                "bot_id": BOT_ID,
            },
        }

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = str(args.get("user", ""))
        with self._changed:
            user = self._users.get(user_id)
        if user is None:
            user = _user(user_id, f"Test Gebruiker {user_id}", f"{user_id.lower()}@example.org")
        return {"ok": True, "user": user}

    def _users_lookup_by_email(self, args: dict[str, Any]) -> dict[str, Any]:
        email = str(args.get("email", ""))
        with self._changed:
            known = [u for u in self._users.values() if u["profile"]["email"] == email]
        if known:
            return {"ok": True, "user": known[0]}
        # Deterministic, so the same address always maps to the same made-up person.
        user_id = "U" + hashlib.sha1(email.encode()).hexdigest()[:8].upper()
        return {"ok": True, "user": _user(user_id, email.split("@")[0], email)}

    def _usergroups_list(self, args: dict[str, Any]) -> dict[str, Any]:
        include_users = str(args.get("include_users", "")).lower() in {"1", "true"}
        with self._changed:
            groups = list(self._usergroups.values())
            return {
                "ok": True,
                "usergroups": [_usergroup(group, include_users) for group in groups],
            }

    def _usergroups_users_update(self, args: dict[str, Any]) -> dict[str, Any]:
        group_id = str(args.get("usergroup", ""))
        users = [user for user in str(args.get("users", "")).split(",") if user]
        with self._changed:
            # Lenient like the rest of the fake: an unknown group is created, not refused.
            group = self._usergroups.setdefault(
                group_id, _UserGroup(group_id, group_id.lower(), group_id)
            )
            group.users = users
            return {"ok": True, "usergroup": _usergroup(group, include_users=True)}


def _auth_error(args: dict[str, Any], headers: dict[str, str]) -> str | None:
    authorization = headers.get("authorization", "")
    token = authorization.removeprefix("Bearer ") if authorization else str(args.get("token", ""))
    if not token:
        return "not_authed"
    return None if token.startswith("xox") else "invalid_auth"


def _channel_id(channel: str) -> str:
    # Posting to a user ID lands in the DM with that user, as on real Slack.
    return f"D{channel}" if channel[:1] in {"U", "W"} else channel


def _conversation(channel_id: str) -> dict[str, Any]:
    is_im = channel_id.startswith("D")
    conversation: dict[str, Any] = {
        "id": channel_id,
        "created": 1_700_000_000,
        "is_channel": channel_id.startswith("C"),
        "is_group": channel_id.startswith("G"),
        "is_im": is_im,
        "is_private": not channel_id.startswith("C"),
        "is_archived": False,
        "is_member": True,
        "context_team_id": TEAM_ID,
        "topic": {"value": "", "creator": "", "last_set": 0},
        "purpose": {"value": "", "creator": "", "last_set": 0},
    }
    if is_im:
        conversation["user"] = channel_id[1:]
    else:
        conversation["name"] = f"kanaal-{channel_id.lower()}"
    return conversation


def _user(user_id: str, real_name: str, email: str, tz: str = TIMEZONE) -> dict[str, Any]:
    return {
        "id": user_id,
        "team_id": TEAM_ID,
        "name": email.split("@")[0],
        "deleted": False,
        "real_name": real_name,
        "tz": tz,
        "tz_label": "Central European Time",
        "tz_offset": 3600,
        "is_admin": False,
        "is_bot": False,
        "is_app_user": False,
        "profile": {
            "real_name": real_name,
            "real_name_normalized": real_name,
            "display_name": real_name.split(" ")[0],
            "display_name_normalized": real_name.split(" ")[0],
            "email": email,
            "team": TEAM_ID,
        },
    }


def _usergroup(group: _UserGroup, include_users: bool) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": group.id,
        "team_id": TEAM_ID,
        "is_usergroup": True,
        "name": group.name,
        "handle": group.handle,
        "description": "",
        "date_delete": 0,
        "user_count": len(group.users),
    }
    if include_users:
        result["users"] = list(group.users)
    return result


def _parse_body(body: bytes, content_type: str) -> dict[str, Any]:
    if not body:
        return {}
    text = body.decode("utf-8")
    if content_type.startswith("application/json"):
        parsed = json.loads(text)
        if not isinstance(parsed, dict):
            raise ValueError("a JSON body must be an object")
        return parsed
    return dict(parse_qsl(text, keep_blank_values=True))


def _decode_json_args(args: dict[str, Any]) -> dict[str, Any]:
    decoded = dict(args)
    for key in _JSON_TEXT_ARGS & decoded.keys():
        value = decoded[key]
        if isinstance(value, str):
            # Invalid JSON stays as sent, so a test can see what the bot got wrong.
            with contextlib.suppress(json.JSONDecodeError):
                decoded[key] = json.loads(value)
    return decoded


def _route(path: str) -> str | None:
    if path.startswith("/api/") and len(path) > len("/api/"):
        return path.removeprefix("/api/")
    return RESPONSE_URL_METHOD if path.startswith("/response/") else None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], fake: FakeSlack
    ) -> None:
        super().__init__(address, handler)
        self.fake = fake


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # Keep test output clean; the calls are recorded instead.

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        method = _route(parts.path)
        if method is None:
            self._send(404, {"ok": False, "error": "unknown_method"}, {})
            return
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            args = dict(parse_qsl(parts.query, keep_blank_values=True))
            args.update(_parse_body(body, headers.get("content-type", "")))
        except ValueError:  # also bad UTF-8 and bad JSON
            self._send(400, {"ok": False, "error": "invalid_form_data"}, {})
            return
        status, response, extra = self.server.fake._handle(
            method, _decode_json_args(args), headers, parts.path
        )
        self._send(status, response, extra)

    def _send(self, status: int, body: ResponseBody, headers: dict[str, str]) -> None:
        if isinstance(body, str):
            payload, content_type = body.encode(), "text/plain; charset=utf-8"
        else:
            payload, content_type = json.dumps(body).encode(), "application/json; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)
