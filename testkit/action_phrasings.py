"""Dutch action-line phrasings with the owner and due date each must yield, at fixed instants
around month and year ends: read directly (test_action_items) and through Slack over HTTP
(test_actions_meetings)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Europe/Amsterdam")
MON_NOV_23 = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
MON_NOV_30 = datetime(2026, 11, 30, 16, 0, tzinfo=TZ)  # last day of the month
WED_DEC_30 = datetime(2026, 12, 30, 10, 0, tzinfo=TZ)
THU_DEC_31 = datetime(2026, 12, 31, 16, 0, tzinfo=TZ)  # last day of the year
MON_FEB_28_2028 = datetime(2028, 2, 28, 9, 0, tzinfo=TZ)  # leap year

AUTHOR = "U0AUTHOR1"
# The thread's meeting and one other series the fake "next meeting" knows (dates no phrasing
# below means, so they cannot be confused with a date read from the text).
THREAD_NEXT = date(2027, 6, 15)
BOA_NEXT = date(2027, 6, 1)


# (now, line, owner, due kind, due date). The owner "U0AUTHOR1" is the author.
PHRASINGS = [
    (MON_NOV_23, "actie: ik bel de wijkagent voor vrijdag", AUTHOR, "date", date(2026, 11, 27)),
    (
        MON_NOV_23,
        "Actie: <@U0AOV0002> belt politie vóór vrijdag.",
        "U0AOV0002",
        "date",
        date(2026, 11, 27),
    ),
    (
        MON_NOV_23,
        "Actiepunt: <@U0AOV0002|anna> stuurt verslag uiterlijk 1 december",
        "U0AOV0002",
        "date",
        date(2026, 12, 1),
    ),
    (MON_NOV_23, "AP: <@U0AOV0003> mailt de politie 1-12", "U0AOV0003", "date", date(2026, 12, 1)),
    (
        MON_NOV_23,
        "todo: concept notitie 1 dec. naar de burgemeester",
        AUTHOR,
        "date",
        date(2026, 12, 1),
    ),
    (MON_NOV_23, "TODO : volgende week evaluatie plannen", AUTHOR, "date", date(2026, 12, 4)),
    (
        MON_NOV_23,
        "actie:over 2 weken terugkoppelen aan de burgemeester",
        AUTHOR,
        "date",
        date(2026, 12, 7),
    ),
    (MON_NOV_23, "*Actie:* rapportage eind van de maand", AUTHOR, "date", date(2026, 11, 30)),
    (
        MON_NOV_23,
        "actie: <@U0BOA0001> agendeert dit voor de volgende boa-briefing",
        "U0BOA0001",
        "next_meeting",
        BOA_NEXT,
    ),
    (MON_NOV_23, "actie: bespreken in volgend overleg", AUTHOR, "next_meeting", THREAD_NEXT),
    (
        MON_NOV_23,
        "actie: terugkomen in het volgende teamoverleg",
        AUTHOR,
        "next_meeting",
        THREAD_NEXT,
    ),
    (
        MON_NOV_23,
        "actie: z.s.m. contact met de woningcorporatie",
        AUTHOR,
        "asap",
        date(2026, 11, 24),
    ),
    (MON_NOV_23, "actie: <@U0AOV0002> zoekt uit hoe het zit", "U0AOV0002", "default", THREAD_NEXT),
    (MON_NOV_23, "actie: ik vraag <@U0AOV0002> om de cijfers", AUTHOR, "default", THREAD_NEXT),
    (MON_NOV_23, "actie: uiterlijk maandag 7 december", AUTHOR, "date", date(2026, 12, 7)),
    (
        MON_NOV_23,
        "actie: deadline 15-01 voor de subsidieaanvraag",
        AUTHOR,
        "date",
        date(2027, 1, 15),
    ),
    (
        MON_NOV_23,
        "actie: binnen 3 werkdagen reageren op de klacht",
        AUTHOR,
        "date",
        date(2026, 11, 26),
    ),
    (MON_NOV_23, "actie: morgen bellen met de wijkagent", AUTHOR, "date", date(2026, 11, 24)),
    (MON_NOV_23, "Actie: evaluatie klaar eind volgende week", AUTHOR, "date", date(2026, 12, 4)),
    (
        MON_NOV_23,
        "actie: begin volgende maand de cijfers opvragen",
        AUTHOR,
        "date",
        date(2026, 12, 1),
    ),
    (MON_NOV_23, "actie: t/m vrijdag beschikbaar voor vragen", AUTHOR, "date", date(2026, 11, 27)),
    (MON_NOV_23, "ACTIE: per direct de toegang intrekken", AUTHOR, "asap", date(2026, 11, 24)),
    (
        MON_NOV_23,
        "• actie: <@U0TL00001> tekent de beschikking voor dinsdag",
        "U0TL00001",
        "date",
        date(2026, 11, 24),
    ),
    (MON_NOV_23, "- TODO: overmorgen draaiboek rondsturen", AUTHOR, "date", date(2026, 11, 25)),
    (
        MON_NOV_23,
        "actie: bel 06-12345678 en vraag naar de planning",
        AUTHOR,
        "default",
        THREAD_NEXT,
    ),
    (MON_NOV_23, "actie: 3 agenten regelen voor de wedstrijd", AUTHOR, "default", THREAD_NEXT),
    (
        MON_NOV_23,
        "actie: <@U0AOV0002> en ik schrijven de notitie voor 2 jan",
        "U0AOV0002",
        "date",
        date(2027, 1, 2),
    ),
    # around the end of a month
    (MON_NOV_30, "actie: ik bel de wijkagent voor vrijdag", AUTHOR, "date", date(2026, 12, 4)),
    (MON_NOV_30, "actie: rapportage eind van de maand", AUTHOR, "date", date(2026, 11, 30)),
    (MON_NOV_30, "actie: uiterlijk 1-12 aanleveren", AUTHOR, "date", date(2026, 12, 1)),
    (MON_NOV_30, "actie: volgende week dinsdag bespreken", AUTHOR, "date", date(2026, 12, 8)),
    (MON_NOV_30, "actie: over een maand evalueren", AUTHOR, "date", date(2026, 12, 30)),
    (MON_NOV_30, "actie: zsm terugkoppelen", AUTHOR, "asap", date(2026, 12, 1)),
    # around the end of the year
    (
        WED_DEC_30,
        "actie: voor vrijdag de evaluatie jaarwisseling",
        AUTHOR,
        "date",
        date(2027, 1, 1),
    ),
    (WED_DEC_30, "actie: uiterlijk 5 januari rondsturen", AUTHOR, "date", date(2027, 1, 5)),
    (WED_DEC_30, "actie: volgende week plannen", AUTHOR, "date", date(2027, 1, 8)),
    (WED_DEC_30, "actie: over 2 weken terugkoppelen", AUTHOR, "date", date(2027, 1, 13)),
    (WED_DEC_30, "actie: eind van de maand afronden", AUTHOR, "date", date(2026, 12, 31)),
    (WED_DEC_30, "actie: stukken voor 1 feb. klaar", AUTHOR, "date", date(2027, 2, 1)),
    (THU_DEC_31, "actie: z.s.m. de schade opnemen", AUTHOR, "asap", date(2027, 1, 4)),
    (THU_DEC_31, "actie: morgen niets, overmorgen bellen", AUTHOR, "date", date(2027, 1, 1)),
    (THU_DEC_31, "actie: binnen twee werkdagen melden", AUTHOR, "date", date(2027, 1, 5)),
    (THU_DEC_31, "actie: voor het eind van het jaar", AUTHOR, "date", date(2026, 12, 31)),
    # a leap year's February
    (MON_FEB_28_2028, "actie: eind van de maand de cijfers", AUTHOR, "date", date(2028, 2, 29)),
    (MON_FEB_28_2028, "actie: uiterlijk 29 februari", AUTHOR, "date", date(2028, 2, 29)),
    (MON_FEB_28_2028, "actie: ASAP de melding doorzetten", AUTHOR, "asap", date(2028, 2, 29)),
    # a weekday closing the line is its deadline, like "1-12" there ("vrijdag" in the issue)
    (MON_NOV_23, "actie: ik bel de wijkagent vrijdag", AUTHOR, "date", date(2026, 11, 27)),
    (
        MON_NOV_23,
        "AP: <@U0AOV0002> mailt het draaiboek dinsdag.",
        "U0AOV0002",
        "date",
        date(2026, 11, 24),
    ),
    (WED_DEC_30, "actie: evaluatie rondsturen maandag", AUTHOR, "date", date(2027, 1, 4)),
    # ... also with "a.s."/"aanstaande" after it, and "vandaag" closing the line is today
    (MON_NOV_23, "actie: ik bel de wijkagent vrijdag a.s.", AUTHOR, "date", date(2026, 11, 27)),
    (
        MON_NOV_23,
        "actie: <@U0AOV0002> stuurt het verslag rond maandag aanstaande",
        "U0AOV0002",
        "date",
        date(2026, 11, 30),
    ),
    (MON_NOV_23, "actie: de melding doorzetten vandaag", AUTHOR, "date", date(2026, 11, 23)),
    (MON_NOV_23, "actie: bel de woningcorporatie vandaag nog!", AUTHOR, "date", date(2026, 11, 23)),
    # the owner named before the colon: "Actie @Bert:", "Actie voor @Bert:"
    (
        MON_NOV_23,
        "Actie <@U0AOV0002>: belt de wijkagent voor vrijdag",
        "U0AOV0002",
        "date",
        date(2026, 11, 27),
    ),
    (
        MON_NOV_23,
        "actie voor <@U0AOV0003>: stukken rondsturen",
        "U0AOV0003",
        "default",
        THREAD_NEXT,
    ),
    (
        MON_NOV_23,
        "*Actie* <@U0BOA0001|boa>: handhavers inplannen uiterlijk 4 december",
        "U0BOA0001",
        "date",
        date(2026, 12, 4),
    ),
    # a numbered list item, as Slack writes one in a message's text
    (MON_NOV_23, "1. actie: <@U0AOV0003> regelt de zaal", "U0AOV0003", "default", THREAD_NEXT),
    # a month, quarter or year as a deadline is its last day: "uiterlijk volgende maand" was
    # stored as the 1st, a month early; "medio" and "begin" name a day
    (MON_NOV_23, "actie: rapport uiterlijk volgende maand", AUTHOR, "date", date(2026, 12, 31)),
    (MON_NOV_30, "actie: voor volgende maand de cijfers", AUTHOR, "date", date(2026, 12, 31)),
    (THU_DEC_31, "actie: volgende maand evalueren", AUTHOR, "date", date(2027, 1, 31)),
    (MON_NOV_23, "actie: deze maand het draaiboek af", AUTHOR, "date", date(2026, 11, 30)),
    (MON_NOV_23, "actie: medio volgende maand terugkoppelen", AUTHOR, "date", date(2026, 12, 15)),
    (MON_NOV_23, "actie: evaluatie uiterlijk dit kwartaal", AUTHOR, "date", date(2026, 12, 31)),
    (THU_DEC_31, "actie: plan uiterlijk volgend kwartaal", AUTHOR, "date", date(2027, 3, 31)),
    (MON_NOV_23, "actie: beleid klaar uiterlijk volgend jaar", AUTHOR, "date", date(2027, 12, 31)),
]
