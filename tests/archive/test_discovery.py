"""Finding new names: each rule with a sentence that must give a suggestion and one that must not."""

import pytest

from archive.discovery import find_candidates
from archive.models import EntityKind


def names(text: str) -> dict[str, str]:
    return {c.name: c.kind for c in find_candidates(text)}


@pytest.mark.parametrize(
    ("sentence", "name", "kind"),
    [
        ("On Monday President Kassym-Jomart Tokayev opened the session.", "Kassym-Jomart Tokayev", "person"),
        ("The deal was signed by CEO Li Wei in Beijing.", "Li Wei", "person"),
        ("Chairman Almasadam Satkaliyev's plan was approved.", "Almasadam Satkaliyev", "person"),
        ("Loans came from the China Development Bank last year.", "China Development Bank", "organisation"),
        ("Shares of Samruk Energy Group rose.", "Samruk Energy Group", "organisation"),
        ("The Ministry of Energy said prices would rise.", "Ministry of Energy", "organisation"),
        ("The Kazakh Energy Ministry said prices would rise.", "Kazakh Energy Ministry", "organisation"),
        ("China's Ministry of Commerce agreed.", "Ministry of Commerce", "organisation"),
        ("Officials at Lake Balkhash welcomed the news.", "Lake Balkhash", "other"),
    ],
)
def test_sentences_that_must_give_a_suggestion(sentence, name, kind):
    found = names(sentence)
    assert found.get(name) == kind, found


@pytest.mark.parametrize(
    ("sentence", "not_name"),
    [
        ("The president spoke about energy.", "president"),  # a title without a name
        ("Kazakhstan and China signed a deal.", "Kazakhstan and China"),  # two names, not one
        ("In March the forum opened.", "In March"),  # capitals at a sentence start
        ("Wind power grew.", "Wind"),  # one capitalised word is not a name
    ],
)
def test_sentences_that_must_not(sentence, not_name):
    assert not_name not in names(sentence)


def test_each_suggestion_keeps_the_sentence_it_came_from():
    text = "Wind grew. The Ministry of Energy said prices would rise. Other news followed."
    (candidate,) = [c for c in find_candidates(text) if c.kind == EntityKind.ORGANISATION]
    assert candidate.sentence == "The Ministry of Energy said prices would rise."


def test_the_tail_of_a_longer_name_is_not_a_name_of_its_own():
    assert "Road Initiative" not in names("Both joined the Belt and Road Initiative in 2013.")
