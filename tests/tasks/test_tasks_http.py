"""`/wie` and `/taken` driven over real HTTP with signed requests, against the fake Slack API."""

from __future__ import annotations

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from storage.models.team import people, task_ownership_changes, tasks
from storage.session import Database
from testkit.app import RunningBot, start_bot
from testkit.clock import FixedClock
from testkit.fake_slack import FakeSlack
from testkit.team_config import SLACK_IDS, copy_config, edit_yaml, write_yaml


def answer(response: Any) -> dict[str, Any]:
    """The JSON body of a 200 answer; an empty acknowledgement is {}."""
    assert response.status_code == 200, response.text
    return response.json() if response.text else {}


def block_text(body: dict[str, Any]) -> str:
    """All visible text of a Block Kit answer, flattened."""
    return json.dumps(body.get("blocks", []), ensure_ascii=False)


@pytest.fixture
def linked_bot(db: Database, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path):
    """oov-bot whose people.yaml has Slack IDs filled in."""
    running, server = start_bot(db, fake_slack, clock, config_dir=copy_config(tmp_path / "config"))
    yield running
    server.close()


def test_wie_answers_with_a_task_card(bot: RunningBot) -> None:
    body = answer(bot.slack.command("/wie", "bibob"))
    assert body["response_type"] == "ephemeral"
    header = body["blocks"][0]
    assert header == {
        "type": "header",
        "text": {"type": "plain_text", "text": "BIBOB", "emoji": True},
    }
    text = block_text(body)
    assert "Wet BIBOB" in text  # legal basis
    assert "Evaluatie BIBOB-beleid schrijven" in text  # duties
    assert "Eigenaar" in text and "Vervanger" in text
    actions = next(b for b in body["blocks"] if b["type"] == "actions")["elements"]
    assert [a["text"]["text"] for a in actions] == ["Delen in kanaal", "Eigenaar wijzigen"]


def test_the_same_card_offers_the_owner_change_only_to_who_may_make_it(
    linked_bot: RunningBot,
) -> None:
    # The card is drawn once per search and kind of asker: the owner (aov-2) may hand
    # Huisverboden on, a colleague (aov-3) may not, whichever asked first.
    def buttons(user: str) -> list[str]:
        body = answer(linked_bot.slack.command("/wie", "huisverbod", user_id=SLACK_IDS[user]))
        actions = next(b for b in body["blocks"] if b["type"] == "actions")["elements"]
        return [a["text"]["text"] for a in actions]

    for user in ("aov-2", "aov-3", "aov-2", "aov-3"):
        expected = ["Delen in kanaal"] + (["Eigenaar wijzigen"] if user == "aov-2" else [])
        assert buttons(user) == expected, user


def test_wie_card_mentions_the_owner_and_shows_weekly_hours(linked_bot: RunningBot) -> None:
    body = answer(linked_bot.slack.command("/wie", "TVO"))
    text = block_text(body)
    assert body["blocks"][0]["text"]["text"].startswith("Tactisch Veiligheidsoverleg (TVO)")
    assert "<@U0" in text  # owner as a Slack mention
    assert "3 uur per 4 week" in text  # as written
    assert "0,75 uur per week" in text  # and understood


@pytest.mark.parametrize(
    ("query", "subject"),
    [
        ("huisverbod", "Huisverboden"),
        ("bibop", "BIBOB"),
        ("JAARWISSELING", "Jaarwisseling"),
        ("coffeeshop", "Damoclesbeleid + drugsbeleid"),
        ("explosieven", "Aantreffen (conventionele) explosieven"),
        ("boa briefing", "Boa-briefing"),
        # the team's everyday words for what the overview calls otherwise
        ("wiet", "Hennepconvenant / bestuurlijke maatregelen Damoclesbeleid"),
        ("wie doet huiselijk geweld?", "Huisverboden"),
        ("kermis", "Veiligheid en evenementen"),
    ],
)
def test_wie_finds_loosely_typed_subjects_over_http(
    bot: RunningBot, query: str, subject: str
) -> None:
    body = answer(bot.slack.command("/wie", query))
    assert body["blocks"][0]["type"] == "header", block_text(body)
    assert body["blocks"][0]["text"]["text"] == subject


