"""The capacity model over the bundled data, checked against a hand computation from the time
texts of seed 000 (the task overview), and its rules on small made-up inputs."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.core import capacity
from bot.core.capacity_config import CAPACITY_FILE
from bot.core.config_files import TeamConfig
from bot.core.meetings import MEETINGS_FILE, MeetingSeries
from bot.core.rota import PIKET_FILE, RotaRules, parse_rota_rules
from testkit.clock import FIXED_NOW

# --- the hand computation -------------------------------------------------------------------
# A year has 365,2425 / 7 = 52,1775 weeks, a month 52,1775 / 12 = 4,348125 weeks. Each owner
# carries the whole budget of their tasks (deputy_share 0). Texts from seed 000:
W_YEAR = 52.1775
W_MONTH = W_YEAR / 12
AVO = 8 / (3 * W_MONTH)  # "8 uur per 3 maanden" = 0,6133
GEZAGSDRIEHOEK = 8 / (3 * W_MONTH)  # "8 uur per 3 maanden"
LOKAAL_POLITIEOVERLEG = 2 / 4  # "2 uur per 4 week"
TVO = 3 / 4  # "3 uur per 4 week"
OVO = 3 / 4  # "3 uur per 4 week"
RPBO = 2 / (3 * W_MONTH)  # "2 uur per 3 maanden" = 0,1533
TEAMOVERLEG = 2.0  # "2 uur per week"
BOA_BRIEFING = 2.0  # "2 uur per week"
JAARWISSELING = 40 / W_YEAR  # "40 uur per jaar" = 0,7666
CASUSREGIE_ZVHD = 4.0  # "4 uur per week"
JIHADISME = 2 / W_MONTH  # "2 uur per maand" = 0,4600
BVO_DRENTHE = 2 / (3 * W_MONTH)  # "2 uur per kwartaal"
DRENTS_AOV = 5 / 6  # "1 keer per 6 week 5 uur"
VEILIGHEIDSOVERLEG_ND = 2 / 2  # "2 uur per 2 weken"
HUISVERBODEN = 8 / W_YEAR  # "8 uur per jaar"
# Piket (capaciteit.yaml: 4 uur per dienstweek; piket.yaml: 1 week in 4): per role 4 / 4 = 1 uur
# per week, each of the 52 weeks from Monday 23 November 2026 shared by the people qualified
# through its Sunday. OVD-BZ: aov-1 and aov-3 throughout, aov-2 until 30 June 2027 (weeks 1-31 of
# 52); IM-ACBZ: beleidsmedewerker and aov-3 throughout, boa-coordinator until 31 March 2027
# (weeks 1-18).
OVD_THROUGHOUT = (31 / 3 + 21 / 2) / 52  # 0,4006
OVD_AOV2 = 31 / 3 / 52  # 0,1987
IM_THROUGHOUT = (18 / 3 + 34 / 2) / 52  # 0,4423
IM_BOA = 18 / 3 / 52  # 0,1154
# AB Veiligheidsregio: its time text has no hours, so its meeting counts for the chair (aov-3):
# 150 minutes × the 3 dates of meetings.yaml in the 52 weeks from 23 November 2026 (9 december
# 2026, 10 februari and 7 april 2027) / 52 weeks.
AB_VRD_MEETINGS = 2.5 * 3 / 52

EXPECTED_HOURS = {
    "aov-1": AVO + LOKAAL_POLITIEOVERLEG + JIHADISME + DRENTS_AOV + VEILIGHEIDSOVERLEG_ND
    + OVD_THROUGHOUT,  # 3,8072
    "aov-2": TVO + OVO + CASUSREGIE_ZVHD + HUISVERBODEN + OVD_AOV2,  # 5,8520
    "aov-3": JAARWISSELING + AB_VRD_MEETINGS + OVD_THROUGHOUT + IM_THROUGHOUT,  # 1,7538
    "boa-coordinator": BOA_BRIEFING + IM_BOA,  # 2,1154
    "beleidsmedewerker": IM_THROUGHOUT,  # 0,4423: every task of theirs lacks hours
    "teamleider": GEZAGSDRIEHOEK + RPBO + TEAMOVERLEG + BVO_DRENTHE,  # 2,9199
}  # fmt: skip
# Literal figures as well, so a slip in the expressions above cannot hide.
EXPECTED_ROUNDED = {
    "aov-1": 3.81,
    "aov-2": 5.85,
    "aov-3": 1.75,
    "boa-coordinator": 2.12,
    "beleidsmedewerker": 0.44,
    "teamleider": 2.92,
}
# Supply: contract less 20 % (capaciteit.yaml overhead_share).
EXPECTED_SUPPLY = {
    "aov-1": 28.8, "aov-2": 28.8, "aov-3": 25.6, "boa-coordinator": 28.8,
    "beleidsmedewerker": 25.6, "teamleider": 28.8,
}  # fmt: skip
# Tasks with a time text but no hours in it, and the piket row (its hours come from the rota).
UNKNOWN_WITH_TEXT = {
    "Samenwerking RIEC-Noord": "afhankelijk van casuïstiek",
    "Aantreffen (conventionele) explosieven": "incidenteel",
    "PSHI-protocol": "incidenteel",
    "Hennepconvenant / bestuurlijke maatregelen Damoclesbeleid": "afhankelijk van casuïstiek",
    "Horeca": "incidenteel",
}


def bundled_inputs(team: TeamConfig) -> capacity.Inputs:
    """The bundled config as the model's input, without the database."""
    series: tuple[MeetingSeries, ...] = team.extra[MEETINGS_FILE]
    return capacity.Inputs(
        people=tuple(capacity.Person(p.key, p.name, p.hours_per_week) for p in team.people),
        tasks=tuple(
            capacity.Task(n, t.subject, t.category.value, t.time, t.owner, t.deputy)
            for n, t in enumerate(team.tasks, 1)
        ),
        meetings=tuple(capacity.Meeting(s, s.task) for s in series),
        piket=team.extra[PIKET_FILE].config.rules,
        settings=team.extra[CAPACITY_FILE].settings,
    )


