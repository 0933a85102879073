"""The monthly round leaves no activity silently unasked: an open activity without an action
holder, or whose holder has no Slack ID (someone who left), is listed in one DM to the team
leads in the same round, sent once however many clock processes run. The ownerless activity's
name has '&' and '<…>', which the notification texts escape."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import Clock
from handlers.programma.blocks import NO_CHANGE_BUTTON, SHARE_BUTTON
from handlers.programma.clock import UNTRACKED_KIND, plan_deliveries
from storage.programme import ProgrammeStore
from storage.session import Database
from testkit.app import RunningBot, start_bot
from testkit.clock import FixedClock, run_round
from testkit.fake_slack import FakeSlack
from testkit.replies import answer
from testkit.team_config import SLACK_IDS, copy_config, edit_yaml

# Monday 1 July 2024: the round is at 09:00 in Amsterdam; the clock runs at noon.
ROUND = datetime(2024, 7, 1, 10, 0, tzinfo=UTC)
LEAD = SLACK_IDS["teamleider"]
UNTRACKED_TEXT = "📋 Uitvoeringsprogramma:"


def without_holders(config: Path) -> Path:
    """The LIO has no action holder (its name typed with '&' and '<'); the policy officer,
    holder of three activities, left and has no Slack ID any more."""

    def programme(data: Any) -> None:
        for priority in data["priorities"]:
            for activity in priority["activities"]:
                if activity["key"] == "lokaal-informatie-overleg":
                    del activity["owner"]
                    activity["name"] = "LIO & <wijkaanpak>"

    def people(data: Any) -> None:
        for person in data["people"]:
            if person["key"] == "beleidsmedewerker":
                person["slack_id"] = ""

    edit_yaml(config / "programma.yaml", programme)
    edit_yaml(config / "people.yaml", people)
    return config


@pytest.fixture
def bot(db: Database, fake_slack: FakeSlack, tmp_path: Path) -> Iterator[RunningBot]:
    config = without_holders(copy_config(tmp_path / "config", team_leads=("teamleider",)))
    running, server = start_bot(
        db, fake_slack, FixedClock(ROUND - timedelta(days=1)), config_dir=config
    )
    yield running
    server.close()


def untracked_dms(bot: RunningBot) -> list[dict[str, Any]]:
    return [
        c.args
        for c in bot.fake.calls("chat.postMessage")
        if str(c.args.get("text", "")).startswith(UNTRACKED_TEXT)
    ]


def test_the_team_lead_hears_once_of_activities_nobody_is_reminded_of(bot: RunningBot) -> None:
    fixed = bot.clock
    assert isinstance(fixed, FixedClock)
    # Two clock processes by mistake, each running twice that day: still one DM.
    clocks = [Clock(bot.ctx, [plan_deliveries], grace=timedelta(hours=12)) for _ in range(2)]
    for clock in clocks:
        clock.scheduler.start(paused=True)
    try:
        for when in (ROUND, ROUND + timedelta(hours=3)):
            for clock in clocks:
                run_round(clock, fixed, when)
    finally:
        for clock in clocks:
            clock.shutdown()
    [dm] = untracked_dms(bot)
    assert dm["channel"] == LEAD
    text = dm["text"]
    assert text.startswith(f"{UNTRACKED_TEXT} 4 open activiteiten krijgen deze maand geen")
    assert "*LIO &amp; &lt;wijkaanpak&gt;* — geen actiehouder" in text
    for name in (
        "Aanpak middelgebruik jongeren",
        "Communicatiestrategie ondermijning ontwikkelen",
        "Bewustwordingsacties MKB en jongeren op digitaal gebied",
    ):
        assert f"*{name}* — actiehouder Beleidsmedewerker OOV heeft geen Slack-ID" in text, name
    assert "`oov-bot import`" in text
    assert "LIO &amp; &lt;wijkaanpak&gt;" in str(dm["blocks"])
    # The holders with a Slack ID got their own DM as before; nobody else got this one.
    reminded = {
        c.args["channel"]
        for c in bot.fake.calls("chat.postMessage")
        if str(c.args.get("text", "")).startswith("Uitvoeringsprogramma:")
    }
    assert reminded == {SLACK_IDS[k] for k in ("aov-1", "aov-2", "aov-3", "boa-coordinator")}


def test_nothing_is_planned_when_every_open_activity_has_a_reminded_holder(
    db: Database, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    config = copy_config(tmp_path / "config", team_leads=("teamleider",))
    bot, server = start_bot(db, fake_slack, FixedClock(ROUND), config_dir=config)
    try:
        planned = list(plan_deliveries(bot.ctx, ROUND - timedelta(hours=4), ROUND))
        assert planned and not [d for d in planned if d.kind == UNTRACKED_KIND]
    finally:
        server.close()


def test_an_activity_name_with_markup_is_escaped_in_the_notification_text(
    bot: RunningBot,
) -> None:
    """The `text` beside the blocks is read as mrkdwn as well: 'LIO & <wijkaanpak>' would lose
    '<wijkaanpak>' as a link there. Escaped in the card's, the shared card's and the answer
    to "geen wijziging"."""
    name = "LIO &amp; &lt;wijkaanpak&gt;"
    card = answer(bot.slack.command("/programma", "lokaal-informatie-overleg"))
    assert card["text"].startswith(f"{name}: niet gestart, deadline ")
    activities = ProgrammeStore(bot.ctx.db).activities()
    activity = next(a.id for a in activities if a.key == "lokaal-informatie-overleg")
    for button, expected in (
        (SHARE_BUTTON, f"{name}: niet gestart"),
        (f"{NO_CHANGE_BUTTON}:0", f"Genoteerd: geen wijziging voor *{name}*. Dank je!"),
    ):
        bot.fake.forget_calls()
        click = bot.slack.block_actions_payload(button, str(activity), user_id=SLACK_IDS["aov-1"])
        answer(bot.slack.interactivity(click))
        assert bot.fake.wait_for("response_url")[0].args["text"] == expected, button
