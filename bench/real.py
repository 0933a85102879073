"""The real processes and a client far cheaper than they are (issue 10).

- `Server`: `oov-bot serve`, `oov-bot run` (the console script, as the Procfile and the README
  start it) or the floor, `bench/bare_app.py` (slack_bolt + Flask only), each on waitress with the
  same threads, started in a directory of its own with its settings in the environment; it knows
  when it answered /healthz first, its RSS and CPU time, and its OOV_GC_LOG.
- `Client`: raw keep-alive HTTP/1.1 over sockets, one connection per load thread; requests are
  bytes built (and signed) before the timed loop, so the client spends tens of microseconds per
  request where the server spends milliseconds.
- `GcLog`: the collections a server made, read from its OOV_GC_LOG (bot/heap.py), so a benchmark
  can count and time the full collections that fell in its measured window.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import BOT_TOKEN, REPO, SIGNING_SECRET, BenchError, slash_body, stop_process
from testkit.slack_requests import (
    slack_signature,
)

SERVE, RUN, BARE = "serve", "run", "bare"
KINDS = (SERVE, RUN, BARE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def oov_bot_command() -> list[str]:
    """The `oov-bot` console script of this interpreter's environment (what the Procfile runs);
    `python -m bot.cli` where there is none."""
    script = Path(sys.executable).with_name("oov-bot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


# -- the server processes ---------------------------------------------------------------------


@dataclass(frozen=True)
class Collection:
    at: float  # time.monotonic() when it began (the same clock in every process on Linux)
    generation: int
    ms: float  # wall time: what the other threads waited
    cpu_ms: float  # the collecting thread's CPU time: the collector's own work


@dataclass
class GcLog:
    """A server's OOV_GC_LOG: the objects it held at start and its collections."""

    start_objects: int | None = None
    collections: list[Collection] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path) -> GcLog:
        log = cls()
        try:
            text = path.read_text(encoding="ascii")
        except FileNotFoundError:
            return log
        for line in text.splitlines():
            parts = line.split()
            if len(parts) == 4 and parts[1] == "start":
                log.start_objects = int(parts[2])
            elif len(parts) == 5:  # shorter: a line being written
                at, generation, ms, _, cpu_ms = parts
                found = Collection(float(at), int(generation), float(ms), float(cpu_ms))
                log.collections.append(found)
        return log

    def within(self, windows: Sequence[tuple[float, float]]) -> list[Collection]:
        return [c for c in self.collections if any(a <= c.at <= b for a, b in windows)]


