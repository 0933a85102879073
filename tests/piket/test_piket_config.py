"""`oov-bot check` on piket.yaml: one typo is one `piket.yaml:<line>: <Dutch message>`, found the
way every config file is checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.config_check import check
from testkit.team_config import copy_config

# (text in the bundled file, what a typo makes of it, the one problem `check` must report)
PIKET_TYPOS = [
    ("cycle_weeks: 4", "cycle_weeks: vier", "cycle_weeks: moet een geheel getal van 1 of meer"),
    ("cycle_weeks: 4", "cycle_week: 4", "onbekend veld 'cycle_week'; bedoelt u 'cycle_weeks'? Dat "
     "veld is verplicht"),
    ("first_duty_week: 2026-W02", "first_duty_week: 2026-W54",
     "first_duty_week: week 54 bestaat niet in 2026"),
    ("first_duty_week: 2026-W02", "first_duty_week: 2026-02-30",
     "'2026-02-30' is geen bestaande datum (JJJJ-MM-DD)"),  # read by the YAML reader
    # The week is read apart from the weekday: a bad weekday does not also spoil the week.
    ("weekday: maandag", "weekday: mandag", "handover.weekday: 'mandag' is geen weekdag; kies uit "
     "maandag, dinsdag"),
    ("weekday: maandag", "weekdag: maandag", "handover: onbekend veld 'weekdag'; bedoelt u "
     "'weekday'? Dat veld is verplicht"),
    ('time: "08:00"', 'time: "08:70"', "handover.time: '08:70' is geen tijd; schrijf UU:MM"),
    ('time: "08:00"', "time: 800", "handover.time: '800' is geen tijd; schrijf UU:MM, bijvoorbeeld "
     '"08:00" (zet de tijd tussen aanhalingstekens: "08:00")'),
    # 8.30 is the number 8.3 to YAML: it was "'8.3' is geen tijd", a value nobody wrote.
    ('time: "08:00"', "time: 8.30", 'handover.time: zet de tijd tussen aanhalingstekens, '
     'bijvoorbeeld "08:30"'),
    ('team_channel: "#oov-piket"', 'team_channel: "OOV Piket"',
     'team_channel: schrijf "#kanaalnaam"'),
    ("team_lead: teamleider", "team_lead: teamleidr", "team_lead: onbekende persoon 'teamleidr' "
     "(bekend in people.yaml: aov-1, aov-2"),
    ('reminders: ["7 dagen", "1 dag"]', 'reminders: ["7 dagen", "1 daag"]',
     "reminders[1]: '1 daag' is geen geldige duur"),
    ('reminders: ["7 dagen", "1 dag"]', "reminders: {dagen: 7}",
     "reminders: moet een lijst met tijdsduren zijn"),
    ("future_months: 12", "future_month: 12", "feed: onbekend veld 'future_month'; bedoelt u "
     "'future_months'?"),
    ("past_months: 3", "past_months: -3", "feed.past_months: moet een geheel getal van 0 of meer"),
    ("- name: OVD-BZ", "- nam: OVD-BZ", "roles[0]: onbekend veld 'nam'; bedoelt u 'name'? Dat veld "
     "is verplicht"),
    ("- name: IM-ACBZ", "- name: OVD-BZ", "roles[1].name: de rol 'OVD-BZ' staat er twee keer in"),
    ("people:", "poeple:", "roles[0]: onbekend veld 'poeple'; bedoelt u 'people'?"),
    ("- {key: aov-1}", "- {key: aov-9}", "roles[0].people[0].key: onbekende persoon 'aov-9'"),
    ("- {key: aov-1}", "- {kye: aov-1}", "roles[0].people[0]: onbekend veld 'kye'; bedoelt u "
     "'key'? Dat veld is verplicht"),
    ("- {key: aov-1}", "- {}", "roles[0].people[0].key: verplicht veld ontbreekt"),
    ("- {key: aov-1}", "- 12", "roles[0].people[0]: moet een mapping (sleutel: waarde) zijn"),
    ("- {key: aov-3}", "- {key: aov-1}", "roles[0].people[2].key: 'aov-1' staat twee keer bij "
     "deze rol"),
    ("qualified_until: 2027-06-30", "qualified_until: 30-06-2027",
     "roles[0].people[1].qualified_until: '30-06-2027' is geen datum; schrijf JJJJ-MM-DD"),
    ("qualified_until: 2027-06-30", "qualified_untill: 2027-06-30",
     "roles[0].people[1]: onbekend veld 'qualified_untill'; bedoelt u 'qualified_until'?"),
    ("    people:\n      - {key: beleidsmedewerker}\n      - {key: boa-coordinator, "
     "qualified_until: 2027-03-31}\n      - {key: aov-3}", "    people: []",
     "roles[1].people: niemand is gekwalificeerd voor deze rol"),
    ("roles:", "rollen:", "onbekend veld 'rollen'; bedoelt u 'roles'? Dat veld is verplicht"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "expected"), PIKET_TYPOS, ids=[t[1] for t in PIKET_TYPOS])
def test_one_piket_typo_is_one_problem_on_its_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    old: str,
    new: str,
    expected: str,
) -> None:
    config = copy_config(tmp_path / "config")
    path = config / "piket.yaml"
    text = path.read_text(encoding="utf-8")
    at = text.index(old)  # the first occurrence is the one changed
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    line = text.count("\n", 0, at) + 1

    code, out = check(config, monkeypatch, capsys)

    assert code == 1
    problems = [o for o in out if o.startswith(str(config))]
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}:{line}: {expected}"), problems


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("- {key: aov-1}", "- aov-1"),  # the shorthand for a person without an end date
        ('time: "08:00"', "time: 8u"),
        ('reminders: ["7 dagen", "1 dag"]', 'reminders: "2 dagen"'),  # one, not a list
        ("team_channel: ", "usergroup: \nteam_channel: "),  # empty means absent
    ],
)
def test_the_ways_people_write_piket_yaml_are_accepted(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    old: str,
    new: str,
) -> None:
    config = copy_config(tmp_path / "config")
    path = config / "piket.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    code, out = check(config, monkeypatch, capsys)
    assert code == 0, out


def test_a_misspelt_person_key_in_people_yaml_is_one_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kye: aov-1` is one typo: the person stays known to tasks, meetings and piket, so none
    of the references to aov-1 adds an "onbekende persoon"."""
    config = copy_config(tmp_path / "config")
    path = config / "people.yaml"
    text = path.read_text(encoding="utf-8")
    at = text.index("- key: aov-1")
    path.write_text(text.replace("- key: aov-1", "- kye: aov-1", 1), encoding="utf-8")
    line = text.count("\n", 0, at) + 1
    code, out = check(config, monkeypatch, capsys)
    assert code == 1
    problems = [o for o in out if o.startswith(str(config))]
    assert problems == [
        f"{path}:{line}: kye: onbekend veld 'kye'; bedoelt u 'key'? Dat veld is verplicht"
    ], problems
