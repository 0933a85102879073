"""The `oov-bot` console script as an operator uses it: real processes, real files."""

from __future__ import annotations

import argparse
import os
import pty
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from bot.cli import build_parser
from testkit.database import postgres_url, scratch_postgres_database
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


@contextmanager
def serving(command: str, tmp_path: Path) -> Iterator[tuple[int, list[str]]]:
    """`oov-bot <command>` on a free port until the block ends, then terminated; the list
    holds its output lines once the block is over."""
    port = free_port()
    process = subprocess.Popen(
        [OOV_BOT, command],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=clean_env(tmp_path, PORT=str(port)),
    )
    lines: list[str] = []
    try:
        assert wait_for_health(port, process).status_code == 200
        yield port, lines
    finally:
        process.terminate()
        lines += process.communicate(timeout=15)[0].splitlines()


def test_run_without_slack_credentials_still_serves_and_says_why(tmp_path: Path) -> None:
    with serving("run", tmp_path) as (port, output):
        health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        assert health.json() == {"status": "ok", "database": "ok", "slack": False}
        slack = requests.post(f"http://127.0.0.1:{port}/slack/events", data="x", timeout=5)
        assert slack.status_code == 503
        assert "SLACK_BOT_TOKEN" in slack.json()["detail"]
    warnings = [line for line in output if "Slack is not configured" in line]
    assert len(warnings) == 1, output
    assert not any("no team data" in line for line in output)  # run imported config/


def test_serve_on_a_database_without_team_data_says_to_import(tmp_path: Path) -> None:
    """The Procfile's release only migrates: a first deployment served, answered every command
    with nothing, and said nothing about `oov-bot import`."""
    assert run(["db", "upgrade"], tmp_path).returncode == 0
    with serving("serve", tmp_path) as (_port, output):
        pass
    warnings = [line for line in output if "no team data" in line]
    assert len(warnings) == 1, output
    assert "until `oov-bot import` loads" in warnings[0]


def test_run_on_a_port_in_use_stops_before_its_clock_starts(tmp_path: Path) -> None:
    """A second `run` (the first still up) started its clock, which claimed and posted what was
    due, and only then found the port taken."""
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        result = run(["run"], tmp_path, PORT=str(taken.getsockname()[1]))
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "oov-bot: het adres of de poort (PORT) is al in gebruik."
    )
    assert "clock started" not in result.stderr
    assert "Traceback" not in result.stderr


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
    assert run(["db", "upgrade"], tmp_path).returncode == 0  # `serve` leaves migrating to release
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


# --- operators: settings, errors, help, the shell, the token check --------------------------------


