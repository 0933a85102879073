"""Runtime settings from the environment and an optional `.env` file (DESIGN.md § Environment).

A plain pydantic model that reads both itself, as pydantic-settings would: names are the fields'
in any case, the environment wins over `.env`, arguments over both; `_env_file=None` skips the
file. pydantic-settings did the same at 3.3 MiB and ~25 ms of every start (issue 10)."""

from __future__ import annotations

import io
import os
import re
from datetime import time
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
ENV_FILE = ".env"


class SettingsFileError(Exception):
    """The `.env` file cannot be read; str() is one Dutch line naming the file and the line."""


def read_env_file(path: Path) -> dict[str, str | None]:
    """The settings in a `.env` file. A line python-dotenv cannot parse ("PORT 3000", an
    unclosed quote) or a byte that is no UTF-8 raises SettingsFileError: dotenv itself skips
    such a line with an English warning naming neither file nor setting, and the bot then ran on
    the default."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SettingsFileError(
            f"{path}:{line}: geen UTF-8-tekst (byte 0x{raw[exc.start]:02x}); sla het bestand op "
            "als UTF-8."
        ) from None
    from dotenv.parser import parse_stream

    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            raise SettingsFileError(
                f"{path}:{_line_of(binding)}: regel niet te lezen; schrijf NAAM=waarde (zie "
                ".env.example)."
            )
    return dotenv_values(stream=io.StringIO(text))


def _line_of(binding: Any) -> int:
    """The line a python-dotenv statement is on: its text starts with the blank lines before
    it, its line number does not."""
    statement: str = binding.original.string
    leading = statement[: len(statement) - len(statement.lstrip())]
    return int(binding.original.line) + leading.count("\n")


def env_file_warnings(path: Path = Path(ENV_FILE)) -> list[str]:
    """A Dutch line for each name in `.env` that is no setting but looks like one
    (DATABSE_URL, OOV_TIMEZOME, SLACK_SIGNING_SECRETS): it is ignored and the default used,
    which for DATABASE_URL meant a new, empty SQLite file instead of the team's database."""
    if not path.is_file():
        return []
    import difflib

    from dotenv.parser import parse_stream

    known = sorted(name.upper() for name in Settings.model_fields)
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    lines = []
    for binding in parse_stream(io.StringIO(text)):
        name = (binding.key or "").upper()
        if not name or name in known:
            continue
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.8)
        if close or name.startswith(("OOV_", "SLACK_")):
            hint = f"; bedoelt u {close[0]}?" if close else " (zie .env.example)."
            lines.append(
                f"{path}:{_line_of(binding)}: {binding.key} is geen instelling van oov-bot en "
                f"wordt genegeerd{hint}"
            )
    return lines


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, validate_default=True)

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    database_url: str = "sqlite:///oov-bot.db"
    oov_config_dir: Path = Path("config")
    oov_timezone: str = "Europe/Amsterdam"
    public_base_url: str | None = None
    # A TCP port: waitress takes 70000 modulo 65536 without a word, and 0 as "any free port".
    port: int = Field(default=3000, ge=1, le=65535)
    # Read here, not from os.environ, so a value in .env counts as much as an exported one.
    oov_log_level: str = Field(default="INFO", pattern=r"(?i)^(debug|info|warning|error|critical)$")
    # Not in DESIGN.md's list: tuning knobs with safe defaults, so operators rarely need them.
    oov_web_threads: int = Field(default=8, ge=1, le=64)
    # A reminder whose time passed while the clock was down is still posted within this window.
    oov_reminder_grace_minutes: int = Field(default=120, ge=0, le=7 * 24 * 60)
    # How often the clock re-reads what to post (config reloads, cancellations, retries).
    oov_clock_replan_seconds: int = Field(default=60, ge=1, le=3600)
    # Action items: the reaction that logs a message as one, how long closed ones are kept, and
    # the weekly DM of overdue items (ISO weekday 1 = Monday ... 7 = Sunday; 0 switches it off).
    oov_action_emoji: str = Field(default="pushpin", pattern=r"^:?[a-z0-9_+'-]+:?$")
    oov_action_retention_months: int = Field(default=24, ge=1, le=1200)
    oov_action_digest_weekday: int = Field(default=1, ge=0, le=7)
    oov_action_digest_time: time = time(9, 0)

    @model_validator(mode="before")
    @classmethod
    def _read_environment(cls, data: Any) -> Any:
        given = dict(data) if isinstance(data, dict) else {}
        env_file = given.pop("_env_file", ENV_FILE)
        found: dict[str, Any] = {}
        file_values = read_env_file(Path(env_file)) if env_file and Path(env_file).is_file() else {}
        for source in (file_values, os.environ):  # the environment after, so it wins
            for key, value in source.items():
                if value is not None and key.lower() in cls.model_fields:
                    found[key.lower()] = value
        return found | given

    @field_validator("slack_bot_token", "slack_signing_secret", "slack_app_token", mode="before")
    @classmethod
    def _bare_secret(cls, value: Any) -> Any:
        # `docker --env-file` and some platforms keep the quotes of SLACK_BOT_TOKEN="xoxb-…";
        # Slack then answers only "invalid_auth". A secret never holds quotes or spaces.
        if isinstance(value, str):
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1].strip()
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _web_api_base(cls, value: str) -> str:
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            # The SDK failed at the first call with "unknown url type" in a traceback.
            raise ValueError("geen http(s)-adres; bijvoorbeeld https://slack.com/api/")
        # The SDK joins method names with urljoin: ".../api" + "auth.test" is ".../auth.test".
        return value if value.endswith("/") else value + "/"

    @field_validator("oov_action_digest_time", mode="before")
    @classmethod
    def _clock_time(cls, value: Any) -> Any:
        # "9:00" and "9.00", as a Dutch operator writes them; pydantic takes only "09:00".
        if isinstance(value, str):
            match = re.fullmatch(r"\s*([01]?\d|2[0-3])[:.]([0-5]\d)(?::([0-5]\d))?\s*", value)
            if match is None:
                raise ValueError("schrijf een tijd als UU:MM, bijvoorbeeld 09:00")
            return time(int(match[1]), int(match[2]), int(match[3] or 0))
        return value

    @field_validator("oov_timezone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        # Checked here, for every command: otherwise `check` and `import` pass and `serve` dies
        # with a traceback at the first date it writes.
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # unknown, malformed, a folder
            raise ValueError(
                "onbekende tijdzone; gebruik een naam uit de tz-database, zoals Europe/Amsterdam"
            ) from None
        return value

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.oov_timezone)

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    @property
    def slack_enabled(self) -> bool:
        """Slack traffic can be handled: a bot token plus a way to receive requests."""
        return bool(self.slack_bot_token and (self.slack_signing_secret or self.slack_app_token))

    def slack_missing_reason(self) -> str | None:
        """One line that says what the bot cannot do without Slack credentials, or None."""
        missing = []
        if not self.slack_bot_token:
            missing.append("SLACK_BOT_TOKEN")
        if not (self.slack_signing_secret or self.slack_app_token):
            missing.append("SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode)")
        if not missing:
            return None
        return (
            f"Slack is not configured ({' and '.join(missing)} missing): slash commands are "
            "unavailable and reminders are logged instead of posted; feeds and /healthz are served."
        )
