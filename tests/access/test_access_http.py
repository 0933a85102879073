"""Who may see and do what, over the real HTTP path: signed Slack requests to oov-bot, the fake
Slack answering users.info the way Slack does for members, guests and Slack Connect users.

One table, role × action → allowed or refused; a refusal is the one Dutch sentence of the
access table (strangers: the one stranger line), and nothing of the team leaks into it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.core.access import POLICY, STRANGER_REFUSAL, Action
from storage.session import Database
from testkit.app import RunningBot, start_bot
from testkit.clock import FixedClock
from testkit.fake_slack import FakeSlack
from testkit.replies import answer, text_of
from testkit.team_config import copy_config, edit_yaml

OTHER_ORG = "T0POLITIE"


@dataclass(frozen=True)
class User:
    name: str
    slack_id: str
    team_id: str = "T0TEST001"


MEMBER = User("teamlid", "U0AOV0001")  # aov-1: in the team, chairs no boa-briefing
CHAIR = User("voorzitter", "U0BOA0001")  # boa-coordinator chairs the boa-briefing
LEAD = User("teamleider", "U0TL00001")
READER = User("meelezer", "U0READER1")
NON_MEMBER = User("collega buiten het team", "U0NOBODY1")
GUEST = User("gast (één kanaal)", "U0GUEST01")
CONNECT = User("Slack Connect (andere organisatie)", "U0EXTERN1", OTHER_ORG)
USERS = (MEMBER, CHAIR, LEAD, READER, NON_MEMBER, GUEST, CONNECT)


def access_config(target: Path) -> Path:
    config = copy_config(target, team_leads=("teamleider",))

    def grant(data: Any) -> None:
        data["access"]["readers"] = [READER.slack_id]

    edit_yaml(config / "people.yaml", grant)
    return config


@pytest.fixture
def team_bot(
    db: Database, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path
) -> Iterator[RunningBot]:
    fake_slack.add_user(READER.slack_id, "Afdelingshoofd")
    fake_slack.add_user(NON_MEMBER.slack_id, "Collega Burgerzaken")
    fake_slack.add_user(GUEST.slack_id, "Gast Eenkanaal", guest="single")
    fake_slack.add_user(CONNECT.slack_id, "Agent Politie", team_id=OTHER_ORG)
    running, server = start_bot(db, fake_slack, clock, config_dir=access_config(tmp_path / "c"))
    yield running
    server.close()


Probe = Callable[[RunningBot, User], str]


def command(name: str, text: str = "") -> Probe:
    def probe(bot: RunningBot, user: User) -> str:
        body = answer(
            bot.slack.command(name, text, user_id=user.slack_id, team_id=user.team_id)
        )
        return text_of(body) + body.get("text", "")

    return probe


def owner_button_offered(bot: RunningBot, user: User) -> str:
    """The owner-change button on the BIBOB card: offered, or (for who may not) absent."""
    body = answer(bot.slack.command("/wie", "bibob", user_id=user.slack_id, team_id=user.team_id))
    shown = text_of(body)
    if "task_change_owner" in shown:
        return "offered"
    if "BIBOB" in shown:  # the card, without the button: that is the refusal here
        assert "task_share" in shown
        return POLICY[Action.CHANGE_TASK_OWNER].refusal
    return shown  # not even the card


# action -> how a user tries it, and what a refusal of it says
PROBES: dict[str, tuple[Action, Probe]] = {
    "/wie": (Action.READ_REGISTER, command("/wie", "bibob")),
    "/taken": (Action.READ_REGISTER, command("/taken", "aov-2")),
    "/overleg": (Action.READ_MEETINGS, command("/overleg")),
    "eigenaar wijzigen": (Action.CHANGE_TASK_OWNER, owner_button_offered),
    "/overleg annuleer": (
        Action.CHANGE_MEETING,
        command("/overleg", "annuleer boa-briefing volgende dinsdag"),
    ),
}

REFUSALS = (STRANGER_REFUSAL, *(rule.refusal for rule in POLICY.values()))
Y, N = True, False
# user -> allowed? per probe, in PROBES' order
EXPECTED: dict[User, tuple[bool, ...]] = {
    MEMBER: (Y, Y, Y, N, N),
    CHAIR: (Y, Y, Y, N, Y),
    LEAD: (Y, Y, Y, Y, Y),
    READER: (Y, Y, Y, N, N),
    NON_MEMBER: (N, N, N, N, N),
    GUEST: (N, N, N, N, N),
    CONNECT: (N, N, N, N, N),
}


@pytest.mark.parametrize("user", USERS, ids=[u.name for u in USERS])
def test_who_may_do_what(team_bot: RunningBot, user: User) -> None:
    outcome = {}
    for label, (_, probe) in PROBES.items():
        shown = probe(team_bot, user)
        refused = any(refusal in shown for refusal in REFUSALS)
        outcome[label] = not refused
        if user in (GUEST, CONNECT):
            assert STRANGER_REFUSAL in shown, (label, shown)  # one line, whatever they ask
        if refused:
            # Only the refusal: nothing of the team (names, tasks) besides it.
            assert "BIBOB" not in shown and "Boa-briefing" not in shown, (label, shown)
    assert outcome == dict(zip(PROBES, EXPECTED[user], strict=True))


def test_a_refusal_changes_nothing_and_is_logged_without_the_text(
    team_bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("INFO", logger="bot.services.access"):
        command("/overleg", "annuleer boa-briefing volgende dinsdag")(team_bot, MEMBER)
    assert not team_bot.fake.calls("chat.postMessage")  # nothing announced
    [line] = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert line.startswith("access refused: change_meeting for U0AOV0001")
    assert "boa" not in line and "dinsdag" not in line


def test_a_slack_lookup_failure_fails_closed(team_bot: RunningBot) -> None:
    team_bot.fake.fail_next("users.info", body={"ok": False, "error": "fatal_error"}, times=3)
    shown = command("/wie", "bibob")(team_bot, NON_MEMBER)
    assert STRANGER_REFUSAL in shown


def test_the_actor_is_looked_up_once_within_the_cache_window(team_bot: RunningBot) -> None:
    for _ in range(3):
        command("/wie", "bibob")(team_bot, MEMBER)
    assert len([c for c in team_bot.fake.calls("users.info") if c.args["user"] == "U0AOV0001"]) == 1
    assert len(team_bot.fake.calls("auth.test")) <= 2  # the bot's start-up check, and ours
