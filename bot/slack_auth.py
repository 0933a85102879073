"""Is the bot token any good? One `auth.test` at start, reported in the log and on /healthz.

Without a working token the bot keeps running (DESIGN.md: without Slack the bot still serves the
feeds and /healthz): a refused token is a configuration error the operator must see, not a
reason to take the piket feeds down with it.
"""

from __future__ import annotations

import logging
import threading
import time

from bot.gateway import SlackError, SlackGateway

log = logging.getLogger(__name__)

UNREACHABLE = "unreachable"
# A transient failure is checked again (at most this often) when /healthz asks.
RECHECK_SECONDS = 30.0

# What each answer means, for the one log line an operator reads.
EXPLANATIONS = {
    "invalid_auth": "SLACK_BOT_TOKEN is not a valid token (typo, or a token of another app)",
    "not_authed": "SLACK_BOT_TOKEN is empty",
    "token_revoked": "SLACK_BOT_TOKEN has been revoked (app reinstalled or removed?)",
    "token_expired": "SLACK_BOT_TOKEN has expired (token rotation is on; switch it off)",
    "account_inactive": "the bot user or workspace of SLACK_BOT_TOKEN is deactivated",
    "missing_scope": "SLACK_BOT_TOKEN lacks a scope auth.test needs",
    UNREACHABLE: "the Slack API (SLACK_API_URL) could not be reached",
}


class SlackAuth:
    """The bot token's state as `auth.test` last reported it."""

    def __init__(self, gateway: SlackGateway) -> None:
        # auth.test is a quick call: an unreachable Slack cannot hold up the start.
        self._gateway = gateway
        self._lock = threading.Lock()
        self._problem: str | None = None
        self._checked_at: float | None = None

    def check(self) -> str | None:
        """Call auth.test; None when the token works, else Slack's error code (or UNREACHABLE)."""
        try:
            self._gateway.auth_test()
            problem = None
        except SlackError as exc:
            problem = exc.code if exc.reached else UNREACHABLE
        with self._lock:
            self._problem, self._checked_at = problem, time.monotonic()
        return problem

    def check_and_log(self) -> str | None:
        problem = self.check()
        if problem is None:
            log.info("Slack: bot token accepted (auth.test ok)")
        else:
            log.error(
                "Slack: auth.test failed (%s): %s. Slash commands and posts to Slack will fail; "
                "feeds and /healthz are still served.",
                problem,
                EXPLANATIONS.get(problem, "see https://api.slack.com/methods/auth.test"),
            )
        return problem

    def health(self) -> bool | str:
        """True when auth.test succeeded, else its error code; checks when not yet known, and
        again after RECHECK_SECONDS when Slack was unreachable."""
        with self._lock:
            problem, checked_at = self._problem, self._checked_at
        stale = checked_at is None or (
            problem == UNREACHABLE and time.monotonic() - checked_at > RECHECK_SECONDS
        )
        if stale:
            problem = self.check()
        return True if problem is None else problem
