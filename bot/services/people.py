"""Which team member a command's person argument means, for every command that takes one: read
by the language kernel ('' / 'ik' / 'mij' = the caller, '<@U…|naam>', '@sleutel', sleutel,
Slack ID or name), resolved against the team, and refused in the same Dutch words everywhere."""

from __future__ import annotations

from bot.language import PersonRef, parse_person_ref, resolve_person
from bot.services.errors import DomainError
from bot.services.notices import escape
from storage.team import PersonView, TeamStore

NOT_LINKED = (
    "Je Slack-account is nog niet gekoppeld aan iemand in het teamoverzicht. "
    "Vraag de beheerder je Slack member-ID in te vullen bij `slack_id` in `config/people.yaml`"
)


def not_linked(command: str) -> str:
    """The answer to 'ik' from someone the team overview has no Slack ID for."""
    return f"{NOT_LINKED}, of vraag het voor een collega: `{command} @collega`."


def person_argument(
    text: str, team: TeamStore, caller_slack_id: str | None, *, command: str, holds: str
) -> PersonView:
    """The team member `text` means; `command` ("/taken") and `holds` ("taken", "uren") word
    the refusals. DomainError in Dutch when the text names nobody in the team."""
    parsed = parse_person_ref(text) if text.strip() else PersonRef("self")
    if parsed is None:
        raise DomainError(_unknown(text, team))
    if parsed.kind == "self" and caller_slack_id is None:
        raise DomainError(f"Geef een persoon op, bijvoorbeeld `{command} aov-1`.")
    found = resolve_person(parsed, team, caller_slack_id)
    if found.person is not None:
        return found.person
    if parsed.kind == "self":
        raise DomainError(not_linked(command))
    if parsed.kind == "mention":
        raise DomainError(
            f"<@{parsed.value}> staat niet in het teamoverzicht en heeft dus geen {holds}. "
            "De beheerder voegt collega's toe in `config/people.yaml`."
        )
    # Only a person can be meant here (unlike `/acties boa`, which may be a meeting), so the
    # words of one colleague's name do: "boa coordinator", "aov 1", a first name.
    loosely = team.people_by_words(parsed.value)
    if len(loosely) == 1:
        return loosely[0]
    if loosely:
        names = ", ".join(f"{p.key} ({p.name})" for p in loosely[:12])
        raise DomainError(
            f"“{escape(text.strip())}” past bij meer collega's: {escape(names)}. Noem er één, "
            f"bijvoorbeeld `{command} {loosely[0].key}`."
        )
    raise DomainError(_unknown(text, team))


def _unknown(text: str, team: TeamStore) -> str:
    known = ", ".join(f"{p.key} ({p.name})" for p in team.people()[:12])
    return f"Ik ken geen persoon “{escape(text.strip())}”. Bekend: {escape(known)}."
