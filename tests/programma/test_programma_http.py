"""/programma over real HTTP against the fake Slack, on SQLite and PostgreSQL: the overview, a
card found by a loosely typed name, the update modal (and its refusals: a delay without a
reason, an unreadable deadline, an activity that is gone), sharing, linked action items, and the
report uploaded to the requester's DM and read back with python-docx."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from docx import Document as WordDocument

from bot.cli import setup_logging
from bot.core.programme import Status
from bot.language import find_due_date, format_date
from handlers.programma.blocks import (
    NO_CHANGE_BUTTON,
    SHARE_BUTTON,
    SHOW_BUTTON,
    UPDATE_BUTTON,
    UPDATE_MODAL,
)
from handlers.programma.common import build_service
from storage.actions import ActionStore, NewActionItem
from storage.programme import ProgrammeStore
from storage.session import Database
from testkit.app import RunningBot, start_bot
from testkit.clock import FixedClock
from testkit.fake_slack import FakeSlack
from testkit.replies import answer, text_of
from testkit.team_config import SLACK_IDS, copy_config

AOV1 = SLACK_IDS["aov-1"]  # action holder of bibob-beleid, and regievoerder
AOV3 = SLACK_IDS["aov-3"]
NOW = datetime(2024, 6, 3, 8, 0, tzinfo=UTC)  # Monday 3 June 2024, 10:00 in Amsterdam


@pytest.fixture
def bot(db: Database, fake_slack: FakeSlack, tmp_path: Path) -> Iterator[RunningBot]:
    running, server = start_bot(
        db, fake_slack, FixedClock(NOW), config_dir=copy_config(tmp_path / "config")
    )
    yield running
    server.close()


def store(bot: RunningBot) -> ProgrammeStore:
    return ProgrammeStore(bot.ctx.db)


def activity_id(bot: RunningBot, key: str) -> int:
    return next(a.id for a in store(bot).activities() if a.key == key)


def open_update_modal(bot: RunningBot, key: str, user: str = AOV1) -> dict[str, Any]:
    before = len(bot.fake.calls("views.open"))
    click = bot.slack.block_actions_payload(UPDATE_BUTTON, str(activity_id(bot, key)), user_id=user)
    answer(bot.slack.interactivity(click))
    view: dict[str, Any] = bot.fake.wait_for("views.open", before + 1)[-1].args["view"]
    if isinstance(view, str):
        view = json.loads(view)
    assert view["callback_id"] == UPDATE_MODAL
    return view


def clicked(bot: RunningBot, click: dict[str, Any]) -> dict[str, Any]:
    """What the bot answers to this click through its response_url: this click's answer, not an
    earlier one's (answers arrive after the acknowledgement, in their own time)."""
    before = len(bot.fake.calls("response_url"))
    answer(bot.slack.interactivity(click))
    return bot.fake.wait_for("response_url", before + 1)[before].args


def submit_update(
    bot: RunningBot,
    view: dict[str, Any],
    *,
    status: str,
    note: str = "",
    deadline: str = "",
    spent: str = "",
    user: str = AOV1,
) -> dict[str, Any]:
    values = {
        "status": {"value": {"type": "static_select", "selected_option": {"value": status}}},
        "note": {"value": {"type": "plain_text_input", "value": note or None}},
        "deadline": {"value": {"type": "plain_text_input", "value": deadline or None}},
        "spent": {"value": {"type": "plain_text_input", "value": spent or None}},
    }
    payload = bot.slack.view_submission_payload(
        UPDATE_MODAL, values, private_metadata=view["private_metadata"], user_id=user
    )
    before = len(bot.fake.calls("response_url"))
    acked = answer(bot.slack.interactivity(payload))
    if not acked and "response_url" in view["private_metadata"]:
        # Saved: the refreshed card follows the acknowledgement through the card's response_url.
        # Wait for it, or it lands as the answer to whatever the test clicks next.
        bot.fake.wait_for("response_url", before + 1)
    return acked


def update(bot: RunningBot, key: str, **values: Any) -> dict[str, Any]:
    return submit_update(bot, open_update_modal(bot, key, values.get("user", AOV1)), **values)


# --- reading -----------------------------------------------------------------------------------