def test_wie_with_several_matches_offers_a_pick_list(bot: RunningBot) -> None:
    body = answer(bot.slack.command("/wie", "buurtpreventie"))
    assert "Meerdere taken passen bij" in body["blocks"][0]["text"]["text"]
    buttons = [b["accessory"] for b in body["blocks"] if "accessory" in b]
    assert len(buttons) >= 2
    assert {b["action_id"] for b in buttons} == {"task_show"}
    # Picking one shows its card in place of the list.
    task_id = buttons[0]["value"]
    answer(bot.slack.interactivity(bot.slack.block_actions_payload("task_show", task_id)))
    call = bot.fake.wait_for("response_url")[0]
    assert call.args["replace_original"] is True
    assert call.args["blocks"][0]["type"] == "header"


def test_wie_without_a_match_says_so_in_dutch_with_suggestions(bot: RunningBot) -> None:
    body = answer(bot.slack.command("/wie", "kwispelstaart plofkip"))
    assert body["blocks"][0]["text"]["text"].startswith(
        "Geen taak gevonden voor “kwispelstaart plofkip”"
    )
    assert "Traceback" not in block_text(body)


def test_wie_escapes_what_the_user_typed(bot: RunningBot) -> None:
    body = answer(bot.slack.command("/wie", "<!channel> zzzqqq"))
    assert "<!channel>" not in block_text(body)
    assert "&lt;!channel&gt;" in block_text(body)


@pytest.mark.parametrize("text", ["", "help", "hulp"])
def test_wie_help(bot: RunningBot, text: str) -> None:
    body = answer(bot.slack.command("/wie", text))
    # Escaped as Slack's mrkdwn requires: a bare "<onderwerp>" would be read as a link.
    assert "/wie &lt;onderwerp&gt;" in block_text(body)
    assert "gewone woorden mogen ook" in block_text(body)


def test_share_posts_the_card_in_the_channel_without_buttons(bot: RunningBot) -> None:
    task_id = bot.ctx.team.tasks()[0].id
    payload = bot.slack.block_actions_payload("task_share", str(task_id), user_id="U0AOV0003")
    answer(bot.slack.interactivity(payload))
    call = bot.fake.wait_for("response_url")[0]
    assert call.args["response_type"] == "in_channel"
    assert all(b["type"] != "actions" for b in call.args["blocks"])
    assert "Gedeeld door <@U0AOV0003>" in json.dumps(call.args["blocks"])


def small_team(config_dir: Path) -> Path:
    config_dir.mkdir()
    write_yaml(
        config_dir / "people.yaml",
        {
            "people": [
                {
                    "key": "anna",
                    "name": "Adviseur A",
                    "slack_id": "U0000000A",
                    "hours_per_week": 32,
                },
                {
                    "key": "bert",
                    "name": "Adviseur B",
                    "slack_id": "U0000000B",
                    "hours_per_week": 36,
                },
            ]
        },
    )

    def task(subject: str, time: str, owner: str, deputy: str | None) -> dict[str, Any]:
        return {
            "subject": subject,
            "category": "structureel",
            "duties": "",
            "time": time,
            "legal_basis": "",
            "owner": owner,
            "deputy": deputy,
        }

    write_yaml(
        config_dir / "tasks.yaml",
        {
            "tasks": [
                task("Weekoverleg", "2 uur per week", "anna", "bert"),
                task("Vierwekelijks overleg", "3 uur per 4 week", "anna", None),
                task("Kwartaaloverleg", "2 uur per kwartaal", "anna", "bert"),
                task("Incidentele klus", "incidenteel", "anna", None),
                task("Iets zonder tijd", "", "anna", None),
                task("Taak van B", "4 uur per week", "bert", "anna"),
            ]
        },
    )
    return config_dir


def test_taken_sums_the_weekly_hours_and_lists_unknown_time_apart(
    db: Database, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path
) -> None:
    running, server = start_bot(db, fake_slack, clock, config_dir=small_team(tmp_path / "c"))
    try:
        body = answer(running.slack.command("/taken", "", user_id="U0000000A"))
    finally:
        server.close()
    text = block_text(body)
    assert body["blocks"][0]["text"]["text"] == "Taken van Adviseur A"
    # 2 + 3/4 + 2 per quarter (2 / 13.04 weeks ≈ 0.15) ≈ 2.90
    assert "Eigenaar* van 5 taken — samen ≈ *2,9 uur per week*" in text
    assert "Zonder vaste tijd" in text
    assert "Incidentele klus" in text and "Iets zonder tijd" in text
    assert "Vervanger* van 1 taak — samen ≈ *4 uur per week*" in text
    assert "van 32 contracturen" in text


