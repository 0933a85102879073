"""Who may see and do what, over the real HTTP path: signed Slack requests to oov-bot, the fake
Slack answering users.info the way Slack does for members, guests and Slack Connect users.

One table, role × action → allowed or refused; a refusal is the one Dutch sentence of the
access table (strangers: the one stranger line), nothing of the team leaks into it, and an
`actie:` message or 📌 of someone outside the team is ignored without a reply in the channel."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import Clock
from bot.core.access import HOME_STRANGER_TEXT, POLICY, STRANGER_REFUSAL, Action
from bot.core.programme import Status
from handlers.access import access_service
from handlers.actions.clock import DIGEST_KIND
from handlers.actions.clock import plan_deliveries as plan_actions
from handlers.blocks import CLOSE_ITEM_ACTION, REOPEN_ITEM_ACTION
from handlers.meetings.clock import plan_deliveries as plan_meetings
from handlers.meetings.clock import send_delivery
from handlers.meetings.wiring import meeting_service
from handlers.programma.blocks import SHARE_BUTTON, SHOW_BUTTON, UPDATE_BUTTON
from storage.actions import ActionItemView, ActionStore, NewActionItem
from storage.deliveries import RETRY, DeliveryStore
from storage.programme import ProgrammeStore
from storage.session import Database
from testkit.app import RunningBot, start_bot
from testkit.clock import FixedClock
from testkit.fake_slack import FakeSlack
from testkit.replies import answer, text_of
from testkit.team_config import SLACK_IDS, copy_config, edit_yaml

OTHER_ORG = "T0POLITIE"
BOA_CHANNEL = "C0BOA0001"
TEAM_CHANNEL = "C0TEAM001"
ITEM_TEXT = "belt de woningcorporatie over Dorpsstraat 12"


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
STRANGERS = (GUEST, CONNECT)


def access_config(target: Path) -> Path:
    config = copy_config(target, team_leads=("teamleider",))

    def grant(data: Any) -> None:
        data["access"]["readers"] = [READER.slack_id]

    def boa_by_id(data: Any) -> None:
        for series in data["meetings"]:
            if series["key"] == "boa-briefing":
                series["channel"] = BOA_CHANNEL

    edit_yaml(config / "people.yaml", grant)
    edit_yaml(config / "meetings.yaml", boa_by_id)
    return config


def add_item(bot: RunningBot, channel: str, n: int, **overrides: Any) -> ActionItemView:
    """An open item of the boa-briefing, owned by aov-2, written down by aov-3."""
    values: dict[str, Any] = {
        "channel": channel,
        "message_ts": f"1700003000.{n:06d}",
        "thread_ts": None,
        "source": "prefix",
        "text": f"<@{SLACK_IDS['aov-2']}> {ITEM_TEXT} ({channel})",
        "owner_slack_id": SLACK_IDS["aov-2"],
        "author_slack_id": SLACK_IDS["aov-3"],
        "due_on": date(2026, 12, 4),
        "due_kind": "date",
        "series_key": "boa-briefing",
    } | overrides
    return ActionStore(bot.ctx.db).capture(NewActionItem(**values), bot.clock()).item


@pytest.fixture
def team_bot(
    db: Database, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path
) -> Iterator[RunningBot]:
    fake_slack.add_user(READER.slack_id, "Afdelingshoofd")
    fake_slack.add_user(NON_MEMBER.slack_id, "Collega Burgerzaken")
    fake_slack.add_user(GUEST.slack_id, "Gast Eenkanaal", guest="single")
    fake_slack.add_user(CONNECT.slack_id, "Agent Politie", team_id=OTHER_ORG)
    team = [SLACK_IDS[k] for k in SLACK_IDS]
    # The guest and the police officer are in the boa-briefing channel; it does not help them.
    fake_slack.set_channel_members(BOA_CHANNEL, [*team, GUEST.slack_id, CONNECT.slack_id])
    fake_slack.set_channel_members(TEAM_CHANNEL, team)
    running, server = start_bot(db, fake_slack, clock, config_dir=access_config(tmp_path / "c"))
    add_item(running, BOA_CHANNEL, 1)
    yield running
    server.close()


Probe = Callable[[RunningBot, User], str]
ALLOWED = "✔ toegestaan"


def command(name: str, text: str = "") -> Probe:
    def probe(bot: RunningBot, user: User) -> str:
        body = answer(bot.slack.command(name, text, user_id=user.slack_id, team_id=user.team_id))
        return text_of(body) + body.get("text", "")

    return probe


def owner_button_offered(bot: RunningBot, user: User) -> str:
    """The owner-change button on the BIBOB card: offered, or (for who may not) absent."""
    body = answer(bot.slack.command("/wie", "bibob", user_id=user.slack_id, team_id=user.team_id))
    shown = text_of(body)
    if "task_change_owner" in shown:
        return ALLOWED
    if "BIBOB" in shown:  # the card, without the button: that is the refusal here
        assert "task_share" in shown
        return POLICY[Action.CHANGE_TASK_OWNER].refusal
    return shown  # not even the card


def close_item(bot: RunningBot, user: User) -> str:
    """The Afgerond button of the boa-briefing item, as /acties drew it."""
    item = ActionStore(bot.ctx.db).by_source(BOA_CHANNEL, "1700003000.000001")
    assert item is not None
    click = bot.slack.block_actions_payload(
        CLOSE_ITEM_ACTION, json.dumps({"id": item.id, "q": "open"}), user_id=user.slack_id
    )
    answer(bot.slack.interactivity(click))
    bot.fake.wait_for("response_url")
    after = ActionStore(bot.ctx.db).get(item.id)
    assert after is not None
    if after.status == "done":
        return ALLOWED
    return " ".join(str(c.args.get("text", "")) for c in bot.fake.calls("response_url"))


def captured(bot: RunningBot, ts: str, user: User) -> str:
    """Whether the message became an item; a refusal leaves no trace in the channel."""
    if ActionStore(bot.ctx.db).by_source(BOA_CHANNEL, ts) is not None:
        return ALLOWED
    assert not bot.fake.calls("chat.postMessage"), "a reply in the channel"
    assert not bot.fake.calls("chat.postEphemeral")
    return POLICY[Action.CAPTURE_ITEM].refusal if user not in STRANGERS else STRANGER_REFUSAL


def prefix_capture(bot: RunningBot, user: User) -> str:
    ts = "1700004000.000100"
    event = {"type": "message", "channel": BOA_CHANNEL, "user": user.slack_id, "ts": ts,
             "text": "actie: ik bel de wijkagent voor vrijdag"}  # fmt: skip
    if user.team_id != "T0TEST001":
        event["user_team"] = user.team_id  # how Slack marks a Slack Connect user's message
    assert bot.slack.event(event).status_code == 200
    return captured(bot, ts, user)


def pin_capture(bot: RunningBot, user: User) -> str:
    ts = "1700004001.000100"
    bot.fake.add_message(BOA_CHANNEL, "de wijkagent belt de school", user=MEMBER.slack_id, ts=ts)
    event = {"type": "reaction_added", "user": user.slack_id, "reaction": "pushpin",
             "item_user": MEMBER.slack_id, "event_ts": "1700009000.000100",
             "item": {"type": "message", "channel": BOA_CHANNEL, "ts": ts}}  # fmt: skip
    assert bot.slack.event(event).status_code == 200
    return captured(bot, ts, user)


def mine(call: Any, user: User) -> bool:
    return bool(call.args.get("user_id") == user.slack_id)


def home_tab(bot: RunningBot, user: User) -> str:
    event = {"type": "app_home_opened", "user": user.slack_id, "channel": "D0HOME001",
             "tab": "home"}  # fmt: skip
    assert bot.slack.event(event).status_code == 200
    deadline = time.monotonic() + 5
    while not (calls := [c for c in bot.fake.calls("views.publish") if mine(c, user)]):
        assert time.monotonic() < deadline, "no Home tab published"
        time.sleep(0.02)
    shown = json.dumps(calls[-1].args["view"]["blocks"], ensure_ascii=False)
    if "Jouw open actiepunten" in shown:
        return ALLOWED
    assert "Jouw open actiepunten" not in shown and "Boa-briefing" not in shown
    return (
        (POLICY[Action.VIEW_HOME].refusal + shown)
        if HOME_STRANGER_TEXT not in shown
        else (STRANGER_REFUSAL + shown)
    )


# action -> how a user tries it
PROBES: dict[str, Probe] = {
    "/wie": command("/wie", "bibob"),
    "/taken": command("/taken", "aov-2"),
    "/overleg": command("/overleg"),
    "eigenaar wijzigen": owner_button_offered,
    "/overleg annuleer": command("/overleg", "annuleer boa-briefing volgende dinsdag"),
    "/acties": command("/acties", "open"),
    "Afgerond": close_item,
    "actie: in het overleg": prefix_capture,
    "📌": pin_capture,
    "/piket": command("/piket", "volgende"),
    "App Home": home_tab,
}

REFUSALS = (STRANGER_REFUSAL, *(rule.refusal for rule in POLICY.values()))
Y, N = True, False
# user -> allowed? per probe, in PROBES' order
EXPECTED: dict[User, tuple[bool, ...]] = {
    #            wie taken overleg eigenaar annuleer acties afgerond actie: 📌 piket home
    MEMBER:     (Y,  Y,    Y,      N,       N,       Y,     N,       Y,     Y, Y,    Y),
    CHAIR:      (Y,  Y,    Y,      N,       Y,       Y,     Y,       Y,     Y, Y,    Y),
    LEAD:       (Y,  Y,    Y,      Y,       Y,       Y,     Y,       Y,     Y, Y,    Y),
    READER:     (Y,  Y,    Y,      N,       N,       N,     N,       N,     N, Y,    Y),
    NON_MEMBER: (N,  N,    N,      N,       N,       N,     N,       N,     N, N,    N),
    GUEST:      (N,  N,    N,      N,       N,       N,     N,       N,     N, N,    N),
    CONNECT:    (N,  N,    N,      N,       N,       N,     N,       N,     N, N,    N),
}  # fmt: skip


@pytest.mark.parametrize("user", USERS, ids=[u.name for u in USERS])
def test_who_may_do_what(team_bot: RunningBot, user: User) -> None:
    outcome = {}
    for label, probe in PROBES.items():
        team_bot.fake.forget_calls()  # each probe's calls on their own
        shown = probe(team_bot, user)
        refused = shown != ALLOWED and any(refusal in shown for refusal in REFUSALS)
        outcome[label] = not refused
        if user in STRANGERS:
            assert STRANGER_REFUSAL in shown, (label, shown)  # one line, whatever they ask
        if refused:
            # Only the refusal: nothing of the team (tasks, meetings, items) besides it.
            for secret in ("BIBOB", "Boa-briefing", ITEM_TEXT):
                assert secret not in shown, (label, shown)
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


def test_a_colleague_outside_the_team_reads_only_the_items_of_channels_they_are_in(
    team_bot: RunningBot,
) -> None:
    team_bot.fake.set_channel_members(BOA_CHANNEL, [NON_MEMBER.slack_id, GUEST.slack_id])
    add_item(team_bot, TEAM_CHANNEL, 2)  # the private team channel: NON_MEMBER is not in it
    shown = command("/acties", "open")(team_bot, NON_MEMBER)
    assert f"{ITEM_TEXT} ({BOA_CHANNEL})" in shown
    assert f"({TEAM_CHANNEL})" not in shown
    # A guest in the same channel still sees nothing: one line.
    assert command("/acties", "open")(team_bot, GUEST).count(STRANGER_REFUSAL) >= 1
    assert ITEM_TEXT not in command("/acties", "open")(team_bot, GUEST)
    # The team sees both.
    both = command("/acties", "open")(team_bot, MEMBER)
    assert f"({BOA_CHANNEL})" in both and f"({TEAM_CHANNEL})" in both


def test_channel_membership_is_looked_up_once_within_the_cache_window(
    team_bot: RunningBot,
) -> None:
    team_bot.fake.set_channel_members(BOA_CHANNEL, [NON_MEMBER.slack_id])
    for _ in range(3):
        command("/acties", "open")(team_bot, NON_MEMBER)
    assert len(team_bot.fake.calls("conversations.members")) == 1
    assert len(team_bot.fake.calls("users.info")) == 1


def test_a_programme_card_lists_only_the_action_items_the_asker_may_read(
    team_bot: RunningBot,
) -> None:
    """Readers may read the programme, not the action items: the card of an activity names
    the items linked to it only as far as `/acties` would show them to the asker."""
    boa_text = "belt mevrouw De Vries over de Bibob-toets #bibob-beleid"
    team_text = "vraagt het dossier van Dorpsstraat 12 op #bibob-beleid"
    add_item(team_bot, BOA_CHANNEL, 2, text=boa_text)
    add_item(team_bot, TEAM_CHANNEL, 3, text=team_text)
    team_bot.fake.set_channel_members(BOA_CHANNEL, [READER.slack_id, NON_MEMBER.slack_id])

    def card(user: User) -> str:
        return command("/programma", "bibob-beleid")(team_bot, user)

    # The team sees both items on the card.
    shown = card(MEMBER)
    assert "Bibob-beleid en implementatie" in shown
    assert "mevrouw De Vries" in shown and "Dorpsstraat 12" in shown
    # A reader sees the card, and only the item of the channel they are in.
    shown = card(READER)
    assert "Bibob-beleid en implementatie" in shown
    assert "mevrouw De Vries" in shown
    assert "Dorpsstraat 12" not in shown
    # Out of that channel, no item at all.
    team_bot.fake.set_channel_members(BOA_CHANNEL, [NON_MEMBER.slack_id])
    access_service(team_bot.ctx).invalidate()
    shown = card(READER)
    assert "Bibob-beleid en implementatie" in shown
    assert "mevrouw De Vries" not in shown and "Dorpsstraat 12" not in shown
    assert "Actiepunten" not in shown


@pytest.mark.parametrize("author", (*STRANGERS, NON_MEMBER), ids=lambda u: u.name)
def test_someone_outside_the_team_cannot_change_an_item_by_editing_their_message(
    team_bot: RunningBot, author: User
) -> None:
    """A team member pins a guest's (or police officer's) message in the meeting channel: the
    team's item. The author editing their message cannot hand it to someone else or rewrite it:
    their edits are ignored like their `actie:` messages; deleting it still cancels the item."""
    ts = "1700004002.000100"
    team_bot.fake.add_message(
        BOA_CHANNEL, "de school belt de wijkagent voor vrijdag", user=author.slack_id, ts=ts
    )
    pin = {"type": "reaction_added", "user": MEMBER.slack_id, "reaction": "pushpin",
           "item_user": author.slack_id, "event_ts": "1700009000.000200",
           "item": {"type": "message", "channel": BOA_CHANNEL, "ts": ts}}  # fmt: skip
    assert team_bot.slack.event(pin).status_code == 200
    team_bot.fake.wait_for("chat.postMessage")
    item = ActionStore(team_bot.ctx.db).by_source(BOA_CHANNEL, ts)
    assert item is not None and item.owner_slack_id == author.slack_id
    team_bot.fake.forget_calls()

    edited: dict[str, Any] = {
        "type": "message",
        "user": author.slack_id,
        "ts": ts,
        "text": f"<@{SLACK_IDS['aov-3']}> regelt het allemaal, morgen",
        "edited": {"user": author.slack_id, "ts": "1700009001.000100"},
    }
    if author.team_id != "T0TEST001":
        edited["user_team"] = author.team_id
    event = {"type": "message", "subtype": "message_changed", "channel": BOA_CHANNEL,
             "hidden": True, "ts": "1700009001.000100", "message": edited}  # fmt: skip
    assert team_bot.slack.event(event).status_code == 200
    command("/acties", "open")(team_bot, MEMBER)  # a request after the event: its follow-up ran
    after = ActionStore(team_bot.ctx.db).get(item.id)
    assert after is not None
    assert (after.status, after.text, after.owner_slack_id, after.due_on) == (
        "open",
        item.text,
        item.owner_slack_id,
        item.due_on,
    )
    assert not team_bot.fake.calls("chat.update") and not team_bot.fake.calls("chat.postMessage")

    deleted = {"type": "message", "subtype": "message_deleted", "channel": BOA_CHANNEL,
               "hidden": True, "deleted_ts": ts, "ts": "1700009002.000100"}  # fmt: skip
    assert team_bot.slack.event(deleted).status_code == 200
    assert "is vervallen" in team_bot.fake.wait_for("chat.update")[0].args["text"]


def test_a_shared_programme_card_takes_along_only_the_items_of_the_channel_it_is_shared_in(
    team_bot: RunningBot,
) -> None:
    """A member shares an activity's card in a channel: everyone there reads it, also
    colleagues who may not read the team's action items and guests. The card takes along only
    the items agreed in that channel, which they could read there already."""
    boa_text = "belt mevrouw De Vries over de Bibob-toets #bibob-beleid"
    team_text = "vraagt het dossier van Dorpsstraat 12 op #bibob-beleid"
    add_item(team_bot, BOA_CHANNEL, 2, text=boa_text)
    add_item(team_bot, TEAM_CHANNEL, 3, text=team_text)
    activity = next(
        a.id for a in ProgrammeStore(team_bot.ctx.db).activities() if a.key == "bibob-beleid"
    )

    def share_in(channel: str) -> str:
        team_bot.fake.forget_calls()
        click = team_bot.slack.block_actions_payload(
            SHARE_BUTTON, str(activity), user_id=MEMBER.slack_id, channel_id=channel
        )
        answer(team_bot.slack.interactivity(click))
        [shared] = team_bot.fake.wait_for("response_url")
        assert shared.args["response_type"] == "in_channel"
        return json.dumps(shared.args, ensure_ascii=False)

    general = share_in("C0GENERAL")
    assert "Bibob-beleid en implementatie" in general
    assert "mevrouw De Vries" not in general and "Dorpsstraat 12" not in general
    boa = share_in(BOA_CHANNEL)
    assert "mevrouw De Vries" in boa and "Dorpsstraat 12" not in boa


NOTE_TEXT = "Gesprek gehad met mevrouw Jansen over haar pand aan de Kerkstraat"


@pytest.mark.parametrize("outsider", STRANGERS, ids=lambda u: u.name)
def test_a_programme_card_shared_where_outsiders_read_along_leaves_out_the_notes(
    team_bot: RunningBot, outsider: User
) -> None:
    """An update's note may name a resident or a case. Shared in the team's own channel the
    card shows it; in a channel where a guest or a police officer (Slack Connect) reads along,
    or whose members Slack cannot tell, the card goes out with status and deadline but without
    the notes, says so, and the sharer hears it in an answer only they see."""
    team = [SLACK_IDS[k] for k in SLACK_IDS]
    programme = ProgrammeStore(team_bot.ctx.db)
    activity = next(a.id for a in programme.activities() if a.key == "bibob-beleid")
    programme.record(
        activity,
        kind="status",
        by=MEMBER.slack_id,
        now=team_bot.clock(),
        status=Status.VERTRAAGD,
        note=NOTE_TEXT,
    )

    def share_in(channel: str, answers: int) -> tuple[str, list[dict[str, Any]]]:
        access_service(team_bot.ctx).invalidate()
        team_bot.fake.forget_calls()
        click = team_bot.slack.block_actions_payload(
            SHARE_BUTTON, str(activity), user_id=MEMBER.slack_id, channel_id=channel
        )
        answer(team_bot.slack.interactivity(click))
        shared, *private = (c.args for c in team_bot.fake.wait_for("response_url", answers))
        assert shared["response_type"] == "in_channel"
        return json.dumps(shared, ensure_ascii=False), private

    shown, private = share_in(TEAM_CHANNEL, 1)
    assert NOTE_TEXT in shown and "→ *vertraagd*" in shown and "🔒" not in shown
    time.sleep(0.3)  # an answer to the sharer would follow the shared card
    assert len(team_bot.fake.calls("response_url")) == 1

    team_bot.fake.set_channel_members(BOA_CHANNEL, [*team, outsider.slack_id])
    for channel in (BOA_CHANNEL, "C0UNKNOWN"):  # Slack cannot say who reads the second one
        shown, private = share_in(channel, 2)
        assert "mevrouw Jansen" not in shown and "Kerkstraat" not in shown, channel
        assert "→ *vertraagd*" in shown and "Bibob-beleid en implementatie" in shown
        assert "toelichtingen bij de updates staan niet in dit bericht" in shown
        assert "`/programma bibob-beleid`" in shown
        [told] = private
        assert told["response_type"] == "ephemeral" and told["replace_original"] is False
        assert told["text"].startswith("Gedeeld, maar zonder de toelichtingen")


def test_an_actie_message_arriving_while_slack_cannot_say_who_wrote_it_is_not_lost(
    team_bot: RunningBot,
) -> None:
    """A member writes `actie:` while Slack cannot answer users.info. Not knowing who wrote it,
    the bot captures nothing (fail closed), but answers so that Slack delivers the event again,
    and then the item is there, confirmed once."""
    team_bot.fake.fail_next("users.info", body={"ok": False, "error": "fatal_error"}, times=3)
    ts = "1700004003.000100"
    event = {"type": "message", "channel": BOA_CHANNEL, "user": MEMBER.slack_id, "ts": ts,
             "text": "actie: ik bel de wijkagent voor vrijdag"}  # fmt: skip
    delivered = team_bot.slack.event(event, event_id="Ev0OUTAGE01")
    assert ActionStore(team_bot.ctx.db).by_source(BOA_CHANNEL, ts) is None
    retries = 0
    while delivered.status_code != 200 and retries < 3:  # Slack retries three times
        retries += 1
        delivered = team_bot.slack.event(
            event, event_id="Ev0OUTAGE01", retry_num=retries, retry_reason="http_error"
        )
    assert delivered.status_code == 200
    assert ActionStore(team_bot.ctx.db).by_source(BOA_CHANNEL, ts) is not None
    [confirmation] = team_bot.fake.wait_for("chat.postMessage")
    assert "vastgelegd" in confirmation.args["text"]


def test_the_weekly_overdue_dm_tells_an_owner_outside_the_team_only_what_they_may_read(
    team_bot: RunningBot,
) -> None:
    """A member wrote `actie: @gast …` or `actie: @collega-buiten-het-team …` in the private
    team channel, which neither is in. The weekly DM of overdue items must not carry those
    items to them: a guest gets no DM, a colleague outside the team only the items of the
    channels they are in; a team member all of theirs."""
    team_bot.clock.current += timedelta(days=7)  # Monday 30 November, 09:00
    overdue = date(2026, 11, 20)
    team_bot.fake.set_channel_members(BOA_CHANNEL, [NON_MEMBER.slack_id, GUEST.slack_id])
    for n, (channel, owner) in enumerate(
        (
            (TEAM_CHANNEL, GUEST),
            (TEAM_CHANNEL, NON_MEMBER),
            (BOA_CHANNEL, NON_MEMBER),
            (TEAM_CHANNEL, MEMBER),
        ),
        start=10,
    ):
        add_item(team_bot, channel, n, owner_slack_id=owner.slack_id, due_on=overdue)
    start = team_bot.clock() - timedelta(hours=1)
    planned = [
        d
        for d in plan_actions(team_bot.ctx, start, start + timedelta(hours=2))
        if d.kind == DIGEST_KIND
    ]
    clock = Clock(team_bot.ctx, [plan_actions], grace=timedelta(hours=2))
    team_bot.fake.forget_calls()
    for delivery in planned:
        clock.deliver(delivery)
    dms = {c.args["channel"]: json.dumps(c.args) for c in team_bot.fake.calls("chat.postMessage")}
    assert GUEST.slack_id not in dms
    assert f"({BOA_CHANNEL})" in dms[NON_MEMBER.slack_id]
    assert f"({TEAM_CHANNEL})" not in dms[NON_MEMBER.slack_id]
    assert f"({TEAM_CHANNEL})" in dms[MEMBER.slack_id]


@pytest.mark.parametrize("picked", STRANGERS, ids=lambda u: u.name)
def test_a_guest_or_another_organisations_user_cannot_be_made_owner_of_a_task(
    team_bot: RunningBot, picked: User
) -> None:
    """The owner modal's user picker lists everyone Slack shows, guests and Slack Connect users
    too. Picked as owner, they would be told about the team's task in a DM and be listed in the
    register; the modal says why not, under the field, and nothing changes."""
    task = next(t for t in team_bot.ctx.team.tasks() if t.subject == "BIBOB")
    team_bot.fake.forget_calls()
    submit = team_bot.slack.view_submission_payload(
        "task_owner_modal",
        {"owner": {"person": {"type": "users_select", "selected_user": picked.slack_id}}},
        private_metadata=json.dumps({"task_id": task.id}),
        user_id=LEAD.slack_id,
    )
    body = answer(team_bot.slack.interactivity(submit))
    assert body.get("response_action") == "errors", body
    assert "gast of van een andere organisatie" in body["errors"]["owner"]
    after = next(t for t in team_bot.ctx.team.tasks() if t.id == task.id)
    assert after.owner == task.owner
    assert team_bot.ctx.team.person_by_slack_id(picked.slack_id) is None
    command("/acties", "open")(team_bot, MEMBER)  # a request after the submission
    assert not [c for c in team_bot.fake.calls("chat.postMessage")]


def test_only_the_team_lead_brings_a_new_colleague_into_the_team_through_the_owner_modal(
    team_bot: RunningBot,
) -> None:
    """aov-2, BIBOB's deputy, may change its owner; picking a colleague who is not in the team
    made them a team member (with all a member may read) on aov-2's word alone."""
    task = next(t for t in team_bot.ctx.team.tasks() if t.subject == "BIBOB")
    deputy = SLACK_IDS["aov-2"]
    assert task.deputy is not None and task.deputy.slack_id == deputy

    def pick(user_id: str) -> dict[str, Any]:
        submit = team_bot.slack.view_submission_payload(
            "task_owner_modal",
            {
                "owner": {"person": {"type": "users_select", "selected_user": NON_MEMBER.slack_id}},
                "deputy": {"person": {"type": "users_select", "selected_user": deputy}},
            },
            private_metadata=json.dumps({"task_id": task.id}),
            user_id=user_id,
        )
        return answer(team_bot.slack.interactivity(submit))

    refused = pick(deputy)
    assert refused.get("response_action") == "errors", refused
    assert refused["errors"]["owner"] == POLICY[Action.ADD_TO_TEAM].refusal
    assert team_bot.ctx.team.person_by_slack_id(NON_MEMBER.slack_id) is None
    assert next(t for t in team_bot.ctx.team.tasks() if t.id == task.id).owner == task.owner
    assert pick(LEAD.slack_id) == {}  # the team lead may: saved, the modal closes
    added = team_bot.ctx.team.person_by_slack_id(NON_MEMBER.slack_id)
    assert added is not None
    assert next(t for t in team_bot.ctx.team.tasks() if t.id == task.id).owner == added


