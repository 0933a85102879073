"""/capaciteit for someone with work but no hours: people.yaml allows 0 contract hours (a
colleague on long leave, one who is leaving and kept until the tasks are handed over). Their load
is not a percentage but "geen beschikbare uren", marked as over 100 %, everywhere it is shown."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storage.session import Database
from testkit.app import RunningBot, start_bot
from testkit.clock import FixedClock
from testkit.fake_slack import FakeSlack
from testkit.team_config import SLACK_IDS, copy_config, edit_yaml
from tests.capaciteit.test_capacity_http import answer, command, text_of, wait_for_uploads

NO_HOURS = "geen beschikbare uren"


def _without_hours(data: Any) -> None:
    next(p for p in data["people"] if p["key"] == "aov-2")["hours_per_week"] = 0


@pytest.fixture
def bot(
    db: Database, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path
) -> Iterator[RunningBot]:
    config = copy_config(tmp_path / "config")
    edit_yaml(config / "people.yaml", _without_hours)
    running, server = start_bot(db, fake_slack, clock, config_dir=config)
    yield running
    server.close()


def test_the_person_without_hours_gets_their_figures(bot: RunningBot) -> None:
    body = command(bot, "aov-2")  # once no answer at all: the percentage could not be written
    assert body["blocks"][0]["text"]["text"] == "Capaciteit van AOV-er 2"
    assert body["text"] == f"Capaciteit van AOV-er 2: {NO_HOURS}"
    assert "*beschikbaar* 0 u/week (0 contracturen" in text_of(body)
    assert f"*belasting* :warning: *{NO_HOURS}* (meer dan 100 %)" in text_of(body)


def test_the_team_lists_them_first_as_over_in_the_answer_chart_and_report(
    bot: RunningBot,
) -> None:
    from docx import Document as Word

    body = command(bot, "", user="teamleider")
    people = next(b["text"]["text"] for b in body["blocks"] if "Per persoon" in str(b))
    first = people.splitlines()[1]
    assert first == f"• AOV-er 2: 5,85 u/week van 0 u/week — {NO_HOURS} :warning: *meer dan 100 %*"
    load, _ = wait_for_uploads(bot, 2)
    assert load.initial_comment.splitlines()[1] == f"• AOV-er 2 — {NO_HOURS} (boven 100 %)"

    click = bot.slack.block_actions_payload(
        "capacity_report", "team", user_id=SLACK_IDS["teamleider"]
    )
    answer(bot.slack.interactivity(click))
    report = wait_for_uploads(bot, 3)[2]
    word = Word(io.BytesIO(report.content))
    table = next(t for t in word.tables if t.rows[0].cells[0].text == "Persoon")
    assert [c.text for c in table.rows[1].cells] == [
        "AOV-er 2", "0", "0", "5,85", f"{NO_HOURS} (boven 100 %)"
    ]  # fmt: skip


def test_a_what_if_towards_them_warns_instead_of_showing_zero_percent(bot: RunningBot) -> None:
    shown = text_of(command(bot, "als jaarwisseling naar aov-2"))
    assert "AOV-er 2: 5,85 u/week → " in shown
    assert f"({NO_HOURS}) :warning: *meer dan 100 %*" in shown
    assert "(0 % → 0 %)" not in shown


def test_the_owner_modal_of_wie_shows_their_load(bot: RunningBot) -> None:
    task = next(t for t in bot.ctx.team.tasks() if t.subject.startswith("Casusregie"))
    click = bot.slack.block_actions_payload(
        "task_change_owner", str(task.id), user_id=SLACK_IDS["teamleider"]
    )
    answer(bot.slack.interactivity(click))
    view = bot.fake.wait_for("views.open")[0].args["view"]
    # Once left out: the modal opened without any load line.
    assert f"AOV-er 2 draagt nu 5,85 u/week ({NO_HOURS})" in json.dumps(
        view["blocks"], ensure_ascii=False
    )
