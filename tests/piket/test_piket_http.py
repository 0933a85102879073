"""/piket, swaps and the iCal feeds over real HTTP, on SQLite and PostgreSQL.

Feeds are read back with two parsers that share no code with the generator (vobject with
validation, and allenporter's ical); every shift's start and end instant is checked against the
database."""

from __future__ import annotations

import hashlib
import re
import time
from datetime import UTC, timedelta
from email.utils import format_datetime as http_date
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import vobject
from ical.calendar_stream import IcsCalendarStream
from sqlalchemy import select

from bot.core.piket_feed import token_hash
from bot.core.rota import parse_day_or_week
from bot.services.errors import DomainError
from handlers.piket.cli import override
from storage.models.piket import piket_feed_tokens
from testkit.app import RunningBot
from testkit.piket_fixtures import (
    AMS,
    BASE_URL,
    RUNNING_WEEK,
    BotFactory,
    local,
    shifts_of,
    store,
)
from testkit.replies import answer, text_of
from testkit.team_config import SLACK_IDS

AOV1, AOV2, AOV3 = SLACK_IDS["aov-1"], SLACK_IDS["aov-2"], SLACK_IDS["aov-3"]
TEAM_LEAD = SLACK_IDS["teamleider"]


# --- who is on duty -------------------------------------------------------------------------


def test_piket_nu_names_who_is_on_duty_per_role_and_until_when(make_bot: BotFactory) -> None:
    bot = make_bot(**RUNNING_WEEK)
    for text in ("", "nu"):
        body = answer(bot.slack.command("/piket", text))
        assert body["response_type"] == "ephemeral"
        shown = text_of(body)
        assert body["blocks"][0]["text"]["text"] == "Piket nu"
        assert f"*OVD-BZ*: <@{AOV1}> — tot maandag 30 november 2026, 08:00" in shown
        assert f"*IM-ACBZ*: <@{SLACK_IDS['beleidsmedewerker']}> — tot maandag 30 november" in shown


def test_outside_a_duty_week_piket_names_the_next_one(make_bot: BotFactory) -> None:
    bot = make_bot()  # the bundled config: duty weeks 9 November and 7 December 2026
    shown = text_of(answer(bot.slack.command("/piket")))
    assert "De gemeente heeft nu geen piket." in shown
    assert "maandag 7 december 2026, 08:00 tot maandag 14 december 2026, 08:00" in shown
    assert f"*OVD-BZ*: <@{AOV1}>" in shown


def test_piket_volgende_lists_the_next_four_duty_weeks(make_bot: BotFactory) -> None:
    bot = make_bot(**RUNNING_WEEK)
    body = answer(bot.slack.command("/piket", "volgende"))
    assert body["blocks"][0]["text"]["text"] == "De komende 4 piketweken"
    weeks = [b["text"]["text"] for b in body["blocks"][1:]]
    assert [w.split("\n")[0] for w in weeks] == [
        "*maandag 23 november 2026, 08:00 tot maandag 30 november 2026, 08:00* _(nu)_",
        "*maandag 21 december 2026, 08:00 tot maandag 28 december 2026, 08:00*",
        "*maandag 18 januari 2027, 08:00 tot maandag 25 januari 2027, 08:00*",
        "*maandag 15 februari 2027, 08:00 tot maandag 22 februari 2027, 08:00*",
    ]
    assert all("*OVD-BZ*: <@" in w and "*IM-ACBZ*: <@" in w for w in weeks)


def test_piket_for_a_person_lists_their_coming_shifts(make_bot: BotFactory) -> None:
    bot = make_bot(**RUNNING_WEEK)
    body = answer(bot.slack.command("/piket", f"<@{AOV2}|aov2>"))
    assert body["blocks"][0]["text"]["text"] == "Piket van AOV-er 2"
    lines = body["blocks"][1]["text"]["text"].split("\n")
    expected = [s.start for s in shifts_of(bot, "aov-2")]
    assert len(lines) == len(expected) > 1
    assert lines[0] == (
        "• *OVD-BZ*: maandag 21 december 2026, 08:00 tot maandag 28 december 2026, 08:00"
    )
    mine = text_of(answer(bot.slack.command("/piket", "mijn", user_id=AOV1)))
    assert "Piket van AOV-er 1" in mine and "_(nu)_" in mine
    lead = text_of(answer(bot.slack.command("/piket", "teamleider")))
    assert "heeft geen komende piketdiensten en staat niet in het piketrooster" in lead
    unknown = text_of(answer(bot.slack.command("/piket", "<script>")))
    assert "Ik ken geen persoon of datum “&lt;script&gt;”" in unknown


