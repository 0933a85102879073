"""Building blocks for benchmarks that play Slack towards oov-bot over real HTTP.

- `ServedApp`: a WSGI app (oov-bot or a bare Bolt app) served by waitress in its own process, so
  the server never shares a GIL with the load generator.
- `SlashCommands`: correctly signed slash-command requests, as Slack sends them.
- `run_batch`: N requests from a pool of threads, each with its own persistent requests.Session.
- `LatencyStats`: p50/p99/max and throughput of the latencies measured.
- `bench_main`, `progress`, `database_label`, table cells, ...: what every benchmark script shares.

A server process is this module run as `python -m bench.common serve --app oov-bot ...`.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import urlencode

import requests
from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from waitress.server import create_server

import bot.app
from bot.cli import setup_logging
from bot.core.config_files import ConfigError
from bot.features import import_config, load_config
from bot.settings import Settings
from bot.web import create_web_app
from handlers.feature import Feature
from storage.session import Database, normalise_url
from testkit.fake_slack import APP_ID, TEAM_DOMAIN, TEAM_ID
from testkit.slack_requests import (
    DEFAULT_CHANNEL_ID,
    DEFAULT_USER_ID,
    VERIFICATION_TOKEN,
    slack_signature,
)
from testkit.team_config import copy_config

REPO = Path(__file__).resolve().parent.parent
CONFIG_DIR = REPO / "config"
SIGNING_SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-bench"
EVENTS_PATH = "/slack/events"

OOV_BOT = "oov-bot"
BARE_BOLT = "bare"
APP_KINDS = (OOV_BOT, BARE_BOLT)
DEFAULT_THREADS: int = Settings.model_fields["oov_web_threads"].default

T = TypeVar("T")


def slash_body(command: str, text: str, response_url: str, serial: int) -> str:
    return urlencode(
        {
            "token": VERIFICATION_TOKEN,
            "team_id": TEAM_ID,
            "team_domain": TEAM_DOMAIN,
            "channel_id": DEFAULT_CHANNEL_ID,
            "channel_name": "teamoverleg",
            "user_id": DEFAULT_USER_ID,
            "user_name": "aov.tester",
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": f"1700000000.{serial}.0123456789abcdef0123456789abcdef",
        }
    )


class BenchError(Exception):
    """The benchmark could not run (a server did not start, requests failed, ...)."""


# -- the apps under test (built inside the server process) ---------------------------------------


def _settings(slack_api_url: str, database_url: str, config_dir: Path = CONFIG_DIR) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        # Explicit, so a SLACK_APP_TOKEN in the environment cannot switch on Socket Mode.
        slack_app_token=None,
        slack_api_url=slack_api_url,
        database_url=database_url,
        oov_config_dir=config_dir,
    )


def build_oov_bot(slack_api_url: str, database_url: str, config_dir: Path) -> Any:
    """oov-bot's WSGI app as `oov-bot serve` builds it (without the migration step: see
    `prepare_database`)."""
    ctx = bot.app.create_context(_settings(slack_api_url, database_url, config_dir))
    return create_web_app(ctx, bot.app.create_bolt_app(ctx))


def build_bare_bolt(slack_api_url: str) -> Any:
    """The floor: oov-bot's own Bolt set-up (`create_bolt_app`) with a single listener, a /wie
    that only acknowledges, on Bolt's plain WSGI adapter."""

    def register(app: App, _ctx: object) -> None:
        @app.command("/wie")
        def wie(ack: Ack) -> None:
            ack()

    # One feature instead of all, so the App gets exactly the options oov-bot gives it, now and
    # after any change to create_bolt_app.
    ctx = bot.app.create_context(_settings(slack_api_url, "sqlite://"))  # never queried
    bolt = bot.app.create_bolt_app(ctx, [Feature(name="bare", listeners=register)])
    if bolt is None:
        raise BenchError("create_bolt_app made no Bolt app")
    return SlackRequestHandler(bolt, path=EVENTS_PATH)


