"""Meeting series: `/overleg`, the reminders the clock posts, the chair's preparation DM, and the
DMs that report a reminder that was missed or refused. The use cases live in
`bot.services.meetings`; `slack.py` answers /overleg, `clock.py` plans and sends, `blocks.py`
draws."""

from __future__ import annotations

from bot.core import meetings
from bot.core.access import Actor
from handlers.commands import SlashCommand, Usage
from handlers.feature import ConfigFile, Feature, lazy
from storage.meetings import export_meetings, import_meetings

OVERLEG = SlashCommand(
    name="/overleg",
    summary="de overleggen van team OOV",
    usages=(
        Usage("", "alle overleggen van de komende 14 dagen", "the meetings of the next 14 days"),
        Usage(
            "<naam>",
            "één overleg: ritme, volgende data, kanaal, voorzitter",
            "one series: cadence as written and as understood, next five dates, channel, chair",
            examples=("boa-briefing", "tvo"),
        ),
        Usage(
            "annuleer <naam> <datum of week> [ivm <reden>]",
            "één keer afgelasten",
            "cancel one meeting (a week: the series' meeting in it); announced in the meeting's "
            "channel, with the reason when one follows (after `ivm`, `wegens`, `vanwege`, `want`, "
            "`omdat`)",
            examples=(
                "annuleer boa volgende dinsdag",
                "annuleer boa week 50",
                "annuleer boa 22-12 ivm kerstreces",
            ),
            words=("annuleren", "afgelast", "afgelasten", "afzeggen", "cancel"),
        ),
        Usage(
            "verplaats <naam> <datum> <nieuwe datum en tijd> [ivm <reden>]",
            "één keer verplaatsen",
            "move one meeting to another day or time; announced in the meeting's channel, with "
            "the reason when one follows",
            examples=("verplaats teamoverleg volgende maandag naar volgende dinsdag 14:00",),
            words=("verplaatsen", "verzet", "verzetten"),
        ),
        Usage(
            "herstel <naam> <datum>",
            "een afgelasting of verplaatsing terugdraaien",
            "undo a cancellation or a move",
            words=("herstellen", "terugdraaien"),
        ),
    ),
    notes=(
        "Datums mogen zo: `volgende dinsdag`, `1 december`, `1-12`, `morgen`; een week "
        "(`week 50`, `volgende week`) is het overleg in die week. "
        "De wijziging wordt in het kanaal van het overleg gemeld, met een reden als je die "
        "erachter zet (`annuleer boa 22-12 ivm kerstreces`)."
    ),
    shell=lambda ctx: lambda text: overleg_reply(ctx, text, Actor.operator()),
)


# The adapters read the spec above (help, verbs), so they are imported after it.
from handlers.meetings.slack import overleg_reply, register  # noqa: E402
from handlers.meetings.wiring import build_read_models  # noqa: E402

FEATURE = Feature(
    name="meetings",
    order=20,
    listeners=register,
    read_models=build_read_models,
    planners=(lazy("handlers.meetings.clock:plan_deliveries"),),
    config=ConfigFile(
        meetings.MEETINGS_FILE, meetings.validate_meetings_file, import_meetings, export_meetings
    ),
    commands=(OVERLEG,),
    models="storage.models.meetings",
    migration_branch="meetings",
)
