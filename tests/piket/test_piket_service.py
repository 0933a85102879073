"""PiketService called directly, without Slack: the use cases on a real database with a fixed
`now` (Monday 23 November 2026, 09:00 in Amsterdam, an hour into a duty week)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.core.piket_feed import FeedScope
from bot.features import import_config, load_config
from bot.services.errors import DomainError
from bot.services.piket import (
    NO_PUBLIC_URL,
    NOT_LINKED,
    NOT_SET_UP,
    AgendaGuess,
    AtMoment,
    Help,
    OnDays,
    PersonShifts,
    PiketError,
    PiketService,
    SwapProposed,
)
from storage.piket import PiketStore
from storage.session import Database
from storage.team import TeamStore
from testkit.access import acting, reader
from testkit.piket_fixtures import AMS, BASE_URL, RUNNING_WEEK, local
from testkit.team_config import SLACK_IDS, copy_config, edit_yaml

NOW = local(2026, 11, 23, 9)
AOV1, AOV2, AOV3 = SLACK_IDS["aov-1"], SLACK_IDS["aov-2"], SLACK_IDS["aov-3"]

Factory = Callable[..., PiketService]


@pytest.fixture
def make_service(db: Database, tmp_path: Path) -> Factory:
    def make(
        public_base_url: str | None = BASE_URL, piket: bool = True, **changes: Any
    ) -> PiketService:
        config_dir = copy_config(tmp_path / "config")
        if piket:
            edit_yaml(config_dir / "piket.yaml", lambda data: data.update(changes))
        else:
            (config_dir / "piket.yaml").unlink()
        import_config(db, load_config(config_dir), NOW)
        return PiketService(
            PiketStore(db, AMS), TeamStore(db), tz=AMS, public_base_url=public_base_url
        )

    return make


def refused(call: Callable[[], object]) -> str:
    with pytest.raises(PiketError) as caught:
        call()
    assert isinstance(caught.value, DomainError)
    return caught.value.message


def test_who_is_on_duty_now_per_role_in_role_order(make_service: Factory) -> None:
    service = make_service(**RUNNING_WEEK)
    result = service.now_on_duty(NOW)
    assert [(s.role, s.person_key) for s in result.running] == [
        ("OVD-BZ", "aov-1"),
        ("IM-ACBZ", "beleidsmedewerker"),
    ]
    assert all(s.end == local(2026, 11, 30) for s in result.running)
    assert result.next_week is None


def test_between_duty_weeks_the_next_week_is_named(make_service: Factory) -> None:
    result = make_service().now_on_duty(NOW)  # the bundled config: duty weeks 9 Nov, 7 Dec
    assert result.running == ()
    assert result.next_week is not None
    week = result.next_week
    assert (week.start, week.end) == (local(2026, 12, 7), local(2026, 12, 14))
    assert [s.role for s in result.next_week.shifts] == ["OVD-BZ", "IM-ACBZ"]


def test_coming_weeks_start_with_the_running_one(make_service: Factory) -> None:
    service = make_service(**RUNNING_WEEK)
    weeks = service.coming_weeks(NOW).weeks
    assert [w.start for w in weeks] == [
        local(2026, 11, 23),
        local(2026, 12, 21),
        local(2027, 1, 18),
        local(2027, 2, 15),
    ]
    assert [w.running for w in weeks] == [True, False, False, False]
    assert len(service.coming_weeks(NOW, count=8).weeks) == 8
    assert "--weken" in refused(lambda: service.coming_weeks(NOW, count=0))


def test_questions_are_read_as_a_date_a_week_a_moment_or_a_person(make_service: Factory) -> None:
    service = make_service(**RUNNING_WEEK)
    for asked in ("23 december", "week 52", "23-12"):
        days = service.ask(asked, acting(None), NOW)
        assert isinstance(days, OnDays), asked
        assert (days.shifts[0].role, days.shifts[0].person_key) == ("OVD-BZ", "aov-2")
    # The duty of week 52 is the shift that starts in it, never week 51's tail.
    week = service.ask("week 52", acting(None), NOW)
    assert isinstance(week, OnDays) and all(s.start == local(2026, 12, 21) for s in week.shifts)
    quiet = service.ask("10 januari 2027", acting(None), NOW)
    assert isinstance(quiet, OnDays) and quiet.shifts == ()
    assert quiet.next_week is not None and quiet.next_week.start == local(2027, 1, 18)

    moment = service.ask("23 december 10:00", acting(None), NOW)
    assert isinstance(moment, AtMoment) and moment.moment == local(2026, 12, 23, 10)
    assert moment.shifts[0].person_key == "aov-2"

    mine = service.ask("mijn", acting(AOV1), NOW)
    assert isinstance(mine, PersonShifts) and mine.person.key == "aov-1" and mine.in_rota
    assert mine.shifts[0].start <= NOW < mine.shifts[0].end  # the running shift comes first
    theirs = service.ask(f"<@{AOV2}|aov2>", acting(None), NOW)
    assert isinstance(theirs, PersonShifts) and theirs.person.key == "aov-2"
    lead = service.ask("teamleider", acting(None), NOW)
    assert isinstance(lead, PersonShifts) and lead.shifts == () and not lead.in_rota

    assert isinstance(service.ask("help", acting(None), NOW), Help)
    assert isinstance(service.ask("agenda graag", acting(AOV1), NOW), AgendaGuess)
    assert "“23 decmber”" in refused(lambda: service.ask("23 decmber", acting(None), NOW))
    assert "“&lt;script&gt;”" in refused(lambda: service.ask("<script>", acting(None), NOW))
    assert "ligt te ver weg" in refused(lambda: service.ask("1-1-9999", acting(None), NOW))
    # A date or a moment that cannot be is no person either: the reason, not "ken geen persoon".
    assert "31 februari bestaat niet" in refused(lambda: service.ask("31-2", acting(None), NOW))
    assert "Week 54 bestaat niet" in refused(lambda: service.ask("week 54", acting(None), NOW))
    assert "‘25:00’ is geen geldige tijd" in refused(
        lambda: service.ask("morgen 25:00", acting(None), NOW)
    )
    assert "‘24 uur’ is geen geldige tijd" in refused(
        lambda: service.ask("morgen 24 uur", acting(None), NOW)
    )
    assert "Geef een persoon op" in refused(lambda: service.ask("mijn", acting(None), NOW))
    assert refused(lambda: service.ask("mijn", reader("U0NOBODY1"), NOW)) == NOT_LINKED


def test_without_a_rota_every_question_but_help_says_so(make_service: Factory) -> None:
    service = make_service(piket=False)
    assert isinstance(service.ask("help", acting(None), NOW), Help)
    for text in ("", "volgende", "week 52", "mijn"):
        assert refused(lambda t=text: service.ask(t, acting(AOV1), NOW)) == NOT_SET_UP


def test_a_swap_is_proposed_accepted_once_and_audited(make_service: Factory) -> None:
    service = make_service(**RUNNING_WEEK)
    proposed = service.ask(f"ruil 15 februari <@{AOV2}|aov2>", acting(AOV1), NOW)
    assert isinstance(proposed, SwapProposed) and proposed.colleague_slack_id == AOV2
    shift = proposed.proposal.shift
    assert shift is not None and (shift.role, shift.start) == ("OVD-BZ", local(2027, 2, 15))

    swap_id = proposed.proposal.id
    wrong = service.answer_swap(swap_id, accept=True, actor=acting(AOV3), now=NOW)
    assert "alleen die kan het beantwoorden" in wrong.text and not wrong.replace
    assert wrong.notices == ()

    later = datetime(2026, 11, 24, 10, tzinfo=AMS)
    accepted = service.answer_swap(swap_id, accept=True, actor=acting(AOV2), now=later)
    assert accepted.replace and "geaccepteerd" in accepted.text
    assert sorted(n.to for n in accepted.notices) == sorted([AOV1, AOV2])
    assert all("maandag 15 februari 2027" in n.text for n in accepted.notices)
    assert accepted.usergroup is None  # a coming week: the group keeps this week's people
    stored = service.store.shift(shift.uid)
    assert stored is not None and (stored.person_key, stored.sequence) == ("aov-2", 1)
    (change,) = service.store.changes(shift.uid)
    assert (change.previous, change.new) == (shift.person, stored.person)
    assert (change.changed_by, change.source, change.changed_at) == (AOV2, "slack", later)

    again = service.answer_swap(swap_id, accept=False, actor=acting(AOV2), now=later)
    assert "al geaccepteerd" in again.text and not again.replace
    gone = service.answer_swap(swap_id + 1000, accept=True, actor=acting(AOV2), now=later)
    assert gone.text == "Dit ruilvoorstel bestaat niet meer."


def test_a_declined_swap_tells_only_the_proposer(make_service: Factory) -> None:
    service = make_service(**RUNNING_WEEK)
    proposed = service.propose_swap(f"week 7 <@{AOV3}|aov3>", AOV1, NOW)
    declined = service.answer_swap(proposed.proposal.id, accept=False, actor=acting(AOV3), now=NOW)
    assert declined.replace and "afgewezen" in declined.text
    assert [n.to for n in declined.notices] == [AOV1]
    assert proposed.proposal.shift is not None
    assert service.store.shift(proposed.proposal.shift.uid).sequence == 0  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "caller", "expected"),
    [
        ("ruil morgen", AOV1, "Gebruik: `/piket ruil"),
        (f"ruil 15 februari <@{AOV2}|aov2>", None, "Ruilen kan alleen in Slack."),
        (f"ruil 15 februari <@{AOV1}|ik>", AOV1, "niet met jezelf"),
        (f"ruil 1 maart <@{AOV2}|aov2>", AOV1, "Je hebt geen piketdienst op maandag 1 maart"),
        (f"ruil 15 februari <@{SLACK_IDS['teamleider']}|tl>", AOV1, "niet gekwalificeerd"),
    ],
)
def test_swaps_that_cannot_be_proposed_are_explained(
    make_service: Factory, text: str, caller: str | None, expected: str
) -> None:
    service = make_service(**RUNNING_WEEK)
    assert expected in refused(lambda: service.ask(text, acting(caller), NOW))


def test_the_operator_override_tells_both_people_and_updates_a_running_group(
    make_service: Factory,
) -> None:
    service = make_service(**RUNNING_WEEK)
    future = service.override("OVD-BZ", "week 52", "aov-3", NOW)
    assert future.summary.startswith("OVD-BZ maandag 21 december 2026, 08:00")
    assert future.summary.endswith("AOV-er 2 → AOV-er 3")
    assert [n.to for n in future.notices] == [AOV3, AOV2]
    assert "ingeroosterd" in future.notices[0].text and "overgezet" in future.notices[1].text
    assert future.usergroup is None

    running = service.override("OVD-BZ", "vandaag", "aov-2", NOW)
    assert running.usergroup is not None
    assert running.usergroup.usergroup == "S0PIKET01"
    assert sorted(running.usergroup.members) == sorted([AOV2, SLACK_IDS["beleidsmedewerker"]])
    assert "Onbekende rol" in refused(lambda: service.override("OVD", "week 52", "aov-3", NOW))


def test_feed_links_are_issued_and_renewed_for_the_caller_only(make_service: Factory) -> None:
    service = make_service(**RUNNING_WEEK)
    first = service.issue_feed_links(AOV1, NOW, renew=False)
    assert first.person.key == "aov-1" and first.slack_id == AOV1 and first.revoked == 0
    assert set(first.links) == set(FeedScope)
    assert all(link.https.startswith(f"{BASE_URL}/ical/piket/") for link in first.links.values())
    renewed = service.issue_feed_links(AOV1, NOW, renew=True)
    assert renewed.renewed and renewed.revoked == 2
    assert service.revoke_feed_links(AOV1, NOW) == 2
    assert "alleen in Slack" in refused(lambda: service.issue_feed_links(None, NOW, renew=False))
    no_url = make_service(public_base_url=None, **RUNNING_WEEK)
    assert refused(lambda: no_url.issue_feed_links(AOV1, NOW, renew=False)) == NO_PUBLIC_URL


def test_the_handover_decides_the_post_the_topic_and_the_group(make_service: Factory) -> None:
    service = make_service(**RUNNING_WEEK)
    handover = service.handover(local(2026, 11, 23))
    assert handover.text == "Piket deze week: OVD-BZ AOV-er 1, IM-ACBZ Beleidsmedewerker OOV"
    assert handover.topic == handover.text and handover.until == local(2026, 11, 30)
    assert handover.usergroup is not None
    assert handover.usergroup.members == (AOV1, SLACK_IDS["beleidsmedewerker"])
    assert service.off_duty_topic(local(2026, 11, 30)) == (
        "Nu geen piket; volgende piketweek vanaf maandag 21 december 2026, 08:00"
    )


def test_a_reimport_names_a_kept_swap_whose_person_is_no_longer_qualified(
    make_service: Factory, tmp_path: Path, db: Database
) -> None:
    """A swap or an operator's choice survives a re-import; when piket.yaml now ends that
    person's qualification before the shift, the import says so instead of leaving them on."""
    service = make_service(**RUNNING_WEEK)
    service.override("OVD-BZ", "week 52", "aov-3", NOW)
    config_dir = tmp_path / "config"

    def shorten(data: Any) -> None:
        data.update(RUNNING_WEEK)
        ovd = data["roles"][0]
        for person in ovd["people"]:
            if person["key"] == "aov-3":
                person["qualified_until"] = "2026-12-15"

    edit_yaml(config_dir / "piket.yaml", shorten)
    report = import_config(db, load_config(config_dir), NOW)
    (conflict,) = report.conflicts
    assert conflict.startswith("piket OVD-BZ maandag 21 december 2026, 08:00 tot maandag 28")
    assert "AOV-er 3 blijft ingeroosterd (geruild of aangewezen)" in conflict
    assert "oov-bot piket zet OVD-BZ '21 december 2026' <persoon>" in conflict
    # The command it suggests reads that day as the shift it means.
    done = service.override("OVD-BZ", "21 december 2026", "aov-1", NOW)
    assert done.summary.endswith("AOV-er 3 → AOV-er 1")
    again = import_config(db, load_config(config_dir), NOW)
    assert again.conflicts == []
