"""The bundled task overview (config/tasks.yaml) is a faithful copy of the team's document."""

import re
from collections import Counter
from typing import Any

import pytest
from ruamel.yaml import YAML

from testkit.team_config import CONFIG_DIR

KEY_ORDER = [
    "subject",
    "category",
    "description",
    "duties",
    "time",
    "legal_basis",
    "owner",
    "deputy",
    "aliases",
]


def _load(name: str) -> dict[str, Any]:
    with (CONFIG_DIR / name).open(encoding="utf-8") as handle:
        return YAML(typ="safe", pure=True).load(handle)


@pytest.fixture(scope="module")
def tasks() -> list[dict[str, Any]]:
    return _load("tasks.yaml")["tasks"]


@pytest.fixture(scope="module")
def people() -> list[dict[str, Any]]:
    return _load("people.yaml")["people"]


@pytest.fixture(scope="module")
def by_subject(tasks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {task["subject"]: task for task in tasks}


def test_every_row_of_the_overview_is_there(tasks: list[dict[str, Any]]) -> None:
    assert len(tasks) == 59
    assert tasks[0]["subject"] == (
        "Ambtelijk Voorbereidingsoverleg (AVO) Gezagsdriehoek Noord Drenthe"
    )
    assert tasks[-1]["subject"] == "Zaaksysteem"


def test_categories_follow_the_sections_of_the_overview(tasks: list[dict[str, Any]]) -> None:
    assert Counter(task["category"] for task in tasks) == {
        "structureel": 29,
        "incidenteel": 15,
        "rampenbestrijding": 10,
        "algemeen": 5,
    }
    # the sections are contiguous, in the order of the document
    order = list(dict.fromkeys(task["category"] for task in tasks))
    assert order == ["structureel", "incidenteel", "rampenbestrijding", "algemeen"]


def test_subjects_are_unique(tasks: list[dict[str, Any]]) -> None:
    subjects = [task["subject"] for task in tasks]
    assert len(set(subjects)) == len(subjects)


def test_every_task_has_the_documented_keys_in_order(tasks: list[dict[str, Any]]) -> None:
    for task in tasks:
        assert list(task) == KEY_ORDER, task["subject"]
        for key in ("subject", "description", "duties", "time", "legal_basis"):
            assert isinstance(task[key], str), (task["subject"], key)
            assert task[key] == task[key].strip(), (task["subject"], key)
            assert not re.search(r"<[^>]+>", task[key]), (task["subject"], key)
        assert task["subject"]
        assert isinstance(task["aliases"], list)
        assert all(isinstance(alias, str) and alias for alias in task["aliases"])


def test_owners_and_deputies_are_people_of_the_team(
    tasks: list[dict[str, Any]], people: list[dict[str, Any]]
) -> None:
    keys = {person["key"] for person in people}
    for task in tasks:
        assert task["owner"] in keys, task["subject"]
        assert task["deputy"] is None or task["deputy"] in keys, task["subject"]
        assert task["deputy"] != task["owner"], task["subject"]
    assert {task["owner"] for task in tasks} == keys  # everybody carries part of the load


def test_people_are_placeholders_with_valid_keys(people: list[dict[str, Any]]) -> None:
    keys = [person["key"] for person in people]
    assert len(set(keys)) == len(keys)
    assert {"aov-1", "aov-2", "aov-3", "boa-coordinator", "beleidsmedewerker", "teamleider"} <= set(
        keys
    )
    for person in people:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", person["key"]), person
        assert list(person) == ["key", "name", "slack_id", "hours_per_week"]
        assert person["slack_id"] == ""
        assert 0 < person["hours_per_week"] <= 40


def test_aliases_do_not_steal_another_tasks_subject(tasks: list[dict[str, Any]]) -> None:
    subjects = {task["subject"].casefold(): task["subject"] for task in tasks}
    for task in tasks:
        for alias in task["aliases"]:
            owner_of_name = subjects.get(alias.casefold(), task["subject"])
            assert owner_of_name == task["subject"], (alias, task["subject"])


# Exact text of the overview, typos included: (subject, key, value).
SPOT_CHECKS = [
    (
        "Ondermijning",
        "duties",
        "Bewustwordingsacties eigen organisatie / casuïstiek / Meld misdaad anoniem zaken / "
        "lokaal informatie overleg / overige aanbevelingen weerbaarheidsscan 2021",
    ),
    (
        "Algemeen Bestuur Veiligheidsregio Drenthe",
        "description",
        "Gemeenschappelijke regeling + bijbehorende vergadercyclus en documentatie richting "
        "gemeenteraad. De financiële cyclus (begroting ed) van de Veiligheidsregio blijft André "
        "doen.",
    ),
    (
        "Algemeen Bestuur Veiligheidsregio Drenthe",
        "time",
        "4/5 keer per jaar bestuurlijk overleg. 2 keer per jaar een 'financiële markt "
        "begrotingen'.",
    ),
    ("Algemeen Bestuur Veiligheidsregio Drenthe", "legal_basis", "Wet op de veiligheidsregio's"),
    (
        "Bestuurlijk veiligheidsoverleg Drenthe",
        "description",
        "4 x per jaar vergadert de burgmeester met zijn Drentse collega's over "
        "veiligheidsthema's die regionaal opgepakt / afgestemd moeten worden.",
    ),
    ("Drents AOV-overleg Sociale veiligheid", "time", "1 keer per 6 week 5 uur"),
    ("Administratieve zaken", "duties", "Bijhouden mail / Declaraties"),
    ("Zaaksysteem", "duties", "Inkomende zaken"),
    (
        "Integraal Veiligheidsbeleid",
        "time",
        "Per 4 jaar actualiseren en aan raad voorleggen",
    ),
    (
        "Deelname veiligheidsmonitor",
        "time",
        "Eens per 4 jaar, uitkomsten moeten worden worden betrokken bij de bepaling van het "
        "beleidsplan veiligheid.",
    ),
    ("Accounthoudersoverleg VRD", "legal_basis", "Ja Gr."),
    ("Rampbestrijdingsplan GAE", "legal_basis", "Ja"),
    ("Verblijfsontzeggingen horecagebied", "legal_basis", "ja"),
    ("Aantreffen (conventionele) explosieven", "legal_basis", "Openbare orde en veiligheid"),
    ("Aantreffen (conventionele) explosieven", "time", "incidenteel"),
    (
        "PSHI-protocol",
        "time",
        "Incidenteel, wanneer er een casus is dan veel tijd en inzet.",
    ),
    (
        "Hennepconvenant / bestuurlijke maatregelen Damoclesbeleid",
        "duties",
        "Vorbereiden en uitvoeren bestuurlijke maatregelen / fysiek sluiten panden",
    ),
    (
        "Casusregie Zorg en Veiligheidshuis Drenthe",
        "duties",
        "Contactpersoon voor casuïstiek / Bestuurlijke adviesing / Samenwerking binnen het TVO / "
        "P&C zaken",
    ),
    (
        "Boa-briefing",
        "duties",
        "Agendavoorbereiding, voorzitter Externen betrekken (politie, jongerenwerkers, Kmar, "
        "verkeer, etc.)",
    ),
    ("Lokaal politieoverleg (Veiligheidsoverleg)", "time", "2 uur per 4 week"),
    ("Jeugd en alcohol / alcoholpreventieprojecten", "legal_basis", "Alcoholwet"),
    ("Jaarwisseling", "time", "40 uur per jaar"),
    ("Veiligheid en evenementen", "time", ""),
    ("Nooddrinkwaterpunten", "duties", ""),
]


@pytest.mark.parametrize(("subject", "key", "expected"), SPOT_CHECKS)
def test_text_is_copied_exactly(
    by_subject: dict[str, dict[str, Any]], subject: str, key: str, expected: str
) -> None:
    assert by_subject[subject][key] == expected


@pytest.mark.parametrize(
    "subject",
    [
        "Criminaliteit (High Impac Crimes zoals Woninginbraken, bankhelpdeskfraude, etc.)",
        "Trainginsdagen veiligheidsthema's",
        "Begeleiden stagiaire (indien van toepassing)",
        "Casuïstiek (overlast/klachten/etc.)",
        "Mensenhandel-/uitbuiting",
        "Portefeuillehoudersoverleg VRD/ Brandweer",
        "Nazorg (ex)Gedetineerden",
        "Piket rampenbestrijding (OVD-BZ + IM-ACBZ)",
    ],
)
def test_subjects_are_copied_exactly(by_subject: dict[str, dict[str, Any]], subject: str) -> None:
    assert subject in by_subject


def test_italic_notes_under_the_subject_became_descriptions(tasks: list[dict[str, Any]]) -> None:
    assert {task["subject"] for task in tasks if task["description"]} == {
        "Algemeen Bestuur Veiligheidsregio Drenthe",
        "Bestuurlijk veiligheidsoverleg Drenthe",
        "Drents AOV-overleg Sociale veiligheid",
        "Veiligheidsoverleg Noord Drenthe",
    }


def test_the_nameless_continuation_row_was_merged_into_ondermijning(
    tasks: list[dict[str, Any]],
) -> None:
    mentioning = [task["subject"] for task in tasks if "weerbaarheidsscan" in task["duties"]]
    assert mentioning == ["Ondermijning"]
