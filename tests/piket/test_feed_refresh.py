"""The feeds after a rota change, over real HTTP on SQLite and PostgreSQL: a web process without
a clock renders the changed feeds in the background before a subscriber asks, shows a change
another process made, and its validators (ETag, Last-Modified) stay right across processes."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import select

from bot.core.piket_feed import token_hash
from bot.core.rota import parse_day_or_week
from handlers.piket.feed import FeedServer
from storage.models.piket import piket_feed_tokens
from storage.piket import LocalChanges, PiketStore
from storage.session import Database
from storage.versions import share_versions
from testkit.app import RunningBot
from testkit.piket_fixtures import AMS, RUNNING_WEEK, BotFactory
from testkit.replies import answer, text_of
from testkit.waiting import wait_until
from tests.piket.test_piket_http import AOV3, fetch, request_links

REFRESHER = "piket-feed-refresher"


class Renders:
    """The name of the thread each feed render ran on, per bot: a refresher that an earlier
    test in this process left winding down renders too, and must not count."""

    def __init__(self) -> None:
        self._seen: list[tuple[object, str]] = []

    def add(self, ctx: object) -> None:
        self._seen.append((ctx, threading.current_thread().name))

    def of(self, bot: RunningBot) -> list[str]:
        return [name for ctx, name in self._seen if ctx is bot.ctx]


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> Renders:
    seen = Renders()
    render = FeedServer._render

    def counted(self: FeedServer, *args: object) -> object:
        seen.add(self.ctx)
        return render(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(FeedServer, "_render", counted)
    return seen


def change_as_another_process(bot: RunningBot, weeks: int, person_key: str) -> None:
    """Give a shift to someone through a connection of its own, and keep this process's caches
    unaware of it, as when `oov-bot piket zet` or another web process made the change."""
    told = LocalChanges.count
    other = Database(bot.ctx.db.url)
    try:
        day = bot.clock().astimezone(AMS).date() + timedelta(weeks=weeks)
        PiketStore(other, AMS).set_person(
            "OVD-BZ", parse_day_or_week(f"{day:%d-%m-%Y}", bot.clock(), AMS), person_key,
            now=bot.clock(),
        )  # fmt: skip
    finally:
        other.dispose()
        LocalChanges.count = told


def test_a_change_by_another_process_is_served_pre_rendered_with_new_validators(
    make_bot: BotFactory, renders: Renders
) -> None:
    bot = make_bot(**RUNNING_WEEK)
    links = request_links(bot, AOV3)
    before = {kind: fetch(bot, links[kind]) for kind in ("own", "all")}
    # rendered by those fetches
    assert renders.of(bot).count(REFRESHER) == 0 and len(renders.of(bot)) == 2
    bot.clock.advance(timedelta(seconds=30))

    change_as_another_process(bot, weeks=4, person_key="aov-3")
    # The web process renders the two feeds served lately in the background, without a clock
    # and without a request asking for them.
    wait_until(lambda: len(renders.of(bot)) == 4)
    assert renders.of(bot)[2:] == [REFRESHER, REFRESHER]

    after = {kind: fetch(bot, links[kind]) for kind in ("own", "all")}
    assert len(renders.of(bot)) == 4  # the subscriber's fetches found them rendered
    own_events = after["own"].content.count(b"BEGIN:VEVENT")
    assert own_events == before["own"].content.count(b"BEGIN:VEVENT") + 1  # the new shift
    assert b"Piket OVD-BZ \xe2\x80\x94 AOV-er 3" in after["all"].content
    for kind in ("own", "all"):
        old, new = before[kind], after[kind]
        assert new.headers["ETag"] != old.headers["ETag"]
        assert parsedate_to_datetime(new.headers["Last-Modified"]) > parsedate_to_datetime(
            old.headers["Last-Modified"]
        )
        # Clients holding the old validators get the new rota, with either header.
        assert fetch(bot, links[kind], **{"If-None-Match": old.headers["ETag"]}).content == (
            new.content
        )
        since = {"If-Modified-Since": old.headers["Last-Modified"]}
        assert fetch(bot, links[kind], **since).status_code == 200
        assert fetch(bot, links[kind], **{"If-None-Match": new.headers["ETag"]}).status_code == 304
    assert len(renders.of(bot)) == 4


def test_a_feed_rendered_while_the_shared_reading_is_young_shows_the_new_rota(
    make_bot: BotFactory, renders: Renders
) -> None:
    # The process's threads share one reading of the data versions for a tenth of a second; a
    # feed is filed under the rota version read apart from it, so its shifts must not come from
    # an older shared reading, or the old rota would be served under the new version for the
    # rest of the day. Here the shared reading never ages: only a fresh one sees the change.
    bot = make_bot(**RUNNING_WEEK)
    share_versions(bot.ctx.db, monotonic=lambda: 0.0)
    links = request_links(bot, AOV3)
    before = fetch(bot, links["own"]).content.count(b"BEGIN:VEVENT")
    assert "OVD-BZ" in text_of(answer(bot.slack.command("/piket", "")))  # a shared reading
    bot.clock.advance(timedelta(seconds=30))
    change_as_another_process(bot, weeks=4, person_key="aov-3")
    wait_until(lambda: REFRESHER in renders.of(bot))
    assert fetch(bot, links["own"]).content.count(b"BEGIN:VEVENT") == before + 1


def test_a_fetch_while_the_refresher_renders_gets_the_new_rota(
    make_bot: BotFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The refresher rendered the new bodies, then forgot the cached tokens: a subscriber whose
    # token was still cached (with the old rota version) in between was served the old body.
    bot = make_bot(**RUNNING_WEEK)
    link = request_links(bot, AOV3)["own"]
    before = fetch(bot, link).content.count(b"BEGIN:VEVENT")
    change_as_another_process(bot, weeks=4, person_key="aov-3")
    during: list[int] = []
    prerender = FeedServer.prerender

    def fetching_right_after(self: FeedServer, version: int | None = None) -> int:
        rendered = prerender(self, version)
        during.append(fetch(bot, link).content.count(b"BEGIN:VEVENT"))
        return rendered

    monkeypatch.setattr(FeedServer, "prerender", fetching_right_after)
    wait_until(lambda: bool(during))

    assert during[0] == before + 1


def test_a_second_web_process_keeps_the_last_modified_the_first_one_served(
    make_bot: BotFactory, db: Database
) -> None:
    first = make_bot(**RUNNING_WEEK)
    link = request_links(first, AOV3)["all"]
    start = fetch(first, link)
    # Four weeks later the window has moved on: a shift planned long ago entered it, so the body
    # changed without a newer date in it; Last-Modified moves forward to "now" then.
    first.clock.advance(timedelta(days=28))
    moved = fetch(first, link)
    assert moved.headers["ETag"] != start.headers["ETag"]
    modified = moved.headers["Last-Modified"]
    assert parsedate_to_datetime(modified) == first.clock().replace(microsecond=0)

    # What was served is written in the background, not by the request, but soon.
    hashed = token_hash(link.rsplit("/", 1)[1].removesuffix(".ics"))

    def written() -> bool:
        with db.transaction() as conn:
            stored = conn.scalar(
                select(piket_feed_tokens.c.served_etag).where(
                    piket_feed_tokens.c.token_hash == hashed
                )
            )
        return f'"{stored}"' == moved.headers["ETag"]

    wait_until(written)

    # Another web process (or this one restarted), an hour later, serves the same body with the
    # same Last-Modified: a calendar asking If-Modified-Since does not download it again.
    first.clock.advance(timedelta(hours=1))
    second = make_bot(**RUNNING_WEEK)
    again = fetch(second, link)
    assert again.content == moved.content
    assert again.headers["Last-Modified"] == modified
    assert fetch(second, link, **{"If-Modified-Since": modified}).status_code == 304


def test_feed_rendering_is_not_imported_before_a_feed_is_rendered() -> None:
    # icalendar and the renderer cost ~3 MiB and their start-up import; the web app with its
    # feed route, and the clock's planners, must not load them.
    probe = (
        "import sys\n"
        "from bot.features import planners, routes\n"
        "import handlers.piket.feed, handlers.piket.clock\n"
        "routes(); planners()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'icalendar'"
        " or m == 'bot.core.calendar_feed'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
