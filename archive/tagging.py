"""Finding known entities in article text.

One Aho-Corasick automaton holds every name and alias, so tagging an article
costs one pass over its text whatever the number of entities. Matching rules:

- names match on word boundaries ("Sany" not inside "Sanyo"); possessives
  ("Tokayev's") and hyphenated compounds ("Kazakhstan-China") still match;
- ordinary names match in any case and with or without accents;
- acronyms (a name in capitals, such as SPIC) match only in capitals;
- where names overlap, the longest wins ("State Power Investment Corporation",
  not "State Power").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

from archive.text import fold


def is_acronym(name: str) -> bool:
    letters = [ch for ch in name if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters) and len(name) <= 8


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


@dataclass(frozen=True)
class _Pattern:
    entity_id: int
    length: int


class Gazetteer:
    """Every entity name and alias, ready to be found in text."""

    def __init__(self, names: Iterable[tuple[int, str]]):
        self._folded = ahocorasick.Automaton()
        self._exact = ahocorasick.Automaton()
        self.size = 0
        for entity_id, name in names:
            name = " ".join(name.split())
            if len(name) < 2:
                continue
            if is_acronym(name):
                self._add(self._exact, name, entity_id)
            else:
                self._add(self._folded, fold(name), entity_id)
        for automaton in (self._folded, self._exact):
            if len(automaton):
                automaton.make_automaton()

    def _add(self, automaton: ahocorasick.Automaton, key: str, entity_id: int) -> None:
        existing = automaton.get(key, None)
        # Two entities sharing a name is ambiguous: the first one keeps it.
        if existing is None:
            automaton.add_word(key, _Pattern(entity_id, len(key)))
            self.size += 1

    @classmethod
    def from_database(cls) -> Gazetteer:
        from archive.models import Alias, Entity

        names = list(Entity.objects.values_list("id", "name"))
        names += list(Alias.objects.values_list("entity_id", "name"))
        return cls(names)

    def _matches(self, automaton: ahocorasick.Automaton, text: str) -> list[tuple[int, int, int]]:
        if not len(automaton):
            return []
        found = []
        for end, pattern in automaton.iter(text):
            start = end - pattern.length + 1
            if start > 0 and _is_word_char(text[start - 1]):
                continue
            if end + 1 < len(text) and _is_word_char(text[end + 1]):
                continue
            found.append((start, end + 1, pattern.entity_id))
        return found

    def spans(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end, entity id) of every name found, left to right, longest first where they overlap."""
        # Folding keeps one character per character for the scripts the archive
        # holds, so positions in the folded text line up with the original.
        folded = fold(text)
        if len(folded) != len(text):
            folded_matches = self._matches_unaligned(text)
        else:
            folded_matches = self._matches(self._folded, folded)
        candidates = folded_matches + self._matches(self._exact, text)
        candidates.sort(key=lambda span: (span[0], -(span[1] - span[0])))
        chosen = []
        covered_until = -1
        for start, end, entity_id in candidates:
            if start < covered_until:
                continue
            chosen.append((start, end, entity_id))
            covered_until = end
        return chosen

    def find(self, text: str) -> Counter[int]:
        """How many times each entity is named in ``text``."""
        return Counter(entity_id for _, _, entity_id in self.spans(text))

    def known(self, name: str) -> bool:
        """Whether ``name`` is already an entity's name or alias."""
        name = " ".join(name.split())
        automaton = self._exact if is_acronym(name) else self._folded
        key = name if is_acronym(name) else fold(name)
        return bool(len(automaton)) and automaton.exists(key)

    def _matches_unaligned(self, text: str) -> list[tuple[int, int, int]]:
        # Rare characters (ligatures, 'ß') change length when folded: fold one
        # character at a time and keep one character for each, so positions hold.
        pieces = []
        for ch in text:
            folded = fold(ch)
            pieces.append(folded if len(folded) == 1 else ch.lower()[:1] or ch)
        return self._matches(self._folded, "".join(pieces))
