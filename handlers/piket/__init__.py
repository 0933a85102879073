"""Piket (crisis on-call duty, OVD-BZ and IM-ACBZ): `/piket`, swaps with Accept/Decline buttons,
the private iCal feeds, the clock's reminders, handover posts and warnings, and `oov-bot piket`.

The use cases are `bot.services.piket.PiketService`; the modules here are its adapters, one
transport each: `slack` (listeners), `blocks` (Block Kit), `feed` (HTTP), `clock` (planners) and
`cli` (the operator's commands).
"""

from __future__ import annotations

from slack_bolt import App

from bot.context import AppContext
from bot.core.piket_feed import FEED_FOLDER, FEED_ROUTE
from bot.core.rota import PIKET_FILE, validate_piket_file
from handlers.commands import SlashCommand, Usage
from handlers.feature import CliCommand, ConfigFile, Feature, Route, lazy
from handlers.piket import common, feed, slack
from storage.piket import export_piket, import_piket

PIKET = SlashCommand(
    name="/piket",
    summary="wie heeft piket (OVD-BZ, IM-ACBZ)?",
    usages=(
        Usage(
            "nu",
            "wie nu piket heeft, per rol, en tot wanneer (ook: `/piket` zonder meer)",
            "who is on duty now, per role, and until when (also plain `/piket`)",
        ),
        Usage("volgende", "de komende vier piketweken", "the next four duty weeks"),
        Usage(
            "@collega",
            "de komende diensten van een collega (`/piket mijn`: van jou)",
            "someone's coming shifts (`/piket mijn`: yours)",
        ),
        Usage(
            "<datum of week>",
            "wie er dan piket heeft",
            "who has duty on a date, at a moment, in a week or in a month",
            examples=("volgende dinsdag", "volgende week", "volgende maand"),
        ),
        Usage(
            "agenda",
            "je privélinks om het rooster in Outlook, Google of Apple Agenda te zien",
            "DMs you private calendar links (own shifts, whole rota)",
        ),
        Usage(
            "agenda vernieuw",
            "nieuwe links; de oude werken dan niet meer",
            "new calendar links; the old ones stop working",
        ),
        Usage(
            "ruil <datum of week> @collega",
            "vraag een collega je dienst over te nemen",
            "propose handing over a shift; the colleague accepts or declines with buttons",
        ),
        Usage(
            "ruil <datum> @collega <datum van collega>",
            "ruil je dienst tegen een van de collega",
            "propose exchanging shifts with a colleague",
        ),
    ),
    shell=lambda ctx: slack.shell(ctx, PIKET),
)


def _listeners(app: App, ctx: AppContext) -> None:
    slack.register(app, ctx, PIKET)


FEATURE = Feature(
    name="piket",
    order=40,
    listeners=_listeners,
    # The rules and the rota, not the feeds: rendering them is the feed's own business.
    read_models=lambda ctx: common.piket_store(ctx).refresh(),
    planners=(lazy("handlers.piket.clock:plan_deliveries"),),
    config=ConfigFile(PIKET_FILE, validate_piket_file, import_piket, export_piket),
    commands=(PIKET,),
    routes=(
        Route(FEED_ROUTE, "piket_feed", feed.feed_view),
        # Anything else in the feeds' folder (a link cut short, or with a character stuck to
        # it) gets the unknown token's answer, in Dutch, not the web framework's English page.
        Route(FEED_FOLDER, "piket_feed_folder", feed.not_a_feed_view),
        Route(FEED_FOLDER + "<path:rest>", "piket_feed_folder_rest", feed.not_a_feed_view),
    ),
    cli=(
        CliCommand(
            "piket",
            "piketrooster bekijken of een dienst toewijzen",
            lazy("handlers.piket.cli:configure"),
            lazy("handlers.piket.cli:run"),
        ),
    ),
    models="storage.models.piket",
    migration_branch="piket",
)
