"""All tables. Importing this package registers every feature's models on `Base.metadata`."""

from storage.models.actions import ActionItem
from storage.models.base import Base, UTCDateTime
from storage.models.deliveries import ClockMark, Delivery
from storage.models.meetings import MeetingSeriesRow, OccurrenceChangeRow
from storage.models.piket import PiketChange, PiketFeedToken, PiketShift, PiketState, PiketSwap
from storage.models.team import Person, Task, TaskOwnershipChange

__all__ = [
    "ActionItem",
    "Base",
    "ClockMark",
    "Delivery",
    "MeetingSeriesRow",
    "OccurrenceChangeRow",
    "Person",
    "PiketChange",
    "PiketFeedToken",
    "PiketShift",
    "PiketState",
    "PiketSwap",
    "Task",
    "TaskOwnershipChange",
    "UTCDateTime",
]
