"""The piket rota: piket.yaml parsing, duty weeks across DST and year ends, fair planning."""

from __future__ import annotations

import itertools
import json
import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from ruamel.yaml import YAML

from bot.core.rota import (
    DayRange,
    RotaConfigError,
    RotaError,
    RotaRules,
    Shift,
    due_reminders,
    duty_weeks,
    generate_shifts,
    parse_day_or_week,
    parse_duration,
    parse_piket_config,
    parse_rota_rules,
    plain_data,
    shift_at,
    shifts_in,
    shifts_of,
    swap,
    unstaffed,
    upcoming_weeks,
)
from testkit.team_config import CONFIG_DIR

AMS = ZoneInfo("Europe/Amsterdam")
PEOPLE = ("aov-1", "aov-2", "aov-3", "boa-coordinator", "beleidsmedewerker", "teamleider")


def local(year: int, month: int, day: int, hour: int = 8, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMS)


def hours(start: datetime, end: datetime) -> float:
    # Subtracting two datetimes of the same zone gives wall-clock time; UTC gives elapsed time.
    return (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() / 3600


def piket(roles: dict[str, list[Any]], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "cycle_weeks": 4,
        "first_duty_week": "2026-W02",
        "handover": {"weekday": "maandag", "time": "08:00"},
        "roles": [{"name": name, "people": people} for name, people in roles.items()],
    }
    data.update(overrides)
    return data


def rules_for(roles: dict[str, list[Any]], **overrides: Any) -> RotaRules:
    return parse_rota_rules(piket(roles, **overrides))


def people_of(shifts: list[Shift], role: str | None = None) -> list[str | None]:
    return [s.person_key for s in shifts if role is None or s.role == role]


# --- piket.yaml -----------------------------------------------------------------------------


def test_example_config_parses_with_the_people_of_people_yaml() -> None:
    yaml = YAML(typ="rt")
    people = yaml.load((CONFIG_DIR / "people.yaml").read_text(encoding="utf-8"))
    known = {p["key"] for p in people["people"]}
    config = parse_piket_config(
        yaml.load((CONFIG_DIR / "piket.yaml").read_text(encoding="utf-8")), known_people=known
    )
    assert config.rules.first_handover == date(2026, 1, 5)  # Monday of ISO week 2026-W02
    assert config.rules.handover_time == time(8, 0)
    assert [r.name for r in config.rules.roles] == ["OVD-BZ", "IM-ACBZ"]
    assert config.team_lead == "teamleider"
    assert config.reminders == (timedelta(days=7), timedelta(days=1))
    assert config.feed_window(local(2026, 6, 15)) == (local(2026, 3, 15), local(2027, 6, 15))


@pytest.mark.parametrize(
    ("first_week", "weekday", "expected"),
    [
        ("2026-W02", "maandag", date(2026, 1, 5)),
        ("2026w2", "Maandag", date(2026, 1, 5)),
        (date(2026, 1, 9), "ma.", date(2026, 1, 5)),  # a Friday inside that week
        ("2026-01-11", "maandag", date(2026, 1, 5)),  # the Sunday ending that week
        ("2026-W02", "woensdag", date(2026, 1, 7)),
        ("2026-W53", " Vrijdag ", date(2027, 1, 1)),
    ],
)
def test_first_duty_week_is_an_iso_week_or_a_date_in_it(
    first_week: object, weekday: str, expected: date
) -> None:
    rules = rules_for(
        {"OVD-BZ": ["aov-1"]},
        first_duty_week=first_week,
        handover={"weekday": weekday, "time": "8.30"},
    )
    assert rules.first_handover == expected
    assert rules.handover_time == time(8, 30)


def test_every_config_problem_is_reported_in_dutch_with_its_place() -> None:
    data = piket(
        {
            "OVD-BZ": [{"key": "aov-1"}, {"key": "aov-1"}, {"key": "onbekend"}],
            "IM-ACBZ": [{"key": "aov-2", "qualified_until": "30-06-2027"}, {"naam": "aov-3"}],
        },
        cycle_weeks=0,
        first_duty_week="2027-W53",
        handover={"weekday": "mondag", "time": 800},
        reminders=["7 dagen", "morgen"],
        extra_field=True,
    )
    with pytest.raises(RotaConfigError) as caught:
        parse_piket_config(data, known_people=PEOPLE)
    problems = {p.loc: p.message for p in caught.value.problems}
    assert "geheel getal van 1 of meer" in problems[("cycle_weeks",)]
    assert "maandag" in problems[("handover", "weekday")]  # lists the valid weekday names
    assert "aanhalingstekens" in problems[("handover", "time")]
    assert "onbekend veld" in problems[("extra_field",)]
    assert "twee keer" in problems[("roles", 0, "people", 1, "key")]
    assert "onbekende persoon 'onbekend'" in problems[("roles", 0, "people", 2, "key")]
    assert "JJJJ-MM-DD" in problems[("roles", 1, "people", 0, "qualified_until")]
    assert "onbekend veld 'naam'" in problems[("roles", 1, "people", 1, "naam")]
    assert "geldige duur" in problems[("reminders", 1)]
    # The week is read apart from the weekday: a bad week shows beside a bad weekday, and
    # fixing the weekday leaves it.
    assert "week 53 bestaat niet in 2027" in problems[("first_duty_week",)]
    data["handover"] = {"weekday": "maandag", "time": "08:00"}
    with pytest.raises(RotaConfigError) as caught:
        parse_piket_config(data, known_people=PEOPLE)
    assert "week 53 bestaat niet in 2027" in str(caught.value)
    assert "first_duty_week: " in str(caught.value)


def test_missing_fields_and_empty_roles_are_reported() -> None:
    with pytest.raises(RotaConfigError) as caught:
        parse_piket_config({"roles": []})
    paths = {p.loc for p in caught.value.problems}
    assert paths == {("cycle_weeks",), ("handover",), ("first_duty_week",), ("roles",)}
    with pytest.raises(RotaConfigError, match="mapping"):
        parse_piket_config(["OVD-BZ"])


@pytest.mark.parametrize(("typed", "expected"), [("8u", time(8, 0)), ("8.30 uur", time(8, 30))])
def test_the_handover_time_is_read_as_dutch_people_write_it(typed: str, expected: time) -> None:
    rules = rules_for({"OVD-BZ": ["aov-1"]}, handover={"weekday": "maandag", "time": typed})
    assert rules.handover_time == expected


@pytest.mark.parametrize("people", [[], None])
def test_a_role_nobody_is_qualified_for_is_reported(people: Any) -> None:
    with pytest.raises(RotaConfigError) as caught:
        parse_piket_config(piket({"OVD-BZ": ["aov-1"], "IM-ACBZ": people}), known_people=PEOPLE)
    problems = {p.loc: p.message for p in caught.value.problems}
    assert "niemand is gekwalificeerd voor deze rol" in problems[("roles", 1, "people")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("7 dagen", timedelta(days=7)), ("1 dag", timedelta(days=1)), ("12 UUR", timedelta(hours=12)),
     ("2 weken", timedelta(weeks=2)), ("30 minuten", timedelta(minutes=30))],
)  # fmt: skip
def test_reminder_durations_are_dutch(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "morgen", "0 dagen", "7", "dagen 7", "1 maand"])
def test_bad_reminder_durations_say_how_to_write_them(text: str) -> None:
    with pytest.raises(RotaError, match="7 dagen"):
        parse_duration(text)


