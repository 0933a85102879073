"""The execution programme ("uitvoeringsprogramma"): `/programma`, the activity card with its
history and update modal, the monthly DM to action holders, the warning about passed deadlines,
and the progress report (`/programma rapport`, `oov-bot rapport programma`).

The use cases are `bot.services.programma.ProgrammeService`; the modules here are its adapters:
`slack` (listeners), `blocks` (Block Kit), `clock` (planners), `cli` (the report) and `common`.
"""

from __future__ import annotations

from functools import partial

from slack_bolt import App

from bot.context import AppContext
from bot.core.programme import PROGRAMMA_FILE, describe_programme, validate_programma_file
from handlers.commands import SlashCommand, Usage
from handlers.feature import ConfigFile, Feature, ReportCommand, lazy
from handlers.programma import slack
from storage.programme import export_programme, import_programme

PROGRAMMA = SlashCommand(
    name="/programma",
    summary="het uitvoeringsprogramma: status per prioriteit, activiteiten, voortgangsrapportage",
    usages=(
        Usage(
            "",
            "per prioriteit het aantal activiteiten per status, en wat te laat is of risico loopt",
            "per priority the number of activities per status, and what is late or at risk "
            "(delayed, or its deadline within four weeks)",
        ),
        Usage(
            "<activiteit>",
            "één activiteit: alle velden, de geschiedenis, de actiepunten en de knoppen "
            "*Bijwerken* en *Delen in kanaal*",
            "one activity's card: every field, the status history, linked action items; buttons "
            "*Bijwerken* (modal: status, note, optional new deadline from today on, spending) "
            "and *Delen in kanaal* — found as loosely as `/wie` finds a task",
            examples=("bibob", "damocles", "cyberoefening"),
        ),
        Usage(
            "mijn",
            "de activiteiten waarvan jij actiehouder bent",
            "the activities you are the action holder of",
        ),
        Usage(
            "achter",
            "wat te laat of vertraagd is",
            "what is late (deadline passed, not finished) or delayed",
            words=("achterstand", "laat"),
        ),
        Usage(
            "<prioriteit>",
            "de activiteiten van één prioriteit",
            "the activities of one priority",
            examples=("ondermijning",),
        ),
        Usage(
            "rapport [tot <datum>]",
            "de voortgangsrapportage als Word- en Markdown-bestand in je berichten",
            "the progress report for the college (Word and Markdown), uploaded to your DM",
            examples=("rapport", "rapport tot 31 december 2025"),
            words=("rapportage", "verslag"),
        ),
    ),
    notes=(
        "Statussen: niet gestart, loopt, vertraagd, afgerond, geschrapt. Bij ‘vertraagd’ en "
        "‘geschrapt’ hoort een reden. Koppel een actiepunt aan een activiteit met `#sleutel` in "
        "de actieregel, bijv. `actie: @collega belt RIEC #bibob-beleid`."
    ),
    shell=lambda ctx: slack.shell(ctx, PROGRAMMA),
)


def _listeners(app: App, ctx: AppContext) -> None:
    slack.register(app, ctx, PROGRAMMA)


def _attach(ctx: AppContext) -> None:
    # Only the clock draws a meeting reminder: the part is loaded with the first one it sends.
    section = lazy("handlers.programma.clock:meeting_section")
    ctx.meeting_reminder_sections.append(partial(section, ctx))


FEATURE = Feature(
    name="programma",
    order=50,
    listeners=_listeners,
    attach=_attach,
    planners=(lazy("handlers.programma.clock:plan_deliveries"),),
    config=ConfigFile(
        PROGRAMMA_FILE,
        validate_programma_file,
        import_programme,
        export_programme,
        describe=describe_programme,
    ),
    commands=(PROGRAMMA,),
    reports=(
        ReportCommand(
            "programma",
            "voortgangsrapportage van het uitvoeringsprogramma (Word en Markdown)",
            lazy("handlers.programma.cli:configure"),
            lazy("handlers.programma.cli:run"),
        ),
    ),
    models="storage.models.programme",
    migration_branch="programme",
)