class Server:
    """One server process on a free port. `kind`: SERVE, RUN or BARE."""

    def __init__(
        self,
        kind: str,
        workdir: Path,
        *,
        threads: int,
        slack_api_url: str,
        database_url: str = "",
        config_dir: Path | None = None,
        static_dir: Path | None = None,
        extra_env: dict[str, str] | None = None,
        name: str = "",
    ) -> None:
        self.kind = kind
        self.name = name or kind
        self.workdir = workdir / self.name
        self.port = 0
        self.gc_log_path = self.workdir / "gc.log"
        self._log_path = self.workdir / "server.log"
        self._process: subprocess.Popen[bytes] | None = None
        self.launched_at = 0.0
        self.healthy_after: float | None = None  # seconds from launch to the first 200 /healthz
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SLACK_", "OOV_", "DATABASE_URL", "PORT"))
        }
        if slack_api_url or kind == BARE:
            # No URL: no Slack for oov-bot (feeds only); the bare app never calls the Web API,
            # but gets a closed local port rather than slack.com all the same.
            env |= {
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": slack_api_url or "http://127.0.0.1:9/api/",
            }
        env |= {
            "OOV_WEB_THREADS": str(threads),
            "OOV_GC_LOG": str(self.gc_log_path),
            "PYTHONDONTWRITEBYTECODE": "",
        }
        if database_url:
            env["DATABASE_URL"] = database_url
        if config_dir is not None:
            env["OOV_CONFIG_DIR"] = str(config_dir)
        if static_dir is not None:
            env["OOV_BENCH_STATIC_DIR"] = str(static_dir)
        self._env = env | (extra_env or {})
        if kind == BARE:
            self._command = [sys.executable, str(REPO / "bench" / "bare_app.py")]
        elif kind in (SERVE, RUN):
            self._command = [*oov_bot_command(), kind]
        else:
            raise ValueError(kind)

    def launch(self) -> None:
        if self.workdir.exists():
            shutil.rmtree(self.workdir)
        self.workdir.mkdir(parents=True)  # its own cwd: no .env of the repository is read
        self.port = free_port()
        with self._log_path.open("wb") as log:
            self.launched_at = time.monotonic()
            self._process = subprocess.Popen(
                self._command,
                cwd=self.workdir,
                env=self._env | {"PORT": str(self.port)},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_healthy(self, timeout: float = 90.0) -> float:
        """Poll /healthz every 5 ms until it answers 200; the seconds since launch."""
        if self._process is None:
            raise BenchError(f"{self.name}: not launched")
        deadline = self.launched_at + timeout
        request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        while True:
            if self._process.poll() is not None:
                raise BenchError(f"{self.name} exited at start-up:\n{self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
                    status, _ = Connection(sock).exchange(request)
                if status == 200:
                    self.healthy_after = time.monotonic() - self.launched_at
                    return self.healthy_after
            except OSError:
                pass
            if time.monotonic() > deadline:
                tail = self.log_tail()
                raise BenchError(f"{self.name} not healthy after {timeout:.0f} s:\n{tail}")
            time.sleep(0.005)

    def _proc(self, name: str) -> str | None:
        if self._process is None:
            return None
        try:
            return Path(f"/proc/{self._process.pid}/{name}").read_text()
        except OSError:
            return None

    def cpu_seconds(self) -> float | None:
        stat = self._proc("stat")
        if stat is None:
            return None
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mib(self) -> float | None:
        status = self._proc("status")
        if status is None:
            return None
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return None

    def gc_log(self) -> GcLog:
        return GcLog.read(self.gc_log_path)

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self._log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self._process is not None:
            stop_process(self._process, timeout=10)
            self._process = None


def start_all(servers: Sequence[Server]) -> None:
    """Launch all, then wait for each to be healthy (they start in parallel)."""
    for server in servers:
        server.launch()
    for server in servers:
        server.wait_healthy()


# -- the client -------------------------------------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection; `exchange` sends request bytes, returns (status,
    body)."""

    def __init__(self, sock: socket.socket) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock = sock
        self._buffer = b""
        self.closed = False  # the server said "Connection: close" (waitress does on every 304)

    def _more(self) -> None:
        chunk = self._sock.recv(262144)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self._buffer += chunk

    def exchange(self, request: bytes) -> tuple[int, bytes]:
        self._sock.sendall(request)
        while (end := self._buffer.find(b"\r\n\r\n")) < 0:
            self._more()
        head = self._buffer[:end]
        self._buffer = self._buffer[end + 4 :]
        status = int(head[9:12])
        length, chunked = 0, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            elif name == b"connection" and b"close" in value.lower():
                self.closed = True
        if status in (204, 304) or 100 <= status < 200:
            return status, b""  # never a body, whatever Content-Length says (RFC 9110 § 6.4.1)
        if chunked:
            return status, self._chunks()
        while len(self._buffer) < length:
            self._more()
        body, self._buffer = self._buffer[:length], self._buffer[length:]
        return status, body

    def _chunks(self) -> bytes:
        body = b""
        while True:
            while (end := self._buffer.find(b"\r\n")) < 0:
                self._more()
            size = int(self._buffer[:end].split(b";")[0], 16)
            self._buffer = self._buffer[end + 2 :]
            while len(self._buffer) < size + 2:
                self._more()
            body += self._buffer[:size]
            self._buffer = self._buffer[size + 2 :]
            if size == 0:
                return body

    def close(self) -> None:
        self._sock.close()


Check = Callable[[int, bytes], str | None]
"""None when (status, body) is the answer expected, else what is wrong."""


@dataclass
class Batch:
    latencies: list[float] = field(default_factory=list)  # seconds
    failures: list[str] = field(default_factory=list)
    window: tuple[float, float] = (0.0, 0.0)  # time.monotonic() at its start and end
    client_cpu: float = 0.0  # the client process's CPU seconds during the batch
    server_cpu: float | None = None

    @property
    def wall(self) -> float:
        return self.window[1] - self.window[0]


class Client:
    """Up to `max_concurrency` keep-alive connections to one server, reused across batches."""

    def __init__(self, port: int, max_concurrency: int) -> None:
        self._port = port
        self._connections: list[Connection | None] = [None] * max_concurrency

    def _connection(self, slot: int) -> Connection:
        connection = self._connections[slot]
        if connection is None:
            sock = socket.create_connection(("127.0.0.1", self._port), timeout=60)
            connection = self._connections[slot] = Connection(sock)
        return connection

    def batch(
        self,
        requests: Sequence[bytes],
        concurrency: int,
        check: Check,
        server: Server | None = None,
    ) -> Batch:
        """Send every request (closed loop: each thread sends its next when its previous one is
        answered) from `concurrency` threads."""
        result = Batch()
        indexes = itertools.count()  # next() on itertools.count is atomic in CPython
        total = len(requests)
        for slot in range(concurrency):
            self._connection(slot)  # connect before the clock starts

        def worker(slot: int) -> None:
            connection = self._connection(slot)
            latencies, failures = [], []
            while (index := next(indexes)) < total:
                request = requests[index]
                began = time.perf_counter()
                try:
                    status, body = connection.exchange(request)
                except OSError as exc:
                    failures.append(f"{exc.__class__.__name__}: {exc}")
                    self._connections[slot] = None
                    connection = self._connection(slot)
                    continue
                latencies.append(time.perf_counter() - began)
                if (problem := check(status, body)) is not None:
                    failures.append(problem)
                if connection.closed:  # reconnect outside the timing, as a new client would
                    connection.close()
                    self._connections[slot] = None
                    connection = self._connection(slot)
            with lock:
                result.latencies.extend(latencies)
                result.failures.extend(failures)

        lock = threading.Lock()
        threads = [threading.Thread(target=worker, args=(slot,)) for slot in range(concurrency)]
        server_cpu = server.cpu_seconds() if server else None
        cpu = time.process_time()
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        result.window = (began, time.monotonic())
        result.client_cpu = time.process_time() - cpu
        after = server.cpu_seconds() if server else None
        if server_cpu is not None and after is not None:
            result.server_cpu = after - server_cpu
        return result

    def close(self) -> None:
        for connection in self._connections:
            if connection is not None:
                connection.close()
        self._connections = [None] * len(self._connections)


# -- requests as Slack sends them ---------------------------------------------------------------


class SignedSlash:
    """Slash-command requests as raw bytes, signed when built: build a batch's requests right
    before sending them (Slack apps refuse timestamps over 5 minutes old)."""

    def __init__(self, command: str, texts: Sequence[str], response_url: str) -> None:
        self.command = command
        self.texts = tuple(texts)
        self._bodies = [
            slash_body(command, text, response_url, n) for n, text in enumerate(texts, 1)
        ]
        self._sent = 0

    def build(self, count: int) -> list[bytes]:
        """The next `count` requests, cycling through the texts, all signed now."""
        timestamp = int(time.time())
        built = []
        for n in range(self._sent, self._sent + count):
            body = self._bodies[n % len(self._bodies)]
            built.append(
                (
                    "POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    "Content-Type: application/x-www-form-urlencoded\r\n"
                    f"Content-Length: {len(body)}\r\n"
                    f"X-Slack-Request-Timestamp: {timestamp}\r\n"
                    f"X-Slack-Signature: {slack_signature(SIGNING_SECRET, timestamp, body)}\r\n"
                    f"\r\n{body}"
                ).encode()
            )
        self._sent += count
        return built


def get_request(path: str, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()