def test_piket_on_a_date_or_week_names_who_has_duty_then(make_bot: BotFactory) -> None:
    bot = make_bot(**RUNNING_WEEK)
    assert shifts_of(bot, "aov-2")[0].start == local(2026, 12, 21)  # OVD-BZ that week
    for asked in ("23 december", "week 52", "23-12"):
        shown = text_of(answer(bot.slack.command("/piket", asked)))
        assert f"*OVD-BZ*: <@{AOV2}> — maandag 21 december 2026, 08:00" in shown, asked
    quiet = text_of(answer(bot.slack.command("/piket", "10 januari 2027")))
    assert "Op zondag 10 januari 2027 heeft de gemeente geen piket." in quiet
    assert "*Volgende piketweek*" in quiet
    typo = text_of(answer(bot.slack.command("/piket", "23 decmber")))
    assert "Ik ken geen persoon of datum “23 decmber”" in typo


@pytest.mark.parametrize("text", ["help", "hulp", "?"])
def test_piket_help(make_bot: BotFactory, text: str) -> None:
    shown = text_of(answer(make_bot().slack.command("/piket", text)))
    # "<…>" escaped as Slack's mrkdwn requires (a bare one would be read as a link).
    wanted = ("/piket volgende", "/piket agenda vernieuw", "/piket ruil &lt;datum of week&gt;")
    for command in wanted:
        assert command in shown


# --- feed links -----------------------------------------------------------------------------


def request_links(bot: RunningBot, user_id: str, text: str = "agenda") -> dict[str, str]:
    """/piket agenda as `user_id`; the links of the DM it sends, by kind."""
    before = len(bot.fake.calls("chat.postMessage"))
    reply = text_of(answer(bot.slack.command("/piket", text, user_id=user_id)))
    assert "privébericht" in reply
    dm = bot.fake.wait_for("chat.postMessage", before + 1)[-1].args
    assert dm["channel"] == user_id
    shown = text_of(dm["blocks"])
    own = re.search(r"Mijn piketdiensten\*\\n(\S+)\\n(\S+?)\"", shown)
    everything = re.search(r"Hele piketrooster\*\\n(\S+)\\n(\S+?)\"", shown)
    assert own and everything, shown
    return {
        "own": own.group(1),
        "own_webcal": own.group(2),
        "all": everything.group(1),
        "all_webcal": everything.group(2),
        "text": shown,
        "reply": reply,
    }


def fetch(bot: RunningBot, link: str, **headers: str) -> requests.Response:
    return requests.get(bot.url + urlsplit(link).path, headers=headers, timeout=10)


def test_agenda_dms_private_https_and_webcal_links_with_instructions(
    make_bot: BotFactory,
) -> None:
    bot = make_bot(**RUNNING_WEEK)
    links = request_links(bot, AOV1)
    for kind in ("own", "all"):
        https, webcal = links[kind], links[f"{kind}_webcal"]
        assert re.fullmatch(rf"{BASE_URL}/ical/piket/[A-Za-z0-9_-]{{32}}\.ics", https)
        assert webcal == "webcal://" + https.removeprefix("https://")
        assert len(https) < 256
    for client in ("Outlook", "Google Agenda", "Apple Agenda"):
        assert client in links["text"]
    # Classic Outlook and iPhones have no "Abonneren vanaf internet" or "Archief" menu.
    assert "Agenda openen → Van internet" in links["text"]
    assert "Instellingen → Agenda → Accounts" in links["text"]
    # Only hashes are stored: the database does not reveal a working link.
    token = urlsplit(links["own"]).path.rsplit("/", 1)[1].removesuffix(".ics")
    with bot.ctx.db.transaction() as conn:
        hashes = set(conn.scalars(select(piket_feed_tokens.c.token_hash)))
    assert token_hash(token) in hashes and token not in hashes
    # Each request gives new links; the earlier ones keep working.
    again = request_links(bot, AOV1)
    assert again["own"] != links["own"]
    assert fetch(bot, links["own"]).status_code == 200


