"""Given names, surnames and Chinese surnames: the lists discovery guesses a person's name by.

They come from Faker's person providers (some 80 locales), filtered against wordfreq's
ordinary English words. Deriving them means importing every provider module, which cost
0.3–0.5 s inside the first tagging call of every process; they are derived once instead,
by ``python -m archive.person_names``, and kept in ``archive/data/person_names.json``,
which loads in a few milliseconds. A test derives them again from the pinned packages
and compares, so an upgrade of Faker, wordfreq or anyascii that changes them fails
until the file is written again.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

DATA_FILE = Path(__file__).resolve().parent / "data" / "person_names.json"

# Faker's plain English list also holds ordinary words ("Royal", "Golden", "General", "Will"), so a
# given name counts when at least two locales list it, or one does and it is no ordinary English word
# ("Kyogo").
_LOCALES_FOR_A_GIVEN_NAME = 2
_ORDINARY_ENGLISH_WORDS = 30_000  # wordfreq's most frequent English words, down to about once per million
_LATIN_CYRILLIC_GREEK = re.compile(r"[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff-]+")
_CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]")


class PersonNames(NamedTuple):
    given: frozenset[str]
    surnames: frozenset[str]
    chinese: frozenset[str]  # Chinese surnames in pinyin


@lru_cache(maxsize=1)
def person_names() -> PersonNames:
    """The lists as ``archive/data/person_names.json`` holds them."""
    data = json.loads(DATA_FILE.read_text("utf-8"))
    return PersonNames(frozenset(data["given"]), frozenset(data["surnames"]), frozenset(data["chinese"]))


def derive() -> PersonNames:
    """The lists from the installed Faker, wordfreq and anyascii (slow: imports every person provider)."""
    import importlib
    import pkgutil

    import faker.providers.person as people
    from anyascii import anyascii
    from wordfreq import top_n_list

    given: Counter[str] = Counter()
    surnames: set[str] = set()
    chinese: set[str] = set()
    spelt: set[str] = set()  # given names as English copy spells them ("Jurgen", "Gennady")

    def listed(provider, *attributes: str) -> set[str]:
        values = (getattr(provider, attribute, None) for attribute in attributes)
        return set().union(*(value for value in values if isinstance(value, (dict, list, tuple, set, frozenset))))

    for module in pkgutil.iter_modules(people.__path__):
        provider = importlib.import_module(f"{people.__name__}.{module.name}").Provider
        names = listed(provider, "first_names", "first_names_male", "first_names_female", "first_romanized_names")
        given.update(name for name in names if name.isascii())
        for name in names:
            if not name.isascii():
                spelt.update(_english_spellings(name, anyascii))
        # Surnames only ever confirm an ordinary English word as a surname ("Smith", "Young"): as listed.
        surnames |= listed(provider, "last_names", "last_names_male", "last_names_female", "last_romanized_names")
        if module.name.startswith("zh_"):
            chinese |= listed(provider, "last_romanized_names")
    # A spelling that is also an ordinary English word ("Röyal" spelt "Royal") needs two locales that write it so.
    ordinary = set(top_n_list("en", _ORDINARY_ENGLISH_WORDS))
    names = {name for name in spelt | set(given) if len(name) > 1 and name.isalpha() and name.istitle()}
    return PersonNames(
        frozenset(name for name in names if given[name] >= _LOCALES_FOR_A_GIVEN_NAME or name.lower() not in ordinary),
        frozenset(surnames), frozenset(chinese))


def _english_spellings(name: str, anyascii) -> set[str]:
    """How English copy spells a name: as written, without accents ("Jurgen"), German umlauts as two
    letters ("Juergen"), other scripts in Latin letters ("Геннадий" -> "Gennady", "Στέφανος" -> "Stefanos")."""
    if not name.replace("-", "").isalpha() or not _LATIN_CYRILLIC_GREEK.fullmatch(name):
        return set()  # other scripts transliterate to words, not names ("Royal")
    spellings = {name}
    if _CYRILLIC_LETTER.search(name):
        name = re.sub(r"[иы]й$", "y", name)  # Геннадий -> Gennady, not Gennadii
    spellings.add(anyascii(name))
    umlauts = name.translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
    if umlauts != name:
        spellings.add(anyascii(umlauts))
    return spellings


def serialise(names: PersonNames) -> str:
    """The data file's text: one name per line, sorted, so that a change reads as a diff."""
    from importlib.metadata import version

    return json.dumps({
        "about": "Derived by `python -m archive.person_names` from these packages; do not edit by hand.",
        "derived_from": {package: version(package) for package in ("Faker", "wordfreq", "anyascii")},
        "given": sorted(names.given), "surnames": sorted(names.surnames), "chinese": sorted(names.chinese),
    }, ensure_ascii=False, indent=0) + "\n"


if __name__ == "__main__":
    DATA_FILE.write_text(serialise(derive()), "utf-8")
    print(f"wrote {DATA_FILE}")
