"""Reading Dutch times and moments, and wall-clock arithmetic across DST.

* Spoken times ("3 uur", "half 4", "kwart over 2", "om 6") fall in office hours 07:00–18:59 unless
  "'s ochtends"/"'s middags"/"'s avonds"/"'s nachts" says otherwise; clock times ("3:00", "15.00")
  and hours above 12 ("15 uur") are taken literally.
* A day part fixes the time of a day: "morgenochtend" (09:00), "vanmiddag" (13:00),
  "morgenavond" (19:00), "dinsdagmiddag", "morgen 's middags", "1-12 in de ochtend"...
* A time without a date is the next such moment (today if still ahead, otherwise tomorrow).
* Midnight said with a day ("morgen 12 uur 's nachts") is asked about: the start or the end of
  that day is meant about as often; "00:00" or "12 uur 's nachts" alone is read.
* Wall-clock times that do not exist (the spring-forward hour) move forward by the DST gap;
  ambiguous ones (autumn) take the first occurrence (summer time). `wall_time` is the one place
  that does this round trip; `read_moment` also says so in Dutch (`wall_time_remark`), so an
  answer never shows another time than was typed, or picks one of two, without a word.
"""

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from msgspec import Struct

from bot.language.dates import parse_date_phrase, today_in
from bot.language.errors import DutchDateError, InvalidDate
from bot.language.fold import clean
from bot.language.format import DEFAULT_TZ, format_date, format_time
from bot.language.names import FULL_WEEKDAYS, NUMBER_WORDS, alternation, number
from bot.language.workdays import working_day_from

__all__ = [
    "DATETIME_EXAMPLES",
    "DAY_PARTS",
    "ReadMoment",
    "local_moments",
    "parse_datetime",
    "parse_time",
    "read_moment",
    "shift_wall",
    "wall_time",
    "wall_time_remark",
]

DATETIME_EXAMPLES = "‘dinsdag 1 december 14:00’, ‘1-12 om 9.30’ of ‘morgen 10u’"

_HOUR_WORD = alternation(w for w, v in NUMBER_WORDS.items() if v <= 12)
_MINUTE_WORD = alternation([*NUMBER_WORDS, "kwart"])

# The time a day part stands for when no clock time is given ("morgenochtend").
DAY_PARTS = {"ochtend": time(9, 0), "middag": time(13, 0), "avond": time(19, 0)}
_DAY_PART_RE = re.compile(
    r"(?P<day>van|morgen|overmorgen)(?P<part>ochtend|morgen|middag|avond)"
    r"|(?P<day2>vandaag|morgen|overmorgen)\s+(?:in\s+de\s+)?(?P<part2>ochtend|middag|avond)"
)


def wall_time(day: date, clock: time, tz: tzinfo) -> datetime:
    """The aware moment `clock` on local `day`. The UTC round trip moves a time in the
    spring-forward gap to the real wall-clock time; an autumn time that occurs twice is the
    first (summer time)."""
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC).astimezone(tz)


def wall_time_remark(day: date, clock: time, tz: tzinfo) -> str | None:
    """Dutch, when `clock` on `day` is no plain wall time: in the spring-forward gap it does not
    exist (`wall_time` reads it an hour later), in the autumn hour it occurs twice (`wall_time`
    reads the first, summer time). None for every other time."""
    first = datetime.combine(day, clock, tzinfo=tz)
    # PEP 495 (zoneinfo): fold 0 has the offset before the change, fold 1 the one after.
    before, after = first.utcoffset(), first.replace(fold=1).utcoffset()
    if before is None or after is None or before == after:
        return None
    typed, on = format_time(clock), format_date(day)
    if after > before:
        read = wall_time(day, clock, tz)
        return (
            f"{typed} bestaat niet op {on}: de zomertijd begint en de klok springt een uur "
            f"vooruit. Ik lees {format_time(read, tz=tz)}."
        )
    return (
        f"{typed} komt op {on} twee keer voor: de zomertijd eindigt en de klok gaat een uur "
        f"terug. Ik lees de eerste keer, nog in zomertijd; de tweede keer is een uur later."
    )


