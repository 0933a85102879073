"""Assembly: settings -> database, Slack client and the Bolt app with every feature's listeners."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.listener_matcher import ListenerMatcher
from slack_bolt.listener_matcher.builtins import BuiltinListenerMatcher
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk import WebClient

from bot.context import AppContext
from bot.features import all_features
from bot.gateway import create_client
from bot.settings import Settings
from handlers.feature import Feature
from handlers.payloads import answer_failure
from storage.session import Database

log = logging.getLogger(__name__)


def create_slack_client(settings: Settings) -> WebClient | None:
    if not settings.slack_bot_token:
        return None
    return create_client(settings.slack_bot_token, settings.slack_api_url)


class _SameTokenWarning(logging.Filter):
    """Drops Bolt's "As you gave `client` as well, `token` will be unused" warning.

    Bolt reads SLACK_BOT_TOKEN from os.environ whenever no `token` argument is given, and warns
    when a `client` is given too. Our client is built from that same setting (pydantic reads the
    same variable), so the warning says nothing; passing `token` instead would lose the client's
    base URL, timeout and retry handlers.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


class _NoRefusedBody(logging.Filter):
    """Rewrites Bolt's "Invalid request signature detected (..., body: ...)" without the body.

    Bolt logs a refused request whole, at INFO: with a wrong SLACK_SIGNING_SECRET that is every
    request Slack sends, slash command texts and channel messages about residents included.
    The line says instead what an operator can fix.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("Invalid request signature detected"):
            record.msg = (
                "a request to /slack/events was refused: its signature does not match "
                "SLACK_SIGNING_SECRET (Basic Information -> Signing Secret); not logged"
            )
            record.args = ()
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


_BOLT_LOGGER = logging.getLogger("slack_bolt")
_BOLT_LOGGER.addFilter(_SameTokenWarning())
# Bolt's own loggers (slack_bolt.RequestVerification, ...) copy these filters when made.
_BOLT_LOGGER.addFilter(_NoRefusedBody())


def create_context(settings: Settings, **overrides: Any) -> AppContext:
    db = overrides.pop("db", None) or Database(settings.database_url)
    slack = overrides.pop("slack", None) or create_slack_client(settings)
    ctx = AppContext(settings=settings, db=db, slack=slack, **overrides)
    for feature in all_features():
        if feature.attach:
            feature.attach(ctx)
    return ctx


def build_read_models(ctx: AppContext) -> None:
    """Every feature's read models, built before the first request. Call once the listeners
    are registered, before the heap settles. A build that fails is logged and left to the first
    request, as before, rather than stopping the start."""
    for feature in all_features():
        if feature.read_models is None:
            continue
        try:
            feature.read_models(ctx)
        except Exception:  # a start must not fail on what the first request would rebuild
            log.warning("read models of %s not built at start", feature.name, exc_info=True)


def create_bolt_app(ctx: AppContext, features: Sequence[Feature] | None = None) -> App | None:
    """The Bolt app with the listeners of `features` (default: every feature), or None when
    Slack is not configured."""
    settings = ctx.settings
    if not settings.slack_enabled or ctx.slack is None:
        return None
    app = App(
        # Named: without a name Bolt takes its caller's file name from inspect.stack(), which
        # reads the source of every frame on the stack (~40 ms of start-up).
        name="oov-bot",
        client=ctx.slack,
        signing_secret=settings.slack_signing_secret or "",
        # Socket Mode connections are authenticated by the app token instead of signatures.
        request_verification_enabled=not settings.socket_mode,
        token_verification_enabled=False,
        logger=_BOLT_LOGGER,
    )

    @app.error
    def on_error(
        error: Exception, body: dict[str, Any], response: BoltResponse | None, client: WebClient
    ) -> BoltResponse | None:
        # Logged without the payload (it can hold message text about residents). The answer is
        # HTTP 200 with the Dutch explanation, never a 500 with Slack's own English notice.
        log.error(
            "listener failed for %s: %s",
            body.get("command") or body.get("type"),
            error.__class__.__name__,
            exc_info=error,
        )
        return answer_failure(error, body, response, client)

    for feature in all_features() if features is None else features:
        if feature.listeners:
            feature.listeners(app, ctx)
    _match_on_body(app)
    _commands_first(app)
    return app


class BodyMatcher(ListenerMatcher):
    """One of Bolt's builtin matchers (`command`, `action`, `view_submission`, ...), called with
    the request body, its one argument. Bolt calls it through `build_required_kwargs`, which works
    out all ~30 listener arguments (action, view, say, respond, ...) each time to hand it that
    one: ~8 µs per listener tried, and a request tries every listener in front of its own (a
    button press some 30)."""

    def __init__(self, func: Callable[[dict[str, Any]], Any]) -> None:
        self.func = func

    def matches(self, req: BoltRequest, resp: BoltResponse) -> bool:
        return bool(self.func(req.body))


def _match_on_body(app: App) -> None:
    """Every builtin matcher that only reads the body, as a BodyMatcher: the same decision."""
    for listener in app._listeners:
        listener.matchers = [
            BodyMatcher(m.func)
            if type(m) is BuiltinListenerMatcher and m.arg_names == ["body"]
            else m
            for m in listener.matchers
        ]


def _commands_first(app: App) -> None:
    """Bolt tries its listeners in the order they were added: the slash commands, which a person
    waits for, go first (/piket came 18th). The order matters for nothing else:
    no other listener matches a slash command, and the others keep their order."""
    app._listeners.sort(key=lambda listener: not _is_command(listener))


def _is_command(listener: Any) -> bool:
    # Bolt's builtin matcher for app.command() is its `command` function's closure.
    return any(
        getattr(getattr(m, "func", None), "__qualname__", "").startswith("command.")
        for m in listener.matchers
    )
