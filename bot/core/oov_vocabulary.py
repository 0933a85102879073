"""The words colleagues in public order and safety (OOV) use for a subject, and the words a task
overview writes for it: "wiet" where the overview says "hennep", "huiselijk geweld" where it says
"huisverbod". `/wie` searches the overview's words as well when the query uses one of these.

Data, and the only place for it: OOV vocabulary of any Dutch municipality, not one team's task
list (a task's own other names belong in its `aliases` in tasks.yaml). Each entry reads "what
is typed" → "the words an overview may use instead"; each alternative is searched on its own, so
"hangjongeren" can be Jeugd as well as Overlast. A term is matched as whole words, after
folding, stop words and stemming ("Coffeeshops", "de kermis"); an alternative an overview does
not use finds nothing there, so the list is safe for any overview.
"""

from __future__ import annotations

from collections.abc import Mapping

OOV_SYNONYMS: Mapping[str, tuple[str, ...]] = {
    # drugs and the Opiumwet
    "wiet": ("hennep",),
    "cannabis": ("hennep", "drugs"),
    "wietplantage": ("hennep",),
    "wietteelt": ("hennep",),
    "hennepkwekerij": ("hennep",),
    "hennepplantage": ("hennep",),
    "growshop": ("hennep",),
    "softdrugs": ("drugs",),
    "harddrugs": ("drugs",),
    "drugshandel": ("drugs",),
    "drugsdealer": ("drugs",),
    "cocaine": ("drugs",),
    "xtc": ("drugs",),
    "opiumwet": ("drugs", "damocles"),
    "13b": ("damocles",),
    # closing a building (Opiumwet 13b, Gemeentewet 174a)
    "woningsluiting": ("pandsluiting",),
    "sluiting woning": ("pandsluiting",),
    "woning sluiten": ("pandsluiting",),
    "174a": ("pandsluiting",),
    "drugspand": ("pandsluiting",),
    # the mayor's powers in the Gemeentewet
    "gemeentewet": ("noodbevoegdheden",),
    "172a": ("gebiedsverbod",),
    "artikel 175": ("noodbevel",),
    "art 175": ("noodbevel",),
    "gemeentewet 175": ("noodbevel",),
    "artikel 176": ("noodverordening",),
    "art 176": ("noodverordening",),
    "gemeentewet 176": ("noodverordening",),
    # the turn of the year
    "oudjaar": ("jaarwisseling",),
    "oudejaarsnacht": ("jaarwisseling",),
    "oudejaarsdag": ("jaarwisseling",),
    "nieuwjaarsnacht": ("jaarwisseling",),
    "carbid": ("jaarwisseling",),
    "carbidschieten": ("jaarwisseling",),
    "vreugdevuur": ("jaarwisseling",),
    "fireworks": ("jaarwisseling",),
    "new year": ("jaarwisseling",),
    "new years eve": ("jaarwisseling",),
    # events
    "kermis": ("evenementen",),
    "carnaval": ("evenementen",),
    "festival": ("evenementen",),
    "braderie": ("evenementen",),
    "concert": ("evenementen",),
    "optocht": ("evenementen",),
    "evenementenvergunning": ("evenementen",),
    "event": ("evenementen",),
    "events": ("evenementen",),
    # domestic violence
    "huiselijk geweld": ("huisverbod",),
    "veilig thuis": ("huisverbod",),
    "wth": ("huisverbod",),
    "uithuisplaatsing": ("huisverbod",),
    "kindermishandeling": ("huisverbod",),
    "domestic violence": ("huisverbod",),
    # human trafficking and the sex trade
    "prostitutie": ("mensenhandel",),
    "seksbranche": ("mensenhandel",),
    "seksinrichting": ("mensenhandel",),
    "sekswerk": ("mensenhandel",),
    "escort": ("mensenhandel",),
    "loverboy": ("mensenhandel",),
    "loverboys": ("mensenhandel",),
    "human trafficking": ("mensenhandel",),
    # radicalisation and extremism
    "polarisatie": ("radicalisering",),
    "extremist": ("radicalisering",),
    "jihadist": ("radicalisering",),
    "rechtsextremisme": ("radicalisering",),
    "terrorism": ("radicalisering",),
    # organised crime
    "georganiseerde criminaliteit": ("ondermijning",),
    "witwassen": ("ondermijning",),
    "mma": ("meld misdaad anoniem",),
    # care and safety: confused persons
    "verward gedrag": ("zorg en veiligheid", "veiligheidshuis", "oggz"),
    "personen met verward gedrag": ("zorg en veiligheid", "veiligheidshuis", "oggz"),
    "verwarde personen": ("zorg en veiligheid", "veiligheidshuis", "oggz"),
    "verward persoon": ("zorg en veiligheid", "veiligheidshuis", "oggz"),
    "verwarde man": ("zorg en veiligheid", "veiligheidshuis", "oggz"),
    "verwarde vrouw": ("zorg en veiligheid", "veiligheidshuis", "oggz"),
    "pvg": ("zorg en veiligheid", "veiligheidshuis", "oggz"),
    "ggz": ("zorg en veiligheid", "veiligheidshuis", "oggz"),
    "wvggz": ("zorg en veiligheid", "veiligheidshuis", "oggz"),
    "wet verplichte ggz": ("zorg en veiligheid", "veiligheidshuis", "oggz"),
    "wet zorg en dwang": ("zorg en veiligheid", "veiligheidshuis", "oggz"),
    "zorg en dwang": ("zorg en veiligheid", "veiligheidshuis", "oggz"),
    "psychosociale hulp": ("pshi",),
    "psychosociale hulpverlening": ("pshi",),
    # youth
    "jongeren": ("jeugd",),
    "hangjongeren": ("jeugd", "overlast"),
    "jongerenoverlast": ("jeugd", "overlast"),
    "jeugdgroep": ("jeugd", "overlast"),
    # high impact crimes
    "oplichting": ("criminaliteit",),
    "babbeltruc": ("criminaliteit",),
    "phishing": ("criminaliteit",),
    "overval": ("criminaliteit",),
    "straatroof": ("criminaliteit",),
    "diefstal": ("criminaliteit",),
    # bans
    "verblijfsverbod": ("verblijfsontzegging",),
    "uitgaansverbod": ("verblijfsontzegging",),
    "uitgaansgebied": ("horecagebied",),
    "drank": ("alcohol",),
    "drank en horecawet": ("alcohol", "horeca"),
    "dhw": ("alcohol", "horeca"),
    # asylum
    "vluchtelingen": ("asielzoekers",),
    "statushouders": ("asielzoekers",),
    "asiel": ("asielzoekers",),
    "coa": ("asielzoekers",),
    "refugee": ("asielzoekers",),
    "refugees": ("asielzoekers",),
    # crisis and disaster management
    "crisisorganisatie": ("rampenbestrijding", "bevolkingszorg"),
    "crisisbeheersing": ("rampenbestrijding", "bevolkingszorg"),
    "grip": ("rampenbestrijding", "bevolkingszorg"),
    "hoogwater": ("rampenbestrijding",),
    "overstroming": ("rampenbestrijding",),
    "bom": ("explosieven",),
    "granaat": ("explosieven",),
    "vogelgriep": ("dierziekten",),
    "varkenspest": ("dierziekten",),
    "blackout": ("stroomuitval",),
    "power outage": ("stroomuitval",),
    "water": ("drinkwater",),
    "drinking water": ("drinkwater",),
    # other English words
    "police": ("politie",),
    "fire brigade": ("brandweer",),
    "trainee": ("stagiaire",),
    "integrity screening": ("bibob",),
}