def test_log_level_in_dotenv_takes_effect(tmp_path: Path) -> None:
    line = "actie: @aov-1 belt de wijkagent voor vrijdag\n"
    chatty = run(["shell"], tmp_path, stdin=line)
    assert " INFO " in chatty.stderr and "action item #1 captured" in chatty.stderr
    (tmp_path / ".env").write_text("OOV_LOG_LEVEL=WARNING\n", encoding="utf-8")
    quiet = run(["shell"], tmp_path, stdin=line)
    assert quiet.returncode == 0, quiet.stderr
    assert "Actiepunt *#1* vastgelegd" in quiet.stdout
    assert " INFO " not in quiet.stderr


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["export", "--dir", "a-file/sub"], {}, "a-file/sub: een deel van het pad is geen map."),
        (["db", "upgrade"], {"DATABASE_URL": "geen-url"}, "DATABASE_URL is geen geldige"),
        (["db", "upgrade"], {"DATABASE_URL": "mysql://x/y"}, "onbekend databasetype"),
        # A port that is no number was a ValueError traceback from inside SQLAlchemy.
        (
            ["db", "upgrade"],
            {"DATABASE_URL": "postgresql://u:geheim@db.example:poort/oov"},
            "DATABASE_URL is geen geldige database-URL",
        ),
        (
            ["db", "upgrade"],
            {"DATABASE_URL": "sqlite:////nergens/map/oov.db"},
            # Was "niet bereikbaar of niet te openen (unable to open database file)".
            "DATABASE_URL: de map /nergens/map bestaat niet; maak hem aan of kies een ander pad.",
        ),
        (
            ["import"],
            {"DATABASE_URL": "postgresql://u:geheim@127.0.0.1:1/x"},
            "de database (DATABASE_URL) is niet bereikbaar",
        ),
        (["check"], {"OOV_WEB_THREADS": "veel"}, "OOV_WEB_THREADS moet een geheel getal zijn"),
        (
            ["check"],
            {"OOV_ACTION_DIGEST_WEEKDAY": "maandag"},
            "OOV_ACTION_DIGEST_WEEKDAY heeft een ongeldige waarde; schrijf 1 (maandag) tot en met "
            "7 (zondag), of 0 (uit)",
        ),
        # Said only "heeft een ongeldige waarde", not which values there are.
        (
            ["check"],
            {"OOV_LOG_LEVEL": "uitgebreid"},
            "OOV_LOG_LEVEL heeft een ongeldige waarde; kies DEBUG, INFO, WARNING, ERROR of "
            "CRITICAL",
        ),
        (
            ["check"],
            {"OOV_ACTION_EMOJI": "\N{PUSHPIN}"},
            "OOV_ACTION_EMOJI heeft een ongeldige waarde; schrijf de naam van een emoji",
        ),
        # DATABASE_URL naming a file that is no database: SQLAlchemy's DatabaseError traceback.
        (
            ["serve"],
            {"DATABASE_URL": "sqlite:///notities.txt"},
            "de database (DATABASE_URL) is niet te lezen (file is not a database)",
        ),
        # A misspelt zone passed `check` and `import`, then `serve` died with a traceback.
        (["serve"], {"OOV_TIMEZONE": "Europe/Amsterdm"}, "OOV_TIMEZONE: onbekende tijdzone"),
        (["serve"], {"OOV_TIMEZONE": "Europe"}, "OOV_TIMEZONE: onbekende tijdzone"),
        # waitress listened on 70000 modulo 65536 (4464) while the log said 70000.
        (["check"], {"PORT": "70000"}, "PORT mag hoogstens 65535 zijn"),
        (["check"], {"OOV_WEB_THREADS": "0"}, "OOV_WEB_THREADS moet minstens 1 zijn"),
        # Were one "bestand ontbreekt" per file, and "een deel van het pad is geen map".
        (["check"], {"OOV_CONFIG_DIR": "konfig"}, "OOV_CONFIG_DIR: konfig bestaat niet"),
        (["import"], {"OOV_CONFIG_DIR": "a-file"}, "OOV_CONFIG_DIR: a-file is geen map"),
        (
            ["check"],
            {"OOV_ACTION_DIGEST_TIME": "9u"},
            "OOV_ACTION_DIGEST_TIME: schrijf een tijd als UU:MM, bijvoorbeeld 09:00",
        ),
        # A URL without its scheme: the SDK's "unknown url type" traceback at start.
        (
            ["serve"],
            {
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_SIGNING_SECRET": "s",
                "SLACK_API_URL": "gov-slack.example/api/",
            },
            "SLACK_API_URL: geen http(s)-adres",
        ),
    ],
)
def test_operator_errors_end_in_one_dutch_line(
    tmp_path: Path, args: list[str], env: dict[str, str], expected: str
) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    (tmp_path / "notities.txt").write_text("Agenda teamoverleg\n" * 100, encoding="utf-8")
    assert run(["db", "upgrade"], tmp_path).returncode == 0
    result = run(args, tmp_path, **env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("oov-bot: ")]
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert "geheim" not in result.stderr  # a password in DATABASE_URL is never echoed