# --- duty weeks -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_week", "expected_start", "expected_hours"),
    [
        ("2026-W13", local(2026, 3, 23), 167),  # clocks go forward on Sunday 29 March
        ("2026-W43", local(2026, 10, 19), 169),  # clocks go back on Sunday 25 October
        ("2026-W27", local(2026, 6, 29), 168),
    ],
)
def test_a_duty_week_runs_from_handover_to_handover_in_local_time(
    first_week: str, expected_start: datetime, expected_hours: int
) -> None:
    rules = rules_for({"OVD-BZ": ["aov-1"]}, first_duty_week=first_week)
    (week,) = duty_weeks(
        rules, expected_start - timedelta(days=1), expected_start + timedelta(days=1)
    )
    assert week.start == expected_start
    assert hours(week.start, week.end) == expected_hours
    for edge in (week.start, week.end):
        assert edge.astimezone(AMS).time() == time(8, 0)
        assert edge.astimezone(AMS).weekday() == 0


def test_cycle_continues_through_iso_week_53_and_new_year() -> None:
    # 2026 has 53 ISO weeks: counting "ISO week mod 4" would put 2026-W53 and 2027-W01 back to back.
    rules = rules_for({"OVD-BZ": ["aov-1"]}, first_duty_week="2026-W01")
    weeks = duty_weeks(rules, local(2026, 12, 8), local(2027, 3, 1))
    assert [w.start.date() for w in weeks] == [
        date(2026, 12, 28),
        date(2027, 1, 25),
        date(2027, 2, 22),
    ]
    assert [w.start.isocalendar()[:2] for w in weeks] == [(2026, 53), (2027, 4), (2027, 8)]


