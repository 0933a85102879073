"""HTTP routes other than Slack's: the health check reports the database."""

from __future__ import annotations

from pathlib import Path

import requests

from bot.app import create_context
from bot.web import create_web_app
from storage.session import Database
from testkit.app import BackgroundServer, RunningBot, make_settings


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
