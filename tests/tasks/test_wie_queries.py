"""`/wie` as the team really types it: the table of what OOV colleagues ask, and what they should
get — the task's card, a short pick list holding the tasks meant, or no answer (no wrong card,
no far-fetched suggestion). Read as an adviser who did not write the bot, against the bundled
task overview (config/tasks.yaml, seed 000)."""

from __future__ import annotations

import pytest

from bot.core.oov_vocabulary import OOV_SYNONYMS
from bot.core.task_search import SearchResult, TaskIndex, content_words, stem_key

AB_VRD = "Algemeen Bestuur Veiligheidsregio Drenthe"
ACCOUNTHOUDERS = "Accounthoudersoverleg VRD"
AVO = "Ambtelijk Voorbereidingsoverleg (AVO) Gezagsdriehoek Noord Drenthe"
AZC = "AZC"
BIBOB = "BIBOB"
BIJ = "BIJ-meldingen"
BOA = "Boa-briefing"
BUURTPREVENTIE = "Buurtpreventie"
BUURTPREVENTIE_BURGERS = "Buurtpreventie / burgerparticipatie"
CASUISTIEK = "Casuïstiek (overlast/klachten/etc.)"
CASUSREGIE = "Casusregie Zorg en Veiligheidshuis Drenthe"
CRIMINALITEIT = "Criminaliteit (High Impac Crimes zoals Woninginbraken, bankhelpdeskfraude, etc.)"
DAMOCLES = "Damoclesbeleid + drugsbeleid"
DRIEHOEK = "Gezagsdriehoek Noord Drenthe"
EVENEMENTEN = "Veiligheid en evenementen"
EXPLOSIEVEN = "Aantreffen (conventionele) explosieven"
GAE = "Rampbestrijdingsplan GAE"
HENNEP = "Hennepconvenant / bestuurlijke maatregelen Damoclesbeleid"
HORECA = "Horeca"
HUISVERBODEN = "Huisverboden"
JAARWISSELING = "Jaarwisseling"
JEUGD = "Jeugd en alcohol / alcoholpreventieprojecten"
JIHADISME = "Jihadisme / radicalisering"
LOKAAL_POLITIEOVERLEG = "Lokaal politieoverleg (Veiligheidsoverleg)"
MENSENHANDEL = "Mensenhandel-/uitbuiting"
NCC = "NCC (terreurdreiging / dierziekten enz.)"
NOODBEVELEN = "Noodbevelen en noodbevoegdheden"
ONDERMIJNING = "Ondermijning"
OPVANG = "Opvang asielzoekers"
PIKET = "Piket rampenbestrijding (OVD-BZ + IM-ACBZ)"
PORTEFEUILLEHOUDERS = "Portefeuillehoudersoverleg VRD/ Brandweer"
PSHI = "PSHI-protocol"
RAMPENSTAF = "Rampenstaf / team Bevolkingszorg gemeente Tynaarlo"
RPBO = "Regionaal bestuurlijk politieoverleg Noord Nederland (RPBO)"
TVO = "Tactisch Veiligheidsoverleg (TVO) met Gemeente, politie, toegang, Oggz en ZVHD"
VDG = "Zorg en Veiligheid (VDG)"
VERBLIJFSONTZEGGINGEN = "Verblijfsontzeggingen horecagebied"
WOONOVERLAST = "Wet aanpak woonoverlast"

NO_ANSWER = "no answer"


def card(subject: str) -> tuple[str, str]:
    return ("card", subject)


def pick(*subjects: str) -> tuple[str, frozenset[str]]:
    """A pick list (no card) that holds at least these subjects."""
    return ("pick", frozenset(subjects))


