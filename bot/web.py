"""HTTP routes (DESIGN.md § HTTP routes) on Flask, served by waitress."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from flask import Flask, Response, jsonify, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from sqlalchemy.exc import SQLAlchemyError

from bot.context import AppContext
from bot.features import routes
from bot.slack_auth import SlackAuth

if TYPE_CHECKING:
    from waitress.server import BaseWSGIServer

log = logging.getLogger(__name__)


def create_web_app(
    ctx: AppContext, bolt_app: App | None, slack_auth: SlackAuth | None = None
) -> Flask:
    """The WSGI app. `slack_auth` carries the start-up token check; without one, /healthz runs
    auth.test itself the first time it is asked."""
    web = Flask("oov-bot")
    web.config["MAX_CONTENT_LENGTH"] = 1 * 1024 * 1024  # Slack payloads are far smaller
    if slack_auth is None and bolt_app is not None and ctx.slack is not None:
        slack_auth = SlackAuth(ctx.gateway)
    slack_handler = (
        SlackRequestHandler(bolt_app) if bolt_app and not ctx.settings.socket_mode else None
    )

    @web.post("/slack/events")
    def slack_events() -> Response | tuple[Response, int]:
        if slack_handler is None:
            reason = (
                "Socket Mode is on (SLACK_APP_TOKEN): Slack talks over the socket, not here"
                if ctx.settings.socket_mode
                else ctx.settings.slack_missing_reason()
            )
            return jsonify(error="slack_not_configured", detail=reason), 503
        return slack_handler.handle(request)

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