def test_duty_weeks_before_the_first_one_follow_the_same_cycle() -> None:
    rules = rules_for({"OVD-BZ": ["aov-1"]}, first_duty_week="2026-W02")
    weeks = duty_weeks(rules, local(2025, 11, 1), local(2026, 1, 6))
    assert [w.start.date() for w in weeks] == [
        date(2025, 11, 10),
        date(2025, 12, 8),
        date(2026, 1, 5),
    ]


def test_the_running_duty_week_is_included() -> None:
    rules = rules_for({"OVD-BZ": ["aov-1"]})
    (week,) = duty_weeks(rules, local(2026, 1, 12, 7, 59), local(2026, 1, 12, 9))
    assert (week.start, week.end) == (local(2026, 1, 5), local(2026, 1, 12))
    assert duty_weeks(rules, local(2026, 1, 12, 8), local(2026, 2, 2, 8)) == []


# --- planning -------------------------------------------------------------------------------


def test_planning_rotates_fairly_and_is_deterministic() -> None:
    rules = rules_for(
        {
            "OVD-BZ": ["aov-1", "aov-2", "aov-3"],
            "IM-ACBZ": ["beleidsmedewerker", "boa-coordinator"],
        }
    )
    now = local(2026, 1, 1)
    shifts = generate_shifts(rules, now, local(2027, 1, 1), now=now)
    assert shifts == generate_shifts(rules, now, local(2027, 1, 1), now=now)
    assert len(shifts) == 2 * 13
    assert people_of(shifts, "OVD-BZ")[:6] == ["aov-1", "aov-2", "aov-3"] * 2
    assert people_of(shifts, "IM-ACBZ")[:4] == ["beleidsmedewerker", "boa-coordinator"] * 2
    for role in ("OVD-BZ", "IM-ACBZ"):
        counts = Counter(people_of(shifts, role))
        assert max(counts.values()) - min(counts.values()) <= 1, counts
    for week_start in {s.start for s in shifts}:
        assert sorted(s.role for s in shifts if s.start == week_start) == ["IM-ACBZ", "OVD-BZ"]


