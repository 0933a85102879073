"""`/wie <onderwerp>` finds the task a team member means, however it was typed."""

import time

import pytest

from bot.core.task_search import SearchableTask, SearchResult, TaskIndex

AVO = "Ambtelijk Voorbereidingsoverleg (AVO) Gezagsdriehoek Noord Drenthe"
DRIEHOEK = "Gezagsdriehoek Noord Drenthe"
LOKAAL_POLITIEOVERLEG = "Lokaal politieoverleg (Veiligheidsoverleg)"
TVO = "Tactisch Veiligheidsoverleg (TVO) met Gemeente, politie, toegang, Oggz en ZVHD"
RPBO = "Regionaal bestuurlijk politieoverleg Noord Nederland (RPBO)"
CASUSREGIE = "Casusregie Zorg en Veiligheidshuis Drenthe"
CRIMINALITEIT = "Criminaliteit (High Impac Crimes zoals Woninginbraken, bankhelpdeskfraude, etc.)"
AB_VRD = "Algemeen Bestuur Veiligheidsregio Drenthe"
CASUISTIEK = "Casuïstiek (overlast/klachten/etc.)"
DAMOCLES = "Damoclesbeleid + drugsbeleid"
HENNEP = "Hennepconvenant / bestuurlijke maatregelen Damoclesbeleid"
EXPLOSIEVEN = "Aantreffen (conventionele) explosieven"
PIKET = "Piket rampenbestrijding (OVD-BZ + IM-ACBZ)"
RAMPENSTAF = "Rampenstaf / team Bevolkingszorg gemeente Tynaarlo"
NCC = "NCC (terreurdreiging / dierziekten enz.)"
BUURTPREVENTIE = "Buurtpreventie"
BUURTPREVENTIE_BURGERS = "Buurtpreventie / burgerparticipatie"
STAGIAIRE = "Begeleiden stagiaire (indien van toepassing)"
PORTEFEUILLEHOUDERS = "Portefeuillehoudersoverleg VRD/ Brandweer"
ACCOUNTHOUDERS = "Accounthoudersoverleg VRD"


def subjects(result: SearchResult) -> list[str]:
    return [match.task.subject for match in result.matches]