def test_overview_counts_per_priority_and_names_what_is_late_or_at_risk(bot: RunningBot) -> None:
    body = answer(bot.slack.command("/programma", user_id=AOV1))
    shown = text_of(body)
    assert body["response_type"] == "ephemeral"
    assert "Uitvoeringsprogramma Integraal Veiligheidsbeleid 2024-2025" in shown
    assert "*Ondermijning* (11): ⚪ 11 niet gestart" in shown
    assert "*Zorg en veiligheid* (4)" in shown
    # On 3 June 2024 nothing is late yet; "vanaf begin 2025" passed? No: 1 January 2025 is ahead.
    assert "Te laat" not in shown
    update(bot, "bibob-beleid", status="vertraagd", note="Wacht op het model van het RIEC.")
    shown = text_of(answer(bot.slack.command("/programma", user_id=AOV1)))
    assert "Risico" in shown and "Bibob-beleid en implementatie" in shown
    assert "🟠 1 vertraagd" in shown


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("bibob", "Bibob-beleid en implementatie"),
        ("Damocles", "Actualisatie Damoclesbeleid"),
        ("cyberoefenning", "Cyberoefening Eigen organisatie"),  # a typo
        ("#lokaal-informatie-overleg", "Lokaal Informatie Overleg (LIO)"),
        ("vakantieparken", "Verkenning deelname Vitale Vakantieparken"),
    ],
)
def test_a_loosely_typed_activity_shows_its_card(bot: RunningBot, typed: str, name: str) -> None:
    body = answer(bot.slack.command("/programma", typed, user_id=AOV1))
    assert body["blocks"][0]["type"] == "header"
    assert body["blocks"][0]["text"]["text"] == name
    shown = text_of(body)
    assert "Doel behaald als" in shown and "Actiehouder" in shown
    assert "Bijwerken" in shown and "Delen in kanaal" in shown


def test_a_negated_word_does_not_open_the_activity_that_has_the_word(bot: RunningBot) -> None:
    # "bekend" opens the AVE activity ("... bekend is met ..."); "onbekend" means the opposite
    body = answer(bot.slack.command("/programma", "bekend", user_id=AOV1))
    assert body["blocks"][0]["text"]["text"] == "AVE model implementeren"
    shown = text_of(answer(bot.slack.command("/programma", "#onbekend", user_id=AOV1)))
    assert "Geen activiteit, prioriteit of commando gevonden voor “#onbekend”" in shown
    assert "AVE model implementeren" not in shown


def test_the_card_shows_milestones_read_from_the_criterion(bot: RunningBot) -> None:
    shown = text_of(answer(bot.slack.command("/programma", "hackshield", user_id=AOV1)))
    assert "*Mijlpalen*" in shown
    assert "dinsdag 31 december 2024" in shown and "woensdag 31 december 2025" in shown


def test_mine_behind_and_one_priority(bot: RunningBot) -> None:
    mine = text_of(answer(bot.slack.command("/programma", "mijn", user_id=AOV1)))
    assert "Bibob-beleid en implementatie" in mine
    assert "Actualisatie Damoclesbeleid" not in mine  # aov-3's
    behind = text_of(answer(bot.slack.command("/programma", "achter", user_id=AOV1)))
    assert "Niets loopt achter" in behind
    update(
        bot,
        "damoclesbeleid",
        status="vertraagd",
        note="Noord-Drents verband start later.",
        user=AOV3,
    )
    behind = text_of(answer(bot.slack.command("/programma", "achter", user_id=AOV1)))
    assert "Actualisatie Damoclesbeleid" in behind
    digital = text_of(answer(bot.slack.command("/programma", "weerbaarheid digitaal gebied")))
    assert "Cyberoefening Eigen organisatie" in digital and "Bibob" not in digital


def test_an_unknown_activity_gets_a_dutch_answer_with_suggestions(bot: RunningBot) -> None:
    shown = text_of(answer(bot.slack.command("/programma", "xyzzy", user_id=AOV1)))
    assert "Geen activiteit, prioriteit of commando gevonden voor “xyzzy”" in shown
    shown = text_of(answer(bot.slack.command("/programma", "damokles", user_id=AOV1)))
    assert "Damocles" in shown


def test_help_lists_every_form(bot: RunningBot) -> None:
    shown = text_of(answer(bot.slack.command("/programma", "help")))
    for form in ("mijn", "achter", "rapport", "&lt;activiteit&gt;", "&lt;prioriteit&gt;"):
        assert form in shown