def test_agenda_without_public_base_url_says_the_operator_must_set_it(
    make_bot: BotFactory,
) -> None:
    bot = make_bot(settings={"public_base_url": None})
    shown = text_of(answer(bot.slack.command("/piket", "agenda", user_id=AOV1)))
    assert "PUBLIC_BASE_URL" in shown and "beheerder" in shown
    assert bot.fake.calls("chat.postMessage") == []
    unlinked = text_of(answer(bot.slack.command("/piket", "agenda", user_id="U0NOBODY1")))
    assert "nog niet gekoppeld" in unlinked


# --- the feed -------------------------------------------------------------------------------


def parse_both(body: bytes) -> tuple[Any, Any]:
    text = body.decode("utf-8")
    return vobject.readOne(text, validate=True), IcsCalendarStream.calendar_from_ics(text)


def test_feeds_read_by_two_parsers_put_every_shift_at_its_instant(make_bot: BotFactory) -> None:
    # Weekly duty for a year: both DST weeks of 2027, ISO week 53 of 2026 and the new year.
    bot = make_bot(cycle_weeks=1, **RUNNING_WEEK)
    links = request_links(bot, AOV3)
    window_end = bot.clock() + timedelta(days=366)
    stored = {s.uid: s for s in store(bot).shifts(start=bot.clock(), end=window_end)}
    starts = {s.start.astimezone(AMS).date().isoformat() for s in stored.values()}
    assert {"2026-12-28", "2027-03-22", "2027-10-25"} <= starts  # week 53, spring, autumn
    durations = {(s.end - s.start) / timedelta(hours=1) for s in stored.values()}
    assert durations == {167, 168, 169}

    for kind, expected in (
        ("all", stored),
        ("own", {u: s for u, s in stored.items() if s.person_key == "aov-3"}),
    ):
        response = fetch(bot, links[kind])
        assert response.status_code == 200
        by_vobject, by_ical = parse_both(response.content)
        assert len(by_vobject.vevent_list) == len(by_ical.events) == len(expected) > 0
        for event in by_vobject.vevent_list:
            shift = expected[event.uid.value]
            assert event.dtstart.value.astimezone(UTC) == shift.start
            assert event.dtend.value.astimezone(UTC) == shift.end
            assert event.summary.value == f"Piket {shift.role} — {shift.person.name}"
            assert event.transp.value == "TRANSPARENT"
        for event in by_ical.events:
            shift = expected[event.uid]
            assert (event.dtstart.astimezone(UTC), event.end.astimezone(UTC)) == (
                shift.start,
                shift.end,
            )
            assert event.sequence == shift.sequence == 0
    assert "Mijn piket" in fetch(bot, links["own"]).text
    assert "X-WR-CALNAME:Piketrooster OVD-BZ\\, IM-ACBZ" in fetch(bot, links["all"]).text


