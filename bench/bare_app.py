"""The floor the benchmarks divide by: a Bolt app that imports only slack_bolt and Flask, served
as `oov-bot serve` serves (waitress, the same threads and ident, on 0.0.0.0:PORT). Its Slack
requests go through Bolt's Flask adapter, the floor issue 10 defines; oov-bot's skip Flask
(bot.web.SlackEventsFirst), so Flask's cost per request is part of oov-bot's margin (README).

Its slash commands only acknowledge; /healthz answers {"status": "ok"}; /static/<name> serves a
file from OOV_BENCH_STATIC_DIR with werkzeug's own ETag and 304 handling (the feed benchmark's
floor). Settings come from the same environment variables oov-bot reads. With OOV_GC_LOG set it
logs collections in bot/heap.py's format (plus a `start` line with the tracked objects), so the
benchmarks count the floor's pauses the same way; it never freezes or tunes the collector.

    SLACK_SIGNING_SECRET=s SLACK_BOT_TOKEN=t SLACK_API_URL=u PORT=8080 python bench/bare_app.py
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from flask import Flask, abort, jsonify, send_from_directory
from slack_bolt import Ack, App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk import WebClient
from waitress.server import create_server

COMMANDS = ("/wie", "/taken", "/overleg", "/acties", "/piket")


def gc_logger(path: Path) -> Any:
    """bot/heap.py's OOV_GC_LOG callback, repeated here: the floor must not import oov-bot."""
    out = path.open("a", encoding="ascii", buffering=1)
    started: dict[int, tuple[float, float]] = {}
    lock = threading.Lock()

    def callback(phase: str, info: dict[str, Any]) -> None:
        now, cpu = time.monotonic(), time.thread_time()
        thread = threading.get_ident()
        if phase == "start":
            started[thread] = (now, cpu)
            return
        began = started.pop(thread, None)
        if began is None:
            return
        generation = info.get("generation", -1)
        ms, cpu_ms = (now - began[0]) * 1000, (cpu - began[1]) * 1000
        if generation == 2 or ms > 1.0:
            collected = info.get("collected", 0)
            line = f"{began[0]:.6f} {generation} {ms:.3f} {collected} {cpu_ms:.3f}\n"
            with lock:
                out.write(line)

    return out, callback


def main() -> None:
    # oov-bot's log format and level (bot.cli.setup_logging), so both write alike.
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    client = WebClient(
        token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ.get("SLACK_API_URL") or None
    )
    bolt = App(
        client=client,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        token_verification_enabled=False,
    )

    def acknowledge(ack: Ack) -> None:
        ack()

    for command in COMMANDS:
        bolt.command(command)(acknowledge)

    web = Flask("bare")
    handler = SlackRequestHandler(bolt)
    static_dir = os.environ.get("OOV_BENCH_STATIC_DIR")

    from flask import request

    @web.post("/slack/events")
    def slack_events() -> Any:
        return handler.handle(request)

    @web.get("/healthz")
    def healthz() -> Any:
        return jsonify(status="ok")

    @web.get("/static/<name>")
    def static_file(name: str) -> Any:
        if not static_dir:
            abort(404)
        return send_from_directory(static_dir, name, mimetype="text/calendar", max_age=300)

    server = create_server(
        web,
        host="0.0.0.0",
        port=int(os.environ["PORT"]),
        threads=int(os.environ.get("OOV_WEB_THREADS", "8")),
        ident="oov-bot",
    )
    if log_path := os.environ.get("OOV_GC_LOG"):
        out, callback = gc_logger(Path(log_path))
        out.write(f"{time.monotonic():.6f} start {len(gc.get_objects())} 0\n")
        gc.callbacks.append(callback)
    server.print_listen("Serving on http://{}:{}")
    server.run()


if __name__ == "__main__":
    main()