def shift_wall(moment: datetime, delta: timedelta, tz: tzinfo) -> datetime:
    """`moment` moved by `delta` in local wall time: "1 dag" before Monday 08:00 is Sunday 08:00,
    also when the clocks change in between."""
    wall = moment.astimezone(tz).replace(tzinfo=None) + delta
    return wall_time(wall.date(), wall.time(), tz)


def local_moments(
    start: datetime, end: datetime, tz: tzinfo, at: time, weekday: int | None = None
) -> Iterator[tuple[date, datetime]]:
    """(local day, moment) for each day (or each `weekday`, Monday = 0) whose local time `at`
    falls in [start, end]."""
    day = start.astimezone(tz).date() - timedelta(days=1)
    while day <= end.astimezone(tz).date():
        if weekday is None or day.weekday() == weekday:
            moment = wall_time(day, at, tz)
            if start <= moment <= end:
                yield day, moment
        day += timedelta(days=1)


_at = wall_time


_WEEKDAY_WORD = alternation(FULL_WEEKDAYS)
_DAY_PART_COMPOUND = re.compile(
    rf"(van|morgen|overmorgen|{_WEEKDAY_WORD})(ochtend|morgen|middag|avond)"
)
# A date followed by a day part and no clock time: "dinsdag 's middags", "1-12 in de ochtend".
_DATE_AND_DAY_PART = re.compile(
    r"(?P<date>.+?),?\s+(?:'?s[\s-]?(?P<sp>ochtends|morgens|middags|avonds)"
    r"|in\s+de\s+(?P<dp>ochtend|morgen|middag|avond))"
)


def _day_parts(cleaned: str) -> str:
    """'morgenochtend 9 uur' -> "morgen 9 uur 's ochtends", 'dinsdagmiddag' -> "dinsdag 's
    middags": a day part says which half of the day a clock time is in, or without one stands
    for its own time (DAY_PARTS). "vanmiddag" and "morgenavond" alone are read whole."""
    words = cleaned.split()
    for index, word in enumerate(words):
        m = _DAY_PART_COMPOUND.fullmatch(word)
        if m is None or (len(words) == 1 and m[1] in ("van", "morgen", "overmorgen")):
            continue
        day = "vandaag" if m[1] == "van" else m[1]
        part = "ochtend" if m[2] == "morgen" else m[2]
        return " ".join([*words[:index], day, *words[index + 1 :], f"'s {part}s"])
    return cleaned


_TIME_RE = re.compile(
    rf"""
    (?:(?P<om>om|rond|vanaf)\s+)?
    (?:
        (?P<ch>[01]?\d|2[0-3])[:.](?P<cm>[0-5]\d)(?:\s*(?:uur|u|h))?
      | (?P<hh>\d{{1,2}})\s*(?:uur|u|h)(?:\s*(?P<hm>[0-5]\d))?
      | (?:(?P<rn>\d{{1,2}}|{_MINUTE_WORD})\s+(?P<rdir>over|voor)\s+)?
        (?P<rhalf>half\s+)?(?P<rh>\d{{1,2}}|{_HOUR_WORD})(?P<ruur>\s*uur)?
    )
    (?:\s*,?\s*(?:'?s[\s-]?(?P<dp>ochtends|morgens|middags|avonds|nachts)
                 |in\s+de\s+(?P<dp_de>ochtend|morgen|middag|avond|nacht)))?
    """,
    re.VERBOSE,
)
_LOOKS_LIKE_CLOCK = re.compile(r"(?:om\s+)?\d{1,2}[:.]\d{1,2}(?:\s*(?:uur|u|h))?")
_OFFICE_START = 7 * 60  # spoken 12-hour times are read within 07:00-18:59
_HALF_DAY = 12 * 60


def _spoken_minutes(m: re.Match[str]) -> tuple[int, int] | None:
    """(typed hour, minutes after midnight as if typed on a 24-hour clock) for spoken forms."""
    if m["hh"] is not None:
        return int(m["hh"]), int(m["hh"]) * 60 + int(m["hm"] or 0)
    hour = number(m["rh"])
    if not (m["om"] or m["rn"] or m["rhalf"] or m["ruur"]):
        return None  # a bare number is not a time
    minutes = hour * 60 - (30 if m["rhalf"] else 0)
    if m["rn"]:
        offset = 15 if m["rn"] == "kwart" else number(m["rn"])
        if not 1 <= offset <= 29:
            return None
        minutes += offset if m["rdir"] == "over" else -offset
    return hour, minutes