def test_nobody_holds_both_roles_in_a_week_when_someone_else_can() -> None:
    rules = rules_for({"OVD-BZ": ["aov-1", "aov-2"], "IM-ACBZ": ["aov-1", "aov-3"]})
    now = local(2026, 1, 1)
    shifts = generate_shifts(rules, now, local(2027, 1, 1), now=now)
    for week_start in {s.start for s in shifts}:
        week = people_of([s for s in shifts if s.start == week_start])
        assert len(set(week)) == 2, week
    counts = Counter(people_of(shifts))
    assert max(counts.values()) - min(counts.values()) <= 1  # the burden is per person
    # aov-1 is the only IM-ACBZ: OVD-BZ goes to aov-2 although aov-1 has fewer shifts then.
    rules = rules_for({"OVD-BZ": ["aov-1", "aov-2"], "IM-ACBZ": ["aov-1"]})
    shifts = generate_shifts(rules, now, local(2026, 4, 1), now=now)
    assert people_of(shifts, "OVD-BZ") == ["aov-2"] * 4
    assert people_of(shifts, "IM-ACBZ") == ["aov-1"] * 4


def test_one_person_holds_both_roles_only_when_nobody_else_is_qualified() -> None:
    rules = rules_for({"OVD-BZ": ["aov-1"], "IM-ACBZ": ["aov-1"]})
    now = local(2026, 1, 1)
    shifts = generate_shifts(rules, now, local(2026, 2, 10), now=now)
    assert people_of(shifts) == ["aov-1"] * 4


def test_the_longest_since_the_last_shift_goes_first_on_equal_counts() -> None:
    rules = rules_for({"OVD-BZ": ["aov-1", "aov-2", "aov-3"]})
    history = [
        Shift("OVD-BZ", "aov-3", local(2025, 11, 10), local(2025, 11, 17)),
        Shift("OVD-BZ", "aov-1", local(2025, 12, 8), local(2025, 12, 15)),
        Shift("OVD-BZ", "aov-2", local(2026, 1, 5), local(2026, 1, 12)),
    ]
    now = local(2026, 1, 20)
    shifts = generate_shifts(rules, now, local(2026, 6, 1), history=history, now=now)
    assert people_of(shifts) == ["aov-3", "aov-1", "aov-2", "aov-3", "aov-1"]
    # Input order does not matter.
    shuffled = random.Random(4).sample(history, len(history))
    assert generate_shifts(rules, now, local(2026, 6, 1), history=shuffled, now=now) == shifts


def _history(rules: RotaRules, until: datetime) -> list[Shift]:
    start = local(2025, 1, 1)
    return generate_shifts(rules, start, until, now=start)


def test_a_newcomer_starts_level_instead_of_catching_up() -> None:
    old = rules_for({"OVD-BZ": ["aov-1", "aov-2", "aov-3"]})
    now = local(2026, 6, 1)
    history = _history(old, now)
    assert Counter(people_of(history))["aov-1"] >= 5
    joined = rules_for({"OVD-BZ": ["aov-1", "aov-2", "aov-3", "boa-coordinator"]})
    shifts = generate_shifts(joined, now, local(2027, 6, 1), history=history, now=now)
    newcomer = [i for i, s in enumerate(shifts) if s.person_key == "boa-coordinator"]
    assert newcomer[0] == 0  # the newcomer goes first ...
    assert all(b - a == 4 for a, b in itertools.pairwise(newcomer))  # ... then 1 in 4
    assert Counter(people_of(shifts[:12])) == dict.fromkeys(
        ["aov-1", "aov-2", "aov-3", "boa-coordinator"], 3
    )


def test_someone_who_leaves_gets_no_more_shifts_and_the_rest_share_them() -> None:
    old = rules_for({"OVD-BZ": ["aov-1", "aov-2", "aov-3"]})
    now = local(2026, 6, 1)
    history = _history(old, local(2027, 1, 1))
    left = rules_for({"OVD-BZ": ["aov-1", "aov-3"]})
    shifts = generate_shifts(left, local(2026, 1, 1), local(2027, 6, 1), history=history, now=now)
    past = [s for s in shifts if s.start <= now]
    future = [s for s in shifts if s.start > now]
    assert "aov-2" in people_of(past)  # history stays
    assert "aov-2" not in people_of(future)
    counts = Counter(people_of(future))
    assert abs(counts["aov-1"] - counts["aov-3"]) <= 1