def test_taken_for_a_mentioned_colleague(linked_bot: RunningBot) -> None:
    mention = f"<@{SLACK_IDS['boa-coordinator']}|boa>"
    body = answer(linked_bot.slack.command("/taken", mention, user_id=SLACK_IDS["aov-1"]))
    assert body["blocks"][0]["text"]["text"] == "Taken van Boa-coördinator"
    assert "Boa-briefing" in block_text(body)


def test_taken_by_person_key_and_unknown_person(bot: RunningBot) -> None:
    assert answer(bot.slack.command("/taken", "@aov-2"))["blocks"][0]["text"]["text"] == (
        "Taken van AOV-er 2"
    )
    body = answer(bot.slack.command("/taken", "@nobody"))
    assert "Ik ken geen persoon “@nobody”" in block_text(body)


def test_taken_for_a_slack_user_outside_the_team_shows_the_mention(bot: RunningBot) -> None:
    body = answer(bot.slack.command("/taken", "<@U0GUEST01|gast>"))
    assert "<@U0GUEST01> staat niet in het teamoverzicht" in block_text(body)
    assert "&lt;@" not in block_text(body)  # not the raw mention syntax


def test_taken_tells_an_unlinked_caller_how_to_link(bot: RunningBot) -> None:
    body = answer(bot.slack.command("/taken", "", user_id="U0UNKNOWN"))
    assert "nog niet gekoppeld" in block_text(body)
    assert "slack_id" in block_text(body)


def owner_of(db: Database, subject: str) -> str | None:
    with db.transaction() as conn:
        return conn.scalar(
            select(people.c.key)
            .join(tasks, tasks.c.owner_id == people.c.id)
            .where(tasks.c.subject == subject)
        )


def test_owner_change_modal_round_trip_is_stored_audited_and_announced(
    linked_bot: RunningBot, db: Database
) -> None:
    bot = linked_bot
    task = next(t for t in bot.ctx.team.tasks() if t.subject == "Huisverboden")
    old_owner = task.owner
    assert old_owner is not None and old_owner.slack_id
    new_slack_id = next(
        s
        for k, s in SLACK_IDS.items()
        if s != old_owner.slack_id and (task.deputy is None or s != task.deputy.slack_id)
    )

    answer(bot.slack.command("/wie", "huisverboden"))  # the answer is now cached
    click = bot.slack.block_actions_payload("task_change_owner", str(task.id), user_id="U0TL00001")
    answer(bot.slack.interactivity(click))
    view = bot.fake.wait_for("views.open")[0].args["view"]
    assert view["callback_id"] == "task_owner_modal"
    assert view["blocks"][1]["element"]["initial_user"] == old_owner.slack_id

    # The deputy stays as the modal shows it (Slack sends a pre-filled field as selected).
    shown_deputy = view["blocks"][-1]["element"].get("initial_user")
    assert shown_deputy == (task.deputy.slack_id if task.deputy else None)
    values = {
        "owner": {"person": {"type": "users_select", "selected_user": new_slack_id}},
        "deputy": {"person": {"type": "users_select", "selected_user": shown_deputy}},
    }
    submit = bot.slack.view_submission_payload(
        "task_owner_modal", values, private_metadata=view["private_metadata"], user_id="U0TL00001"
    )
    response = bot.slack.interactivity(submit)
    assert response.status_code == 200 and not response.text

    new_person = bot.ctx.team.person_by_slack_id(new_slack_id)
    assert new_person and owner_of(db, "Huisverboden") == new_person.key
    with db.transaction() as conn:
        audit = conn.execute(select(task_ownership_changes)).all()
        assert [
            (a.role, a.from_person_id, a.to_person_id, a.changed_by, a.source) for a in audit
        ] == [("owner", old_owner.id, new_person.id, "U0TL00001", "slack")]
        assert audit[0].changed_at == bot.clock()
    dms = {c.args["channel"]: c.args["text"] for c in bot.fake.wait_for("chat.postMessage", 2)}
    # Both Home tabs (which list one's tasks) are refreshed.
    homes = {c.args["user_id"] for c in bot.fake.wait_for("views.publish", 2)}
    assert homes == {new_slack_id, old_owner.slack_id}
    assert "Je bent nu eigenaar van *Huisverboden*" in dms[new_slack_id]
    assert "Je bent geen eigenaar meer van *Huisverboden*" in dms[old_owner.slack_id]
    # The ephemeral card the user clicked is refreshed with the new owner, and so is /wie.
    refreshed = bot.fake.wait_for("response_url")[0]
    assert f"<@{new_slack_id}>" in json.dumps(refreshed.args["blocks"])
    owner_field = answer(bot.slack.command("/wie", "huisverboden"))["blocks"][1]["fields"][0]
    assert owner_field["text"] == f"*Eigenaar*\n<@{new_slack_id}>"


