"""A local fake of the Slack Web API that records every call the bot makes.

Modelled on bolt-python's own `mock_web_api_server`: a real HTTP server on 127.0.0.1, so the code
under test goes through slack_sdk's real request building, retries and error handling. Point a
`WebClient(base_url=fake.url)` (or the app's SLACK_API_URL) at it; nothing ever reaches slack.com.

    with FakeSlack() as fake:
        client = WebClient(base_url=fake.url, token="xoxb-test")
        client.chat_postMessage(channel="C1", text="hoi")
        assert fake.wait_for("chat.postMessage")[0].args["text"] == "hoi"

As strict as Slack: every message and view it receives (chat.postMessage/postEphemeral/update,
response_url posts, views.open/push/update/publish) is checked against Slack's Block Kit rules
(testkit/block_kit.py) and refused the way Slack refuses it. Refusals are recorded; the suite's
fixture fails a test whose bot sent anything Slack would refuse, unless the test called
`expect_refusals()`. A response_url takes five posts (a sixth is `used_url`), and a
views.update/publish with a hash that is not the view's latest is `hash_conflict`. Messages
posted (and added with `add_message`) are kept per channel, so conversations.history and
conversations.replies answer like Slack: newest first for history, a thread's parent first (and
counted toward `limit`) for replies, with `oldest`/`latest`/`inclusive`, `has_more` and cursors.
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
from typing import Any, Literal, Self
from urllib.parse import parse_qsl, quote, urlsplit

from testkit.block_kit import MODAL, action_ids, message_problems, view_problems

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
RESPONSE_URL_USES = 5  # Slack: a response_url takes up to 5 posts within 30 minutes

# Arguments that clients send as JSON text inside form bodies (and may do in JSON bodies too).
_JSON_TEXT_ARGS = frozenset(
    {"blocks", "attachments", "view", "metadata", "user_auth_blocks", "files"}
)
UPLOAD_METHOD = "upload_url"
"""The recorded name of a file body posted to an upload URL from files.getUploadURLExternal."""

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
class Refusal:
    """A payload the fake refused as Slack would: `method` ("ack" for a direct HTTP answer of
    the bot), Slack's error code and the problems with their json-pointers."""

    method: str
    error: str
    problems: tuple[str, ...]

    def summary(self) -> str:
        shown = "\n".join(f"    - {problem}" for problem in self.problems)
        return f"  {self.method}: {self.error}\n{shown}"


@dataclass(frozen=True)
class RenderedAction:
    """An interactive element the bot rendered: where, and its action_id and block_id."""

    method: str
    action_id: str
    block_id: str | None


@dataclass(frozen=True)
class _Scripted:
    status: int
    body: ResponseBody
    headers: dict[str, str]


@dataclass(frozen=True)
class Upload:
    """A file shared through files_upload_v2: where (a channel ID, or the user ID whose DM with
    the app receives it), and what."""

    channel: str
    filename: str
    title: str
    content: bytes
    initial_comment: str
    thread_ts: str | None


