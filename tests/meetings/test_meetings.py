"""Meeting series as pure logic, with fixed instants: DST weeks, Dutch holidays, ISO week 53,
"per 4 week" / "per 6 week" anchors, monthly rules, explicit dates, cancelled and moved meetings,
reminder instants, delivery keys and finding a series by what people type."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.core.meetings import (
    ChangeAction,
    MeetingSeries,
    Occurrence,
    OccurrenceChange,
    ScheduleError,
    Status,
    check_schedule,
    delivery_key,
    describe_schedule,
    match_series,
    minute_taker,
    next_occurrence,
    occurrence_for_day,
    occurrence_note,
    occurrences,
    parse_delivery_key,
    reminder_times,
    upcoming,
)

AMS = ZoneInfo("Europe/Amsterdam")


def series(**overrides: Any) -> MeetingSeries:
    values: dict[str, Any] = {
        "key": "boa-briefing",
        "name": "Boa-briefing",
        "cadence": "2 uur per week",
        "weekday": "dinsdag",
        "time": "09:00",
        "first_date": date(2026, 1, 6),
        "channel": "#boa-briefing",
        "chair": "boa-coordinator",
    }
    values.update(overrides)
    return MeetingSeries.model_validate(values)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS)


def between(s: MeetingSeries, start: date, end: date, changes=()) -> list[Occurrence]:
    return occurrences(
        s,
        datetime.combine(start, time(0, 0), tzinfo=AMS),
        datetime.combine(end, time(0, 0), tzinfo=AMS),
        changes,
    )


def starts(found: list[Occurrence]) -> list[datetime]:
    return [o.start for o in found]


def due(s: MeetingSeries, occurrence: Occurrence) -> dict[str, datetime]:
    return {r.kind: r.due_at for r in reminder_times(s, occurrence)}


# --- time zones -----------------------------------------------------------------------------------


def test_a_nine_oclock_meeting_stays_at_nine_across_both_dst_changes() -> None:
    boa = series()
    march = between(boa, date(2026, 3, 23), date(2026, 4, 1))  # clocks go forward on 29 March
    october = between(boa, date(2026, 10, 19), date(2026, 10, 28))  # and back on 25 October
    assert [o.start.astimezone(AMS).hour for o in march + october] == [9, 9, 9, 9]
    assert [o.start.astimezone(UTC).hour for o in march] == [8, 7]
    assert [o.start.astimezone(UTC).hour for o in october] == [7, 8]
    # The reminder the working day before is 16:00 local on either side of the change too.
    reminders = due(boa, march[1])
    assert reminders["remind-1"] == local(2026, 3, 30, 16, 0)
    assert reminders["remind-0"] == local(2026, 3, 31, 8, 30)
    assert reminders["chair"] == local(2026, 3, 30, 10, 0)


def test_a_monday_after_the_spring_change_is_reminded_on_friday_in_winter_time() -> None:
    teamoverleg = series(weekday="maandag", time="10:00", first_date=date(2026, 1, 5))
    monday = between(teamoverleg, date(2026, 3, 30), date(2026, 3, 31))[0]
    assert monday.start == local(2026, 3, 30, 10, 0)
    assert due(teamoverleg, monday)["remind-1"].astimezone(UTC) == datetime(
        2026, 3, 27, 15, 0, tzinfo=UTC
    )


def test_wall_clock_times_that_do_not_exist_or_repeat_still_give_one_real_instant() -> None:
    night = series(weekday="zondag", time="02:30", first_date=date(2026, 1, 4), remind=[])
    spring = between(night, date(2026, 3, 29), date(2026, 3, 30))[0]
    autumn = between(night, date(2026, 10, 25), date(2026, 10, 26))[0]
    assert spring.start.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST
    assert autumn.start.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the first


def test_a_meeting_across_a_clock_change_ends_after_its_real_duration() -> None:
    # A night's event briefing, 3 hours from 01:00: in October it ends at 03:00 winter time
    # (02:00 UTC), in March at 05:00 summer time (03:00 UTC).
    night = series(weekday="zondag", time="01:00", first_date=date(2026, 1, 4),
                   duration_minutes=180, remind=[])  # fmt: skip
    autumn = between(night, date(2026, 10, 25), date(2026, 10, 26))[0]
    spring = between(night, date(2026, 3, 29), date(2026, 3, 30))[0]
    assert autumn.end.astimezone(UTC) == datetime(2026, 10, 25, 2, 0, tzinfo=UTC)
    assert autumn.end.astimezone(AMS).strftime("%H:%M") == "03:00"
    assert spring.end.astimezone(UTC) == datetime(2026, 3, 29, 3, 0, tzinfo=UTC)
    assert spring.end.astimezone(AMS).strftime("%H:%M") == "05:00"


# --- holidays -------------------------------------------------------------------------------------


def test_koningsdag_moves_skips_or_keeps_the_meeting_by_policy() -> None:
    monday = {"weekday": "maandag", "time": "10:00", "first_date": date(2026, 1, 5)}
    moved = between(
        series(on_holiday="volgende werkdag", **monday), date(2026, 4, 26), date(2026, 5, 1)
    )
    assert starts(moved) == [local(2026, 4, 28, 10, 0)]
    assert moved[0].original_date == date(2026, 4, 27) and moved[0].moved_for_holiday
    assert occurrence_note(moved[0]) == (
        "verplaatst vanwege Koningsdag (valt op maandag 27 april 2026)"
    )
    # The reminder "the working day before" the Tuesday skips Koningsdag: Friday.
    assert due(series(on_holiday="volgende werkdag", **monday), moved[0])["remind-1"] == local(
        2026, 4, 24, 16, 0
    )

    skipping = series(on_holiday="overslaan", **monday)
    skipped = between(skipping, date(2026, 4, 26), date(2026, 5, 1))
    assert [o.status for o in skipped] == [Status.SKIPPED]
    assert occurrence_note(skipped[0]) == "gaat niet door vanwege Koningsdag"
    # One notice instead of the reminders, at the earliest reminder; no DM to the chair.
    assert [(r.kind, r.due_at) for r in reminder_times(skipping, skipped[0])] == [
        ("remind-1", local(2026, 4, 24, 16, 0))
    ]

    kept = between(series(on_holiday="doorgaan", **monday), date(2026, 4, 26), date(2026, 5, 1))
    assert starts(kept) == [local(2026, 4, 27, 10, 0)] and kept[0].held
    assert occurrence_note(kept[0]) == "let op: Koningsdag"


def test_a_meeting_moved_off_a_holiday_onto_its_own_next_meeting_day_is_held_once() -> None:
    twice = series(
        cadence="2 keer per week 1 uur",
        weekday=["maandag", "dinsdag"],
        time="10:00",
        first_date=date(2027, 3, 1),
        on_holiday="volgende werkdag",
    )
    # Easter Monday 29 March 2027: the Tuesday after has its own meeting.
    found = between(twice, date(2027, 3, 29), date(2027, 4, 1))
    assert [(o.original_date, o.status) for o in found] == [
        (date(2027, 3, 29), Status.SKIPPED),
        (date(2027, 3, 30), Status.PLANNED),
    ]
    assert [o.start for o in found if o.held] == [local(2027, 3, 30, 10, 0)]
    # One set of reminders for the Tuesday, one notice that Monday's is off.
    assert [r.kind for o in found for r in reminder_times(twice, o)] == [
        "remind-1",
        "chair",
        "remind-1",
        "remind-0",
    ]


def test_christmas_and_new_year_on_a_friday_move_to_the_monday_after() -> None:
    friday = series(
        weekday="vrijdag", time="10:00", first_date=date(2026, 1, 2), on_holiday="volgende werkdag"
    )
    found = between(friday, date(2026, 12, 17), date(2027, 1, 9))
    assert starts(found) == [
        local(2026, 12, 18, 10, 0),
        local(2026, 12, 28, 10, 0),  # Eerste kerstdag; Tweede kerstdag is the Saturday
        local(2027, 1, 4, 10, 0),  # Nieuwjaarsdag
        local(2027, 1, 8, 10, 0),
    ]
    assert [o.holiday for o in found] == [None, "Eerste kerstdag", "Nieuwjaarsdag", None]
    # The meeting of the 28th is reminded on Thursday the 24th: the 25th is no working day.
    assert due(friday, found[1])["remind-1"] == local(2026, 12, 24, 16, 0)


def test_hemelvaart_moves_the_bundled_veiligheidsoverleg_to_friday(team_config) -> None:
    bundled = {s.key: s for s in team_config.extra["meetings.yaml"]}
    overleg = bundled["veiligheidsoverleg-noord-drenthe"]
    found = between(overleg, date(2026, 5, 11), date(2026, 5, 18))
    assert starts(found) == [local(2026, 5, 15, 13, 30)]
    assert found[0].holiday == "Hemelvaartsdag"
    # ...and the bundled teamoverleg (Mondays) moves off Koningsdag.
    assert starts(between(bundled["teamoverleg"], date(2026, 4, 27), date(2026, 4, 29))) == [
        local(2026, 4, 28, 10, 0)
    ]


# --- rhythms and anchors --------------------------------------------------------------------------


def test_iso_week_53_and_the_year_boundary_keep_the_rhythm() -> None:
    assert date(2026, 12, 31).isocalendar().week == 53
    weekly = between(series(), date(2026, 12, 20), date(2027, 1, 14))
    assert [o.start.date() for o in weekly] == [
        date(2026, 12, 22),
        date(2026, 12, 29),  # ISO week 53
        date(2027, 1, 5),
        date(2027, 1, 12),
    ]
    fortnightly = series(
        cadence="2 uur per 2 weken", weekday="donderdag", first_date=date(2026, 1, 8)
    )
    found = between(fortnightly, date(2026, 12, 1), date(2027, 2, 1))
    gaps = {(b.start.date() - a.start.date()).days for a, b in pairwise(found)}
    assert gaps == {14}
    # Week parity flips at week 53 (52 -> 1), so "even weeks" would have broken the rhythm here.
    assert [o.start.date().isocalendar().week for o in found[1:3]] == [52, 1]
    takers = series(minute_takers=["aov-1", "aov-2"])
    # The rotation runs on across the year (49 held before 22 December: 5 May was skipped).
    assert [o.turn for o in weekly] == [49, 50, 51, 52]
    assert [minute_taker(takers, o) for o in weekly] == ["aov-2", "aov-1"] * 2


@pytest.mark.parametrize(
    ("cadence", "weekday", "first", "expected"),
    [
        (
            "2 uur per 4 week",
            "woensdag",
            date(2026, 1, 14),
            [date(2026, 10, 21), date(2026, 11, 18), date(2026, 12, 16), date(2027, 1, 13)],
        ),
        (
            "1 keer per 6 week 5 uur",
            "donderdag",
            date(2026, 1, 15),
            [date(2026, 11, 5), date(2026, 12, 17), date(2027, 1, 28)],
        ),
    ],
)
def test_every_4_and_6_weeks_count_from_the_first_date(
    cadence: str, weekday: str, first: date, expected: list[date]
) -> None:
    anchored = series(cadence=cadence, weekday=weekday, first_date=first)
    found = between(anchored, date(2026, 10, 15), date(2027, 2, 1))
    assert [o.start.date() for o in found] == expected
    period = 28 if "4 week" in cadence else 42
    assert all((o.original_date - first).days % period == 0 for o in found)
    # The anchor decides the weeks: one week later, every meeting is one week later.
    shifted = series(cadence=cadence, weekday=weekday, first_date=first + timedelta(7))
    later = between(shifted, date(2026, 10, 15), date(2027, 2, 8))
    assert [o.start.date() for o in later][: len(expected)] == [d + timedelta(7) for d in expected]


def test_a_first_date_that_is_not_a_meeting_day_is_refused_with_the_right_day() -> None:
    with pytest.raises(ScheduleError) as caught:
        check_schedule(series(first_date=date(2026, 1, 5)))  # a Monday, the series is on Tuesday
    assert caught.value.field == "first_date"
    assert "maandag 5 januari 2026" in str(caught.value)
    assert "dinsdag 6 januari 2026" in str(caught.value)


def test_monthly_and_quarterly_series_use_the_week_of_the_month() -> None:
    first_thursday = series(
        cadence="2 uur per maand", weekday="donderdag", week_of_month=1, first_date=date(2026, 1, 1)
    )
    assert [
        o.start.date() for o in between(first_thursday, date(2026, 9, 1), date(2026, 12, 1))
    ] == [
        date(2026, 9, 3),
        date(2026, 10, 1),
        date(2026, 11, 5),
    ]
    last_thursday = series(
        cadence="2 uur per kwartaal",
        weekday="do",
        week_of_month=-1,
        first_date=date(2026, 1, 29),
    )
    assert [o.start.date() for o in between(last_thursday, date(2026, 2, 1), date(2027, 2, 1))] == [
        date(2026, 4, 30),
        date(2026, 7, 30),
        date(2026, 10, 29),
        date(2027, 1, 28),
    ]
    assert describe_schedule(last_thursday) == (
        "elk kwartaal op de laatste donderdag om 09:00, 1 uur "
        "(gerekend vanaf donderdag 29 januari 2026)"
    )
    with pytest.raises(ScheduleError) as caught:
        check_schedule(series(cadence="2 uur per maand", first_date=date(2026, 1, 6)))
    assert caught.value.field == "week_of_month"


def test_a_series_without_a_fixed_rhythm_takes_explicit_dates() -> None:
    with pytest.raises(ScheduleError) as caught:
        check_schedule(series(cadence="4/5 keer per jaar"))
    assert caught.value.field == "cadence" and "dates" in str(caught.value)
    board = series(
        cadence="4/5 keer per jaar",
        weekday=(),
        first_date=None,
        time="14:00",
        dates=[date(2026, 2, 11), "2026-04-08 10:30", date(2026, 7, 1)],
    )
    assert starts(between(board, date(2026, 1, 1), date(2027, 1, 1))) == [
        local(2026, 2, 11, 14, 0),
        local(2026, 4, 8, 10, 30),
        local(2026, 7, 1, 14, 0),
    ]
    assert next_occurrence(board, local(2026, 7, 2, 0, 0)) is None


# --- changes by hand ------------------------------------------------------------------------------


def test_a_cancelled_meeting_is_shown_but_not_reminded_and_uses_up_nobodys_turn() -> None:
    boa = series(minute_takers=["aov-1", "aov-2", "aov-3"])
    before = between(boa, date(2026, 11, 23), date(2026, 12, 16))
    assert [minute_taker(boa, o) for o in before] == ["aov-1", "aov-2", "aov-3", "aov-1"]
    cancel = OccurrenceChange(date(2026, 12, 1), ChangeAction.CANCEL, changed_by="U1")
    found = between(boa, date(2026, 11, 23), date(2026, 12, 16), [cancel])
    assert [o.status for o in found] == [Status.PLANNED, Status.CANCELLED] + [Status.PLANNED] * 2
    assert reminder_times(boa, found[1]) == []
    assert [o.number for o in found] == [46, 47, 48, 49]  # the identity stays
    # aov-2's meeting of 1 December is cancelled: aov-2 takes the next one, the others follow.
    held = [o for o in found if o.held]
    assert [minute_taker(boa, o) for o in held] == ["aov-1", "aov-2", "aov-3"]
    # A meeting skipped on a holiday uses up nobody's turn either: 5 May 2026 (Bevrijdingsdag).
    spring = between(boa, date(2026, 4, 28), date(2026, 5, 13))
    assert [o.status for o in spring] == [Status.PLANNED, Status.SKIPPED, Status.PLANNED]
    assert spring[2].turn == spring[0].turn + 1
    assert next_occurrence(boa, local(2026, 11, 24, 12, 0), [cancel]).start == local(
        2026, 12, 8, 9, 0
    )


def test_a_moved_meeting_keeps_its_identity_and_gets_reminders_for_the_new_date() -> None:
    boa = series()
    move = OccurrenceChange(
        date(2026, 12, 1),
        ChangeAction.MOVE,
        new_start=local(2026, 12, 3, 14, 0),
        changed_by="U1",
        changed_at=local(2026, 11, 25, 12, 0),
    )
    week = between(boa, date(2026, 11, 30), date(2026, 12, 7), [move])
    assert starts(week) == [local(2026, 12, 3, 14, 0)]
    moved = week[0]
    assert moved.original_date == date(2026, 12, 1) and moved.moved_by_hand
    assert occurrence_note(moved) == "verplaatst, was dinsdag 1 december 2026, 09:00"
    assert due(boa, moved)["remind-1"] == local(2026, 12, 2, 16, 0)
    # New keys (re-armed), which still name the original occurrence.
    key = delivery_key(moved, "remind-1")
    assert key == "meeting:boa-briefing:2026-12-01:remind-1@2026-12-03T14:00"
    ref = parse_delivery_key(key)
    assert (ref.series_key, ref.occurrence_date, ref.kind) == (
        "boa-briefing",
        date(2026, 12, 1),
        "remind-1",
    )
    # People may name it by either date.
    assert occurrence_for_day(boa, date(2026, 12, 3), [move]) == moved
    assert occurrence_for_day(boa, date(2026, 12, 1), [move]) == moved


def test_a_meeting_moved_from_far_away_appears_in_its_new_week() -> None:
    boa = series()
    move = OccurrenceChange(date(2027, 3, 2), ChangeAction.MOVE, new_start=local(2026, 12, 2, 9, 0))
    found = between(boa, date(2026, 11, 30), date(2026, 12, 7), [move])
    assert [(o.original_date, o.start) for o in found] == [
        (date(2026, 12, 1), local(2026, 12, 1, 9, 0)),
        (date(2027, 3, 2), local(2026, 12, 2, 9, 0)),
    ]


def test_delivery_keys_do_not_change_when_time_channel_or_chair_change() -> None:
    before = between(series(), date(2026, 12, 1), date(2026, 12, 2))[0]
    after = between(
        series(time="10:30", channel="#boa", chair="aov-1"), date(2026, 12, 1), date(2026, 12, 2)
    )[0]
    assert before.start != after.start
    assert delivery_key(before, "remind-0") == delivery_key(after, "remind-0")
    assert delivery_key(before, "remind-0") == "meeting:boa-briefing:2026-12-01:remind-0"
    assert parse_delivery_key("piket:ovd-bz:2026-W49:remind") is None


def test_reminders_at_or_after_the_start_are_dropped() -> None:
    early = series(time="08:00")
    occurrence = between(early, date(2026, 12, 1), date(2026, 12, 2))[0]
    assert set(due(early, occurrence)) == {"remind-1", "chair"}  # 08:30 would be too late
    no_dm = series(chair_dm_at=None)
    assert set(due(no_dm, between(no_dm, date(2026, 12, 1), date(2026, 12, 2))[0])) == {
        "remind-1",
        "remind-0",
    }


def test_upcoming_lists_cancelled_and_skipped_meetings_too() -> None:
    boa = series()
    cancel = OccurrenceChange(date(2026, 4, 28), ChangeAction.CANCEL)
    found = upcoming(boa, local(2026, 4, 27, 12, 0), 3, [cancel])
    assert [(o.start.date(), o.status) for o in found] == [
        (date(2026, 4, 28), Status.CANCELLED),
        (date(2026, 5, 5), Status.SKIPPED),  # Bevrijdingsdag: a day off for municipal staff
        (date(2026, 5, 12), Status.PLANNED),
    ]


# --- finding a series -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("boa", "boa-briefing"),
        ("Boa Briefing", "boa-briefing"),
        ("BOABRIEFING", "boa-briefing"),
        ("boa-brefing", "boa-briefing"),
        ("teamoverleg veiligheid", "teamoverleg"),
        ("teamoverlg", "teamoverleg"),
        ("TVO", "tvo"),
        ("tactisch", "tvo"),
        ("driehoek", "gezagsdriehoek"),
        ("Jihadisme", "cter"),
        ("AB VRD", "ab-vrd"),
    ],
)
def test_series_are_found_by_what_people_type(team_config, typed: str, key: str) -> None:
    bundled = team_config.extra["meetings.yaml"]
    assert [s.key for s in match_series(bundled, typed)] == [key]


def test_nonsense_finds_no_series(team_config) -> None:
    assert match_series(team_config.extra["meetings.yaml"], "kwispelstaart") == []


def test_a_generic_word_is_ambiguous_not_a_loose_match(team_config) -> None:
    found = {s.key for s in match_series(team_config.extra["meetings.yaml"], "Overleg")}
    assert {"teamoverleg", "tvo", "drents-aov-overleg", "lokaal-politieoverleg"} <= found
    assert "boa-briefing" not in found
