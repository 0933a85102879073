"""All tables. Importing this package registers every feature's models on `Base.metadata`."""

from storage.models.base import Base, UTCDateTime
from storage.models.deliveries import ClockMark, Delivery
from storage.models.team import Person, Task, TaskOwnershipChange

__all__ = ["Base", "ClockMark", "Delivery", "Person", "Task", "TaskOwnershipChange", "UTCDateTime"]
