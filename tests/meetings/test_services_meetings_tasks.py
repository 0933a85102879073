"""The meetings and tasks services called directly, without Slack: a real database with the
bundled config, a fixed `now`, and what each use case returns (results, notices, Dutch refusals)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.core.meetings import CHAIR_DM
from bot.features import import_config, load_config
from bot.language import TZ
from bot.services.errors import DomainError
from bot.services.meetings import (
    NO_MEETINGS,
    ChairBriefing,
    ChangeKind,
    ChannelReminder,
    MeetingService,
)
from bot.services.tasks import NOT_LINKED, OwnerChangeRefused, TaskService
from storage.actions import ActionStore
from storage.meetings import MeetingStore
from storage.session import Database
from storage.team import TeamStore
from storage.versions import VERSIONS_TTL, share_versions
from testkit.access import OPERATOR, lead, member, outsider, reader
from testkit.team_config import SLACK_IDS, copy_config

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)  # a Monday; the boa-briefing is on Tuesdays 09:00
BOA_CHAIR = SLACK_IDS["boa-coordinator"]


def meeting_service(db: Database) -> MeetingService:
    return MeetingService(
        MeetingStore(db, TZ), TeamStore(db), ActionStore(db), tz=TZ, grace_minutes=120
    )


@pytest.fixture
def team(db: Database, tmp_path: Path) -> Database:
    import_config(db, load_config(copy_config(tmp_path / "config")), NOW)
    return db


# --- meetings ------------------------------------------------------------------------------------


def test_without_series_every_meeting_question_is_refused_in_dutch(db: Database) -> None:
    service = meeting_service(db)
    for ask in (
        lambda: service.upcoming(NOW, OPERATOR),
        lambda: service.describe("boa", NOW, OPERATOR),
        lambda: service.cancel(["boa", "morgen"], OPERATOR, NOW),
    ):
        with pytest.raises(DomainError) as refused:
            ask()
        assert refused.value.message == NO_MEETINGS


def test_cancel_stores_it_and_returns_the_announcement_for_the_channel(team: Database) -> None:
    service = meeting_service(team)
    changed = service.cancel(["boa-briefing", "morgen"], member("aov-1", lead=True), NOW)
    assert changed.kind is ChangeKind.CANCELLED and not changed.held
    assert changed.before.start == datetime(2026, 11, 24, 9, 0, tzinfo=TZ)
    [notice] = changed.notices
    assert notice.to == "#boa-briefing"
    assert "gaat niet door" in notice.text and "<@U0AOV0001>" in notice.text
    assert not MeetingStore(team, TZ).occurrence("boa-briefing", changed.before.original_date).held
    upcoming = service.upcoming(NOW, OPERATOR)
    listed = {(r.view.key, r.occurrence.original_date): r.occurrence for r in upcoming.rows}
    assert not listed[("boa-briefing", changed.before.original_date)].held
    with pytest.raises(DomainError, match="is al afgelast"):
        service.cancel(["boa-briefing", "morgen"], member("aov-1", lead=True), NOW)


def test_move_refuses_the_past_and_warns_of_a_holiday(team: Database) -> None:
    service = meeting_service(team)
    with pytest.raises(DomainError, match="al voorbij"):
        service.move(["boa-briefing", "morgen", "naar", "23-11", "08:00"], OPERATOR, NOW)
    changed = service.move(["boa-briefing", "1-12", "naar", "25-12", "10:00"], OPERATOR, NOW)
    assert changed.kind is ChangeKind.MOVED
    assert changed.start == datetime(2026, 12, 25, 10, 0, tzinfo=TZ)
    assert changed.holiday is not None and "kerst" in changed.holiday.casefold()
    assert "de beheerder" in changed.notices[0].text  # made at the shell: no Slack user


def test_a_week_names_the_series_meeting_in_it(team: Database) -> None:
    """'week 50' or 'volgende week' is the week's one meeting, not its Monday: the boa-briefing
    meets on Tuesdays, so 'annuleer boa week 50' answered 'Op maandag 7 december … geen'."""
    service = meeting_service(team)
    lead_ = member("aov-1", lead=True)
    changed = service.cancel(["boa-briefing", "week", "50"], lead_, NOW)
    assert changed.before.start == datetime(2026, 12, 8, 9, 0, tzinfo=TZ)
    restored = service.restore(["boa-briefing", "week", "50"], lead_, NOW)
    assert restored.held
    # Moved within its week (Tuesday 1 to Thursday 3 December), it is still that week's one.
    moved = service.move(["boa", "volgende", "week", "naar", "3-12", "10:00"], OPERATOR, NOW)
    assert moved.before.start == datetime(2026, 12, 1, 9, 0, tzinfo=TZ)
    again = service.move(["boa", "week", "49", "naar", "4-12", "10:00"], OPERATOR, NOW)
    assert again.before.start == datetime(2026, 12, 3, 10, 0, tzinfo=TZ)
    # Week 49's moved into week 50, beside week 50's own: which one is asked.
    service.move(["boa", "4-12", "naar", "9-12", "10:00"], OPERATOR, NOW)
    with pytest.raises(DomainError) as two:
        service.cancel(["boa-briefing", "week", "50"], lead_, NOW)
    assert two.value.message == (
        "In week 50 van 2026 is er 2 keer Boa-briefing: di 8 dec, wo 9 dec. Noem de datum, "
        "bijvoorbeeld `8-12`."
    )
    # The AB Veiligheidsregio meets on 9 December, then in February.
    with pytest.raises(DomainError, match="In week 51 van 2026 is er geen AB Veiligheidsregio"):
        service.cancel(["ab-vrd", "week", "51"], OPERATOR, NOW)


def test_restore_undoes_a_cancellation(team: Database) -> None:
    service = meeting_service(team)
    service.cancel(["boa-briefing", "morgen"], member("aov-1", lead=True), NOW)
    restored = service.restore(["boa-briefing", "morgen"], member("aov-2", lead=True), NOW)
    assert restored.kind is ChangeKind.RESTORED and restored.held
    assert "gaat toch door" in restored.notices[0].text
    with pytest.raises(DomainError, match="niets gewijzigd"):
        service.restore(["boa-briefing", "morgen"], member("aov-2", lead=True), NOW)


def test_due_reminders_say_what_to_post_and_lapse_when_cancelled(team: Database) -> None:
    service = meeting_service(team)
    due = [d for d in service.due(NOW, NOW + timedelta(days=1)) if "boa-briefing" in d.key]
    assert due, "the boa-briefing of tomorrow has reminders due today"
    deliveries = [service.delivery(d.key, NOW) for d in due]
    reminder = next(d for d in deliveries if isinstance(d, ChannelReminder))
    assert reminder.to == "#boa-briefing"
    assert reminder.chair is not None and reminder.chair.slack_id == BOA_CHAIR
    assert reminder.today == NOW.date()
    briefing = next(d for d in deliveries if isinstance(d, ChairBriefing))
    assert briefing.to == BOA_CHAIR
    service.cancel(["boa-briefing", "morgen"], member("aov-1", lead=True), NOW)
    assert [service.delivery(d.key, NOW) for d in due] == [None] * len(due)


def test_a_missed_or_refused_reminder_is_reported_to_the_chair(team: Database) -> None:
    service = meeting_service(team)
    due = [d for d in service.due(NOW, NOW + timedelta(days=1)) if "boa-briefing" in d.key]
    channel_key = next(d.key for d in due if not d.key.endswith(CHAIR_DM))
    chair_key = next(d.key for d in due if d.key.endswith(CHAIR_DM))
    missed = service.missed_report(channel_key, NOW)
    assert missed is not None and missed.to == BOA_CHAIR
    assert "120 minuten" in missed.text and "#boa-briefing" in missed.text
    failed = service.failure_report(channel_key, "not_in_channel")
    assert failed.channel == "#boa-briefing"
    assert failed.notice is not None and "/invite @oov-bot" in failed.notice.text
    # A DM to the chair that failed cannot be reported to that same chair.
    assert service.failure_report(chair_key, "cannot_dm_bot").notice is None
    assert service.missed_report("not-a-key", NOW) is None
    # Once the meeting has begun there is nothing left to act on: logged, not reported.
    begun = datetime(2026, 11, 24, 9, 0, tzinfo=TZ)
    assert service.missed_report(channel_key, begun) is None


# --- tasks ---------------------------------------------------------------------------------------


def test_find_answers_one_task_a_pick_list_or_suggestions(team: Database) -> None:
    service = TaskService(TeamStore(team))
    found = service.find("  BiBoB ", OPERATOR)
    assert found.best is not None and found.best.subject == "BIBOB"
    nothing = service.find("xyzzy qwerty", OPERATOR)
    assert nothing.best is None and not nothing.matches


def test_a_change_is_seen_at_once_by_this_finder_and_soon_by_another_processs_finder(
    team: Database,
) -> None:
    # `elsewhere` plays another web process: its own engine, its own stores and caches, and its
    # own reading of the data versions, which it shares among its answers for VERSIONS_TTL.
    other_db = Database(team.url)
    ticks = [0.0]
    share_versions(other_db, monotonic=lambda: ticks[0])
    try:
        here = TaskService(TeamStore(team))
        elsewhere = TaskService(TeamStore(other_db))
        bibob = here.find("bibob", OPERATOR).best
        assert bibob is not None and bibob.owner is not None
        assert elsewhere.find("bibob", OPERATOR).best == bibob
        new_owner = SLACK_IDS["aov-3"] if bibob.owner.key != "aov-3" else SLACK_IDS["aov-2"]
        # At the import's own instant: a version built from (count, latest updated_at) missed
        # exactly this change.
        changed = here.change_owner(bibob.id, new_owner, None, changed_by=lead(), now=NOW,
                                    name_of=str)  # fmt: skip
        assert changed.task is not None and changed.task.owner is not None
        assert here.find("bibob", OPERATOR).best == changed.task
        ticks[0] += VERSIONS_TTL
        assert elsewhere.find("bibob", OPERATOR).best == changed.task
    finally:
        other_db.dispose()


def test_change_owner_is_audited_and_tells_both_owners(team: Database) -> None:
    store = TeamStore(team)
    service = TaskService(store)
    bibob = service.find("bibob", OPERATOR).best
    assert bibob is not None and bibob.owner is not None and bibob.owner.slack_id
    deputy = bibob.deputy.slack_id if bibob.deputy else None  # kept, as the modal sends it
    changed = service.change_owner(
        bibob.id, "U0NEW0001", deputy, changed_by=lead(), now=NOW, name_of=lambda _: "Nieuw"
    )
    assert {n.to for n in changed.notices} == {"U0NEW0001", bibob.owner.slack_id}
    to_new = next(n for n in changed.notices if n.to == "U0NEW0001")
    assert to_new.text == "Je bent nu eigenaar van *BIBOB* (gewijzigd door <@U0TL00001>)."
    assert set(changed.people) == {"U0NEW0001", bibob.owner.slack_id}
    [audit] = store.ownership_history(bibob.id)
    assert audit.new is not None and audit.new.name == "Nieuw"
    assert (audit.changed_by, audit.changed_at) == ("U0TL00001", NOW)


def test_change_owner_refusals_name_their_field(team: Database) -> None:
    service = TaskService(TeamStore(team))
    bibob = service.find("bibob", OPERATOR).best
    assert bibob is not None
    with pytest.raises(OwnerChangeRefused) as same:
        service.change_owner(bibob.id, "U0X", "U0X", changed_by=OPERATOR, now=NOW, name_of=str)
    assert same.value.field == "deputy"
    with pytest.raises(OwnerChangeRefused) as gone:
        service.change_owner(10**6, "U0AOV0001", None, changed_by=OPERATOR, now=NOW, name_of=str)
    assert (gone.value.field, gone.value.message) == ("owner", "Deze taak bestaat niet meer.")


def test_a_persons_tasks_come_with_their_hours_or_a_dutch_refusal(team: Database) -> None:
    service = TaskService(TeamStore(team))
    mine = service.tasks_of("ik", member("aov-1"))
    assert mine.person.key == "aov-1"
    assert mine.owned.tasks and mine.owned.total == sum(h for _, h in mine.owned.timed)
    assert len(mine.owned.timed) + len(mine.owned.untimed) == len(mine.owned.tasks)
    assert service.tasks_of("aov-1", OPERATOR).person == mine.person
    with pytest.raises(DomainError, match="Geef een persoon op"):
        service.tasks_of("", OPERATOR)
    with pytest.raises(DomainError) as unlinked:
        service.tasks_of("ik", reader("U0NOBODY1"))
    assert unlinked.value.message == NOT_LINKED
    with pytest.raises(DomainError, match="Ik ken geen persoon"):
        service.tasks_of("niemand-bekend", OPERATOR)


# --- who may (the access table, as the services apply it) ----------------------------------------


def test_only_the_chair_or_a_team_lead_changes_a_meeting(team: Database) -> None:
    service = meeting_service(team)
    with pytest.raises(DomainError) as refused:
        service.cancel(["boa-briefing", "morgen"], member("aov-1"), NOW)
    assert refused.value.message.startswith("Alleen de voorzitter of de teamleider")
    tomorrow = MeetingStore(team, TZ).occurrence("boa-briefing", NOW.date() + timedelta(days=1))
    assert tomorrow is not None and tomorrow.change is None  # nothing stored
    changed = service.cancel(["boa-briefing", "morgen"], member("boa-coordinator"), NOW)
    assert changed.kind is ChangeKind.CANCELLED
    restored = service.restore(["boa-briefing", "morgen"], lead(), NOW)
    assert restored.kind is ChangeKind.RESTORED


def test_the_register_is_for_the_team_and_readers_and_owners_change_only_their_own(
    team: Database,
) -> None:
    service = TaskService(TeamStore(team))
    with pytest.raises(DomainError, match="Alleen teamleden en meelezers"):
        service.find("bibob", outsider("U0NOBODY1"))
    bibob = service.find("bibob", reader("U0READER1")).best
    assert bibob is not None and bibob.owner is not None
    owner = member(bibob.owner.key)
    other = next(k for k in SLACK_IDS if k not in (bibob.owner.key, "teamleider"))
    if bibob.deputy is not None:
        other = next(
            k for k in SLACK_IDS if k not in (bibob.owner.key, bibob.deputy.key, "teamleider")
        )
    assert service.may_change_owner(bibob, owner)
    assert service.may_change_owner(bibob, lead())
    assert not service.may_change_owner(bibob, member(other))
    assert not service.may_change_owner(bibob, reader("U0READER1"))
    with pytest.raises(OwnerChangeRefused) as refused:
        service.change_owner(
            bibob.id, SLACK_IDS[other], None, changed_by=member(other), now=NOW, name_of=str
        )
    assert refused.value.message.startswith("Alleen de eigenaar of vervanger")
    assert TeamStore(team).ownership_history(bibob.id) == []
