"""/programma and its update modal with input nobody on the team typed in the other tests:
amounts written in other conventions, invisible characters, text that is only markup."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.language.milestones import parse_amount
from handlers.programma.clock import DIGEST_KIND, plan_deliveries
from storage.session import Database
from testkit.app import RunningBot, start_bot
from testkit.clock import FixedClock
from testkit.fake_slack import FakeSlack
from testkit.replies import answer, text_of
from testkit.team_config import copy_config, edit_yaml
from tests.programma.test_programma_http import (
    AOV1,
    AOV3,
    NOW,
    activity_id,
    open_update_modal,
    store,
    submit_update,
)


@pytest.fixture
def bot(db: Database, fake_slack: FakeSlack, tmp_path: Path) -> Iterator[RunningBot]:
    running, server = start_bot(
        db, fake_slack, FixedClock(NOW), config_dir=copy_config(tmp_path / "config")
    )
    yield running
    server.close()


# Every form, read by the one reader the modal uses (quick: no bot per case) ...
WRITTEN_THE_DUTCH_WAY = [
    ("€ 1.234,56", Decimal("1234.56")),
    ("1.234", Decimal("1234")),
    ("1234", Decimal("1234")),
    ("12,5", Decimal("12.5")),
    ("€ 7.500,-", Decimal("7500")),
    ("2000 euro", Decimal("2000")),
    ("EUR 300", Decimal("300")),
]
COULD_BE_MISREAD = [
    "1234.5",  # a decimal point: 1234,50 or 12.345? never guessed
    "€ 1234.5",
    "€ 1,234.56",  # the English way: not € 1,23
    "1.5 euro",
    "-5 euro",  # a negative amount is not 5
    "€ -5",
    "-5",
    "1e5",  # not 100.000
    "1e9",
    "nan",  # once a crash
    "Infinity",
    "€ 500 en € 300",  # two amounts: not the first
    "٣",  # a digit of another script
    "€",
]


@pytest.mark.parametrize(("typed", "amount"), WRITTEN_THE_DUTCH_WAY)
def test_an_amount_written_the_dutch_way_is_read_as_written(typed: str, amount: Decimal) -> None:
    assert parse_amount(typed) == amount


@pytest.mark.parametrize("typed", COULD_BE_MISREAD)
def test_an_amount_that_could_be_misread_is_not_read(typed: str) -> None:
    assert parse_amount(typed) is None


# ... and through the modal, over HTTP, for a few of each.
@pytest.mark.parametrize(("typed", "amount"), WRITTEN_THE_DUTCH_WAY[::3])
def test_spending_written_the_dutch_way_is_stored_as_written(
    bot: RunningBot, typed: str, amount: Decimal
) -> None:
    assert submit_update(bot, open_update_modal(bot, "bibob-beleid"), status="loopt",
                         note="Offerte betaald.", spent=typed) == {}  # fmt: skip
    (recorded,) = store(bot).history(activity_id(bot, "bibob-beleid"))
    assert recorded.spent == amount


@pytest.mark.parametrize("typed", ["1234.5", "-5 euro", "nan", "€ 500 en € 300"])
def test_spending_that_could_be_misread_is_refused_and_nothing_is_stored(
    bot: RunningBot, typed: str
) -> None:
    refused = submit_update(bot, open_update_modal(bot, "bibob-beleid"), status="loopt",
                            note="Offerte betaald.", spent=typed)  # fmt: skip
    assert refused["response_action"] == "errors"
    assert "is geen bedrag" in refused["errors"]["spent"]
    assert store(bot).history(activity_id(bot, "bibob-beleid")) == []


# Which characters count as invisible is the kernel's (tests/language/test_pasted_text.py).
@pytest.mark.parametrize("invisible", ["\u200b\u200d", "\ufeff \u2060"])
def test_a_reason_of_only_invisible_characters_is_no_reason(
    bot: RunningBot, invisible: str
) -> None:
    refused = submit_update(bot, open_update_modal(bot, "bibob-beleid"), status="vertraagd",
                            note=invisible)  # fmt: skip
    assert refused["errors"]["note"] == (
        "Bij ‘vertraagd’ hoort een reden: schrijf in de toelichting waarom."
    )
    assert store(bot).history(activity_id(bot, "bibob-beleid")) == []


@pytest.mark.parametrize("invisible", ["\u200e \u200f"])
def test_a_command_of_only_invisible_characters_is_the_overview(
    bot: RunningBot, invisible: str
) -> None:
    body = answer(bot.slack.command("/programma", invisible, user_id=AOV1))
    assert "per prioriteit" not in text_of(body)
    assert "*Ondermijning* (11)" in text_of(body)


def _estimate_hours(data: Any) -> None:
    for priority in data["priorities"]:
        for activity in priority["activities"]:
            if activity["key"] == "bibob-beleid":
                activity["hours"] = 12.5


def test_the_estimated_hours_on_the_card_are_written_the_dutch_way(
    db: Database, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    config = copy_config(tmp_path / "config")
    edit_yaml(config / "programma.yaml", _estimate_hours)
    running, server = start_bot(db, fake_slack, FixedClock(NOW), config_dir=config)
    try:
        shown = text_of(answer(running.slack.command("/programma", "bibob", user_id=AOV1)))
    finally:
        server.close()
    assert "≈ 12,5 uur" in shown  # once '≈ 12.5 uur', with an English decimal point


def _empty_priority(data: Any) -> None:
    data["priorities"].append({"key": "cybercrime", "name": "Cybercrime", "activities": []})


def test_a_priority_without_activities_still_shows_in_the_overview(
    db: Database, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    config = copy_config(tmp_path / "config")
    edit_yaml(config / "programma.yaml", _empty_priority)
    running, server = start_bot(db, fake_slack, FixedClock(NOW), config_dir=config)
    try:
        shown = text_of(answer(running.slack.command("/programma", user_id=AOV1)))
    finally:
        server.close()
    # Once left out, while the report and `/programma cybercrime` name it.
    assert "*Cybercrime* (0): geen activiteiten" in shown


def _many_late(data: Any) -> None:
    data["priorities"][0]["activities"] += [
        {"key": f"achterstallig-{n}", "name": f"Achterstallige activiteit {n}",
         "owner": "aov-1", "deadline": date(2024, 5, 1)}
        for n in range(45)
    ]  # fmt: skip


def test_an_overview_with_more_late_activities_than_it_lists_says_how_many_more(
    db: Database, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    config = copy_config(tmp_path / "config")
    edit_yaml(config / "programma.yaml", _many_late)
    running, server = start_bot(db, fake_slack, FixedClock(NOW), config_dir=config)
    try:
        shown = text_of(answer(running.slack.command("/programma", user_id=AOV1)))
    finally:
        server.close()
    assert "*⏰ Te laat (45)*" in shown
    assert shown.count("⏰ *te laat*") == 40
    # Once the list just stopped: five late activities were nowhere to be seen.
    assert "… en nog 5 (zie `/programma achter`)." in shown


def test_a_pick_list_says_how_many_more_activities_match(
    db: Database, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    config = copy_config(tmp_path / "config")
    edit_yaml(config / "programma.yaml", _many_late)
    running, server = start_bot(db, fake_slack, FixedClock(NOW), config_dir=config)
    try:
        shown = text_of(answer(running.slack.command("/programma", "achterstallige", user_id=AOV1)))
    finally:
        server.close()
    assert "Meerdere activiteiten passen bij “achterstallige”" in shown
    assert shown.count("Toon") == 5
    # Once five and nothing more: as if the other forty did not exist.
    assert "… en nog 40. Typ meer van de naam" in shown


def _busy_holder(data: Any) -> None:
    data["priorities"][0]["activities"] += [
        {"key": f"later-{n}", "name": f"Activiteit voor later {n}", "owner": "aov-1",
         "deadline": date(2025, 6, 1)}
        for n in range(25)
    ] + [
        {"key": "vergeten", "name": "Vergeten activiteit", "owner": "aov-1",
         "deadline": date(2024, 5, 1)},
    ]  # fmt: skip


def test_the_monthly_dm_of_a_busy_action_holder_starts_with_what_is_late(
    db: Database, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    config = copy_config(tmp_path / "config")
    edit_yaml(config / "programma.yaml", _busy_holder)
    running, server = start_bot(db, fake_slack, FixedClock(NOW), config_dir=config)
    try:
        july = datetime(2024, 7, 1, 0, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
        (digest,) = [
            d
            for d in plan_deliveries(running.ctx, july, july + timedelta(days=1))
            if d.kind == DIGEST_KIND and d.key.endswith(":aov-1")
        ]
        running.clock.current = datetime(2024, 7, 1, 7, 0, tzinfo=UTC)
        digest.send()
        (sent,) = fake_slack.calls("chat.postMessage")
    finally:
        server.close()
    shown = json.dumps(sent.args["blocks"], ensure_ascii=False)
    # The DM lists 20; the late one came last in programma.yaml and was once behind
    # '… en nog 12', in the one message meant to catch it.
    assert "*Vergeten activiteit*" in shown
    assert shown.index("Vergeten activiteit") < shown.index("Activiteit voor later")
    assert "De deadline is verstreken" in shown


@pytest.mark.parametrize(
    ("typed", "title"),
    [
        # Once: an unrelated card ('Integrale controle bedrijventerreinen') or 'Geen activiteit'.
        ("wat is te laat", "Achter op schema (te laat of vertraagd)"),
        ("wat loopt achter", "Achter op schema (te laat of vertraagd)"),
        ("achter op schema", "Achter op schema (te laat of vertraagd)"),
        ("vertraagd", "Achter op schema (te laat of vertraagd)"),
        ("mijn activiteiten", "Jouw activiteiten"),
        # Once a pick list of activities instead of the priority.
        ("prioriteit ondermijning", "Ondermijning"),
        ("zorg & veiligheid", "Zorg en veiligheid"),
    ],
)
def test_a_question_asked_in_everyday_dutch_gets_the_list_it_asks_for(
    bot: RunningBot, typed: str, title: str
) -> None:
    body = answer(bot.slack.command("/programma", typed, user_id=AOV1))
    assert body["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": title, "emoji": True},
    }


def test_mijn_activiteiten_is_each_callers_own(bot: RunningBot) -> None:
    mine = text_of(answer(bot.slack.command("/programma", "mijn activiteiten", user_id=AOV1)))
    theirs = text_of(answer(bot.slack.command("/programma", "mijn activiteiten", user_id=AOV3)))
    assert "Bibob-beleid en implementatie" in mine and "Bibob-beleid" not in theirs
    assert "Actualisatie Damoclesbeleid" in theirs
