"""Finding known entities in article text.

One Aho-Corasick automaton holds every name and alias, so tagging an article
costs one pass over its text whatever the number of entities. What a match
means is then decided in context, the way a reader decides it:

- names match on word boundaries ("Sany" not inside "Sanyo"); possessives
  ("Tokayev's") and hyphenated compounds ("Kazakhstan-China") still match;
- acronyms (a name in capitals, such as SPIC) match only in capitals; other
  names with or without accents, but only written as proper nouns: "male" is not
  Malé, "a serious pest" not Pest;
- where names overlap, the longest wins ("State Power Investment Corporation",
  not "State Power"); and a name inside a longer capitalised name is not that
  entity unless the longer name is one of its own names: "Morgan Stanley" is not
  Stanley, "Gulf of Mexico" not Mexico, "Michael Douglas" not Douglas;
- a name that is also a common word of its language ("Male", "Oral", "Nice")
  written only where every word is capitalised (the start of a sentence, a
  headline in capitals) counts only when the article supports it (names its
  country or a place in it); short Cyrillic names that are ordinary words
  ("Того", Togo) never match;
- places that share a name (Georgia the country and the US state, Victoria,
  Santiago) and places an editor marked as needing context are tagged only when
  the article supports them;
- Cyrillic names match in any case ending ("Жамбылской области" is "Жамбылская
  область");
- a dateline ("ASTANA –", "NEW YORK, March 5 -", or the article's dateline
  field) is a mention of its place.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import ahocorasick_rs

from archive.text import fold

# Evidence of one occurrence of a name.
_STRONG, _WEAK, _DATELINE = 2, 1, 3

_RECENT_TEXTS = 4

COMMON_WORD_ZIPF = 3.0  # wordfreq's scale: 3 is about once per million words

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]+")
# Case endings of Russian nouns and adjectives, longest first. Snowball's Russian
# stemmer is made for searching words, and splits names: китай -> кита but китая -> кит,
# казахстан -> казахста but казахстане -> казахстан. Names need the same key in every case.
_RU_ENDINGS = sorted(
    "иями ями ами ией ого его ому ему ыми ими ей ой ом ем ам ям ах ях ая яя ое ее ые ие ый ий ую юю ия ии ию ью "
    "ым им ых их а я о е у ю ы и й ь".split(),
    key=len, reverse=True,
)
_RU_FINAL = set("аеиоуыэюяйь")
_MIN_STEM = 4

# Words that never make a name longer: closed-class words, titles, months and days.
FUNCTION_WORDS = frozenset(
    """a an the in on at by for from with as but and or nor if it its this that these those he she they we i you
    our his her their my your us them to of into onto over under after before during while when since until about
    against between among through across within without near per via than then there here where who whom whose
    which what how why not no so yet also both either neither each every all any some many much more most few
    several such other another one two three four five six seven eight nine ten according says said meanwhile
    however today yesterday tomorrow tonight now still even only just like unlike despite including whether
    later earlier separately elsewhere instead
    because although though unless once twice outside inside north south east west northern southern eastern
    western central
    january february march april may june july august september october november december jan feb mar apr jun
    jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday
    в во на с со к ко по о об от до из за для при без над под про через у и а но или что как это этот эта эти
    тот та те все весь его её их мы вы они он она оно не ни же ли бы также уже ещё еще между после перед""".split()
)
_TITLE_WORDS = frozenset(
    """president presidents prime premier minister ministers chancellor king queen prince princess emperor governor
    mayor akim senator ambassador foreign deputy vice chairman chairwoman chair chief general secretary mr mrs ms
    dr sir lord lady pope sheikh emir sultan colonel leader speaker envoy consul commissioner spokesman
    spokeswoman officials official
    президент премьер министр глава посол аким губернатор мэр председатель""".split()
)
# "X of Kazakhstan" is still Kazakhstan when X is an office or an institution of it.
_INSTITUTION_WORDS = _TITLE_WORDS | frozenset(
    """ministry government embassy consulate parliament republic kingdom state people's peoples bank central
    national department office council capital assembly federation union commonwealth people
    министерство правительство посольство парламент республика""".split()
)


# Particles inside the names of Romance-speaking places: "Rio Grande do Sul".
_NAME_PARTICLES = frozenset(("de", "do", "da", "dos", "das", "del", "du", "des", "di", "della"))


def is_acronym(name: str) -> bool:
    if len(name) > 8 or not name.isupper():  # cheap tests first: the gazetteer asks this of every name
        return False
    letters = [ch for ch in name if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def russian_stem(word: str) -> str:
    """The same key for every case of a Russian name: Казахстана, Казахстане -> казахстан."""
    word = word.lower().replace("ё", "е")
    for ending in _RU_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
            word = word[: -len(ending)]
            break
    if word[-1:] in _RU_FINAL and len(word) > _MIN_STEM:
        word = word[:-1]
    return word


@lru_cache(maxsize=200_000)
def _stem_cached(word: str) -> str:
    return russian_stem(word)


def stemmed_key(name: str) -> str:
    return " ".join(_stem_cached(word) for word in _CYRILLIC_WORD.findall(name))


@lru_cache(maxsize=100_000)
def parses(word: str) -> tuple:
    """pymorphy3's readings of a word, best first, kept for the process: tagging and discovery ask about
    the same words article after article, and reading one costs most of what is done with it."""
    return tuple(morph().parse(word))


@lru_cache(maxsize=200_000)
def _lemma_cached(word: str) -> str:
    return parses(word.lower())[0].normal_form.replace("ё", "е")


def lemma_key(name: str) -> str:
    """Every word in its dictionary form: "Южной Кореи" and "Южная Корея" -> "южный корея". Stems miss
    short words ("Азии" and "Азия") and agreement ("южной", "южная"); the dictionary does not."""
    return " ".join(_lemma_cached(word) for word in _CYRILLIC_WORD.findall(name))


@lru_cache(maxsize=100_000)
def is_common_word(word: str, zipf: float = COMMON_WORD_ZIPF) -> bool:
    """Whether a one-word name is also an ordinary word of its language ("male", "nice", "того")."""
    from wordfreq import zipf_frequency

    # Folding would turn "й" into "и" and miss the word ("центральный"): Cyrillic is only lower-cased.
    language = "ru" if CYRILLIC.search(word) else "en"
    word = word.lower() if language == "ru" else fold(word)
    return zipf_frequency(word, language) >= zipf


@lru_cache(maxsize=50_000)
def is_ordinary_russian_word(word: str) -> bool:
    """A short Cyrillic word that is first of all not a name: того (of that), чад (fumes)."""
    if " " in word.strip() or len(word) > 8 or not is_common_word(word):
        return False
    best = parses(word.lower())[0]
    proper = {"Geox", "Name", "Surn", "Patr", "Orgn", "Trad"}
    return not (proper & set(best.tag.grammemes))


def russian_adjective_lemma(word: str) -> str:
    """The masculine dictionary form of a Russian adjective ("Итальянская" -> "итальянский"), or ""."""
    for parse in parses(word.lower()):
        if "ADJF" in parse.tag.grammemes:
            return parse.normal_form
    return ""


@lru_cache(maxsize=1)
def morph():
    import logging

    import pymorphy3

    logging.getLogger("pymorphy3").setLevel(logging.WARNING)  # it announces loading its dictionaries
    return pymorphy3.MorphAnalyzer()


_last_built: tuple[tuple[list, list], Gazetteer] | None = None


@dataclass(frozen=True)
class PlaceInfo:
    parent_id: int | None = None
    place_type: str = ""
    needs_context: bool = False


@dataclass(slots=True)
class _Pattern:
    entity_ids: list[int]
    common: bool  # an ordinary word too: weak evidence needs support
    adjective: bool  # "Swiss", "U.S.": a capitalised word after it is what it describes
    person: bool
    capitalised: bool  # the name starts with a capital, so the text must too
    country_level: bool  # a country, nation, continent or bloc: at a sentence's start it is still the place
    cyrillic: bool
    abbreviation: bool = False  # "Calif.", "Okla.": a place only right after another ("TULSA, Okla.")


class _Names:
    """Keys found all at once in a text (Aho-Corasick), each with its pattern: ahocorasick_rs's automaton.

    Its scan does not slow down as the keys' first letters grow in number, as pyahocorasick's did
    (a linear search among a node's children): over the place gazetteer's 37,000 folded keys it is
    about seven times faster. Keys are added first, then ``build()``; matches may overlap.
    """

    __slots__ = ("patterns", "_index", "_finder")

    def __init__(self):
        self.patterns: list[_Pattern] = []  # by key number, as ``find`` gives it
        self._index: dict[str, int] = {}  # key -> key number, in the order keys were added
        self._finder = None

    def add(self, key: str, pattern: _Pattern) -> None:
        """Add a key not added before."""
        self._index[key] = len(self.patterns)
        self.patterns.append(pattern)

    def build(self) -> None:
        if self._index:
            self._finder = ahocorasick_rs.AhoCorasick(list(self._index), matchkind=ahocorasick_rs.MatchKind.Standard)

    def __len__(self) -> int:
        return len(self.patterns)

    def get(self, key: str) -> _Pattern | None:
        index = self._index.get(key)
        return None if index is None else self.patterns[index]

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """(key number, start, end) of every key in ``text``, overlapping ones included."""
        return self._finder.find_matches_as_indexes(text, overlapping=True) if self._finder is not None else []


@dataclass(slots=True)
class _Span:
    start: int
    end: int
    pattern: _Pattern
    evidence: int = _STRONG


@dataclass
class _Found:
    strong: set[int] = field(default_factory=set)
    # (ids, evidence, counted, hint, common): the hint is the kind of place the text says it is ("Ontario and
    # Quebec" name two regions, "the town of Balkhash" a city), or "" when it says nothing.
    candidates: list[tuple[list[int], int, bool, str, bool]] = field(default_factory=list)


class Gazetteer:
    """Every entity name and alias, ready to be found in text."""

    def __init__(
        self,
        names: Iterable[tuple[int, str]],
        *,
        places: dict[int, PlaceInfo] | None = None,
        adjectives: Iterable[tuple[int, str]] = (),
        persons: Iterable[int] = (),
        in_context: bool = True,
        neighbours: dict[int, set[int]] | None = None,
    ):
        # in_context=False: only where names are written (``spans``), for showing them. Whether
        # a name is also an ordinary word is never asked, so the word-frequency lists (over
        # 100 MB for Russian) stay out of the web servers that only highlight names.
        self._in_context = in_context
        self._folded = _Names()
        self._exact = _Names()
        self._stemmed = _Names()
        self._lemmas = _Names()  # Cyrillic names in dictionary forms, when tagging in context
        self.places = places or {}
        self._persons = set(persons)
        # Countries that need the article's support get it from a bordering country named too:
        # "Georgia" beside Turkey and Azerbaijan is the country, not the US state.
        self._neighbours = neighbours or {}
        self._adjectives = {(entity_id, fold(name)) for entity_id, name in adjectives}
        self._recent: tuple[tuple[str, list[_Span]], ...] = ()
        for entity_id, name in names:
            self._add_name(entity_id, " ".join(name.split()))
        for automaton in (self._folded, self._exact, self._stemmed, self._lemmas):
            automaton.build()
        # How many names (keys) it finds, over all its automata.
        self.size = sum(map(len, (self._folded, self._exact, self._stemmed, self._lemmas)))
        self._countries = {pk: self._country_of(pk) for pk in self.places}

    def _add_name(self, entity_id: int, name: str) -> None:
        if len(name) < 2:
            return
        acronym = is_acronym(name)
        if acronym:
            automaton, key = self._exact, name
        elif not name.isascii() and CYRILLIC.search(name):
            if self._in_context and is_ordinary_russian_word(name) and (entity_id, fold(name)) not in self._adjectives:
                return  # "Того" would tag Togo in every other Russian sentence; "японский" is Japan's
            automaton, key = self._stemmed, stemmed_key(name)
            if self._in_context:
                lemmas = lemma_key(name)
                if lemmas and lemmas != key:
                    self._add_key(entity_id, name, self._lemmas, lemmas, acronym=False)
        else:
            automaton, key = self._folded, fold(name)
        self._add_key(entity_id, name, automaton, key, acronym=acronym)

    def _add_key(self, entity_id: int, name: str, automaton: _Names, key: str, *,
                 acronym: bool) -> None:
        if not key:
            return
        pattern = automaton.get(key)
        if pattern is None:
            one_word = " " not in name  # spaces are normalised before names arrive here
            pattern = _Pattern(
                [], common=one_word and not acronym and self._in_context and is_common_word(name),
                adjective=False, person=True, capitalised=name[:1].isupper(), country_level=False,
                cyrillic=automaton is self._stemmed or automaton is self._lemmas,
            )
            automaton.add(key, pattern)
        if entity_id not in pattern.entity_ids:
            pattern.entity_ids.append(entity_id)
        pattern.person &= entity_id in self._persons
        place = self.places.get(entity_id)
        if place is not None and place.place_type in ("country", "former", "nation", "continent", "bloc"):
            pattern.country_level = True
        if place is not None and automaton is self._folded and name.endswith(".") and len(name) <= 6:
            pattern.abbreviation = True
        if not pattern.adjective:
            pattern.adjective = acronym or "." in name or bool(self._adjectives) and (
                entity_id, key if automaton is self._folded else fold(name)) in self._adjectives

    @classmethod
    def from_database(cls) -> Gazetteer:
        from archive.models import Alias, Entity, EntityKind

        # In id order: when places share a name, the one loaded first (the larger) is preferred.
        rows = list(Entity.objects.order_by("id").values_list(
            "id", "name", "kind", "parent_id", "place_type", "needs_context"))
        aliases = list(Alias.objects.order_by("entity_id", "id").values_list("entity_id", "name", "adjective"))
        # The same rows give the same gazetteer: the last one built is reused while nothing in
        # them changed (a worker tagging batch after batch, an import after a re-tagging). Rows
        # are compared whole, so any edit of a name, alias, kind or parent builds afresh.
        global _last_built
        signature = (rows, aliases)
        last = _last_built
        if last is not None and last[0] == signature:
            return last[1]
        places = {
            pk: PlaceInfo(parent_id, place_type, needs_context)
            for pk, _, kind, parent_id, place_type, needs_context in rows
            if kind == EntityKind.PLACE
        }
        persons = [pk for pk, _, kind, *_ in rows if kind == EntityKind.PERSON]
        adjectives = [(entity_id, name) for entity_id, name, adjective in aliases if adjective]
        names = [(pk, name) for pk, name, *_ in rows] + [(entity_id, name) for entity_id, name, _ in aliases]
        gazetteer = cls(names, places=places, adjectives=adjectives, persons=persons,
                        neighbours=_neighbours_of_doubtful_countries(rows))
        _last_built = (signature, gazetteer)
        return gazetteer

    # ---- Hierarchy -------------------------------------------------------------------------

    def _country_of(self, pk: int) -> int | None:
        """The country a place lies in (itself for a country); None above countries."""
        seen = set()
        current: int | None = pk
        while current is not None and current not in seen:
            seen.add(current)
            info = self.places.get(current)
            if info is None:
                return None
            if info.place_type in ("country", "former"):
                return current
            if info.place_type in ("continent", "bloc"):
                return None
            current = info.parent_id
        return None

    def ancestors(self, pk: int) -> list[int]:
        chain, seen = [], {pk}
        current = self.places.get(pk, PlaceInfo()).parent_id
        while current is not None and current not in seen:
            chain.append(current)
            seen.add(current)
            current = self.places.get(current, PlaceInfo()).parent_id
        return chain

    # ---- Raw matches -------------------------------------------------------------------------

    def _matches(self, automaton: _Names, text: str) -> list[_Span]:
        found = []
        size = len(text)
        patterns = automaton.patterns
        for index, start, end in automaton.find(text):
            if start > 0:
                ch = text[start - 1]
                if ch.isalnum() or ch == "_":
                    continue
            if end < size:
                ch = text[end]
                if ch.isalnum() or ch == "_":
                    continue
            found.append(_Span(start, end, patterns[index]))
        return found

    def _stemmed_matches(self, text: str) -> list[_Span]:
        if not CYRILLIC.search(text):
            return []
        found = self._keyed_matches(text, self._stemmed, _stem_cached)
        if len(self._lemmas):
            found += self._keyed_matches(text, self._lemmas, _lemma_cached)
        return found

    def _keyed_matches(self, text: str, automaton: _Names, key_of) -> list[_Span]:
        if not len(automaton):
            return []
        # The text as stems joined by single spaces, with each stem's place in the text.
        pieces, starts, ends = [], [], []
        position = 0
        previous_end = 0
        for match in _CYRILLIC_WORD.finditer(text):
            gap = text[previous_end : match.start()]
            separator = " " if not gap or gap.strip(" \t-–") == "" else " | "
            if pieces:
                position += len(separator)
                pieces.append(separator)
            stem = key_of(match.group())
            pieces.append(stem)
            starts.append((position, match.start()))
            ends.append((position + len(stem), match.end()))
            position += len(stem)
            previous_end = match.end()
        stemmed = "".join(pieces)
        start_of = dict(starts)
        end_of = dict(ends)
        found = []
        for span in self._matches(automaton, stemmed):
            if span.start in start_of and span.end in end_of:
                start, end = start_of[span.start], end_of[span.end]
                # A stem can be an ordinary word's too: "Порт" is not Porto ("Порто").
                if (self._in_context and " " not in stemmed[span.start : span.end] and not span.pattern.adjective
                        and is_ordinary_russian_word(text[start:end])):
                    continue
                found.append(_Span(start, end, span.pattern))
        return found

    def _raw_spans(self, text: str) -> list[_Span]:
        # Tagging an article asks for the same texts twice (its mentions, then the names it
        # introduces): the last few answers are kept. One tuple, replaced whole, so threads
        # sharing a gazetteer never see it half-changed.
        for seen, spans in self._recent:
            if seen is text or seen == text:
                return spans
        spans = self._find_spans(text)
        self._recent = (*self._recent[-(_RECENT_TEXTS - 1):], (text, spans))
        return spans

    def _find_spans(self, text: str) -> list[_Span]:
        # Folding keeps one character per character for the scripts the archive
        # holds, so positions in the folded text line up with the original.
        folded = fold(text)
        if len(folded) != len(text):
            folded = self._fold_aligned(text)
        candidates = self._matches(self._folded, folded) + self._matches(self._exact, text)
        candidates += self._stemmed_matches(text)
        candidates = [span for span in candidates if not span.pattern.capitalised or _capitalised(text, span.start)]
        candidates.sort(key=lambda span: (span.start, -(span.end - span.start)))
        chosen = []
        covered_until = -1
        for span in candidates:
            if span.start < covered_until:
                continue
            chosen.append(span)
            covered_until = span.end
        return chosen

    def spans(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end, entity id) of every name written in ``text``, longest first where they overlap.

        No context is weighed here: this is where an entity's names appear, for showing
        the sentence that names it.
        """
        return [(span.start, span.end, span.pattern.entity_ids[0]) for span in self._raw_spans(text)]

    def first_spans(self, text: str) -> list[tuple[int, int, int]]:
        """``spans`` of the first paragraph (line) that names an entity, with offsets in ``text``.

        For showing the first sentence that names it: most stories name their subject
        early, so they are read only that far; a sentence never runs past a line break,
        so every name of that sentence is among these spans.
        """
        offset = 0
        for line in text.split("\n"):
            if line.strip():
                spans = self.spans(line)
                if spans:
                    return [(offset + start, offset + end, entity_id) for start, end, entity_id in spans]
            offset += len(line) + 1
        return []

    # ---- Matches in context ------------------------------------------------------------------

    def _collect(self, text: str, found: _Found, *, counts: Counter[int] | None, dateline: bool = False) -> None:
        lines: dict[int, bool] = {}
        openings = _opening_dateline(text) if not dateline else ()
        spans = self._with_region_lists(text, self._raw_spans(text))
        for index, span in enumerate(spans):
            pattern = span.pattern
            if self._in_context and pattern.adjective and _spoken_as_a_language(text, span):
                continue
            if pattern.abbreviation:
                # "Calif." is California only after a place: "SAN JOSE, Calif., Feb 26", "Gary, Ind."
                if not _AFTER_PLACE_AND_COMMA.search(text, max(0, span.start - 40), span.start):
                    continue
                evidence = _DATELINE
            elif dateline or any(span.start >= start and span.end <= end for start, end in openings):
                evidence = _DATELINE
            else:
                evidence = self._evidence(text, span, lines)
            if evidence is None:
                continue
            needs_support = (
                len(pattern.entity_ids) > 1
                or (evidence == _WEAK and pattern.common and not pattern.country_level)
                or any(self.places.get(pk, PlaceInfo()).needs_context for pk in pattern.entity_ids)
            )
            if needs_support:
                hint = self._kind_hint(text, spans, index) if len(pattern.entity_ids) > 1 else ""
                found.candidates.append((pattern.entity_ids, evidence, counts is not None, hint, pattern.common))
            else:
                found.strong.add(pattern.entity_ids[0])
                if counts is not None:
                    counts[pattern.entity_ids[0]] += 1

    def _with_region_lists(self, text: str, spans: list[_Span]) -> list[_Span]:
        """"Turkestan and Kyzylorda regions", "Актюбинской и Кызылординской областей": each name of the
        list is its region ("Kyzylorda region"), not the town the bare name would be."""
        lowered = text.lower()
        if not any(word in lowered for word in _REGION_LIST_WORDS) or (" and " not in text and " и " not in text):
            return spans
        regions = []
        for match in _REGION_LIST.finditer(text):
            russian = bool(CYRILLIC.match(match.group("kind")))
            for item in _LIST_ITEM.finditer(match.group("items")):
                pattern = self._region_pattern(item.group(), russian)
                if pattern is not None:
                    start = match.start("items") + item.start()
                    regions.append(_Span(start, start + len(item.group()), pattern))
        if not regions:
            return spans
        kept = [s for s in spans if not any(r.start < s.end and s.start < r.end for r in regions)]
        return sorted(kept + regions, key=lambda span: span.start)

    def _region_pattern(self, name: str, russian: bool) -> _Pattern | None:
        if russian:
            key = lemma_key(f"{name} область")
            automaton = self._lemmas
        else:
            key = fold(f"{name} region")
            automaton = self._folded
        pattern = automaton.get(key) if key else None
        if pattern is None:
            return None
        return pattern if all(self.places.get(pk, PlaceInfo()).place_type == "region" for pk in pattern.entity_ids) \
            else None

    def _kind_hint(self, text: str, spans: list[_Span], index: int) -> str:
        """The kind of place the words around a shared name say it is: "Ontario and Quebec" and "Quebec
        province" a region, "the town of Kingston" a city, "Kingston, Jamaica" a city of a country."""
        span = spans[index]
        before = text[max(0, span.start - 12) : span.start].lower()
        after = text[span.end : span.end + 12].lower()
        if _CITY_BEFORE.search(before):
            return "city"
        if _REGION_AFTER.match(after) or _REGION_BEFORE.search(before):
            return "region"
        for other in (index - 1, index + 1):
            if 0 <= other < len(spans):
                first, second = sorted((spans[other], span), key=lambda s: s.start)
                if _COORDINATION.fullmatch(text[first.end : second.start]):
                    return self._coordinated_kind(span.pattern.entity_ids, spans[other].pattern.entity_ids)
        return ""

    def _coordinated_kind(self, ids: list[int], neighbour: list[int]) -> str:
        """The kind a list gives a shared name: that of its neighbour ("Texas and Oklahoma": a state).
        When the neighbour is shared too, the kind under which both lie in one country: "Ontario and
        Quebec" are the two provinces (the other Ontario is a Californian city), "Istanbul and Ankara"
        could be cities or provinces of one country, so the list says nothing."""
        def kind_of(pk: int) -> str:
            kind = self.places[pk].place_type
            return "country" if kind in ("former", "nation") else kind

        theirs = [pk for pk in neighbour if pk in self.places]
        if not theirs:
            return ""
        if len(theirs) == 1:
            return kind_of(theirs[0])
        fitting = []
        for kind in ("country", "region", "city"):
            ours = {self._countries.get(pk) for pk in ids if pk in self.places and kind_of(pk) == kind}
            other = {self._countries.get(pk) for pk in theirs if kind_of(pk) == kind}
            if ours & other:
                fitting.append(kind)
        return fitting[0] if len(fitting) == 1 else ""

    def _evidence(self, text: str, span: _Span, lines: dict[int, bool]) -> int | None:
        line_start = text.rfind("\n", 0, span.start) + 1
        headline = lines.get(line_start)
        if headline is None:
            line_end = text.find("\n", span.end)
            headline = lines[line_start] = is_headline(text[line_start : line_end if line_end != -1 else None])
        if headline:
            return _WEAK
        pattern = span.pattern
        if not pattern.person and self._inside_longer_name(text, span):
            return None
        return _WEAK if sentence_initial(text, span.start) else _STRONG

    def _inside_longer_name(self, text: str, span: _Span) -> bool:
        before = _word_before(text, span.start)
        if before is not None and span.pattern.cyrillic:
            # Russian capitalises little: a capital before a name is a sentence's start or an
            # abbreviation ("НПЗ Казахстана"), unless it is a capitalised word inside the sentence.
            word, word_start = before
            if not (word[:1].isupper() and word[1:].islower()) or sentence_initial(text, word_start):
                before = None
        if before is not None:
            word, word_start = before
            if word.lower() in ("of", "de", "del", "du", "des", "da", "di", "von", "van", "der", "la", "le"):
                head = _word_before(text, word_start)
                if head is not None and _extends(head[0]):
                    # "Gulf of Mexico" is another place; "Ministry of Energy of Kazakhstan" is Kazakhstan's.
                    return _chain_head(text, head[1]).lower() not in _INSTITUTION_WORDS
            elif _extends(word) and not (word.lower().endswith(("ing", "ed", "ly"))
                                         and sentence_initial(text, word_start)):
                # "Neighbouring Uruguay", "Landlocked Mongolia": a sentence's first word, a participle
                # or an adverb, is no part of the name.
                return True
        if (span.pattern.adjective and not self._names_an_area(span.pattern)) or span.pattern.cyrillic:
            # "Swiss Re", "U.S. Treasury": the adjective still names the country; and Russian puts a
            # name after a place in another case ("Президент Казахстана Касым-Жомарт Токаев").
            return False
        after = _word_after(text, span.end)
        if after is not None and after in _NAME_PARTICLES:
            # "Rio Grande do Sul", "Santiago de Compostela": a particle and a capitalised word go on.
            following = _word_after(text, span.end + 1 + len(after))
            return following is not None and _extends(following)
        return after is not None and _extends(after)

    def _names_an_area(self, pattern: _Pattern) -> bool:
        """A continent's or a region's adjective before a name is part of it: "European Commission",
        "Asian Development Bank" (a country's still names it: "Swiss Re")."""
        place = self.places.get(pattern.entity_ids[0])
        return place is not None and place.place_type in ("continent", "region")

    def _resolve(self, found: _Found) -> set[int]:
        """Places that share a name, or were only seen weakly, need the article to name a place near them."""
        accepted = set(found.strong)
        pending = self._rounds(list(found.candidates), accepted, fallback=False)
        pending = self._support_each_other(pending, accepted)
        self._rounds(pending, accepted, fallback=True)
        return accepted

    def _rounds(self, pending: list, accepted: set[int], *, fallback: bool) -> list:
        for _ in range(2):  # a place resolved in the first round may support another
            if not pending:
                break
            support = self._support(accepted)
            still = []
            for ids, evidence, _, hint, common in pending:
                chosen = [pk for pk in ids if pk in accepted or self._supported(pk, support, accepted)]
                if not chosen and len(ids) == 1 and evidence >= _STRONG and not self.places.get(ids[0]):
                    chosen = ids  # not a place: nothing could support it, and the text is clear
                if fallback and not chosen and len(ids) > 1 and (evidence >= _STRONG or not common):
                    # A shared name that is also a word, at a sentence's start or in a headline ("Reading
                    # scores rise"), needs support like any other word seen only there.
                    chosen = self._without_support(ids)
                if chosen:
                    accepted.update(self._best_of(chosen, support, accepted, hint))
                else:
                    still.append((ids, evidence, False, hint, common))
            pending = still
        return pending

    def _support_each_other(self, pending: list, accepted: set[int]) -> list:
        """Doubtful places of one country, two or more of them named plainly, support each other:
        "Derbyshire, Leicestershire and Lincolnshire" is an English story even if England is never
        named, and its "Lincoln" is then the English city."""
        names_in: dict[int, set[tuple[int, ...]]] = {}
        for ids, evidence, _, _, common in pending:
            if evidence >= _STRONG or not common:
                for country in {self._countries.get(pk) for pk in ids} - {None}:
                    names_in.setdefault(country, set()).add(tuple(ids))
        most = max((len(names) for names in names_in.values()), default=0)
        if most < 2:
            return pending
        # A shared name counts for each country it could lie in; the country most of them share wins.
        countries = {country for country, names in names_in.items() if len(names) == most}
        support = self._support(accepted) | countries
        still = []
        for candidate in pending:
            ids, evidence, _, hint, common = candidate
            inside = [pk for pk in ids if self._countries.get(pk) in countries]
            if inside and (evidence >= _STRONG or not common):
                accepted.update(self._best_of(inside, support, accepted, hint))
            else:
                still.append(candidate)
        return still

    def _support(self, accepted: set[int]) -> set[int]:
        support = set()
        for pk in accepted:
            if pk in self.places:
                support.add(pk)
                support.update(self.ancestors(pk))
                country = self._countries.get(pk)
                if country is not None:
                    support.add(country)
        return support

    def _supported(self, pk: int, support: set[int], accepted: set[int]) -> bool:
        if pk not in self.places:
            return False
        if pk in support:
            return True  # Tbilisi supports Georgia, the country it lies in
        country = self._countries.get(pk)
        if country is not None and country in support:
            return True
        if any(other in accepted for other in self._neighbours.get(pk, ())):
            return True
        # A region or country supported by a place inside it that the article names.
        return any(pk in self.ancestors(other) for other in accepted if other in self.places)

    def _without_support(self, ids: list[int]) -> list[int]:
        """Places sharing a name when the article supports none: one inside the other (New York City in
        New York State) is the inner one; otherwise the first, the larger, unless it too needs context."""
        inner = self._most_specific(ids)
        if len(inner) == 1 and any(other in self.ancestors(inner[0]) for other in ids if other != inner[0]):
            return inner
        first = self.places.get(ids[0])
        return ids[:1] if first is not None and not first.needs_context else []

    def _best_of(self, chosen: list[int], support: set[int], accepted: set[int], hint: str) -> list[int]:
        """Of places sharing a name that the article supports, the one it supports most closely (a place
        in it or its own region named, not only its country), then the kind the words around the name
        say ("Ontario and Quebec": the province), then the inner of two nested places (New York City in
        New York State), then a country over a region over a city (in a story naming Canada and the US,
        "Ontario" is the province, not the Californian city)."""
        if len(chosen) == 1:
            return chosen
        rank = {"country": 0, "former": 0, "nation": 0, "region": 1, "city": 2}

        def closeness(pk: int) -> int:
            country = self._countries.get(pk)
            inside = [a for a in self.ancestors(pk) if a != country and self.places.get(a, PlaceInfo()).place_type
                      not in ("continent", "bloc")]
            # The other places of the same name say nothing: New York City does not make the state closer.
            others = [o for o in accepted if o not in chosen]
            if any(a in support for a in inside) or any(pk in self.ancestors(o) for o in others):
                return 1
            return 0

        best = max(closeness(pk) for pk in chosen)
        chosen = [pk for pk in chosen if closeness(pk) == best]
        if hint:
            kinds = {pk: self.places.get(pk, PlaceInfo()).place_type for pk in chosen}
            wanted = [pk for pk in chosen if kinds[pk] == hint or (hint == "country" and kinds[pk] == "former")]
            if wanted:
                chosen = wanted
        nested = self._most_specific(chosen)
        if len(nested) == 1 and any(other in self.ancestors(nested[0]) for other in chosen if other != nested[0]):
            return nested
        # In one country the city is meant far more often than the region named after it (Madrid, Lagos).
        by_country: dict[int | None, list[int]] = {}
        for pk in chosen:
            by_country.setdefault(self._countries.get(pk), []).append(pk)
        chosen = [max(pks, key=lambda pk: rank.get(self.places.get(pk, PlaceInfo()).place_type, -1))
                  for pks in by_country.values()]
        return [min(chosen, key=lambda pk: rank.get(self.places.get(pk, PlaceInfo()).place_type, 3))]

    def _most_specific(self, chosen: list[int]) -> list[int]:
        """Of places sharing a name, the one inside the other (New York City, not the state); else the first."""
        if len(chosen) == 1:
            return chosen
        for pk in chosen:
            if any(other in self.ancestors(pk) for other in chosen if other != pk):
                return [pk]
        return chosen[:1]

    def mentions(self, *, body: str, title: str = "", lede: str = "", dateline: str = "") -> Counter[int]:
        """How often the body names each entity; names only in the title, summary or dateline count once."""
        counts: Counter[int] = Counter()
        found = _Found()
        self._collect(body, found, counts=counts)
        extra = _Found()
        self._collect(f"{title}\n\n{lede}", extra, counts=None)
        if dateline.strip():
            self._collect(dateline, extra, counts=None, dateline=True)
        found.strong |= extra.strong
        found.candidates += extra.candidates
        accepted = self._resolve(found)
        for ids, _, counted, *_ in found.candidates:
            for pk in ids:
                if counted and pk in accepted:
                    counts[pk] += 1
        for pk in accepted:
            counts.setdefault(pk, 1)
        return +counts

    def find(self, text: str) -> Counter[int]:
        """How many times each entity is named in ``text``."""
        return self.mentions(body=text)

    def known(self, name: str) -> bool:
        """Whether ``name`` is already an entity's name or alias."""
        name = " ".join(name.split())
        if is_acronym(name):
            return self._exact.get(name) is not None
        if CYRILLIC.search(name):
            return self._stemmed.get(stemmed_key(name)) is not None
        return self._folded.get(fold(name)) is not None

    def _fold_aligned(self, text: str) -> str:
        # Rare characters (ligatures, 'ß') change length when folded: fold one
        # character at a time and keep one character for each, so positions hold.
        pieces = []
        for ch in text:
            folded = fold(ch)
            pieces.append(folded if len(folded) == 1 else ch.lower()[:1] or ch)
        return "".join(pieces)


def _neighbours_of_doubtful_countries(rows: list[tuple]) -> dict[int, set[int]]:
    """For each country that needs context, the ids of the countries bordering it."""
    from archive.models import EntityKind

    countries = {name: pk for pk, name, kind, _, place_type, _ in rows
                 if kind == EntityKind.PLACE and place_type == "country"}
    doubtful = [name for pk, name, kind, _, place_type, needs_context in rows
                if kind == EntityKind.PLACE and place_type == "country" and needs_context]
    if not doubtful:
        return {}
    from archive.places import neighbours_by_name

    return {countries[name]: {countries[n] for n in around if n in countries}
            for name, around in neighbours_by_name(doubtful).items() if name in countries}


# ---- Reading the context of a match ------------------------------------------------------------

_OPENING_DATELINE = re.compile(
    r"\s*(?P<place>[A-Z][A-Z.'’-]*(?:\s+[A-Z][A-Z.'’-]*){0,3})"
    r"(?:\s*,\s*(?P<within>[A-Z][\w.'’-]*(?:\s[A-Z][\w'’-]*){0,2}(?=\s*[,(]))?[^\n–—]{0,40}?)?\s+[-–—]{1,2}\s"
)
# The words that say a shared name is a region or a city, and the words that join names in a list.
_REGION_AFTER = re.compile(r"\s(?:region|regions|province|provinces|state|oblast|county|prefecture)\b")
_REGION_BEFORE = re.compile(r"\b(?:province|state|region|county) of $")
_CITY_BEFORE = re.compile(r"\b(?:town|city|port|village) of $")
_LIST_ITEM = re.compile(r"[A-ZА-ЯЁ][\w'’-]*(?: [A-Z][\w'’-]*)?")
_REGION_LIST = re.compile(
    r"(?P<items>[A-ZА-ЯЁ][\w'’-]*(?: [A-Z][\w'’-]*)?(?:(?:,|,? and|,? or| и) [A-ZА-ЯЁ][\w'’-]*(?: [A-Z][\w'’-]*)?)+)"
    r" (?P<kind>regions|oblasts|provinces|областей|областях|областям|областями|области)\b"
)
_REGION_LIST_WORDS = ("regions", "oblasts", "provinces", "област")
_COORDINATION = re.compile(r",? (?:and|or|&) |, | и ")
_AFTER_PLACE_AND_COMMA = re.compile(r"[A-Z][\w.'’-]*, ?$")


@lru_cache(maxsize=1)
def _language_names() -> frozenset[str]:
    """English names of languages (ISO 639-3 through pycountry): "French", "Irish", "Spanish"."""
    import pycountry

    return frozenset(fold(language.name) for language in pycountry.languages)


_LANGUAGE_AFTER = re.compile(r"(?:(?:,|,? and|,? or) [A-Z][a-z]+)*+\s*(?:(?P<word>[a-z]+)\b|[.,;:!?)\n]|$)")


def _spoken_as_a_language(text: str, span: _Span) -> bool:
    """"Pupils taking Irish and Spanish", "a guide in French": a language, not its country. An adjective
    with no noun after it reads as the language unless "the" makes it a people ("the French said")."""
    if fold(text[span.start : span.end]) not in _language_names():
        return False
    after = _LANGUAGE_AFTER.match(text, span.end)
    if not after or (after.group("word") and after.group("word") not in FUNCTION_WORDS):
        return False  # "French banks": it describes something, so the country
    before = text[max(0, span.start - 30) : span.start]
    return not re.search(r"\b(?:the|The)\s+(?:(?:[A-Z][a-z]+)(?:,| and| or)\s+)*$", before)


def _opening_dateline(text: str) -> tuple[tuple[int, int], ...]:
    """Where a wire dateline at the start of the text names its place, and the country or state it
    gives ("NEW YORK, March 5 - ...", "KINGSTON, Jamaica, March 3 - ...")."""
    match = _OPENING_DATELINE.match(text)
    if not match:
        return ()
    ranges = [(match.start("place"), match.end("place"))]
    if match.group("within"):
        ranges.append((match.start("within"), match.end("within")))
    return tuple(ranges)


def _capitalised(text: str, start: int) -> bool:
    ch = text[start]
    return ch.isupper() or not ch.isalpha() or ch.lower() == ch.upper()


_ANY_WORD = re.compile(r"(?<![\w'’-])[^\W\d_]")
_LOWER_WORD = re.compile(r"(?<![\w'’-])[^\W\d_A-ZА-ЯЁ][\w'’-]{3,}")  # a lower-case word of four letters or more
# These two start with their capital and then look back at the character before it: a pattern that starts
# with a letter class is scanned for in one tight loop, three times faster here (a look-behind first is
# tried at every position; for the two above, whose first letter is nearly every letter, that is faster).
_UPPER_WORD = re.compile(r"[A-ZА-ЯЁ](?<![\w'’-].)")
_CAPS_WORD = re.compile(r"[A-ZА-ЯЁ](?<![\w'’-].)[A-ZА-ЯЁ]+(?![\w'’-])")


def is_headline(line: str) -> bool:
    """A line in capitals, or with (nearly) every word capitalised: capitals say nothing there."""
    return _is_headline_start(line[:240])  # a headline is short, and a line in capitals is so from its start


@lru_cache(maxsize=1024)  # tagging and discovery both ask about the lines of the same article
def _is_headline_start(line: str) -> bool:
    words = len(_ANY_WORD.findall(line))
    if words < 3:
        return False
    lower = len(_LOWER_WORD.findall(line))
    if lower > 0.4 * words:
        return False  # the usual sentence: too many lower-case words for either kind of headline
    if len(_CAPS_WORD.findall(line)) / words >= 0.6:
        return True
    # Short function words ("in", "of", "and") are lower case in title case too; longer ones are content.
    # Fewer than four words is as likely a list of names ("in Astana and Washington") as a headline.
    return lower / words <= 0.15 and len(_UPPER_WORD.findall(line)) >= 4


def sentence_initial(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t\"'“‘«(":
        i -= 1
    if i < 0 or text[i] in ".!?:;\n":
        return True
    # After a dateline dash: "ASTANA – Kazakhstan's ..."
    return text[i] in "–—-" and i > 0 and text[i - 1] == " "


def _word_before(text: str, start: int) -> tuple[str, int] | None:
    """The word just before ``start`` when only a space separates them."""
    if start < 2 or text[start - 1] != " " or not _is_word_char(text[start - 2]):
        return None
    end = start - 1
    i = end
    while i > 0 and (_is_word_char(text[i - 1]) or text[i - 1] in ".'’-&"):
        i -= 1
    word = text[i:end]
    if word.endswith(("'s", "’s", "'", "’", ".")):
        return None  # "China's Xinjiang" is a possessive, "... in Astana. Goldwind" a sentence's end
    return word, i


def _word_after(text: str, end: int) -> str | None:
    if end + 1 >= len(text) or text[end] != " ":
        return None
    i = end + 1
    while i < len(text) and (_is_word_char(text[i]) or text[i] in "'’-&"):
        i += 1
    return text[end + 1 : i] or None


def _extends(word: str) -> bool:
    """Whether a neighbouring word makes a longer name: capitalised, and not a word of grammar or a title."""
    if not word or not word[0].isupper():
        return False
    bare = word.strip(".'’-").lower()
    return bare not in FUNCTION_WORDS and bare not in _TITLE_WORDS


def _chain_head(text: str, start: int) -> str:
    """The first word of the run of capitalised words (joined by "of") that ends at ``start``."""
    head = text[start:].split(" ", 1)[0]
    while True:
        before = _word_before(text, start)
        if before is None:
            return head
        word, word_start = before
        if word.lower() in ("of", "the", "and"):
            start = word_start
            continue
        if not _extends(word) and word.lower() not in _INSTITUTION_WORDS:
            return head
        head, start = word, word_start