# --- updating ----------------------------------------------------------------------------------


def test_updating_through_the_modal_records_status_note_who_and_when(bot: RunningBot) -> None:
    view = open_update_modal(bot, "bibob-beleid")
    assert submit_update(bot, view, status="loopt", note="Concept besproken met RIEC.") == {}
    history = store(bot).history(activity_id(bot, "bibob-beleid"))
    assert [(u.status_from, u.status_to, u.by, u.at, u.note) for u in history] == [
        (Status.NIET_GESTART, Status.LOOPT, AOV1, NOW, "Concept besproken met RIEC.")
    ]
    card = text_of(answer(bot.slack.command("/programma", "bibob", user_id=AOV1)))
    assert "niet gestart → *loopt*" in card and "Concept besproken met RIEC." in card
    assert f"<@{AOV1}>" in card


def test_a_delay_or_cancellation_without_a_reason_is_refused_and_nothing_is_stored(
    bot: RunningBot,
) -> None:
    for status in ("vertraagd", "geschrapt"):
        view = open_update_modal(bot, "bibob-beleid")
        refused = submit_update(bot, view, status=status)
        assert refused["response_action"] == "errors"
        assert refused["errors"]["note"] == (
            f"Bij ‘{status}’ hoort een reden: schrijf in de toelichting waarom."
        )
    assert store(bot).history(activity_id(bot, "bibob-beleid")) == []


def test_moving_a_deadline_needs_a_reason_and_keeps_the_original_visible(bot: RunningBot) -> None:
    view = open_update_modal(bot, "bibob-beleid")
    refused = submit_update(bot, view, status="loopt", deadline="kerst")
    assert refused["errors"]["deadline"].startswith("“kerst” kan ik niet als datum lezen.")
    refused = submit_update(bot, view, status="niet gestart", deadline="1 juli 2025")
    assert (
        refused["errors"]["note"] == "Schrijf bij een nieuwe deadline de reden in de toelichting."
    )
    assert store(bot).history(activity_id(bot, "bibob-beleid")) == []

    submit_update(
        bot, view, status="vertraagd", note="Model-RIEC komt pas in 2025.", deadline="1 juli 2025"
    )
    moved = store(bot).activity(activity_id(bot, "bibob-beleid"))
    assert moved.deadline == date(2025, 7, 1)
    assert moved.original_deadline == date(2024, 12, 31)
    card = text_of(answer(bot.slack.command("/programma", "bibob", user_id=AOV1)))
    assert "dinsdag 1 juli 2025 _(oorspronkelijk dinsdag 31 december 2024)_" in card


def test_a_new_deadline_that_has_passed_is_refused_and_today_is_not(bot: RunningBot) -> None:
    view = open_update_modal(bot, "bibob-beleid")  # on Monday 3 June 2024
    for typed, shown in (
        ("eind 2023", "zondag 31 december 2023"),
        ("2 juni 2024", "zondag 2 juni 2024"),
        ("Q1 2024", "zondag 31 maart 2024"),
        # a week that ended was read as today (its Friday, at least today, as for this week)
        ("week 21 2024", "vrijdag 24 mei 2024"),
    ):
        refused = submit_update(bot, view, status="loopt", note="Later.", deadline=typed)
        assert refused["errors"]["deadline"] == (
            f"“{typed}” is {shown}: die dag is al voorbij. "
            "Een nieuwe deadline ligt vandaag of later."
        )
    assert store(bot).history(activity_id(bot, "bibob-beleid")) == []
    submit_update(bot, view, status="loopt", note="Vandaag af.", deadline="3 juni 2024")
    assert store(bot).activity(activity_id(bot, "bibob-beleid")).deadline == date(2024, 6, 3)


