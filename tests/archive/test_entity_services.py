"""Suggestions (accept, reject, merge), entity merges, and re-tagging after names change."""

import pytest
from django.contrib.auth import get_user_model

from archive.models import Alias, Entity, EntityKind, EntitySuggestion, Job, Mention, MentionOrigin, SuggestionStatus
from archive.services import (
    accept_suggestion,
    merge_entities,
    merge_suggestion,
    reject_suggestion,
    retag_entity,
    tag_articles,
)
from search.query import parse_query
from search.service import run_search
from tests.factories import make_article, make_entity

pytestmark = pytest.mark.django_db


def search_ids(q: str) -> set[int]:
    return {hit.article.id for hit in run_search(parse_query(q)).hits}


@pytest.fixture
def news():
    return [
        make_article("Bank lends", "The Eurasian Development Bank will lend money to the grid operator."),
        make_article("Bank again", "The Eurasian Development Bank approved a second loan."),
        make_article("Other", "Nothing new here."),
    ]


def test_tagging_collects_suggestions_with_counts_and_examples(news):
    tag_articles(articles=news)
    suggestion = EntitySuggestion.objects.get(name="Eurasian Development Bank")
    assert suggestion.kind == EntityKind.ORGANISATION and suggestion.strong
    assert suggestion.article_count == 2
    assert sorted(suggestion.article_ids) == sorted([news[0].id, news[1].id])
    assert suggestion.examples[0]["sentence"].startswith("The Eurasian Development Bank")
    # Tagging again does not count the same articles twice.
    tag_articles(articles=news)
    assert EntitySuggestion.objects.get(name="Eurasian Development Bank").article_count == 2


def test_tagging_again_writes_only_the_suggestions_it_changes(news):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tag_articles(articles=news)
    with CaptureQueriesContext(connection) as queries:
        tag_articles(articles=news)
    assert not [q for q in queries.captured_queries if q["sql"].startswith('UPDATE "archive_entitysuggestion"')]
    # A new article naming it is counted, and its sentence becomes an example.
    third = make_article("Bank third", "Bankers said the Eurasian Development Bank may lend more in spring.")
    tag_articles(articles=[third])
    suggestion = EntitySuggestion.objects.get(name="Eurasian Development Bank")
    assert suggestion.article_count == 3 and third.id in suggestion.article_ids
    assert any(example["article"] == third.id for example in suggestion.examples)


def test_the_short_and_the_long_form_of_a_name_make_one_suggestion():
    articles = [
        make_article("Tanker", "Officials said McDonnell Douglas Corp won the contract to modify refuelling aircraft."),
        make_article("Tanker deal", "The contract for McDonnell Douglas was the largest this year, officials said."),
        make_article("Banks", "The Royal Bank of Canada said the Bank of Canada would hold its rates this month."),
    ]
    tag_articles(articles=articles)
    names = set(EntitySuggestion.objects.undecided().values_list("name", flat=True))
    assert "McDonnell Douglas" not in names
    suggestion = EntitySuggestion.objects.get(name="McDonnell Douglas Corp")
    assert suggestion.kind == EntityKind.ORGANISATION and suggestion.article_count == 2
    # More words before a name than titles make another name: two suggestions.
    assert {"Royal Bank of Canada", "Bank of Canada"} <= names


def test_known_names_are_not_suggested(news):
    make_entity("Eurasian Development Bank", aliases=["EDB"])
    tag_articles(articles=news)
    assert not EntitySuggestion.objects.filter(name="Eurasian Development Bank").exists()


def test_accepting_a_suggestion_creates_the_entity_and_tags_its_articles(news, django_capture_on_commit_callbacks):
    from search.index import create_index

    create_index()
    tag_articles(articles=news)
    suggestion = EntitySuggestion.objects.get(name="Eurasian Development Bank")
    with django_capture_on_commit_callbacks(execute=True):
        entity = accept_suggestion(suggestion=suggestion)
    assert entity.kind == EntityKind.ORGANISATION
    assert set(entity.mentions.values_list("article_id", flat=True)) == {news[0].id, news[1].id}
    assert EntitySuggestion.objects.get(pk=suggestion.pk).status == SuggestionStatus.ACCEPTED
    assert search_ids('org:"eurasian development bank"') == {news[0].id, news[1].id}


def test_a_rejected_name_is_never_suggested_again(news):
    tag_articles(articles=news)
    suggestion = EntitySuggestion.objects.get(name="Eurasian Development Bank")
    reject_suggestion(suggestion=suggestion)
    more = make_article("Third", "The Eurasian Development Bank opened an office.")
    tag_articles(articles=[more])
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.REJECTED
    assert more.id not in suggestion.article_ids
    assert EntitySuggestion.objects.undecided().filter(name="Eurasian Development Bank").count() == 0