# query → what the colleague should get
QUERIES: list[tuple[str, object]] = [
    # BIBOB
    ("bibob", card(BIBOB)),
    ("Wet Bibob", card(BIBOB)),
    ("wie doet de bibob?", card(BIBOB)),
    ("wie gaat over bibob", card(BIBOB)),
    ("bibop", card(BIBOB)),
    ("bibob toets", card(BIBOB)),
    # Horeca's duties say "Coördineren Bibob-onderzoek": both, never the mention alone
    ("bibob onderzoek", pick(BIBOB, HORECA)),
    ("bibob-onderzoek", pick(BIBOB, HORECA)),
    ("integrity screening", card(BIBOB)),
    # domestic violence and the temporary restraining order
    ("huisverbod", card(HUISVERBODEN)),
    ("huisverboden", card(HUISVERBODEN)),
    ("huis verbod", card(HUISVERBODEN)),
    ("tijdelijk huisverbod", card(HUISVERBODEN)),
    ("Wet tijdelijk huisverbod", card(HUISVERBODEN)),
    ("WTH", card(HUISVERBODEN)),
    ("huiselijk geweld", card(HUISVERBODEN)),
    ("wie doet huiselijk geweld?", card(HUISVERBODEN)),
    ("veilig thuis", card(HUISVERBODEN)),
    ("kindermishandeling", card(HUISVERBODEN)),
    ("domestic violence", card(HUISVERBODEN)),
    # the turn of the year
    ("jaarwisseling", card(JAARWISSELING)),
    ("wie gaat over de jaarwisseling", card(JAARWISSELING)),
    ("jaarwiseling", card(JAARWISSELING)),
    ("oud en nieuw", card(JAARWISSELING)),
    ("oud & nieuw", card(JAARWISSELING)),
    ("oudjaar", card(JAARWISSELING)),
    ("oudejaarsnacht", card(JAARWISSELING)),
    ("nieuwjaarsnacht", card(JAARWISSELING)),
    ("vuurwerk", card(JAARWISSELING)),
    ("wie doet vuurwerk?", card(JAARWISSELING)),
    ("carbid", card(JAARWISSELING)),
    ("carbid schieten", card(JAARWISSELING)),
    ("fireworks", card(JAARWISSELING)),
    ("new year", card(JAARWISSELING)),
    # asylum
    ("azc", card(AZC)),
    ("AZC's", card(AZC)),
    ("asielzoekerscentrum", card(AZC)),
    ("opvang asielzoekers", card(OPVANG)),
    ("asielzoekers", pick(OPVANG, AZC)),
    ("vluchtelingen", pick(OPVANG, AZC)),
    ("statushouders", pick(OPVANG, AZC)),
    ("COA", pick(OPVANG, AZC)),
    ("refugee centre", pick(OPVANG, AZC)),
    # drugs, the Opiumwet and closing buildings
    ("drugs", card(DAMOCLES)),
    ("drugsbeleid", card(DAMOCLES)),
    ("coffeeshop", card(DAMOCLES)),
    ("coffeeshops", card(DAMOCLES)),
    ("wie gaat over de coffeeshops", card(DAMOCLES)),
    ("damoclesbeleid", card(DAMOCLES)),
    ("Damocles", pick(DAMOCLES, HENNEP)),
    ("artikel 13b", pick(DAMOCLES, HENNEP)),
    ("13b", pick(DAMOCLES, HENNEP)),
    ("Opiumwet", pick(DAMOCLES, HENNEP)),
    ("opium wet", pick(DAMOCLES, HENNEP)),
    ("hennep", card(HENNEP)),
    ("wiet", card(HENNEP)),
    ("cannabis", card(HENNEP)),
    ("wietplantage", card(HENNEP)),
    ("hennepkwekerij", card(HENNEP)),
    ("growshop", card(HENNEP)),
    ("woningsluiting", card(HENNEP)),
    ("sluiting woning", card(HENNEP)),
    ("pandsluiting", card(HENNEP)),
    ("174a", card(HENNEP)),
    # radicalisation
    ("radicalisering", card(JIHADISME)),
    ("radicalisring", card(JIHADISME)),
    ("extremisme", card(JIHADISME)),
    ("jihadisme", card(JIHADISME)),
    ("terrorisme", card(JIHADISME)),
    ("polarisatie", card(JIHADISME)),
    ("CTER", card(JIHADISME)),
    # care and safety: confused persons
    ("verward gedrag", pick(VDG, CASUSREGIE, TVO)),
    ("personen met verward gedrag", pick(VDG, CASUSREGIE, TVO)),
    ("verwarde personen", pick(VDG, CASUSREGIE, TVO)),
    ("wvggz", pick(VDG, CASUSREGIE)),
    ("wet verplichte ggz", pick(VDG, CASUSREGIE)),
    # human trafficking
    ("mensenhandel", card(MENSENHANDEL)),
    ("mensehandel", card(MENSENHANDEL)),
    ("uitbuiting", card(MENSENHANDEL)),
    ("arbeidsuitbuiting", card(MENSENHANDEL)),
    ("prostitutie", card(MENSENHANDEL)),
    ("seksbranche", card(MENSENHANDEL)),
    ("loverboys", card(MENSENHANDEL)),
    # organised crime
    ("ondermijning", card(ONDERMIJNING)),
    ("ondermijnende criminaliteit", card(ONDERMIJNING)),
    ("witwassen", card(ONDERMIJNING)),
    ("meld misdaad anoniem", card(ONDERMIJNING)),
    ("riec", card("Samenwerking RIEC-Noord")),
    # crisis and disaster management
    ("crisis", pick(PIKET, NCC)),
    ("crisisorganisatie", pick(RAMPENSTAF, PIKET)),
    ("GRIP", pick(RAMPENSTAF, PIKET)),
    ("ramp", pick(RAMPENSTAF, GAE, PIKET)),
    ("bevolkingszorg", pick(RAMPENSTAF, PIKET)),
    ("rampenstaf", card(RAMPENSTAF)),
    ("piket", card(PIKET)),
    ("crisispiket", card(PIKET)),
    ("OvD", card(PIKET)),
    ("ovd bz", card(PIKET)),
    ("officier van dienst bevolkingszorg", card(PIKET)),
    ("explosieven", card(EXPLOSIEVEN)),
    ("explosief", card(EXPLOSIEVEN)),
    ("bom", card(EXPLOSIEVEN)),
    ("EODD", card(EXPLOSIEVEN)),
    ("ncc", card(NCC)),
    ("vogelgriep", card(NCC)),
    ("terreur", card(NCC)),
    ("stroomstoring", card("Noodstroomplan enexis")),
    ("noodstroom", card("Noodstroomplan enexis")),
    ("drinkwater", card("Nooddrinkwaterpunten")),
    ("vliegveld", card(GAE)),
    ("Eelde", card(GAE)),
    ("pshi", card(PSHI)),
    ("psychosociale hulp", card(PSHI)),
    # events
    ("evenementen", card(EVENEMENTEN)),
    ("evenementenvergunning", card(EVENEMENTEN)),
    ("kermis", card(EVENEMENTEN)),
    ("wie doet de kermis in juli", card(EVENEMENTEN)),
    ("carnaval", card(EVENEMENTEN)),
    ("festival", card(EVENEMENTEN)),
    ("event", card(EVENEMENTEN)),
    # horeca and alcohol
    ("horeca", card(HORECA)),
    ("wie gaat over horeca", card(HORECA)),
    ("drank", card(JEUGD)),
    ("alcohol", card(JEUGD)),
    ("alcoholwet", card(JEUGD)),
    ("drank- en horecawet", pick(HORECA, JEUGD)),
    ("verblijfsontzegging", card(VERBLIJFSONTZEGGINGEN)),
    ("verblijfsverbod", card(VERBLIJFSONTZEGGINGEN)),
    ("gebiedsverbod", pick(CASUISTIEK, HORECA)),
    # the mayor's powers and other laws
    ("noodbevel", card(NOODBEVELEN)),
    ("noodbevelen", card(NOODBEVELEN)),
    ("noodverordening", card(NOODBEVELEN)),
    ("artikel 175", card(NOODBEVELEN)),
    ("art 176", card(NOODBEVELEN)),
    ("Gemeentewet 172", card(NOODBEVELEN)),
    ("politiewet", pick(DRIEHOEK, LOKAAL_POLITIEOVERLEG, RPBO, CRIMINALITEIT)),
    ("wet op de veiligheidsregio's", pick(AB_VRD)),
    ("wet aanpak woonoverlast", card(WOONOVERLAST)),
    # meetings and partners
    ("tvo", card(TVO)),
    ("ovo", card("Lokaal operationeel veiligheidsoverleg (OVO)")),
    ("avo", card(AVO)),
    ("rpbo", card(RPBO)),
    ("driehoek", card(DRIEHOEK)),
    ("gezagsdriehoek", pick(DRIEHOEK, AVO)),
    ("veiligheidsregio", pick(AB_VRD, ACCOUNTHOUDERS, PORTEFEUILLEHOUDERS)),
    ("VRD", pick(AB_VRD, ACCOUNTHOUDERS, PORTEFEUILLEHOUDERS)),
    ("brandweer", card(PORTEFEUILLEHOUDERS)),
    ("boa", card(BOA)),
    ("boa briefing", card(BOA)),
    ("kmar", card(BOA)),
    ("marechaussee", card(BOA)),
    ("ifv", card("Consultatie stukken IFV & veiligheidsberaad")),
    # nuisance, youth, neighbourhoods
    ("casuistiek", card(CASUISTIEK)),
    ("burenruzie", card(CASUISTIEK)),
    ("overlast", card(CASUISTIEK)),
    ("woonoverlast", card(WOONOVERLAST)),
    ("hangjongeren", pick(CASUISTIEK, JEUGD)),
    ("jongeren", card(JEUGD)),
    ("jeugd", card(JEUGD)),
    ("buurtpreventie", pick(BUURTPREVENTIE, BUURTPREVENTIE_BURGERS)),
    ("buurtapp", card(BUURTPREVENTIE_BURGERS)),
    # "zaken" says nothing of the subject: not the card "Administratieve zaken"
    ("buurtzaken", pick(BUURTPREVENTIE, BUURTPREVENTIE_BURGERS)),
    ("whatsapp", card(BUURTPREVENTIE_BURGERS)),
    ("burgernet", card("Burgernet")),
    # crime
    ("woninginbraak", card(CRIMINALITEIT)),
    ("inbraak", card(CRIMINALITEIT)),
    ("high impact crime", card(CRIMINALITEIT)),
    ("oplichting", pick(CRIMINALITEIT)),
    ("babbeltruc", pick(CRIMINALITEIT)),
    ("nazorg", card("Nazorg (ex)Gedetineerden")),
    ("ex-gedetineerden", card("Nazorg (ex)Gedetineerden")),
    ("bij melding", card(BIJ)),
    ("zedendelinquent", pick(BIJ)),
    # the team's own work
    ("oefenen", card("Werkgroep Opleiden, trainen en Oefenen")),
    ("training", card("Trainginsdagen veiligheidsthema's")),
    ("stagiair", card("Begeleiden stagiaire (indien van toepassing)")),
    ("declaraties", card("Administratieve zaken")),
    ("zaaksysteem", card("Zaaksysteem")),
    ("ivb", card("Integraal Veiligheidsbeleid")),
    ("veiligheidsbeleid", card("Integraal Veiligheidsbeleid")),
    ("uitvoeringsprogramma", card("Uitvoeringsprogramma integrale veiligheid")),
    ("veiligheidsmonitor", card("Deelname veiligheidsmonitor")),
    ("calamiteitenplan", card("Calamiteitenplannen van andere organisaties")),
    ("portefeuilleoverleg", card("Portefeuille overleg")),
    # no task in this overview, and junk: no answer rather than a wrong one
    ("demonstratie", NO_ANSWER),
    # the verb "geldt" ("voor de functies geldt een opleiding") is no subject, and no money
    ("geld", NO_ANSWER),
    ("geldt", NO_ANSWER),
    ("wat geldt er voor piket", card(PIKET)),
    # no camera task: the two tasks whose duties name "toezicht" are offered, not one as the card
    ("cameratoezicht", pick(HORECA, JAARWISSELING)),
    ("betoging", NO_ANSWER),
    ("APV", NO_ANSWER),
    ("cybercrime", NO_ANSWER),
    ("help me", NO_ANSWER),
    ("asdfgh", NO_ANSWER),
    ("???", NO_ANSWER),
    ("de", NO_ANSWER),
    ("pizza", NO_ANSWER),
    ("dank je", NO_ANSWER),
]


