"""What every handler and the CLI share in one process: settings, database, Slack client, clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from bot.gateway import SlackGateway
from bot.settings import Settings
from storage.session import Database
from storage.team import TeamStore


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
    # Features that show a per-user view (the App Home) subscribe here; features that change a
    # user's data (items, tasks) call `user_data_changed`, so neither needs to know the other.
    user_data_listeners: list[Callable[[WebClient, str], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.team = TeamStore(self.db)
        self.gateway = SlackGateway(self.slack)

    @property
    def tz(self) -> ZoneInfo:
        return self.settings.tz

    def now(self) -> datetime:
        return self.clock()

    def user_data_changed(self, client: WebClient, *slack_ids: str | None) -> None:
        for slack_id in dict.fromkeys(s for s in slack_ids if s):
            for listener in self.user_data_listeners:
                listener(client, slack_id)