def test_merging_a_suggestion_adds_an_alias_and_tags(news):
    tag_articles(articles=news)
    edb = make_entity("EDB")
    merge_suggestion(suggestion=EntitySuggestion.objects.get(name="Eurasian Development Bank"), into=edb)
    assert list(edb.aliases.values_list("name", flat=True)) == ["Eurasian Development Bank"]
    assert edb.mentions.count() == 2


def test_merge_entities_moves_mentions_and_keeps_every_name():
    keep = make_entity("Kassym-Jomart Tokayev", kind=EntityKind.PERSON, aliases=["Tokayev"], description="")
    dup = make_entity("K. Tokaev", kind=EntityKind.PERSON, aliases=["Токаев"], description="President.",
                      external_id="Q123")
    both = make_article("Both", "Tokayev spoke. Токаев спросил.")
    only_dup = make_article("Dup only", "Токаев спросил.")
    Mention.objects.create(article=both, entity=keep, count=1, origin=MentionOrigin.AUTOMATIC)
    Mention.objects.create(article=both, entity=dup, count=1, origin=MentionOrigin.EDITOR)
    Mention.objects.create(article=only_dup, entity=dup, count=1, origin=MentionOrigin.AUTOMATIC)
    merge_entities(keep=keep, duplicates=[dup])
    assert not Entity.objects.filter(pk=dup.pk).exists()
    keep.refresh_from_db()
    assert sorted(keep.aliases.values_list("name", flat=True)) == ["K. Tokaev", "Tokayev", "Токаев"]
    assert keep.description == "President." and keep.external_id == "Q123"
    merged = Mention.objects.get(article=both, entity=keep)
    assert merged.count == 2 and merged.origin == MentionOrigin.EDITOR  # the editor's choice is kept
    assert Mention.objects.filter(article=only_dup, entity=keep).exists()


def test_an_alias_change_re_tags_and_reaches_search(reindex, django_capture_on_commit_callbacks):
    samruk = make_entity("Samruk-Kazyna", kind=EntityKind.ORGANISATION)
    article = make_article("Fund news", "Самрук-Казына invested in a wind farm.")
    tag_articles(articles=[article])
    reindex()
    assert search_ids("org:samruk") == set()
    with django_capture_on_commit_callbacks(execute=True):
        Alias.objects.create(entity=samruk, name="Самрук-Казына")
        retag_entity(entity=samruk)
    assert samruk.mentions.get().article_id == article.id
    assert search_ids("org:samruk") == {article.id}
    # Removing the alias takes the automatic mention away again.
    with django_capture_on_commit_callbacks(execute=True):
        samruk.aliases.all().delete()
        retag_entity(entity=samruk)
    assert not samruk.mentions.exists()
    assert search_ids("org:samruk") == set()


def test_admin_alias_edit_re_tags_the_articles(client, news):
    user = get_user_model().objects.create_superuser("editor", "", "pw-for-tests-only")
    client.force_login(user)
    edb = make_entity("EDB")
    url = f"/admin/archive/entity/{edb.pk}/change/"
    data = {
        "kind": edb.kind, "name": edb.name, "slug": edb.slug, "description": "", "external_id": "",
        "aliases-TOTAL_FORMS": "1", "aliases-INITIAL_FORMS": "0", "aliases-MIN_NUM_FORMS": "0",
        "aliases-MAX_NUM_FORMS": "1000", "aliases-0-name": "Eurasian Development Bank", "aliases-0-entity": edb.pk,
    }
    response = client.post(url, data, follow=True)
    # The request only queues the re-tagging (the tests' immediate backend runs it at once).
    assert "Names changed. Re-tag articles naming “EDB” runs in the background" in response.content.decode()
    assert Job.objects.get(name="retag_entity").result == {"articles": 2}
    assert list(edb.aliases.values_list("name", flat=True)) == ["Eurasian Development Bank"]
    assert set(edb.mentions.values_list("article_id", flat=True)) == {news[0].id, news[1].id}


def test_admin_merge_action_asks_which_to_keep_then_merges(client):
    user = get_user_model().objects.create_superuser("editor", "", "pw-for-tests-only")
    client.force_login(user)
    a, b = make_entity("Goldwind"), make_entity("Xinjiang Goldwind")
    article = make_article("Turbines", "Goldwind and Xinjiang Goldwind are one company.", mentions=[b])
    url = "/admin/archive/entity/"
    page = client.post(url, {"action": "merge_selected", "_selected_action": [a.pk, b.pk]})
    assert page.status_code == 200 and "Choose the entity to keep" in page.content.decode()
    done = client.post(
        url, {"action": "merge_selected", "_selected_action": [a.pk, b.pk], "keep": a.pk, "confirm": "yes"}
    )
    assert done.status_code == 302
    assert list(Entity.objects.values_list("name", flat=True)) == ["Goldwind"]
    assert a.aliases.get().name == "Xinjiang Goldwind"
    assert Mention.objects.get(article=article).entity_id == a.pk