def test_emptying_the_deputy_field_leaves_the_task_without_a_deputy(
    linked_bot: RunningBot, db: Database
) -> None:
    """The modal shows the deputy filled in; emptying it was ignored, and the deputy stayed."""
    bot = linked_bot
    task = next(t for t in bot.ctx.team.tasks() if t.subject == "Huisverboden")
    assert task.owner is not None and task.deputy is not None and task.deputy.slack_id
    click = bot.slack.block_actions_payload("task_change_owner", str(task.id), user_id="U0TL00001")
    answer(bot.slack.interactivity(click))
    view = bot.fake.wait_for("views.open")[0].args["view"]
    values = {
        "owner": {"person": {"type": "users_select", "selected_user": task.owner.slack_id}},
        "deputy": {"person": {"type": "users_select", "selected_user": None}},
    }
    submit = bot.slack.view_submission_payload(
        "task_owner_modal", values, private_metadata=view["private_metadata"], user_id="U0TL00001"
    )
    assert bot.slack.interactivity(submit).status_code == 200
    after = next(t for t in bot.ctx.team.tasks() if t.subject == "Huisverboden")
    assert after.owner == task.owner and after.deputy is None
    with db.transaction() as conn:
        audit = conn.execute(select(task_ownership_changes)).all()
        assert [(a.role, a.from_person_id, a.to_person_id) for a in audit] == [
            ("deputy", task.deputy.id, None)
        ]
    (dm,) = bot.fake.wait_for("chat.postMessage")
    assert dm.args["channel"] == task.deputy.slack_id
    assert "Je bent geen vervanger meer van *Huisverboden*" in dm.args["text"]
    deputy_field = answer(bot.slack.command("/wie", "huisverboden"))["blocks"][1]["fields"][1]
    assert deputy_field["text"] == "*Vervanger*\n_niemand_"


def test_an_owner_who_hands_a_task_on_gets_the_card_without_the_change_button(
    linked_bot: RunningBot,
) -> None:
    """aov-2 (no team lead) owns Huisverboden and hands it to aov-3: the refreshed card still
    offered 'Eigenaar wijzigen', which aov-2 may no longer use (a click was refused)."""
    bot = linked_bot
    task = next(t for t in bot.ctx.team.tasks() if t.subject == "Huisverboden")
    assert task.owner is not None and task.owner.key == "aov-2"
    owner = SLACK_IDS["aov-2"]
    click = bot.slack.block_actions_payload("task_change_owner", str(task.id), user_id=owner)
    answer(bot.slack.interactivity(click))
    view = bot.fake.wait_for("views.open")[0].args["view"]
    values = {
        "owner": {"person": {"type": "users_select", "selected_user": SLACK_IDS["aov-3"]}},
        "deputy": {"person": {"type": "users_select", "selected_user": None}},
    }
    submit = bot.slack.view_submission_payload(
        "task_owner_modal", values, private_metadata=view["private_metadata"], user_id=owner
    )
    assert bot.slack.interactivity(submit).status_code == 200
    refreshed = json.dumps(bot.fake.wait_for("response_url")[0].args["blocks"])
    assert f"<@{SLACK_IDS['aov-3']}>" in refreshed
    assert "task_change_owner" not in refreshed


