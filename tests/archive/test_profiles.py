"""The entity profile: mentions over time, company kept, and the sentence that names it."""

import pytest

from archive.facets import count_facets
from archive.models import Article, EntityKind
from archive.profiles import co_mentioned, mention_sentences, sentence_around
from tests.factories import make_article, make_entity

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    tokayev = make_entity("Kassym-Jomart Tokayev", kind=EntityKind.PERSON, aliases=["Токаев"])
    xi = make_entity("Xi Jinping", kind=EntityKind.PERSON)
    astana = make_entity("Astana", kind=EntityKind.PLACE)
    first = make_article("Visit", "Leaders met. Later Токаев welcomed the guests in Astana. Then dinner.",
                         "2023-05-01", mentions=[tokayev, xi, astana])
    second = make_article("Call", "A phone call took place. Kassym-Jomart Tokayev spoke first.",
                          "2024-02-01", mentions=[tokayev, xi])
    return tokayev, xi, astana, first, second


def test_co_mentioned_entities_are_counted_and_link_to_both(people):
    tokayev, xi, astana, *_ = people
    make_article("Elsewhere", "Only Xi Jinping in Astana.", "2024-03-01", mentions=[xi, astana])
    counts = count_facets(Article.objects.mentioning(tokayev))
    found = [(c.entity.name, c.count) for c in co_mentioned(tokayev, counts)]
    assert found == [("Xi Jinping", 2), ("Astana", 1)]
    assert co_mentioned(tokayev, counts)[0].url == f"/articles/?entity={tokayev.slug}&entity={xi.slug}"


def test_the_sentence_naming_the_entity_by_any_alias(people):
    tokayev, _, _, first, second = people
    sentences = mention_sentences(tokayev, [first, second])
    assert sentences == {
        first.id: "Later Токаев welcomed the guests in Astana.",
        second.id: "Kassym-Jomart Tokayev spoke first.",
    }


def test_long_sentences_are_cut_around_the_name():
    text = "word " * 200 + "Tokayev spoke " + "word " * 200 + "."
    start = text.index("Tokayev")
    sentence = sentence_around(text, start, start + 7)
    assert "Tokayev" in sentence and len(sentence) <= 300 and sentence.startswith("…")


def test_profile_page_shows_timeline_co_mentions_and_sentences(client, people):
    tokayev, *_ = people
    html = client.get(tokayev.get_absolute_url()).content.decode()
    assert "Mentioned in 2 articles" in html
    assert "Often mentioned with" in html and "Xi Jinping" in html
    assert "Later Токаев welcomed the guests in Astana." in html
    assert 'class="timeline__chart"' in html
    assert f'href="/articles/?entity={tokayev.slug}&amp;year=2023&amp;month=5"' in html


def test_a_long_story_that_names_the_entity_late_still_gives_its_sentence(people):
    tokayev, *_ = people
    opening = "\n\n".join(f"Paragraph {n} is about the grid and nothing else at all here." for n in range(60))
    late = make_article("Late", opening + "\n\nAt the very end Kassym-Jomart Tokayev arrived. Then rain.",
                        "2024-04-01", mentions=[tokayev])
    early = make_article("Early", "Токаев opened the session.\n\n" + opening + "\n\nKassym-Jomart Tokayev left.",
                         "2024-04-02", mentions=[tokayev])
    assert len(late.body) > 3000
    sentences = mention_sentences(tokayev, [late, early])
    assert sentences == {late.id: "At the very end Kassym-Jomart Tokayev arrived.",
                         early.id: "Токаев opened the session."}


def test_co_mentions_are_the_top_by_articles_then_by_id(people):
    tokayev, xi, astana, *_ = people
    counts = count_facets(Article.objects.mentioning(tokayev))
    assert [c.entity for c in co_mentioned(tokayev, counts, limit=1)] == [xi]
    assert [c.entity for c in co_mentioned(tokayev, counts, limit=5)] == [xi, astana]