def test_a_readers_home_tab_lists_only_their_items_of_channels_they_are_in(
    team_bot: RunningBot,
) -> None:
    """A member names the afdelingshoofd (a reader) as owner in the private team channel,
    which the reader is not in. Readers may read the team's overviews, not its action items:
    their Home tab lists the items they own only as far as `/acties` would show them."""
    add_item(team_bot, TEAM_CHANNEL, 20, owner_slack_id=READER.slack_id, text="bel Dorpsstraat 12")
    add_item(team_bot, BOA_CHANNEL, 21, owner_slack_id=READER.slack_id, text="bel de school")
    team_bot.fake.set_channel_members(BOA_CHANNEL, [READER.slack_id])
    event = {"type": "app_home_opened", "user": READER.slack_id, "channel": "D0HOME001",
             "tab": "home"}  # fmt: skip
    assert team_bot.slack.event(event).status_code == 200
    [published] = team_bot.fake.wait_for("views.publish")
    shown = json.dumps(published.args["view"]["blocks"], ensure_ascii=False)
    assert "bel de school" in shown
    assert "Dorpsstraat 12" not in shown


def offered_buttons(shown: str) -> int:
    return shown.count(CLOSE_ITEM_ACTION) + shown.count(REOPEN_ITEM_ACTION)


