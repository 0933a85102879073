"""Private iCal feeds of the piket rota: tokens, links, the rolling window and HTTP validators.

Pure: no Slack, no database, no wall clock. A feed URL carries a random token of 192 bits; only
its SHA-256 is stored, so a copy of the database does not reveal working links.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from msgspec import Struct

from bot.core.rota import PiketConfig

TOKEN_BYTES = 24  # secrets.token_urlsafe(24): 32 characters, 192 bits
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")
FEED_FOLDER = "/ical/piket/"
FEED_ROUTE = FEED_FOLDER + "<token>.ics"


class FeedScope(StrEnum):
    OWN = "own"  # the shifts of the token's owner
    ALL = "all"  # the whole rota


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What the database stores: looking a token up by its hash needs no constant-time compare."""
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(text: str) -> bool:
    """Cheap check before touching the database: anything else is simply not found."""
    return bool(_TOKEN.fullmatch(text))


class FeedLinks(Struct, frozen=True):
    https: str  # Outlook, Google Calendar
    webcal: str  # Apple Calendar (and Outlook) open a subscription directly


def feed_links(public_base_url: str, token: str) -> FeedLinks:
    base = public_base_url.strip().rstrip("/")
    if "://" not in base:
        base = "https://" + base
    url = base + FEED_ROUTE.replace("<token>", token)
    return FeedLinks(https=url, webcal="webcal://" + url.split("://", 1)[1])


def feed_window(config: PiketConfig, today: date) -> tuple[datetime, datetime]:
    """The period a feed shows, from local midnight of `today`: the body only changes once a day
    at most when the rota itself does not change."""
    midnight = datetime.combine(today, time(0), tzinfo=config.rules.tz)
    return config.feed_window(midnight)


def calendar_name(scope: FeedScope, config: PiketConfig, person_name: str) -> str:
    roles = ", ".join(role.name for role in config.rules.roles)
    if scope is FeedScope.ALL:
        return f"Piketrooster {roles}"
    return f"Mijn piket ({roles}) — {person_name}"


def etag_for(body: bytes) -> str:
    """A strong validator: the hash of the exact bytes."""
    return hashlib.sha256(body).hexdigest()


def next_last_modified(
    *,
    data_modified: datetime,
    etag: str,
    served_etag: str | None,
    served_modified: datetime | None,
    now: datetime,
) -> datetime:
    """The Last-Modified to send for a feed body, in whole seconds (HTTP's resolution).

    `data_modified` is the newest LAST-MODIFIED in the body (or the token's creation). It never
    moves backwards, and it moves forward whenever the body changed, also when no shift in it is
    newer: a shift that went to someone else or left the window changes the body without leaving
    a newer date behind, and If-Modified-Since must not answer 304 then.
    """
    candidate = data_modified.replace(microsecond=0)
    if served_modified is None:
        return candidate
    if etag == served_etag:
        return max(candidate, served_modified)
    if candidate > served_modified:
        return candidate
    return max(now.replace(microsecond=0), served_modified + timedelta(seconds=1))