def test_owner_modal_rejects_the_same_person_as_deputy(
    linked_bot: RunningBot, db: Database
) -> None:
    task = next(t for t in linked_bot.ctx.team.tasks() if t.subject == "BIBOB")
    meta = json.dumps({"task_id": task.id})
    same = {"type": "users_select", "selected_user": "U0AOV0003"}
    submit = linked_bot.slack.view_submission_payload(
        "task_owner_modal",
        {"owner": {"person": same}, "deputy": {"person": same}},
        private_metadata=meta,
    )
    body = answer(linked_bot.slack.interactivity(submit))
    assert body["response_action"] == "errors"
    assert "iemand anders" in body["errors"]["deputy"]
    assert owner_of(db, "BIBOB") == (task.owner.key if task.owner else None)


def test_owner_picked_who_is_not_in_the_team_file_is_added_from_slack(
    linked_bot: RunningBot, db: Database
) -> None:
    linked_bot.fake.add_user("U0NEW0001", "Nieuwe Collega")
    task = next(t for t in linked_bot.ctx.team.tasks() if t.subject == "Burgernet")
    submit = linked_bot.slack.view_submission_payload(
        "task_owner_modal",
        {"owner": {"person": {"type": "users_select", "selected_user": "U0NEW0001"}}},
        private_metadata=json.dumps({"task_id": task.id}),
    )
    linked_bot.slack.interactivity(submit)
    assert owner_of(db, "Burgernet") == "slack-u0new0001"
    assert linked_bot.ctx.team.find_person("U0NEW0001").name == "Nieuwe Collega"
    linked_bot.fake.wait_for("chat.postMessage", 1)


@pytest.mark.parametrize("signature", ["bad", "missing", "stale"])
def test_unsigned_or_stale_requests_get_401_and_change_nothing(
    linked_bot: RunningBot, db: Database, signature: str
) -> None:
    bot = linked_bot
    task = next(t for t in bot.ctx.team.tasks() if t.subject == "Horeca")
    submit = bot.slack.view_submission_payload(
        "task_owner_modal",
        {"owner": {"person": {"type": "users_select", "selected_user": "U0BOA0001"}}},
        private_metadata=json.dumps({"task_id": task.id}),
    )
    assert bot.slack.interactivity(submit, signature=signature).status_code == 401
    assert bot.slack.command("/wie", "horeca", signature=signature).status_code == 401
    assert owner_of(db, "Horeca") == (task.owner.key if task.owner else None)
    with db.transaction() as conn:
        assert conn.execute(select(task_ownership_changes)).all() == []
    assert bot.fake.calls() == []


def test_many_concurrent_requests_are_all_answered(bot: RunningBot) -> None:
    queries = ["bibob", "huisverbod", "azc", "tvo", "jaarwisseling"] * 8
    with ThreadPoolExecutor(max_workers=20) as pool:
        bodies = list(pool.map(lambda q: answer(bot.slack.command("/wie", q)), queries))
    assert all(b["blocks"][0]["type"] == "header" for b in bodies)
    assert len({b["blocks"][0]["text"]["text"] for b in bodies}) == 5


def test_a_button_for_a_task_that_no_longer_exists_says_so(bot: RunningBot) -> None:
    answer(bot.slack.interactivity(bot.slack.block_actions_payload("task_share", "999999")))
    call = bot.fake.wait_for("response_url")[0]
    assert call.args["text"] == "Die taak bestaat niet meer."
    assert call.args["replace_original"] is False


def test_wie_with_one_uncertain_match_asks_about_that_one_task(bot: RunningBot) -> None:
    # "zedendelinquent" is only near a duty of BIJ-meldingen: not sure enough for a card.
    body = answer(bot.slack.command("/wie", "zedendelinquent"))
    question = body["blocks"][0]["text"]["text"]
    assert "Meerdere" not in question
    assert question == (
        "Ik weet niet zeker welke taak je bedoelt met “zedendelinquent”. Bedoel je deze?"
    )
    buttons = [b["accessory"] for b in body["blocks"] if "accessory" in b]
    assert len(buttons) == 1
    assert "BIJ-meldingen" in block_text(body)


def test_wie_by_the_name_of_a_law_lists_the_tasks_resting_on_it(bot: RunningBot) -> None:
    body = answer(bot.slack.command("/wie", "politiewet"))
    assert body["blocks"][0]["text"]["text"].startswith("Meerdere taken passen bij “politiewet”")
    text = block_text(body)
    assert "Gezagsdriehoek Noord Drenthe" in text
    assert "Regionaal bestuurlijk politieoverleg Noord Nederland (RPBO)" in text


