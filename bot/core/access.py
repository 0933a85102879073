"""Who may see and do what: the one table of actions and the roles that may do each, and the
decision for one actor. Pure: the actor (who they are, resolved once by
`bot.services.access.AccessService`) and the roles they hold for one object (the chair of this
series, the owner of this item), which the feature's service works out, are passed in.

Guests and users of another organisation are never team members, readers or team leads,
whatever the config says, and hold no role for any object: every decision refuses them with
one short line, without saying what the team has.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from msgspec import Struct, field


class Role(StrEnum):
    """Standing roles (from the config and Slack) and roles held for one object."""

    OPERATOR = "operator"  # oov-bot shell / CLI: the person running the bot
    TEAM_LEAD = "team_lead"
    TEAM_MEMBER = "team_member"  # a person in people.yaml with a Slack ID
    READER = "reader"  # read-only access: named people or a Slack user group
    # Any full member of the workspace (no guest, same organisation): holds this role only when
    # `access.register_open` opens the task register to everyone.
    WORKSPACE_MEMBER = "workspace_member"
    CHANNEL_MEMBER = "channel_member"  # of the channel an action item came from
    CHAIR = "chair"
    MINUTE_TAKER = "minute_taker"
    TASK_OWNER = "task_owner"
    TASK_DEPUTY = "task_deputy"
    SHIFT_HOLDER = "shift_holder"
    ITEM_OWNER = "item_owner"
    ITEM_AUTHOR = "item_author"
    ACTION_HOLDER = "action_holder"  # of a programme activity


# The Dutch names the README's "Wie mag wat" table and the refusals use.
ROLE_NAMES: Mapping[Role, str] = {
    Role.OPERATOR: "beheerder (shell/CLI)",
    Role.TEAM_LEAD: "teamleider",
    Role.TEAM_MEMBER: "teamlid",
    Role.READER: "meelezer",
    Role.WORKSPACE_MEMBER: "collega in de werkruimte",
    Role.CHANNEL_MEMBER: "lid van het kanaal",
    Role.CHAIR: "voorzitter",
    Role.MINUTE_TAKER: "notulist",
    Role.TASK_OWNER: "eigenaar van de taak",
    Role.TASK_DEPUTY: "vervanger",
    Role.SHIFT_HOLDER: "piketdienst",
    Role.ITEM_OWNER: "eigenaar van het actiepunt",
    Role.ITEM_AUTHOR: "indiener",
    Role.ACTION_HOLDER: "actiehouder",
}


class Action(StrEnum):
    READ_REGISTER = "read_register"  # /wie, /taken
    CHANGE_TASK_OWNER = "change_task_owner"
    ADD_TO_TEAM = "add_to_team"  # a colleague not in the overview made owner or deputy
    READ_MEETINGS = "read_meetings"  # /overleg
    CHANGE_MEETING = "change_meeting"  # /overleg annuleer | verplaats | herstel
    READ_ITEMS = "read_items"  # /acties
    CAPTURE_ITEM = "capture_item"  # actie: prefix, 📌, message shortcut
    CLOSE_ITEM = "close_item"  # close and reopen
    READ_PIKET = "read_piket"  # /piket, /piket agenda
    PROPOSE_SWAP = "propose_swap"
    ANSWER_SWAP = "answer_swap"
    OVERRIDE_SHIFT = "override_shift"
    VIEW_HOME = "view_home"
    READ_PROGRAMME = "read_programme"  # /programma
    UPDATE_ACTIVITY = "update_activity"
    READ_CAPACITY = "read_capacity"  # /capaciteit


class Rule(Struct, frozen=True):
    who: frozenset[Role]
    refusal: str  # one Dutch sentence that says who may
    readme: str  # the English line of the README's table


def _rule(refusal: str, readme: str, *who: Role) -> Rule:
    # The operator (shell, CLI) may do everything the bot can do.
    return Rule(frozenset({Role.OPERATOR, *who}), refusal, readme)


# Said to a colleague of the organisation who is not (yet) in people.yaml.
LINK_HINT = (
    "Hoor je bij het team? Dan is je Slack-account nog niet gekoppeld: vraag de beheerder je "
    "Slack member-ID in te vullen bij `slack_id` in `config/people.yaml`."
)

# THE table. Every route reaches it through the feature's service.
POLICY: Mapping[Action, Rule] = {
    Action.READ_REGISTER: _rule(
        "Alleen teamleden en meelezers kunnen het takenoverzicht inzien. " + LINK_HINT,
        "read the task register (`/wie`, `/taken`)",
        Role.TEAM_MEMBER,
        Role.READER,
        Role.TEAM_LEAD,
        Role.WORKSPACE_MEMBER,
    ),
    Action.CHANGE_TASK_OWNER: _rule(
        "Alleen de eigenaar of vervanger van deze taak of de teamleider kan de eigenaar wijzigen.",
        "change a task's owner or deputy",
        Role.TASK_OWNER,
        Role.TASK_DEPUTY,
        Role.TEAM_LEAD,
    ),
    Action.ADD_TO_TEAM: _rule(
        "Alleen de teamleider kan iemand die nog niet in het teamoverzicht staat eigenaar of "
        "vervanger maken (en zo aan het team toevoegen). Kies een teamlid.",
        "make a colleague not yet in `people.yaml` a task's owner or deputy (adds them to the "
        "team)",
        Role.TEAM_LEAD,
    ),
    Action.READ_MEETINGS: _rule(
        "Alleen teamleden en meelezers kunnen de overleggen van het team inzien.",
        "list meetings (`/overleg`)",
        Role.TEAM_MEMBER,
        Role.READER,
        Role.TEAM_LEAD,
    ),
    Action.CHANGE_MEETING: _rule(
        "Alleen de voorzitter of de teamleider kan dit overleg afzeggen, verplaatsen of "
        "terugzetten.",
        "cancel, move or restore a meeting",
        Role.CHAIR,
        Role.TEAM_LEAD,
    ),
    Action.READ_ITEMS: _rule(
        "Alleen teamleden en leden van het kanaal waar een actiepunt vandaan komt, kunnen het "
        "inzien.",
        "read action items (`/acties`; a channel's members: that channel's items only)",
        Role.TEAM_MEMBER,
        Role.TEAM_LEAD,
        Role.CHANNEL_MEMBER,
    ),
    Action.CAPTURE_ITEM: _rule(
        "Alleen teamleden kunnen een actiepunt vastleggen.",
        "capture an action item (`actie:` prefix, 📌 reaction, message shortcut)",
        Role.TEAM_MEMBER,
        Role.TEAM_LEAD,
    ),
    Action.CLOSE_ITEM: _rule(
        "Alleen de eigenaar, de indiener, de voorzitter of notulist van het overleg of de "
        "teamleider kan dit actiepunt afronden of heropenen.",
        "close or reopen an action item",
        Role.ITEM_OWNER,
        Role.ITEM_AUTHOR,
        Role.CHAIR,
        Role.MINUTE_TAKER,
        Role.TEAM_LEAD,
    ),
    Action.READ_PIKET: _rule(
        "Alleen teamleden en meelezers kunnen het piketrooster inzien. " + LINK_HINT,
        "read the piket rota (`/piket`); calendar links are a team member's own (`/piket agenda`)",
        Role.TEAM_MEMBER,
        Role.READER,
        Role.TEAM_LEAD,
    ),
    Action.PROPOSE_SWAP: _rule(
        "Alleen wie de dienst heeft, kan een ruil voorstellen.",
        "propose a swap of one's own shift (with a qualified colleague)",
        Role.SHIFT_HOLDER,
    ),
    Action.ANSWER_SWAP: _rule(
        "Alleen de collega aan wie de ruil is voorgesteld, kan die accepteren of weigeren.",
        "accept or decline a swap proposed to oneself",
        Role.SHIFT_HOLDER,
    ),
    Action.OVERRIDE_SHIFT: _rule(
        "Een dienst overschrijven kan alleen de beheerder, met `oov-bot piket`.",
        "override a shift (CLI only)",
    ),
    Action.VIEW_HOME: _rule(
        "Alleen teamleden en meelezers zien het overzicht van het team.",
        "see the App Home overview",
        Role.TEAM_MEMBER,
        Role.READER,
        Role.TEAM_LEAD,
    ),
    Action.READ_PROGRAMME: _rule(
        "Alleen teamleden en meelezers kunnen het uitvoeringsprogramma inzien.",
        "read the execution programme (`/programma`)",
        Role.TEAM_MEMBER,
        Role.READER,
        Role.TEAM_LEAD,
    ),
    Action.UPDATE_ACTIVITY: _rule(
        "Alleen de actiehouder of de teamleider kan deze activiteit bijwerken.",
        "update a programme activity",
        Role.ACTION_HOLDER,
        Role.TEAM_LEAD,
    ),
    Action.READ_CAPACITY: _rule(
        "Alleen teamleden en meelezers kunnen de capaciteit inzien.",
        "read the capacity overview (`/capaciteit`)",
        Role.TEAM_MEMBER,
        Role.READER,
        Role.TEAM_LEAD,
    ),
}

# Guests, users of another organisation, and anyone Slack could not tell us about.
STRANGER_REFUSAL = (
    "oov-bot is alleen voor het OOV-team van de gemeente; daar heb je geen toegang toe."
)
HOME_STRANGER_TEXT = (
    "oov-bot helpt het OOV-team met taken, overleggen, actiepunten en piket. Het overzicht is "
    "alleen zichtbaar voor teamleden en meelezers. Hoort u bij het team? Vraag de teamleider "
    "u toe te voegen."
)


class Standing(StrEnum):
    """Who the user is to the workspace, from Slack (not from the config)."""

    OPERATOR = "operator"
    MEMBER = "member"  # a full member of the installation's organisation
    GUEST = "guest"  # single- or multi-channel guest
    EXTERNAL = "external"  # another organisation (Slack Connect)
    UNKNOWN = "unknown"  # Slack could not say: treated as a stranger (fail closed)


class Actor(Struct, frozen=True):
    slack_id: str | None
    standing: Standing
    roles: frozenset[Role] = frozenset()  # standing roles only; object roles come per decision
    person_key: str | None = None

    @property
    def is_stranger(self) -> bool:
        return self.standing not in (Standing.MEMBER, Standing.OPERATOR)

    @property
    def by(self) -> str:
        """What audit trails record as the one who acted."""
        return self.slack_id or "shell"

    def has(self, role: Role) -> bool:
        return role in self.roles

    @classmethod
    def operator(cls) -> Actor:
        return cls(None, Standing.OPERATOR, frozenset({Role.OPERATOR}))

    @classmethod
    def stranger(cls, slack_id: str | None, standing: Standing = Standing.UNKNOWN) -> Actor:
        return cls(slack_id, standing)


class Decision(Struct, frozen=True):
    allowed: bool
    refusal: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True)


def decide(action: Action, actor: Actor, held: Iterable[Role] = ()) -> Decision:
    """May `actor` do `action`, holding `held` for the object at hand?"""
    if actor.standing is Standing.OPERATOR:
        return ALLOWED
    if actor.is_stranger:
        return Decision(False, STRANGER_REFUSAL)
    rule = POLICY[action]
    if rule.who & (actor.roles | frozenset(held)):
        return ALLOWED
    return Decision(False, rule.refusal)


class AccessConfig(Struct, frozen=True):
    """The `access:` section of people.yaml, with people resolved to Slack IDs."""

    team_leads: frozenset[str] = frozenset()  # Slack IDs
    readers: frozenset[str] = frozenset()  # Slack IDs
    reader_groups: tuple[str, ...] = ()  # Slack user group IDs
    register_open: bool = False
    team: Mapping[str, str] = field(default_factory=dict)  # Slack ID -> person key


def standing_roles(
    slack_id: str, standing: Standing, config: AccessConfig, *, in_reader_group: bool
) -> frozenset[Role]:
    """The roles a user holds everywhere, from the config and who they are to Slack."""
    if standing is not Standing.MEMBER:
        return frozenset()  # guests and other organisations: never, whatever the config says
    roles: set[Role] = set()
    if slack_id in config.team:
        roles.add(Role.TEAM_MEMBER)
    if slack_id in config.team_leads:
        roles.add(Role.TEAM_LEAD)
    if slack_id in config.readers or in_reader_group:
        roles.add(Role.READER)
    if config.register_open:
        roles.add(Role.WORKSPACE_MEMBER)
    return frozenset(roles)


def classify(
    user: Mapping[str, object],
    *,
    home_team: str | None,
    home_enterprise: str | None,
    payload_team: str | None = None,
    payload_enterprise: str | None = None,
) -> Standing:
    """A users.info user object (and the request's team/enterprise) -> the user's standing.

    Single-channel guests have is_ultra_restricted (and is_restricted), multi-channel guests
    is_restricted. A Slack Connect user belongs to another team (and enterprise, on Grid), and
    Slack may flag them is_stranger. Missing information is not taken as membership."""
    if not user or user.get("deleted") or user.get("is_bot"):
        return Standing.UNKNOWN
    if user.get("is_restricted") or user.get("is_ultra_restricted"):
        return Standing.GUEST
    if user.get("is_stranger"):
        return Standing.EXTERNAL
    enterprise_user = user.get("enterprise_user")
    user_enterprise = (
        enterprise_user.get("enterprise_id") if isinstance(enterprise_user, Mapping) else None
    )
    if home_enterprise:
        # On Enterprise Grid every workspace of the organisation is "ours".
        for enterprise in (user_enterprise, payload_enterprise):
            if enterprise and enterprise != home_enterprise:
                return Standing.EXTERNAL
        if user_enterprise == home_enterprise or payload_enterprise == home_enterprise:
            return Standing.MEMBER
    if not home_team:
        return Standing.UNKNOWN
    for team in (user.get("team_id"), payload_team):
        if team and team != home_team:
            return Standing.EXTERNAL
    return Standing.MEMBER if user.get("team_id") == home_team else Standing.UNKNOWN