def _subjects(result: SearchResult) -> list[str]:
    return [match.task.subject for match in result.matches]


@pytest.mark.parametrize(("query", "expected"), QUERIES, ids=[q for q, _ in QUERIES])
def test_wie_as_the_team_types_it(index: TaskIndex, query: str, expected: object) -> None:
    result = index.search(query)
    found = _subjects(result)
    if expected == NO_ANSWER:
        assert result.matches == (), (query, found)
        assert result.suggestions == (), (query, [t.subject for t in result.suggestions])
        return
    kind, wanted = expected  # type: ignore[misc]
    if kind == "card":
        assert result.best is not None, (query, found)
        assert result.best.task.subject == wanted, (query, found)
    else:
        assert result.best is None, (query, found)
        assert 1 <= len(found) <= 5
        assert wanted <= set(found), (query, found)


def test_the_table_covers_the_overview_and_the_team_s_words() -> None:
    assert len(QUERIES) >= 150
    assert len({query.casefold() for query, _ in QUERIES}) == len(QUERIES)  # no query twice


def test_each_vocabulary_term_is_listed_once_and_has_alternatives() -> None:
    keys = [tuple(stem_key(word) for word in content_words(term)) for term in OOV_SYNONYMS]
    assert all(keys), "a term of stop words only would never match"
    assert len(set(keys)) == len(keys), "two terms read the same after stemming"
    for term, alternatives in OOV_SYNONYMS.items():
        assert term == term.casefold(), term
        assert alternatives and all(content_words(a) for a in alternatives), term


def test_the_vocabulary_finds_nothing_in_an_overview_without_its_words() -> None:
    from bot.core.task_search import SearchableTask

    other = TaskIndex([SearchableTask(1, "Marktvergunningen", "", "Standplaatsen toewijzen")])
    assert other.search("wiet").matches == ()
    assert other.search("huiselijk geweld").matches == ()
