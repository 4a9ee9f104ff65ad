"""Finding names that are not entities yet, for editors to review.

Pure: text in, candidates out. Three kinds of evidence:

- a person introduced by a title, before or after the name, in any case: "President
  Kassym-Jomart Tokayev", "CEO Li Wei", "actor Michael Douglas", "Liu Mingsheng, Chairman
  of the Board";
- an organisation by the word that ends or heads its name: "Samruk Energy Group",
  "China Development Bank", "Ministry of Energy", "Office for National Statistics";
- any capitalised name of two to five words ("Lake Balkhash", a place by its feature
  word), which is worth reviewing once it has been seen in several articles.

What is not read for names: lines in capitals or with every word capitalised
(headlines, where capitals say nothing: "NEW YORK STOCKS CLOSE HIGHER", "TH QTR NET"),
subheadings ("Forging Ties"), and dates ("Pay April 30. Record March 31."). Nor what
capitals glue to a name: text in capitals ("SANTA FE, N.M. -"), a common abbreviation
after it ("Vietnam GDP growth"), a word of grammar or a plural word and "of" before it
("Later Real Madrid", "Shares of Zealand Pharma").

Given the gazetteer, a name that is part of a known entity's name, or a known name with
a title or more words around it, is not a new entity: it is offered as an alias of that
entity ("President Tokayev" -> Kassym-Jomart Tokayev, "Ministry of Energy" -> Ministry
of Energy of the Republic of Kazakhstan), or dropped when it is the mention itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.models import EntityKind
from archive.tagging import _FUNCTION_WORDS, _sentence_initial
from archive.text import sentence_around

MIN_ARTICLES_FOR_PLAIN_NAMES = 3

# Words of grammar that start a sentence ("Later Real Madrid signed"); not the points of the
# compass, which start names ("Central Asia", "West Germany").
_LEADING_FILLER = _FUNCTION_WORDS - set(
    "north south east west northern southern eastern western central one two three four five six seven eight nine "
    "ten".split())

# "McDonnell", "MacArthur": a capital inside a word is still one word (else "Donnell Douglas" is suggested).
# An acronym is a whole word: "LOS ANGELES" never gives "ANGELE".
_NAME_WORD = r"(?:[A-Z][a-z]+(?:[A-Z][a-z]+)*(?:[-'’][A-Z]?[a-z]+)*|[A-Z]{2,6}(?![A-Za-z]))"
# Every pattern starts at the start of a capitalised word. Said first, as a lookahead for a
# capital, it lets the regex engine pass over the other positions quickly: matching costs half.
_WORD_START = r"(?=[A-Z])(?<![\w'’-])"
_TITLES = (
    r"President|Vice President|Prime Minister|Deputy Prime Minister|Minister|Foreign Minister|Chairman|"
    r"Chairwoman|Chair|CEO|Chief Executive|Chief Executive Officer|Managing Director|General Director|"
    r"Director|Ambassador|Governor|Mayor|Akim|Senator|Premier|Secretary-General|Secretary General|"
    r"Spokesman|Spokeswoman|Spokesperson|Founder|Professor|Dr\.?|"
    # What a story calls a person before the name: "actor Michael Douglas", "striker Li Lei".
    r"Actor|Actress|Singer|Author|Writer|Artist|Director|Coach|Striker|Midfielder|Goalkeeper|Player|Captain|"
    r"Judge|Analyst|Economist|Lawyer|Attorney|Publicist|Commissioner|Envoy|Mr\.?|Mrs\.?|Ms\.?|Sir|Dame"
)
_PERSON = re.compile(
    rf"(?=[A-Z])\b(?:{_TITLES})\s+(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,2}})(?![\w-])"
)
# A title in lower case ("former president Jimmy Carter") is looked for before each capitalised
# name found, not by a regex over the text: that is four times faster.
_LOWER_WORD_BEFORE = re.compile(r"(?<![\w'’-])([a-z][a-z-]*\.?)\s+$")
# "Liu Mingsheng, Chairman of the Board": a name, a comma, a title.
_PERSON_BEFORE_TITLE = re.compile(
    rf"(?=[A-Z])(?<![\w-])(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,2}}),\s+(?:the\s+|a\s+|its\s+)?"
    rf"(?:(?:Deputy|Vice|First|Executive|Senior|Former|former)\s+)?(?:{_TITLES})\b"
)
_ORG_ENDINGS = (
    r"Group|Corporation|Corp\.?|Company|Co\.?|Ministry|Party|Service|Office|Department|University|Holding|Holdings|Bank|Fund|Agency|Authority|Association|"
    r"Institute|Council|Commission|Committee|Exchange|Partners|Consortium|Ltd\.?|LLP|JSC|Inc\.?|PLC|AG|SA"
)
# Institutions named "<head> of <what>": "Ministry of Energy", "Bank of Canada", "Office for National Statistics".
_ORG_HEADS = (
    r"Ministry|Department|Office|Bureau|Bank|University|Institute|Council|Commission|Committee|Agency|Authority|"
    r"Federation|Union|Fund|Association"
)
_ORG = re.compile(
    rf"{_WORD_START}(?:(?P<ministry>(?:{_NAME_WORD}\s+)?(?:{_ORG_HEADS})\s+(?:of|for)\s+{_NAME_WORD}(?:\s+{_NAME_WORD})?(?:(?:\s+and|,)\s+{_NAME_WORD}){{0,3}})"
    # "Royal Bank of Canada", "European Bank for Reconstruction and Development": the name goes on.
    rf"|(?P<name>(?:{_NAME_WORD}\s+){{1,5}}(?:{_ORG_ENDINGS})"
    rf"(?:\s+(?:of|for)\s+{_NAME_WORD}(?:\s+(?:and\s+)?{_NAME_WORD})?)?)(?![\w-]))"
)
# "and" is left out: "Kazakhstan and China" is two names, not one.
_PLAIN = re.compile(rf"{_WORD_START}(?P<name>{_NAME_WORD}(?:\s+(?:of\s+|the\s+)?{_NAME_WORD}){{1,4}})")
# Capitalised words that start sentences or are not names by themselves.
_NOT_NAMES = {
    "The", "A", "An", "In", "On", "At", "By", "For", "From", "With", "As", "But", "And", "Or", "If", "It", "Its",
    "This", "That", "These", "Those", "Officials", "Mr", "Mrs", "Ms", "He", "She", "They", "We", "Our", "His",
    "Her", "Their", "After", "Before", "During", "While", "When", "Since", "According", "Monday", "Tuesday",
    "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May",
    "June", "July", "August", "September", "October", "November", "December", "Both", "Such", "Some", "Many",
    "Other", "Last", "Next", "Several", "Under", "Over", "About", "Speaking", "Asked",
}
_DATE_WORDS = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Monday",
    "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Qtr", "Qtly",
}
_TITLE_WORDS = {word.casefold() for word in re.split(r"\||\s+", _TITLES.replace("\\.?", "")) if word} | {
    "mr", "mrs", "ms", "dr", "sir", "general", "kazakh", "chinese"}
_TAIL_OF_LONGER_NAME = re.compile(r"[A-Z][\w'’-]*\s+(?:and|&|for)\s+$")
# Words that end the name of a place ("Caspian Sea", "Suez Canal", "Channel Islands"), or start it.
_PLACE_LAST_WORDS = frozenset(
    "Sea Ocean Canal River Lake Islands Island Isles Mountains Strait Bay Peninsula Desert Valley Riviera Basin "
    "Plateau Steppe Coast Darya".split())
_PLACE_FIRST_WORDS = frozenset("Lake Mount Cape Gulf Strait Bay".split())


def is_title_word(word: str) -> bool:
    """Whether a word is a title that can stand before a name ("president", "Mr.")."""
    return word.strip(".,").casefold() in _TITLE_WORDS


@dataclass(frozen=True)
class Candidate:
    name: str
    kind: str
    sentence: str
    strong: bool  # found by a title or an organisation word, not just capitals
    alias_of: int | None = None  # a known entity this is another name of


def _without_headlines(text: str) -> str:
    """The text with headlines, subheadings and lines in capitals blanked out (positions kept)."""
    from archive.tagging import _is_headline

    kept = []
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            kept.append(line)
            continue
        subheading = stripped.startswith("#") or (
            len(stripped) <= 80 and stripped[-1] not in ".!?:;\"”»)" and not _LOWER_CONTENT.search(stripped)
        )
        kept.append(" " * len(line) if subheading or _is_headline(line) else line)
    return "\n".join(kept)


_LOWER_CONTENT = re.compile(r"(?<![\w'’-])[a-zа-яё][\w'’-]{3,}")


def _trim(name: str) -> str:
    name = re.sub(r"['’]s?$", "", name)  # Tokayev's -> Tokayev
    words = name.split()
    # Leading filler, and a possessive owner ("China's Ministry of Commerce").
    while words and (words[0] in _NOT_NAMES or words[0].lower() in _LEADING_FILLER or words[0].endswith(("'s", "’s"))):
        words = words[1:]
    while words and words[-1] in {"of", "the", "and", "for"}:
        words = words[:-1]
    return " ".join(words)


def _plain_name(name: str, *, sentence_start: bool = False) -> str:
    """A run of capitalised words without what capitals alone glued to it; "" when no name is left."""
    from archive.tagging import is_common_word

    words = name.split()
    if all(word.isupper() for word in words):
        return ""  # "SANTA FE", "TH QTR NET": text in capitals, not a name written in capitals
    # "Vietnam GDP growth", "Apple CEO": a common abbreviation after a name is not part of it.
    while len(words) > 1 and words[-1].isupper() and is_common_word(words[-1]):
        words.pop()
    # "Shares of Zealand Pharma", "Leaders of China": a plural common word capitalised because it
    # starts the sentence, then "of" ("Department of Agriculture" keeps its head, and so do "the
    # States of Jersey" inside a sentence).
    if sentence_start and len(words) >= 3 and words[1] == "of" and words[0].endswith("s") and is_common_word(
            words[0]):
        words = words[2:]
        if len(words) < 2:
            return ""
    return " ".join(words)


def _plain_kind(name: str) -> str:
    words = name.split()
    if words[-1] in _PLACE_LAST_WORDS or words[0] in _PLACE_FIRST_WORDS:
        return EntityKind.PLACE
    return EntityKind.OTHER


def find_candidates(text: str, gazetteer=None, *, known: list[tuple[int, int, int]] | None = None) -> list[Candidate]:
    """Names in ``text`` that look like entities, each with the sentence it was found in.

    With a ``gazetteer`` (archive.tagging.Gazetteer), names of known entities and the
    pieces of them are left out, and a known name with more words around it, or the
    start of a known name the text names in full elsewhere, is offered as its alias.
    ``known`` is ``gazetteer.spans(text)`` when the caller has it already.
    """
    original = text
    text = _without_headlines(text)
    found: dict[str, Candidate] = {}
    taken: list[tuple[int, int]] = []
    if known is None:
        known = gazetteer.spans(original) if gazetteer is not None else []
    named_here = {entity_id: original[start:end] for start, end, entity_id in known}

    def alias_of(name: str, start: int, end: int) -> int | None | bool:
        """The entity this name is another name of; False when it is only a piece of a known mention."""
        for k_start, k_end, entity_id in known:
            if k_start <= start and end <= k_end:
                return False  # "Ministry of Energy" inside "Ministry of Energy of the Republic of Kazakhstan"
            if start < k_start < end < k_end or k_start < start < k_end < end:
                return False  # "Second Belt" across "Belt and Road Forum": cut out of a known name
            if start <= k_start and k_end <= end:
                extra = (original[start:k_start] + " " + original[k_end:end]).split()
                if all(is_title_word(word) for word in extra):
                    return entity_id  # "President Tokayev" around "Tokayev"
                return None  # "Morgan Stanley" is a name of its own, not more of Stanley
        words = name.casefold().split()
        for entity_id, mention in named_here.items():
            if mention.casefold().split()[: len(words)] == words:
                return entity_id  # "Ministry of Energy" for the ministry named in full elsewhere
        return None

    def add(name: str, kind: str, start: int, end: int, strong: bool) -> None:
        name = _trim(name)
        if kind == EntityKind.ORGANISATION:
            # "Ministry of Energy Minister Ivanov": the title starts the next name.
            words = name.split()
            while len(words) > 3 and is_title_word(words[-1]):
                words.pop()
            name = " ".join(words)
        # Two words at least: a lone "Ministry" or "Bank" left after trimming is no name.
        minimum = 1 if kind == EntityKind.PERSON else 2
        if len(name.split()) < minimum or len(name) < 4 or len(name) > 120:
            return
        if any(word in _DATE_WORDS for word in name.split()):
            return  # "Pay April", "Record March": dividend dates, not names
        if any(start < t_end and end > t_start for t_start, t_end in taken):
            return
        if not strong and _TAIL_OF_LONGER_NAME.search(text, max(0, start - 40), start):
            return  # "Road Initiative" in "Belt and Road Initiative"
        taken.append((start, end))
        target = alias_of(name, start, end) if known else None
        if target is False:
            return
        key = name.casefold()
        if key not in found:
            found[key] = Candidate(name, kind, sentence_around(original, start, end), strong, target)

    for match in _PERSON.finditer(text):
        add(match.group("name"), EntityKind.PERSON, match.start("name"), match.end("name"), True)
    for match in _PERSON_BEFORE_TITLE.finditer(text):
        add(match.group("name"), EntityKind.PERSON, match.start("name"), match.end("name"), True)
    for match in _ORG.finditer(text):
        group = "name" if match.group("name") else "ministry"
        add(match.group(group), EntityKind.ORGANISATION, match.start(group), match.end(group), True)
    for match in _PLAIN.finditer(text):
        trimmed = _trim(match.group("name"))
        first = match.start("name") + match.group("name").find(trimmed)
        name = _plain_name(trimmed, sentence_start=_sentence_initial(text, first))
        if not name:
            continue
        start = match.start("name") + match.group("name").find(name)
        before = _LOWER_WORD_BEFORE.search(text, max(0, start - 30), start)
        if before and is_title_word(before.group(1)) and 2 <= len(name.split()) <= 3:
            add(name, EntityKind.PERSON, start, start + len(name), True)
        else:
            add(name, _plain_kind(name), start, start + len(name), False)
    return list(found.values())
