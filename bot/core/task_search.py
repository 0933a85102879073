"""Find the task a team member means with `/wie <onderwerp>`, however loosely it was typed.

Pure: no Slack, no database. Build a `TaskIndex` once from the task overview and call `search`.

How a query is scored (0..100):
- exact name tier: the whole query equals a task's name (the subject, a part of it split on
  "/" or "+", a single word in its parentheses, or an alias), ignoring case, accents, spacing,
  punctuation and stop words → 100; equal after stemming (plural, inflection) → 97;
- token tier (at most 93): every query word gets its best hit in each field of the task (exact,
  same stem, prefix, part of a compound, or a typo-tolerant match), weighted by the field (subject
  and aliases above description above duties); the task score is the mean over the query words.
  Query words that occur nowhere in the overview are dropped, so a stray word does not sink an
  otherwise good query. A word never hits its negation ("onbekend", "bekend") in any way. An
  unknown compound on "zaken" is read by its first part ("buurtzaken" as "buurt").
- a task a query word names ("bibob" in "bibob onderzoek") is lifted level with a top task that
  only mentions the query in its explanation or duties, so both are offered and the mention is
  never the card on its own.
- synonyms: a term of the OOV vocabulary (bot.core.oov_vocabulary: "wiet", "huiselijk geweld")
  is also searched as each of its alternatives ("hennep", "huisverbod"), at SYNONYM_WEIGHT of
  that score; when the term holds a word the overview does not know, only the alternatives are.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache

import Stemmer
from msgspec import Struct

from bot.core.oov_vocabulary import OOV_SYNONYMS
from bot.language.fold import fold

# Dutch function words plus the filler people put around a subject ("wie doet de bibob?").
_STOP_WORDS_TEXT = """
    aan al alle alles als ben bij dan dat de deze die dit doe doen doet door dus een en enz er
    etc ge geen had heb hebben heeft het hier hij hoe hun iemand ik in is ja je jij kan kun
    kunnen maar me meer men met mij mijn moet na naar nee niet niets nog nu of om omdat ons onze
    ook op over per te tegen toch toen tot u uit van veel voor waar wanneer want was wat we wel
    welk welke werd wie wij wil worden wordt zal ze zei zelf zich zij zijn zo zonder zou
    aanspreekpunt collega contactpersoon eigenaar eigenlijk even graag onderwerp persoon regelt
    taak taken trekker verantwoordelijk verantwoordelijke zoek zoeken
    bezig ga gaan gaat hou houden houdt iets weet weten zit zitten
    geldt