def test_a_lapsed_qualification_is_skipped_from_the_last_qualified_day() -> None:
    # The duty week of 29 June runs until Monday 6 July 08:00: its last day is 6 July.
    rules = rules_for(
        {"OVD-BZ": ["aov-1", {"key": "aov-2", "qualified_until": "2026-07-05"}]},
        first_duty_week="2026-W27",
    )
    now = local(2026, 6, 1)
    shifts = generate_shifts(rules, now, local(2026, 12, 31), now=now)
    assert people_of(shifts) == ["aov-1"] * len(shifts)
    until_monday = rules_for(
        {"OVD-BZ": [{"key": "aov-2", "qualified_until": date(2026, 7, 6)}, "aov-1"]},
        first_duty_week="2026-W27",
    )
    shifts = generate_shifts(until_monday, now, local(2026, 12, 31), now=now)
    assert people_of(shifts)[:3] == ["aov-2", "aov-1", "aov-1"]


def test_a_week_without_anyone_qualified_gets_an_empty_shift() -> None:
    rules = rules_for(
        {
            "OVD-BZ": ["aov-1"],
            "IM-ACBZ": [{"key": "beleidsmedewerker", "qualified_until": "2026-03-01"}],
        }
    )
    now = local(2026, 1, 1)
    shifts = generate_shifts(rules, now, local(2026, 5, 1), now=now)
    assert people_of(shifts, "IM-ACBZ") == ["beleidsmedewerker"] * 2 + [None] * 3
    gaps = unstaffed(shifts, after=local(2026, 4, 1))
    assert [(s.role, s.start) for s in gaps] == [
        ("IM-ACBZ", local(2026, 3, 30)),
        ("IM-ACBZ", local(2026, 4, 27)),
    ]


def test_started_shifts_survive_a_rule_change_and_the_future_is_replanned() -> None:
    old = rules_for(
        {"OVD-BZ": ["aov-1", "aov-2", "aov-3"], "IM-ACBZ": ["beleidsmedewerker", "boa-coordinator"]}
    )
    plan_time = local(2026, 1, 1)
    stored = generate_shifts(old, plan_time, local(2026, 12, 31), now=plan_time)

    now = local(2026, 3, 4, 12)  # in the middle of the duty week of 2 March
    new = rules_for(
        {"OVD-BZ": ["aov-2", "aov-1"], "IM-ACBZ": ["boa-coordinator"]},  # aov-3 and one IM-er left
        first_duty_week="2026-W11",  # the cycle moves one week later ...
        handover={"weekday": "dinsdag", "time": "09:00"},  # ... and to Tuesday 09:00
    )
    replanned = generate_shifts(
        new, local(2026, 1, 1), local(2026, 12, 31), history=stored, now=now
    )

    started = [s for s in stored if s.start <= now]
    assert started and [s for s in replanned if s.start <= now] == started
    assert any(s.person_key == "aov-3" and s.contains(now) for s in started)
    future = [s for s in replanned if s.start > now]
    assert {s.start.astimezone(AMS).weekday() for s in future} == {1}
    assert {s.start.astimezone(AMS).time() for s in future} == {time(9, 0)}
    assert "aov-3" not in people_of(future)
    # The first new week (Tuesday 10 March) starts after the running one ended: no overlap.
    assert min(s.start for s in future) == local(2026, 3, 10, 9)


def test_future_shifts_in_history_are_replanned_but_swaps_are_kept() -> None:
    rules = rules_for({"OVD-BZ": ["aov-1", "aov-2", "aov-3"]})
    now = local(2026, 1, 1)
    stale = Shift("OVD-BZ", "teamleider", local(2026, 1, 5), local(2026, 1, 12))
    swapped = Shift("OVD-BZ", "aov-3", local(2026, 2, 2), local(2026, 2, 9))
    shifts = generate_shifts(
        rules, now, local(2026, 4, 1), history=[stale], fixed=[swapped], now=now
    )
    assert people_of(shifts) == ["aov-1", "aov-3", "aov-2", "aov-1"]
    assert shifts[1] is swapped