# What colleagues type in a hurry → the task they mean.
CLEAR_QUERIES = [
    # the examples from the design
    ("bibob", "BIBOB"),
    ("huisverbod", "Huisverboden"),
    ("jaarwisseling", "Jaarwisseling"),
    ("azc", "AZC"),
    # case, punctuation, stop words and questions around the subject
    ("BIBOB", "BIBOB"),
    ("Wie doet de Bibob?", "BIBOB"),
    ("wet bibob", "BIBOB"),
    ("Wie is de contactpersoon voor het AZC?", "AZC"),
    ("wie doet het zaaksysteem", "Zaaksysteem"),
    # accents left out
    ("casuistiek", CASUISTIEK),
    # singular / plural / inflection
    ("huisverboden", "Huisverboden"),
    ("huis verbod", "Huisverboden"),
    ("noodbevel", "Noodbevelen en noodbevoegdheden"),
    ("explosief", EXPLOSIEVEN),
    ("declaratie", "Administratieve zaken"),
    ("stagiair", STAGIAIRE),
    ("ondermijnende", "Ondermijning"),
    ("calamiteitenplan", "Calamiteitenplannen van andere organisaties"),
    ("verblijfsontzegging", "Verblijfsontzeggingen horecagebied"),
    # hyphens and spacing
    ("boa briefing", "Boa-briefing"),
    ("boabriefing", "Boa-briefing"),
    ("Boa-Briefing", "Boa-briefing"),
    ("bij melding", "BIJ-meldingen"),
    ("mensen handel", "Mensenhandel-/uitbuiting"),
    ("zaak systeem", "Zaaksysteem"),
    ("ex gedetineerden", "Nazorg (ex)Gedetineerden"),
    # typos
    ("bibop", "BIBOB"),
    ("bibbob", "BIBOB"),
    ("jaarwiseling", "Jaarwisseling"),
    ("jaarwisselng", "Jaarwisseling"),
    ("huisverbood", "Huisverboden"),
    ("casuistik", CASUISTIEK),
    ("explossieven", EXPLOSIEVEN),
    ("mensehandel", "Mensenhandel-/uitbuiting"),
    ("radicalisring", "Jihadisme / radicalisering"),
    ("burgenet", "Burgernet"),
    ("ondermijing", "Ondermijning"),
    ("hennepconvenent", HENNEP),
    # beginnings of words and parts of compounds
    ("jaarwis", "Jaarwisseling"),
    ("explos", EXPLOSIEVEN),
    ("noodstroom", "Noodstroomplan enexis"),
    ("drinkwater", "Nooddrinkwaterpunten"),
    ("accounthouder", ACCOUNTHOUDERS),
    ("terreur", NCC),
    ("dierziekte", NCC),
    ("inbraken", CRIMINALITEIT),
    ("fraude", CRIMINALITEIT),
    ("woonoverlast", "Wet aanpak woonoverlast"),
    ("brandweer", PORTEFEUILLEHOUDERS),
    ("rampenstaf", RAMPENSTAF),
    ("veiligheidsmonitor", "Deelname veiligheidsmonitor"),
    ("uitvoeringsprogramma", "Uitvoeringsprogramma integrale veiligheid"),
    ("alcohol", "Jeugd en alcohol / alcoholpreventieprojecten"),
    # abbreviations in the subject and in the aliases
    ("tvo", TVO),
    ("ovo", "Lokaal operationeel veiligheidsoverleg (OVO)"),
    ("avo", AVO),
    ("rpbo", RPBO),
    ("riec", "Samenwerking RIEC-Noord"),
    ("zvhd", CASUSREGIE),
    ("pshi", "PSHI-protocol"),
    ("ncc", NCC),
    ("ifv", "Consultatie stukken IFV & veiligheidsberaad"),
    ("oto", "Werkgroep Opleiden, trainen en Oefenen"),
    ("gae", "Rampbestrijdingsplan GAE"),
    ("hic", CRIMINALITEIT),
    ("cter", "Jihadisme / radicalisering"),
    ("kmar", "Boa-briefing"),
    ("boa", "Boa-briefing"),
    ("eodd", EXPLOSIEVEN),
    ("ovd-bz", PIKET),
    ("ovd bz", PIKET),
    ("im-acbz", PIKET),
    ("zlm", "Veiligheid en evenementen"),
    ("ivb", "Integraal Veiligheidsbeleid"),
    # synonyms
    ("oud en nieuw", "Jaarwisseling"),
    ("vuurwerk", "Jaarwisseling"),
    ("driehoek", DRIEHOEK),
    ("veiligheidshuis", CASUSREGIE),
    ("asielzoekerscentrum", "AZC"),
    ("vliegveld", "Rampbestrijdingsplan GAE"),
    ("buurtapp", BUURTPREVENTIE_BURGERS),
    ("stroomstoring", "Noodstroomplan enexis"),
    ("noodverordening", "Noodbevelen en noodbevoegdheden"),
    ("stage", STAGIAIRE),
    ("training", "Trainginsdagen veiligheidsthema's"),
    # words that only occur in the duties or the note under the subject
    ("coffeeshop", DAMOCLES),
    ("burenruzie", CASUISTIEK),
    ("burenruzies", CASUISTIEK),
    ("weerbaarheidsscan", "Ondermijning"),
    ("bloemencorso", "Veiligheid en evenementen"),
    ("eodd explosieven", EXPLOSIEVEN),
    ("gemeenschappelijke regeling", AB_VRD),
    ("basisteam", "Veiligheidsoverleg Noord Drenthe"),
    ("politiechef", LOKAAL_POLITIEOVERLEG),
    ("buurtpreventiebordjes", BUURTPREVENTIE),
    # full and partial subjects
    ("gezagsdriehoek noord drenthe", DRIEHOEK),
    ("avo gezagsdriehoek", AVO),
    ("portefeuille overleg", "Portefeuille overleg"),
    ("opvang asielzoekers", "Opvang asielzoekers"),
    ("zorg en veiligheid", "Zorg en Veiligheid (VDG)"),
    ("horeca", "Horeca"),
    ("piket", PIKET),
]


@pytest.mark.parametrize(("query", "expected"), CLEAR_QUERIES)
def test_loosely_typed_query_finds_the_task(index: TaskIndex, query: str, expected: str) -> None:
    result = index.search(query)
    assert result.best is not None, (query, subjects(result))
    assert result.best.task.subject == expected
    assert result.matches[0] == result.best
    assert result.suggestions == ()


def test_table_is_large_enough_to_mean_something() -> None:
    assert len(CLEAR_QUERIES) >= 45
    assert len({expected for _, expected in CLEAR_QUERIES}) >= 40


@pytest.mark.parametrize(
    ("query", "expected_in_pick_list"),
    [
        ("buurtpreventie", {BUURTPREVENTIE, BUURTPREVENTIE_BURGERS}),
        ("gezagsdriehoek", {DRIEHOEK, AVO}),
        ("vrd", {AB_VRD, ACCOUNTHOUDERS, PORTEFEUILLEHOUDERS}),
        ("veiligheidsregio", {AB_VRD, ACCOUNTHOUDERS, PORTEFEUILLEHOUDERS}),
        ("damocles", {DAMOCLES, HENNEP}),
        ("politieoverleg", {LOKAAL_POLITIEOVERLEG, RPBO}),
        ("gebiedsverbod", {CASUISTIEK, "Horeca"}),
        ("overleg", {"Portefeuille overleg", "Drents AOV-overleg Sociale veiligheid"}),
        ("preventie", {BUURTPREVENTIE, BUURTPREVENTIE_BURGERS}),
    ],
)
def test_ambiguous_query_gives_a_short_pick_list(
    index: TaskIndex, query: str, expected_in_pick_list: set[str]
) -> None:
    result = index.search(query)
    assert result.best is None
    assert expected_in_pick_list <= set(subjects(result))
    assert 2 <= len(result.matches) <= 5
    assert result.suggestions == ()


