"""/capaciteit over real HTTP with signed requests against the fake Slack: the hand-computed
hours per person, the rows behind them, the unknown budgets, what-ifs that change nothing."""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storage.session import Database
from testkit.app import RunningBot, start_bot
from testkit.clock import FixedClock
from testkit.fake_slack import FakeSlack
from testkit.team_config import SLACK_IDS, copy_config, edit_yaml
from tests.capaciteit.test_capacity_model import EXPECTED_ROUNDED

NAMES = {
    "aov-1": "AOV-er 1",
    "aov-2": "AOV-er 2",
    "aov-3": "AOV-er 3",
    "boa-coordinator": "Boa-coördinator",
    "beleidsmedewerker": "Beleidsmedewerker OOV",
    "teamleider": "Teamleider OOV",
}


def answer(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json() if response.text else {}


def text_of(body: dict[str, Any]) -> str:
    return json.dumps(body.get("blocks", []), ensure_ascii=False)


def dutch(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


@pytest.fixture
def linked(
    db: Database, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path
) -> Iterator[RunningBot]:
    running, server = start_bot(db, fake_slack, clock, config_dir=copy_config(tmp_path / "config"))
    yield running
    server.close()


def command(bot: RunningBot, text: str, user: str = "aov-1") -> dict[str, Any]:
    return answer(bot.slack.command("/capaciteit", text, user_id=SLACK_IDS[user]))


@pytest.mark.parametrize("key", sorted(EXPECTED_ROUNDED))
def test_each_person_sees_the_hand_computed_hours_with_their_rows(
    linked: RunningBot, key: str
) -> None:
    body = command(linked, f"<@{SLACK_IDS[key]}|{key}>")
    assert body["response_type"] == "ephemeral"
    assert body["blocks"][0]["text"]["text"] == f"Capaciteit van {NAMES[key]}"
    text = text_of(body)
    assert f"*Vraag* {dutch(EXPECTED_ROUNDED[key])} u/week" in text
    assert "Waar de uren vandaan komen" in text
    if key == "aov-1":
        assert "“1 keer per 6 week 5 uur” ≈ 0,83 u/week" in text
        assert "Piket OVD-BZ" in text
        assert "Noodstroomplan enexis" in text  # listed without hours, not counted


def test_ik_means_the_caller(linked: RunningBot) -> None:
    body = command(linked, "ik", user="aov-2")
    assert body["blocks"][0]["text"]["text"] == "Capaciteit van AOV-er 2"
    assert "*Vraag* 5,85 u/week" in text_of(body)


def test_the_team_picture_shows_totals_people_themes_and_unknown_budgets(
    linked: RunningBot,
) -> None:
    body = answer(linked.slack.command("/capaciteit", ""))  # a caller outside the team: no DM
    text = text_of(body)
    assert "vraag 16,89 u/week (0,47 fte)" in text
    assert "beschikbaar 166,4 u/week (4,62 fte)" in text
    assert "• AOV-er 2: 5,85 u/week van 28,8 u/week — 20,3 %" in text
    assert "Zonder uren: 43 taken" in text
    assert "Samenwerking RIEC-Noord _(afhankelijk van casuïstiek)_" in text
    assert "• Ondermijning: vraag 0 u/week, aanbod 0 u/week (6 taken zonder uren)" in text
    wait_for_uploads(linked, 2)  # the charts follow in the DM (tested below)


def test_a_task_whose_name_says_naar_is_read_up_to_the_last_naar(linked: RunningBot) -> None:
    first = linked.ctx.team.tasks()[0]
    with linked.ctx.db.transaction() as conn:
        from sqlalchemy import update

        from storage.models.team import tasks

        renamed = conn.execute(
            update(tasks)
            .where(tasks.c.id == first.id)
            .values(subject="Doorverwijzing naar zorgpartners")
        )
        assert renamed.rowcount == 1
    text = text_of(command(linked, "als doorverwijzing naar zorgpartners naar aov-3"))
    assert "Doorverwijzing naar zorgpartners gaat naar AOV-er 3" in text


def test_what_if_a_task_moves_shows_both_people_and_changes_nothing(linked: RunningBot) -> None:
    body = command(linked, "als casusregie naar <@U0AOV0003|aov-3>")
    text = text_of(body)
    assert "Casusregie Zorg en Veiligheidshuis Drenthe gaat naar AOV-er 3" in text
    assert "AOV-er 2: 5,85 u/week → 1,85 u/week (20,3 % → 6,4 %)" in text
    assert "AOV-er 3: 1,75 u/week → 5,75 u/week (6,9 % → 22,5 %)" in text
    assert "Er wordt niets gewijzigd" in text
    owner = next(t for t in linked.ctx.team.tasks() if t.subject.startswith("Casusregie"))
    assert owner.owner is not None and owner.owner.key == "aov-2"
    assert "*Vraag* 5,85 u/week" in text_of(command(linked, "aov-2"))


def test_a_what_if_searches_the_index_wie_built_and_a_new_task_is_found(
    linked: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The search over the tasks is built at start (as /wie's read model); a what-if builds no
    # second one, and after a change both find the new task through one new index.
    from bot.core import task_search

    built: list[int] = []
    original = task_search.TaskIndex.__init__

    def counting(self: task_search.TaskIndex, tasks: Any) -> None:
        built.append(len(tasks))
        original(self, tasks)

    monkeypatch.setattr(task_search.TaskIndex, "__init__", counting)
    assert "gaat naar AOV-er 3" in text_of(command(linked, "als casusregie naar aov-3"))
    assert built == []
    first = linked.ctx.team.tasks()[0]
    with linked.ctx.db.transaction() as conn:
        from sqlalchemy import update

        from storage.models.team import tasks

        renamed = conn.execute(
            update(tasks).where(tasks.c.id == first.id).values(subject="Zeldzaamheidsonderzoek")
        )
        assert renamed.rowcount == 1
    assert "Zeldzaamheidsonderzoek gaat naar AOV-er 3" in text_of(
        command(linked, "als zeldzaamheidsonderzoek naar aov-3")
    )
    assert "Zeldzaamheidsonderzoek" in text_of(
        answer(linked.slack.command("/wie", "zeldzaamheidsonderzoek"))
    )
    assert len(built) == 1


def test_what_if_an_extra_fte_for_a_theme(linked: RunningBot) -> None:
    text = text_of(command(linked, "als +1 fte ondermijning"))
    assert "1 fte extra voor Ondermijning" in text
    assert "Ondermijning: vraag 0 u/week, aanbod 0 u/week → 28,8 u/week" in text
    assert "beschikbaar 166,4 u/week → 195,2 u/week" in text


@pytest.mark.parametrize("to", ["naar", "NAAR", "→", "->"])
def test_an_ambiguous_task_offers_a_pick_list_whose_button_computes(
    linked: RunningBot, to: str
) -> None:
    # "naar" is read by the kernel, as in `/overleg verplaats … naar …`
    body = command(linked, f"als buurtpreventie {to} aov-1")
    assert "Meerdere taken passen bij" in text_of(body)
    button = next(b["accessory"] for b in body["blocks"] if "accessory" in b)
    click = linked.slack.block_actions_payload(
        button["action_id"], button["value"], user_id=SLACK_IDS["aov-1"]
    )
    answer(linked.slack.interactivity(click))
    shown = linked.fake.wait_for("response_url")[0].args
    assert shown["replace_original"] is True
    assert "gaat naar AOV-er 1" in json.dumps(shown["blocks"], ensure_ascii=False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("niemand-bekend", "Ik ken geen persoon “niemand-bekend”"),
        ("als bibob", "Schrijf `/capaciteit als &lt;taak&gt; naar @collega`"),
        ("als +1 fte sterrenkunde", "“sterrenkunde”: dat thema ken ik niet"),
        ("als kwispelstaart naar aov-1", "Geen taak gevonden voor “kwispelstaart”"),
        ("<@U0NOBODY1|iemand>", "staat niet in het teamoverzicht"),
    ],
)
def test_bad_input_gets_a_dutch_answer(linked: RunningBot, text: str, expected: str) -> None:
    body_text = text_of(command(linked, text))
    assert expected in body_text
    assert "Traceback" not in body_text


def test_help_lists_every_form(linked: RunningBot) -> None:
    text = text_of(command(linked, "help"))
    for form in ("@persoon", "als &lt;taak&gt; naar @persoon", "als +1 fte &lt;thema&gt;"):
        assert f"/capaciteit {form}" in text


def test_the_owner_modal_of_wie_shows_both_loads_before_saving(linked: RunningBot) -> None:
    task = next(t for t in linked.ctx.team.tasks() if t.subject.startswith("Casusregie"))
    click = linked.slack.block_actions_payload(
        "task_change_owner", str(task.id), user_id=SLACK_IDS["teamleider"]
    )
    answer(linked.slack.interactivity(click))
    view = linked.fake.wait_for("views.open")[0].args["view"]
    opened = json.dumps(view["blocks"], ensure_ascii=False)
    assert "AOV-er 2 draagt nu 5,85 u/week (20,3 %)" in opened

    # Picking AOV-er 3 as the new owner redraws the modal with both people's load.
    chosen = {"owner": {"person": {"type": "users_select", "selected_user": SLACK_IDS["aov-3"]}}}
    pick = linked.slack.block_actions_payload(
        "person",
        block_id="owner",
        user_id=SLACK_IDS["teamleider"],
        view=view | {"id": "V0OWNER01", "hash": "1700000000.0000abcd", "state": {"values": chosen}},
    )
    pick["actions"][0] |= {"type": "users_select", "selected_user": SLACK_IDS["aov-3"]}
    answer(linked.slack.interactivity(pick))
    update = linked.fake.wait_for("views.update")[0].args
    assert (update["view_id"], update["hash"]) == ("V0OWNER01", "1700000000.0000abcd")
    shown = json.dumps(update["view"]["blocks"], ensure_ascii=False)
    assert "AOV-er 2: 5,85 u/week → 1,85 u/week (20,3 % → 6,4 %)" in shown
    assert "AOV-er 3: 1,75 u/week → 5,75 u/week (6,9 % → 22,5 %)" in shown
    assert "nog niet opgeslagen" in shown
    # Nothing is saved until the modal is submitted.
    still = next(t for t in linked.ctx.team.tasks() if t.id == task.id)
    assert still.owner is not None and still.owner.key == "aov-2"


def wait_for_uploads(bot: RunningBot, count: int) -> list[Any]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        found = bot.fake.uploads()
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"expected {count} uploads, got {len(bot.fake.uploads())}")


def test_the_team_answer_sends_both_charts_with_their_text_to_the_callers_dm(
    linked: RunningBot,
) -> None:
    body = command(linked, "", user="teamleider")
    assert "De grafieken komen in je DM" in text_of(body)
    load, themes = wait_for_uploads(linked, 2)
    assert {load.channel, themes.channel} == {SLACK_IDS["teamleider"]}
    assert (load.filename, themes.filename) == ("capaciteit-belasting.png", "capaciteit-thema.png")
    assert load.content.startswith(b"\x89PNG") and themes.content.startswith(b"\x89PNG")
    # The text equivalent travels with each chart: the same figures as the answer.
    assert "• AOV-er 2 — 20,3 %" in load.initial_comment
    assert "• Zorg en veiligheid — vraag 4,75" in themes.initial_comment


def test_the_report_button_sends_a_word_document_with_the_tables(linked: RunningBot) -> None:
    from docx import Document as Word

    click = linked.slack.block_actions_payload(
        "capacity_report", "team", user_id=SLACK_IDS["teamleider"]
    )
    answer(linked.slack.interactivity(click))
    (report,) = wait_for_uploads(linked, 1)
    assert report.channel == SLACK_IDS["teamleider"]
    assert report.filename == "capaciteit-2026-11-23.docx"
    word = Word(io.BytesIO(report.content))
    paragraphs = [p.text for p in word.paragraphs]
    assert "Capaciteit team OOV" in paragraphs
    people = next(t for t in word.tables if t.rows[0].cells[0].text == "Persoon")
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in people.rows[1:]}
    assert rows["AOV-er 2"] == ["AOV-er 2", "36", "28,8", "5,85", "20,3 %"]
    assert len(word.inline_shapes) == 2  # both charts
    unknown = next(t for t in word.tables if t.rows[0].cells[0].text == "Taak")
    assert len(unknown.rows) == 1 + 43


def test_the_app_home_shows_each_person_their_own_load(linked: RunningBot) -> None:
    for key in ("aov-2", "beleidsmedewerker"):
        event = {"type": "app_home_opened", "user": SLACK_IDS[key], "channel": "D0HOME001",
                 "tab": "home"}  # fmt: skip
        assert linked.slack.event(event).status_code == 200
    calls = linked.fake.wait_for("views.publish", count=2)
    views = {c.args["user_id"]: json.dumps(c.args["view"], ensure_ascii=False) for c in calls}
    assert "Belasting 20,3 % — 5,85 u/week van 28,8 u/week beschikbaar" in views[SLACK_IDS["aov-2"]]
    own = views[SLACK_IDS["beleidsmedewerker"]]
    assert "Belasting 1,7 % — 0,44 u/week van 25,6 u/week beschikbaar" in own
    assert "van je taken hebben nog geen uren (niet meegeteld)" in own


@pytest.mark.parametrize(
    ("user", "guest", "expected"),
    [
        ("U0GUEST01", "single", "alleen voor het OOV-team van de gemeente"),
        ("U0COLLEGA1", None, "Alleen teamleden en meelezers kunnen de capaciteit inzien."),
    ],
)
def test_only_the_team_and_readers_see_capacity(
    linked: RunningBot, user: str, guest: Any, expected: str
) -> None:
    linked.fake.add_user(user, "Iemand Anders", guest=guest)
    for text in ("", "aov-2", "als bibob naar aov-1", "als +1 fte ondermijning", "rapport"):
        body = answer(linked.slack.command("/capaciteit", text, user_id=user))
        shown = text_of(body)
        assert expected in shown, (text, shown)
        assert "u/week" not in shown
    time.sleep(0.3)
    assert linked.fake.uploads() == []  # no charts, no report


ROW_LINE = re.compile(r"^• \S+ u/week — ", re.MULTILINE)


def person_rows(bot: RunningBot, key: str) -> tuple[int, int, int]:
    """(blocks, rows shown, rows counted as '• en nog N') of /capaciteit for one person."""
    body = command(bot, key)
    text = "\n".join(b["text"]["text"] for b in body["blocks"] if "text" in b)
    more = re.search(r"• en nog (\d+) \(alle taken staan in het rapport\)", text)
    return len(body["blocks"]), len(ROW_LINE.findall(text)), int(more[1]) if more else 0


def test_someone_with_400_long_timed_tasks_gets_an_answer_slack_accepts(
    db: Database, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path
) -> None:
    plain, server = start_bot(db, fake_slack, clock, config_dir=copy_config(tmp_path / "plain"))
    try:
        _, bundled_rows, _ = person_rows(plain, "aov-1")
    finally:
        server.close()
    subject = "Toezicht & handhaving evenementen, horeca <terrassen> en kermis " * 4

    def add(data: Any) -> None:
        for n in range(400):
            data["tasks"].append(
                {
                    "subject": f"Taak {n:03d} {subject}".strip(),
                    "category": "structureel",
                    "description": "",
                    "duties": "",
                    "time": "1 uur per week",
                    "legal_basis": "",
                    "owner": "aov-1",
                    "deputy": None,
                }
            )

    config = copy_config(tmp_path / "config")
    edit_yaml(config / "tasks.yaml", add)
    running, server = start_bot(db, fake_slack, clock, config_dir=config)
    try:
        blocks, shown, counted = person_rows(running, "aov-1")
    finally:
        server.close()
    # Before: one section per 3,000 characters of rows without end, past Slack's 50 blocks,
    # so Slack refused the whole answer (invalid_blocks) and the caller saw nothing.
    assert blocks <= 50
    assert counted > 0
    assert shown + counted == bundled_rows + 400
