"""Action items: captured from meeting threads (prefix, 📌 reaction, message shortcut), kept in step
with edits and deletions of their message, listed and closed with `/acties`, carried into the next
meeting reminder (see handlers.blocks.reminder_action_items) and nagged about once a week.

The use cases are bot.services.actions; this package holds the adapters: `slack` (listeners),
`blocks` (Block Kit), `clock` (digest and purge) and `factory` (the service, built once).
"""

from __future__ import annotations

from handlers.actions.factory import action_service
from handlers.actions.slack import register, shell_acties
from handlers.commands import SlashCommand, Usage
from handlers.feature import Feature, ShellLine, lazy
from storage.actions import export_action_items

ACTIES = SlashCommand(
    name="/acties",
    summary="actiepunten uit overleggen, nieuwste eerst; te late zijn gemarkeerd",
    usages=(
        Usage(
            "mijn",
            "jouw open actiepunten (ook: `/acties` zonder meer)",
            "your open action items (also plain `/acties`), newest first, overdue marked, 20 a "
            "page, with *Afgerond* / *Heropenen* buttons",
        ),
        Usage("open", "alle open actiepunten van het team", "every open item of the team"),
        Usage(
            "@collega",
            "de open actiepunten van een collega (ook: `/acties van @collega`)",
            "a colleague's open items (also `/acties van @collega`, `/acties van mij`)",
        ),
        Usage(
            "@collega <overleg>",
            "die van een collega bij één overleg",
            "a colleague's open items of one meeting series",
            examples=("@collega boa-briefing",),
        ),
        Usage(
            "<overleg>",
            "de open actiepunten van één overleg",
            "the open items of one meeting series",
            examples=("boa-briefing",),
        ),
        Usage(
            "#kanaal",
            "de open actiepunten die in één kanaal zijn afgesproken (combineer: "
            "`/acties mijn #kanaal`)",
            "the open items agreed in one channel; combines with the others "
            "(`/acties mijn #boa-briefing`)",
        ),
        Usage(
            "te laat",
            "alleen actiepunten over hun deadline (combineer: `/acties open te laat`)",
            "only items past their deadline; combines with the others (`/acties open te laat`, "
            "`/acties te laat @collega`)",
        ),
        Usage(
            "afgerond",
            "afgeronde actiepunten (combineer: `/acties mijn afgerond`)",
            "closed items; combines with the others (`/acties mijn afgerond`)",
        ),
    ),
    # The spec is handed to its adapters (for its help reply) rather than imported by them.
    shell=lambda ctx: shell_acties(ctx, ACTIES),
)


FEATURE = Feature(
    name="actions",
    order=30,
    listeners=lambda app, ctx: register(app, ctx, ACTIES),
    read_models=lambda ctx: action_service(ctx).prepare(),
    planners=(lazy("handlers.actions.clock:plan_deliveries"),),
    exporter=export_action_items,
    commands=(ACTIES,),
    shell_lines=(
        ShellLine(
            lazy("handlers.actions.shell:is_action_line"),
            lazy("handlers.actions.shell:shell_capture"),
        ),
    ),
    models="storage.models.actions",
    migration_branch="actions",
)
