"""The private iCal feeds over HTTP: GET/HEAD /ical/piket/<token>.ics (Slack-free)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from time import monotonic as time_monotonic

from flask import Response, request

from bot.context import AppContext
from bot.core.calendar_feed import FeedEvent, render_feed
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


@dataclass(frozen=True)
class _RenderedFeed:
    body: bytes
    etag: str
    data_modified: datetime | None  # the newest LAST-MODIFIED in the body


class FeedServer:
    """GET/HEAD /ical/piket/<token>.ics. The rendered body is cached per (feed, rota version,
    day) and a live token for a few seconds, so a repeated fetch costs no query at all; ETag and
    Last-Modified make the answer conditional (304).

    Changes made in this process (a swap, a revoked link) clear the token cache at once; those
    made by another process show after at most TOKEN_TTL seconds.

    A body is the concatenation of texts rendered once per event (bot.core.calendar_feed), and
    `prerender` (the clock calls it every planning round) renders the feeds served lately anew
    when the day or the rota version moved, so the first fetch after a change finds its body."""

    CACHE_SIZE = 256
    TOKEN_CACHE_SIZE = 1024
    TOKEN_TTL = 2.0  # seconds
    MAX_AGE = 300

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.store = piket_store(ctx)
        self._cache: OrderedDict[tuple[object, ...], _RenderedFeed] = OrderedDict()
        # (scope, person id or None) -> the person: the feeds served lately, for `prerender`.
        self._served: OrderedDict[tuple[FeedScope, int | None], PersonView] = OrderedDict()
        # token hash -> (monotonic expiry, LocalChanges.count when read, the token)
        self._tokens: OrderedDict[str, tuple[float, int, FeedTokenView]] = OrderedDict()
        self._lock = threading.Lock()

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
        if not looks_like_token(token):
            return self.not_found()
        hashed = token_hash(token)
        found = self._token(hashed)
        if found is None:
            return self.not_found()
        today = self.ctx.now().astimezone(self.ctx.tz).date()
        rendered = self._body(found.scope, found.person, found.rota_version, today)
        if rendered is None:
            return self.not_found()
        data_modified = max(found.created_at, rendered.data_modified or found.created_at)
        last_modified = next_last_modified(
            data_modified=data_modified,
            etag=rendered.etag,
            served_etag=found.served_etag,
            served_modified=found.served_last_modified,
            now=self.ctx.now(),
        )
        if (rendered.etag, last_modified) != (found.served_etag, found.served_last_modified):
            self.store.record_served(found.id, rendered.etag, last_modified)
            with self._lock:
                cached = self._tokens.get(hashed)
            if cached is not None:
                served = replace(
                    found, served_etag=rendered.etag, served_last_modified=last_modified
                )
                self._remember(hashed, served, cached[1], cached[0])
        response = Response(rendered.body, content_type="text/calendar; charset=utf-8")
        response.set_etag(rendered.etag)
        response.last_modified = last_modified
        response.cache_control.private = True
        response.cache_control.max_age = self.MAX_AGE
        return response.make_conditional(request)

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
        if rendered is None:
            rendered = self._render(scope, person, today)
            if rendered is None:
                return None
            with self._lock:
                self._cache[key] = rendered
                while len(self._cache) > self.CACHE_SIZE:
                    self._cache.popitem(last=False)
        return rendered

    def prerender(self) -> int:
        """Render the feeds served lately for today and the rota as it is now, where not yet
        done (the clock, outside any request); returns how many were rendered."""
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

    def _render(self, scope: FeedScope, person: PersonView, today: date) -> _RenderedFeed | None:
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
            events, calendar_name=calendar_name(scope, config, person.name), tz=config.rules.tz
        )
        newest = max((s.last_modified for s in shifts), default=None)
        return _RenderedFeed(body, etag_for(body), newest)

    @staticmethod
    def not_found() -> Response:
        # The same answer for unknown, revoked and malformed tokens: nothing to learn from it.
        response = Response(
            "Niet gevonden.\n", status=404, content_type="text/plain; charset=utf-8"
        )
        response.cache_control.no_store = True
        return response


def feed_server(ctx: AppContext) -> FeedServer:
    """The context's one feed server: the web route and the clock's pre-rendering share it."""
    return ctx.service(FeedServer)


def feed_view(ctx: AppContext) -> Callable[[str], Response]:
    """The view function the web app mounts on FEED_ROUTE."""
    return feed_server(ctx)
