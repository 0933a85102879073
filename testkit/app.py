"""oov-bot itself, assembled as `oov-bot serve` does and served over real HTTP by waitress in a
thread, talking to the fake Slack."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slack_bolt import App
from waitress.server import create_server

from bot.app import build_read_models, create_bolt_app, create_context
from bot.context import AppContext
from bot.features import import_config, load_config
from bot.settings import Settings
from bot.web import create_web_app
from storage.session import Database
from testkit.clock import FixedClock
from testkit.fake_slack import FakeSlack
from testkit.slack_requests import SignedSlackClient
from testkit.team_config import CONFIG_DIR

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test"


def make_settings(**overrides: Any) -> Settings:
    """Settings from these values only: no .env file, so a developer's .env cannot leak in."""
    return Settings(_env_file=None, **overrides)  # type: ignore[call-arg]


class BackgroundServer:
    """A waitress server in a thread that stops cleanly (waitress' own run() loop cannot be
    stopped from another thread without tripping over its closed sockets)."""

    def __init__(
        self, app: Any, threads: int = 8, on_close: Callable[[], None] | None = None
    ) -> None:
        self._server = create_server(app, host="127.0.0.1", port=0, threads=threads)
        self._on_close = on_close
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="waitress", daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.effective_port}"

    def _run(self) -> None:
        while not self._stop.is_set():
            self._server.asyncore.loop(timeout=0.05, map=self._server._map, count=1)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._server.close()
        # Stop the worker threads too: idle ones keep the whole app (its read models, engine
        # caches) alive, and a session of bots left behind grows the test process's heap until
        # one full collection takes longer than Slack's 3-second acknowledgement.
        self._server.task_dispatcher.shutdown(timeout=5)
        if self._on_close is not None:
            self._on_close()


@dataclass
class RunningBot:
    url: str
    ctx: AppContext
    slack: SignedSlackClient
    fake: FakeSlack
    clock: FixedClock


def assembled_bolt_app() -> App:
    """The Bolt app with every feature's listeners, without a server or a database to answer
    from: for tests that read what is registered (Bolt's listener list)."""
    settings = make_settings(
        database_url="sqlite://",
        slack_bot_token="xoxb-assembled",
        slack_signing_secret="assembled",
        slack_api_url="http://127.0.0.1:9/api/",
    )
    app = create_bolt_app(create_context(settings))
    assert app is not None
    return app


def start_bot(
    db: Database,
    fake: FakeSlack | None,
    clock: FixedClock,
    *,
    config_dir: Path = CONFIG_DIR,
    import_config_dir: bool = True,
    **settings: Any,
) -> tuple[RunningBot, BackgroundServer]:
    """oov-bot over HTTP on a free port, with `config_dir` imported; close the server after."""
    values: dict[str, Any] = {
        "database_url": db.url,
        "oov_config_dir": config_dir,
    }
    if fake is not None:
        values |= {
            "slack_bot_token": BOT_TOKEN,
            "slack_signing_secret": SIGNING_SECRET,
            "slack_api_url": fake.url,
        }
    values |= settings
    ctx = create_context(make_settings(**values), db=db, clock=clock)
    if import_config_dir:
        import_config(db, load_config(config_dir), clock())
    bolt = create_bolt_app(ctx)
    build_read_models(ctx)  # as `oov-bot serve` does before serving
    web = create_web_app(ctx, bolt)

    def close() -> None:
        bolt.listener_runner.listener_executor.shutdown(wait=True)
        ctx.close()

    server = BackgroundServer(web, on_close=close)
    url = server.url
    client = SignedSlackClient(
        url,
        SIGNING_SECRET,
        response_urls=fake.response_url if fake else None,
        check_reply=fake.check_reply if fake else None,
    )
    if fake is not None:
        fake.apps.append(bolt)  # for the contract check: every rendered action_id is handled
    return RunningBot(url=url, ctx=ctx, slack=client, fake=fake, clock=clock), server  # type: ignore[arg-type]
