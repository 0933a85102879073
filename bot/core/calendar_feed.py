"""iCalendar (RFC 5545) feed of piket shifts for Outlook, Google, Apple and Thunderbird.

Pure: events in, bytes out; no clock, so the same events always give byte-identical output (the
HTTP side can hash it for an ETag). Shifts are published as free time (TRANSP:TRANSPARENT) so being
on call never makes someone look busy.

The VTIMEZONE is written here, not by icalendar: icalendar 7 puts every DST change into one RDATE
line, which Thunderbird (ical.js) and vobject read as a single date, shifting summer shifts by an
hour. Ours uses yearly RRULEs derived from zoneinfo, the form every client understands.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.rrule import YEARLY, rrule, weekday
from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vDuration,
    vRecur,
    vText,
)
from msgspec import Struct

PRODID = "-//OOV-bot//Piket//NL"
UNSTAFFED = "onbezet"
_ICAL_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class FeedEvent(Struct, frozen=True):
    uid: str  # stable per shift, also across swaps (SEQUENCE tells clients it changed)
    role: str
    person_name: str | None  # None: nobody qualified yet
    start: datetime  # aware
    end: datetime  # aware
    sequence: int
    created: datetime  # aware; from the database
    last_modified: datetime  # aware; from the database, also used as DTSTAMP
    description: str = ""

    @property
    def summary(self) -> str:
        return f"Piket {self.role} — {self.person_name or UNSTAFFED}"


_END = b"END:VCALENDAR\r\n"


def render_feed(
    events: Sequence[FeedEvent],
    *,
    calendar_name: str,
    tz: str | ZoneInfo = "Europe/Amsterdam",
    refresh: timedelta = timedelta(hours=1),
    window: tuple[datetime, datetime] | None = None,
) -> bytes:
    """The feed as bytes (UTF-8, CRLF, lines folded at 75 octets), events by start then role.

    `window` is the period the feed covers: a feed without events still gets the VTIMEZONE for
    it, as RFC 5545 wants at least one component in a calendar (strict readers refuse an empty
    one). Without events and without a window there is nothing to derive it from.

    Byte for byte what `render_feed_model` writes (tested), without building icalendar's object
    model per call: the calendar's header, the VTIMEZONE and each event are rendered once and
    kept (an event under all it shows, so a changed shift, with its new SEQUENCE, is rendered
    anew), and a feed is their concatenation: iCalendar folds and escapes per line, and a
    component's lines are the same inside a calendar as on their own."""
    zone = _zone(tz)
    ordered = sorted(events, key=lambda e: (e.start, e.role, e.end, e.uid))
    parts = [_header(calendar_name, zone.key, refresh)]
    years = _years(ordered, zone, window)
    if years is not None:
        parts.append(_vtimezone_text(zone.key, *years))
    parts.extend(_event_text(event, zone.key) for event in ordered)
    parts.append(_END)
    return b"".join(parts)


def render_feed_model(
    events: Sequence[FeedEvent],
    *,
    calendar_name: str,
    tz: str | ZoneInfo = "Europe/Amsterdam",
    refresh: timedelta = timedelta(hours=1),
    window: tuple[datetime, datetime] | None = None,
) -> bytes:
    """The feed through icalendar's whole object model: the definition `render_feed` keeps to."""
    zone = _zone(tz)
    cal = _calendar(calendar_name, zone, refresh)
    ordered = sorted(events, key=lambda e: (e.start, e.role, e.end, e.uid))
    years = _years(ordered, zone, window)
    if years is not None:
        cal.add_component(vtimezone(zone, range(*years)))
    for event in ordered:
        cal.add_component(_vevent(event, zone))
    return cal.to_ical()


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    if not zone.key:
        raise ValueError("the time zone needs a key (an IANA name) to be written as TZID")
    return zone


def _years(
    ordered: Sequence[FeedEvent], zone: ZoneInfo, window: tuple[datetime, datetime] | None
) -> tuple[int, int] | None:
    """The years the VTIMEZONE spans: the events' (a feed's bytes do not depend on its window
    while it has events), else the window's; None when there is neither."""
    if ordered:
        first, last = ordered[0].start, max(e.end for e in ordered)
    elif window is not None:
        first, last = window
    else:
        return None
    return first.astimezone(zone).year - 1, last.astimezone(zone).year + 2


def _calendar(calendar_name: str, zone: ZoneInfo, refresh: timedelta) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # As TEXT explicitly: icalendar writes these two unescaped, and readers then cut the name
    # at its first comma.
    cal.add("name", vText(calendar_name))
    cal.add("x-wr-calname", vText(calendar_name))
    cal.add("x-wr-timezone", zone.key)
    cal.add("refresh-interval", vDuration(refresh, params={"VALUE": "DURATION"}))
    cal.add("x-published-ttl", vDuration(refresh))
    return cal


@lru_cache(maxsize=1024)
def _header(calendar_name: str, zone_key: str, refresh: timedelta) -> bytes:
    """BEGIN:VCALENDAR and the calendar's properties (one per feed name)."""
    text = _calendar(calendar_name, ZoneInfo(zone_key), refresh).to_ical()
    assert text.endswith(_END)
    return text[: -len(_END)]


@lru_cache(maxsize=64)
def _vtimezone_text(zone_key: str, first_year: int, stop_year: int) -> bytes:
    return vtimezone(ZoneInfo(zone_key), range(first_year, stop_year)).to_ical()


@lru_cache(maxsize=32768)
def _event_text(event: FeedEvent, zone_key: str) -> bytes:
    """One VEVENT, kept under everything it shows (FeedEvent is frozen): the UID and SEQUENCE
    and also the name, times and stamps, so no change can be served from an old text."""
    return _vevent(event, ZoneInfo(zone_key)).to_ical()


