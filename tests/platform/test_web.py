"""HTTP routes other than Slack's: the health check reports the database."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlencode

import requests

from bot.app import create_context
from bot.web import create_web_app
from storage.session import Database
from testkit.app import SIGNING_SECRET, BackgroundServer, RunningBot, make_settings
from testkit.fake_slack import TEAM_ID
from testkit.slack_requests import DEFAULT_USER_ID, slack_signature


def test_healthz_reports_a_reachable_database(bot: RunningBot) -> None:
    response = requests.get(f"{bot.url}/healthz", timeout=5)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "slack": True}


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing-dir' / 'oov.db'}"  # a directory that does not exist
    ctx = create_context(make_settings(database_url=url), db=Database(url))
    server = BackgroundServer(create_web_app(ctx, None))
    try:
        response = requests.get(f"{server.url}/healthz", timeout=5)
    finally:
        server.close()
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}


def test_unknown_paths_are_404_without_details(bot: RunningBot) -> None:
    response = requests.get(f"{bot.url}/admin", timeout=5)
    assert response.status_code == 404
    assert "Traceback" not in response.text


# /slack/events goes to Bolt without Flask in between (bot.web.SlackEventsFirst): what Flask did
# for it, the path still does.


def _signed_headers(body: bytes) -> dict[str, str]:
    """Headers signing `body`'s raw bytes, as Slack signs them."""
    timestamp = int(time.time())
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": slack_signature(SIGNING_SECRET, timestamp, body),
    }


def _wie_body() -> bytes:
    return urlencode(
        {"command": "/wie", "text": "bibob", "user_id": DEFAULT_USER_ID, "team_id": TEAM_ID}
    ).encode()


def test_a_slash_command_sent_in_chunks_is_answered(bot: RunningBot) -> None:
    body = _wie_body()
    response = requests.post(
        bot.slack.events_url,
        data=iter([body[:10], body[10:]]),  # a generator: requests sends it chunked
        headers=_signed_headers(body),
        timeout=10,
    )
    assert response.status_code == 200
    assert response.json()["text"].startswith("BIBOB: eigenaar")


def test_a_body_over_a_mebibyte_is_refused_unread(bot: RunningBot) -> None:
    body = _wie_body() + b"&pad=" + b"x" * (1024 * 1024)
    response = requests.post(
        bot.slack.events_url, data=body, headers=_signed_headers(body), timeout=10
    )
    assert response.status_code == 413
    assert "Traceback" not in response.text


def test_a_body_that_is_not_utf8_fails_its_signature_and_is_not_a_500(bot: RunningBot) -> None:
    body = _wie_body() + b"&x=\xff\xfe"  # Bolt verifies the text it reads: U+FFFD, not 0xFF
    response = requests.post(
        bot.slack.events_url, data=body, headers=_signed_headers(body), timeout=10
    )
    assert response.status_code == 401


def test_other_methods_on_the_events_path_are_405(bot: RunningBot) -> None:
    assert requests.get(bot.slack.events_url, timeout=5).status_code == 405


def test_without_slack_the_events_path_says_why(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'oov.db'}"
    ctx = create_context(make_settings(database_url=url), db=Database(url))
    server = BackgroundServer(create_web_app(ctx, None))
    try:
        response = requests.post(f"{server.url}/slack/events", data=b"x=1", timeout=5)
    finally:
        server.close()
    assert response.status_code == 503
    assert response.json()["error"] == "slack_not_configured"
