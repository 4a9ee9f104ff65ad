"""Highlighted snippets: the words marked are exactly those whose index form matched."""

import random

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
