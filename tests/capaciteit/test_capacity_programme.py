"""Programme activities with estimated hours count in /capaciteit, spread from the programme's
start to their deadline, for their action holder, until they are afgerond or geschrapt; a change
made elsewhere (another process) shows at the next request."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.core.programme import Status
from storage.programme import ProgrammeStore
from storage.session import Database
from testkit.app import RunningBot, start_bot
from testkit.clock import FixedClock
from testkit.fake_slack import FakeSlack
from testkit.replies import answer, text_of
from testkit.team_config import SLACK_IDS, copy_config, edit_yaml

NOW = datetime(2024, 6, 3, 8, 0, tzinfo=UTC)  # inside the bundled programme's 2024-2025 period
ACTIVITY = "bestuurlijke-samenwerking-zorg-veiligheid"  # action holder aov-1 in the bundled file
HOURS = 208


def _estimate(data: Any) -> None:
    for priority in data["priorities"]:
        for activity in priority["activities"]:
            if activity["key"] == ACTIVITY:
                activity["hours"] = HOURS


@pytest.fixture
def bot(db: Database, fake_slack: FakeSlack, tmp_path: Path) -> Iterator[RunningBot]:
    config = copy_config(tmp_path / "config")
    edit_yaml(config / "programma.yaml", _estimate)
    running, server = start_bot(db, fake_slack, FixedClock(NOW), config_dir=config)
    yield running
    server.close()


def demand_of(bot: RunningBot, key: str) -> tuple[float, str]:
    body = answer(
        bot.slack.command("/capaciteit", f"<@{SLACK_IDS[key]}|{key}>", user_id=SLACK_IDS["aov-1"])
    )
    text = text_of(body)
    [figure] = re.findall(r"\*Vraag\* ([0-9.,]+) u/week", text)
    return float(figure.replace(".", "").replace(",", ".")), text


def test_an_estimated_activity_counts_for_its_holder_until_it_is_finished(bot: RunningBot) -> None:
    store = ProgrammeStore(bot.ctx.db)
    view = next(a for a in store.activities() if a.key == ACTIVITY)
    start = date(2024, 1, 1)  # period.start of the bundled programme
    weekly = HOURS / (((view.deadline - start).days + 1) / 7)

    with_activity, text = demand_of(bot, "aov-1")
    assert view.name in text
    assert f"{HOURS} uur over" in text
    # The hand-computed task, meeting and piket hours of aov-1 (3.74) plus the activity's share.
    assert with_activity == pytest.approx(3.74 + weekly, abs=0.011)

    # Finished elsewhere (e.g. in another web process): the next answer no longer counts it.
    store.record(view.id, kind="status", by=SLACK_IDS["aov-1"], now=NOW, status=Status.AFGEROND)
    without, text = demand_of(bot, "aov-1")
    assert without == pytest.approx(3.74, abs=0.011)
    assert view.name not in text


def test_an_activity_counts_through_its_last_dutch_day_and_not_after_midnight(
    bot: RunningBot,
) -> None:
    """The model's "today" is the Dutch date: half an hour after midnight in Amsterdam it is
    still the previous day in UTC, and the activity whose deadline was that day is over."""
    view = next(a for a in ProgrammeStore(bot.ctx.db).activities() if a.key == ACTIVITY)
    amsterdam = ZoneInfo("Europe/Amsterdam")
    last_evening = datetime.combine(view.deadline, time(23, 30), amsterdam)
    bot.clock.advance(last_evening - bot.clock())
    assert view.name in demand_of(bot, "aov-1")[1]
    bot.clock.advance(timedelta(hours=1))  # 00:30 in Amsterdam, 23:30 the day before in UTC
    assert bot.clock().astimezone(UTC).date() == view.deadline
    assert view.name not in demand_of(bot, "aov-1")[1]
