"""A PostgreSQL server of one test's own, in a temporary directory on a free port, that the test
may stop and start. The shared test server (scripts/ensure-postgres.sh) must never be stopped:
other test runs on the machine use it at the same time."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from testkit.database import postgres_url

SERVER_USER = "postgres"  # initdb and postgres refuse to run as root


def _bin_dir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parts[-3])
    if not found:
        postgres_url()  # installs the server (or fails the test saying why)
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ThrowawayPostgres:
    def __init__(self, root: Path) -> None:
        self.bin = _bin_dir()
        self.root = root
        self.data = root / "data"
        self.port = _free_port()
        self.url = f"postgresql://{SERVER_USER}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {(done.stderr or done.stdout).strip()[-500:]}")

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, SERVER_USER)
        self._run("initdb", "-D", str(self.data), "-U", SERVER_USER, "-A", "trust", "-E", "UTF8",
                  "--no-sync", "--no-instructions")  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-o", options,
                  "-w", "-t", "30", "start")  # fmt: skip

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")


@contextmanager
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    # Not pytest's tmp_path: its parents are private to root, and the server runs as postgres.
    root = Path(tempfile.mkdtemp(prefix="oov-pg-"))
    server = ThrowawayPostgres(root)
    try:
        server.init()
        server.start()
        yield server
    finally:
        subprocess.run(
            [str(server.bin / "pg_ctl"), "-D", str(server.data), "-m", "immediate", "stop"]
            if os.geteuid() != 0
            else ["runuser", "-u", SERVER_USER, "--", str(server.bin / "pg_ctl"), "-D",
                  str(server.data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=30,
            check=False,
        )  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)