def _invalid_time(text: str) -> InvalidDate:
    # Clearly a time, one that cannot be: a command says so rather than "not a time".
    return InvalidDate(
        f"‘{text.strip()}’ is geen geldige tijd. Schrijf bijvoorbeeld ‘09:30’ of ‘14 uur’."
    )


def _match_time(text: str) -> time | None:
    m = _TIME_RE.fullmatch(clean(text))
    if m is None:
        return None
    daypart = (m["dp"] or m["dp_de"] or "").removesuffix("s")
    if m["ch"] is not None:
        minutes = int(m["ch"]) * 60 + int(m["cm"])
        if daypart in ("middag", "avond") and minutes < _HALF_DAY:
            minutes += _HALF_DAY
    else:
        spoken = _spoken_minutes(m)
        if spoken is None:
            return None
        typed_hour, minutes = spoken
        if typed_hour >= 24:
            # "24 uur" like "24:00": refused, not the midnight at the start of the day (which
            # made "morgen 24 uur" the night before the day meant).
            raise _invalid_time(text)
        if 1 <= typed_hour <= 12:
            minutes %= _HALF_DAY  # the 12-hour reading, 00:00-11:59
            if daypart in ("middag", "avond"):
                minutes += _HALF_DAY
            elif daypart == "nacht":
                if minutes >= _OFFICE_START:  # "11 uur 's nachts"
                    minutes += _HALF_DAY
            elif not daypart and minutes < _OFFICE_START:
                minutes += _HALF_DAY
    minutes %= 24 * 60
    return time(minutes // 60, minutes % 60)


def parse_time(text: str) -> time:
    """Read a Dutch time: '10:00', '10.00', '10u', '10 uur', 'om 10:30', 'half 10', 'kwart over 9'.

    Raises DutchDateError with a Dutch message when the text is no (valid) time.
    """
    parsed = _match_time(text)
    if parsed is None:
        if _LOOKS_LIKE_CLOCK.fullmatch(clean(text)):
            raise _invalid_time(text)
        raise DutchDateError(
            f"Ik kan ‘{text.strip()}’ niet lezen als tijd. "
            "Schrijf bijvoorbeeld ‘10:00’, ‘10 uur’ of ‘half 10’."
        )
    return parsed


def _spoken_midnight(text: str) -> bool:
    """ "12 uur 's nachts", "om 12 's nachts": midnight said, not written as a clock ("00:00")."""
    m = _TIME_RE.fullmatch(clean(text))
    if m is None or m["ch"] is not None or (m["dp"] or m["dp_de"] or "") not in ("nachts", "nacht"):
        return False
    spoken = _spoken_minutes(m)
    return spoken is not None and spoken[0] == 12 and spoken[1] == 12 * 60


def _which_midnight(text: str, day: date) -> InvalidDate:
    # "morgen 12 uur 's nachts" is as often the night after that day as the start of it: the
    # half hour between would decide whose duty it is, so it is asked, not guessed.
    after = day + timedelta(days=1)
    return InvalidDate(
        f"Met ‘{text}’ kan het begin of het eind van {format_date(day)} bedoeld zijn. Schrijf "
        f"‘{day.day}-{day.month} 00:00’ voor het begin of ‘{after.day}-{after.month} 00:00’ "
        "voor het eind."
    )


def _split_date_time(tokens: list[str], today: date) -> tuple[date | None, time] | None:
    """Find a time at the end (or start) of the tokens and a date (or nothing) in the rest."""
    splits = [(tokens[:k], tokens[k:]) for k in range(len(tokens))]
    splits += [(tokens[k:], tokens[:k]) for k in range(len(tokens), 0, -1)]
    first_error: DutchDateError | None = None
    for date_tokens, time_tokens in splits:
        try:
            clock = _match_time(" ".join(time_tokens))
            if clock is None:
                continue
            date_text = " ".join(date_tokens).strip(" ,")
            date_text = re.sub(r"^(?:op|om)\s+|\s+(?:op|om)$", "", date_text)
            if not date_text:
                return None, clock
            parsed = parse_date_phrase(date_text, today)
        except DutchDateError as error:
            first_error = first_error or error
            continue
        if parsed is not None:
            if _spoken_midnight(" ".join(time_tokens)):
                raise _which_midnight(" ".join(tokens), parsed.day)
            return parsed.day, clock
    if first_error is not None:
        raise first_error
    return None


class ReadMoment(Struct, frozen=True):
    """A moment as read, and (Dutch) what the reader had to decide: a typed wall time that does
    not exist or occurs twice on that day (`wall_time_remark`)."""

    moment: datetime
    remark: str | None = None


def _read_at(day: date, clock: time, tz: tzinfo) -> ReadMoment:
    return ReadMoment(_at(day, clock, tz), wall_time_remark(day, clock, tz))


def parse_datetime(
    text: str, now: datetime, *, default_time: time | None = None, tz: tzinfo = DEFAULT_TZ
) -> datetime:
    """Read a Dutch date with a time ('dinsdag 1 december 14:00', 'morgen half 10', '10:00').

    Returns an aware datetime in `tz`. Without a time, `default_time` is used; without both,
    DutchDateError. A time without a date is the next such moment.
    """
    return read_moment(text, now, default_time=default_time, tz=tz).moment


def read_moment(
    text: str, now: datetime, *, default_time: time | None = None, tz: tzinfo = DEFAULT_TZ
) -> ReadMoment:
    """`parse_datetime`, with the remark an answer must show when the wall time typed does not
    exist or occurs twice ("zondag 25 oktober 02:30"). A week or a month is no moment: it is
    refused with a question for the day, not read as its first day."""
    today = today_in(now, tz)
    cleaned = _day_parts(clean(text))
    if (part := _DAY_PART_RE.fullmatch(cleaned)) is not None:
        day_word = part["day"] or part["day2"]
        day = today + timedelta(days={"van": 0, "vandaag": 0, "morgen": 1}.get(day_word, 2))
        name = (part["part"] or part["part2"]).replace("morgen", "ochtend")
        return _read_at(day, DAY_PARTS[name], tz)
    if (part := _DATE_AND_DAY_PART.fullmatch(cleaned)) is not None:
        # "dinsdagmiddag", "morgen 's middags": that day at the day part's time.
        dated = parse_date_phrase(re.sub(r"^op\s+", "", part["date"]), today)
        if dated is not None:
            name = (part["sp"] or "").removesuffix("s") or part["dp"]
            return _read_at(dated.day, DAY_PARTS[name.replace("morgen", "ochtend")], tz)
    cleaned = re.sub(r"(\d{4}-\d{1,2}-\d{1,2})t(\d)", r"\1 \2", cleaned)  # ISO 'T' separator
    whole_date_error: DutchDateError | None = None
    try:
        whole = parse_date_phrase(cleaned, today)
    except DutchDateError as error:  # "12.15" is no date, but may still be a time
        whole, whole_date_error = None, error
    if whole is not None:
        start = whole.since or whole.first
        if start is not None and whole.label is not None:
            example = working_day_from(max(start, today + timedelta(days=1)))
            # "volgende maand" or "week 50" is no moment: its first day (1 January, a holiday;
            # the Monday before the meeting's own Tuesday) would be a guess.
            raise DutchDateError(
                f"‘{text.strip()}’ is geen dag maar {whole.label}. Noem de dag, bijvoorbeeld "
                f"‘{format_date(example, with_year=False)} 10:00’."
            )
        if default_time is None:
            raise DutchDateError(
                f"In ‘{text.strip()}’ staat geen tijd. Schrijf bijvoorbeeld ‘{text.strip()} 10:00’."
            )
        return _read_at(whole.day, default_time, tz)

    split = _split_date_time(cleaned.split(), today) if cleaned else None
    if split is None:
        if whole_date_error is not None:
            raise whole_date_error
        last = cleaned.split()[-1] if cleaned else ""
        if _LOOKS_LIKE_CLOCK.fullmatch(last):
            parse_time(last)  # raises the specific "geen geldige tijd" message
        raise DutchDateError(
            f"Ik kan ‘{text.strip()}’ niet lezen als datum met tijd. "
            f"Schrijf bijvoorbeeld {DATETIME_EXAMPLES}."
        )
    day, clock = split
    if day is None:
        day = today if _at(today, clock, tz) >= now else today + timedelta(days=1)
    return _read_at(day, clock, tz)
