import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from archive.models import Article, Entity, EntityKind, Mention, MentionOrigin
from archive.services import tag_articles
from tests.factories import make_article, make_entity, make_source

pytestmark = pytest.mark.django_db


def test_article_gets_a_unique_slug_and_fingerprint():
    first = make_article(title="Wind farm opens", body="One text.")
    second = make_article(title="Wind farm opens", body="Another text.")
    assert first.slug == "wind-farm-opens"
    assert second.slug == "wind-farm-opens-2"
    assert len(first.fingerprint) == 64 and first.fingerprint != second.fingerprint


def test_the_same_body_cannot_be_stored_twice():
    make_article(body="Kazakhstan and China signed a deal.")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(body="kazakhstan and  CHINA signed a deal.")


def test_two_articles_cannot_share_a_url_but_many_can_have_none():
    make_article(url="https://a.example/1")
    make_article(url="")
    make_article(url="")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(url="https://a.example/1")


def test_entity_names_are_unique_per_kind_ignoring_case():
    make_entity("Astana", kind=EntityKind.PLACE)
    make_entity("Astana", kind=EntityKind.ORGANISATION)  # a football club, say
    with pytest.raises(IntegrityError), transaction.atomic():
        make_entity("ASTANA", kind=EntityKind.PLACE)


def test_entity_with_a_name_in_another_script_still_gets_a_slug():
    entity = make_entity("国家电投")
    assert entity.slug and entity.get_absolute_url().endswith(f"/{entity.slug}/")


def test_body_blocks_keep_paragraphs_and_subheadings():
    article = make_article(body="First paragraph.\n\n## Next steps\n\nSecond   paragraph\nwrapped.")
    assert [(b.kind, b.text) for b in article.blocks()] == [
        ("paragraph", "First paragraph."),
        ("heading", "Next steps"),
        ("paragraph", "Second paragraph wrapped."),
    ]
    assert article.summary == "First paragraph."


def test_querysets_chain():
    wind = make_entity("Goldwind")
    make_article(published=dt.date(2020, 1, 5), mentions=[wind], title="Old")
    make_article(published=dt.date(2023, 6, 1), mentions=[wind], title="New")
    make_article(published=dt.date(2023, 7, 1), title="Unrelated")
    titles = list(
        Article.objects.mentioning(wind).in_period(dt.date(2021, 1, 1), None).values_list("title", flat=True)
    )
    assert titles == ["New"]
    assert [a.title for a in Article.objects.newest_first()] == ["Unrelated", "New", "Old"]
    assert list(Entity.objects.most_mentioned().values_list("name", "article_count")) == [("Goldwind", 2)]


def test_retagging_keeps_mentions_an_editor_added():
    astana = make_entity("Astana", kind=EntityKind.PLACE, aliases=["Астана"])
    editor_pick = make_entity("Astana International Forum", kind=EntityKind.EVENT)
    article = make_article(body="Delegates met in Astana. Астана was cold.", mentions=[editor_pick])
    tag_articles(articles=[article])
    mentions = {m.entity.name: (m.count, m.origin) for m in Mention.objects.filter(article=article)}
    assert mentions == {
        "Astana": (2, MentionOrigin.AUTOMATIC),
        "Astana International Forum": (1, MentionOrigin.EDITOR),
    }
    article.body = "Delegates met elsewhere."
    article.save()
    tag_articles(articles=[article])
    assert list(article.mentions.values_list("entity__name", flat=True)) == ["Astana International Forum"]
    assert astana.mentions.count() == 0


def test_source_slug_and_url():
    source = make_source("Caspian Wire")
    assert source.get_absolute_url() == "/sources/caspian-wire/"
