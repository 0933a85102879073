"""HTTP routes (DESIGN.md § HTTP routes) on Flask, served by waitress."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from sqlalchemy.exc import SQLAlchemyError

from bot.context import AppContext
from bot.features import routes

log = logging.getLogger(__name__)


def create_web_app(ctx: AppContext, bolt_app: App | None) -> Flask:
    web = Flask("oov-bot")
    web.config["MAX_CONTENT_LENGTH"] = 1 * 1024 * 1024  # Slack payloads are far smaller
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
        return jsonify(status="ok", database="ok", slack=bool(bolt_app)), 200

    # The features' own routes (e.g. the piket iCal feeds), served with or without Slack.
    for route in routes():
        web.add_url_rule(route.rule, route.endpoint, route.view(ctx), methods=list(route.methods))

    return web


def serve(web: Flask, *, host: str, port: int, threads: int) -> None:
    """Serve on waitress: a production WSGI server with a thread pool, no development server."""
    from waitress import serve as waitress_serve

    waitress_serve(web, host=host, port=port, threads=threads, ident="oov-bot")