@pytest.mark.parametrize(
    ("text", "header"),
    [
        ("boa coordinator", "Taken van Boa-coördinator"),  # the name typed without its hyphen
        ("Boa", "Taken van Boa-coördinator"),  # one word of one colleague's name
        ("aov 1", "Taken van AOV-er 1"),  # the key typed apart
    ],
)
def test_taken_by_the_words_of_a_name_as_typed(bot: RunningBot, text: str, header: str) -> None:
    body = answer(bot.slack.command("/taken", text))
    assert body["blocks"][0]["text"]["text"] == header, block_text(body)


def test_taken_by_a_word_several_colleagues_share_asks_which_one(bot: RunningBot) -> None:
    body = answer(bot.slack.command("/taken", "aov"))  # AOV-er 1, 2 and 3
    assert body["text"] == (
        "“aov” past bij meer collega's: aov-1 (AOV-er 1), aov-2 (AOV-er 2), aov-3 (AOV-er 3). "
        "Noem er één, bijvoorbeeld `/taken aov-1`."
    )


LONG_SUBJECT = "Toezicht & handhaving evenementen, horeca <terrassen> en kermis " * 4  # 260 chars


def _with_many_tasks(config_dir: Path, count: int, owner: str = "aov-1") -> Path:
    """The bundled config plus `count` long-named tasks of one owner, half with a time."""

    def add(data: Any) -> None:
        for n in range(count):
            data["tasks"].append(
                {
                    "subject": f"Taak {n:03d} {LONG_SUBJECT}".strip(),
                    "category": "structureel",
                    "description": "",
                    "duties": "",
                    "time": "1 uur per week" if n % 2 else "",
                    "legal_basis": "",
                    "owner": owner,
                    "deputy": None,
                }
            )

    edit_yaml(config_dir / "tasks.yaml", add)
    return config_dir


def listed_or_counted(blocks: list[dict[str, Any]]) -> tuple[int, int]:
    """(tasks its headings announce, task lines shown plus those its '… en nog N' lines count)."""
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    joined = "\n".join(texts)
    announced = sum(int(m) for m in re.findall(r"\* van (\d+) ta", joined))
    shown = sum(line.startswith("• ") for line in joined.split("\n"))
    counted = sum(int(m) for m in re.findall(r"… en nog (\d+)", joined))
    return announced, shown + counted


def test_taken_of_someone_with_200_long_tasks_shows_whole_lines_and_counts_the_rest(
    db: Database, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path
) -> None:
    config = _with_many_tasks(copy_config(tmp_path / "config"), 200)
    running, server = start_bot(db, fake_slack, clock, config_dir=config)
    try:
        body = answer(running.slack.command("/taken", "aov-1"))
    finally:
        server.close()
    blocks = body["blocks"]
    assert len(blocks) <= 50
    # Before: each list was one section cut at 3,000 characters, so most tasks vanished
    # without a word, and a cut could fall inside '&amp;'.
    announced, accounted = listed_or_counted(blocks)
    assert announced > 200
    assert accounted == announced
    for block in blocks:
        if block["type"] == "section" and "text" in block:
            text = block["text"]["text"]
            assert len(text) <= 3000
            assert not re.search(r"&[a-z]{0,3}…|&[a-z]{0,3}$", text), text[-40:]


