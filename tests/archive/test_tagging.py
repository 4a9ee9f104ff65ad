"""The gazetteer matcher: each rule with a sentence that must match and one that must not."""

import pytest

from archive.tagging import Gazetteer

SPIC, STATE_POWER, TOKAYEV, SANY, KAZAKHSTAN, CHINA, ALMATY = range(1, 8)


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer(
        [
            (SPIC, "State Power Investment Corporation"),
            (SPIC, "SPIC"),
            (STATE_POWER, "State Power"),
            (TOKAYEV, "Kassym-Jomart Tokayev"),
            (TOKAYEV, "Tokayev"),
            (TOKAYEV, "Токаев"),
            (SANY, "Sany"),
            (KAZAKHSTAN, "Kazakhstan"),
            (CHINA, "China"),
            (ALMATY, "Almaty"),
        ]
    )


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Tokayev's visit ended on Friday.", {TOKAYEV: 1}),
        ("The Kazakhstan-China pipeline is full.", {KAZAKHSTAN: 1, CHINA: 1}),
        ("State Power Investment Corporation signed.", {SPIC: 1}),
        ("SPIC and State Power Investment Corporation are one company.", {SPIC: 2}),
        ("The State Power plant closed.", {STATE_POWER: 1}),
        ("KAZAKHSTAN and kazakhstan count alike.", {KAZAKHSTAN: 2}),
        ("Президент Токаев выступил.", {TOKAYEV: 1}),
        ("ТОКАЕВ in capitals.", {TOKAYEV: 1}),
        ("Álmaty with an accent.", {ALMATY: 1}),
        ("Sany builds cranes.", {SANY: 1}),
        ("Kassym-Jomart Tokayev spoke; Tokayev later left.", {TOKAYEV: 2}),
    ],
)
def test_sentences_that_must_match(gazetteer, sentence, expected):
    assert dict(gazetteer.find(sentence)) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "Sanyo sold televisions.",  # word boundary
        "The spic and span kitchen.",  # acronyms only in capitals
        "Chinatown was busy.",
        "Tokayevs is not a word here.",
    ],
)
def test_sentences_that_must_not_match(gazetteer, sentence):
    assert dict(gazetteer.find(sentence)) == {}


def test_empty_gazetteer_finds_nothing():
    assert dict(Gazetteer([]).find("Kazakhstan")) == {}
