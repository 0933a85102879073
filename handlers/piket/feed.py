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
from storage.piket import FeedTokenView, LocalChanges, PiketStore
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
    made by another process show after at most TOKEN_TTL seconds."""

    CACHE_SIZE = 256
    TOKEN_CACHE_SIZE = 1024
    TOKEN_TTL = 2.0  # seconds
    MAX_AGE = 300

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.store = PiketStore(ctx.db, ctx.tz)
        self._cache: OrderedDict[tuple[object, ...], _RenderedFeed] = OrderedDict()
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
        person_id = found.person.id if found.scope is FeedScope.OWN else None
        key = (found.scope, person_id, found.rota_version, today)
        with self._lock:
            rendered = self._cache.get(key)
            if rendered is not None:
                self._cache.move_to_end(key)
        if rendered is None:
            rendered = self._render(found.scope, found.person, today)
            if rendered is None:
                return self.not_found()
            with self._lock:
                self._cache[key] = rendered
                while len(self._cache) > self.CACHE_SIZE:
                    self._cache.popitem(last=False)
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


def feed_view(ctx: AppContext) -> Callable[[str], Response]:
    """The view function the web app mounts on FEED_ROUTE."""
    return FeedServer(ctx)