def test_pick_list_is_ordered_best_first(index: TaskIndex) -> None:
    result = index.search("gezagsdriehoek")
    # the subject that is nothing but the driehoek comes before the preparatory meeting
    assert subjects(result)[:2] == [DRIEHOEK, AVO]
    scores = [match.score for match in result.matches]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= score <= 100 for score in scores)


def test_limit_shortens_the_pick_list_but_never_hides_ambiguity(index: TaskIndex) -> None:
    assert len(index.search("veiligheid", limit=2).matches) == 2
    only_one = index.search("buurtpreventie", limit=1)
    assert len(only_one.matches) == 1
    assert only_one.best is None


def test_limit_must_be_positive(index: TaskIndex) -> None:
    with pytest.raises(ValueError):
        index.search("bibob", limit=0)


@pytest.mark.parametrize("query", ["xyzzy", "qwerty asdf", "pizza", "kkkkkk"])
def test_nonsense_finds_nothing(index: TaskIndex, query: str) -> None:
    result = index.search(query)
    assert result.matches == ()
    assert result.best is None
    assert len(result.suggestions) <= 3


def test_near_miss_without_a_match_offers_suggestions(index: TaskIndex) -> None:
    result = index.search("rampenplan")
    assert result.matches == ()
    assert result.best is None
    assert 1 <= len(result.suggestions) <= 3
    assert RAMPENSTAF in {task.subject for task in result.suggestions}


@pytest.mark.parametrize("query", ["", "   ", "\t\n", "wie doet het?", "?!"])
def test_empty_query_gives_nothing_at_all(index: TaskIndex, query: str) -> None:
    result = index.search(query)
    assert result.query == query
    assert result.matches == ()
    assert result.suggestions == ()
    assert result.best is None


@pytest.mark.parametrize(
    "variants",
    [
        ("casuïstiek", "CASUISTIEK", "Casuistiek", "cAsUïStIeK"),
        ("coördinatie", "coordinatie", "COÖRDINATIE"),
        ("financiële", "financiele", "FINANCIELE"),
        ("veiligheidsregio's", "veiligheidsregios", "Veiligheidsregio’s"),
        ("buurtpreventie", "BUURTPREVENTIE", "Buurtpreventie"),
        ("bibop", "BIBOP", "Bibop"),
    ],
)
def test_case_and_accents_do_not_change_the_answer(
    index: TaskIndex, variants: tuple[str, ...]
) -> None:
    results = [index.search(variant) for variant in variants]
    first = results[0]
    assert first.matches, variants[0]
    for result in results[1:]:
        assert result.matches == first.matches
        assert result.best == first.best


def test_stop_words_do_not_change_the_answer(index: TaskIndex) -> None:
    plain = index.search("jaarwisseling")
    assert index.search("wie doet de jaarwisseling?").matches == plain.matches
    assert index.search("wie is verantwoordelijk voor de jaarwisseling").matches == plain.matches


@pytest.mark.parametrize(
    ("query", "subject"),
    [
        ("wie gaat over horeca", "Horeca"),  # "gaat" is in a duty of Verblijfsontzeggingen
        ("wie houdt zich bezig met huisverboden", "Huisverboden"),
        ("wie weet iets van de bibob", "BIBOB"),
        ("wie zit op ondermijning", "Ondermijning"),
    ],
)
def test_the_way_colleagues_ask_is_no_part_of_the_subject(
    index: TaskIndex, query: str, subject: str
) -> None:
    result = index.search(query)
    assert result.best is not None, (query, subjects(result))
    assert result.best.task.subject == subject
    assert result.best.score == 100  # the question words do not water the answer down


def test_a_stray_word_does_not_sink_a_good_query(index: TaskIndex) -> None:
    result = index.search("bibob asap")
    assert result.best is not None
    assert result.best.task.subject == "BIBOB"


@pytest.mark.parametrize(
    ("query", "matched_on"),
    [
        ("jaarwisseling", "onderwerp"),
        ("tvo", "afkorting"),
        ("kmar", "afkorting"),
        ("vliegveld", "andere naam"),
        ("coffeeshop", "taken"),
        ("gemeenschappelijke regeling", "toelichting"),
    ],
)
def test_match_says_where_it_was_found(index: TaskIndex, query: str, matched_on: str) -> None:
    best = index.search(query).best
    assert best is not None
    assert best.matched_on == matched_on