"""
# "geldt" (the verb gelden) stems to "geld": left in, "voor de functies geldt een opleiding"
# answered `/wie geld` with the piket card.
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

LABEL_SUBJECT = "onderwerp"
LABEL_ABBREVIATION = "afkorting"
LABEL_ALIAS = "andere naam"
LABEL_DESCRIPTION = "toelichting"
LABEL_DUTIES = "taken"
LABEL_LEGAL_BASIS = "wettelijke taak"

# A word hit in a task's name says more about intent than one in its explanation or duty list.
_FIELD_WEIGHTS = {
    LABEL_ABBREVIATION: 1.0,
    LABEL_SUBJECT: 1.0,
    LABEL_ALIAS: 1.0,
    LABEL_DESCRIPTION: 0.8,
    LABEL_DUTIES: 0.7,
    LABEL_LEGAL_BASIS: 0.7,
}

EXACT_SCORE = 100.0
STEM_EXACT_SCORE = 97.0
TOKEN_SCORE_CEILING = 90.0
# Among equally good token hits, prefer the task whose subject the query covers most
# ("gezagsdriehoek" lists "Gezagsdriehoek Noord Drenthe" before the longer AVO subject).
SUBJECT_COVERAGE_BONUS = 3.0
MIN_MATCH_SCORE = 35.0
MATCH_WINDOW = 30.0  # matches further than this below the top one are noise
CLEAR_LEAD = 12.0  # a token-tier winner must lead the runner-up by this much to be "the" answer
MIN_BEST_SCORE = 45.0
MAX_SUGGESTIONS = 3
MIN_SUGGESTION_SCORE = 66.0
# A hit through a synonym ("wiet" → "hennep") counts a little less than the word itself.
SYNONYM_WEIGHT = 0.95
MAX_SYNONYM_QUERIES = 6  # bounds the extra work per query, however many synonyms it holds
_MIN_SUGGESTION_WORD_LEN = 4

_MIN_PREFIX_LEN = 3
_MIN_INFIX_LEN = 4  # a compound's last part, its head: "fraude" in "bankhelpdeskfraude"
# A part in the middle of a compound must be longer: "drinkwater" in "nooddrinkwaterpunten" is
# one, but "help" in "bankhelpdeskfraude" or "event" in "preventie" is a chance hit.
_MIN_MIDDLE_INFIX_LEN = 6
_MIN_CONTAINED_FIELD_WORD_LEN = 5
_MIN_FUZZY_LEN = 4
_SAME_STEM_QUALITY = 0.95
_FUZZY_CUTOFF = 75.0
_FUZZY_WEIGHT = 0.85

# A compound's head that says nothing of its subject: "buurtzaken" is about the "buurt", not
# the task "Administratieve zaken".
_GENERIC_HEADS = ("zaken", "zaak")
# Fields that mention a subject rather than name it.
_MENTIONING_LABELS = frozenset({LABEL_DESCRIPTION, LABEL_DUTIES, LABEL_LEGAL_BASIS})

_APOSTROPHES = re.compile(r"['’‘`´]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_PARENTHESISED = re.compile(r"\(([^)]*)\)")
_SEGMENT_SEPARATORS = re.compile(r"[/+]")
_PIECE_SEPARATORS = re.compile(r"[/+,]")
_DOUBLED_VOWEL = re.compile(r"([aeiou])\1")


def dutch_stemmer() -> Stemmer.Stemmer:
    """Snowball's Dutch stemmer, from PyStemmer: the C build of the same algorithms, ~50x faster
    than the pure-Python snowballstemmer (building the `/wie` index at start stemmed ~550 words in
    ~20 ms), and it loads no other language. `stem_key` caches, so PyStemmer's own cache is off."""
    return Stemmer.Stemmer("dutch", 0)


_stemmer = dutch_stemmer()
_stemmer_lock = threading.Lock()  # a Stemmer object is not thread-safe (PyStemmer's docs)


class SearchableTask(Struct, frozen=True):
    id: int
    subject: str
    description: str
    duties: str
    aliases: tuple[str, ...] = ()
    legal_basis: str = ""  # the law the task rests on ("Politiewet"), as colleagues ask by it


class TaskMatch(Struct, frozen=True):
    task: SearchableTask
    score: float  # 0..100
    matched_on: str  # Dutch, shown to users as a hint: "onderwerp", "afkorting", "taken", ...


class SearchResult(Struct, frozen=True):
    query: str
    matches: tuple[TaskMatch, ...]  # good matches, best first; empty when none
    suggestions: tuple[SearchableTask, ...]  # only when matches is empty: closest subjects
    # Score of the second-best candidate, kept even when `limit` cut it off, so that `best`
    # does not turn an ambiguous query into a confident answer.
    runner_up_score: float = 0.0

    @property
    def best(self) -> TaskMatch | None:
        """The one task the query clearly means, or None when it is ambiguous or absent."""
        if not self.matches:
            return None
        top = self.matches[0]
        runner_up = max(
            self.runner_up_score, self.matches[1].score if len(self.matches) > 1 else 0.0
        )
        if top.score >= STEM_EXACT_SCORE:
            return top if runner_up < STEM_EXACT_SCORE else None
        if top.score >= MIN_BEST_SCORE and top.score - runner_up >= CLEAR_LEAD:
            return top
        return None


def normalize(text: str) -> str:
    """The kernel's fold, then apostrophes dropped ("cliënt's" -> "clients") and every other
    non-alphanumeric turned into a space."""
    return _NON_ALNUM.sub(" ", _APOSTROPHES.sub("", fold(text))).strip()


def content_words(text: str) -> list[str]:
    """Normalised words of `text` without stop words, in order."""
    return [word for word in normalize(text).split() if word not in STOP_WORDS]


