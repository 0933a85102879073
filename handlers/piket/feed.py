"""The private iCal feeds over HTTP: GET/HEAD /ical/piket/<token>.ics (Slack-free)."""

from __future__ import annotations

import logging
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, datetime
from time import monotonic as time_monotonic

from flask import Response, request
from msgspec import Struct
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from bot.context import AppContext
from bot.core.piket_feed import (
    FeedScope,
    calendar_name,
    etag_for,
    feed_window,
    looks_like_token,
    next_last_modified,
    token_hash,
)
from handlers.piket.common import piket_store
from storage.piket import FeedTokenView, LocalChanges
from storage.team import PersonView
from storage.versions import read_fresh

log = logging.getLogger(__name__)


class _RenderedFeed(Struct, frozen=True):
    body: bytes
    etag: str
    data_modified: datetime | None  # the newest LAST-MODIFIED in the body


class FeedServer:
    """GET/HEAD /ical/piket/<token>.ics. The rendered body is cached per (feed, rota version,
    day) and a live token for a few seconds, so a repeated fetch costs one query (the token) or
    none; ETag and Last-Modified make the answer conditional (304).

    Changes made in this process (a swap, a revoked link) clear the token cache at once; those
    made by another process show after at most TOKEN_TTL seconds, and after about
    REFRESH_SECONDS once the refresher saw the rota version move.

    A body is the concatenation of texts rendered once per event (bot.core.calendar_feed). The
    first request starts a refresher thread that, every REFRESH_SECONDS, reads the rota version
    (one query by primary key) and renders the feeds served lately anew when it or the day
    moved, and writes what was served under each token (the validators' memory) in one batch,
    so neither rendering nor a write is left on the request after a change. The clock's
    planning round calls `prerender` too. Why a thread in the web process rather than texts
    shared through the database by the clock: a `serve` without a clock must be as quick, the
    rendered feeds stay where they are served (no 200 KiB rows written per change and read per
    fetch, no migration), and it costs one small query a second, only once feeds are fetched.

    icalendar (bot.core.calendar_feed) is imported by the first render, not at start-up."""

    CACHE_SIZE = 256
    TOKEN_CACHE_SIZE = 1024
    TOKEN_TTL = 2.0  # seconds
    REFRESH_SECONDS = 1.0
    MAX_AGE = 300

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.store = piket_store(ctx)
        self._cache: OrderedDict[tuple[object, ...], _RenderedFeed] = OrderedDict()
        # (scope, person id or None) -> the person: the feeds served lately, for `prerender`.
        self._served: OrderedDict[tuple[FeedScope, int | None], PersonView] = OrderedDict()
        # token hash -> (monotonic expiry, LocalChanges.count when read, the token)
        self._tokens: OrderedDict[str, tuple[float, int, FeedTokenView]] = OrderedDict()
        # token id -> the (ETag, Last-Modified) this process served last: newer than the
        # database's until the refresher wrote it, and after that while a token read before the
        # write is still cached.
        self._last_served: OrderedDict[int, tuple[str, datetime]] = OrderedDict()
        self._unwritten: dict[int, tuple[str, datetime]] = {}
        self._lock = threading.Lock()
        self._render_lock = threading.Lock()  # one render at a time: never the same one twice
        self._refresher: threading.Thread | None = None
        self._stop = threading.Event()
        self._seen: tuple[int | None, date] | None = None  # rota version and day last refreshed

    def _token(self, hashed: str) -> FeedTokenView | None:
        generation, now = LocalChanges.count, time_monotonic()
        with self._lock:
            cached = self._tokens.get(hashed)
            if cached and cached[0] > now and cached[1] == generation:
                return cached[2]
        found = self.store.feed_token(hashed)
        if found is not None:
            self._remember(hashed, found, generation, now + self.TOKEN_TTL)
        return found

    def _remember(self, hashed: str, token: FeedTokenView, generation: int, until: float) -> None:
        with self._lock:
            self._tokens[hashed] = (until, generation, token)
            self._tokens.move_to_end(hashed)
            while len(self._tokens) > self.TOKEN_CACHE_SIZE:
                self._tokens.popitem(last=False)

    def __call__(self, token: str) -> Response:
        # Failures are answered here, not by Flask: its error log names the request's path, and
        # the path holds the token, the key to the calendar.
        try:
            return self._serve(token)
        except SQLAlchemyError as exc:  # the database away: clients keep what they have
            log.warning("serving a piket feed failed: %s", exc.__class__.__name__)
            return self._failure(
                503, "Het piketrooster is even niet bereikbaar. Probeer het later opnieuw.\n"
            )
        except HTTPException:
            raise
        except Exception:
            log.exception("serving a piket feed failed")
            return self._failure(
                500,
                "Er ging iets mis bij het ophalen van het piketrooster. Probeer het later "
                "opnieuw.\n",
            )

    def _serve(self, token: str) -> Response:
        if not looks_like_token(token):
            return self.not_found()
        self._start_refresher()
        hashed = token_hash(token)
        found = self._token(hashed)
        if found is None:
            return self.not_found()
        today = self.ctx.now().astimezone(self.ctx.tz).date()
        rendered = self._body(found.scope, found.person, found.rota_version, today)
        if rendered is None:
            return self.not_found()
        served_etag, served_modified = self._served_before(found)
        data_modified = max(found.created_at, rendered.data_modified or found.created_at)
        last_modified = next_last_modified(
            data_modified=data_modified,
            etag=rendered.etag,
            served_etag=served_etag,
            served_modified=served_modified,
            now=self.ctx.now(),
        )
        if (rendered.etag, last_modified) != (served_etag, served_modified):
            # Written by the refresher, not here: the first fetch after a change costs no write.
            # A record lost with the process is harmless: the next one computed is no earlier.
            with self._lock:
                self._last_served[found.id] = self._unwritten[found.id] = (
                    rendered.etag,
                    last_modified,
                )
                self._last_served.move_to_end(found.id)
                while len(self._last_served) > self.TOKEN_CACHE_SIZE:
                    self._last_served.popitem(last=False)
        response = Response(rendered.body, content_type="text/calendar; charset=utf-8")
        response.set_etag(rendered.etag)
        response.last_modified = last_modified
        response.cache_control.private = True
        response.cache_control.max_age = self.MAX_AGE
        return response.make_conditional(request)

    def _served_before(self, found: FeedTokenView) -> tuple[str | None, datetime | None]:
        """What was served under the token last: the database's record or this process's own,
        whichever is newer (Last-Modified only moves forward, so newer is later)."""
        with self._lock:
            mine = self._last_served.get(found.id)
        stored = found.served_last_modified
        if mine is not None and (stored is None or mine[1] >= stored):
            return mine
        return found.served_etag, stored

    def _body(
        self, scope: FeedScope, person: PersonView, rota_version: int, today: date
    ) -> _RenderedFeed | None:
        feed = (scope, person.id if scope is FeedScope.OWN else None)
        key = (*feed, rota_version, today)
        with self._lock:
            rendered = self._cache.get(key)
            if rendered is not None:
                self._cache.move_to_end(key)
            self._served[feed] = person
            self._served.move_to_end(feed)
            while len(self._served) > self.CACHE_SIZE:
                self._served.popitem(last=False)
        if rendered is not None:
            return rendered
        with self._render_lock:
            with self._lock:  # rendered by the refresher or another request meanwhile?
                rendered = self._cache.get(key)
            if rendered is None:
                # Filed under `rota_version`, read apart from the shifts: the shifts must be at
                # least that new, so not the process's shared reading of the versions.
                with read_fresh():
                    rendered = self._render(scope, person, today)
                if rendered is None:
                    return None
                with self._lock:
                    self._cache[key] = rendered
                    while len(self._cache) > self.CACHE_SIZE:
                        self._cache.popitem(last=False)
        return rendered

    def prerender(self, version: int | None = None) -> int:
        """Render the feeds served lately for today and the rota as it is now (`version`, read
        when not given), where not yet done (the clock and the refresher, outside any request);
        returns how many were rendered."""
        if version is None:
            version = self.store.rota_version()
        if version is None:
            return 0
        today = self.ctx.now().astimezone(self.ctx.tz).date()
        with self._lock:
            feeds = list(self._served.items())
            missing = [
                (feed, person)
                for feed, person in feeds
                if (*feed, version, today) not in self._cache
            ]
        for (scope, _), person in missing:
            self._body(scope, person, version, today)
        return len(missing)

    # -- the refresher ----------------------------------------------------------------------

    def _start_refresher(self) -> None:
        if self._refresher is not None:
            return
        with self._lock:
            if self._refresher is not None or self._stop.is_set():
                return
            # The thread holds the server weakly: a context dropped without close() lets it end.
            self._refresher = threading.Thread(
                target=_refresh_loop,
                args=(weakref.ref(self), self._stop, self.REFRESH_SECONDS),
                name="piket-feed-refresher",
                daemon=True,
            )
            self.ctx.closers.append(self.close)
            self._refresher.start()

    def close(self) -> None:
        """Stop the refresher, writing what is still unwritten."""
        self._stop.set()
        if self._refresher is not None and self._refresher is not threading.current_thread():
            self._refresher.join(timeout=5)
        try:
            self.flush()
        except Exception as exc:
            log.warning("writing the served piket feeds failed: %s", exc.__class__.__name__)

    def refresh(self) -> None:
        """One refresher round: when the rota version or the day moved, forget the cached tokens
        and render the feeds served lately, so the next fetch reads the new version and finds
        its body; then write what was served."""
        version = self.store.rota_version()
        seen = (version, self.ctx.now().astimezone(self.ctx.tz).date())
        if seen != self._seen:
            # Forget the tokens first: a fetch that found its token cached (with the old
            # version) after the new bodies were rendered would still be served the old one.
            with self._lock:
                self._tokens.clear()
            self.prerender(version)
            self._seen = seen
        self.flush()

    def flush(self) -> None:
        """Write the served records in one transaction; on failure keep them for the next
        round (unless a newer one was served meanwhile)."""
        with self._lock:
            batch, self._unwritten = self._unwritten, {}
        if not batch:
            return
        try:
            self.store.record_served_many(batch)
        except Exception:
            with self._lock:
                self._unwritten = batch | self._unwritten
            raise

    def _render(self, scope: FeedScope, person: PersonView, today: date) -> _RenderedFeed | None:
        # Here, not at the top: icalendar (~3 MiB) is loaded by the first feed rendered.
        from bot.core.calendar_feed import FeedEvent, render_feed

        config = self.store.config()
        if config is None:
            return None
        start, end = feed_window(config, today)
        shifts = self.store.shifts(
            start=start, end=end, person_id=person.id if scope is FeedScope.OWN else None
        )
        events = [
            FeedEvent(
                uid=s.uid,
                role=s.role,
                person_name=s.person.name if s.person else None,
                start=s.start,
                end=s.end,
                sequence=s.sequence,
                created=s.created_at,
                last_modified=s.last_modified,
            )
            for s in shifts
        ]
        body = render_feed(
            events,
            calendar_name=calendar_name(scope, config, person.name),
            tz=config.rules.tz,
            window=(start, end),
        )
        newest = max((s.last_modified for s in shifts), default=None)
        return _RenderedFeed(body, etag_for(body), newest)

    def _failure(self, status: int, text: str) -> Response:
        response = Response(text, status=status, content_type="text/plain; charset=utf-8")
        response.cache_control.no_store = True
        if status == 503:
            response.retry_after = self.MAX_AGE
        return response

    @staticmethod
    def not_found() -> Response:
        # The same answer for unknown, revoked and malformed tokens: nothing to learn from it
        # but what to do.
        response = Response(
            "Deze agendalink werkt niet: hij is onbekend of ingetrokken. Vraag in Slack nieuwe "
            "links aan met /piket agenda.\n",
            status=404,
            content_type="text/plain; charset=utf-8",
        )
        response.cache_control.no_store = True
        return response


def _refresh_loop(server_ref: weakref.ref[FeedServer], stop: threading.Event, every: float) -> None:
    while not stop.wait(every):
        server = server_ref()
        if server is None:
            return
        try:
            server.refresh()
        except Exception as exc:  # the database away: requests still answer; records wait
            log.warning("refreshing the piket feeds failed: %s", exc.__class__.__name__)
        del server


def feed_server(ctx: AppContext) -> FeedServer:
    """The context's one feed server: the web route and the clock's pre-rendering share it."""
    return ctx.service(FeedServer)


def feed_view(ctx: AppContext) -> Callable[[str], Response]:
    """The view function the web app mounts on FEED_ROUTE."""
    return feed_server(ctx)


def not_a_feed_view(ctx: AppContext) -> Callable[..., Response]:
    """The view for any other path in FEED_FOLDER: answered as an unknown token is."""

    def not_a_feed(rest: str = "") -> Response:
        return FeedServer.not_found()

    return not_a_feed
