"""The errors services raise: their message is Dutch and safe to show a user as it is."""

from __future__ import annotations


class DomainError(Exception):
    """A request the service cannot honour (unknown subject, bad date, not allowed, …)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