def prepare_database(database_url: str, config_dir: Path = CONFIG_DIR) -> None:
    """Migrate the database and import `config_dir` into it, as `oov-bot import` does."""
    try:
        db = Database(database_url)
    except (ArgumentError, ImportError) as exc:
        raise BenchError(f"unusable database URL: {exc}") from exc
    if config_dir == CONFIG_DIR:
        # The bench asks as the test team's Slack IDs; only team members may read the team's
        # data, so the bundled config is used with those IDs filled in.
        config_dir = copy_config(Path(tempfile.mkdtemp(prefix="oov-bench-config-")))
    try:
        db.upgrade()
        import_config(db, load_config(config_dir), datetime.now(UTC))
    except SQLAlchemyError as exc:
        raise BenchError(
            f"could not prepare the database: {exc.__class__.__name__}: {exc}"
        ) from exc
    except ConfigError as exc:
        raise BenchError(f"{config_dir} is invalid: {'; '.join(map(str, exc.problems))}") from exc
    finally:
        db.dispose()


def serve_main(argv: Sequence[str] | None = None) -> int:
    """Server process: build the app, bind waitress to a free port, report it, serve forever."""
    parser = argparse.ArgumentParser(prog="python -m bench.common serve")
    parser.add_argument("--app", choices=APP_KINDS, required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--slack-api-url", required=True)
    parser.add_argument("--database-url")
    parser.add_argument("--config-dir", type=Path, default=CONFIG_DIR)
    parser.add_argument("--ready-file", type=Path, required=True)
    args = parser.parse_args(argv)

    setup_logging()  # the production log configuration, for both apps alike
    if args.app == OOV_BOT:
        if not args.database_url:
            parser.error("--database-url is required for oov-bot")
        wsgi = build_oov_bot(args.slack_api_url, args.database_url, args.config_dir)
    else:
        wsgi = build_bare_bolt(args.slack_api_url)
    serve_on_free_port(wsgi, args.threads, args.ready_file)
    return 0


def serve_on_free_port(wsgi: Any, threads: int, ready_file: Path) -> None:
    """Bind waitress to a free port, write the port to `ready_file`, serve forever."""
    # The same server settings as bot.web.serve.
    server = create_server(wsgi, host="127.0.0.1", port=0, threads=threads, ident="oov-bot")
    partial = ready_file.with_suffix(".partial")
    partial.write_text(str(server.effective_port))
    partial.replace(ready_file)  # atomic: the parent never reads half a port number
    server.run()


def stop_process(process: subprocess.Popen[bytes], timeout: float = 5.0) -> None:
    """Terminate `process`, and kill it when it does not end within `timeout` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class ServedApp:
    """One app served by waitress in a child process; `url` is its base URL once started.

    with ServedApp(OOV_BOT, workdir, threads=8, slack_api_url=fake.url, database_url=url) as app:
        requests.post(app.url + "/slack/events", ...)
    """

    def __init__(
        self,
        kind: str,
        workdir: Path,
        *,
        threads: int,
        slack_api_url: str,
        database_url: str | None = None,
        config_dir: Path = CONFIG_DIR,
    ) -> None:
        self.kind = kind
        self._ready_file = workdir / f"{kind}.port"
        self._log_file = workdir / f"{kind}.log"
        self._command = [
            sys.executable,
            "-m",
            "bench.common",
            "serve",
            f"--app={kind}",
            f"--threads={threads}",
            f"--slack-api-url={slack_api_url}",
            f"--config-dir={config_dir}",
            f"--ready-file={self._ready_file}",
        ]
        if database_url:
            self._command.append(f"--database-url={database_url}")
        self._process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def launch(self) -> None:
        """Start the process without waiting; `wait_ready` waits (start several, then wait)."""
        with self._log_file.open("wb") as log:
            self._process = subprocess.Popen(
                self._command,
                cwd=REPO,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self, timeout: float = 60.0) -> str:
        if self._process is None:
            raise BenchError(f"{self.kind}: not launched")
        deadline = time.monotonic() + timeout
        while not self._ready_file.exists():
            if self._process.poll() is not None:
                raise BenchError(f"{self.kind} server exited at start-up:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise BenchError(f"{self.kind} server not ready after {timeout:.0f} s")
            time.sleep(0.02)
        self.url = f"http://127.0.0.1:{int(self._ready_file.read_text())}"
        return self.url

    def cpu_seconds(self) -> float | None:
        """CPU time (user + system, all threads) the server process used so far; None where
        /proc is unavailable (not Linux)."""
        if self._process is None:
            return None
        try:
            stat = Path(f"/proc/{self._process.pid}/stat").read_text()
        except OSError:
            return None
        # Fields after "(command)": state is the first, utime the 12th, stime the 13th.
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self._log_file.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self._process is not None:
            stop_process(self._process)

    def __enter__(self) -> Self:
        self.launch()
        self.wait_ready()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def start_servers(servers: ExitStack, apps: Iterable[ServedApp]) -> None:
    """Launch every app, then wait for all of them (they start in parallel); `servers` stops
    them when it closes."""
    apps = list(apps)
    for app in apps:
        servers.callback(app.stop)
        app.launch()
    for app in apps:
        app.wait_ready()


# -- playing Slack ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HttpCall:
    url: str
    body: bytes
    headers: dict[str, str]
    method: str = "POST"


class SlashCommands:
    """Signed slash-command requests for an app at `base_url`, fields in the order Slack sends
    them. Bodies are built once per text; only the timestamp and signature change per request
    (Slack apps reject timestamps older than 5 minutes)."""

    def __init__(
        self, base_url: str, command: str, texts: Sequence[str], response_url: str
    ) -> None:
        self.url = base_url.rstrip("/") + EVENTS_PATH
        self._bodies = [
            slash_body(command, text, response_url, serial) for serial, text in enumerate(texts, 1)
        ]

    def __len__(self) -> int:
        return len(self._bodies)

    def call(self, index: int) -> HttpCall:
        """The request for text `index` (modulo the number of texts), signed now."""
        body = self._bodies[index % len(self._bodies)]
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": slack_signature(SIGNING_SECRET, timestamp, body),
        }
        return HttpCall(self.url, body.encode(), headers)


# -- load ------------------------------------------------------------------------------------------


ResponseCheck = Callable[[requests.Response], str | None]
"""None when a response is what the app should answer, else what is wrong with it."""


@dataclass
class BatchResult:
    latencies: list[float] = field(default_factory=list)  # seconds, of the successful requests
    failures: list[str] = field(default_factory=list)
    wall_seconds: float = 0.0
    server_cpu_seconds: float | None = 0.0  # None when it could not be measured

    def add(self, other: BatchResult) -> None:
        self.latencies.extend(other.latencies)
        self.failures.extend(other.failures)
        self.wall_seconds += other.wall_seconds
        if self.server_cpu_seconds is None or other.server_cpu_seconds is None:
            self.server_cpu_seconds = None
        else:
            self.server_cpu_seconds += other.server_cpu_seconds


def new_sessions(count: int) -> list[requests.Session]:
    """Persistent sessions (kept-alive connections), one per load thread."""
    return [requests.Session() for _ in range(count)]


def run_batch(
    sessions: Sequence[requests.Session],
    make_call: Callable[[int], HttpCall],
    check: ResponseCheck,
    count: int,
    *,
    first_index: int = 0,
    timeout: float = 30.0,
) -> BatchResult:
    """Send `count` requests from len(sessions) threads, each with its own session, each sending
    its next request as soon as its previous one is answered (closed-loop load)."""
    result = BatchResult()
    indexes = itertools.count(first_index)  # next() on itertools.count is atomic in CPython
    end = first_index + count

    def worker(session: requests.Session) -> None:
        while (index := next(indexes)) < end:
            call = make_call(index)
            started = time.perf_counter()
            try:
                response = session.request(
                    call.method, call.url, data=call.body, headers=call.headers, timeout=timeout
                )
            except requests.RequestException as exc:
                result.failures.append(f"{exc.__class__.__name__}: {exc}")
                continue
            result.latencies.append(time.perf_counter() - started)
            if (problem := check(response)) is not None:
                result.failures.append(problem)

    threads = [threading.Thread(target=worker, args=(session,)) for session in sessions]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall_seconds = time.perf_counter() - started
    return result


def cpu_since(server: ServedApp, before: float | None) -> float | None:
    """The CPU seconds `server` used since its `cpu_seconds()` was `before` (None: unknown)."""
    after = server.cpu_seconds()
    return None if before is None or after is None else after - before


@dataclass(frozen=True)
class LatencyStats:
    """Latencies in milliseconds; `per_second` is completed requests per second of wall time;
    `server_cpu_ms` is the server's CPU time per request (None when not measured)."""

    count: int
    p50: float
    p99: float
    max: float
    per_second: float
    server_cpu_ms: float | None

    @classmethod
    def of(cls, result: BatchResult) -> LatencyStats:
        ms = sorted(value * 1000 for value in result.latencies)
        if len(ms) < 2:
            raise BenchError("need at least two measured requests for percentiles")
        cuts = statistics.quantiles(ms, n=100, method="inclusive")
        cpu = result.server_cpu_seconds
        return cls(
            count=len(ms),
            p50=cuts[49],
            p99=cuts[98],
            max=ms[-1],
            per_second=len(ms) / result.wall_seconds if result.wall_seconds > 0 else 0.0,
            server_cpu_ms=None if cpu is None else cpu * 1000 / len(ms),
        )


def abba(order: Sequence[T], round_number: int) -> Sequence[T]:
    """`order` in even rounds, reversed in odd ones (ABBA): none always runs right after another,
    so drift on the machine hits all alike."""
    return order if round_number % 2 == 0 else order[::-1]


# -- the printed report ----------------------------------------------------------------------------

LATENCY_HEADER = f"{'requests':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'req/s':>7}"


def latency_cells(stats: LatencyStats) -> str:
    """The columns under LATENCY_HEADER."""
    s = stats
    return f"{s.count:>8} {s.p50:>8.2f} {s.p99:>8.2f} {s.max:>8.1f} {s.per_second:>7.0f}"


def cpu_ms(stats: LatencyStats) -> str:
    return "n/a" if stats.server_cpu_ms is None else f"{stats.server_cpu_ms:.2f}"


def result_line(misses: Sequence[str]) -> str:
    return "Result: met." if not misses else f"Result: NOT met — {'; '.join(misses)}."


def cpu_summary() -> str:
    return f"{os.cpu_count()} CPU, Python {sys.version.split()[0]}"


def masked_url(url: str) -> str:
    """`url` as the app connects to it, password hidden."""
    return make_url(normalise_url(url)).render_as_string(hide_password=True)


def database_label(url: str | None) -> str:
    """What a benchmark's heading says about its database (None: the temporary SQLite file)."""
    if url is None:
        return "SQLite (temporary file)"
    return f"{make_url(normalise_url(url)).get_backend_name()} ({masked_url(url)})"


def progress(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


# -- the script ------------------------------------------------------------------------------------


def add_threads_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--threads",
        type=int,
        default=DEFAULT_THREADS,
        help=f"{what} (default: OOV_WEB_THREADS' default, %(default)s)",
    )


def bench_main(
    parse_args: Callable[[Sequence[str] | None], argparse.Namespace],
    run: Callable[[argparse.Namespace], list[str]],
    argv: Sequence[str] | None = None,
) -> int:
    """Parse the arguments, run, print the report: exit code 0 whenever it measured, 1 (and the
    reason on stderr, no traceback) when a BenchError says it could not run."""
    args = parse_args(argv)
    try:
        lines = run(args)
    except BenchError as exc:
        print(f"The benchmark could not run: {exc}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] != ["serve"]:
        raise SystemExit("usage: python -m bench.common serve --app ... (started by benchmarks)")
    raise SystemExit(serve_main(sys.argv[2:]))