def test_acties_offers_afgerond_only_to_who_may_close_the_item(team_bot: RunningBot) -> None:
    """`/acties` is an answer to one person: an item's Afgerond (or Heropenen) button is offered
    only when that person may use it, rather than shown to all and refused on the click."""
    owner = User("eigenaar", SLACK_IDS["aov-2"])
    team_bot.fake.set_channel_members(BOA_CHANNEL, [NON_MEMBER.slack_id])
    for user, offered in ((MEMBER, 0), (READER, None), (CHAIR, 1), (LEAD, 1), (owner, 1)):
        shown = command("/acties", "open")(team_bot, user)
        if offered is None:  # a reader does not read action items at all
            assert ITEM_TEXT not in shown
            continue
        assert ITEM_TEXT in shown, user
        assert offered_buttons(shown) == offered, user
    # A colleague outside the team reads the items of their channel, and closes none of them.
    shown = command("/acties", "open")(team_bot, NON_MEMBER)
    assert ITEM_TEXT in shown and offered_buttons(shown) == 0
    # Closed by the chair: the member's list of closed items offers no Heropenen either.
    close_item(team_bot, CHAIR)
    shown = command("/acties", "afgerond")(team_bot, MEMBER)
    assert ITEM_TEXT in shown and offered_buttons(shown) == 0
    assert offered_buttons(command("/acties", "afgerond")(team_bot, CHAIR)) == 1


