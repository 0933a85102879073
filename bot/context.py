"""What every handler and the CLI share in one process: settings, database, Slack client, clock."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from bot.gateway import SlackGateway
from bot.settings import Settings
from storage.session import Database
from storage.team import TeamStore

S = TypeVar("S")


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class AppContext:
    settings: Settings
    db: Database
    slack: WebClient | None = None
    # The one place the wall clock is read; tests pass a fixed clock.
    clock: Callable[[], datetime] = system_clock
    team: TeamStore = field(init=False)
    # Every Web API call goes through the gateway (retries, timeouts, error codes).
    gateway: SlackGateway = field(init=False)
    # Features that show a per-user view (the App Home) subscribe here with a function of the
    # user's Slack ID; features that change a user's data (items, tasks) call
    # `user_data_changed`, so neither needs to know the other.
    user_data_listeners: list[Callable[[str], None]] = field(default_factory=list)
    # Sections other features add to a user's App Home (e.g. their capacity load): functions of
    # the user's Slack ID returning Block Kit blocks; the Home feature shows them in order.
    home_sections: list[Callable[[str], list[dict[str, Any]]]] = field(default_factory=list)
    # Features that add a part to a meeting series' channel reminder (the programme's activities
    # discussed there) subscribe here: (series key, previous meeting's start or None, now) ->
    # Block Kit blocks. The meetings feature appends what they return; neither knows the other.
    meeting_reminder_sections: list[
        Callable[[str, datetime | None, datetime], list[dict[str, Any]]]
    ] = field(default_factory=list)
    # Background work a service started (the feed server's refresher): `close()` stops it.
    closers: list[Callable[[], None]] = field(default_factory=list)
    _services: dict[Callable[[Any], Any], Any] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    # Reentrant: a service's builder may ask for another service (the feed server for the
    # store, actions for access).
    _services_lock: threading.RLock = field(
        default_factory=threading.RLock, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        self.team = TeamStore(self.db)
        self.gateway = SlackGateway(self.slack)

    @property
    def tz(self) -> ZoneInfo:
        return self.settings.tz

    def now(self) -> datetime:
        return self.clock()

    def service(self, build: Callable[[AppContext], S]) -> S:
        """The one object `build` makes for this context: a feature's service is built once and
        shared by its listeners, planners and shell."""
        with self._services_lock:
            if build not in self._services:
                self._services[build] = build(self)
            return self._services[build]  # type: ignore[no-any-return]

    def close(self) -> None:
        """Stop the background work services started (tests close every bot they start; a
        process simply exits, the threads are daemons)."""
        while self.closers:
            self.closers.pop()()

    def user_data_changed(self, *slack_ids: object) -> None:
        """Tell the listeners whose data changed. A leading Slack client (the older form of the
        call) is accepted and ignored: listeners reach Slack through the gateway."""
        for slack_id in dict.fromkeys(s for s in slack_ids if isinstance(s, str) and s):
            for listener in self.user_data_listeners:
                listener(slack_id)