def test_a_partly_swapped_week_is_not_planned_twice() -> None:
    rules = rules_for({"OVD-BZ": ["aov-1", "aov-2"]})
    now = local(2026, 1, 1)
    running = Shift("OVD-BZ", "aov-1", local(2026, 1, 5), local(2026, 1, 12))
    first_part, second_part = swap(rules, running, "aov-2", now=local(2026, 1, 7, 13))
    assert (first_part.person_key, first_part.end) == ("aov-1", local(2026, 1, 7, 13))
    assert (second_part.person_key, second_part.start) == ("aov-2", local(2026, 1, 7, 13))
    shifts = generate_shifts(
        rules, now, local(2026, 1, 20), fixed=[first_part, second_part], now=now
    )
    assert shifts == [first_part, second_part]
    # Storage may hand a swap over both as history and as fixed: it still counts once.
    both = [first_part, second_part]
    later = local(2026, 1, 8)
    assert generate_shifts(rules, now, local(2026, 3, 1), history=both, fixed=both, now=later) == [
        *both,
        Shift("OVD-BZ", "aov-1", local(2026, 2, 2), local(2026, 2, 9)),
    ]


def test_weeks_that_ended_are_never_invented_but_the_running_week_is_planned() -> None:
    rules = rules_for({"OVD-BZ": ["aov-1", "aov-2"]})
    now = local(2026, 3, 4)
    shifts = generate_shifts(rules, local(2026, 1, 1), local(2026, 4, 1), now=now)
    assert [s.start for s in shifts] == [local(2026, 3, 2), local(2026, 3, 30)]
    assert shift_at(shifts, now)["OVD-BZ"].person_key == "aov-1"


def test_naive_datetimes_are_refused() -> None:
    rules = rules_for({"OVD-BZ": ["aov-1"]})
    with pytest.raises(ValueError, match="naive"):
        generate_shifts(rules, datetime(2026, 1, 1), local(2026, 2, 1), now=local(2026, 1, 1))


# --- queries --------------------------------------------------------------------------------


@pytest.fixture
def year_plan() -> list[Shift]:
    rules = rules_for(
        {"OVD-BZ": ["aov-1", "aov-2", "aov-3"], "IM-ACBZ": ["beleidsmedewerker", "boa-coordinator"]}
    )
    now = local(2026, 1, 1)
    return generate_shifts(rules, now, local(2027, 1, 1), now=now)


def test_who_is_on_duty_now_and_until_when(year_plan: list[Shift]) -> None:
    on_duty = shift_at(year_plan, datetime(2026, 3, 30, 6, 0, tzinfo=UTC))  # 08:00 CEST
    assert {role: s.person_key for role, s in on_duty.items()} == {
        "OVD-BZ": "aov-1",
        "IM-ACBZ": "boa-coordinator",
    }
    assert on_duty["OVD-BZ"].end == local(2026, 4, 6)
    assert shift_at(year_plan, local(2026, 3, 30, 7, 59)) == {}
    assert shift_at(year_plan, local(2026, 4, 6)) == {}  # the handover moment ends the shift


def test_next_duty_weeks_include_the_running_one(year_plan: list[Shift]) -> None:
    weeks = upcoming_weeks(year_plan, after=local(2026, 3, 31), count=4)
    assert [w.start for w in weeks] == [
        local(2026, 3, 30), local(2026, 4, 27), local(2026, 5, 25), local(2026, 6, 22)
    ]  # fmt: skip
    assert [s.person_key for s in weeks[1].for_role("OVD-BZ")] == ["aov-2"]
    assert len(weeks[0].shifts) == 2


def test_a_persons_coming_shifts(year_plan: list[Shift]) -> None:
    mine = shifts_of(year_plan, "aov-2", after=local(2026, 6, 1))
    assert [s.start for s in mine] == [local(2026, 7, 20), local(2026, 10, 12)]
    assert all(s.role == "OVD-BZ" for s in mine)


