"""The piket iCal feed, read back by two parsers that share no code with icalendar: vobject
(with dateutil's VTIMEZONE handling) and allenporter's ical."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream
from ical.timezone import IcsTimezoneInfo
from msgspec.structs import replace

from bot.core.calendar_feed import FeedEvent, render_feed, render_feed_model
from testkit.ical_strict import problems

AMS = ZoneInfo("Europe/Amsterdam")
CREATED = datetime(2026, 1, 2, 9, 30, tzinfo=UTC)
MODIFIED = datetime(2026, 2, 3, 14, 15, 16, tzinfo=UTC)
LONG_NAME = "Zoë Ëlsbeth van der Heijden-Ménard, née Brühl; coördinator crisiscommunicatie Noord"


def event(
    uid: str, role: str, name: str | None, start: datetime, end: datetime, description: str = ""
) -> FeedEvent:
    return FeedEvent(uid, role, name, start, end, 0, CREATED, MODIFIED, description)


def ams(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 8, tzinfo=AMS)


HANDOVER_NOTE = "Overdracht: bel de meldkamer, dan de OvD-P.\nTweede regel — met é en ë."
EVENTS = [
    event("winter@oov", "OVD-BZ", "AOV-er 1", ams(1, 5), ams(1, 12)),
    # Across the spring DST change (167 hours), given in UTC to prove it is converted.
    event(
        "spring@oov",
        "OVD-BZ",
        "AOV-er 2",
        datetime(2026, 3, 23, 7, tzinfo=UTC),
        datetime(2026, 3, 30, 6, tzinfo=UTC),
    ),
    event("summer-im@oov", "IM-ACBZ", LONG_NAME, ams(7, 6), ams(7, 13), HANDOVER_NOTE),
    event("summer-ovd@oov", "OVD-BZ", "Beleidsmedewerker OOV", ams(7, 6), ams(7, 13)),
    # Across the autumn DST change (169 hours), nobody qualified.
    event("autumn@oov", "IM-ACBZ", None, ams(10, 19), ams(10, 26)),
]
BY_UID = {e.uid: e for e in EVENTS}


@pytest.fixture(scope="module")
def feed() -> bytes:
    return render_feed(EVENTS, calendar_name="Piket OOV — Tynaarlo")


def unfolded_lines(data: bytes) -> list[str]:
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")


def test_vobject_reads_every_shift_at_the_right_instant(feed: bytes) -> None:
    calendar = vobject.readOne(feed.decode("utf-8"), validate=True)
    vevents = calendar.vevent_list
    assert [e.uid.value for e in vevents] == [
        "winter@oov", "spring@oov", "summer-im@oov", "summer-ovd@oov", "autumn@oov"
    ]  # fmt: skip
    for vevent in vevents:
        expected = BY_UID[vevent.uid.value]
        start, end = vevent.dtstart.value, vevent.dtend.value
        # dateutil's tzical applies *our* VTIMEZONE here, not the system's zone database.
        assert type(start.tzinfo).__name__ == "_tzicalvtz"
        assert start.astimezone(UTC) == expected.start.astimezone(UTC)
        assert end.astimezone(UTC) == expected.end.astimezone(UTC)
        assert vevent.summary.value == expected.summary
        assert vevent.transp.value == "TRANSPARENT"
        assert vevent.x_microsoft_cdo_busystatus.value == "FREE"
        assert vevent.dtstamp.value == MODIFIED
        assert vevent.last_modified.value == MODIFIED
        assert vevent.created.value == CREATED
        assert vevent.sequence.value == "0"
    summer = BY_UID["summer-im@oov"]
    assert vevents[2].summary.value == f"Piket IM-ACBZ — {LONG_NAME}"
    assert vevents[2].description.value == summer.description
    assert vevents[4].summary.value == "Piket IM-ACBZ — onbezet"
    spring, autumn = vevents[1], vevents[4]
    assert spring.dtend.value.astimezone(UTC) - spring.dtstart.value.astimezone(UTC) == timedelta(
        hours=167
    )
    assert autumn.dtend.value.astimezone(UTC) - autumn.dtstart.value.astimezone(UTC) == timedelta(
        hours=169
    )
    assert vevents[2].dtstart.value.astimezone(UTC) == datetime(2026, 7, 6, 6, tzinfo=UTC)


def test_ical_reads_every_shift_at_the_right_instant(feed: bytes) -> None:
    calendar = IcsCalendarStream.calendar_from_ics(feed.decode("utf-8"))
    (timezone,) = calendar.timezones
    from_vtimezone = IcsTimezoneInfo.from_timezone(timezone)
    assert [e.uid for e in calendar.events] == [
        e.uid for e in sorted(EVENTS, key=lambda e: (e.start, e.role))
    ]
    for vevent in calendar.events:
        expected = BY_UID[vevent.uid]
        assert vevent.dtstart.astimezone(UTC) == expected.start.astimezone(UTC)
        assert vevent.end.astimezone(UTC) == expected.end.astimezone(UTC)
        # ical resolves the TZID through its own zone database; check our VTIMEZONE rules too.
        for value, instant in ((vevent.dtstart, expected.start), (vevent.end, expected.end)):
            local = value.replace(tzinfo=from_vtimezone)
            assert local.astimezone(UTC) == instant.astimezone(UTC), vevent.uid
        assert vevent.summary == expected.summary
        assert vevent.transparency == "TRANSPARENT"
        assert vevent.sequence == 0
        assert vevent.dtstamp == MODIFIED


def test_dates_are_local_with_tzid_and_there_is_no_duration(feed: bytes) -> None:
    lines = unfolded_lines(feed)
    assert "DTSTART;TZID=Europe/Amsterdam:20260323T080000" in lines
    assert "DTEND;TZID=Europe/Amsterdam:20260330T080000" in lines
    assert "DTSTART;TZID=Europe/Amsterdam:20261019T080000" in lines
    assert "DTEND;TZID=Europe/Amsterdam:20261026T080000" in lines
    assert not [line for line in lines if line.startswith("DURATION")]
    assert lines.count("DTSTAMP:20260203T141516Z") == len(EVENTS)


def test_calendar_properties_for_subscribing_clients(feed: bytes) -> None:
    lines = unfolded_lines(feed)
    for expected in [
        "PRODID:-//OOV-bot//Piket//NL",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Piket OOV — Tynaarlo",
        "NAME:Piket OOV — Tynaarlo",
        "X-WR-TIMEZONE:Europe/Amsterdam",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]:
        assert expected in lines
    other = unfolded_lines(render_feed(EVENTS, calendar_name="x", refresh=timedelta(minutes=30)))
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT30M" in other
    assert "X-PUBLISHED-TTL:PT30M" in other


def test_one_vtimezone_with_yearly_rules_and_no_rdate(feed: bytes) -> None:
    text = "\r\n".join(unfolded_lines(feed))
    assert text.count("BEGIN:VTIMEZONE") == 1
    assert text.index("END:VTIMEZONE") < text.index("BEGIN:VEVENT")
    assert "RDATE" not in text
    block = text[text.index("BEGIN:VTIMEZONE") : text.index("END:VTIMEZONE")]
    daylight = block[block.index("BEGIN:DAYLIGHT") : block.index("END:DAYLIGHT")]
    standard = block[block.index("BEGIN:STANDARD") : block.index("END:STANDARD")]
    for needed in (
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0200",
    ):
        assert needed in daylight
    for needed in (
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
        "TZOFFSETFROM:+0200",
        "TZOFFSETTO:+0100",
    ):
        assert needed in standard


def test_a_calendar_name_with_commas_and_semicolons_stays_whole() -> None:
    name = "Piketrooster OVD-BZ, IM-ACBZ; Tynaarlo"
    data = render_feed(EVENTS[:1], calendar_name=name)
    assert "X-WR-CALNAME:Piketrooster OVD-BZ\\, IM-ACBZ\\; Tynaarlo" in unfolded_lines(data)
    parsed = vobject.readOne(data.decode("utf-8"), validate=True)
    assert parsed.contents["x-wr-calname"][0].value == name
    assert parsed.contents["name"][0].value == name


def test_crlf_line_endings_and_folding_at_75_octets_keep_characters_whole(feed: bytes) -> None:
    assert feed.endswith(b"\r\n")
    physical = feed.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in physical)
    assert all(len(line) <= 75 for line in physical)
    for line in physical:
        line.decode("utf-8")  # a multi-byte character split over two lines would fail here
    assert any(line.startswith(b" ") for line in physical)  # the long name really was folded
    escaped = LONG_NAME.replace(",", "\\,").replace(";", "\\;")
    assert f"SUMMARY:Piket IM-ACBZ — {escaped}" in unfolded_lines(feed)


def test_same_events_give_byte_identical_output(feed: bytes) -> None:
    assert render_feed(list(reversed(EVENTS)), calendar_name="Piket OOV — Tynaarlo") == feed


def test_no_personal_data_beyond_the_name() -> None:
    data = render_feed([e for e in EVENTS if not e.description], calendar_name="Piket")
    assert b"DESCRIPTION" not in data
    assert set(re.findall(r"^([A-Z-]+)[;:]", "\n".join(unfolded_lines(data)), re.MULTILINE)) <= {
        "BEGIN", "END", "PRODID", "VERSION", "CALSCALE", "METHOD", "NAME", "X-WR-CALNAME",
        "X-WR-TIMEZONE", "REFRESH-INTERVAL", "X-PUBLISHED-TTL", "TZID", "DTSTART", "RRULE",
        "TZNAME", "TZOFFSETFROM", "TZOFFSETTO", "UID", "SUMMARY", "DTEND", "DTSTAMP",
        "LAST-MODIFIED", "CREATED", "SEQUENCE", "TRANSP", "X-MICROSOFT-CDO-BUSYSTATUS",
    }  # fmt: skip


def test_an_empty_feed_is_still_a_valid_calendar() -> None:
    # RFC 5545 wants a component in every calendar: without events, the window's VTIMEZONE.
    window = (datetime(2026, 9, 1, tzinfo=AMS), datetime(2027, 12, 1, tzinfo=AMS))
    data = render_feed([], calendar_name="Piket", window=window)
    assert problems(data) == []
    assert data == render_feed_model([], calendar_name="Piket", window=window)
    assert "DTSTART:20250330T020000" in unfolded_lines(data)  # the year before the window's
    assert vobject.readOne(data.decode("utf-8"), validate=True).name == "VCALENDAR"
    assert IcsCalendarStream.calendar_from_ics(data.decode("utf-8")).events == []
    # With events the window changes nothing: a subscriber's ETag stays as it was.
    assert render_feed(EVENTS, calendar_name="Piket", window=window) == render_feed(
        EVENTS, calendar_name="Piket"
    )


@pytest.mark.parametrize(
    ("zone_name", "has_rrule"),
    [
        ("America/New_York", True),  # second Sunday of March, first Sunday of November
        ("Australia/Sydney", True),  # southern hemisphere
        ("Asia/Tokyo", False),  # no DST: STANDARD only
        ("Africa/Casablanca", False),  # Ramadan changes: one observance per change
    ],
)
def test_vtimezone_is_derived_from_the_zone_rules(zone_name: str, has_rrule: bool) -> None:
    zone = ZoneInfo(zone_name)
    # Every third week for two years, 08:00 local (wall-clock arithmetic on purpose).
    starts = [datetime(2026, 1, 5, 8, tzinfo=zone) + timedelta(weeks=w) for w in range(0, 104, 3)]
    events = [
        event(f"{i}@oov", "OVD-BZ", "AOV-er 1", start, start + timedelta(days=7))
        for i, start in enumerate(starts)
    ]
    data = render_feed(events, calendar_name="Piket", tz=zone_name)
    text = "\r\n".join(unfolded_lines(data))
    assert ("RRULE" in text) == has_rrule
    assert not [line for line in text.split("\r\n") if line.startswith("RDATE") and "," in line]
    if zone_name == "Asia/Tokyo":
        assert "BEGIN:DAYLIGHT" not in text and text.count("BEGIN:STANDARD") == 1

    parsed = vobject.readOne(data.decode("utf-8"), validate=True)
    ical_calendar = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    from_vtimezone = IcsTimezoneInfo.from_timezone(ical_calendar.timezones[0])
    for expected, by_vobject, by_ical in zip(
        events, parsed.vevent_list, ical_calendar.events, strict=True
    ):
        for value, instant in (
            (by_vobject.dtstart.value, expected.start),
            (by_vobject.dtend.value, expected.end),
        ):
            assert value.astimezone(UTC) == instant.astimezone(UTC), (zone_name, expected.uid)
        for value, instant in ((by_ical.dtstart, expected.start), (by_ical.end, expected.end)):
            assert value.replace(tzinfo=from_vtimezone).astimezone(UTC) == instant.astimezone(UTC)


@pytest.mark.parametrize("zone_name", ["Europe/Amsterdam", "America/Sao_Paulo", "UTC"])
def test_the_feed_from_cached_event_texts_is_byte_for_byte_the_whole_model(zone_name: str) -> None:
    zone = ZoneInfo(zone_name)
    stamp = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    names = [None, "Jan, de Vries; jr.", "Ëlise \\ Ünïcode — " * 6, "AOV-er 1"]
    events = [
        FeedEvent(
            uid=f"{n}-shift@oov-bot",
            role=("OVD-BZ", "IM-ACBZ")[n % 2],
            person_name=names[n % len(names)],
            start=datetime(2026, 1, 5, 8, tzinfo=zone) + timedelta(weeks=n),
            end=datetime(2026, 1, 12, 8, tzinfo=zone) + timedelta(weeks=n),
            sequence=n % 3,
            created=stamp - timedelta(days=n),
            last_modified=stamp + timedelta(hours=n),
        )
        for n in range(60)
    ]
    name = "Mijn piket (OVD-BZ, IM-ACBZ) — " + "lange naam " * 10
    for shown in (events, events[::-1], events[:1], []):
        assert render_feed(shown, calendar_name=name, tz=zone) == render_feed_model(
            shown, calendar_name=name, tz=zone
        )
    # A changed shift (a swap: a new name and SEQUENCE, the same UID) is never served from the
    # text cached for the old one.
    swapped = [replace(events[0], person_name="Iemand Anders", sequence=7), *events[1:]]
    body = render_feed(swapped, calendar_name=name, tz=zone)
    assert body == render_feed_model(swapped, calendar_name=name, tz=zone)
    assert b"Iemand Anders" in body and b"SEQUENCE:7" in body