@pytest.fixture(scope="module")
def picture(team_config: TeamConfig) -> capacity.Picture:
    return capacity.compute(bundled_inputs(team_config), FIXED_NOW)


def test_hours_per_person_match_the_hand_computation(picture: capacity.Picture) -> None:
    found = {p.person.key: p.demand for p in picture.people}
    assert found == pytest.approx(EXPECTED_HOURS, abs=1e-6)
    assert {k: round(v, 2) for k, v in found.items()} == EXPECTED_ROUNDED


def test_supply_is_contract_less_the_overhead_share(picture: capacity.Picture) -> None:
    assert {p.person.key: p.supply for p in picture.people} == pytest.approx(EXPECTED_SUPPLY)
    assert picture.supply == pytest.approx(166.4)
    assert picture.fte(picture.supply) == pytest.approx(166.4 / 36)


def test_every_hour_is_a_row_that_says_how_it_was_computed(picture: capacity.Picture) -> None:
    aov1 = picture.person("aov-1")
    assert aov1 is not None
    assert sum(r.hours for r in aov1.rows) == pytest.approx(aov1.demand)
    by_label = {r.label: r for r in aov1.rows}
    drents = by_label["Drents AOV-overleg Sociale veiligheid"]
    assert drents.basis == "“1 keer per 6 week 5 uur” ≈ 0,83 u/week"
    assert (drents.source, drents.role) == ("taak", "eigenaar")
    piket = by_label["Piket OVD-BZ"]
    assert piket.basis == (
        "4 uur per dienstweek, 1 week per 4, elke week gedeeld door wie dan gekwalificeerd is "
        "(over 52 weken) ≈ 0,4 u/week"
    )
    aov3 = picture.person("aov-3")
    assert aov3 is not None
    meeting = next(r for r in aov3.rows if r.source == "overleg")
    assert meeting.basis == "2,5 uur × 3 keer in de komende 52 weken ≈ 0,14 u/week"


def test_tasks_without_hours_are_listed_never_counted_as_zero(
    picture: capacity.Picture, team_config: TeamConfig
) -> None:
    listed = {u.subject: u.reason for u in picture.unknown}
    for subject, reason in UNKNOWN_WITH_TEXT.items():
        assert listed[subject] == reason
    assert listed["Rampbestrijdingsplan GAE"] == "eens per 3 jaar, geen uren opgegeven"
    assert listed["BIBOB"] == "geen tijd opgegeven"
    # 59 rows: the 15 with hours (above), the piket row (hours from the rota), 43 listed.
    piket_task = "Piket rampenbestrijding (OVD-BZ + IM-ACBZ)"
    everything = {t.subject for t in team_config.tasks}
    assert len(everything) == 59
    assert set(listed) == everything - TIMED - {piket_task}
    assert len(listed) == 43
    ab_vrd = next(u for u in picture.unknown if u.subject.startswith("Algemeen Bestuur"))
    assert ab_vrd.partial == pytest.approx(AB_VRD_MEETINGS)
    assert ab_vrd.reason.endswith("geen uren opgegeven")


