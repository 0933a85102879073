"""Person references in command text: a Slack mention (`<@U123>`, `<@U123|naam>`), a person key
("aov-1", "@aov-1"), a Slack ID, a name, or "ik"/"mij"/"mijn" for whoever typed it.

Pure: the people come from a `Directory` the caller passes in (storage supplies it)."""

import re
from collections.abc import Iterator
from typing import Generic, Literal, Protocol, TypeVar

from msgspec import Struct

from bot.language.fold import fold

__all__ = [
    "MENTION_RE",
    "SELF_WORDS",
    "Directory",
    "PersonLookup",
    "PersonRef",
    "mentioned_ids",
    "parse_person_ref",
    "resolve_person",
    "without_mentions",
]

# <@U123ABC> or <@U123ABC|naam>; user groups (<!subteam^…>) and <!here> are no people.
MENTION_RE = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
SELF_WORDS = frozenset({"ik", "mij", "mijn", "me"})

P = TypeVar("P")
P_co = TypeVar("P_co", covariant=True)


class PersonRef(Struct, frozen=True):
    """What a command argument says about a person, before anyone is looked up."""

    kind: Literal["self", "mention", "name"]
    value: str = ""  # the Slack ID of a mention, the key/ID/name otherwise
    label: str | None = None  # the name shown in `<@U123|naam>`


class Directory(Protocol[P_co]):
    def person_by_slack_id(self, slack_id: str) -> P_co | None: ...

    def find_person(self, ref: str) -> P_co | None: ...


class PersonLookup(Struct, Generic[P], frozen=True):
    """The outcome of a lookup; `person` is None when the directory does not know them."""

    ref: PersonRef
    person: P | None
    slack_id: str | None  # known for a mention and for "ik" even without a person


def parse_person_ref(text: str) -> PersonRef | None:
    """The reference `text` is, or None when it is none (empty, or several words with no
    mention). A name of several words is a reference ("Jan de Vries")."""
    text = text.strip()
    if not text:
        return None
    if match := MENTION_RE.fullmatch(text):
        return PersonRef("mention", match[1], match[2] or None)
    if fold(text) in SELF_WORDS:
        return PersonRef("self")
    if MENTION_RE.search(text):
        return None
    return PersonRef("name", text.lstrip("@"))


def resolve_person(
    ref: PersonRef, directory: Directory[P], caller_slack_id: str | None
) -> PersonLookup[P]:
    if ref.kind == "self":
        found = directory.person_by_slack_id(caller_slack_id) if caller_slack_id else None
        return PersonLookup(ref, found, caller_slack_id)
    if ref.kind == "mention":
        return PersonLookup(ref, directory.person_by_slack_id(ref.value), ref.value)
    found = directory.find_person(ref.value)
    return PersonLookup(ref, found, getattr(found, "slack_id", None))


def mentioned_ids(text: str) -> Iterator[re.Match[str]]:
    """Every user mention in `text`, in order (group 1 is the Slack ID)."""
    return MENTION_RE.finditer(text)


def without_mentions(text: str, replacement: str = " ") -> str:
    return MENTION_RE.sub(replacement, text)
