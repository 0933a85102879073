"""Capacity: `/capaciteit` (team, person, what-if, report), the charts in the caller's DM, the
App Home section and `oov-bot rapport capaciteit`. The model is `bot.core.capacity`, the use
cases `bot.services.capacity`; `slack.py` listens, `blocks.py` draws, `report.py` writes the
document, `cli.py` is the operator's report command."""

from __future__ import annotations

from functools import partial

from bot.context import AppContext
from bot.core.access import Actor
from bot.core.capacity_config import CAPACITY_FILE, validate_capacity_file
from bot.services.capacity import build_capacity_service
from handlers.blocks import Reply
from handlers.commands import SlashCommand, Usage
from handlers.feature import ConfigFile, Feature, ReportCommand, lazy
from storage.capacity import export_capacity, import_capacity

CAPACITEIT = SlashCommand(
    name="/capaciteit",
    summary="vraag en aanbod van uren in team OOV, per persoon en per thema",
    usages=(
        Usage(
            "",
            "het team: vraag en aanbod in uren per week en fte, belasting per persoon en per "
            "thema, taken zonder eigenaar of zonder uren; de grafieken komen in je DM",
            "the team: demand vs supply in hours per week and FTE, load per person (over 100 % "
            "marked) and per theme, hours without an owner, tasks without hours; two charts "
            "(with their text) follow in the caller's DM",
        ),
        Usage(
            "@persoon",
            "de uren van één persoon, met de regels waar ze vandaan komen (`ik`: van jou)",
            "one person's load with every row behind it (task, meeting, piket, programme)",
            examples=("aov-1", "ik"),
        ),
        Usage(
            "als <taak> naar @persoon",
            "wat als een taak naar iemand anders gaat (er verandert niets)",
            "what-if: the load of both people after a reassignment; nothing is changed",
            examples=("als bibob naar aov-1",),
        ),
        Usage(
            "als +1 fte <thema>",
            "wat als er een collega bij komt voor een thema (er verandert niets)",
            "what-if: the picture with an extra colleague for a theme",
            examples=("als +1 fte ondermijning",),
        ),
        Usage(
            "rapport",
            "het capaciteitsrapport als Word-bestand in je DM",
            "the capacity report (Word) in the caller's DM; also `oov-bot rapport capaciteit`",
            words=("rapportage", "verslag"),
        ),
    ),
    notes=(
        "Uren zonder tijd in het taakoverzicht tellen niet als 0: ze staan apart. Schattingen, "
        "overhead en piketuren staan in `config/capaciteit.yaml`."
    ),
    shell=lambda ctx: partial(_shell_reply, ctx),
)


def _shell_reply(ctx: AppContext, text: str) -> Reply:
    """How `oov-bot shell` answers: the text reply, no caller (so no charts or DMs)."""
    service = ctx.service(build_capacity_service)
    return slack.answer(service, text, Actor.operator(), ctx.now()).reply


# The adapters read the spec above (help, verbs), so they are imported after it.
from handlers.capaciteit import slack  # noqa: E402

FEATURE = Feature(
    name="capaciteit",
    order=60,
    listeners=slack.register,
    config=ConfigFile(CAPACITY_FILE, validate_capacity_file, import_capacity, export_capacity),
    commands=(CAPACITEIT,),
    reports=(
        ReportCommand(
            "capaciteit",
            "vraag en aanbod van uren (Word en Markdown, met grafieken)",
            lazy("handlers.capaciteit.cli:configure"),
            lazy("handlers.capaciteit.cli:run"),
        ),
    ),
    models="storage.models.capacity",
    migration_branch="capacity",
)
