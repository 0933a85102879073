"""Who owns which task: `/wie <onderwerp>`, `/taken [@persoon]`, sharing a task card and changing
its owner through a modal. The use cases live in `bot.services.tasks`; `slack.py` listens,
`blocks.py` draws."""

from __future__ import annotations

from functools import partial

from bot.core.access import Actor
from handlers.commands import SlashCommand, Usage
from handlers.feature import Feature

WIE = SlashCommand(
    name="/wie",
    summary="wie is eigenaar van een taak uit het taakoverzicht OOV?",
    usages=(
        Usage(
            "<onderwerp>",
            "eigenaar, vervanger, werkzaamheden, tijd en wettelijke basis van de taak",
            "owner, deputy, duties, time budget and legal basis of the task meant — tolerant of "
            "case, accents, plurals, typos, partial words and abbreviations; several matches → a "
            "pick list; none → suggestions. Buttons: *Delen in kanaal*, *Eigenaar wijzigen* "
            "(modal; audited; old and new owner get a DM)",
            examples=("bibob", "huisverbod", "jaarwisseling", "coffeeshop"),
        ),
    ),
    notes=(
        "Hoofdletters, accenten, meervoud, afkortingen en tikfouten maken niet uit, en gewone "
        "woorden mogen ook (bijv. `/wie wiet`, `/wie kermis`, `/wie huiselijk geweld`)."
    ),
    shell=lambda ctx: partial(wie_reply, task_service(ctx), actor=Actor.operator()),
)
TAKEN = SlashCommand(
    name="/taken",
    summary="de taken van iemand, als eigenaar en als vervanger, met de geschatte tijd per week",
    usages=(
        Usage("", "jouw taken", "your tasks as owner and as deputy, with their hours per week"),
        Usage(
            "@persoon",
            "de taken van een collega",
            "a colleague's tasks (a mention, a person key or a name); tasks without a fixed "
            "time are listed apart",
            examples=("@collega", "aov-1"),
        ),
    ),
    shell=lambda ctx: partial(taken_reply, task_service(ctx), actor=Actor.operator()),
)


# The listeners read the specs above (help), so they are imported after them.
from handlers.tasks.slack import (  # noqa: E402
    build_read_models,
    register,
    taken_reply,
    task_service,
    wie_reply,
)

FEATURE = Feature(
    name="tasks",
    order=10,
    listeners=register,
    read_models=build_read_models,
    commands=(WIE, TAKEN),
    models="storage.models.team",
)