def test_an_activity_card_offers_bijwerken_only_to_who_may_update_it(team_bot: RunningBot) -> None:
    """The `/programma` card (and the card a Toon button shows) is an answer to one person: its
    Bijwerken button is offered to the action holder and the team lead, not to a reader or
    another team member, who would only be refused once they clicked it."""
    activity = next(
        a.id for a in ProgrammeStore(team_bot.ctx.db).activities() if a.key == "bibob-beleid"
    )
    for user, offered in ((MEMBER, True), (LEAD, True), (CHAIR, False), (READER, False)):
        shown = command("/programma", "bibob-beleid")(team_bot, user)
        assert "Bibob-beleid en implementatie" in shown and SHARE_BUTTON in shown, user
        assert (UPDATE_BUTTON in shown) is offered, user
        team_bot.fake.forget_calls()
        click = team_bot.slack.block_actions_payload(
            SHOW_BUTTON, str(activity), user_id=user.slack_id
        )
        answer(team_bot.slack.interactivity(click))
        [card] = team_bot.fake.wait_for("response_url")
        assert (UPDATE_BUTTON in json.dumps(card.args)) is offered, user


def test_acties_names_no_colleague_or_meeting_to_a_colleague_who_reads_only_their_channels(
    team_bot: RunningBot,
) -> None:
    """A colleague outside the team, in the boa-briefing channel, reads that channel's items,
    but may not read the team's register or meetings (`/wie`, `/overleg` refuse them). Their
    `/acties` answers and errors must not turn a person key into a colleague's name, nor name a
    meeting of a channel they are not in; by @mention and by their own channel's meeting it
    works as for anyone."""
    team_bot.fake.set_channel_members(BOA_CHANNEL, [NON_MEMBER.slack_id, READER.slack_id])
    add_item(team_bot, TEAM_CHANNEL, 2)
    name = next(p.name for p in team_bot.ctx.team.people() if p.key == "aov-2")
    team_name = "Teamoverleg Veiligheid"  # the series meets in #teamoverleg
    for text in ("aov-2", "aov-2 xyzzy", "aov-2 teamoverleg", "teamoverleg", "teamoverleg mijn"):
        shown = command("/acties", text)(team_bot, NON_MEMBER)
        assert name not in shown and team_name not in shown, (text, shown)
        assert ITEM_TEXT not in shown
    shown = command("/acties", "aov-2")(team_bot, NON_MEMBER)
    assert "@vermelding" in shown
    by_mention = command("/acties", f"<@{SLACK_IDS['aov-2']}|aov2>")(team_bot, NON_MEMBER)
    assert f"{ITEM_TEXT} ({BOA_CHANNEL})" in by_mention and f"({TEAM_CHANNEL})" not in by_mention
    assert name not in by_mention
    own_meeting = command("/acties", "boa-briefing")(team_bot, NON_MEMBER)
    assert f"{ITEM_TEXT} ({BOA_CHANNEL})" in own_meeting
    # A reader may read the register and the meetings: names are no secret to them.
    shown = command("/acties", "aov-2")(team_bot, READER)
    assert name in shown and f"{ITEM_TEXT} ({BOA_CHANNEL})" in shown
    assert f"({TEAM_CHANNEL})" not in shown