TIMED = {
    "Ambtelijk Voorbereidingsoverleg (AVO) Gezagsdriehoek Noord Drenthe",
    "Gezagsdriehoek Noord Drenthe",
    "Lokaal politieoverleg (Veiligheidsoverleg)",
    "Tactisch Veiligheidsoverleg (TVO) met Gemeente, politie, toegang, Oggz en ZVHD",
    "Lokaal operationeel veiligheidsoverleg (OVO)",
    "Regionaal bestuurlijk politieoverleg Noord Nederland (RPBO)",
    "Teamoverleg Veiligheid",
    "Boa-briefing",
    "Jaarwisseling",
    "Casusregie Zorg en Veiligheidshuis Drenthe",
    "Jihadisme / radicalisering",
    "Bestuurlijk veiligheidsoverleg Drenthe",
    "Drents AOV-overleg Sociale veiligheid",
    "Veiligheidsoverleg Noord Drenthe",
    "Huisverboden",
}


def test_team_and_theme_totals_add_up(picture: capacity.Picture) -> None:
    assert picture.demand == pytest.approx(sum(EXPECTED_HOURS.values()))
    assert sum(t.demand for t in picture.themes) == pytest.approx(picture.demand)
    assert sum(t.supply for t in picture.themes) == pytest.approx(picture.supply)
    zorg = picture.theme("Zorg en veiligheid")
    assert zorg is not None and zorg.demand == pytest.approx(TVO + CASUSREGIE_ZVHD)
    ondermijning = picture.theme("Ondermijning")
    assert ondermijning is not None
    assert (ondermijning.demand, ondermijning.unknown) == (0.0, 6)


# --- the rules, on small inputs ---------------------------------------------------------------

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PEOPLE = (capacity.Person("a", "Anna", 36), capacity.Person("b", "Bert", 18))


def _task(n: int, time: str, owner: str | None = "a", deputy: str | None = None) -> capacity.Task:
    return capacity.Task(n, f"Taak {n}", "incidenteel", time, owner, deputy)


def test_an_estimate_counts_for_a_task_without_hours_and_says_so() -> None:
    settings = capacity.Settings(
        estimates={"Taak 1": capacity.Estimate("4 uur per maand", "schatting teamleider")}
    )
    inputs = capacity.Inputs(PEOPLE, (_task(1, "Afhankelijk van casuïstiek"),), settings=settings)
    picture = capacity.compute(inputs, NOW)
    (row,) = picture.people[0].rows
    assert row.hours == pytest.approx(4 / W_MONTH)
    assert row.source == "schatting"
    assert row.basis == "schatting “4 uur per maand” ≈ 0,92 u/week (schatting teamleider)"
    assert picture.unknown == ()


def test_the_deputy_share_moves_hours_without_adding_any() -> None:
    inputs = capacity.Inputs(
        PEOPLE,
        (_task(1, "10 uur per week", "a", "b"),),
        settings=capacity.Settings(deputy_share=0.25),
    )
    picture = capacity.compute(inputs, NOW)
    assert picture.person("a").demand == pytest.approx(7.5)  # type: ignore[union-attr]
    assert picture.person("b").demand == pytest.approx(2.5)  # type: ignore[union-attr]
    assert picture.demand == pytest.approx(10)


def test_a_task_without_owner_counts_as_unowned_team_demand() -> None:
    picture = capacity.compute(capacity.Inputs(PEOPLE, (_task(1, "2 uur per week", None),)), NOW)
    assert [r.label for r in picture.unowned] == ["Taak 1"]
    assert picture.demand == pytest.approx(2)
    assert all(p.demand == 0 for p in picture.people)


def _series(**fields: object) -> MeetingSeries:
    base: dict[str, object] = {
        "key": "o", "name": "Overleg", "task": "Taak 1", "weekday": "maandag", "time": "10:00",
        "first_date": date(2026, 3, 2), "duration_minutes": 90, "channel": "#o", "chair": "a",
        "minute_takers": ["a", "b"], "cadence": "elke week",
    }  # fmt: skip
    return MeetingSeries.model_validate(base | fields)


def test_a_meeting_under_a_budgeted_task_is_not_counted_twice() -> None:
    inputs = capacity.Inputs(
        PEOPLE, (_task(1, "2 uur per week"),), meetings=(capacity.Meeting(_series(), "Taak 1"),)
    )
    picture = capacity.compute(inputs, NOW)
    assert picture.demand == pytest.approx(2)  # the budget, not budget + meetings