def test_a_swap_needs_a_qualified_person_and_a_shift_that_is_not_over() -> None:
    rules = rules_for({"OVD-BZ": ["aov-1", {"key": "aov-2", "qualified_until": "2026-03-01"}]})
    shift = Shift("OVD-BZ", "aov-1", local(2026, 3, 2), local(2026, 3, 9))
    with pytest.raises(RotaError, match="AOV-er 2 is niet gekwalificeerd voor OVD-BZ"):
        swap(rules, shift, "aov-2", now=local(2026, 2, 1), person_name="AOV-er 2")
    with pytest.raises(RotaError, match="maandag 9 maart 2026"):
        swap(rules, shift, "aov-2", now=local(2026, 2, 1))
    with pytest.raises(RotaError, match="al voorbij"):
        swap(rules, shift, "aov-1", now=local(2026, 3, 9))
    later = Shift("OVD-BZ", "aov-2", local(2026, 2, 2), local(2026, 2, 9))
    assert swap(rules, later, "aov-1", now=local(2026, 1, 1)) == [
        Shift("OVD-BZ", "aov-1", local(2026, 2, 2), local(2026, 2, 9))
    ]


def test_a_running_shift_is_split_at_the_whole_second_never_into_an_empty_part() -> None:
    rules = rules_for({"OVD-BZ": ["aov-1", "aov-2"]})
    start, end = local(2026, 3, 2), local(2026, 3, 9)
    shift = Shift("OVD-BZ", "aov-1", start, end)
    # Half a second in: a first part would start and end in the same second of a calendar.
    assert swap(rules, shift, "aov-2", now=start + timedelta(milliseconds=500)) == [
        Shift("OVD-BZ", "aov-2", start, end)
    ]
    cut = start + timedelta(seconds=1)
    assert swap(rules, shift, "aov-2", now=cut + timedelta(milliseconds=500)) == [
        Shift("OVD-BZ", "aov-1", start, cut),
        Shift("OVD-BZ", "aov-2", cut, end),
    ]


def test_reminders_keep_the_wall_clock_across_dst() -> None:
    shift = Shift("OVD-BZ", "aov-1", local(2026, 3, 30), local(2026, 4, 6))
    empty = Shift("IM-ACBZ", None, local(2026, 3, 30), local(2026, 4, 6))
    offsets = (timedelta(days=7), timedelta(days=1))
    due = due_reminders(
        [shift, empty], offsets, AMS, after=local(2026, 3, 1), until=local(2026, 3, 29, 8)
    )
    assert [(r.before, r.at) for r in due] == [
        (timedelta(days=7), local(2026, 3, 23)),  # 08:00 CET, 167 real hours earlier
        (timedelta(days=1), local(2026, 3, 29)),  # 08:00 CEST
    ]
    assert hours(due[0].at, shift.start) == 167
    assert (
        due_reminders([shift], offsets, AMS, after=local(2026, 3, 29, 8), until=local(2026, 4, 1))
        == []
    )


# --- defaults and the extra piket.yaml fields -----------------------------------------------


def test_reminders_default_to_a_week_and_a_day_and_can_be_switched_off() -> None:
    assert parse_piket_config(piket({"OVD-BZ": ["aov-1"]})).reminders == (
        timedelta(days=7),
        timedelta(days=1),
    )
    assert parse_piket_config(piket({"OVD-BZ": ["aov-1"]}, reminders=[])).reminders == ()
    several = parse_piket_config(piket({"OVD-BZ": ["aov-1"]}, reminders=["1 dag", "2 weken"]))
    assert several.reminders == (timedelta(weeks=2), timedelta(days=1))