@pytest.mark.parametrize("user", STRANGERS, ids=lambda u: u.name)
def test_a_stranger_clicking_afgerond_learns_not_which_items_exist(
    team_bot: RunningBot, user: User
) -> None:
    """A guest or another organisation's user gets the one stranger line for an item that
    exists and for one that does not ('Actiepunt #… bestaat niet meer' told them which ids
    the team uses)."""
    for item_id in (1, 999_999):
        team_bot.fake.forget_calls()
        click = team_bot.slack.block_actions_payload(
            CLOSE_ITEM_ACTION, json.dumps({"id": item_id, "q": "open"}), user_id=user.slack_id
        )
        answer(team_bot.slack.interactivity(click))
        [told] = team_bot.fake.wait_for("response_url")
        assert told.args["text"] == STRANGER_REFUSAL, item_id


def boa_reminder(bot: RunningBot) -> str:
    """The boa-briefing's reminder of the working day before Tuesday 24 November, as posted."""
    bot.clock.current = bot.clock.current.replace(hour=14, minute=59)  # 15:59 local
    planned = [
        d
        for d in plan_meetings(bot.ctx, bot.clock(), bot.clock() + timedelta(hours=1))
        if d.key == "meeting:boa-briefing:2026-11-24:remind-1"
    ]
    bot.clock.current += timedelta(minutes=1)
    bot.fake.forget_calls()
    # Posted once per key: an earlier post of this test is made a retry, so it is posted again.
    DeliveryStore(bot.ctx.db).finish(planned[0].key, status=RETRY, now=bot.clock())
    assert Clock(bot.ctx, [], grace=timedelta(hours=1)).deliver(planned[0]) == "sent"
    [post] = bot.fake.wait_for("chat.postMessage")
    assert post.args["channel"] == BOA_CHANNEL
    return json.dumps(post.args, ensure_ascii=False)


