"""The actions and Home services called directly: no Slack, no HTTP, a fixed `now`, a real
database (SQLite and PostgreSQL). Slack comes in only as the small functions and the Messenger
the adapters would supply, here fakes that record what they were asked."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.features import import_config, load_config
from bot.services.actions import (
    PAGE_SIZE,
    ActionMeetings,
    ActionsError,
    ActionService,
    ModalSource,
    NotSent,
    PostedMessage,
)
from bot.services.errors import DomainError
from bot.services.home import HomeService
from bot.settings import Settings
from storage.actions import ActionStore
from storage.deliveries import DeliveryStore
from storage.meetings import MeetingStore
from storage.piket import PiketStore
from storage.session import Database
from storage.team import TeamStore
from testkit.access import acting, by, reader
from testkit.clock import FIXED_NOW  # Monday 23 November 2026, 09:00 in Amsterdam
from testkit.team_config import SLACK_IDS, copy_config, edit_yaml

ANNA = SLACK_IDS["aov-1"]
BERT = SLACK_IDS["aov-2"]
BOA_CHANNEL = "C0BOA0001"  # configured by ID
TEAM_CHANNEL = "C0TO00001"  # configured as "#teamoverleg"
OTHER_CHANNEL = "C0RANDOM1"
NOW = FIXED_NOW
TZ = Settings().tz


class ChannelNames:
    def __init__(self, names: dict[str, str] | None = None) -> None:
        self.names = names or {}
        self.asked: list[str] = []

    def __call__(self, channel: str) -> str | None:
        self.asked.append(channel)
        return self.names.get(channel)


class Messenger:
    """Records the confirmation's Slack side; `fail_posts` makes posts fail with that code."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.updates: list[tuple[str, str, str]] = []
        self.dms: list[tuple[str, str]] = []
        self.fail_posts: str | None = None
        self.serial = 0

    def permalink(self, channel: str, ts: str) -> str:
        return f"https://slack.test/{channel}/{ts}"

    def post(self, channel: str, text: str, *, thread_ts: str | None, what: str) -> str | None:
        if self.fail_posts:
            raise NotSent(self.fail_posts)
        self.serial += 1
        self.posts.append({"channel": channel, "text": text, "thread_ts": thread_ts})
        return f"1800000000.{self.serial:06d}"

    def update(self, channel: str, ts: str, text: str) -> None:
        self.updates.append((channel, ts, text))

    def try_post(self, channel: str, text: str, *, what: str) -> None:
        self.dms.append((channel, text))


@pytest.fixture
def names() -> ChannelNames:
    return ChannelNames({TEAM_CHANNEL: "teamoverleg"})


@pytest.fixture
def service(db: Database, tmp_path: Path, names: ChannelNames) -> ActionService:
    config = copy_config(tmp_path / "config")

    def channels(data: Any) -> None:
        for series in data["meetings"]:
            if series["key"] == "boa-briefing":
                series["channel"] = BOA_CHANNEL

    edit_yaml(config / "meetings.yaml", channels)
    import_config(db, load_config(config), NOW)
    meetings = ActionMeetings(MeetingStore(db, TZ), DeliveryStore(db), names)
    return ActionService(ActionStore(db), meetings, TeamStore(db), TZ, retention_months=12)


def posted(text: str, ts: str = "1700000001.000100", **fields: Any) -> PostedMessage:
    values: dict[str, Any] = {"channel": BOA_CHANNEL, "thread_ts": None, "author": ANNA}
    return PostedMessage(ts=ts, text=text, **{**values, **fields})


# --- capture -------------------------------------------------------------------------------------