def test_subject_hits_outrank_duty_hits(index: TaskIndex) -> None:
    # "jaarwisseling" is the subject of one task and a duty of "Veiligheid en evenementen"
    result = index.search("jaarwis")
    by_subject = {match.task.subject: match.score for match in result.matches}
    assert by_subject["Jaarwisseling"] > by_subject["Veiligheid en evenementen"]


def test_search_is_fast(index: TaskIndex) -> None:
    queries = [query for query, _ in CLEAR_QUERIES] + ["gezagsdriehoek", "xyzzy", "rampenplan"]
    index.search("warm-up")
    started = time.perf_counter()
    for query in queries:
        index.search(query)
    per_query_ms = (time.perf_counter() - started) * 1000 / len(queries)
    assert per_query_ms < 5


def test_index_works_for_any_task_list() -> None:
    index = TaskIndex(
        [
            SearchableTask(1, "Marktvergunningen", "", "Standplaatsen toewijzen", ("markt",)),
            SearchableTask(2, "Sluitingstijden horeca", "", "Ontheffingen verlenen"),
        ]
    )
    best = index.search("standplaats").best
    assert best is not None and best.task.id == 1
    assert index.search("sluitingstijd").best.task.id == 2  # type: ignore[union-attr]
    assert index.search("zwembad").matches == ()
    assert TaskIndex([]).search("bibob") == SearchResult("bibob", (), ())


def _small_index(*subjects: str) -> TaskIndex:
    return TaskIndex(
        [SearchableTask(n, subject, "", "") for n, subject in enumerate(subjects, start=1)]
    )


@pytest.mark.parametrize(
    ("query", "subject"),
    [
        ("onbekend", "Bekend maken van besluiten"),
        ("bekend", "Onbekende melders"),
        ("onveilig", "Veilig uitgaan"),
        ("rust", "Onrust in de wijk"),
    ],
)
def test_a_negated_word_finds_nothing_and_suggests_nothing(query: str, subject: str) -> None:
    """The word "onbekend" means the opposite of "bekend": not a compound or a typo of it."""
    result = _small_index(subject).search(query)
    assert result.matches == ()
    assert result.suggestions == ()


def test_the_word_itself_still_finds_the_negated_subject_s_neighbour() -> None:
    index = _small_index("Veilig uitgaan", "Onveilige situaties")
    assert subjects(index.search("veilig")) == ["Veilig uitgaan"]
    assert subjects(index.search("onveilige")) == ["Onveilige situaties"]
    # a prefix that is no negation still reads a compound: "buurtpreventie" has "preventie"
    assert subjects(_small_index("Preventie").search("buurtpreventie")) == ["Preventie"]


# Words that only look like a word of the overview: another word, not a typo or a compound part.
@pytest.mark.parametrize(
    ("query", "not_meant"),
    [
        ("demonstratie", "Administratieve zaken"),  # "administratie" differs in its first letters
        ("oplichting", AB_VRD),  # "richting" in the note under the subject
        ("wiet", "Wet aanpak woonoverlast"),  # the short word "wet" is no typo of it
        ("help me", CRIMINALITEIT),  # "help" in the middle of "bankhelpdeskfraude"
    ],
)
def test_a_look_alike_word_is_no_confident_answer(
    index: TaskIndex, query: str, not_meant: str
) -> None:
    result = index.search(query)
    assert not_meant not in subjects(result), (query, subjects(result))


@pytest.mark.parametrize("query", ["help me", "betoging", "wiet", "kermis"])
def test_suggestions_look_like_what_was_typed(index: TaskIndex, query: str) -> None:
    # "help" → "Hennepconvenant" or "kermis" → "Jihadisme / radicalisering" helps no one
    assert index.search(query).suggestions == ()


def test_the_singular_finds_the_plural_inside_a_compound(index: TaskIndex) -> None:
    best = index.search("inbraak").best  # the overview writes "Woninginbraken"
    assert best is not None and best.task.subject == CRIMINALITEIT


def test_a_law_finds_the_tasks_that_rest_on_it(index: TaskIndex) -> None:
    # Four tasks rest on the Politiewet; "politie" in the TVO's subject is not the law.
    politiewet = index.search("politiewet")
    assert politiewet.best is None
    assert set(subjects(politiewet)) == {DRIEHOEK, LOKAAL_POLITIEOVERLEG, RPBO, CRIMINALITEIT}
    alcoholwet = index.search("Alcoholwet").best
    assert alcoholwet is not None
    assert alcoholwet.task.subject == "Jeugd en alcohol / alcoholpreventieprojecten"
    assert alcoholwet.matched_on == "wettelijke taak"