def test_a_reminder_lists_open_items_only_where_everyone_may_read_them(
    team_bot: RunningBot,
) -> None:
    """The reminder in the boa-briefing channel lists the series' open items with their text.
    With a guest or a police officer (Slack Connect) in that channel, the texts would reach
    them: the reminder then says only how many there are and where the team finds them. An
    item of the series agreed in another channel is never listed there."""
    team = [SLACK_IDS[k] for k in SLACK_IDS]
    add_item(team_bot, TEAM_CHANNEL, 2, text="vraagt het dossier van Kerkstraat 3 op")
    team_bot.fake.set_channel_members(BOA_CHANNEL, team)
    shown = boa_reminder(team_bot)
    assert ITEM_TEXT in shown and "Kerkstraat 3" not in shown
    assert "1 open actiepunt staat niet in dit bericht" in shown

    for outsider in STRANGERS:
        team_bot.fake.set_channel_members(BOA_CHANNEL, [*team, outsider.slack_id])
        access_service(team_bot.ctx).invalidate()
        shown = boa_reminder(team_bot)
        assert ITEM_TEXT not in shown and "Kerkstraat 3" not in shown, outsider
        assert "2 open actiepunten staan niet in dit bericht" in shown
        assert "`/acties boa-briefing`" in shown

    # Slack cannot say who is in the channel: the texts stay out (fail closed).
    team_bot.fake.set_channel_members(BOA_CHANNEL, team)
    access_service(team_bot.ctx).invalidate()
    failure = {"ok": False, "error": "fatal_error"}
    team_bot.fake.fail_next("conversations.members", body=failure, times=5)
    shown = boa_reminder(team_bot)
    assert ITEM_TEXT not in shown and "niet in dit bericht" in shown