def test_user_group_and_unstaffed_warning_are_optional_and_checked() -> None:
    config = parse_piket_config(
        piket({"OVD-BZ": ["aov-1"]}, usergroup="@piket-bz", warn_unstaffed="6 weken")
    )
    assert (config.usergroup, config.warn_unstaffed) == ("piket-bz", timedelta(weeks=6))
    assert parse_piket_config(piket({"OVD-BZ": ["aov-1"]}, usergroup="S0123ABCD")).usergroup == (
        "S0123ABCD"
    )
    default = parse_piket_config(piket({"OVD-BZ": ["aov-1"]}))
    assert (default.usergroup, default.warn_unstaffed) == (None, timedelta(weeks=8))
    with pytest.raises(RotaConfigError) as caught:
        parse_piket_config(
            piket({"OVD-BZ": ["aov-1"]}, usergroup="piket bz", warn_unstaffed="ooit")
        )
    problems = {p.loc: p.message for p in caught.value.problems}
    assert "geen Slack-gebruikersgroep" in problems[("usergroup",)]
    assert "geen geldige duur" in problems[("warn_unstaffed",)]


def test_piket_yaml_is_stored_as_plain_data_that_parses_the_same() -> None:
    yaml = YAML(typ="rt")
    doc = yaml.load((CONFIG_DIR / "piket.yaml").read_text(encoding="utf-8"))
    data = plain_data(doc)
    assert json.loads(json.dumps(data)) == data  # JSON-safe: dates became ISO text
    assert data["roles"][0]["people"][1]["qualified_until"] == "2027-06-30"
    assert parse_piket_config(data) == parse_piket_config(doc)


# --- which shift a user means ---------------------------------------------------------------

NOW = local(2026, 11, 23, 9)  # a Monday


@pytest.mark.parametrize(
    ("text", "first", "last", "label"),
    [
        ("week 14", date(2027, 4, 5), date(2027, 4, 11), "week 14 van 2027"),  # next year's
        ("wk 48", date(2026, 11, 23), date(2026, 11, 29), "week 48 van 2026"),  # this week
        ("2026-W53", date(2026, 12, 28), date(2027, 1, 3), "week 53 van 2026"),
        ("W2 2028", date(2028, 1, 10), date(2028, 1, 16), "week 2 van 2028"),
        ("30 maart", date(2027, 3, 30), date(2027, 3, 30), "dinsdag 30 maart 2027"),
        ("maandag", date(2026, 11, 30), date(2026, 11, 30), "maandag 30 november 2026"),
        ("28-12-2026", date(2026, 12, 28), date(2026, 12, 28), "maandag 28 december 2026"),
    ],
)
def test_a_date_or_a_week_as_users_type_it(text: str, first: date, last: date, label: str) -> None:
    assert parse_day_or_week(text, NOW, AMS) == DayRange(first, last, label)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("week 53", "Week 53 bestaat niet in 2027"), ("flap", "‘week 14’"), ("31 feb", "februari")],
)
def test_unreadable_dates_and_weeks_are_explained(text: str, expected: str) -> None:
    with pytest.raises(RotaError, match=expected):
        parse_day_or_week(text, local(2027, 1, 10), AMS)


def test_a_shift_belongs_to_the_days_it_runs_not_to_its_handover_monday() -> None:
    this_week = Shift("OVD-BZ", "aov-1", local(2026, 11, 23), local(2026, 11, 30))
    next_week = Shift("OVD-BZ", "aov-2", local(2026, 11, 30), local(2026, 12, 7))
    shifts = [next_week, this_week]

    def on(text: str) -> list[Shift]:
        return shifts_in(shifts, parse_day_or_week(text, NOW, AMS), AMS)

    assert on("maandag 23 november") == [this_week]
    assert on("zondag 29 november") == [this_week]
    assert on("maandag 30 november") == [next_week]  # the handover day starts the new shift
    assert on("week 48") == [this_week]
    assert on("week 50") == []
    # A Tuesday handover: the ISO week shows the shift starting in it first.
    tuesday = Shift("OVD-BZ", "aov-2", local(2026, 12, 1), local(2026, 12, 8))
    assert shifts_in([this_week, tuesday], parse_day_or_week("week 49", NOW, AMS), AMS) == [tuesday]
