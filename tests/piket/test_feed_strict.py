"""The piket feeds as served over HTTP, read strictly against RFC 5545 (testkit.ical_strict),
as validators and the stricter calendar clients read them."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import vobject
from ical.calendar_stream import IcsCalendarStream
from sqlalchemy.exc import OperationalError

from handlers.piket.feed import feed_server
from storage.session import Database
from testkit.app import start_bot
from testkit.clock import FixedClock
from testkit.fake_slack import FakeSlack
from testkit.ical_strict import problems
from testkit.piket_fixtures import BASE_URL, RUNNING_WEEK, BotFactory
from testkit.team_config import SLACK_IDS, copy_config, edit_yaml
from tests.piket.test_piket_http import fetch, request_links

TEAM_LEAD = SLACK_IDS["teamleider"]


def test_an_own_feed_without_shifts_is_still_a_calendar_strict_readers_accept(
    make_bot: BotFactory,
) -> None:
    # The team lead is in no role: their own feed has no shifts. RFC 5545 (3.6) wants at least
    # one component in a calendar; a body with none is refused by strict readers.
    bot = make_bot(**RUNNING_WEEK)
    response = fetch(bot, request_links(bot, TEAM_LEAD)["own"])
    assert response.status_code == 200
    assert b"BEGIN:VEVENT" not in response.content
    assert problems(response.content) == []
    text = response.content.decode("utf-8")
    assert vobject.readOne(text, validate=True).vtimezone.tzid.value == "Europe/Amsterdam"
    assert IcsCalendarStream.calendar_from_ics(text).events == []


NAMES = {"aov-1": "Anouk van 't Hoff", "aov-3": 'Zoë Çelik, OOV; "Zo\\ë"'}


def _rename(data: Any) -> None:
    for person in data["people"]:
        person["name"] = NAMES.get(person["key"], person["name"])


def test_feeds_with_diacritics_apostrophes_dst_and_the_year_end_pass_a_strict_reading(
    db: Database, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path
) -> None:
    config = copy_config(tmp_path / "config")
    edit_yaml(config / "people.yaml", _rename)
    # Weekly duty for a year: both DST changes of 2027, ISO week 53 of 2026 and the new year.
    edit_yaml(config / "piket.yaml", lambda data: data.update(cycle_weeks=1, **RUNNING_WEEK))
    bot, server = start_bot(db, fake_slack, clock, config_dir=config, public_base_url=BASE_URL)
    try:
        for key in ("aov-1", "aov-3"):
            links = request_links(bot, SLACK_IDS[key])
            for kind in ("own", "all"):
                body = fetch(bot, links[kind]).content
                assert problems(body) == [], (key, kind)
                summaries = {
                    e.summary.value
                    for e in vobject.readOne(body.decode("utf-8"), validate=True).vevent_list
                }
                assert f"Piket OVD-BZ — {NAMES[key]}" in summaries, (key, kind)
                if kind == "all":  # week 53, the spring and the autumn DST week
                    for day in ("20261228T080000", "20270322T080000", "20271025T080000"):
                        assert f"DTSTART;TZID=Europe/Amsterdam:{day}" in body.decode("utf-8")
    finally:
        server.close()


def test_a_mistyped_feed_link_gets_the_same_dutch_answer_as_an_unknown_one(
    make_bot: BotFactory,
) -> None:
    # A link cut short or with something stuck to it (as copied from a chat or a mail) must not
    # get the web framework's English HTML page, nor an answer that tells links apart.
    bot = make_bot(**RUNNING_WEEK)
    path = urlsplit(request_links(bot, TEAM_LEAD)["all"]).path
    unknown = requests.get(bot.url + "/ical/piket/" + "B" * 32 + ".ics", timeout=10)
    assert unknown.status_code == 404
    for wrong in (
        path.removesuffix(".ics"),
        path + "/",
        path + ">",
        path.removesuffix(".ics") + ".ICS",
        path.removesuffix(".ics") + "%20.ics",
        "/ical/piket/",
    ):
        response = requests.get(bot.url + wrong, timeout=10)
        assert response.status_code == 404, wrong
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8", wrong
        assert response.text == unknown.text, wrong
        assert response.headers["Cache-Control"] == "no-store", wrong


@pytest.mark.parametrize(
    ("failure", "status", "said"),
    [
        (
            OperationalError("SELECT 1", {}, ConnectionRefusedError("refused")),
            503,
            "niet bereikbaar",
        ),
        (RuntimeError("a bug"), 500, "Er ging iets mis"),
    ],
)
def test_a_feed_that_cannot_be_served_says_so_in_dutch_and_keeps_its_link_out_of_logs(
    make_bot: BotFactory,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    failure: Exception,
    status: int,
    said: str,
) -> None:
    bot = make_bot(**RUNNING_WEEK)
    link = request_links(bot, TEAM_LEAD)["all"]

    def failing(*args: object, **kwargs: object) -> None:
        raise failure

    monkeypatch.setattr(feed_server(bot.ctx).store, "feed_token", failing)
    response = fetch(bot, link)
    # Before: Flask's English 'Internal Server Error' page, and its error log line named the
    # request's path, which holds the token: anyone reading the logs had the calendar.
    assert response.status_code == status
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert said in response.text and "Probeer het later opnieuw." in response.text
    assert "Traceback" not in response.text and str(failure) not in response.text
    if status == 503:  # the database away: a passing fault, clients keep what they have
        assert response.headers["Retry-After"].isdigit()
    token = urlsplit(link).path.rsplit("/", 1)[1].removesuffix(".ics")
    assert type(failure).__name__ in caplog.text and token not in caplog.text
    monkeypatch.undo()
    assert fetch(bot, link).status_code == 200