def test_feed_http_caching_etag_last_modified_304_and_head(make_bot: BotFactory) -> None:
    bot = make_bot(**RUNNING_WEEK)
    link = request_links(bot, AOV1)["all"]
    first = fetch(bot, link, Accept="text/html")
    second = fetch(bot, link, Accept="application/json")
    assert first.status_code == second.status_code == 200
    assert first.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert second.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert first.content == second.content  # byte-identical while nothing changes
    etag = first.headers["ETag"]
    assert etag == f'"{hashlib.sha256(first.content).hexdigest()}"'  # strong: no W/
    assert second.headers["ETag"] == etag
    assert first.headers["Last-Modified"] == second.headers["Last-Modified"]
    assert "max-age" in first.headers["Cache-Control"]
    # Names only: no Slack IDs, contact details or descriptions unless the config adds them.
    for private in (b"U0AOV", b"@", b"DESCRIPTION", b"ATTENDEE", b"ORGANIZER", b"TEL"):
        assert private not in first.content.replace(b"@piket.oov-bot", b"")
    assert first.content.count(b"\r\n") > 20 and b"\n" not in first.content.replace(b"\r\n", b"")

    not_modified = fetch(bot, link, **{"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified.headers["ETag"] == etag
    since = fetch(bot, link, **{"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    older = parsedate_to_datetime(first.headers["Last-Modified"]) - timedelta(seconds=1)
    assert fetch(bot, link, **{"If-Modified-Since": http_date(older, usegmt=True)}).ok
    assert fetch(bot, link, **{"If-None-Match": '"something-else"'}).status_code == 200

    head = requests.head(bot.url + urlsplit(link).path, timeout=10)
    assert head.status_code == 200 and head.content == b""
    for name in ("Content-Type", "ETag", "Last-Modified", "Content-Length"):
        assert head.headers[name] == first.headers[name]
    head_304 = requests.head(
        bot.url + urlsplit(link).path, headers={"If-None-Match": etag}, timeout=10
    )
    assert head_304.status_code == 304

    # The next day the window moves, but the body stays the same when no shift crossed its edge.
    bot.clock.advance(timedelta(days=1))
    assert fetch(bot, link).content == first.content


def test_unknown_malformed_and_revoked_tokens_get_404(make_bot: BotFactory) -> None:
    bot = make_bot(**RUNNING_WEEK)
    old = request_links(bot, AOV1)
    for path in (
        "/ical/piket/" + "A" * 32 + ".ics",
        "/ical/piket/kort.ics",
        "/ical/piket/" + "A" * 32 + ".txt",
    ):
        response = requests.get(bot.url + path, timeout=10)
        assert response.status_code == 404
        assert b"BEGIN:VCALENDAR" not in response.content
    renewed = request_links(bot, AOV1, "agenda vernieuw")
    assert "oude agenda-links werken niet meer (2 ingetrokken)" in renewed["reply"]
    for kind in ("own", "all"):
        gone = fetch(bot, old[kind])
        assert gone.status_code == 404
        assert gone.text == requests.get(bot.url + "/ical/piket/" + "B" * 32 + ".ics").text
        assert fetch(bot, renewed[kind]).status_code == 200
    # Whoever opens a dead link learns what to do, and not whether it ever worked.
    assert gone.text == (
        "Deze agendalink werkt niet: hij is onbekend of ingetrokken. Vraag in Slack nieuwe "
        "links aan met /piket agenda.\n"
    )


# --- swaps ----------------------------------------------------------------------------------


def click(bot: RunningBot, action: str, value: str, user_id: str) -> dict[str, Any]:
    before = len(bot.fake.calls("response_url"))
    answer(bot.slack.interactivity(bot.slack.block_actions_payload(action, value, user_id=user_id)))
    return bot.fake.wait_for("response_url", before + 1)[-1].args


def sequence_of(body: bytes, uid: str) -> int | None:
    calendar = vobject.readOne(body.decode("utf-8"), validate=True)
    for event in calendar.vevent_list:
        if event.uid.value == uid:
            return int(event.sequence.value)
    return None


def test_swap_round_trip_reaches_both_feeds_with_a_raised_sequence(make_bot: BotFactory) -> None:
    bot = make_bot(**RUNNING_WEEK)
    aov1_links, aov2_links = request_links(bot, AOV1), request_links(bot, AOV2)
    shift = next(s for s in shifts_of(bot, "aov-1") if s.start > bot.clock())
    assert shift.role == "OVD-BZ" and shift.start == local(2027, 2, 15)
    before = {k: fetch(bot, aov1_links[k]) for k in ("own", "all")}
    theirs_before = fetch(bot, aov2_links["own"])
    assert sequence_of(before["own"].content, shift.uid) == 0
    assert sequence_of(theirs_before.content, shift.uid) is None

    posted = len(bot.fake.calls("chat.postMessage"))
    reply = answer(bot.slack.command("/piket", f"ruil 15 februari <@{AOV2}|aov2>", user_id=AOV1))
    assert "Ruilvoorstel verstuurd" in text_of(reply)
    proposal = bot.fake.wait_for("chat.postMessage", posted + 1)[-1].args
    assert proposal["channel"] == AOV2
    buttons = next(b for b in proposal["blocks"] if b["type"] == "actions")["elements"]
    assert [b["text"]["text"] for b in buttons] == ["Accepteren", "Afwijzen"]
    assert "maandag 15 februari 2027, 08:00" in text_of(proposal["blocks"])
    swap_id = buttons[0]["value"]

    wrong = click(bot, "piket_swap_accept", swap_id, AOV3)
    assert "alleen die kan het beantwoorden" in wrong["text"]
    assert wrong["replace_original"] is False
    assert store(bot).shift(shift.uid).person_key == "aov-1"

    accepted = click(bot, "piket_swap_accept", swap_id, AOV2)
    assert accepted["replace_original"] is True and "geaccepteerd" in accepted["text"]
    dms = bot.fake.wait_for("chat.postMessage", posted + 3)[posted + 1 :]
    assert sorted(c.args["channel"] for c in dms) == sorted([AOV1, AOV2])
    assert all("maandag 15 februari 2027" in c.args["text"] for c in dms)

    now_stored = store(bot).shift(shift.uid)
    assert (now_stored.person_key, now_stored.sequence, now_stored.pinned) == ("aov-2", 1, True)
    assert now_stored.last_modified == bot.clock()
    after_own = fetch(bot, aov1_links["own"])
    assert sequence_of(after_own.content, shift.uid) is None  # gone from the old holder's feed
    assert sequence_of(fetch(bot, aov2_links["own"]).content, shift.uid) == 1
    whole = fetch(bot, aov1_links["all"])
    assert sequence_of(whole.content, shift.uid) == 1
    assert "Piket OVD-BZ — AOV-er 2" in whole.text
    for kind, response in (("own", after_own), ("all", whole)):
        assert response.headers["ETag"] != before[kind].headers["ETag"]
        # Clients that only send If-Modified-Since must see the change too.
        since = {"If-Modified-Since": before[kind].headers["Last-Modified"]}
        assert fetch(bot, aov1_links[kind], **since).status_code == 200

    again = click(bot, "piket_swap_accept", swap_id, AOV2)
    assert "al geaccepteerd" in again["text"]
    (change,) = store(bot).changes(shift.uid)
    assert (change.previous.key, change.new.key, change.changed_by, change.source) == (
        "aov-1",
        "aov-2",
        AOV2,
        "slack",
    )
    assert change.changed_at == bot.clock()


def test_a_swap_proposal_promises_the_rota_at_once_and_the_calendar_at_its_next_refresh(
    make_bot: BotFactory,
) -> None:
    # The feed changes at once, but a subscribed calendar shows it only when the calendar app
    # fetches again (Outlook every few hours, Google sometimes a day later): a colleague told
    # "meteen ... ook in je agenda-abonnement" looks at an old calendar and trusts it.
    bot = make_bot(**RUNNING_WEEK)
    posted = len(bot.fake.calls("chat.postMessage"))
    answer(bot.slack.command("/piket", f"ruil week 7 <@{AOV2}|aov2>", user_id=AOV1))
    shown = text_of(bot.fake.wait_for("chat.postMessage", posted + 1)[-1].args["blocks"])
    assert "Na acceptatie staat de dienst meteen op jouw naam in het rooster" in shown
    assert "ook in je agenda-abonnement" not in shown
    assert "zodra je agenda-app het rooster opnieuw ophaalt" in shown


def test_a_declined_swap_changes_nothing_and_tells_the_proposer(make_bot: BotFactory) -> None:
    bot = make_bot(**RUNNING_WEEK)
    shift = next(s for s in shifts_of(bot, "aov-1") if s.start > bot.clock())
    posted = len(bot.fake.calls("chat.postMessage"))
    answer(bot.slack.command("/piket", f"ruil week 7 <@{AOV3}|aov3>", user_id=AOV1))
    proposal = bot.fake.wait_for("chat.postMessage", posted + 1)[-1].args
    swap_id = next(b for b in proposal["blocks"] if b["type"] == "actions")["elements"][1]["value"]
    declined = click(bot, "piket_swap_decline", swap_id, AOV3)
    assert "afgewezen" in declined["text"]
    told = bot.fake.wait_for("chat.postMessage", posted + 2)[-1].args
    assert told["channel"] == AOV1 and "afgewezen" in told["text"]
    assert store(bot).shift(shift.uid).sequence == 0
    assert "al afgewezen" in click(bot, "piket_swap_accept", swap_id, AOV3)["text"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ruil", "Gebruik: `/piket ruil"),
        ("ruil morgen", "Gebruik: `/piket ruil"),
        (f"ruil 15 februari <@{SLACK_IDS['teamleider']}|tl>", "niet gekwalificeerd voor OVD-BZ"),
        (f"ruil 1 maart <@{AOV2}|aov2>", "Je hebt geen piketdienst op maandag 1 maart 2027"),
        (f"ruil 15 februari <@{AOV1}|ik>", "niet met jezelf"),
        ("ruil 15 februari @niemand", "Ik ken geen persoon"),
        ("ruil 15 februari <@U0GUEST01|gast>", "<@U0GUEST01> staat niet in het teamoverzicht"),
        (f"ruil 31 februari <@{AOV2}|aov2>", "februari"),
    ],
)
def test_impossible_swaps_are_refused_in_dutch(
    make_bot: BotFactory, text: str, expected: str
) -> None:
    bot = make_bot(**RUNNING_WEEK)
    shown = text_of(answer(bot.slack.command("/piket", text, user_id=AOV1)))
    assert expected in shown
    assert bot.fake.calls("chat.postMessage") == []


def test_an_exchange_swaps_both_shifts(make_bot: BotFactory) -> None:
    bot = make_bot(**RUNNING_WEEK)
    mine = next(s for s in shifts_of(bot, "aov-1") if s.start > bot.clock())
    theirs = next(s for s in shifts_of(bot, "aov-2") if s.start > bot.clock())
    command = (
        f"ruil {mine.start.astimezone(AMS):%d-%m-%Y} <@{AOV2}|aov2> "
        f"{theirs.start.astimezone(AMS):%d-%m-%Y}"
    )
    posted = len(bot.fake.calls("chat.postMessage"))
    answer(bot.slack.command("/piket", command, user_id=AOV1))
    proposal = bot.fake.wait_for("chat.postMessage", posted + 1)[-1].args
    assert "In ruil neemt" in text_of(proposal["blocks"])
    swap_id = next(b for b in proposal["blocks"] if b["type"] == "actions")["elements"][0]["value"]
    click(bot, "piket_swap_accept", swap_id, AOV2)
    assert store(bot).shift(mine.uid).person_key == "aov-2"
    assert store(bot).shift(theirs.uid).person_key == "aov-1"
    assert {c.new.key for c in store(bot).changes()} == {"aov-1", "aov-2"}


def test_nobody_is_given_a_second_role_in_a_week_they_already_have_one(
    make_bot: BotFactory,
) -> None:
    bot = make_bot(**RUNNING_WEEK)
    aov3_im = next(s for s in shifts_of(bot, "aov-3") if s.role == "IM-ACBZ")
    ovd = next(
        s
        for s in store(bot).shifts(start=aov3_im.start, end=aov3_im.end)
        if s.role == "OVD-BZ" and s.person_key in {"aov-1", "aov-2"}
    )
    holder = SLACK_IDS[ovd.person_key]
    day = f"{ovd.start.astimezone(AMS):%d-%m-%Y}"
    shown = text_of(answer(bot.slack.command("/piket", f"ruil {day} <@{AOV3}|a3>", user_id=holder)))
    assert "AOV-er 3 heeft dan al piket als IM-ACBZ" in shown
    assert bot.fake.calls("chat.postMessage") == []

    # Proposed while free, answered after the operator gave the colleague the other role.
    mine = next(s for s in shifts_of(bot, "aov-1") if s.start > bot.clock())
    day = f"{mine.start.astimezone(AMS):%d-%m-%Y}"
    answer(bot.slack.command("/piket", f"ruil {day} <@{AOV3}|a3>", user_id=AOV1))
    proposal = bot.fake.wait_for("chat.postMessage")[-1].args
    swap_id = next(b for b in proposal["blocks"] if b["type"] == "actions")["elements"][0]["value"]
    days = parse_day_or_week(day, bot.clock(), AMS)
    store(bot).set_person("IM-ACBZ", days, "aov-3", now=bot.clock())
    late = click(bot, "piket_swap_accept", swap_id, AOV3)
    assert "AOV-er 3 heeft dan al piket als IM-ACBZ" in late["text"]
    assert store(bot).shift(mine.uid).person_key == "aov-1"


def test_taking_over_a_running_shift_splits_it_and_moves_the_user_group(
    make_bot: BotFactory,
) -> None:
    bot = make_bot(**RUNNING_WEEK)
    running = next(s for s in shifts_of(bot, "aov-1") if s.start <= bot.clock())
    posted = len(bot.fake.calls("chat.postMessage"))
    answer(bot.slack.command("/piket", f"ruil vandaag <@{AOV2}|aov2>", user_id=AOV1))
    proposal = bot.fake.wait_for("chat.postMessage", posted + 1)[-1].args
    assert "De dienst loopt al" in text_of(proposal["blocks"])
    swap_id = next(b for b in proposal["blocks"] if b["type"] == "actions")["elements"][0]["value"]
    bot.clock.advance(timedelta(hours=3))
    click(bot, "piket_swap_accept", swap_id, AOV2)
    first = store(bot).shift(running.uid)
    assert (first.person_key, first.end, first.sequence) == ("aov-1", bot.clock(), 1)
    rest = next(s for s in shifts_of(bot, "aov-2") if s.start == bot.clock())
    assert rest.end == running.end
    update = bot.fake.wait_for("usergroups.users.update")[-1].args
    assert update["usergroup"] == "S0PIKET01"
    assert set(update["users"].split(",")) == {AOV2, SLACK_IDS["beleidsmedewerker"]}
    shown = text_of(answer(bot.slack.command("/piket")))
    assert f"*OVD-BZ*: <@{AOV2}>" in shown


def test_a_proposal_for_a_shift_that_changed_meanwhile_expires(make_bot: BotFactory) -> None:
    bot = make_bot(**RUNNING_WEEK)
    shift = next(s for s in shifts_of(bot, "aov-1") if s.start > bot.clock())
    posted = len(bot.fake.calls("chat.postMessage"))
    answer(bot.slack.command("/piket", f"ruil week 7 <@{AOV2}|aov2>", user_id=AOV1))
    answer(bot.slack.command("/piket", f"ruil week 7 <@{AOV3}|aov3>", user_id=AOV1))
    proposals = bot.fake.wait_for("chat.postMessage", posted + 2)[posted:]
    ids = {
        c.args["channel"]: next(b for b in c.args["blocks"] if b["type"] == "actions")["elements"][
            0
        ]["value"]
        for c in proposals
    }
    click(bot, "piket_swap_accept", ids[AOV3], AOV3)
    late = click(bot, "piket_swap_accept", ids[AOV2], AOV2)
    assert "inmiddels gewijzigd" in late["text"]
    assert store(bot).shift(shift.uid).person_key == "aov-3"
    deadline = time.monotonic() + 5  # the proposer's DM goes out after the click is answered
    while True:
        told = [
            c.args["text"]
            for c in bot.fake.calls("chat.postMessage")
            if c.args["channel"] == AOV1 and "gaat niet door" in c.args.get("text", "")
        ]
        if told or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(told) == 1
    assert re.match(rf"Je ruilvoorstel aan <@{AOV2}> gaat niet door\. [A-Z]", told[0]), told


# --- the same Dutch words as every other command (issues 8 and 9) ----------------------------


def test_piket_reads_relative_days_moments_and_weeks_like_every_command(
    make_bot: BotFactory,
) -> None:
    bot = make_bot(**RUNNING_WEEK)
    assert shifts_of(bot, "aov-2")[0].start == local(2026, 12, 21)  # OVD-BZ in week 52
    # "volgende dinsdag" is a date, as in /overleg: who has duty then, not the next four weeks.
    tuesday = text_of(answer(bot.slack.command("/piket", "volgende dinsdag")))
    assert "Piket op dinsdag" in tuesday and "De komende" not in tuesday
    # A date with a time: who has duty at that moment.
    moment = text_of(answer(bot.slack.command("/piket", "23 december 10:00")))
    assert "Piket op woensdag 23 december 2026, 10:00" in moment
    assert f"*OVD-BZ*: <@{AOV2}> — maandag 21 december 2026, 08:00" in moment
    # The duty of week 52 is the shift that starts in it, never week 51's tail.
    week = text_of(answer(bot.slack.command("/piket", "week 52")))
    assert week.count("*OVD-BZ*") == 1 and "maandag 14 december" not in week
    # A date beyond the horizon is answered in Dutch, not with a crash.
    far = text_of(answer(bot.slack.command("/piket", "1-1-9999")))
    assert "ligt te ver weg" in far


def test_piket_reads_a_weekday_s_day_part_and_the_nth_week_of_a_month(
    make_bot: BotFactory,
) -> None:
    bot = make_bot(**RUNNING_WEEK)  # Monday 23 November 2026, in a duty week
    tuesday = text_of(answer(bot.slack.command("/piket", "dinsdagmiddag")))
    assert "Piket op dinsdag 24 november 2026, 13:00" in tuesday
    assert "*OVD-BZ*: <@" in tuesday
    week = text_of(answer(bot.slack.command("/piket", "eerste week van januari")))
    assert "week 1 van 2027" in week and "Ik ken geen" not in week
    december = text_of(answer(bot.slack.command("/piket", "laatste week van december")))
    assert "week 53 van 2026" in december


def test_piket_in_a_month_lists_its_duty_weeks_and_zet_asks_for_one(
    make_bot: BotFactory,
) -> None:
    bot = make_bot(**RUNNING_WEEK)  # Monday 23 November 2026: duty weeks 48 and 52
    # "volgende maand" was read as 1 December: a day without duty, while week 52 has it.
    month = text_of(answer(bot.slack.command("/piket", "volgende maand")))
    assert "Piket in december 2026" in month
    assert f"*OVD-BZ*: <@{AOV2}> — maandag 21 december 2026, 08:00" in month
    with pytest.raises(DomainError, match="December 2026 is geen dag of week"):
        override(bot.ctx, "OVD-BZ", "volgende maand", "aov-3")


def test_a_moment_in_the_dst_hour_says_which_moment_it_reads(make_bot: BotFactory) -> None:
    # Weekly duty, so both DST Sundays of 2027 fall in a shift. 02:30 on 28 March 2027 does not
    # exist and was answered as 03:30 without a word; on 31 October it occurs twice and one of
    # the two was picked without a word.
    bot = make_bot(cycle_weeks=1, **RUNNING_WEEK)
    spring = answer(bot.slack.command("/piket", "28 maart 2027 02:30"))
    shown = text_of(spring)
    assert "Piket op zondag 28 maart 2027, 03:30" in shown
    assert (
        "02:30 bestaat niet op zondag 28 maart 2027: de zomertijd begint en de klok springt een "
        "uur vooruit. Ik lees 03:30."
    ) in shown
    assert "*OVD-BZ*: <@" in shown
    autumn = text_of(answer(bot.slack.command("/piket", "31 oktober 2027 2:30")))
    assert "Piket op zondag 31 oktober 2027, 02:30" in autumn
    assert "02:30 komt op zondag 31 oktober 2027 twee keer voor" in autumn
    assert "Ik lees de eerste keer, nog in zomertijd" in autumn
    assert "*OVD-BZ*: <@" in autumn
    plain = text_of(answer(bot.slack.command("/piket", "31 oktober 2027 12:00")))
    assert "Piket op zondag 31 oktober 2027, 12:00" in plain and "zomertijd" not in plain
    # Midnight said with a day: its start or its end? Asked, not guessed.
    midnight = text_of(answer(bot.slack.command("/piket", "zondag 12 uur 's nachts")))
    assert "kan het begin of het eind van zondag 29 november 2026 bedoeld zijn" in midnight


def test_slash_piket_and_piket_zet_agree_on_the_duty_of_week_n(make_bot: BotFactory) -> None:
    bot = make_bot(**RUNNING_WEEK)
    shown = text_of(answer(bot.slack.command("/piket", "week 52")))
    assert f"*OVD-BZ*: <@{AOV2}>" in shown
    summary = override(bot.ctx, "OVD-BZ", "week 52", "aov-3")
    assert summary.startswith("OVD-BZ maandag 21 december 2026, 08:00")
    assert summary.endswith("AOV-er 2 → AOV-er 3")


def test_the_clock_prerenders_the_feeds_after_a_rota_change(
    make_bot: BotFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from handlers.piket.clock import prerender_feeds
    from handlers.piket.feed import FeedServer

    bot = make_bot(**RUNNING_WEEK)
    links = request_links(bot, AOV3)
    before = {kind: fetch(bot, links[kind]).content for kind in ("own", "all")}
    renders: list[object] = []
    render = FeedServer._render
    monkeypatch.setattr(
        FeedServer, "_render", lambda self, *a: renders.append(a) or render(self, *a)
    )
    day = bot.clock().astimezone(AMS).date() + timedelta(weeks=4)
    store(bot).set_person("OVD-BZ", parse_day_or_week(f"{day:%d-%m-%Y}", bot.clock(), AMS), "aov-3",
                          now=bot.clock())  # fmt: skip
    prerender_feeds(bot.ctx)  # what each planning round does
    assert len(renders) == 2
    after = {kind: fetch(bot, links[kind]).content for kind in ("own", "all")}
    assert len(renders) == 2  # the fetches found their bodies rendered
    assert after["own"] != before["own"] and after["all"] != before["all"]
    assert after["own"].count(b"BEGIN:VEVENT") == before["own"].count(b"BEGIN:VEVENT") + 1
    prerender_feeds(bot.ctx)
    assert len(renders) == 2  # nothing moved: nothing rendered again
