"""The piket feeds as served over HTTP, read strictly against RFC 5545 (testkit.ical_strict),
as validators and the stricter calendar clients read them."""

from __future__ import annotations

import vobject
from ical.calendar_stream import IcsCalendarStream

from testkit.ical_strict import problems
from testkit.piket_fixtures import RUNNING_WEEK, BotFactory
from testkit.team_config import SLACK_IDS
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
