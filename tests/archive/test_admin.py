"""The admin, as an editor uses it: lists, search, filters, editing articles and their mentions."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.contrib.messages import get_messages

from archive.models import Article, EntityKind, Job, JobStatus, Mention, MentionOrigin
from tests.factories import make_article, make_entity, make_source, make_tag

pytestmark = pytest.mark.django_db

ARTICLES = "/admin/archive/article/"


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_superuser(username="editor", email="", password="not-used")
    client.force_login(user)
    return client


def change_form_data(response) -> dict:
    """What the browser would send back for an admin change form left as it is."""
    data = {"_save": "Save"}

    def add(form) -> None:
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None:
                if not isinstance(form.fields[name], forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
                    data[key] = ""
            elif isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(getattr(item, "pk", item)) for item in value]
            elif isinstance(value, dt.date):
                data[key] = value.isoformat()
            else:
                data[key] = str(getattr(value, "pk", value))

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def change_url(article: Article) -> str:
    return f"{ARTICLES}{article.pk}/change/"


def listed(response) -> set[str]:
    assert response.status_code == 200
    return {str(obj) for obj in response.context["cl"].result_list}


# Access


def test_admin_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get(ARTICLES)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert "next=/admin/archive/article/" in response["Location"]


def test_admin_refuses_a_signed_in_user_who_is_not_staff(client, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="reader", password="not-used"))
    response = client.get(ARTICLES)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# Change lists, search and filters


@pytest.fixture
def archive():
    kazinform = make_source("Kazinform")
    xinhua = make_source("Xinhua")
    wind = make_tag("Wind power")
    tokayev = make_entity("Kassym-Jomart Tokayev", kind=EntityKind.PERSON, aliases=["Токаев"])
    goldwind = make_entity("Goldwind", kind=EntityKind.ORGANISATION)
    make_article(
        "Zhanatas turbines online", body="New turbines turn in Zhanatas.", published="2021-02-16",
        source=kazinform, tags=[wind], mentions=[tokayev, goldwind], dateline="ZHANATAS",
    )
    make_article("Coal in Ekibastuz", body="Coal still fires Ekibastuz.", published="2023-10-20", source=xinhua)
    make_article("Визит в Пекин", body="Токаев прибыл в Пекин.", published="2019-09-12", language="ru")
    return {"kazinform": kazinform, "xinhua": xinhua, "wind": wind, "tokayev": tokayev, "goldwind": goldwind}


def test_admin_index_lists_the_archive_models(editor):
    response = editor.get("/admin/")
    assert response.status_code == 200
    for path in ["/admin/archive/article/", "/admin/archive/entity/", "/admin/archive/source/", "/admin/archive/tag/"]:
        assert path.encode() in response.content


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (ARTICLES, {"Zhanatas turbines online", "Coal in Ekibastuz", "Визит в Пекин"}),
        (f"{ARTICLES}?q=turbines", {"Zhanatas turbines online"}),
        (f"{ARTICLES}?q=ZHANATAS", {"Zhanatas turbines online"}),
        (f"{ARTICLES}?q=Пекин", {"Визит в Пекин"}),
        (f"{ARTICLES}?language=ru", {"Визит в Пекин"}),
        (f"{ARTICLES}?published__year=2023", {"Coal in Ekibastuz"}),
        (f"{ARTICLES}?published__year=2021&published__month=2", {"Zhanatas turbines online"}),
        (f"{ARTICLES}?published__gte=2021-01-01&published__lt=2022-01-01", {"Zhanatas turbines online"}),
        (f"{ARTICLES}?source__isnull=True", {"Визит в Пекин"}),
        ("/admin/archive/entity/", {"Kassym-Jomart Tokayev", "Goldwind"}),
        ("/admin/archive/entity/?q=Токаев", {"Kassym-Jomart Tokayev"}),
        ("/admin/archive/entity/?kind__exact=organisation", {"Goldwind"}),
        ("/admin/archive/entity/?kind__exact=place", set()),
        ("/admin/archive/source/", {"Kazinform", "Xinhua"}),
        ("/admin/archive/source/?q=xin", {"Xinhua"}),
        ("/admin/archive/tag/", {"Wind power"}),
        ("/admin/archive/tag/?q=wind", {"Wind power"}),
        ("/admin/archive/tag/?q=solar", set()),
    ],
)
def test_change_lists_load_and_search_and_filter(editor, archive, url, expected):
    assert listed(editor.get(url)) == expected


def test_article_list_filters_by_source_and_tag(editor, archive):
    assert listed(editor.get(f"{ARTICLES}?source__id__exact={archive['xinhua'].pk}")) == {"Coal in Ekibastuz"}
    assert listed(editor.get(f"{ARTICLES}?tags__id__exact={archive['wind'].pk}")) == {"Zhanatas turbines online"}


def test_article_list_shows_how_many_entities_each_article_mentions(editor, archive):
    response = editor.get(f"{ARTICLES}?q=turbines")
    (article,) = response.context["cl"].result_list
    assert article.n_mentions == 2
    assert b'<td class="field-mention_count">2</td>' in response.content


def test_entity_list_shows_aliases_and_article_counts(editor, archive):
    response = editor.get("/admin/archive/entity/?q=Tokayev")
    content = response.content.decode()
    assert '<td class="field-alias_list">Токаев</td>' in content
    assert '<td class="field-article_count">1</td>' in content


AUTOCOMPLETE = "/admin/autocomplete/?app_label=archive&model_name={model}&field_name={field}&term={term}"


def autocomplete(client, term: str, model: str = "mention", field: str = "entity") -> list[str]:
    response = client.get(AUTOCOMPLETE.format(model=model, field=field, term=term))
    assert response.status_code == 200
    return [item["text"] for item in response.json()["results"]]


def test_entity_autocomplete_finds_entities_by_name_and_alias(editor, archive):
    response = editor.get(AUTOCOMPLETE.format(model="mention", field="entity", term="tokay"))
    assert response.json()["results"] == [{"id": str(archive["tokayev"].pk), "text": "Kassym-Jomart Tokayev"}]
    assert autocomplete(editor, "Токаев") == ["Kassym-Jomart Tokayev"]
    assert autocomplete(editor, "nothing-like-this") == []


def test_entity_autocomplete_suggests_names_a_to_z(editor):
    for name in ["Zhanatas Wind Farm", "Almaty", "Mirny Wind Farm", "Burnoye Solar"]:
        make_entity(name, kind=EntityKind.PROJECT)
    assert autocomplete(editor, "") == ["Almaty", "Burnoye Solar", "Mirny Wind Farm", "Zhanatas Wind Farm"]
    assert autocomplete(editor, "wind") == ["Mirny Wind Farm", "Zhanatas Wind Farm"]


@pytest.mark.parametrize(
    ("field", "make", "names"),
    [
        ("source", make_source, ["Xinhua", "Kazinform", "Astana Times"]),
        ("tags", make_tag, ["Wind power", "Coal", "Bilateral relations"]),
    ],
)
def test_article_form_autocomplete_suggests_sources_and_tags_a_to_z(editor, field, make, names):
    for name in names:
        make(name)
    assert autocomplete(editor, "", model="article", field=field) == sorted(names)
    assert autocomplete(editor, names[0][:3].lower(), model="article", field=field) == [names[0]]


def test_entity_autocomplete_is_not_open_to_anonymous_visitors(client, archive):
    url = "/admin/autocomplete/?app_label=archive&model_name=mention&field_name=entity&term=tok"
    response = client.get(url)
    assert response.status_code == 302
    assert "Tokayev" not in response.content.decode()


# Editing articles


def test_article_edited_in_the_admin_shows_the_change_on_the_public_page_at_once(editor, client):
    tokayev = make_entity("Kassym-Jomart Tokayev", kind=EntityKind.PERSON)
    article = make_article(
        "Draft headline", body="Draft body text.", source=make_source("Kazinform"), mentions=[tokayev]
    )
    assert b"Draft headline" in client.get(article.get_absolute_url()).content

    form = editor.get(change_url(article))
    assert form.status_code == 200
    data = change_form_data(form)
    assert data["mentions-TOTAL_FORMS"] == "1"
    data["title"] = "Corrected headline"
    data["body"] = "Corrected first paragraph.\n\n## A new section\n\nCorrected second paragraph."
    response = editor.post(change_url(article), data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Corrected headline" in page
    assert "<p>Corrected first paragraph.</p>" in page
    assert "<h2>A new section</h2>" in page
    assert "Draft headline" not in page and "Draft body text." not in page
    assert list(Mention.objects.filter(article=article).values_list("entity__name", flat=True)) == [
        "Kassym-Jomart Tokayev"
    ]


def test_mention_added_in_the_admin_is_stored_as_the_editors(editor):
    tokayev = make_entity("Kassym-Jomart Tokayev", kind=EntityKind.PERSON)
    goldwind = make_entity("Goldwind", kind=EntityKind.ORGANISATION)
    article = make_article(body="Goldwind builds turbines.")
    Mention.objects.create(article=article, entity=goldwind, count=1, origin=MentionOrigin.AUTOMATIC)

    data = change_form_data(editor.get(change_url(article)))
    data.update(
        {
            "mentions-TOTAL_FORMS": "2",
            "mentions-1-entity": str(tokayev.pk),
            "mentions-1-count": "3",
            "mentions-1-origin": MentionOrigin.AUTOMATIC,  # whatever the form says, an editor added it
            "mentions-1-article": str(article.pk),
        }
    )
    response = editor.post(change_url(article), data)

    assert response.status_code == 302
    mentions = {m.entity.name: (m.count, m.origin) for m in Mention.objects.filter(article=article)}
    assert mentions == {
        "Kassym-Jomart Tokayev": (3, MentionOrigin.EDITOR),
        "Goldwind": (1, MentionOrigin.AUTOMATIC),
    }
    assert b"Kassym-Jomart Tokayev" in editor.get(article.get_absolute_url()).content


def test_admin_edit_that_duplicates_another_articles_body_is_refused_and_changes_nothing(editor):
    original = make_article("Original", body="Goldwind opened a turbine plant in Shymkent.")
    other = make_article("Other story", body="Something else entirely.")

    data = change_form_data(editor.get(change_url(other)))
    data["title"] = "Renamed story"
    data["body"] = "GOLDWIND opened a turbine   plant in Shymkent."
    response = editor.post(change_url(other), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "body" in errors
    assert "Another article already has this text" in errors["body"][0]
    assert "Original" in errors["body"][0]
    assert "Another article already has this text" in response.content.decode()
    other.refresh_from_db()
    assert (other.title, other.body) == ("Other story", "Something else entirely.")
    original.refresh_from_db()
    assert original.title == "Original"


def test_saving_an_article_unchanged_is_not_taken_for_a_duplicate_of_itself(editor):
    article = make_article("Steady", body="A body that stays the same.")
    response = editor.post(change_url(article), change_form_data(editor.get(change_url(article))))
    assert response.status_code == 302


def test_article_added_in_the_admin_appears_on_the_public_site(editor, client):
    source = make_source("Kazinform")
    form = editor.get(f"{ARTICLES}add/")
    assert form.status_code == 200
    data = change_form_data(form)
    data.update(
        {
            "title": "Added by hand",
            "slug": "added-by-hand",
            "published": "2025-01-21",
            "source": str(source.pk),
            "language": "en",
            "url": "www.inform.kz/added",
            "body": "A story typed into the admin.",
        }
    )
    response = editor.post(f"{ARTICLES}add/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    article = Article.objects.get(slug="added-by-hand")
    assert article.url == "https://www.inform.kz/added"  # typed without a scheme: taken as https
    page = client.get("/").content.decode()
    assert "Added by hand" in page


def test_retag_action_tags_the_selected_articles_only(editor):
    goldwind = make_entity("Goldwind", kind=EntityKind.ORGANISATION)
    astana = make_entity("Astana", kind=EntityKind.PLACE, aliases=["Астана"])
    first = make_article(body="Goldwind opened an office in Астана. Goldwind hires.")
    second = make_article(body="Goldwind signed a contract.")
    not_selected = make_article(body="Goldwind again, but nobody asked.")

    response = editor.post(ARTICLES, {"action": "retag_selected", "_selected_action": [first.pk, second.pk]})

    assert response.status_code == 302
    # The work is a background job (run at once by the tests' immediate backend); the message links to it.
    job = Job.objects.get(name="retag_articles")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f'Re-tag 2 articles runs in the background: <a href="/admin/archive/job/{job.pk}/change/">follow job'
        f" #{job.pk}</a>."
    ]
    assert job.status == JobStatus.SUCCEEDED and job.result == {"articles": 2}

    def mentions(article):
        return {(m.entity_id, m.count, m.origin) for m in Mention.objects.filter(article=article)}

    auto = MentionOrigin.AUTOMATIC
    assert mentions(first) == {(goldwind.pk, 2, auto), (astana.pk, 1, auto)}
    assert mentions(second) == {(goldwind.pk, 1, auto)}
    assert mentions(not_selected) == set()


# The suggestion queue (issue 11)

SUGGESTIONS = "/admin/archive/entitysuggestion/"


def _suggestion(name, **fields):
    from archive.models import EntitySuggestion

    fields.setdefault("examples", [{"article": 1, "sentence": f"A sentence naming {name} <b>here</b>."}])
    return EntitySuggestion.objects.create(name=name, **fields)


def test_the_queue_opens_on_what_is_still_to_review(editor):
    from archive.models import SuggestionStatus

    _suggestion("Samruk Energy Group", strong=True, article_count=1)
    _suggestion("Lake Balkhash", article_count=4)
    _suggestion("Seen Once Name", article_count=1, status=SuggestionStatus.WATCHING)
    _suggestion("Accepted Name", strong=True, status=SuggestionStatus.ACCEPTED)
    _suggestion("Rejected Name", strong=True, status=SuggestionStatus.REJECTED)
    page = editor.get(SUGGESTIONS).content.decode()
    assert ">Samruk Energy Group<" in page and ">Lake Balkhash<" in page
    for name in ("Seen Once Name", "Accepted Name", "Rejected Name"):
        assert f">{name}<" not in page
    # The example is inline, escaped.
    assert "A sentence naming Lake Balkhash &lt;b&gt;here&lt;/b&gt;." in page
    decided = editor.get(SUGGESTIONS, {"queue": "rejected"}).content.decode()
    assert ">Rejected Name<" in decided and ">Lake Balkhash<" not in decided
    watched = editor.get(SUGGESTIONS, {"queue": "watching"}).content.decode()
    assert ">Seen Once Name<" in watched and ">Lake Balkhash<" not in watched


def test_accept_as_a_kind_in_one_step_for_several(editor):
    from archive.models import Entity, EntityKind

    a = _suggestion("Aigul Nurlanova", strong=True)
    b = _suggestion("Bolat Akchulakov", strong=True)
    response = editor.post(SUGGESTIONS, {"action": "accept_as_person", "_selected_action": [a.pk, b.pk]})
    assert response.status_code == 302
    assert set(Entity.objects.filter(kind=EntityKind.PERSON).values_list("name", flat=True)) == {
        "Aigul Nurlanova", "Bolat Akchulakov"}
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Accepted 2 suggestions as person."]


def test_an_alias_offer_shows_its_entity_and_merges_in_one_step(editor):
    from archive.models import SuggestionStatus

    tokayev = make_entity("Kassym-Jomart Tokayev", kind=EntityKind.PERSON)
    offer = _suggestion("President Tokayev", strong=True, target=tokayev, kind=EntityKind.PERSON)
    page = editor.get(SUGGESTIONS).content.decode()
    assert "Kassym-Jomart Tokayev</a> (Person)" in page
    response = editor.post(SUGGESTIONS, {"action": "merge_into_target", "_selected_action": [offer.pk]})
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Merged 1 name as aliases."]
    offer.refresh_from_db()
    assert offer.status == SuggestionStatus.MERGED and "President Tokayev" in tokayev.all_names()


@pytest.mark.parametrize(("n", "message"), [(1, "Rejected 1 suggestion."), (2, "Rejected 2 suggestions.")])
def test_messages_count_in_the_right_number(editor, n, message):
    chosen = [_suggestion(f"Junk Name {i}", strong=True).pk for i in range(n)]
    response = editor.post(SUGGESTIONS, {"action": "reject", "_selected_action": chosen})
    assert [str(m) for m in get_messages(response.wsgi_request)] == [message]


def test_merging_two_entities_says_entity_in_the_singular(editor):
    keep, other = make_entity("Samruk-Energy"), make_entity("Samruk Energy")
    response = editor.post("/admin/archive/entity/", {
        "action": "merge_selected", "_selected_action": [keep.pk, other.pk], "keep": keep.pk, "confirm": "yes"})
    # Merging is a background job (run at once by the tests' immediate backend); the message links to it.
    job = Job.objects.get(name="merge_entities")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f'Merge Samruk Energy into “Samruk-Energy” runs in the background: <a href="/admin/archive/job/{job.pk}'
        f'/change/">follow job #{job.pk}</a>.']
    assert job.result == {"articles": 0, "merged": 1}
