"""The one error type of the language kernel: its text is a Dutch message for the user."""

__all__ = ["DutchDateError", "InvalidDate"]


class DutchDateError(ValueError):
    """Input that cannot be read as a date or time; str(error) is a Dutch message for the user."""


class InvalidDate(DutchDateError):
    """A phrase that clearly is a date or time but does not exist ("31-2", wrong weekday, too far
    off, "25:00")."""
