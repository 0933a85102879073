"""/capaciteit and its buttons with input nobody on the team typed in the other tests: tampered
button values, callers who may not see the figures pressing a button, invisible characters."""

from __future__ import annotations

import time

import pytest

from handlers.capaciteit.blocks import CHARTS_BUTTON, REPORT_BUTTON, TEAM, WHAT_IF_BUTTON
from testkit.app import RunningBot
from testkit.team_config import SLACK_IDS
from tests.capaciteit.test_capacity_http import answer, command, text_of

UNREADABLE = "Deze knop of dit formulier kan ik niet (meer) lezen."


def said_after(bot: RunningBot, before: int) -> list[str]:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        said = bot.fake.calls("response_url")[before:]
        if said:
            time.sleep(0.3)  # a second message would follow at once
            return [c.args["text"] for c in bot.fake.calls("response_url")[before:]]
        time.sleep(0.05)
    raise AssertionError("no answer")


@pytest.mark.parametrize("task", ["²", "٣", "-1", "99999999999999999999"])
def test_a_tampered_what_if_button_gets_a_dutch_answer_and_computes_nothing(
    bot: RunningBot, task: str
) -> None:
    before = len(bot.fake.calls("response_url"))
    click = bot.slack.block_actions_payload(
        f"{WHAT_IF_BUTTON}:0", f"{task} aov-1", user_id=SLACK_IDS["aov-1"]
    )
    answer(bot.slack.interactivity(click))
    (text,) = said_after(bot, before)
    assert text.startswith(UNREADABLE) or text == "Die taak bestaat niet meer.", text


@pytest.mark.parametrize("button", [CHARTS_BUTTON, REPORT_BUTTON])
@pytest.mark.parametrize(
    ("user", "guest", "expected"),
    [
        ("U0GUEST01", "single", "alleen voor het OOV-team van de gemeente"),
        ("U0COLLEGA1", None, "Alleen teamleden en meelezers kunnen de capaciteit inzien."),
    ],
)
def test_who_may_not_see_capacity_is_told_so_when_pressing_a_button(
    bot: RunningBot, button: str, user: str, guest: str | None, expected: str
) -> None:
    bot.fake.add_user(user, "Iemand Anders", guest=guest)
    before = len(bot.fake.calls("response_url"))
    answer(bot.slack.interactivity(bot.slack.block_actions_payload(button, TEAM, user_id=user)))
    (text,) = said_after(bot, before)  # no "komt in je DM" first
    assert expected in text
    assert bot.fake.uploads() == []


@pytest.mark.parametrize("invisible", ["\u200e", "\ufeff \u2060"])
def test_invisible_characters_are_not_part_of_what_was_asked(
    bot: RunningBot, invisible: str
) -> None:
    assert "Capaciteit team OOV" in text_of(command(bot, invisible))
    person = text_of(command(bot, f"{invisible}aov-2{invisible}"))
    assert "Capaciteit van AOV-er 2" in person
    what_if = text_of(command(bot, f"als{invisible} +1 fte ondermijning{invisible}"))
    assert "1 fte extra voor Ondermijning" in what_if


def test_moving_a_task_without_hours_says_its_work_is_not_in_the_figures(
    bot: RunningBot,
) -> None:
    # BIBOB's time text is empty: once '0,45 u/week → 0,45 u/week (1,7 % → 1,7 %)' and nothing
    # else, read as "moving BIBOB costs nobody anything".
    shown = text_of(command(bot, "als bibob naar aov-2"))
    assert "BIBOB gaat naar AOV-er 2" in shown
    assert (
        "BIBOB heeft geen uren (geen tijd opgegeven): het werk gaat mee, maar telt in deze "
        "cijfers niet mee. Vul een schatting in `config/capaciteit.yaml` in."
    ) in shown
    # A task with hours gets no such note.
    assert "heeft geen uren" not in text_of(command(bot, "als casusregie naar aov-3"))


@pytest.mark.parametrize(
    "typed",
    [
        "als +1 fte voor ondermijning",
        "als 1 fte extra ondermijning",
        "als +1 extra fte ondermijning",
        "als +1 fte extra voor het thema ondermijning",
        "als +1 fte bij Ondermijning",
    ],
)
def test_an_extra_fte_said_the_dutch_way_finds_its_theme(bot: RunningBot, typed: str) -> None:
    # Once: "“voor ondermijning”: dat thema ken ik niet. Kies uit: …, Ondermijning."
    shown = text_of(command(bot, typed))
    assert "1 fte extra voor Ondermijning" in shown, shown


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("wat als jaarwisseling naar aov-2", "Jaarwisseling gaat naar AOV-er 2"),
        ("Wat als +1 fte ondermijning", "1 fte extra voor Ondermijning"),
    ],
)
def test_wat_als_is_a_what_if(bot: RunningBot, typed: str, expected: str) -> None:
    # Once: "Ik ken geen persoon “wat als jaarwisseling naar aov-2”".
    shown = text_of(command(bot, typed))
    assert expected in shown, shown


@pytest.mark.parametrize("typed", ["team", "Team", "iedereen"])
def test_asking_for_the_team_by_name_shows_the_team(bot: RunningBot, typed: str) -> None:
    # Once: "Ik ken geen persoon “team”", under an answer headed "Capaciteit team OOV".
    assert "Capaciteit team OOV" in text_of(command(bot, typed))


def test_capaciteit_van_someone_is_their_load(bot: RunningBot) -> None:
    # Once: "Ik ken geen persoon “van aov-2”".
    assert "Capaciteit van AOV-er 2" in text_of(command(bot, "van aov-2"))


@pytest.mark.parametrize("typed", ["rapportage", "verslag"])
def test_the_report_is_found_by_the_words_programma_accepts(bot: RunningBot, typed: str) -> None:
    # /programma takes 'rapportage' and 'verslag'; /capaciteit once answered "Ik ken geen persoon".
    assert "Het rapport (Word) komt in je DM" in text_of(command(bot, typed))