@pytest.mark.parametrize(
    ("typed", "friday"), [("week 25", date(2024, 6, 21)), ("volgende week", date(2024, 6, 14))]
)
def test_a_week_as_the_new_deadline_is_its_friday_as_in_an_action_item(
    bot: RunningBot, typed: str, friday: date
) -> None:
    view = open_update_modal(bot, "bibob-beleid")  # on Monday 3 June 2024
    submit_update(bot, view, status="loopt", note="Na overleg met het RIEC.", deadline=typed)
    assert store(bot).activity(activity_id(bot, "bibob-beleid")).deadline == friday
    due = find_due_date(f"actie: ik lever het concept aan uiterlijk {typed}", bot.clock())
    assert due is not None and due.date == friday


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("uiterlijk volgende maand", date(2024, 7, 31)),
        ("volgende maand", date(2024, 7, 31)),
        ("deze maand", date(2024, 6, 30)),
        ("medio volgende maand", date(2024, 7, 15)),
        ("volgend kwartaal", date(2024, 9, 30)),
        ("uiterlijk volgend jaar", date(2025, 12, 31)),
    ],
)
def test_a_month_quarter_or_year_as_the_new_deadline_is_its_last_day_as_in_an_action_item(
    bot: RunningBot, typed: str, day: date
) -> None:
    # "uiterlijk volgende maand" was refused here and read as 1 July in an action line; a
    # colleague means by the end of July.
    view = open_update_modal(bot, "bibob-beleid")  # on Monday 3 June 2024
    submit_update(bot, view, status="loopt", note="Na overleg met het RIEC.", deadline=typed)
    assert store(bot).activity(activity_id(bot, "bibob-beleid")).deadline == day
    due = find_due_date(f"actie: ik lever het concept aan {typed}", bot.clock())
    assert due is not None and due.date == day


def test_the_deadline_examples_are_in_the_future_and_are_accepted(bot: RunningBot) -> None:
    bot.clock.current = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    view = open_update_modal(bot, "bibob-beleid")
    deadline_field = next(b for b in view["blocks"] if b.get("block_id") == "deadline")
    assert "‘1 juli 2027’ of ‘eind 2027’" in deadline_field["hint"]["text"]
    refused = submit_update(bot, view, status="loopt", note="Later.", deadline="kerst")
    message = refused["errors"]["deadline"]
    assert "Schrijf bijvoorbeeld ‘1 juli 2027’, ‘eind 2027’ of ‘Q3 2027’." in message
    submit_update(bot, view, status="loopt", note="Later.", deadline="eind 2027")
    assert store(bot).activity(activity_id(bot, "bibob-beleid")).deadline == date(2027, 12, 31)


def test_an_update_of_an_activity_that_was_removed_gets_a_dutch_answer(bot: RunningBot) -> None:
    view = open_update_modal(bot, "bibob-beleid")
    with bot.ctx.db.transaction() as conn:
        from sqlalchemy import update

        from storage.models.programme import programme_activities

        removed = conn.execute(
            update(programme_activities)
            .where(programme_activities.c.id == activity_id(bot, "bibob-beleid"))
            .values(active=False)
        )
        assert removed.rowcount == 1
    refused = submit_update(bot, view, status="loopt", note="x")
    assert refused["errors"]["status"].startswith("Die activiteit bestaat niet (meer).")
    click = bot.slack.block_actions_payload(SHOW_BUTTON, "999999", user_id=AOV1)
    said = clicked(bot, click)
    assert "Die activiteit bestaat niet (meer)" in said["text"]


def test_share_posts_the_card_without_buttons_in_the_channel(bot: RunningBot) -> None:
    click = bot.slack.block_actions_payload(
        SHARE_BUTTON, str(activity_id(bot, "damoclesbeleid")), user_id=AOV1
    )
    shared = clicked(bot, click)
    assert shared["response_type"] == "in_channel"
    assert "Actualisatie Damoclesbeleid" in text_of(shared)
    assert not [b for b in shared["blocks"] if b["type"] == "actions"]


def test_action_items_with_the_activity_hashtag_are_listed_on_the_card(bot: RunningBot) -> None:
    actions = ActionStore(bot.ctx.db)
    for n, text in enumerate(
        (
            f"<@{AOV1}> belt het RIEC over het model #bibob-beleid",
            "ander punt #bibob-beleid-oud",  # another key: not linked
            "punt zonder koppeling",
        )
    ):
        actions.capture(
            NewActionItem(
                channel="C0TEAM001",
                message_ts=f"1717400000.{n:06d}",
                thread_ts=None,
                source="prefix",
                text=text,
                owner_slack_id=AOV1,
                author_slack_id=AOV1,
                due_on=date(2024, 6, 14),
                due_kind="date",
            ),
            NOW,
        )
    card = text_of(answer(bot.slack.command("/programma", "bibob", user_id=AOV1)))
    assert "*Actiepunten (1)*" in card
    assert "belt het RIEC over het model" in card and "bibob-beleid-oud" not in card