def test_a_prefixed_message_in_a_meeting_channel_is_captured_once(service: ActionService) -> None:
    message = posted(f"actie: <@{BERT}> belt de wijkagent voor vrijdag")
    first = service.capture_posted(message, NOW, by(ANNA))
    assert first is not None and first.kind == "captured" and first.created
    item = first.item
    assert (item.owner_slack_id, item.author_slack_id) == (BERT, ANNA)
    assert (item.due_on, item.due_kind, item.series_key) == (
        date(2026, 11, 27),
        "date",
        "boa-briefing",
    )
    assert item.text == f"<@{BERT}> belt de wijkagent voor vrijdag"
    assert first.affected_users == (BERT,)

    again = service.capture_posted(
        message, NOW + timedelta(minutes=1), by(ANNA)
    )  # Slack's redelivery
    assert again is not None and again.item.id == item.id and not again.created
    assert again.affected_users == ()  # nothing changed: no Home tab to redraw


def test_no_prefix_or_no_meeting_captures_nothing(
    service: ActionService, names: ChannelNames
) -> None:
    assert service.capture_posted(posted("we bellen de wijkagent"), NOW, by(ANNA)) is None
    assert (
        service.capture_posted(posted("actie: bellen", channel=OTHER_CHANNEL), NOW, by(ANNA))
        is None
    )
    assert service.list_items("open", acting(None), NOW).items == ()


def test_a_channel_named_in_the_config_is_looked_up_once(
    service: ActionService, names: ChannelNames
) -> None:
    one = service.capture_posted(
        posted("actie: ik boek de zaal", channel=TEAM_CHANNEL), NOW, by(ANNA)
    )
    two = service.capture_posted(
        posted("actie: ik koop koffie", ts="1700000002.000100", channel=TEAM_CHANNEL), NOW, by(ANNA)
    )
    assert one is not None and two is not None
    assert one.item.series_key == two.item.series_key == "teamoverleg"
    assert names.asked.count(TEAM_CHANNEL) == 1


def test_a_failing_channel_lookup_is_raised_so_the_event_comes_again(
    db: Database, service: ActionService
) -> None:
    def broken(channel: str) -> str | None:
        raise TimeoutError

    meetings = ActionMeetings(MeetingStore(db, TZ), DeliveryStore(db), broken)
    flaky = ActionService(ActionStore(db), meetings, TeamStore(db), TZ, retention_months=12)
    with pytest.raises(TimeoutError):
        flaky.capture_posted(posted("actie: bellen", channel=TEAM_CHANNEL), NOW, by(ANNA))


def test_a_date_that_cannot_exist_keeps_the_item_and_says_why(service: ActionService) -> None:
    outcome = service.capture_posted(
        posted("actie: ik bel de wijkagent uiterlijk 31-2"), NOW, by(ANNA)
    )
    assert outcome is not None and outcome.date_problem
    assert outcome.item.due_kind != "date"


def test_edits_update_cancel_and_capture(service: ActionService) -> None:
    captured = service.capture_posted(posted("actie: ik bel de wijkagent"), NOW, by(ANNA))
    assert captured is not None
    edited = service.edit(posted(f"actie: <@{BERT}> belt de wijkagent"), NOW, by(ANNA))
    assert edited is not None and edited.kind == "updated"
    assert (edited.item.owner_slack_id, edited.previous_owner) == (BERT, ANNA)
    assert set(edited.affected_users) == {ANNA, BERT}

    cancelled = service.edit(posted("de wijkagent belt zelf"), NOW, by(ANNA))  # the prefix is gone
    assert cancelled is not None and cancelled.kind == "cancelled"
    assert service.cancel(BOA_CHANNEL, captured.item.message_ts, NOW) is None  # already

    later = service.edit(posted("actie: ik mail de politie", ts="1700000009.000100"), NOW, by(ANNA))
    assert later is not None and later.kind == "captured" and later.created


def test_a_reaction_fetches_the_message_only_when_needed(service: ActionService) -> None:
    fetched: list[str] = []

    def fetch(message: PostedMessage | None) -> Any:
        def run() -> PostedMessage | None:
            fetched.append("x")
            return message

        return run

    msg = posted("zaal boeken", ts="1700000023.000100")
    assert service.capture_reaction(OTHER_CHANNEL, msg.ts, fetch(msg), NOW, by(ANNA)) is None
    assert fetched == []  # not a meeting channel: Slack is not asked
    outcome = service.capture_reaction(BOA_CHANNEL, msg.ts, fetch(msg), NOW, by(ANNA))
    assert outcome is not None and outcome.item.source == "reaction" and outcome.created
    assert service.capture_reaction(BOA_CHANNEL, msg.ts, fetch(msg), NOW, by(ANNA)) is not None
    assert fetched == ["x"]  # the second pin finds the item without asking Slack
    assert (
        service.capture_reaction(BOA_CHANNEL, "1700000024.000100", fetch(None), NOW, by(ANNA))
        is None
    )