def _vevent(event: FeedEvent, zone: ZoneInfo) -> Event:
    for instant in (event.start, event.end, event.created, event.last_modified):
        if instant.utcoffset() is None:
            raise ValueError(f"naive datetime {instant!r} in feed event {event.uid}")
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("summary", event.summary)
    if event.description:
        vevent.add("description", event.description)
    vevent.add("dtstart", event.start.astimezone(zone))
    vevent.add("dtend", event.end.astimezone(zone))
    vevent.add("dtstamp", event.last_modified.astimezone(UTC))
    vevent.add("last-modified", event.last_modified.astimezone(UTC))
    vevent.add("created", event.created.astimezone(UTC))
    vevent.add("sequence", event.sequence)
    vevent.add("transp", "TRANSPARENT")
    vevent.add("x-microsoft-cdo-busystatus", "FREE")
    return vevent


# --- VTIMEZONE ------------------------------------------------------------------------------


class _Transition(Struct, frozen=True):
    onset: datetime  # naive local wall time just before the change (RFC 5545 DTSTART)
    offset_from: timedelta
    offset_to: timedelta
    name: str
    daylight: bool


def _state(zone: ZoneInfo, instant: datetime) -> tuple[timedelta, timedelta, str]:
    local = instant.astimezone(zone)
    return local.utcoffset() or timedelta(0), local.dst() or timedelta(0), local.tzname() or ""


def _transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[_Transition]:
    """Every UTC-offset change in [start, end): scanned per day, then pinned to the second."""
    found: list[_Transition] = []
    day = timedelta(days=1)
    cursor = start
    while cursor < end:
        before, after = cursor, min(cursor + day, end)
        if _state(zone, before)[0] != _state(zone, after)[0]:
            while after - before > timedelta(seconds=1):
                middle = before + (after - before) / 2
                if _state(zone, middle)[0] == _state(zone, before)[0]:
                    before = middle
                else:
                    after = middle
            offset_from = _state(zone, before)[0]
            offset_to, dst, name = _state(zone, after)
            onset = (after + offset_from).replace(tzinfo=None, microsecond=0)
            found.append(_Transition(onset, offset_from, offset_to, name, dst > timedelta(0)))
        cursor += day
    return found


def _byday_candidates(onset: datetime) -> list[int]:
    """Ways to say which weekday of the month `onset` falls on: 2 (second) or -1 (last)."""
    from_start = (onset.day - 1) // 7 + 1
    from_end = -((calendar.monthrange(onset.year, onset.month)[1] - onset.day) // 7 + 1)
    return [from_end, from_start] if from_end == -1 else [from_start, from_end]


def _yearly_rule(onsets: list[datetime], until: datetime) -> vRecur | None:
    """An RRULE that yields exactly `onsets` until `until`, or None when there is none."""
    first = onsets[0]
    for nth in _byday_candidates(first):
        day = weekday(first.weekday(), nth)
        if (
            list(rrule(YEARLY, dtstart=first, bymonth=first.month, byweekday=day, until=until))
            == onsets
        ):
            byday = f"{nth}{_ICAL_WEEKDAYS[first.weekday()]}"
            return vRecur({"FREQ": "YEARLY", "BYMONTH": first.month, "BYDAY": byday})
    return None


def vtimezone(zone: ZoneInfo, years: range) -> Timezone:
    """A VTIMEZONE valid for `years`, from zoneinfo's rules.

    A zone with yearly DST gets one STANDARD and one DAYLIGHT observance with RRULEs; a zone
    without DST in `years` gets one STANDARD; a zone whose changes do not follow a yearly rule
    within `years` (Morocco's Ramadan time, a rule change) gets one observance per change.
    """
    start = datetime(years.start, 1, 1, tzinfo=zone).astimezone(UTC)
    end = datetime(years.stop, 1, 1, tzinfo=zone).astimezone(UTC)
    transitions = _transitions(zone, start, end)

    # Group the changes by kind (e.g. CET->CEST); each kind must repeat yearly to get an RRULE.
    kinds: dict[tuple[timedelta, timedelta, str, bool], list[_Transition]] = {}
    for t in transitions:
        kinds.setdefault((t.offset_from, t.offset_to, t.name, t.daylight), []).append(t)
    until = end.replace(tzinfo=None)
    rules = [_yearly_rule([t.onset for t in group], until) for group in kinds.values()]

    vtz = Timezone()
    vtz.add("tzid", zone.key)
    if transitions and all(rules):
        for group, rule in zip(kinds.values(), rules, strict=True):
            vtz.add_component(_observance(group[0], rule))
    else:
        offset, dst, name = _state(zone, start)
        initial = start.astimezone(zone).replace(tzinfo=None)
        vtz.add_component(
            _observance(_Transition(initial, offset, offset, name, dst > timedelta(0)))
        )
        for t in transitions:
            vtz.add_component(_observance(t))
    return vtz


def _observance(
    change: _Transition, rule: vRecur | None = None
) -> TimezoneStandard | TimezoneDaylight:
    component = TimezoneDaylight() if change.daylight else TimezoneStandard()
    component.add("dtstart", change.onset)
    component.add("tzoffsetfrom", change.offset_from)
    component.add("tzoffsetto", change.offset_to)
    if change.name:
        component.add("tzname", change.name)
    if rule is not None:
        component.add("rrule", rule)
    else:
        # RFC 5545 counts DTSTART as the onset, but some readers (ical, used by Home Assistant)
        # only look at RRULE/RDATE; one date per RDATE line is read correctly by all.
        component.add("rdate", change.onset)
    return component