@lru_cache(maxsize=4096)
def stem_key(word: str) -> str:
    """Dutch stem with doubled vowels collapsed, so "huisverboden" and "huisverbod" agree."""
    with _stemmer_lock:
        stem = _stemmer.stemWord(word)
    return _DOUBLED_VOWEL.sub(r"\1", stem)


def _compact(text: str) -> str:
    return "".join(content_words(text))


def _stem_compact(text: str) -> str:
    return "".join(stem_key(word) for word in content_words(text))


def _field_words(text: str) -> frozenset[str]:
    """Content words plus the joined form of words written together ("Boa-briefing" →
    "boabriefing"), so both "boa briefing" and "boabriefing" find it."""
    words = set(content_words(text))
    for chunk in text.split():
        parts = content_words(chunk)
        if len(parts) > 1:
            words.add("".join(parts))
    return frozenset(words)


def _is_abbreviation(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    capitals = sum(c.isupper() for c in letters)
    return capitals >= 2 and capitals * 2 >= len(letters)


def _names(task: SearchableTask) -> Iterable[tuple[str, str]]:
    """(name, label) pairs that count as an exact hit when the whole query equals them."""
    yield task.subject, LABEL_SUBJECT
    bare_subject = _PARENTHESISED.sub(" ", task.subject)
    yield bare_subject, LABEL_SUBJECT
    for segment in _SEGMENT_SEPARATORS.split(bare_subject):
        yield segment, LABEL_SUBJECT
    for inner in _PARENTHESISED.findall(task.subject):
        for piece in _PIECE_SEPARATORS.split(inner):
            # Only one-word pieces: "(AVO)", "(Veiligheidsoverleg)", "OVD-BZ + IM-ACBZ".
            if len(piece.split()) == 1 and len(_compact(piece)) >= 3:
                yield piece, LABEL_ABBREVIATION if _is_abbreviation(piece) else LABEL_SUBJECT
    for alias in task.aliases:
        yield alias, LABEL_ABBREVIATION if _is_abbreviation(alias) else LABEL_ALIAS


class _IndexedTask(Struct, frozen=True):
    task: SearchableTask
    names: tuple[tuple[str, str], ...]  # (name, label), see _names
    fields: tuple[tuple[str, frozenset[str]], ...]  # (label, words), in label preference order
    subject_words: frozenset[str]


def _index_task(task: SearchableTask) -> _IndexedTask:
    names = tuple(_names(task))
    texts = {
        LABEL_ABBREVIATION: " ".join(n for n, label in names if label == LABEL_ABBREVIATION),
        LABEL_SUBJECT: task.subject,
        LABEL_ALIAS: " ".join(n for n, label in names if label == LABEL_ALIAS),
        LABEL_DESCRIPTION: task.description,
        LABEL_DUTIES: task.duties,
        LABEL_LEGAL_BASIS: task.legal_basis,
    }
    fields = tuple((label, words) for label, text in texts.items() if (words := _field_words(text)))
    return _IndexedTask(task, names, fields, frozenset(content_words(task.subject)))


# Dutch negates a word with a prefix: "onbekend" is the opposite of "bekend", "onveilig" of
# "veilig", so neither is a part, a compound or a typo of the other.
_NEGATING_PREFIXES = ("on", "non")


def _negates(word: str, other: str, word_stem: str, other_stem: str) -> bool:
    """True when one word is the other with a negating prefix, inflected or not ("onbekende",
    "bekend"); the stems as the index has them."""
    return _negated(word, other) or _negated(word_stem, other_stem)


def _negated(word: str, other: str) -> bool:
    longer, shorter = (word, other) if len(word) > len(other) else (other, word)
    extra = len(longer) - len(shorter)
    # the length first: most pairs are told apart without building a string
    return 2 <= extra <= 3 and longer[:extra] in _NEGATING_PREFIXES and longer.endswith(shorter)


def _word_quality(query_word: str, query_stem: str, word: str, stem: str) -> float:
    """How well one query word hits one indexed word, 0..1 (typos and longer query compounds
    are scored separately)."""
    if word == query_word:
        return 1.0
    if stem == query_stem:
        return _SAME_STEM_QUALITY
    if len(query_word) >= _MIN_PREFIX_LEN and word.startswith(query_word):
        return 0.8 + 0.15 * len(query_word) / len(word)
    if len(query_word) >= _MIN_INFIX_LEN and _compound_part(query_word, word, query_stem, stem):
        return 0.65 + 0.15 * len(query_word) / len(word)
    return 0.0


def _compound_part(query_word: str, word: str, query_stem: str, stem: str) -> bool:
    """Whether the query word is a part of the compound `word`: its head (the end, inflected
    or not: "inbraak" in "woninginbraken") or a long enough part in the middle."""
    if word.endswith(query_word) or (
        len(query_stem) >= _MIN_INFIX_LEN and stem.endswith(query_stem)
    ):
        return True
    return len(query_word) >= _MIN_MIDDLE_INFIX_LEN and query_word in word


def _typo_of(query_word: str, word: str) -> bool:
    """Whether a look-alike may count as a typo: people rarely mistype a word's first letter, and
    a short word is another word, not a typo ("wiet" is not "wet", "demonstratie" is not
    "administratie", "oplichting" is not "richting")."""
    return len(word) >= _MIN_FUZZY_LEN and word[0] == query_word[0]


class TaskIndex:
    """Search structure over the task overview; build once, search many times (thread-safe)."""

    def __init__(
        self,
        tasks: Sequence[SearchableTask],
        synonyms: Mapping[str, Sequence[str]] = OOV_SYNONYMS,
    ) -> None:
        self._tasks = tuple(_index_task(task) for task in tasks)
        # the stems of a term's words -> the alternatives' words (see bot.core.oov_vocabulary)
        self._synonyms: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
        for term, alternatives in synonyms.items():
            if key := tuple(stem_key(word) for word in content_words(term)):
                words = (tuple(content_words(alternative)) for alternative in alternatives)
                self._synonyms[key] = tuple(w for w in words if w)
        self._longest_term = max(map(len, self._synonyms), default=0)
        self._exact: dict[str, dict[int, str]] = defaultdict(dict)
        self._stem_exact: dict[str, dict[int, str]] = defaultdict(dict)
        for position, indexed in enumerate(self._tasks):
            for name, label in indexed.names:
                if compact := _compact(name):
                    self._exact[compact].setdefault(position, label)
                    self._stem_exact[_stem_compact(name)].setdefault(position, label)
        # word -> [(task position, field number)], so scoring touches only tasks that hit
        self._postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for position, indexed in enumerate(self._tasks):
            for field_number, (_, words) in enumerate(indexed.fields):
                for word in words:
                    self._postings[word].append((position, field_number))
        self._vocabulary = sorted(self._postings)
        self._vocabulary_stems = [stem_key(word) for word in self._vocabulary]
        # words of every name (and each name written as one word) -> tasks, for suggestions
        name_words: dict[str, set[int]] = defaultdict(set)
        for position, indexed in enumerate(self._tasks):
            for name, _ in indexed.names:
                for word in (*content_words(name), _compact(name)):
                    if len(word) >= _MIN_SUGGESTION_WORD_LEN:
                        name_words[word].add(position)
        self._name_words = list(name_words)
        self._name_word_tasks = [sorted(positions) for positions in name_words.values()]

    def search(self, query: str, limit: int = 5) -> SearchResult:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        words = list(dict.fromkeys(content_words(query)))
        if not words:
            return SearchResult(query, (), ())
        # The overview's own words for an everyday one: "wiet" also searches "hennep".
        readings = list(self._synonym_queries(words))
        # A word the overview does not know but the vocabulary does ("opium" in "opium wet"):
        # the plain reading would drop it and answer on the rest ("wet": every law), so then
        # only the synonyms read the query.
        covered = {number for _, span in readings for number in span}
        plain = all(self._word_hits(words[number]) for number in covered)
        scored = self._score_query(words) if plain else {}
        for alternative, _ in readings:
            for position, (score, label) in self._score_query(alternative).items():
                if score * SYNONYM_WEIGHT > scored.get(position, (0.0, ""))[0]:
                    scored[position] = (score * SYNONYM_WEIGHT, label)

        self._keep_named_tasks(words, scored)
        ranked = sorted(scored.items(), key=lambda item: (-item[1][0], item[0]))
        top_score = ranked[0][1][0] if ranked else 0.0
        candidates = [
            TaskMatch(self._tasks[position].task, round(score, 1), label)
            for position, (score, label) in ranked
            if score >= MIN_MATCH_SCORE and score >= top_score - MATCH_WINDOW
        ]
        return SearchResult(
            query=query,
            matches=tuple(candidates[:limit]),
            suggestions=() if candidates else self._suggest(words),
            runner_up_score=candidates[1].score if len(candidates) > 1 else 0.0,
        )

    def _keep_named_tasks(self, words: Sequence[str], scored: dict[int, tuple[float, str]]) -> None:
        """A task that a query word names ("bibob" in "bibob onderzoek") stays level with a top
        task that only mentions the query in its explanation or duties ("Coördineren
        Bibob-onderzoek" in Horeca): then both are offered, never the mention alone as the
        card."""
        if len(words) < 2 or not scored:
            return
        top, (top_score, top_label) = max(scored.items(), key=lambda item: item[1][0])
        if top_label not in _MENTIONING_LABELS:
            return
        for word in words:
            for position in (*self._exact.get(word, {}), *self._stem_exact.get(stem_key(word), {})):
                if (
                    position != top
                    and position in scored
                    and scored[position][0] >= MIN_MATCH_SCORE
                ):
                    scored[position] = (max(scored[position][0], top_score), scored[position][1])

    def _score_query(self, words: Sequence[str]) -> dict[int, tuple[float, str]]:
        """Score and the most telling field label per task for the query's content words."""
        scored = self._score_words(words)
        if len(words) > 1:  # "buurt preventie", "jaar wisseling": the words typed apart
            for position, candidate in self._score_words(["".join(words)]).items():
                if candidate[0] > scored.get(position, (0.0, ""))[0]:
                    scored[position] = candidate
        # exact names last: they outrank any token score, and a literal hit outranks a stemmed one
        stem_compact = "".join(stem_key(word) for word in words)
        for position, label in self._stem_exact.get(stem_compact, {}).items():
            scored[position] = (STEM_EXACT_SCORE, label)
        for position, label in self._exact.get("".join(words), {}).items():
            scored[position] = (EXACT_SCORE, label)
        return scored

    def _synonym_queries(self, words: Sequence[str]) -> Iterator[tuple[list[str], range]]:
        """The query with one synonym term replaced by one of its alternatives, for each term
        in it (the longest term at each word) and each alternative, with the numbers of the
        words the term took; at most MAX_SYNONYM_QUERIES."""
        if not self._synonyms:
            return
        stems = [stem_key(word) for word in words]
        made = 0
        start = 0
        while start < len(words):
            for length in range(min(self._longest_term, len(words) - start), 0, -1):
                alternatives = self._synonyms.get(tuple(stems[start : start + length]))
                if alternatives is None and length > 1:  # a term typed apart: "opium wet"
                    joined = (stem_key("".join(words[start : start + length])),)
                    alternatives = self._synonyms.get(joined)
                if alternatives is None:
                    continue
                for alternative in alternatives:
                    if made == MAX_SYNONYM_QUERIES:
                        return
                    made += 1
                    replaced = [*words[:start], *alternative, *words[start + length :]]
                    yield replaced, range(start, start + length)
                start += length - 1  # the term's words are used up
                break
            start += 1

    def _word_hits(self, query_word: str) -> dict[str, float]:
        """Quality of every indexed word the query word hits."""
        if query_word not in self._postings:
            for head in _GENERIC_HEADS:
                rest = query_word.removesuffix(head)
                if rest != query_word and len(rest) >= _MIN_PREFIX_LEN:
                    return self._word_hits(rest)
        query_stem = stem_key(query_word)
        hits: dict[str, float] = {}
        inside_query: dict[str, float] = {}  # indexed words the query word is a compound of
        for word, stem in zip(self._vocabulary, self._vocabulary_stems, strict=True):
            quality = _word_quality(query_word, query_stem, word, stem)
            contained = (
                not quality and len(word) >= _MIN_CONTAINED_FIELD_WORD_LEN and word in query_word
            )
            # The negation is checked on a hit only: few words hit, every word is looked at.
            if not (quality or contained) or _negates(query_word, word, query_stem, stem):
                continue
            if quality:
                hits[word] = quality
            else:
                inside_query[word] = 0.6 + 0.2 * len(word) / len(query_word)
        # A word the overview itself uses means that word ("politiechef"), not a look-alike
        # ("politie"); an unknown word falls back on its parts ("hennepteelt") or on typos.
        if max(hits.values(), default=0.0) >= _SAME_STEM_QUALITY:
            return hits
        hits.update(inside_query)
        if len(query_word) >= _MIN_FUZZY_LEN:
            from rapidfuzz import fuzz, process  # on the first typo: 3.6 MiB a process may not need

            for word, ratio, _ in process.extract(
                query_word,
                self._vocabulary,
                scorer=fuzz.ratio,
                score_cutoff=_FUZZY_CUTOFF,
                limit=None,
            ):
                if _typo_of(query_word, word) and not _negates(
                    query_word, word, query_stem, stem_key(word)
                ):
                    hits[word] = max(hits.get(word, 0.0), _FUZZY_WEIGHT * ratio / 100)
        return hits

    def _score_words(self, query_words: Sequence[str]) -> dict[int, tuple[float, str]]:
        """Token-tier score and the most telling field label per task that any word hits."""
        word_hits = [hits for word in query_words if (hits := self._word_hits(word))]
        # best[position][word number][field number] = quality
        best: dict[int, list[dict[int, float]]] = defaultdict(
            lambda: [{} for _ in range(len(word_hits))]
        )
        covered_subject_words: dict[int, set[str]] = defaultdict(set)
        for word_number, hits in enumerate(word_hits):
            for word, quality in hits.items():
                for position, field_number in self._postings[word]:
                    per_field = best[position][word_number]
                    per_field[field_number] = max(per_field.get(field_number, 0.0), quality)
                    if word in self._tasks[position].subject_words:
                        covered_subject_words[position].add(word)

        scored: dict[int, tuple[float, str]] = {}
        for position, per_word in best.items():
            fields = self._tasks[position].fields
            label_weight: dict[str, float] = defaultdict(float)
            total = 0.0
            for per_field in per_word:
                if not per_field:
                    continue
                weighted = {n: q * _FIELD_WEIGHTS[fields[n][0]] for n, q in per_field.items()}
                # ties go to the earlier field: an abbreviation or the subject is the better hint
                field_number = max(sorted(weighted), key=lambda n: weighted[n])
                total += weighted[field_number]
                label_weight[fields[field_number][0]] += weighted[field_number]
            coverage = len(covered_subject_words[position]) / max(
                len(self._tasks[position].subject_words), 1
            )
            score = TOKEN_SCORE_CEILING * total / len(word_hits)
            score += SUBJECT_COVERAGE_BONUS * coverage
            label = max(label_weight, key=lambda name: label_weight[name])
            scored[position] = (score, label)
        return scored

    def _suggest(self, query_words: Sequence[str]) -> tuple[SearchableTask, ...]:
        """Tasks whose name has a word that looks like a query word ("rampenplan" →
        "Rampenstaf"), closest first."""
        from rapidfuzz import fuzz, process  # on the first suggestion: 3.6 MiB, not at start

        closeness: dict[int, float] = {}
        for query_word in {*query_words, "".join(query_words)}:
            if len(query_word) < _MIN_SUGGESTION_WORD_LEN:
                continue
            for _, score, number in process.extract(
                query_word,
                self._name_words,
                scorer=fuzz.ratio,
                score_cutoff=MIN_SUGGESTION_SCORE,
                limit=None,
            ):
                name_word = self._name_words[number]
                if not _typo_of(query_word, name_word) or _negates(
                    query_word, name_word, stem_key(query_word), stem_key(name_word)
                ):
                    continue
                for position in self._name_word_tasks[number]:
                    closeness[position] = max(closeness.get(position, 0.0), score)
        closest = sorted(closeness, key=lambda position: (-closeness[position], position))
        return tuple(self._tasks[position].task for position in closest[:MAX_SUGGESTIONS])