# --- the modal -----------------------------------------------------------------------------------


def modal_source(draft_due: date | None = None) -> ModalSource:
    return ModalSource(
        channel=OTHER_CHANNEL,
        ts="1700000040.000100",
        thread_ts=None,
        author=ANNA,
        due_kind="default",
        due_on=draft_due,
        series_key=None,
        occurrence_at=None,
    )


def test_the_modal_refuses_an_empty_text_and_a_past_date_under_their_fields(
    service: ActionService,
) -> None:
    with pytest.raises(ActionsError) as empty:
        service.save_draft(
            modal_source(), text="  ", owner=ANNA, due_on=None, now=NOW, actor=acting(ANNA)
        )
    assert (empty.value.field, empty.value.message) == ("text", "Beschrijf het actiepunt.")
    with pytest.raises(ActionsError) as past:
        service.save_draft(
            modal_source(),
            text="bellen",
            owner=ANNA,
            due_on=date(2026, 11, 20),
            now=NOW,
            actor=acting(ANNA),
        )
    assert past.value.field == "due" and "ligt in het verleden" in past.value.message
    assert isinstance(past.value, DomainError)


def test_the_modal_captures_then_updates_the_same_item(service: ActionService) -> None:
    draft = service.draft(
        posted("zaal boeken", ts="1700000040.000100", channel=OTHER_CHANNEL), NOW, acting(ANNA)
    )
    assert (draft.text, draft.owner, draft.existing_id) == ("zaal boeken", ANNA, None)
    first = service.save_draft(
        modal_source(),
        text="zaal boeken",
        owner=BERT,
        due_on=date(2026, 12, 1),
        now=NOW,
        actor=acting(ANNA),
    )
    assert first.kind == "captured" and first.item.source == "shortcut"
    assert (first.item.due_kind, first.item.owner_slack_id) == ("date", BERT)

    again = service.draft(
        posted("zaal boeken", ts="1700000040.000100", channel=OTHER_CHANNEL), NOW, acting(ANNA)
    )
    assert again.existing_id == first.item.id and again.note and "al actiepunt" in again.note
    second = service.save_draft(
        modal_source(date(2026, 12, 1)),
        text="grote zaal",
        owner=BERT,
        due_on=None,
        now=NOW,
        actor=acting(ANNA),
    )
    assert second.kind == "updated" and second.item.id == first.item.id
    assert (second.item.text, second.item.due_kind) == ("grote zaal", "default")


# --- the confirmation ----------------------------------------------------------------------------


def test_one_confirmation_per_message_edited_in_place(service: ActionService) -> None:
    slack = Messenger()
    message = posted("actie: ik bel de wijkagent voor vrijdag", thread_ts="1699999999.000100")
    first = service.capture_posted(message, NOW, by(ANNA))
    assert first is not None
    service.confirm(first, slack, NOW)
    again = service.capture_posted(message, NOW, by(ANNA))
    assert again is not None
    service.confirm(again, slack, NOW)  # a redelivery: no second reply
    assert len(slack.posts) == 1
    assert slack.posts[0]["thread_ts"] == "1699999999.000100"
    assert slack.posts[0]["text"].startswith(f"📌 Actiepunt *#{first.item.id}* vastgelegd")
    stored = service.store.get(first.item.id)
    assert stored is not None and stored.permalink and stored.confirmation_ts

    edited = service.edit(
        posted("actie: ik bel de wijkagent voor donderdag", thread_ts="1699999999.000100"),
        NOW,
        by(ANNA),
    )
    assert edited is not None
    service.confirm(edited, slack, NOW)
    assert len(slack.posts) == 1
    assert slack.updates[0][1] == stored.confirmation_ts
    assert "bijgewerkt" in slack.updates[0][2]


