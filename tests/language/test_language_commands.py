"""One Dutch language, every command (issue 8): a table of expression classes × the commands that
must accept them, over real HTTP at fixed instants around the DST changes and year ends.

Each cell names what the command must show (or store) for that expression at that instant. A
class that makes no sense for a command is left out explicitly in `NOT_APPLICABLE`, with why.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.language import format_date, format_datetime, wall_time
from bot.services.errors import DomainError
from bot.shell import answer_line, command_table
from handlers.piket import cli as piket_cli
from storage.actions import ActionStore
from storage.piket import PiketStore
from storage.session import Database
from testkit.app import RunningBot, start_bot
from testkit.clock import FixedClock
from testkit.fake_slack import FakeSlack
from testkit.replies import answer, text_of
from testkit.team_config import LEADS_WITH_DEFAULT_USER, SLACK_IDS, copy_config, edit_yaml

AMS = ZoneInfo("Europe/Amsterdam")
BERT = SLACK_IDS["aov-2"]
LEADS = (*LEADS_WITH_DEFAULT_USER, "aov-2")
BOA_CHANNEL = "C0BOA0001"


# --- the instants -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Instant:
    now: datetime  # 10:00 local (one at 00:30)
    absolute: str  # an absolute date as typed, and the date it names
    absolute_day: date
    week: int  # the ISO week typed ("week N"): the first such week that has not ended
    week_monday: date


INSTANTS = {
    # The day before summer time starts (Sunday 28 March 2027, 02:00 -> 03:00).
    "before-spring-dst": Instant(
        datetime(2027, 3, 27, 10, tzinfo=AMS), "30-3", date(2027, 3, 30), 13, date(2027, 3, 29)
    ),
    # The day before summer time ends (Sunday 25 October 2026, 03:00 -> 02:00).
    "before-autumn-dst": Instant(
        datetime(2026, 10, 24, 10, tzinfo=AMS),
        "27 oktober",
        date(2026, 10, 27),
        44,
        date(2026, 10, 26),
    ),
    # New Year's Eve: "week 1" and dates without a year are in the next year.
    "new-years-eve": Instant(
        datetime(2026, 12, 31, 10, tzinfo=AMS),
        "5 januari",
        date(2027, 1, 5),
        1,
        date(2027, 1, 4),
    ),
    # 2026 has 53 ISO weeks: "week 53" is this week, not one a year away.
    "week-53": Instant(
        datetime(2026, 12, 28, 10, tzinfo=AMS),
        "4-1-2027",
        date(2027, 1, 4),
        53,
        date(2026, 12, 28),
    ),
    # Half past midnight on New Year's Day (still 31 December in UTC), a Friday in week 53 of
    # 2026: "week 53" is the week running, "morgen" is 2 January.
    "new-year-midnight": Instant(
        datetime(2027, 1, 1, 0, 30, tzinfo=AMS),
        "5-1",
        date(2027, 1, 5),
        53,
        date(2026, 12, 28),
    ),
}


def next_weekday(today: date, weekday: int, *, next_week: bool = False) -> date:
    """The first such day after today; with `next_week`, the one in next (Monday-based) week."""
    if next_week:
        return today - timedelta(days=today.weekday()) + timedelta(days=7 + weekday)
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


# --- the expression classes ---------------------------------------------------------------------


@dataclass(frozen=True)
class Expression:
    """What the user types, and what it means at `now`: a day, a moment, or a problem."""

    text: str
    day: date | None = None
    moment: datetime | None = None
    week: tuple[int, int] | None = None  # (ISO week, ISO year)
    problem: str | None = None  # a Dutch phrase the answer must contain


def expressions(instant: Instant) -> dict[str, Expression]:
    today = instant.now.date()
    sunday = next_weekday(today, 6)
    return {
        "absolute date": Expression(instant.absolute, day=instant.absolute_day),
        "weekday": Expression("zondag", day=sunday),
        "volgende <weekdag>": Expression(
            "volgende dinsdag", day=next_weekday(today, 1, next_week=True)
        ),
        "over N weken": Expression("over 2 weken", day=today + timedelta(weeks=2)),
        "week N": Expression(
            f"week {instant.week}",
            day=instant.week_monday,
            week=(instant.week, instant.week_monday.isocalendar().year),
        ),
        # 02:30 on the Sunday of a DST change: in spring it does not exist (03:30), in autumn it
        # occurs twice (the first, summer time).
        "date+time": Expression("zondag 02:30", moment=wall_time(sunday, time(2, 30), AMS)),
        "day part": Expression(
            "morgenochtend", moment=wall_time(today + timedelta(days=1), time(9), AMS)
        ),
        "unreadable": Expression("kerstavond", problem="kerstavond"),
        # A date that cannot be is no person's name either: every command says why.
        "impossible": Expression("31-2", problem="31 februari bestaat niet"),
        "far future": Expression("1-1-9999", problem="ligt te ver weg"),
    }


# Where a class makes no sense for a command, and why; every other cell is tested.
NOT_APPLICABLE = {
    ("overleg annuleer", "date+time"): "a meeting is cancelled by its day; its time is fixed",
    ("overleg annuleer", "day part"): "a meeting is cancelled by its day; its time is fixed",
    ("piket zet", "date+time"): "a shift is given by a day or a week, not a moment",
    ("piket zet", "day part"): "a shift is given by a day or a week, not a moment",
    ("actie:", "date+time"): "a deadline is a day",
    ("actie:", "day part"): "a deadline is a day",
    ("overleg verplaats", "week N"): "a meeting moves to a day, not to a week",
}


# --- the commands -------------------------------------------------------------------------------

Command = Callable[[RunningBot, Expression], str]


def slash(bot: RunningBot, command: str, text: str) -> str:
    return text_of(answer(bot.slack.command(command, text, user_id=BERT)))


def run_piket(bot: RunningBot, expr: Expression) -> str:
    return slash(bot, "/piket", expr.text)


def run_shell_piket(bot: RunningBot, expr: Expression) -> str:
    return answer_line(command_table(bot.ctx), f"piket {expr.text}")


def run_cancel(bot: RunningBot, expr: Expression) -> str:
    return slash(bot, "/overleg", f"annuleer boa {expr.text}")


def run_move(bot: RunningBot, expr: Expression) -> str:
    """Next week's team meeting (Mondays 10:00; the cancel cells use the boa-briefing) moved to
    the expression: moved, or asked back ("Bedoel je …?")."""
    return slash(bot, "/overleg", f"verplaats teamoverleg volgende maandag naar {expr.text}")


def run_zet(bot: RunningBot, expr: Expression) -> str:
    try:
        return piket_cli.override(bot.ctx, "OVD-BZ", expr.text, "aov-3")
    except DomainError as error:
        return error.message


_sent = iter(range(1, 10_000))


def run_action(bot: RunningBot, expr: Expression) -> str:
    """An `actie:` line in a meeting channel; the confirmation in its thread, plus the stored
    deadline as `due=<iso date>`."""
    ts = f"1700000{next(_sent):03d}.000100"
    event = {
        "type": "message",
        "channel": BOA_CHANNEL,
        "user": BERT,
        "text": f"actie: ik bel de wijkagent uiterlijk {expr.text}",
        "ts": ts,
    }
    assert bot.slack.event(event).status_code == 200
    deadline = _time.monotonic() + 5
    while _time.monotonic() < deadline:
        replies = [
            c.args["text"]
            for c in bot.fake.calls("chat.postMessage")
            if c.args.get("thread_ts") == ts
        ]
        if replies:
            break
        _time.sleep(0.02)
    else:
        raise AssertionError(f"no confirmation for {expr.text!r}")
    item = ActionStore(bot.ctx.db).by_source(BOA_CHANNEL, ts)
    due = item.due_on if item is not None else None
    return f"{replies[0]} due={due.isoformat() if due else None}"


COMMANDS: dict[str, Command] = {
    "actie:": run_action,
    "overleg annuleer": run_cancel,
    "overleg verplaats": run_move,
    "/piket": run_piket,
    "shell piket": run_shell_piket,
    "piket zet": run_zet,
}


def expected(command: str, expr: Expression) -> str:
    """The words the answer must contain."""
    if expr.problem is not None:
        return expr.problem
    if command == "actie:":
        assert expr.day is not None
        # A week as a deadline is its Friday, like "volgende week".
        due = expr.day + timedelta(days=4) if expr.week else expr.day
        return f"due={due.isoformat()}"
    if expr.moment is not None:
        return format_datetime(expr.moment, tz=AMS)
    assert expr.day is not None
    if expr.week is not None and command in ("/piket", "shell piket", "piket zet"):
        return f"week {expr.week[0]} van {expr.week[1]}"
    if expr.week is not None and command == "overleg annuleer":
        return format_date(expr.day + timedelta(days=1))  # that week's boa-briefing (Tuesday)
    # `overleg verplaats` to a day: moved to that day at its own time, or asked about that day
    # ("Op maandag 11 januari 2027 is er al een Teamoverleg"): either way the day is named.
    return format_date(expr.day)


def shows_day(bot: RunningBot, command: str, expr: Expression, shown: str) -> bool:
    """`piket zet` on a day inside a duty week answers with the shift, not the day (or, when an
    earlier cell gave it away already, that aov-3 has it): the shift that belongs to aov-3 must
    cover the day (or the week's Monday; in a week already running, now: a running shift is
    handed over from now on)."""
    given = shown.startswith("OVD-BZ ") or shown == "AOV-er 3 heeft deze dienst al."
    if command != "piket zet" or expr.day is None or not given:
        return False
    noon = max(wall_time(expr.day, time(12), AMS), bot.ctx.now())
    shifts = PiketStore(bot.ctx.db, bot.ctx.tz).shifts(start=noon - timedelta(days=8))
    return any(
        s.role == "OVD-BZ" and s.start <= noon < s.end and s.person_key == "aov-3" for s in shifts
    )


# --- the bots -----------------------------------------------------------------------------------


def boa_in_channel(data: Any) -> None:
    for series in data["meetings"]:
        if series["key"] == "boa-briefing":
            series["channel"] = BOA_CHANNEL


@pytest.fixture
def bot_at(
    db: Database, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path
) -> Iterator[Callable[[datetime], RunningBot]]:
    servers = []

    def make(now: datetime) -> RunningBot:
        clock.current = now.astimezone(UTC)
        # BERT (aov-2) changes meetings here: a team lead, like the default test user.
        config = copy_config(tmp_path / f"config{len(servers)}", team_leads=LEADS)
        edit_yaml(config / "meetings.yaml", boa_in_channel)
        week = now.isocalendar()
        edit_yaml(
            config / "piket.yaml",
            lambda data: data.update(first_duty_week=f"{week.year}-W{week.week:02d}"),
        )
        running, server = start_bot(db, fake_slack, clock, config_dir=config)
        servers.append(server)
        return running

    yield make
    for server in servers:
        server.close()


@pytest.mark.parametrize("instant_name", list(INSTANTS))
def test_every_command_reads_every_date_expression_alike(
    bot_at: Callable[[datetime], RunningBot], instant_name: str
) -> None:
    instant = INSTANTS[instant_name]
    bot = bot_at(instant.now)
    failures = []
    cells = 0
    for command, run in COMMANDS.items():
        for name, expr in expressions(instant).items():
            if (command, name) in NOT_APPLICABLE:
                continue
            cells += 1
            shown = run(bot, expr)
            want = expected(command, expr)
            if want not in shown and not shows_day(bot, command, expr, shown):
                failures.append(f"{command} × {name} ({expr.text!r}): want {want!r} in {shown!r}")
    assert not failures, f"{instant_name}:\n" + "\n".join(failures)
    assert cells == len(COMMANDS) * 10 - len(NOT_APPLICABLE)


# --- people -------------------------------------------------------------------------------------

PERSON_CLASSES = {
    "mention": f"<@{BERT}|bert>",
    "@key": "@aov-2",
    "key": "aov-2",
    "name": "AOV-er 2",
    "ik": "ik",
    "unknown": "kwispelstaart",
}
# What each command shows for aov-2 (typed by aov-2 themself for "ik"), and for an unknown word.
PERSON_ANSWERS = {
    "/acties": ("De open actiepunten van AOV-er 2", "Jouw open actiepunten", "kwispelstaart"),
    "/taken": ("Taken van AOV-er 2", "Taken van AOV-er 2", "Ik ken geen persoon “kwispelstaart”"),
    "/piket": ("Piket van AOV-er 2", "Piket van AOV-er 2", "Ik ken geen persoon"),
    "shell taken": ("Taken van AOV-er 2", None, "Ik ken geen persoon “kwispelstaart”"),
}
# The shell has no Slack user: "ik" is nobody there. Action capture reads only a mention or "ik"
# in free text (a bare word is part of the sentence); it is covered in test_actions_meetings.py.
PERSON_NOT_APPLICABLE = {("shell taken", "ik"): "the shell has no caller"}


def test_every_command_reads_a_person_alike(bot_at: Callable[[datetime], RunningBot]) -> None:
    bot = bot_at(INSTANTS["week-53"].now)
    failures = []
    for command, (named, myself, unknown) in PERSON_ANSWERS.items():
        for name, text in PERSON_CLASSES.items():
            if (command, name) in PERSON_NOT_APPLICABLE:
                continue
            if command == "shell taken":
                shown = answer_line(command_table(bot.ctx), f"taken {text}")
            else:
                shown = slash(bot, command, text)
            want = {"ik": myself, "unknown": unknown}.get(name, named)
            assert want is not None
            if want not in shown:
                failures.append(f"{command} × {name} ({text!r}): want {want!r} in {shown!r}")
    assert not failures, "\n".join(failures)
