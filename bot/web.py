"""HTTP routes (DESIGN.md § HTTP routes) on Flask, served by waitress."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask import Flask, Response, jsonify
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from bot.context import AppContext
from bot.features import routes
from bot.slack_auth import SlackAuth

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from waitress.server import BaseWSGIServer

log = logging.getLogger(__name__)

SLACK_EVENTS_PATH = "/slack/events"
MAX_BODY_BYTES = 1 * 1024 * 1024  # Slack payloads are far smaller


class SlackEventsFirst:
    """WSGI middleware in front of Flask: a POST to /slack/events goes straight to Bolt, built
    from the request and response classes of Bolt's own WSGI adapter; every other request to
    Flask. Bolt reads only a request's body, query and headers, and Flask's request context, URL
    map and Response cost ~0.08 ms of the ~0.18 ms an acknowledged slash command costs in all
    (README, Benchmarks), on every request Slack sends.

    What Flask did here it still does: a body over MAX_BODY_BYTES is refused (413), a body that
    is not UTF-8 is read with replacement characters (so its signature fails: 401)."""

    def __init__(self, bolt_app: App, flask_wsgi: WSGIApplication) -> None:
        self._bolt = bolt_app
        self._flask = flask_wsgi

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != SLACK_EVENTS_PATH or environ.get("REQUEST_METHOD") != "POST":
            return self._flask(environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0:
            return BadRequest()(environ, start_response)
        if length > MAX_BODY_BYTES:
            return RequestEntityTooLarge()(environ, start_response)
        request = WsgiHttpRequest(environ)
        body = environ["wsgi.input"].read(length).decode("utf-8", "replace") if length else ""
        answer = self._bolt.dispatch(
            BoltRequest(body=body, query=request.query_string, headers=request.get_headers())
        )
        response = WsgiHttpResponse(answer.status, answer.headers, answer.body)
        start_response(response.status, response.get_headers())
        return response.get_body()


def create_web_app(
    ctx: AppContext, bolt_app: App | None, slack_auth: SlackAuth | None = None
) -> Flask:
    """The WSGI app. `slack_auth` carries the start-up token check; without one, /healthz runs
    auth.test itself the first time it is asked."""
    web = Flask("oov-bot")
    web.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    if slack_auth is None and bolt_app is not None and ctx.slack is not None:
        slack_auth = SlackAuth(ctx.gateway)
    if bolt_app is not None and not ctx.settings.socket_mode:
        web.wsgi_app = SlackEventsFirst(bolt_app, web.wsgi_app)  # type: ignore[method-assign]

    @web.post(SLACK_EVENTS_PATH)
    def slack_events() -> tuple[Response, int]:
        # Reached only when Slack is not served here: SlackEventsFirst answers it otherwise.
        reason = (
            "Socket Mode is on (SLACK_APP_TOKEN): Slack talks over the socket, not here"
            if ctx.settings.socket_mode
            else ctx.settings.slack_missing_reason()
        )
        return jsonify(error="slack_not_configured", detail=reason), 503

    @web.get("/healthz")
    def healthz() -> tuple[Response, int]:
        try:
            ctx.db.ping()
        except SQLAlchemyError as exc:
            log.error("health check: database unreachable: %s", exc.__class__.__name__)
            return jsonify(status="error", database="unreachable"), 503
        # "slack": false without credentials, true only when auth.test accepted the token,
        # otherwise Slack's error code (e.g. "invalid_auth") or "unreachable".
        slack = slack_auth.health() if bolt_app is not None and slack_auth is not None else False
        return jsonify(status="ok", database="ok", slack=slack), 200

    # The features' own routes (e.g. the piket iCal feeds), served with or without Slack.
    for route in routes():
        web.add_url_rule(route.rule, route.endpoint, route.view(ctx), methods=list(route.methods))

    return web


def listen(web: Flask, *, host: str, port: int, threads: int) -> BaseWSGIServer:
    """A waitress server (a production WSGI server with a thread pool, no development server)
    bound to its port but not yet serving: a port in use fails here, before the caller starts
    anything that acts, such as the clock."""
    from waitress.server import create_server

    return create_server(web, host=host, port=port, threads=threads, ident="oov-bot")


def serve(server: BaseWSGIServer) -> None:
    """Serve on a server from `listen`, as waitress.serve does, plus settling the heap once the
    app is assembled (bot/heap.py)."""
    from bot import heap

    heap.settle()
    server.print_listen("Serving on http://{}:{}")
    server.run()