def test_a_postgresql_database_that_refuses_writes_is_one_line(tmp_path: Path) -> None:
    """A read-only user or a read replica (and PostgreSQL 15's public schema without CREATE for
    other users) ended `db upgrade` in a psycopg traceback."""
    with scratch_postgres_database(postgres_url()) as url:
        read_only = f"{url}?options=-c%20default_transaction_read_only%3Don"
        result = run(["db", "upgrade"], tmp_path, DATABASE_URL=read_only)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith(
        "oov-bot: de database (DATABASE_URL) weigert deze gebruiker (cannot execute CREATE TABLE "
        "in a read-only transaction); geef de gebruiker schrijfrechten"
    ), result.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        # python-dotenv skipped the line with an English warning naming no file, and the bot
        # ran on port 3000.
        (b"OOV_LOG_LEVEL=INFO\n\nPORT 4000\n", ".env:3: regel niet te lezen; schrijf NAAM=waarde"),
        (b"PORT=4000\nSLACK_SIGNING_SECRET='abc\n", ".env:2: regel niet te lezen"),
        # A Latin-1 byte read as "ongeldige instelling: : 'utf-8' codec can't decode ...".
        (b"PORT=4000\nOOV_LOG_LEVEL=d\xe9bug\n", ".env:2: geen UTF-8-tekst (byte 0xe9)"),
    ],
)
def test_an_unreadable_dotenv_line_is_named_by_file_and_line(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    (tmp_path / ".env").write_bytes(content)
    result = run(["check"], tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"oov-bot: {expected}"), result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr


def test_output_into_a_closed_pipe_stops_quietly(tmp_path: Path) -> None:
    """`oov-bot check | head -1` (the reader gone before the output is written) ended in a
    BrokenPipeError traceback."""
    process = subprocess.Popen(
        [OOV_BOT, "check"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=clean_env(tmp_path),
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    errors = process.stderr.read()
    assert process.wait(timeout=60) == 141
    assert errors == ""


def test_a_misspelt_setting_in_dotenv_is_named(tmp_path: Path) -> None:
    """DATABSE_URL in .env was ignored without a word: `run` then made a new SQLite file and
    imported config/ into it, next to the team's real database."""
    (tmp_path / ".env").write_text(
        "OOV_LOG_LEVEL=INFO\nDATABSE_URL=postgresql://u:pw@db/oov\nPYTHONUNBUFFERED=1\n",
        encoding="utf-8",
    )
    result = run(["check"], tmp_path)
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        "oov-bot: .env:2: DATABSE_URL is geen instelling van oov-bot en wordt genegeerd; "
        "bedoelt u DATABASE_URL?"
    ]


ARGPARSE_ENGLISH = (
    "usage:",
    "options:",
    "positional arguments",
    "show this help",
    "error:",
    "the following arguments",
    "invalid choice",
    "unrecognized arguments",
    "expected one argument",
)


def all_command_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list:
    paths = [prefix]
    parser.format_help()  # a feature's command adds its arguments when first used (bot.cli)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                paths += all_command_paths(sub, (*prefix, name))
    return paths


def test_every_command_has_a_dutch_help_with_a_description(
    capsys: pytest.CaptureFixture[str],
) -> None:
    parser = build_parser()
    paths = all_command_paths(parser)
    assert {("run",), ("shell",), ("db", "upgrade"), ("piket", "zet")} <= set(paths)
    for path in paths:
        with pytest.raises(SystemExit) as done:
            build_parser().parse_args([*path, "--help"])
        assert done.value.code == 0
        shown = capsys.readouterr().out
        assert shown.startswith("gebruik: oov-bot"), shown
        assert not [word for word in ARGPARSE_ENGLISH if word in shown], (path, shown)
        # A description: a paragraph between the usage and the first section.
        assert shown.split("\n\n")[1].strip()[:1].isupper(), (path, shown)


@pytest.mark.parametrize(
    ("args", "dutch"),
    [
        ([], "deze argumenten ontbreken: COMMANDO"),
        (["bla"], "onbekende keuze: 'bla'"),
        (["export", "--dir"], "verwacht één waarde"),
        (["check", "--extra"], "onbekende argumenten: --extra"),
        (["piket", "zet"], "deze argumenten ontbreken"),
        (["db"], "deze argumenten ontbreken: ACTIE"),
    ],
)
def test_argument_errors_are_dutch(
    args: list[str], dutch: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        build_parser().parse_args(args)
    assert done.value.code == 2
    shown = capsys.readouterr().err
    assert dutch in shown and ": fout: " in shown
    assert not [word for word in ARGPARSE_ENGLISH if word in shown], shown


def test_the_shell_works_on_a_throwaway_copy_unless_told_otherwise(tmp_path: Path) -> None:
    lines = "actie: @aov-1 belt de wijkagent voor vrijdag\n/acties aov-1\n"
    throwaway = run(["shell"], tmp_path, stdin=lines)
    assert throwaway.returncode == 0, throwaway.stderr
    assert "Database: wegwerpkopie" in throwaway.stderr
    assert "📌 Actiepunt *#1* vastgelegd: @aov-1, uiterlijk" in throwaway.stdout
    assert "#1 @aov-1 belt de wijkagent voor vrijdag" in throwaway.stdout
    assert not (tmp_path / "oov.db").exists()  # DATABASE_URL untouched

    real = run(["shell", "--echte-database"], tmp_path, stdin="/wie bibob\n")
    assert real.returncode == 0, real.stderr
    assert f"Database: sqlite:///{tmp_path / 'oov.db'} (DATABASE_URL)" in real.stderr
    assert (tmp_path / "oov.db").exists()


@pytest.mark.parametrize(
    ("line", "answer"),
    [
        ("actie: belt de wijkagent", "Noem in de shell wie het doet"),
        ("actie: @niemand belt", "Onbekende collega `@niemand`"),
        ("AP: @aov-2 stuurt de notulen z.s.m.", "Actiepunt *#1* vastgelegd: @aov-2"),
        ("Actie voor @aov-3: regelt de zaal", "Actiepunt *#1* vastgelegd: @aov-3"),
    ],
)
def test_action_lines_in_the_shell(tmp_path: Path, line: str, answer: str) -> None:
    result = run(["shell"], tmp_path, stdin=line + "\n")
    assert answer in result.stdout, result.stdout + result.stderr


def wait_or_kill(pid: int, timeout: float = 30) -> int:
    """The exit code of child `pid`; a child that hangs is killed, so a failure never hangs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


# Starting the shell migrates and loads a scratch database: slow on a loaded machine.
@pytest.mark.timeout(300)
def test_shell_ctrl_c_clears_the_line_and_ctrl_d_ends_on_a_new_line(tmp_path: Path) -> None:
    pid, terminal = pty.fork()
    if pid == 0:  # the child: oov-bot on a pseudo-terminal, as an operator runs it
        os.chdir(tmp_path)
        # As a terminal's shell starts it: Ctrl-C delivered and handled by default, whatever
        # the test process blocked or ignored (both survive fork and exec).
        signal.pthread_sigmask(signal.SIG_SETMASK, set())
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.execve(OOV_BOT, [OOV_BOT, "shell"], clean_env(tmp_path))
    output = b""

    def read_until(done: Callable[[bytes], bool], timeout: float = 30) -> bool:
        """Read until `done(output)` (True), the child closes the terminal (False) or the
        timeout passes (False)."""
        nonlocal output
        deadline = time.monotonic() + timeout
        while not done(output):
            if time.monotonic() >= deadline:
                return False
            if select.select([terminal], [], [], 0.2)[0]:
                try:
                    chunk = os.read(terminal, 4096)
                except OSError:  # EIO: the child has closed the terminal
                    return False
                if not chunk:
                    return False
                output += chunk
        return True

    def shown() -> str:
        # With the child's signal state: a Ctrl-C that changes nothing is blocked, ignored or
        # not yet handled (State, SigBlk, SigIgn, SigCgt, SigPnd, ShdPnd).
        try:
            status = Path(f"/proc/{pid}/status").read_text().splitlines()
        except OSError:  # gone already
            status = []
        state = [line for line in status if line.startswith(("State", "Sig", "ShdPnd"))]
        return output.decode(errors="replace") + "\n" + "\n".join(state)

    try:
        assert read_until(lambda out: out.count(b"oov> ") == 1, timeout=180), shown()
        os.write(terminal, b"/wie half getypt")
        assert read_until(lambda out: b"half getypt" in out), shown()
        # A SIGINT that lands while readline is still echoing (not waiting in select) is only
        # noticed at the next key, a race in CPython's readline: a pause, as a person makes,
        # and on a loaded machine a second press, as a person would too.
        time.sleep(0.5)
        for _ in range(3):
            os.write(terminal, b"\x03")  # Ctrl-C
            if read_until(lambda out: out.count(b"oov> ") >= 2, timeout=10):
                break
        assert output.count(b"oov> ") >= 2, shown()
        os.write(terminal, b"\x04")  # Ctrl-D
        read_until(lambda out: False)  # until the shell exits
    finally:
        status = wait_or_kill(pid)
        os.close(terminal)
    text = output.decode(errors="replace")
    assert status == 0, text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text
    assert "BIBOB" not in text  # the cleared line was not run
    assert text.endswith("oov> \r\n"), repr(text[-40:])  # Ctrl-D leaves a finished line


def start_serving(tmp_path: Path, slack_api_url: str) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    env = clean_env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="geheim",
        SLACK_API_URL=slack_api_url,
        PORT=str(port),
    )
    process = subprocess.Popen(
        [OOV_BOT, "run"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    return process, port


@pytest.mark.parametrize("error", ["invalid_auth", "token_revoked"])
def test_a_refused_bot_token_is_said_at_start_and_on_healthz(
    tmp_path: Path, fake_slack: FakeSlack, error: str
) -> None:
    fake_slack.set_response("auth.test", {"ok": False, "error": error})
    process, port = start_serving(tmp_path, fake_slack.url)
    try:
        health = wait_for_health(port, process)
        assert health.status_code == 200
        assert health.json() == {"status": "ok", "database": "ok", "slack": error}
    finally:
        process.terminate()
        output = process.communicate(timeout=15)[0]
    failures = [line for line in output.splitlines() if "auth.test failed" in line]
    assert len(failures) == 1, output
    assert f"({error})" in failures[0] and "SLACK_BOT_TOKEN" in failures[0]
    assert "will be unused" not in output


def test_an_accepted_bot_token_is_true_on_healthz_without_bolt_warnings(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    process, port = start_serving(tmp_path, fake_slack.url)
    try:
        health = wait_for_health(port, process)
        assert health.json() == {"status": "ok", "database": "ok", "slack": True}
    finally:
        process.terminate()
        output = process.communicate(timeout=15)[0]
    assert fake_slack.calls("auth.test")[0].headers["authorization"] == "Bearer xoxb-test"
    assert "bot token accepted" in output
    assert "will be unused" not in output
    assert "WARNING" not in output, output


def test_healthz_says_when_slack_cannot_be_reached(tmp_path: Path) -> None:
    nothing_listens = f"http://127.0.0.1:{free_port()}/api/"
    process, port = start_serving(tmp_path, nothing_listens)
    try:
        health = wait_for_health(port, process)
        assert health.json()["slack"] == "unreachable"
    finally:
        process.terminate()
        process.communicate(timeout=15)


def test_export_never_overwrites_a_differing_file_unless_asked(tmp_path: Path) -> None:
    """`export --dir config` used to overwrite the commented config files without a word."""
    assert run(["db", "upgrade"], tmp_path).returncode == 0
    assert run(["import"], tmp_path).returncode == 0
    first = run(["export", "--dir", "out"], tmp_path)
    assert first.returncode == 0, first.stderr
    again = run(["export", "--dir", "out"], tmp_path)  # the same data: nothing of anyone's lost
    assert again.returncode == 0, again.stderr

    people = tmp_path / "out" / "people.yaml"
    commented = "# Wie er in het team zit; gebruik sleutels, geen namen.\n" + people.read_text()
    people.write_text(commented, encoding="utf-8")
    tasks = tmp_path / "out" / "tasks.yaml"
    tasks.unlink()
    refused = run(["export", "--dir", "out"], tmp_path)
    assert refused.returncode == 1
    assert "Niets geschreven: 1 bestand(en)" in refused.stderr
    assert str(Path("out") / "people.yaml") in refused.stderr
    assert "--overschrijven" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert people.read_text() == commented
    assert not tasks.exists()  # all or nothing: not the files that happened to be safe

    forced = run(["export", "--dir", "out", "--overschrijven"], tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert not people.read_text().startswith("# Wie er")
    assert tasks.exists()