def test_picking_a_second_owner_before_the_first_redraw_arrived_is_no_error(
    linked_bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    lead = SLACK_IDS["teamleider"]
    task = next(t for t in linked_bot.ctx.team.tasks() if t.subject.startswith("Casusregie"))
    click = linked_bot.slack.block_actions_payload("task_change_owner", str(task.id), user_id=lead)
    answer(linked_bot.slack.interactivity(click))
    [opened] = linked_bot.fake.wait_for("views.open")
    view = dict(opened.args["view"])
    view_id = "V0VIEW0001"
    view |= {"id": view_id, "hash": linked_bot.fake.view_hash(view_id)}

    def pick(person: str) -> None:
        chosen = {"owner": {"person": {"type": "users_select", "selected_user": person}}}
        payload = linked_bot.slack.block_actions_payload(
            "person", block_id="owner", user_id=lead, view=view | {"state": {"values": chosen}}
        )
        payload["actions"][0] |= {"type": "users_select", "selected_user": person}
        answer(linked_bot.slack.interactivity(payload))

    # Both picks carry the hash of the modal as opened: the second one's redraw comes after
    # the first one's and Slack refuses it (hash_conflict).
    pick(SLACK_IDS["aov-3"])
    linked_bot.fake.wait_for("views.update", count=1)
    pick(SLACK_IDS["aov-1"])
    updates = linked_bot.fake.wait_for("views.update", count=3)
    time.sleep(0.3)  # the listener's answer, if any, follows the refused call
    # Before: the lead got a DM 'Er ging iets mis …', the log an ERROR with a traceback, and
    # the modal kept showing the load of the first pick while the second was chosen.
    assert not [c for c in linked_bot.fake.calls("chat.postMessage") if c.args["channel"] == lead]
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    latest = json.dumps(updates[-1].args["view"]["blocks"], ensure_ascii=False)
    assert "AOV-er 1:" in latest and "AOV-er 3:" not in latest


MARKUP_SUBJECT = "Boa & handhaving <wijk>"
MARKUP_NAME = "Jansen & De Vries <extern>"


def test_the_notification_text_escapes_subjects_and_names(
    db: Database, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path
) -> None:
    """The `text` beside the blocks is what a notification and a screen reader show, and Slack
    reads it as mrkdwn too: a subject or name with '&', '<' or '>' is escaped there as in the
    blocks, or '<wijk>' is taken for a link and the '&' shown wrongly."""
    config_dir = copy_config(tmp_path / "config")

    def add(data: Any) -> None:
        data["tasks"].append(
            {"subject": MARKUP_SUBJECT, "category": "structureel", "description": "",
             "duties": "", "time": "1 uur per week", "legal_basis": "", "owner": "aov-1",
             "deputy": None, "aliases": ["wijkhandhaving"]}
        )  # fmt: skip

    def rename(data: Any) -> None:
        next(p for p in data["people"] if p["key"] == "aov-1")["name"] = MARKUP_NAME

    edit_yaml(config_dir / "tasks.yaml", add)
    edit_yaml(config_dir / "people.yaml", rename)
    bot, server = start_bot(db, fake_slack, clock, config_dir=config_dir)
    try:
        subject = "Boa &amp; handhaving &lt;wijk&gt;"
        card_text = f"{subject}: eigenaar Jansen &amp; De Vries &lt;extern&gt;"
        assert answer(bot.slack.command("/wie", "wijkhandhaving"))["text"] == card_text
        task_id = next(t.id for t in bot.ctx.team.tasks() if t.subject == MARKUP_SUBJECT)
        for button, expected in (("task_share", card_text), ("task_show", subject)):
            bot.fake.forget_calls()
            click = bot.slack.block_actions_payload(button, str(task_id), user_id="U0AOV0003")
            answer(bot.slack.interactivity(click))
            assert bot.fake.wait_for("response_url")[0].args["text"] == expected, button
        taken = answer(bot.slack.command("/taken", "@aov-1"))
        assert taken["text"] == "Taken van Jansen &amp; De Vries &lt;extern&gt;"
    finally:
        server.close()


def test_a_kept_taken_answer_is_the_askers_own_and_follows_a_change(
    linked_bot: RunningBot,
) -> None:
    """/taken answers are kept per question and asker until the team changes (asking again
    reads only the data versions): the same words from a colleague are their own tasks, and an
    owner change made here shows in the very next answer."""
    aov1, aov2 = SLACK_IDS["aov-1"], SLACK_IDS["aov-2"]

    def header(user: str, text: str = "") -> str:
        return answer(linked_bot.slack.command("/taken", text, user_id=user))["blocks"][0]["text"][
            "text"
        ]

    assert header(aov1) == header(aov1) == "Taken van AOV-er 1"
    assert header(aov2) == "Taken van AOV-er 2"
    team = linked_bot.ctx.team
    aov2_person = team.find_person("aov-2")
    assert aov2_person is not None
    task = next(t for t in team.tasks() if t.owner and t.owner.key == "aov-1")
    before = block_text(answer(linked_bot.slack.command("/taken", "", user_id=aov2)))
    assert task.subject not in before
    team.change_owners(
        task.id, {"owner": aov2_person.id}, changed_by=aov1, source="slack",
        now=linked_bot.clock(),
    )  # fmt: skip
    after = block_text(answer(linked_bot.slack.command("/taken", "", user_id=aov2)))
    assert task.subject in after
