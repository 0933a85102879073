"""Settings come from the environment and a `.env` file, with DESIGN.md's names and defaults."""

from __future__ import annotations

import fnmatch
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.settings import Settings
from storage.session import normalise_url
from testkit.team_config import REPO

NAMES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "OOV_CONFIG_DIR",
    "OOV_TIMEZONE",
    "PUBLIC_BASE_URL",
    "PORT",
)


@pytest.fixture(autouse=True)
def empty_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_run_on_sqlite_without_slack() -> None:
    settings = Settings()
    assert settings.database_url == "sqlite:///oov-bot.db"
    api = urlsplit(settings.slack_api_url)
    assert (api.scheme, api.hostname, api.path) == ("https", "slack.com", "/api/")
    assert str(settings.oov_config_dir) == "config"
    assert settings.tz.key == "Europe/Amsterdam"
    assert settings.port == 3000
    assert not settings.slack_enabled
    assert "SLACK_BOT_TOKEN" in (settings.slack_missing_reason() or "")


def test_dotenv_file_is_read_and_the_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    Path(".env").write_text("SLACK_BOT_TOKEN=xoxb-file\nSLACK_SIGNING_SECRET=s3cret\nPORT=4000\n")
    monkeypatch.setenv("PORT", "5000")
    settings = Settings()
    assert settings.slack_bot_token == "xoxb-file"
    assert settings.port == 5000
    assert settings.slack_enabled and settings.slack_missing_reason() is None


def test_quotes_kept_around_a_secret_by_the_platform_are_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `docker --env-file` passes SLACK_BOT_TOKEN="xoxb-1" with its quotes; Slack then said
    # only invalid_auth.
    monkeypatch.setenv("SLACK_BOT_TOKEN", '"xoxb-1"')
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "'s3cret' ")
    monkeypatch.setenv("SLACK_APP_TOKEN", " xapp-1")
    settings = Settings()
    assert settings.slack_bot_token == "xoxb-1"
    assert settings.slack_signing_secret == "s3cret"
    assert settings.slack_app_token == "xapp-1"


def test_dotenv_takes_quotes_export_comments_spaces_crlf_and_a_bom() -> None:
    Path(".env").write_bytes(
        b"\xef\xbb\xbf# oov-bot\r\n"
        b'export PORT = "4000"  # the web port\r\n'
        b"OOV_LOG_LEVEL='warning'\r\n"
        b"\r\n"
        b"OOV_TIMEZONE=Europe/Amsterdam\r\n"
    )
    settings = Settings()
    assert (settings.port, settings.oov_log_level, settings.tz.key) == (
        4000,
        "warning",
        "Europe/Amsterdam",
    )


@pytest.mark.parametrize("given", ["https://slack-gov.com/api", " https://slack-gov.com/api/ "])
def test_the_web_api_url_works_with_or_without_its_last_slash(given: str) -> None:
    """Without the slash the SDK called https://slack-gov.com/auth.test (urljoin drops the last
    path segment), and every call failed."""
    assert Settings(slack_api_url=given).slack_api_url == "https://slack-gov.com/api/"


@pytest.mark.parametrize(
    ("given", "hour", "minute"),
    [("9:00", 9, 0), ("7.30", 7, 30), ("09:00", 9, 0), ("18:45:00", 18, 45)],
)
def test_the_digest_time_reads_as_a_dutch_operator_writes_it(
    monkeypatch: pytest.MonkeyPatch, given: str, hour: int, minute: int
) -> None:
    """ "9:00" was refused as "OOV_ACTION_DIGEST_TIME heeft een ongeldige waarde"."""
    monkeypatch.setenv("OOV_ACTION_DIGEST_TIME", given)
    at = Settings().oov_action_digest_time
    assert (at.hour, at.minute) == (hour, minute)


def test_socket_mode_needs_no_signing_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-x")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-x")
    settings = Settings()
    assert settings.socket_mode and settings.slack_enabled


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgresql://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_hosting_style_database_urls_are_accepted(given: str, used: str) -> None:
    assert normalise_url(given) == used


def test_env_example_lists_every_setting_with_its_default() -> None:
    example = REPO / ".env.example"
    listed = {}
    for line in example.read_text(encoding="utf-8").splitlines():
        name, sep, value = line.removeprefix("#").partition("=")
        if sep and name.isupper() and " " not in name:
            listed[name] = value
    assert set(listed) == {name.upper() for name in Settings.model_fields}
    # Uncommented as it stands (placeholders aside), it is a valid configuration of defaults.
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    for name, value in listed.items():
        if "..." not in value and name not in {"PUBLIC_BASE_URL", "DATABASE_URL"}:
            from_example = Settings(_env_file=None, **{name.lower(): value})  # type: ignore[arg-type]
            assert getattr(from_example, name.lower()) == getattr(defaults, name.lower()), name


def test_sqlite_side_files_are_ignored_by_git() -> None:
    """Read .gitignore as git reads a pattern without a slash (matched against the file's name),
    so the check needs no git on the machine: a fresh one may have only python3 and make."""
    names = ["oov-bot.db", "oov-bot.db-wal", "oov-bot.db-shm", ".env"]
    lines = (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert not [p for p in patterns if p.startswith("!")], "negations would need git's rules"
    file_patterns = [p for p in patterns if "/" not in p]
    for name in names:
        assert any(fnmatch.fnmatchcase(name, p) for p in file_patterns), f"{name} is not ignored"


def test_arguments_win_over_the_environment_and_the_file_can_be_skipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    Path(".env").write_text("PORT=4000\nOOV_TIMEZONE=Europe/London\nNOT_A_SETTING=x\n")
    monkeypatch.setenv("slack_bot_token", "xoxb-lower")  # names in any case, as before
    assert Settings(port=6000).port == 6000
    assert Settings().oov_timezone == "Europe/London"
    skipped = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (skipped.port, skipped.oov_timezone) == (3000, "Europe/Amsterdam")
    assert skipped.slack_bot_token == "xoxb-lower"