def test_a_failed_confirmation_is_released_and_sent_as_a_dm(service: ActionService) -> None:
    slack = Messenger()
    slack.fail_posts = "not_in_channel"
    outcome = service.save_draft(
        modal_source(), text="bellen", owner=ANNA, due_on=None, now=NOW, actor=acting(ANNA)
    )
    service.confirm(outcome, slack, NOW, fallback_user=BERT)
    assert slack.posts == [] and [to for to, _ in slack.dms] == [BERT]
    slack.fail_posts = None
    service.confirm(outcome, slack, NOW)  # the claim was released: a later try may post
    assert len(slack.posts) == 1


# --- /acties, close and reopen -------------------------------------------------------------------


def test_listing_mine_a_colleagues_and_a_meetings_items(service: ActionService) -> None:
    service.capture_posted(posted("actie: ik bel"), NOW, by(ANNA))
    service.capture_posted(posted(f"actie: <@{BERT}> mailt", ts="1700000002.000100"), NOW, by(ANNA))
    mine = service.list_items("", acting(ANNA), NOW)
    assert mine.title == "Jouw open actiepunten" and len(mine.items) == 1
    assert mine.series_names == {**mine.series_names, "boa-briefing": "Boa-briefing"}
    bert = service.list_items("aov-2", acting(None), NOW)
    assert [i.owner_slack_id for i in bert.items] == [BERT]
    boa = service.list_items("boa-briefing", acting(None), NOW)
    assert len(boa.items) == 2 and boa.title == "De open actiepunten van Boa-briefing"
    assert service.list_items("afgerond", acting(ANNA), NOW).items == ()


def test_a_listed_item_is_the_stored_item_in_every_field(service: ActionService) -> None:
    slack = Messenger()
    message = posted("actie: ik bel de wijkagent voor vrijdag", thread_ts="1699999999.000100")
    first = service.capture_posted(message, NOW, by(ANNA))
    assert first is not None
    service.confirm(first, slack, NOW)  # the permalink and the confirmation
    second = service.capture_posted(
        posted(f"actie: <@{BERT}> mailt z.s.m.", ts="1700000002.000100"), NOW, by(ANNA)
    )
    assert second is not None
    service.close(second.item.id, acting(ANNA), NOW + timedelta(hours=1))
    [listed_open] = service.list_items("", acting(ANNA), NOW).items
    [listed_done] = service.list_items("aov-2 afgerond", acting(ANNA), NOW).items
    for listed in (listed_open, listed_done):
        stored = service.store.get(listed.id)
        assert listed == stored
    assert listed_open.permalink and listed_open.confirmed_at and listed_open.due_on
    assert listed_open.series_key == "boa-briefing" and listed_open.thread_ts
    assert listed_done.closed_at and listed_done.closed_by == ANNA and listed_done.status == "done"


def test_unclear_listings_are_refused_in_dutch(service: ActionService) -> None:
    with pytest.raises(ActionsError, match="Ik ken geen collega of overleg “&lt;iemand&gt;”"):
        service.list_items("<iemand>", acting(ANNA), NOW)
    with pytest.raises(ActionsError, match="Geef een collega of overleg op"):
        service.list_items("mijn", acting(None), NOW)  # the shell: nobody asks


def test_pages_follow_each_other_without_overlap(service: ActionService) -> None:
    for n in range(PAGE_SIZE + 3):
        service.capture_posted(posted("actie: ik bel", ts=f"1700000100.{n:06d}"), NOW, by(ANNA))
    first = service.list_items("mijn", acting(ANNA), NOW)
    assert len(first.items) == PAGE_SIZE and first.more and first.summary.endswith(f"{PAGE_SIZE}+")
    rest = service.list_items("mijn", acting(ANNA), NOW, before_id=first.items[-1].id)
    assert len(rest.items) == 3 and not rest.more
    assert not {i.id for i in first.items} & {i.id for i in rest.items}