def test_a_meeting_of_a_task_without_budget_counts_for_chair_and_minute_takers() -> None:
    inputs = capacity.Inputs(
        PEOPLE, (_task(1, ""),), meetings=(capacity.Meeting(_series(), "Taak 1"),)
    )
    picture = capacity.compute(inputs, NOW)
    # Weekly on Monday from 2 March 2026: 52 Mondays in 52 weeks, less the Monday holidays the
    # series skips (2e paasdag 6 april, Koningsdag 27 april, 2e pinksterdag 25 mei) = 49.
    weekly = 1.5 * 49 / 52
    assert picture.person("a").demand == pytest.approx(weekly * 1.5)  # type: ignore[union-attr]
    assert picture.person("b").demand == pytest.approx(weekly / 2)  # type: ignore[union-attr]
    (entry,) = picture.unknown
    assert entry.partial == pytest.approx(weekly * 2)


def _ovd_bz_with_b_until(last_day: str) -> RotaRules:
    """One role, a and b in rotation, b qualified through `last_day`; one week in 4."""
    return parse_rota_rules(
        {
            "cycle_weeks": 4,
            "first_duty_week": "2026-W02",
            "handover": {"weekday": "maandag", "time": "08:00"},
            "roles": [
                {
                    "name": "OVD-BZ",
                    "people": [{"key": "a"}, {"key": "b", "qualified_until": last_day}],
                }
            ],
        }
    )


def test_piket_hours_are_shared_by_the_people_qualified_in_the_window() -> None:
    rules = _ovd_bz_with_b_until("2026-01-31")  # lapsed before NOW
    settings = capacity.Settings(piket_hours_per_duty_week=8)
    picture = capacity.compute(capacity.Inputs(PEOPLE, (), piket=rules, settings=settings), NOW)
    assert picture.person("a").demand == pytest.approx(2)  # type: ignore[union-attr]
    assert picture.person("b").demand == 0  # type: ignore[union-attr]


def test_a_qualification_that_lapses_in_the_window_counts_only_for_the_weeks_before() -> None:
    """b is qualified through the first 4 of 13 weeks: b shares those weeks with a, and a
    carries the other 9 alone (8 hours a duty week, one week in 4: 2 hours a week)."""
    rules = _ovd_bz_with_b_until("2026-04-02")
    settings = capacity.Settings(piket_hours_per_duty_week=8, window_weeks=13)
    now = datetime(2026, 3, 5, 10, tzinfo=UTC)  # a Thursday; week 4 of the window ends 1 April
    picture = capacity.compute(capacity.Inputs(PEOPLE, (), piket=rules, settings=settings), now)
    a, b = picture.person("a"), picture.person("b")
    assert a is not None and b is not None
    assert b.demand == pytest.approx(2 * 4 / 2 / 13)
    assert a.demand == pytest.approx(2 * (4 / 2 + 9) / 13)
    assert a.demand + b.demand == pytest.approx(2)  # the role asks the same, whoever carries it
    (row,) = b.rows
    assert row.basis == (
        "8 uur per dienstweek, 1 week per 4, elke week gedeeld door wie dan gekwalificeerd is "
        "(over 13 weken), gekwalificeerd t/m donderdag 2 april 2026 ≈ 0,31 u/week"
    )
    assert "gekwalificeerd t/m" not in a.rows[0].basis


def test_the_rules_users_read_name_the_configured_window() -> None:
    settings = capacity.Settings(window_weeks=13)
    picture = capacity.compute(capacity.Inputs(PEOPLE, (), settings=settings), NOW)
    assert "in de komende 13 weken" in picture.rules
    assert "52" not in picture.rules


def test_programme_hours_are_spread_over_their_period_while_it_runs() -> None:
    activity = capacity.ProgrammeActivity(
        "p1", "Plan van aanpak", "Ondermijning", "b", 70, date(2026, 3, 1), date(2026, 5, 9)
    )
    inputs = capacity.Inputs(PEOPLE, (), programme=(activity,))
    assert capacity.compute(inputs, NOW).person("b").demand == pytest.approx(7)  # type: ignore[union-attr]
    later = datetime(2026, 6, 1, tzinfo=UTC)
    assert capacity.compute(inputs, later).person("b").demand == 0  # type: ignore[union-attr]


def test_what_ifs_change_nothing_but_the_picture() -> None:
    inputs = capacity.Inputs(PEOPLE, (_task(1, "9 uur per week"),))
    moved = capacity.with_owner(inputs, 1, "b")
    assert inputs.tasks[0].owner == "a"
    after = capacity.compute(moved, NOW)
    assert after.person("b").load == pytest.approx(9 / 14.4)  # type: ignore[union-attr]
    extra = capacity.compute(inputs, NOW, extra=(("Incidentele taken", 1.0),))
    assert extra.supply == pytest.approx(54 * 0.8 + 36 * 0.8)
    assert extra.theme("Incidentele taken").supply == pytest.approx(28.8 + 28.8)  # type: ignore[union-attr]
