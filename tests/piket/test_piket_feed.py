"""Feed tokens, links, the rolling window and Last-Modified, without HTTP or a database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.piket_feed import (
    FeedScope,
    calendar_name,
    etag_for,
    feed_links,
    feed_window,
    looks_like_token,
    new_token,
    next_last_modified,
    token_hash,
)
from bot.core.rota import parse_piket_config

AMS = ZoneInfo("Europe/Amsterdam")
CONFIG = parse_piket_config(
    {
        "cycle_weeks": 4,
        "first_duty_week": "2026-W02",
        "handover": {"weekday": "maandag", "time": "08:00"},
        "roles": [{"name": "OVD-BZ", "people": ["aov-1"]}, {"name": "IM-ACBZ", "people": ["x"]}],
    }
)


def test_tokens_are_random_long_enough_and_stored_only_as_a_hash() -> None:
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert looks_like_token(token) and len(token) == 32  # 24 random bytes: 192 bits
        hashed = token_hash(token)
        assert len(hashed) == 64 and token not in hashed
    assert token_hash("abc") == token_hash("abc") != token_hash("abd")


@pytest.mark.parametrize("text", ["", "kort", "a" * 31, "a/b" * 12, "a" * 65, "ab.cd" * 8])
def test_anything_else_is_not_a_token(text: str) -> None:
    assert not looks_like_token(text)


@pytest.mark.parametrize(
    ("base", "https"),
    [
        ("https://oov-bot.gemeente.nl", "https://oov-bot.gemeente.nl/ical/piket/TOKEN.ics"),
        ("https://oov-bot.gemeente.nl/", "https://oov-bot.gemeente.nl/ical/piket/TOKEN.ics"),
        ("oov-bot.gemeente.nl", "https://oov-bot.gemeente.nl/ical/piket/TOKEN.ics"),
        ("http://localhost:3000/bot", "http://localhost:3000/bot/ical/piket/TOKEN.ics"),
    ],
)
def test_links_in_https_and_webcal_form(base: str, https: str) -> None:
    links = feed_links(base, "TOKEN")
    assert links.https == https
    assert links.webcal == "webcal://" + https.split("://")[1]


def test_the_window_runs_from_local_midnight_months_back_and_ahead() -> None:
    start, end = feed_window(CONFIG, date(2026, 11, 23))
    assert start == datetime(2026, 8, 23, tzinfo=AMS)
    assert end == datetime(2027, 11, 23, tzinfo=AMS)


def test_calendar_names() -> None:
    assert calendar_name(FeedScope.ALL, CONFIG, "AOV-er 1") == "Piketrooster OVD-BZ, IM-ACBZ"
    assert calendar_name(FeedScope.OWN, CONFIG, "Zoë") == "Mijn piket (OVD-BZ, IM-ACBZ) — Zoë"


def test_the_etag_is_the_hash_of_the_exact_bytes() -> None:
    assert etag_for(b"BEGIN:VCALENDAR\r\n") != etag_for(b"BEGIN:VCALENDAR\n")
    assert len(etag_for(b"")) == 64


T0 = datetime(2026, 11, 23, 8, 0, 0, 123456, tzinfo=UTC)


def test_last_modified_comes_from_the_data_in_whole_seconds() -> None:
    first = next_last_modified(
        data_modified=T0, etag="a", served_etag=None, served_modified=None, now=T0 + timedelta(1)
    )
    assert first == T0.replace(microsecond=0)
    same = next_last_modified(
        data_modified=T0, etag="a", served_etag="a", served_modified=first, now=T0 + timedelta(2)
    )
    assert same == first  # the same body: unchanged, whatever the clock says


def test_last_modified_moves_forward_when_the_body_changed() -> None:
    served = T0.replace(microsecond=0)
    newer_data = T0 + timedelta(hours=1)
    assert next_last_modified(
        data_modified=newer_data, etag="b", served_etag="a", served_modified=served, now=T0
    ) == newer_data.replace(microsecond=0)
    # A shift went to someone else: nothing newer is left in this body, so "now" it changed,
    # and at least a second later than before so If-Modified-Since cannot match.
    later = T0 + timedelta(minutes=5)
    assert next_last_modified(
        data_modified=T0, etag="b", served_etag="a", served_modified=served, now=later
    ) == later.replace(microsecond=0)
    assert next_last_modified(
        data_modified=T0, etag="b", served_etag="a", served_modified=served, now=T0
    ) == served + timedelta(seconds=1)