@pytest.mark.parametrize("configured", ("C0TVO0001", "#tvo"))
def test_a_reminder_takes_no_programme_progress_into_a_channel_with_outsiders(
    db: Database, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path, configured: str
) -> None:
    """The TVO's reminder carries the progress of its programme activities, notes included.
    With a guest in the TVO channel it says only that more is to be found elsewhere. A channel
    configured by name is known by the ID Slack gave the series' latest reminder."""
    config = access_config(tmp_path / "c")

    def tvo_channel(data: Any) -> None:
        for series in data["meetings"]:
            if series["key"] == "tvo":
                series["channel"] = configured

    edit_yaml(config / "meetings.yaml", tvo_channel)
    fake_slack.add_user(GUEST.slack_id, "Gast Eenkanaal", guest="single")
    team = [SLACK_IDS[k] for k in SLACK_IDS]
    bot, server = start_bot(db, fake_slack, clock, config_dir=config)
    try:
        if configured.startswith("#"):  # an earlier reminder, which Slack answered with the ID
            earlier = "meeting:tvo:2026-10-01:remind-1"
            deliveries = DeliveryStore(bot.ctx.db)
            deliveries.claim(earlier, "meeting", clock(), status="claimed", by="t", now=clock())
            deliveries.finish(earlier, status="sent", now=clock(), channel="C0TVO0001", ts="1.2")
        service = meeting_service(bot.ctx)
        due = next(
            d
            for d in service.due(clock(), clock() + timedelta(days=60))
            if d.key.startswith("meeting:tvo:") and d.key.endswith(":remind-1")
        )
        bot.clock.current = due.due_at

        def posted(members: list[str]) -> str:
            bot.fake.set_channel_members("C0TVO0001", members)
            access_service(bot.ctx).invalidate()
            bot.fake.forget_calls()
            send_delivery(bot.ctx, service, due.key)
            [post] = bot.fake.wait_for("chat.postMessage")
            return json.dumps(post.args, ensure_ascii=False)

        shown = posted(team)
        assert "Uitvoeringsprogramma (" in shown and "Samenwerking netwerkpartners" in shown
        shown = posted([*team, GUEST.slack_id])
        assert "Uitvoeringsprogramma (" not in shown and "Samenwerking netwerkpartners" not in shown
        assert "gasten of leden van een andere organisatie" in shown
    finally:
        server.close()