def test_admin_suggestion_actions(client, news):
    user = get_user_model().objects.create_superuser("editor", "", "pw-for-tests-only")
    client.force_login(user)
    tag_articles(articles=news)
    suggestion = EntitySuggestion.objects.get(name="Eurasian Development Bank")
    # Seen in two articles: watched, not yet in the queue it opens on, and accepted from the watch list.
    assert "Eurasian Development Bank" not in client.get("/admin/archive/entitysuggestion/").content.decode()
    listing = client.get("/admin/archive/entitysuggestion/?queue=watching")
    assert "Eurasian Development Bank" in listing.content.decode()
    client.post("/admin/archive/entitysuggestion/?queue=watching",
                {"action": "accept", "_selected_action": [suggestion.pk]})
    assert Entity.objects.filter(name="Eurasian Development Bank").exists()


def test_suggestions_whose_names_became_entities_are_pruned(news):
    from archive.services import prune_suggestions

    tag_articles(articles=news)
    make_entity("Eurasian Development Bank")
    assert prune_suggestions() >= 1
    assert not EntitySuggestion.objects.filter(name="Eurasian Development Bank").exists()


def test_admin_merges_a_suggestion_into_the_entity_an_editor_chose(client, news):
    user = get_user_model().objects.create_superuser("editor", "", "pw-for-tests-only")
    client.force_login(user)
    tag_articles(articles=news)
    suggestion = EntitySuggestion.objects.get(name="Eurasian Development Bank")
    edb = make_entity("EDB")
    url = "/admin/archive/entitysuggestion/?queue=watching"
    # Without a chosen entity the editor is told what to do, and nothing changes.
    response = client.post(url, {"action": "merge_into_target", "_selected_action": [suggestion.pk]}, follow=True)
    assert "no entity chosen" in response.content.decode()
    assert EntitySuggestion.objects.get(pk=suggestion.pk).status == SuggestionStatus.WATCHING
    suggestion.target = edb
    suggestion.save()
    client.post(url, {"action": "merge_into_target", "_selected_action": [suggestion.pk]})
    assert EntitySuggestion.objects.get(pk=suggestion.pk).status == SuggestionStatus.MERGED
    assert list(edb.aliases.values_list("name", flat=True)) == ["Eurasian Development Bank"]
    assert edb.mentions.count() == 2


def test_a_name_seen_once_is_watched_and_opens_once_seen_in_enough_articles():
    from archive.discovery import MIN_ARTICLES_FOR_REVIEW

    first = make_article("Steppe notes", "Yesterday Marat Zhumabekov toured the site near Taraz.")
    tag_articles(articles=[first])
    suggestion = EntitySuggestion.objects.get(name="Marat Zhumabekov")
    assert suggestion.status == SuggestionStatus.WATCHING
    assert not EntitySuggestion.objects.open().filter(pk=suggestion.pk).exists()
    more = [make_article(f"Notes {n}", f"The workers met Marat Zhumabekov during shift {n}.")
            for n in range(MIN_ARTICLES_FOR_REVIEW - 1)]
    tag_articles(articles=more)
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.NEW and suggestion.article_count == MIN_ARTICLES_FOR_REVIEW
    assert EntitySuggestion.objects.open().filter(pk=suggestion.pk).exists()


def test_a_name_introduced_by_a_title_is_a_person_but_also_waits_for_enough_articles():
    # On wire collections most officials and companies named once are never named again (issue 11).
    tag_articles(articles=[make_article("Visit", "Minister Aigerim Sadykova opened the plant.")])
    suggestion = EntitySuggestion.objects.get(name="Aigerim Sadykova")
    assert suggestion.kind == EntityKind.PERSON and suggestion.strong
    assert suggestion.status == SuggestionStatus.WATCHING


def test_a_name_takes_the_kind_most_of_its_articles_give_it():
    articles = [
        make_article("One", "Workers at the plant in Port Talbot voted to strike over the closure plans."),
        make_article("Two", "The union said Port Talbot Holdings had not replied to its letter."),
        make_article("Three", "Protesters marched through the centre of Port Talbot on Saturday, police said."),
        make_article("Four", "The furnaces in Port Talbot will close next year, the company said."),
    ]
    tag_articles(articles=articles)
    assert EntitySuggestion.objects.get(name="Port Talbot").kind == EntityKind.PLACE


def test_mr_and_a_surname_join_the_person_named_in_full():
    tag_articles(articles=[
        make_article("Trade", "Trade Representative Martin Gale said tariffs would take effect in April."),
        make_article("Tariffs", "Mr. Gale said the tariffs would be lifted when the pact was honoured."),
    ])
    names = set(EntitySuggestion.objects.values_list("name", flat=True))
    assert "Martin Gale" in names and "Gale" not in names
    assert EntitySuggestion.objects.get(name="Martin Gale").article_count == 2
