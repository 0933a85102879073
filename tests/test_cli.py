"""The `oov-bot` console script as an operator uses it: real processes, real files."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from testkit.fake_slack import FakeSlack
from testkit.team_config import CONFIG_DIR

OOV_BOT = str(Path(sys.executable).with_name("oov-bot"))


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DATABASE_URL", "OOV_", "PORT"))
    }
    env |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'oov.db'}", "OOV_CONFIG_DIR": str(CONFIG_DIR)}
    return env | extra


def run(
    args: list[str], tmp_path: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [OOV_BOT, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(tmp_path, **env),
        timeout=60,
        check=False,
    )


def test_check_passes_on_the_bundled_config(tmp_path: Path) -> None:
    result = run(["check"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "6 personen, 59 taken" in result.stdout


def test_shell_answers_slash_commands_as_text_without_slack(tmp_path: Path) -> None:
    result = run(["shell"], tmp_path, stdin="/wie bibob\n/taken aov-1\nwie huisverbod\n/foo\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "BIBOB\n=====" in out
    assert "Wettelijke taak: Wet BIBOB" in out
    assert "Taken van AOV-er 1" in out
    assert "Huisverboden" in out
    assert "Onbekend commando /foo" in out
    assert "Traceback" not in out + result.stderr


def test_import_then_export_round_trip(tmp_path: Path) -> None:
    assert run(["db", "upgrade"], tmp_path).returncode == 0
    first = run(["import"], tmp_path)
    assert first.returncode == 0, first.stderr
    # 59 tasks and 6 people; feature files (piket, meetings) add lines of their own.
    assert (
        sum(
            line.startswith(("  nieuw: taak ", "  nieuw: persoon "))
            for line in first.stdout.splitlines()
        )
        == 65
    )
    second = run(["import"], tmp_path)
    assert second.stdout.startswith("0 nieuw, 0 bijgewerkt, 0 vervallen, 0 conflict(en)")
    exported = run(["export", "--dir", "out"], tmp_path)
    assert exported.returncode == 0, exported.stderr
    check = run(["check"], tmp_path, OOV_CONFIG_DIR=str(tmp_path / "out"))
    assert check.returncode == 0, check.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_run_without_slack_credentials_still_serves_and_says_why(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [OOV_BOT, "run"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=clean_env(tmp_path, PORT=str(port)),
    )
    try:
        health = wait_for_health(port, process)
        assert health.status_code == 200
        assert health.json() == {"status": "ok", "database": "ok", "slack": False}
        slack = requests.post(f"http://127.0.0.1:{port}/slack/events", data="x", timeout=5)
        assert slack.status_code == 503
        assert "SLACK_BOT_TOKEN" in slack.json()["detail"]
    finally:
        process.terminate()
        output = process.communicate(timeout=15)[0]
    warnings = [line for line in output.splitlines() if "Slack is not configured" in line]
    assert len(warnings) == 1, output


def wait_for_health(port: int, process: subprocess.Popen[str]) -> requests.Response:
    deadline = time.monotonic() + 30
    while True:
        try:
            return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
        except requests.ConnectionError:
            assert time.monotonic() < deadline, "oov-bot did not start listening"
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            time.sleep(0.2)


def test_socket_mode_uses_the_app_token_and_fails_loudly_when_slack_refuses_it(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    fake_slack.set_response("apps.connections.open", {"ok": False, "error": "invalid_auth"})
    env = clean_env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_APP_TOKEN="xapp-test",
        SLACK_API_URL=fake_slack.url,
        PORT=str(free_port()),
    )
    result = subprocess.run(
        [OOV_BOT, "serve"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Socket Mode: could not connect to Slack with SLACK_APP_TOKEN (invalid_auth)" in (
        result.stderr
    )
    call = fake_slack.wait_for("apps.connections.open")[0]
    assert call.headers["authorization"] == "Bearer xapp-test"