def test_no_change_from_the_dm_is_recorded(bot: RunningBot) -> None:
    key = "bibob-beleid"
    click = bot.slack.block_actions_payload(
        f"{NO_CHANGE_BUTTON}:0", str(activity_id(bot, key)), user_id=AOV1
    )
    said = clicked(bot, click)
    assert said["text"].startswith("Genoteerd: geen wijziging")
    assert [u.kind for u in store(bot).history(activity_id(bot, key))] == ["no_change"]


# --- the report -------------------------------------------------------------------------------


def word_text(content: bytes) -> tuple[list[tuple[str, str]], list[list[list[str]]], str]:
    doc = WordDocument(io.BytesIO(content))
    headings = [
        (p.style.name, p.text)
        for p in doc.paragraphs
        if p.style.name.startswith(("Heading", "Title"))
    ]
    tables = [[[cell.text for cell in row.cells] for row in t.rows] for t in doc.tables]
    return headings, tables, "\n".join(p.text for p in doc.paragraphs)


def test_programma_rapport_uploads_word_and_markdown_to_the_requesters_dm(bot: RunningBot) -> None:
    update(bot, "bibob-beleid", status="loopt", note="Concept besproken met RIEC.", spent="1.250")
    update(
        bot,
        "communicatiestrategie-ondermijning",
        status="geschrapt",
        note="Geen capaciteit bij team communicatie.",
    )
    body = answer(bot.slack.command("/programma", "rapport", user_id=AOV1))
    assert "voortgangsrapportage" in text_of(body).casefold()
    bot.fake.wait_for("files.completeUploadExternal", 2, timeout=30)  # after the ack
    uploads = bot.fake.uploads()
    assert [u.channel for u in uploads] == [AOV1, AOV1]
    word = next(u for u in uploads if u.filename.endswith(".docx"))
    markdown = next(u for u in uploads if u.filename.endswith(".md"))
    headings, tables, text = word_text(word.content)
    names = [h for _, h in headings]
    assert "Uitvoering per prioriteit" in names and "Niet of gedeeltelijk uitgevoerd" in names
    assert "2. Ondermijning" in names and "Bibob-beleid en implementatie" in names
    assert "Doel behaald als: Het beleid voor het einde van 2024 is geactualiseerd." in text
    assert (
        "maandag 3 juni 2024 — status loopt, uitgegeven € 1.250: Concept besproken met RIEC."
        in text
    )
    missed = next(t for t in tables if t[0] == ["Activiteit", "Status", "Deadline", "Reden"])
    assert [
        "Communicatiestrategie ondermijning ontwikkelen",
        "geschrapt",
        "dinsdag 31 december 2024",
        "Geen capaciteit bij team communicatie.",
    ] in missed
    money = next(t for t in tables if t[0] == ["", "Bedrag"])
    assert ["Beschikbaar budget", "€ 214.571"] in money
    assert ["Uitgegeven (vastgelegd)", "€ 1.250"] in money
    assert ["Restant", "€ 213.321"] in money
    assert b"Concept besproken met RIEC." in markdown.content


@pytest.mark.parametrize(
    ("typed", "until"),
    [
        ("tot volgende maand", date(2024, 7, 31)),
        ("tot en met volgende maand", date(2024, 7, 31)),
        ("t/m deze maand", date(2024, 6, 30)),
        ("tot en met 31 december 2024", date(2024, 12, 31)),
        ("tot eind 2024", date(2024, 12, 31)),
    ],
)
def test_rapport_through_a_month_runs_to_its_end_as_a_deadline_does(
    bot: RunningBot, typed: str, until: date
) -> None:
    # On Monday 3 June 2024 "rapport tot volgende maand" reported up to 1 July, while the same
    # words in a deadline mean 31 July; "tot en met volgende maand" was not read at all.
    body = answer(bot.slack.command("/programma", f"rapport {typed}", user_id=AOV1))
    assert f"voortgangsrapportage tot en met {format_date(until)} komt zo" in text_of(body)
    bot.fake.wait_for("files.completeUploadExternal", 2, timeout=30)  # after the ack


