"""Highlighted snippets: the words marked are exactly those whose index form matched."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from search.snippets import _WORD, highlight_all, index_form, matches, snippet

TRICKY = (
    "Energy, energies and ENERGY: the energy-sector's re-energised plan (energy_2024). "
    "Zhanatas' turbines — Жанатас, турбины, Токаев; Café cafe CAFÉ. wind-wind windy winds winding 42 energy42 "
)


def reference(text: str, terms: set[str]) -> list[tuple[int, int]]:
    """Word by word, as the module did before it grouped words (the definition of a match)."""
    return [m.span() for m in _WORD.finditer(text) if index_form(m.group()) in terms]


def test_matches_are_the_words_whose_index_form_matched_word_by_word():
    words = _WORD.findall(TRICKY)
    rng = random.Random(7)
    for _ in range(200):
        text = "".join(rng.choice([w, w.upper(), w.title()]) + rng.choice([" ", "-", ", ", "'", "_", "—"])
                       for w in rng.choices(words, k=rng.randint(0, 40)))
        terms = {index_form(w) for w in rng.sample(words, 3)} - {None}
        assert matches(text, terms) == reference(text, terms), (text, terms)
    assert matches(TRICKY, {"energi"}) == reference(TRICKY, {"energi"})
    assert len(matches(TRICKY, {"energi"})) == 4  # Energy, energies, ENERGY, energy-; not energy_2024 or energy42


def test_snippets_and_titles_mark_matches_and_escape_the_rest():
    text = "Wind <b>farms</b> & wind turbines near Zhanatas. " * 3
    marked = highlight_all(text, {"wind"})
    assert marked.count("<mark>Wind</mark>") == 3 and "&lt;b&gt;" in marked and "<b>" not in marked
    assert "<mark>wind</mark>" in snippet(text, {"wind", "turbin"})
    assert highlight_all(text, {"coal"}) == "" == snippet(text, set())


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(
        st.one_of(
            st.sampled_from(_WORD.findall(TRICKY)),
            # "\u212a" (the Kelvin sign) lower-cases to "k", "\u0130" (İ) to two characters.
            st.text(alphabet="aeéEnrgy_42ыЖ\u0301\u00b2- .'?\u212a\u0130ilns", min_size=1, max_size=6),
        ),
        max_size=30,
    ),
    picked=st.lists(st.sampled_from(_WORD.findall(TRICKY) + ["e", "42", "ы", "en", "kilns", "\u212ailns", "inns"]),
                    min_size=1, max_size=4),
)
def test_any_text_gets_the_matches_of_the_word_by_word_definition(pieces, picked):
    # Words glued to digits, underscores, combining accents, superscripts, question marks and
    # letters whose lower case is odd: the found occurrences must be whole \w+ runs, as the
    # definition has them.
    text = "".join(pieces)
    terms = {index_form(w) for w in picked} - {None}
    assert matches(text, terms) == reference(text, terms)


# Every suffix Whoosh's Porter stemmer rewrites (steps 1 to 5), alone and after another.
PORTER_SUFFIXES = [
    "s", "sses", "ies", "eed", "ed", "ing", "at", "bl", "iz", "y", "ational", "tional", "enci", "anci", "izer",
    "bli", "alli", "entli", "eli", "ousli", "ization", "ation", "ator", "alism", "iveness", "fulness", "ousness",
    "aliti", "iviti", "biliti", "logi", "icate", "ative", "alize", "iciti", "ical", "ful", "ness", "al", "ance",
    "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ou", "ism", "ate", "iti", "ous", "ive",
    "ize", "sion", "tion", "e", "ll", "bility", "ency", "ancy", "ying", "ating", "izing", "ly",
]
STEMS = ["hop", "condit", "relat", "gener", "fund", "y", "yell", "a", "ab", "bb", "oper", "bil", "tt", "sens", "wind"]


def test_a_stem_differs_from_its_word_only_in_its_last_letters():
    # What search.snippets.word_matches relies on to look only at words beginning like a term.
    from search.snippets import STEM_SLACK

    for stem in STEMS:
        for first in PORTER_SUFFIXES:
            for second in ["", *PORTER_SUFFIXES]:
                for word in (stem + first + second, (stem + first + second).title()):
                    form = index_form(word)
                    if form:
                        assert word.lower().startswith(form[: len(form) - STEM_SLACK]), (word, form)


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(
        st.one_of(
            st.builds(lambda stem, suffix, case: case(stem + suffix),
                      st.sampled_from([*STEMS, "geotherm", "energ"]), st.sampled_from(PORTER_SUFFIXES),
                      st.sampled_from([str.lower, str.title, str.upper, str.swapcase])),
            st.sampled_from(["Géothermal", "geothermál", "İnergy", "ﬁnd", "Kelvin\u212a", "windов", "Токаев", "x_wind",
                             "wind2", "2wind", "éwind", "wínd", "Wind", "ENERGY", "energy"]),
        ),
        max_size=25,
    ),
    separators=st.lists(st.sampled_from([" ", "-", ", ", "'", "_", "—", "\n\n", "«", "."]), min_size=1),
    picked=st.lists(st.sampled_from(["geothermal", "energy", "winding", "hopefully", "relational", "conditioned",
                                     "generalization", "fundability", "sensibility", "windов", "yellow", "operation"]),
                    min_size=1, max_size=3),
)
def test_stemmed_words_in_any_case_and_script_are_found_as_word_by_word(words, separators, picked):
    text = "".join(word + separators[i % len(separators)] for i, word in enumerate(words))
    terms = {index_form(w) for w in picked} - {None}
    assert matches(text, terms) == reference(text, terms), (text, terms)

def test_the_sentence_naming_an_entity_is_found_in_any_paragraph_with_every_name_marked():
    from search.snippets import sentence_snippet

    opening = "\n".join(f"Paragraph {n} is about the grid. It names nobody." for n in range(40))
    text = opening + "\nA quiet line.\nThen Bado Solar Agency met BSA staff in Shymkent. Later it rained.\nBSA left."
    found = sentence_snippet(text, ["Bado Solar Agency", "BSA"])
    assert found == "Then <mark>Bado Solar Agency</mark> met <mark>BSA</mark> staff in Shymkent."
    assert sentence_snippet("First line.\nBSA opened.\nBado Solar Agency closed.", ["Bado Solar Agency", "BSA"]) \
        == "<mark>BSA</mark> opened."
    assert sentence_snippet(opening, ["Bado Solar Agency"]) == ""
