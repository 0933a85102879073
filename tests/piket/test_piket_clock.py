"""What the clock does for piket (reminders, handover post, topic, user group, warnings, the
rolling horizon), what a re-import does to the stored rota, and the operator's CLI."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import Clock
from bot.core.config_files import ConfigError
from bot.features import export_config, import_config, load_config
from bot.planning import PlannedDelivery
from bot.services.errors import DomainError
from handlers.piket import cli as piket_cli
from handlers.piket import clock as piket_clock
from handlers.piket.clock import (
    HANDOVER_KIND,
    OFF_DUTY_KIND,
    REMINDER_KIND,
    ROLL_KIND,
    UNSTAFFED_KIND,
)
from testkit.app import RunningBot
from testkit.fake_slack import FakeSlack
from testkit.piket_fixtures import RUNNING_WEEK, BotFactory, local, shifts_of, store
from testkit.replies import answer, text_of
from testkit.team_config import SLACK_IDS, copy_config, edit_yaml

OOV_BOT = str(Path(sys.executable).with_name("oov-bot"))


def planned(bot: RunningBot, kind: str, start: datetime, end: datetime) -> list[PlannedDelivery]:
    return [d for d in piket_clock.plan_deliveries(bot.ctx, start, end) if d.kind == kind]


def deliver_all(bot: RunningBot, deliveries: list[PlannedDelivery]) -> None:
    clock = Clock(bot.ctx, [piket_clock.plan_deliveries], grace=timedelta(hours=2))
    for delivery in deliveries + deliveries:  # a second round (or clock) posts nothing more
        clock.deliver(delivery)


# --- reminders ------------------------------------------------------------------------------


def test_functionaries_are_reminded_a_week_and_a_day_before(make_bot: BotFactory) -> None:
    bot = make_bot(reminders=None, **RUNNING_WEEK)  # absent: the default lead times
    shift = next(s for s in shifts_of(bot, "aov-2") if s.start > bot.clock())
    assert shift.start == local(2026, 12, 21)
    week_before = planned(bot, REMINDER_KIND, local(2026, 12, 14, 0), local(2026, 12, 15, 0))
    day_before = planned(bot, REMINDER_KIND, local(2026, 12, 20, 0), local(2026, 12, 21, 0))
    mine = [d for d in week_before + day_before if shift.uid in d.key]
    assert [d.due_at for d in mine] == [local(2026, 12, 14), local(2026, 12, 20)]
    assert len({d.key for d in week_before + day_before}) == len(week_before + day_before)

    bot.clock.current = local(2026, 12, 14)
    deliver_all(bot, mine[:1])
    (dm,) = [c.args for c in bot.fake.calls("chat.postMessage")]
    assert dm["channel"] == SLACK_IDS["aov-2"]
    shown = dm["blocks"][0]["text"]["text"]
    assert shown.startswith("Herinnering: over 1 week heb je piket als *OVD-BZ*")
    assert "maandag 21 december 2026, 08:00 tot maandag 28 december 2026, 08:00" in shown

    # Swapped after planning: the old holder is not reminded, the new one is (a new key).
    piket_cli.override(bot.ctx, "OVD-BZ", "21 december", "aov-3")
    bot.fake.reset()
    deliver_all(bot, mine[1:])
    assert bot.fake.calls("chat.postMessage") == []
    replanned = planned(bot, REMINDER_KIND, local(2026, 12, 20, 0), local(2026, 12, 21, 0))
    assert [d.key.split(":")[3] for d in replanned if shift.uid in d.key] == ["aov-3"]


def test_reminders_keep_the_wall_clock_across_dst(make_bot: BotFactory) -> None:
    # Duty week Monday 29 March 2027: "1 dag" before is Sunday 08:00 CEST, after the change.
    bot = make_bot(first_duty_week="2027-W13", reminders=["1 dag", "36 uur"])
    (first,) = [s for s in store(bot).shifts(start=local(2027, 3, 29), end=local(2027, 3, 30))][:1]
    due = planned(bot, REMINDER_KIND, local(2027, 3, 27, 0), local(2027, 3, 29, 0))
    times = sorted({d.due_at for d in due if first.uid in d.key})
    assert times == [local(2027, 3, 27, 20), local(2027, 3, 28, 8)]


# --- handover, topic, user group ------------------------------------------------------------


def test_handover_posts_sets_the_topic_and_the_user_group_then_resets_the_topic(
    make_bot: BotFactory,
) -> None:
    bot = make_bot(**RUNNING_WEEK)
    (handover,) = planned(bot, HANDOVER_KIND, local(2026, 12, 21, 7), local(2026, 12, 21, 9))
    assert handover.due_at == local(2026, 12, 21)
    bot.clock.current = local(2026, 12, 21)
    deliver_all(bot, [handover])
    (post,) = [c.args for c in bot.fake.calls("chat.postMessage")]
    on_duty = [s for s in store(bot).shifts(start=bot.clock(), end=bot.clock() + timedelta(1))]
    names = {s.role: s.person.name for s in on_duty}
    expected = f"Piket deze week: OVD-BZ {names['OVD-BZ']}, IM-ACBZ {names['IM-ACBZ']}"
    assert post["channel"] == "#oov-piket" and post["text"] == expected
    assert f"<@{on_duty[0].person.slack_id}>" in post["blocks"][0]["text"]["text"]
    (topic,) = [c.args for c in bot.fake.calls("conversations.setTopic")]
    assert (topic["channel"], topic["topic"]) == ("#oov-piket", expected)
    (group,) = [c.args for c in bot.fake.calls("usergroups.users.update")]
    assert group["usergroup"] == "S0PIKET01"
    assert set(group["users"].split(",")) == {s.person.slack_id for s in on_duty}

    (off,) = planned(bot, OFF_DUTY_KIND, local(2026, 12, 28, 7), local(2026, 12, 28, 9))
    bot.clock.current = local(2026, 12, 28)
    deliver_all(bot, [off])
    reset = bot.fake.calls("conversations.setTopic")[-1].args
    assert (
        reset["topic"] == "Nu geen piket; volgende piketweek vanaf maandag 18 januari 2027, 08:00"
    )


def test_handover_to_a_user_group_named_by_its_handle(
    make_bot: BotFactory, fake_slack: FakeSlack
) -> None:
    fake_slack.add_usergroup("S0GROUP42", "piket-bz", "Piket BZ")
    bot = make_bot(first_duty_week="2026-W48", usergroup="@piket-bz")
    (handover,) = planned(bot, HANDOVER_KIND, local(2026, 12, 21, 7), local(2026, 12, 21, 9))
    bot.clock.current = local(2026, 12, 21)
    deliver_all(bot, [handover])
    assert bot.fake.calls("usergroups.users.update")[-1].args["usergroup"] == "S0GROUP42"


# --- unstaffed weeks ------------------------------------------------------------------------


def lapsing_im_acbz(data: Any) -> None:
    data["roles"][1]["people"] = [
        {"key": "beleidsmedewerker", "qualified_until": "2026-12-31"},
        {"key": "boa-coordinator", "qualified_until": "2026-12-31"},
    ]


def test_the_team_lead_is_warned_weekly_about_unstaffed_weeks(make_bot: BotFactory) -> None:
    bot = make_bot(edit=lapsing_im_acbz, **RUNNING_WEEK)
    gaps = [s for s in store(bot).shifts(start=bot.clock()) if s.person is None]
    assert gaps and {s.role for s in gaps} == {"IM-ACBZ"}
    assert gaps[0].start == local(2027, 1, 18)
    # Eight weeks ahead: not yet on Monday 23 November, first on Monday 30 November.
    assert planned(bot, UNSTAFFED_KIND, local(2026, 11, 23, 0), local(2026, 11, 24, 0)) == []
    (warning,) = planned(bot, UNSTAFFED_KIND, local(2026, 11, 30, 0), local(2026, 12, 1, 0))
    assert warning.key == "piket:unstaffed:2026-11-30"
    bot.clock.current = local(2026, 11, 30)
    deliver_all(bot, [warning])
    (dm,) = [c.args for c in bot.fake.calls("chat.postMessage")]
    assert dm["channel"] == SLACK_IDS["teamleider"]
    shown = dm["blocks"][0]["text"]["text"]
    assert "*IM-ACBZ*: maandag 18 januari 2027, 08:00 tot maandag 25 januari 2027, 08:00" in shown
    assert "oov-bot piket zet" in shown
    weeks = text_of(answer(bot.slack.command("/piket", "volgende")))
    assert "*IM-ACBZ*: ⚠️ _onbezet_" in weeks


def test_the_weekly_warning_names_a_kept_shift_whose_person_is_no_longer_qualified(
    make_bot: BotFactory, tmp_path: Path
) -> None:
    """A swap or an operator's choice survives a re-import that ends that person's
    qualification before the shift: the week is then as unstaffed as one without anybody."""
    bot = make_bot(**RUNNING_WEEK)
    piket_cli.override(bot.ctx, "OVD-BZ", "week 52", "aov-3")  # from Monday 21 December

    def shorten(data: Any) -> None:
        for person in data["roles"][0]["people"]:
            if person["key"] == "aov-3":
                person["qualified_until"] = "2026-12-15"

    config_dir = tmp_path / "config0"
    edit_yaml(config_dir / "piket.yaml", shorten)
    import_config(bot.ctx.db, load_config(config_dir), bot.clock())
    (warning,) = planned(bot, UNSTAFFED_KIND, local(2026, 11, 30, 0), local(2026, 12, 1, 0))
    bot.clock.current = local(2026, 11, 30)
    bot.fake.forget_calls()  # the override's DMs to both people
    deliver_all(bot, [warning])
    (dm,) = [c.args for c in bot.fake.calls("chat.postMessage")]
    assert dm["channel"] == SLACK_IDS["teamleider"]
    assert (
        "*OVD-BZ*: maandag 21 december 2026, 08:00 tot maandag 28 december 2026, 08:00 "
        "(AOV-er 3 is dan niet gekwalificeerd)"
    ) in dm["blocks"][0]["text"]["text"]


# --- the rolling horizon --------------------------------------------------------------------


def test_the_daily_roll_on_adds_weeks_and_leaves_planned_ones_alone(make_bot: BotFactory) -> None:
    bot = make_bot(**RUNNING_WEEK)
    before = {s.uid: s for s in store(bot).shifts()}
    horizon = max(s.start for s in before.values())
    (roll,) = planned(bot, ROLL_KIND, local(2026, 11, 24, 0), local(2026, 11, 25, 0))
    assert roll.due_at == local(2026, 11, 24, 3) and roll.on_missed is not None
    bot.clock.advance(timedelta(days=60))
    deliver_all(bot, [roll])
    after = {s.uid: s for s in store(bot).shifts()}
    assert max(s.start for s in after.values()) > horizon
    assert all(after[uid] == shift for uid, shift in before.items())


# --- import ---------------------------------------------------------------------------------


def test_reimport_keeps_swaps_and_started_shifts_and_replans_the_rest(
    make_bot: BotFactory, tmp_path: Path
) -> None:
    bot = make_bot(**RUNNING_WEEK)
    config_dir = bot.ctx.settings.oov_config_dir
    running = [s for s in store(bot).shifts() if s.start <= bot.clock()]
    piket_cli.override(bot.ctx, "OVD-BZ", "15 februari 2027", "aov-3")
    swapped = [s for s in store(bot).shifts() if s.pinned]
    assert [(s.role, s.start, s.person_key) for s in swapped] == [
        ("OVD-BZ", local(2027, 2, 15), "aov-3")
    ]
    before = {s.uid: s for s in store(bot).shifts()}

    unchanged = import_config(bot.ctx.db, load_config(config_dir), bot.clock())
    assert not any("piket" in line for line in unchanged.lines())
    assert {s.uid: s for s in store(bot).shifts()} == before

    # A newcomer for OVD-BZ: coming shifts are shared anew, the swap and the running week stay.
    edit_yaml(
        config_dir / "piket.yaml",
        lambda d: d["roles"][0]["people"].append({"key": "teamleider"}),
    )
    bot.clock.advance(timedelta(days=1))
    report = import_config(bot.ctx.db, load_config(config_dir), bot.clock())
    assert any("piket:" in line and "opnieuw ingedeeld" in line for line in report.lines())
    after = {s.uid: s for s in store(bot).shifts()}
    for shift in running + swapped:
        assert after[shift.uid] == shift
    assert "teamleider" in {s.person_key for s in after.values()}
    moved = [s for uid, s in after.items() if uid in before and s != before[uid]]
    assert moved and all(s.sequence == before[s.uid].sequence + 1 for s in moved)
    assert all(s.last_modified == bot.clock() for s in moved)


def test_export_writes_piket_yaml_that_imports_without_changes(
    make_bot: BotFactory, tmp_path: Path
) -> None:
    bot = make_bot(**RUNNING_WEEK)
    piket_cli.override(bot.ctx, "OVD-BZ", "15 februari 2027", "aov-3")
    before = {s.uid: s for s in store(bot).shifts()}
    exported = tmp_path / "export"
    exported.mkdir()
    for name, text in export_config(bot.ctx.db).items():
        (exported / name).write_text(text, encoding="utf-8")
    assert "first_duty_week: 2026-W48" in (exported / "piket.yaml").read_text(encoding="utf-8")
    report = import_config(bot.ctx.db, load_config(exported), bot.clock() + timedelta(hours=1))
    assert not any("piket" in line for line in report.lines())
    assert {s.uid: s for s in store(bot).shifts()} == before


def test_a_renamed_person_s_coming_shifts_change_and_nobody_else_s(make_bot: BotFactory) -> None:
    bot = make_bot(**RUNNING_WEEK)
    config_dir = bot.ctx.settings.oov_config_dir
    before = {s.uid: s for s in store(bot).shifts()}

    def rename(data: Any) -> None:
        next(p for p in data["people"] if p["key"] == "aov-1")["name"] = "Anne-Fleur Ørsted"

    edit_yaml(config_dir / "people.yaml", rename)
    bot.clock.advance(timedelta(hours=1))
    import_config(bot.ctx.db, load_config(config_dir), bot.clock())
    after = {s.uid: s for s in store(bot).shifts()}
    for uid, shift in after.items():
        renamed = shift.person_key == "aov-1"
        assert shift.sequence == before[uid].sequence + renamed
        assert (shift.last_modified == bot.clock()) is renamed
    assert any(s.person.name == "Anne-Fleur Ørsted" for s in after.values() if s.person)


def test_check_reports_piket_yaml_problems_with_their_line(tmp_path: Path) -> None:
    config_dir = copy_config(tmp_path / "c")

    def break_it(data: Any) -> None:
        data.update(
            handover={"weekday": "zondagmiddag", "time": "08:00"},
            usergroup="piket bz",
            team_channel="OOV Piket",
        )
        data["roles"][0]["people"].append({"key": "nobody"})

    edit_yaml(config_dir / "piket.yaml", break_it)
    with pytest.raises(ConfigError) as caught:
        load_config(config_dir)
    problems = [str(p) for p in caught.value.problems if p.file.name == "piket.yaml"]
    text = "\n".join(problems)
    lines = (config_dir / "piket.yaml").read_text(encoding="utf-8").splitlines()
    weekday_line = next(i for i, line in enumerate(lines, 1) if "zondagmiddag" in line)
    assert f"piket.yaml:{weekday_line}: handover.weekday: 'zondagmiddag' is geen weekdag" in text
    assert "onbekende persoon 'nobody'" in text
    assert "usergroup: 'piket bz' is geen Slack-gebruikersgroep" in text
    channel_line = next(i for i, line in enumerate(lines, 1) if "OOV Piket" in line)
    assert f'piket.yaml:{channel_line}: team_channel: schrijf "#kanaalnaam"' in text


# --- CLI ------------------------------------------------------------------------------------


def oov_bot(tmp_path: Path, config_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'oov.db'}",
        "OOV_CONFIG_DIR": str(config_dir),
    }
    return subprocess.run(
        [OOV_BOT, *args], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60
    )


@pytest.mark.parametrize("weeks", ["0", "-1"])
def test_showing_no_or_negative_weeks_is_refused(tmp_path: Path, weeks: str) -> None:
    config_dir = copy_config(tmp_path / "c")
    assert oov_bot(tmp_path, config_dir, "import").returncode == 0
    shown = oov_bot(tmp_path, config_dir, "piket", "toon", "--weken", weeks)
    assert shown.returncode == 1
    assert "1 of meer" in shown.stderr and shown.stdout == ""


def test_operator_shows_the_rota_and_sets_an_override_from_the_cli(tmp_path: Path) -> None:
    # A real process on the wall clock: dates are taken from what `toon` shows.
    config_dir = copy_config(tmp_path / "c")
    assert oov_bot(tmp_path, config_dir, "import").returncode == 0
    shown = oov_bot(tmp_path, config_dir, "piket", "toon", "--weken", "2")
    assert shown.returncode == 0, shown.stderr
    assert "OVD-BZ:" in shown.stdout and "IM-ACBZ:" in shown.stdout
    first_week = re.search(r"^\w+dag (\d+ \w+ \d{4}), 08:00 tot", shown.stdout, re.MULTILINE)
    assert first_week, shown.stdout
    day = first_week.group(1)

    unqualified = oov_bot(tmp_path, config_dir, "piket", "zet", "OVD-BZ", day, "teamleider")
    assert unqualified.returncode == 1
    assert "Teamleider OOV is niet gekwalificeerd voor OVD-BZ" in unqualified.stderr
    assert "Traceback" not in unqualified.stderr
    done = oov_bot(tmp_path, config_dir, "piket", "zet", "ovd-bz", *day.split(), "aov-3")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("OVD-BZ ") and day in done.stdout
    assert done.stdout.strip().endswith("→ AOV-er 3")


@pytest.mark.parametrize(
    ("role", "when", "person", "expected"),
    [
        ("OVD-X", "21 december", "aov-2", "Onbekende rol ‘OVD-X’; kies uit OVD-BZ, IM-ACBZ."),
        ("ovd-bz", "2031-W01", "aov-2", "Er is geen komende OVD-BZ-dienst op week 1 van 2031."),
        ("ovd-bz", "2099-W01", "aov-2", "4 januari 2099 ligt te ver weg"),
        ("ovd-bz", "1-1-9999", "aov-2", "ligt te ver weg"),
        ("OVD-BZ", "21 december", "nobody", "Onbekende persoon ‘nobody’"),
        (
            "OVD-BZ",
            "16-11-2026",
            "aov-2",
            "Er is geen komende OVD-BZ-dienst op maandag 16 november",
        ),
        ("OVD-BZ", "21 december", "aov-1", "AOV-er 1 heeft deze dienst al."),
    ],
)
def test_overrides_that_cannot_be_made_are_explained(
    make_bot: BotFactory, role: str, when: str, person: str, expected: str
) -> None:
    bot = make_bot(**RUNNING_WEEK)
    if person == "aov-1":
        piket_cli.override(bot.ctx, "OVD-BZ", when, "aov-1")
    with pytest.raises(DomainError) as caught:
        piket_cli.override(bot.ctx, role, when, person)
    assert expected in caught.value.message