def test_rapport_with_an_unreadable_date_is_refused_in_dutch(bot: RunningBot) -> None:
    shown = text_of(
        answer(bot.slack.command("/programma", "rapport tot sinterklaas", user_id=AOV1))
    )
    assert "“sinterklaas” kan ik niet als datum lezen" in shown
    assert bot.fake.uploads() == []


# --- a linked meeting's reminder ---------------------------------------------------------------


def test_a_linked_meetings_reminder_lists_its_activities_and_what_changed_since_last_time(
    db: Database, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    from handlers.meetings.clock import send_delivery
    from handlers.meetings.wiring import meeting_service

    clock = FixedClock(datetime(2026, 11, 2, 8, 0, tzinfo=UTC))
    bot, server = start_bot(db, fake_slack, clock, config_dir=copy_config(tmp_path / "config"))
    try:
        service = meeting_service(bot.ctx)
        start = clock()
        due = [
            d
            for d in service.due(start, start + timedelta(days=120))
            if d.key.startswith("meeting:tvo:") and d.key.endswith(":remind-1")
        ]
        first, second = due[0], due[1]
        clock.current = first.due_at
        send_delivery(bot.ctx, service, first.key)
        # Between the two meetings the TVO activity is updated from Slack.
        clock.current = first.due_at + timedelta(days=2)
        update(
            bot,
            "samenwerking-netwerkpartners-zorg-veiligheid",
            status="loopt",
            note="Wijkoverleg Eelde als pilot afgesproken.",
        )
        clock.current = second.due_at
        send_delivery(bot.ctx, service, second.key)
        posts = [
            c.args
            for c in bot.fake.calls("chat.postMessage")
            if "Tactisch Veiligheidsoverleg" in str(c.args.get("text"))
        ]
        assert len(posts) == 2
        before, after = (text_of(p["blocks"]) for p in posts)
        assert "📋 Uitvoeringsprogramma (1)" in before and "geen wijziging sinds" in before
        assert "Samenwerking netwerkpartners zorg en veiligheid versterken" in after
        assert "niet gestart → *loopt*" in after
        assert "Wijkoverleg Eelde als pilot afgesproken." in after
    finally:
        server.close()


# --- privacy ------------------------------------------------------------------------------------


def test_notes_never_reach_the_logs_even_at_debug(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    root = logging.getLogger()
    saved = (root.level, root.handlers[:])
    monkeypatch.setenv("OOV_LOG_LEVEL", "DEBUG")
    secret = "bewoner-Jansen-Dorpsstraat-12"
    try:
        setup_logging()
        caplog.set_level(logging.DEBUG)
        update(bot, "bibob-beleid", status="vertraagd", note=f"Casus {secret} loopt nog.")
        answer(bot.slack.command("/programma", "bibob", user_id=AOV1))
        answer(bot.slack.command("/programma", "rapport", user_id=AOV1))
        bot.fake.wait_for("files.completeUploadExternal", 2, timeout=30)
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]
        for sdk in ("slack_sdk", "slack_bolt"):
            logging.getLogger(sdk).setLevel(logging.NOTSET)
    assert caplog.records, "nothing was logged at all: the test would prove nothing"
    assert secret not in caplog.text


def test_a_note_the_database_refuses_is_not_written_to_the_error_log(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    """A write that fails (here PostgreSQL refuses a NUL character; a dropped connection or a
    deadlock does the same on any database) is logged with its traceback; the statement's
    parameters, i.e. what was typed about a resident, stay out of it."""
    secret = "bewoner-Jansen-Dorpsstraat-12"
    with caplog.at_level(logging.INFO):
        body = update(bot, "bibob-beleid", status="vertraagd", note=f"Casus {secret}\x00 loopt.")
    assert body.get("response_action") in (None, "update", "errors")  # answered, in Dutch
    assert secret not in caplog.text
    for record in caplog.records:
        assert secret not in record.getMessage()
        assert secret not in (record.exc_text or "")


def test_note_texts_are_removed_after_the_retention_period(bot: RunningBot) -> None:
    update(bot, "bibob-beleid", status="loopt", note="Gesprek met betrokken ondernemer.")
    service = build_service(bot.ctx)
    assert service.purge_notes(NOW + timedelta(days=59 * 30)) == 0  # retention: 60 months
    assert service.purge_notes(NOW + timedelta(days=61 * 31)) == 1
    [kept] = store(bot).history(activity_id(bot, "bibob-beleid"))
    assert (kept.status_to, kept.note, kept.note_purged) == (Status.LOOPT, "", True)
    card = text_of(answer(bot.slack.command("/programma", "bibob", user_id=AOV1)))
    assert "toelichting verwijderd (bewaartermijn)" in card


# --- who may do what --------------------------------------------------------------------------


def test_only_the_action_holder_a_regievoerder_or_the_team_lead_may_update(
    bot: RunningBot,
) -> None:
    boa = SLACK_IDS["boa-coordinator"]
    key = "damoclesbeleid"  # aov-3's
    click = bot.slack.block_actions_payload(UPDATE_BUTTON, str(activity_id(bot, key)), user_id=boa)
    said = clicked(bot, click)
    assert said["text"] == "Alleen de actiehouder of de teamleider kan deze activiteit bijwerken."
    assert bot.fake.calls("views.open") == []
    # A regievoerder (aov-2) directs every activity; the holder (aov-3) owns this one.
    update(bot, key, status="loopt", note="Afstemming AANT gestart.", user=SLACK_IDS["aov-2"])
    update(bot, key, status="vertraagd", note="Wacht op Noord-Drenthe.", user=AOV3)
    assert [u.by for u in store(bot).history(activity_id(bot, key))] == [
        SLACK_IDS["aov-2"],
        AOV3,
    ]
    # The monthly DM's "geen wijziging" is refused to someone else as well.
    click = bot.slack.block_actions_payload(
        f"{NO_CHANGE_BUTTON}:0", str(activity_id(bot, key)), user_id=boa
    )
    said = clicked(bot, click)
    assert said["text"] == "Alleen de actiehouder of de teamleider kan deze activiteit bijwerken."
    assert len(store(bot).history(activity_id(bot, key))) == 2


def test_people_outside_the_team_cannot_read_the_programme(bot: RunningBot) -> None:
    bot.fake.add_user("U0BUITEN1", "Iemand van buiten")
    body = answer(bot.slack.command("/programma", "bibob", user_id="U0BUITEN1"))
    assert text_of(body).count("Alleen teamleden en meelezers kunnen het uitvoeringsprogramma") == 1
    assert "Doel behaald als" not in text_of(body)
    refused = text_of(answer(bot.slack.command("/programma", "rapport", user_id="U0BUITEN1")))
    assert "Alleen teamleden en meelezers" in refused and "komt zo" not in refused


@pytest.mark.parametrize(
    ("until", "reason"),
    [
        ("1 januari 1990", "ligt te ver in het verleden"),
        ("31 februari 2025", "31 februari bestaat niet"),
    ],
)
def test_rapport_with_a_date_that_cannot_be_says_why(
    bot: RunningBot, until: str, reason: str
) -> None:
    shown = text_of(answer(bot.slack.command("/programma", f"rapport tot {until}", user_id=AOV1)))
    assert reason in shown and "kan ik niet als datum lezen" not in shown
    assert bot.fake.uploads() == []


def test_a_long_linked_action_item_keeps_its_mention_whole_and_stays_on_one_line(
    bot: RunningBot,
) -> None:
    # The mention straddles the card's 200-character cut; the item was agreed over two lines.
    text = "x" * 190 + f" <@{AOV1}> belt\nhet RIEC #bibob-beleid"
    ActionStore(bot.ctx.db).capture(
        NewActionItem(
            channel="C0TEAM001",
            message_ts="1717400000.000001",
            thread_ts=None,
            source="prefix",
            text=text,
            owner_slack_id=AOV1,
            author_slack_id=AOV1,
            due_on=date(2024, 6, 14),
            due_kind="date",
        ),
        NOW,
    )
    body = answer(bot.slack.command("/programma", "bibob", user_id=AOV1))
    section = next(
        b["text"]["text"]
        for b in body["blocks"]
        if b.get("text", {}).get("text", "").startswith("*Actiepunten (1)*")
    )
    line = section.split("\n")[1]
    # Before: '… xxx <@U0AO…' (a broken mention Slack shows as raw text) and, for a short
    # item of two lines, its owner and deadline stranded on a line of their own.
    assert "<@U0AO…" not in line and line.count("<") == line.count(">")
    assert line.startswith("• x") and line.endswith("(voor vr 14 jun)")