def test_close_tells_the_thread_once_and_reopen_brings_it_back(service: ActionService) -> None:
    outcome = service.capture_posted(
        posted("actie: ik bel", thread_ts="1699999999.000100"), NOW, by(ANNA)
    )
    assert outcome is not None
    item_id = outcome.item.id
    closed = service.close(item_id, acting(BERT), NOW)
    assert closed.changed and closed.item.status == "done" and closed.affected_users == (ANNA,)
    [note] = closed.notices
    assert (note.to, note.thread_ts) == (BOA_CHANNEL, "1699999999.000100")
    assert note.text == f"✅ Actiepunt *#{item_id}* is afgerond door <@{BERT}>."
    twice = service.close(item_id, acting(BERT), NOW)  # a stale button
    assert not twice.changed and twice.notices == () and twice.affected_users == ()
    reopened = service.reopen(item_id, acting(BERT), NOW)
    assert reopened.changed and reopened.item.status == "open"
    with pytest.raises(ActionsError, match="Actiepunt #99999 bestaat niet meer"):
        service.close(99999, acting(BERT), NOW)
    # A list shown before the message was deleted: its button says why, not just drops the item.
    item = service.store.get(item_id)
    assert item is not None
    service.store.cancel_source(item.channel, item.message_ts, NOW)
    with pytest.raises(ActionsError, match=f"#{item_id} is vervallen.*niets af te ronden"):
        service.close(item_id, acting(BERT), NOW)


# --- digest and purge ----------------------------------------------------------------------------


def test_overdue_owners_and_the_purge_follow_now(service: ActionService) -> None:
    outcome = service.capture_posted(posted("actie: ik bel uiterlijk 24-11"), NOW, by(ANNA))
    assert outcome is not None
    assert service.owners_with_overdue(date(2026, 11, 24)) == []
    assert service.owners_with_overdue(date(2026, 11, 25)) == [ANNA]
    assert len(service.overdue_for(ANNA, NOW + timedelta(days=2))) == 1
    service.close(outcome.item.id, acting(ANNA), NOW)
    assert service.overdue_for(ANNA, NOW + timedelta(days=2)) == []
    assert service.purge(NOW + timedelta(days=300)) == 0  # within the 12 months kept
    assert service.purge(NOW + timedelta(days=370)) == 1
    assert service.store.get(outcome.item.id) is None


# --- the Home tab --------------------------------------------------------------------------------


def test_the_home_overview_counts_items_and_knows_unlinked_users(
    db: Database, service: ActionService
) -> None:
    # Captured a week ago with a deadline that has passed since.
    service.capture_posted(
        posted("actie: ik bel uiterlijk 20-11"), NOW - timedelta(days=7), by(ANNA)
    )
    service.capture_posted(posted("actie: ik mail", ts="1700000002.000100"), NOW, by(ANNA))
    home = HomeService(ActionStore(db), MeetingStore(db, TZ), PiketStore(db, TZ), TeamStore(db), TZ)
    anna = home.overview(acting(ANNA), NOW)
    assert anna.person is not None and anna.person.key == "aov-1"
    assert (anna.items.total, anna.items.overdue, len(anna.items.shown)) == (2, 1, 2)
    assert anna.now == NOW
    stranger = home.overview(reader("U0STRANGER"), NOW)
    assert stranger.person is None and stranger.meetings == [] and stranger.piket is None
    assert stranger.items.total == 0


def test_home_meetings_name_the_role(db: Database, service: ActionService) -> None:
    home = HomeService(ActionStore(db), MeetingStore(db, TZ), PiketStore(db, TZ), TeamStore(db), TZ)
    boa = home.overview(acting(SLACK_IDS["boa-coordinator"]), NOW)
    lines = [(m.name, m.roles) for m in boa.meetings]
    assert ("Boa-briefing", ["voorzitter"]) in lines
    start = next(m.start for m in boa.meetings if m.name == "Boa-briefing")
    assert start.astimezone(TZ) == datetime(2026, 11, 24, 9, 0, tzinfo=TZ)