@dataclass
class _PendingUpload:
    filename: str
    length: int
    content: bytes | None = None


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
        self._channel_members: dict[str, list[str]] = {}
        self._refusals: list[Refusal] = []
        self._rendered: list[RenderedAction] = []
        self._refusals_expected = False
        # Messages per channel (posted by the bot or added by a test), for history/replies.
        self._messages: dict[str, dict[str, dict[str, Any]]] = {}
        self._pending_uploads: dict[str, _PendingUpload] = {}
        # The current hash of each view the fake opened or published (a Home tab by "home:"
        # + user), so a views.update/publish with an outdated hash is hash_conflict, as on Slack.
        self._view_hashes: dict[str, str] = {}
        self._response_url_uses: dict[str, int] = {}
        self._uploads: list[Upload] = []
        self._file_serials = itertools.count(1)
        self.apps: list[Any] = []
        """Bolt apps talking to this fake (set by testkit.app.start_bot), for contract checks."""
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
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "conversations.setTopic": self._conversations_set_topic,
            "conversations.info": self._conversation_response,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "conversations.join": self._conversation_response,
            "conversations.members": self._conversations_members,
            "views.open": self._view_response,
            "views.update": self._view_response,
            "views.push": self._view_response,
            "views.publish": self._view_response,
            "users.info": self._users_info,
            "users.lookupByEmail": self._users_lookup_by_email,
            "usergroups.list": self._usergroups_list,
            "usergroups.users.update": self._usergroups_users_update,
            "usergroups.users.list": self._usergroups_users_list,
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
        guest: Literal["single", "multi"] | None = None,
        team_id: str = TEAM_ID,
        stranger: bool = False,
    ) -> None:
        """Make users.info and users.lookupByEmail know this person. `guest` makes them a
        single- or multi-channel guest; another `team_id` a Slack Connect user of another
        organisation (`stranger`: one Slack flags is_stranger, not in a channel with us)."""
        user = _user(user_id, real_name, email or f"{user_id.lower()}@example.org", tz)
        if display_name is not None:
            user["profile"]["display_name"] = display_name
        if guest is not None:
            # Slack: a multi-channel guest is restricted, a single-channel guest both.
            user["is_restricted"] = True
            user["is_ultra_restricted"] = guest == "single"
        if team_id != TEAM_ID:
            # An external member as users.info shows them: their own team, a profile that
            # names it, and none of our workspace's admin flags.
            user["team_id"] = team_id
            user["profile"]["team"] = team_id
            for flag in ("is_admin", "is_owner", "is_primary_owner"):
                user.pop(flag, None)
        if stranger:
            user["is_stranger"] = True
        with self._changed:
            self._users[user_id] = user

    def set_channel_members(self, channel: str, users: list[str]) -> None:
        """Who conversations.members lists for `channel`; other channels are unknown to it."""
        with self._changed:
            self._channel_members[channel] = list(users)

    def add_usergroup(
        self, usergroup_id: str, handle: str, name: str, users: list[str] | None = None
    ) -> None:
        with self._changed:
            self._usergroups[usergroup_id] = _UserGroup(usergroup_id, handle, name, users or [])

    def add_message(
        self,
        channel: str,
        text: str,
        *,
        user: str = "U0AOV0001",
        ts: str | None = None,
        thread_ts: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """A message someone posted in `channel` (a reply when `thread_ts` is given), as
        conversations.history/replies will return it; returns the message."""
        message: dict[str, Any] = {"type": "message", "user": user, "text": text, **extra}
        message["ts"] = ts or self._next_ts()
        if thread_ts is not None:
            message["thread_ts"] = thread_ts
        self._store(channel, message)
        return message

    def forget_refusals(self) -> None:
        """Start counting refusals and rendered actions afresh (for a fake shared by tests)."""
        with self._changed:
            self._refusals.clear()
            self._rendered.clear()
            self._refusals_expected = False

    def expect_refusals(self) -> None:
        """This test sends payloads Slack refuses on purpose: do not fail it for that."""
        self._refusals_expected = True

    # -- inspection ------------------------------------------------------------------------------

    def refusals(self) -> list[Refusal]:
        """Every payload refused as Slack would (invalid_blocks and the like), oldest first."""
        with self._changed:
            return list(self._refusals)

    def unexpected_refusals(self) -> str | None:
        """A report of the refusals, unless the test expected them; None when there are none."""
        refusals = self.refusals()
        if not refusals or self._refusals_expected:
            return None
        shown = "\n".join(refusal.summary() for refusal in refusals)
        return f"the bot sent {len(refusals)} payload(s) Slack would refuse:\n{shown}"

    def rendered_actions(self) -> list[RenderedAction]:
        """Every interactive element in the payloads the bot sent (accepted or not)."""
        with self._changed:
            return list(self._rendered)

    def check_reply(self, body: Any) -> None:
        """Check the body of the bot's direct HTTP answer to a slash command or interaction, as
        Slack does: a message, or a `response_action` with a view."""
        if not isinstance(body, dict):
            return
        if body.get("response_action") in {"update", "push"}:
            view = body.get("view")
            problems = view_problems(view, MODAL)
            self._record_rendered("ack", view.get("blocks") if isinstance(view, dict) else None)
            error = "invalid_arguments"
        elif "blocks" in body or "text" in body:
            problems = message_problems(body, needs_content=False)
            self._record_rendered("ack", body.get("blocks"))
            error = "invalid_blocks"
        else:
            return
        if problems:
            with self._changed:
                self._refusals.append(Refusal("ack", error, tuple(problems)))

    def uploads(self) -> list[Upload]:
        """Files shared so far, in order."""
        with self._changed:
            return list(self._uploads)

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

    def forget_calls(self) -> None:
        """Forget the calls made so far (users, channels and messages stay)."""
        with self._changed:
            self._calls.clear()

    def reset(self) -> None:
        """Forget calls, scripted responses, users, user groups and messages (the server keeps
        running). Refusals are kept: a reset must not hide a payload Slack would refuse."""
        with self._changed:
            self._calls.clear()
            self._messages.clear()
            self._scripted.clear()
            self._overrides.clear()
            self._users.clear()
            self._usergroups.clear()
            self._pending_uploads.clear()
            self._uploads.clear()
            self._view_hashes.clear()
            self._response_url_uses.clear()
            self._channel_members.clear()

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
        refused = self._refuse(method, args)
        if refused is not None:
            return refused
        if override is not None:
            return 200, override(args) if callable(override) else override, {}
        if method == RESPONSE_URL_METHOD:
            return self._use_response_url(path)
        auth_error = _auth_error(args, headers)
        if auth_error:
            return 200, {"ok": False, "error": auth_error}, {}
        builder = self._builders.get(method)
        return 200, builder(args) if builder else {"ok": True}, {}

    def _use_response_url(self, path: str) -> tuple[int, ResponseBody, dict[str, str]]:
        """Slack accepts at most RESPONSE_URL_USES posts to one response_url (within its 30
        minutes); a further one is refused."""
        with self._changed:
            used = self._response_url_uses[path] = self._response_url_uses.get(path, 0) + 1
        if used > RESPONSE_URL_USES:
            problem = f"response_url used {used} times; Slack allows {RESPONSE_URL_USES}"
            self._add_refusal(RESPONSE_URL_METHOD, "used_url", [problem])
            return 404, "used_url", {}
        return 200, "ok", {}

    def _refuse(
        self, method: str, args: dict[str, Any]
    ) -> tuple[int, ResponseBody, dict[str, str]] | None:
        """Slack's answer when it refuses this payload; None when it accepts it."""
        if method in {"chat.postMessage", "chat.postEphemeral", "chat.update", RESPONSE_URL_METHOD}:
            if method == RESPONSE_URL_METHOD and args.get("delete_original"):
                return None
            self._record_rendered(method, args.get("blocks"))
            needs_content = method in {"chat.postMessage", "chat.postEphemeral"}
            problems = message_problems(args, needs_content=needs_content)
            if not problems:
                return None
            if any(p.endswith("[json-pointer:/text]") for p in problems):
                error = "msg_too_long" if args.get("text") else "no_text"
            else:
                error = "invalid_blocks"
            self._add_refusal(method, error, problems)
            if method == RESPONSE_URL_METHOD:
                # Webhooks and response_urls answer a bare status and code, without detail.
                return 400, error, {}
            return (
                200,
                {
                    "ok": False,
                    "error": error,
                    "errors": problems,
                    "response_metadata": {"messages": [f"[ERROR] {p}" for p in problems]},
                },
                {},
            )
        if method in {"views.open", "views.push", "views.update", "views.publish"}:
            view = args.get("view")
            self._record_rendered(method, view.get("blocks") if isinstance(view, dict) else None)
            surface = {"views.publish": "home", "views.update": None}.get(method, MODAL)
            problems = view_problems(view, surface)
            if not problems:
                return None
            self._add_refusal(method, "invalid_arguments", problems)
            return (
                200,
                {
                    "ok": False,
                    "error": "invalid_arguments",
                    "response_metadata": {"messages": [f"[ERROR] {p}" for p in problems]},
                },
                {},
            )
        return None

    def _add_refusal(self, method: str, error: str, problems: list[str]) -> None:
        with self._changed:
            self._refusals.append(Refusal(method, error, tuple(problems)))

    def _record_rendered(self, method: str, blocks: Any) -> None:
        found = [RenderedAction(method, a, b) for a, b in action_ids(blocks)]
        with self._changed:
            self._rendered.extend(found)

    def _store(self, channel: str, message: dict[str, Any]) -> None:
        with self._changed:
            self._messages.setdefault(channel, {})[message["ts"]] = message

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
        message = self._message(args, ts)
        self._store(channel, message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        ts = str(args.get("ts", ""))
        channel = str(args.get("channel", ""))
        message = self._message(args, ts)
        with self._changed:
            stored = self._messages.get(channel, {}).get(ts)
            if stored is not None:
                if "thread_ts" in stored:
                    message["thread_ts"] = stored["thread_ts"]
                self._messages[channel][ts] = message
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": args.get("text", ""),
            "message": message,
        }

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        with self._changed:
            self._messages.get(str(args.get("channel", "")), {}).pop(str(args.get("ts", "")), None)
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

    def _files_get_upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        filename = str(args.get("filename") or "")
        length = str(args.get("length") or "")
        if not filename or not length.isdigit() or int(length) <= 0:
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._file_serials):010d}"
        with self._changed:
            self._pending_uploads[file_id] = _PendingUpload(filename, int(length))
        return {"ok": True, "upload_url": f"{self.base}/upload/v1/{file_id}", "file_id": file_id}

    def _receive_upload(self, file_id: str, content: bytes) -> tuple[int, str]:
        """The body posted to an upload URL. Slack answers "OK - <length>" in plain text."""
        with self._changed:
            self._calls.append(
                SlackCall(UPLOAD_METHOD, {"file_id": file_id}, {}, time.monotonic(), file_id)
            )
            self._changed.notify_all()
            pending = self._pending_uploads.get(file_id)
            if pending is None or pending.content is not None:
                return 404, "file_not_found"
            pending.content = content
        return 200, f"OK - {len(content)}"

    def _files_complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        files = args.get("files")
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        channel_id = str(args.get("channel_id") or "")
        channels = [c for c in str(args.get("channels") or "").split(",") if c]
        targets = [channel_id] if channel_id else channels
        if args.get("thread_ts") and len(targets) != 1:
            return {"ok": False, "error": "invalid_arguments"}
        shared = []
        with self._changed:
            for item in files:
                pending = self._pending_uploads.get(str(item.get("id", "")))
                if pending is None or pending.content is None:
                    return {"ok": False, "error": "file_not_found"}
                if len(pending.content) != pending.length:
                    # The length announced in getUploadURLExternal must be the bytes sent.
                    return {"ok": False, "error": "invalid_arguments"}
            for item in files:
                file_id = str(item["id"])
                pending = self._pending_uploads.pop(file_id)
                title = str(item.get("title") or pending.filename)
                for target in targets:
                    self._uploads.append(
                        Upload(
                            target,
                            pending.filename,
                            title,
                            pending.content or b"",
                            str(args.get("initial_comment") or ""),
                            args.get("thread_ts") or None,
                        )
                    )
                shared.append({"id": file_id, "title": title, "name": pending.filename})
        return {"ok": True, "files": shared}

    def _conversations_set_topic(self, args: dict[str, Any]) -> dict[str, Any]:
        conversation = _conversation(str(args.get("channel", "")))
        conversation["topic"]["value"] = args.get("topic", "")
        return {"ok": True, "channel": conversation}

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        """Top-level messages of a channel, newest first, as Slack's conversations.history."""
        with self._changed:
            stored = list(self._messages.get(str(args.get("channel", "")), {}).values())
        top = [m for m in stored if m.get("thread_ts") in (None, m["ts"])]
        chosen = sorted(_in_range(top, args), key=_ts_key, reverse=True)
        return _page(chosen, args, default_limit=100)

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        """A thread as Slack's conversations.replies returns it: the parent first, always, and
        counted toward `limit`; then the replies in the time range, oldest first. `ts` may be
        the parent's or a reply's; a message without replies is returned alone."""
        channel, ts = str(args.get("channel", "")), str(args.get("ts", ""))
        with self._changed:
            stored = dict(self._messages.get(channel, {}))
        asked = stored.get(ts)
        if asked is None:
            return {"ok": False, "error": "thread_not_found"}
        root_ts = asked.get("thread_ts") or ts
        parent = stored.get(root_ts, asked)
        replies = [
            m
            for m in stored.values()
            if m.get("thread_ts") == root_ts and m["ts"] not in {root_ts, parent["ts"]}
        ]
        chosen = sorted(_in_range(replies, args), key=_ts_key)
        try:
            offset = int(str(args.get("cursor") or "0").removeprefix("next_ts:"))
        except ValueError:
            return {"ok": False, "error": "invalid_cursor"}
        limit = _limit(args, default=1000)
        if offset == 0:
            # The parent takes one place of the first page.
            page = [parent, *chosen[: max(limit - 1, 0)]]
            shown = len(page) - 1
        else:
            page = chosen[offset : offset + limit]
            shown = offset + len(page)
        return _paged_answer(page, has_more=shown < len(chosen), next_offset=shown)

    def _conversation_response(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": _conversation(str(args.get("channel", "")))}

    def view_hash(self, view_id: str) -> str | None:
        """The current hash of a view the fake opened (None for one it does not know)."""
        with self._changed:
            return self._view_hashes.get(view_id)

    def _view_response(self, args: dict[str, Any]) -> dict[str, Any]:
        view = args.get("view")
        view = dict(view) if isinstance(view, dict) else {}
        serial = next(self._view_serials)
        view_id = str(args.get("view_id") or f"V0VIEW{serial:04d}")
        key = f"home:{args['user_id']}" if "user_id" in args else view_id
        new_hash = f"1700000000.{serial:08x}"
        with self._changed:
            current = self._view_hashes.get(key)
            # Slack: a hash that is not the view's latest means it changed meanwhile. A view
            # the fake never issued (made up by a test) is taken as it comes.
            if args.get("hash") and current is not None and args["hash"] != current:
                return {"ok": False, "error": "hash_conflict"}
            self._view_hashes[key] = new_hash
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
                "hash": new_hash,
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

    def _conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        """Strict as Slack: `channel` is required, a channel the fake does not know is
        channel_not_found, and the list is paged by `limit` and `cursor`."""
        channel = str(args.get("channel", ""))
        if not channel:
            return {"ok": False, "error": "invalid_arguments"}
        with self._changed:
            members = self._channel_members.get(channel)
        if members is None:
            return {"ok": False, "error": "channel_not_found"}
        cursor = str(args.get("cursor") or "0")
        start = int(cursor) if cursor.isdigit() else 0
        limit = _limit(args, 100)
        page = members[start : start + limit]
        more = start + limit < len(members)
        return {
            "ok": True,
            "members": page,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _usergroups_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        """Strict as Slack: an unknown user group is no_such_subteam."""
        group_id = str(args.get("usergroup", ""))
        if not group_id:
            return {"ok": False, "error": "invalid_arguments"}
        with self._changed:
            group = self._usergroups.get(group_id)
            if group is None:
                return {"ok": False, "error": "no_such_subteam"}
            return {"ok": True, "users": list(group.users)}

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


def _ts_key(message: dict[str, Any]) -> tuple[int, int]:
    seconds, _, micros = str(message["ts"]).partition(".")
    return int(seconds), int(micros or 0)


def _in_range(messages: list[dict[str, Any]], args: dict[str, Any]) -> list[dict[str, Any]]:
    """Messages between `oldest` and `latest`, the bounds included only with `inclusive`."""
    inclusive = str(args.get("inclusive", "")).lower() in {"1", "true"}
    oldest = args.get("oldest")
    latest = args.get("latest")
    low = _ts_key({"ts": oldest}) if oldest else None
    high = _ts_key({"ts": latest}) if latest else None
    kept = []
    for message in messages:
        key = _ts_key(message)
        if low is not None and (key < low or (key == low and not inclusive)):
            continue
        if high is not None and (key > high or (key == high and not inclusive)):
            continue
        kept.append(message)
    return kept


def _limit(args: dict[str, Any], default: int) -> int:
    try:
        limit = int(args.get("limit") or default)
    except (TypeError, ValueError):
        limit = default
    return max(1, min(limit, 1000))


def _page(messages: list[dict[str, Any]], args: dict[str, Any], default_limit: int) -> Any:
    try:
        offset = int(str(args.get("cursor") or "0").removeprefix("next_ts:"))
    except ValueError:
        return {"ok": False, "error": "invalid_cursor"}
    limit = _limit(args, default_limit)
    page = messages[offset : offset + limit]
    shown = offset + len(page)
    return _paged_answer(page, has_more=shown < len(messages), next_offset=shown)


def _paged_answer(page: list[dict[str, Any]], *, has_more: bool, next_offset: int) -> Any:
    return {
        "ok": True,
        "messages": [dict(message) for message in page],
        "has_more": has_more,
        "response_metadata": {"next_cursor": f"next_ts:{next_offset}" if has_more else ""},
    }


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
        "is_owner": False,
        "is_primary_owner": False,
        # Present on every user object of a member of the workspace: guests have them true.
        "is_restricted": False,
        "is_ultra_restricted": False,
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
        if parts.path.startswith("/upload/v1/"):
            # A file's raw bytes, not form data (whatever Content-Type urllib sends with them).
            status, text = self.server.fake._receive_upload(
                parts.path.removeprefix("/upload/v1/"), body
            )
            self._send(status, text, {})
            return
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
