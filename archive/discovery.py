"""Finding names that are not entities yet, for editors to review.

Pure: text in, candidates out. Three kinds of evidence:

- a person introduced by a title: "President Kassym-Jomart Tokayev", "CEO Li Wei";
- an organisation by the word that ends its name: "Samruk Energy Group",
  "Ministry of Energy", "China Development Bank";
- any capitalised name of two to five words ("Lake Balkhash"), which becomes a
  suggestion only once it has been seen in several articles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.models import EntityKind
from archive.text import sentence_around

MIN_ARTICLES_FOR_PLAIN_NAMES = 3

_NAME_WORD = r"(?:[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)*|[A-Z]{2,6})"
_TITLES = (
    r"President|Vice President|Prime Minister|Deputy Prime Minister|Minister|Foreign Minister|Chairman|"
    r"Chairwoman|Chair|CEO|Chief Executive|Chief Executive Officer|Managing Director|General Director|"
    r"Director|Ambassador|Governor|Mayor|Akim|Senator|Premier|Secretary-General|Secretary General|"
    r"Spokesman|Spokeswoman|Spokesperson|Founder|Professor|Dr\.?"
)
_PERSON = re.compile(
    rf"\b(?:{_TITLES})\s+(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,2}})(?![\w-])"
)
_ORG_ENDINGS = (
    r"Group|Corporation|Corp\.?|Company|Co\.|Ministry|Holding|Holdings|Bank|Fund|Agency|Authority|Association|"
    r"Institute|Council|Commission|Committee|Exchange|Partners|Consortium|Ltd\.?|LLP|JSC|Inc\.?|PLC|AG|SA"
)
_ORG = re.compile(
    rf"(?P<ministry>(?:{_NAME_WORD}\s+)?Ministry\s+of\s+{_NAME_WORD}(?:(?:\s+and|,)\s+{_NAME_WORD}){{0,3}})"
    rf"|(?P<name>(?:{_NAME_WORD}\s+){{1,5}}(?:{_ORG_ENDINGS}))(?![\w-])"
)
# "and" is left out: "Kazakhstan and China" is two names, not one.
_PLAIN = re.compile(rf"(?P<name>{_NAME_WORD}(?:\s+(?:of\s+|the\s+)?{_NAME_WORD}){{1,4}})")
# Capitalised words that start sentences or are not names by themselves.
_NOT_NAMES = {
    "The", "A", "An", "In", "On", "At", "By", "For", "From", "With", "As", "But", "And", "Or", "If", "It", "Its",
    "This", "That", "These", "Those", "Officials", "Mr", "Mrs", "Ms", "He", "She", "They", "We", "Our", "His",
    "Her", "Their", "After", "Before", "During", "While", "When", "Since", "According", "Monday", "Tuesday",
    "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May",
    "June", "July", "August", "September", "October", "November", "December", "Both", "Such", "Some", "Many",
    "Other", "Last", "Next", "New", "Several", "Under", "Over", "About", "Speaking", "Asked",
}
_TAIL_OF_LONGER_NAME = re.compile(r"[A-Z][\w'’-]*\s+(?:and|&)\s+$")


@dataclass(frozen=True)
class Candidate:
    name: str
    kind: str
    sentence: str
    strong: bool  # found by a title or an organisation word, not just capitals


def _trim(name: str) -> str:
    name = re.sub(r"['’]s?$", "", name)  # Tokayev's -> Tokayev
    words = name.split()
    # Leading filler, and a possessive owner ("China's Ministry of Commerce").
    while words and (words[0] in _NOT_NAMES or words[0] in {"of", "the", "and"} or words[0].endswith(("'s", "’s"))):
        words = words[1:]
    while words and words[-1] in {"of", "the", "and"}:
        words = words[:-1]
    return " ".join(words)


def find_candidates(text: str) -> list[Candidate]:
    """Names in ``text`` that look like entities, each with the sentence it was found in."""
    found: dict[str, Candidate] = {}
    taken: list[tuple[int, int]] = []

    def add(name: str, kind: str, start: int, end: int, strong: bool) -> None:
        name = _trim(name)
        # Two words at least: a lone "Ministry" or "Bank" left after trimming is no name.
        minimum = 1 if kind == EntityKind.PERSON else 2
        if len(name.split()) < minimum or len(name) < 4 or len(name) > 120:
            return
        if any(start < t_end and end > t_start for t_start, t_end in taken):
            return
        if not strong and _TAIL_OF_LONGER_NAME.search(text, max(0, start - 40), start):
            return  # "Road Initiative" in "Belt and Road Initiative"
        taken.append((start, end))
        key = name.casefold()
        if key not in found:
            found[key] = Candidate(name, kind, sentence_around(text, start, end), strong)

    for match in _PERSON.finditer(text):
        add(match.group("name"), EntityKind.PERSON, match.start("name"), match.end("name"), True)
    for match in _ORG.finditer(text):
        group = "name" if match.group("name") else "ministry"
        add(match.group(group), EntityKind.ORGANISATION, match.start(group), match.end(group), True)
    for match in _PLAIN.finditer(text):
        add(match.group("name"), EntityKind.OTHER, match.start("name"), match.end("name"), False)
    return list(found.values())
