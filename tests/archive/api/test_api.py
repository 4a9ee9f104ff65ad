"""The read API over the models: same filters as the pages, counts, cursor pages, auth, throttling."""

import re
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from rest_framework.authtoken.models import Token
from rest_framework.throttling import AnonRateThrottle

from archive.accounts import assign_role
from archive.filters import ArticleFilter
from archive.models import Article, Entity, EntityKind
from tests.archive.test_filters import FILTER_CASES, ids, world  # noqa: F401 - world is a fixture
from tests.factories import make_article, make_entity, make_source, make_tag

pytestmark = pytest.mark.django_db


def all_pages(api, url: str, **params) -> list[dict]:
    """Follow the cursor links to the end; returns every result."""
    if params:
        url += ("&" if "?" in url else "?") + urlencode(params)
    results, response = [], api.get(url)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        results += body["results"]
        if not body["next"]:
            return results
        response = api.get(body["next"])


@pytest.mark.parametrize(("query", "expected"), FILTER_CASES)
def test_article_list_filters_like_the_pages(api, world, query, expected):  # noqa: F811
    got = {row["id"] for row in all_pages(api, "/api/articles/?" + query, page_size=2)}
    filterset = ArticleFilter(QueryDict(query), queryset=Article.objects.all())
    assert got == set(filterset.qs.values_list("id", flat=True)) == ids(world, *expected)


def test_article_list_is_newest_first_and_cursor_pages_cover_everything_once(api, world):  # noqa: F811
    for n in range(3):
        make_article(f"Undated story {n}", f"A story that carries no date, number {n}.", published=None)
    make_article("Same day as A", "Another story from the day of A.", published=world["a"].published)
    rows = all_pages(api, "/api/articles/", page_size=2)
    assert [row["id"] for row in rows] == list(Article.objects.newest_first().values_list("id", flat=True))
    assert "cursor=" in api.get("/api/articles/", {"page_size": 2}).json()["next"]


def test_bad_filter_values_answer_400_with_the_pages_messages(api, world):  # noqa: F811
    response = api.get("/api/articles/", {"year": "2024", "month": "13"})
    assert response.status_code == 400
    assert "month" in response.json()
    response = api.get("/api/articles/", {"month": "3"})
    assert response.status_code == 400
    assert response.json()["month"] == ["Choose a year as well as a month."]
    assert api.get("/api/articles/", {"entity": "nobody-by-this-name"}).status_code == 400


def test_article_detail_has_body_source_tags_and_mentions(api, world):  # noqa: F811
    article = world["a"]
    body = api.get(f"/api/articles/{article.slug}/").json()
    assert body["title"] == "A wind"
    assert body["body"] == article.body
    assert body["source"]["slug"] == "caspian-wire"
    assert [tag["slug"] for tag in body["tags"]] == ["wind-power"]
    assert {m["entity"]["slug"] for m in body["mentions"]} == {"tokayev", "spic"}
    assert body["page_url"] == article.get_absolute_url()
    assert api.get("/api/articles/no-such-article/").status_code == 404


def test_entities_come_with_aliases_and_article_counts(api, db):
    spic = make_entity("State Power Investment Corporation", aliases=["SPIC", "Госэнерго"])
    kazakhstan = make_entity("Kazakhstan", kind=EntityKind.PLACE)
    astana = make_entity("Astana", kind=EntityKind.PLACE, parent=kazakhstan)
    make_entity("Bonn", kind=EntityKind.PLACE)  # a gazetteer place no article names
    make_entity("Samruk-Energy")  # an editor's entity with no articles yet
    for n in range(3):
        make_article(f"Story {n}", f"Body {n}.", mentions=[spic, astana] if n == 0 else [spic])
    rows = {row["slug"]: row for row in all_pages(api, "/api/entities/")}
    assert rows[spic.slug]["aliases"] == ["SPIC", "Госэнерго"]
    assert rows[spic.slug]["article_count"] == 3
    assert rows["astana"]["article_count"] == 1
    assert "samruk-energy" in rows
    detail = api.get(f"/api/entities/{spic.slug}/").json()
    assert detail["article_count"] == 3 and detail["kind"] == "organisation"
    # Places as the pages list them: named, or holding a named place; the others stay out.
    assert [row["slug"] for row in all_pages(api, "/api/entities/", kind="place")] == ["astana", "kazakhstan"]
    assert api.get("/api/entities/bonn/").status_code == 200  # still reachable by its address
    assert [row["slug"] for row in all_pages(api, "/api/entities/", name="state")] == [spic.slug]


def test_sources_and_tags_with_article_counts(api, db):
    wire, quiet = make_source("Caspian Wire"), make_source("Quiet Gazette")
    wind = make_tag("wind power")
    make_article("One", "Body one.", source=wire, tags=[wind])
    make_article("Two", "Body two.", source=wire)
    sources = {row["slug"]: row["article_count"] for row in all_pages(api, "/api/sources/")}
    assert sources == {wire.slug: 2, quiet.slug: 0}
    assert api.get(f"/api/tags/{wind.slug}/").json()["article_count"] == 1


def test_entity_pages_are_ordered_by_name_across_cursor_pages(api, db):
    for name in ["Delta", "alpha", "Charlie", "Bravo", "Echo"]:
        make_entity(name)
    names = [row["name"] for row in all_pages(api, "/api/entities/", page_size=2)]
    # The database's order by name (collation differs between databases), every name once.
    assert names == list(Entity.objects.order_by("name", "id").values_list("name", flat=True))
    assert len(names) == 5


def test_page_size_is_capped(api, db):
    for n in range(3):
        make_tag(f"topic {n}")
    assert len(api.get("/api/tags/", {"page_size": 100000}).json()["results"]) == 3
    body = api.get("/api/tags/", {"page_size": 1}).json()
    assert len(body["results"]) == 1 and body["next"]


def test_writes_are_refused(api, world, django_user_model):  # noqa: F811
    admin = django_user_model.objects.create_superuser("boss", password="x")
    api.force_authenticate(admin)
    assert api.post("/api/tags/", {"name": "new"}, format="json").status_code in (403, 405)
    assert api.delete(f"/api/articles/{world['a'].slug}/").status_code in (403, 405)
    assert Article.objects.filter(pk=world["a"].pk).exists()


def test_private_archive_api_needs_a_reader_by_session_or_token(api, settings, world, django_user_model):  # noqa: F811
    settings.DOSSIER_PUBLIC = False
    assert api.get("/api/articles/").status_code == 401
    assert api.get("/api/schema/").status_code in (401, 403)
    nobody = django_user_model.objects.create_user("nobody", password="x")
    token = Token.objects.create(user=nobody)
    assert api.get("/api/articles/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 403
    assign_role(user=nobody, role="reader")
    assert api.get("/api/articles/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
    assert api.get("/api/articles/", HTTP_AUTHORIZATION="Token not-a-real-token").status_code == 401
    api.force_login(nobody)
    assert api.get("/api/articles/").status_code == 200


def test_anonymous_clients_are_throttled(api, world, monkeypatch):  # noqa: F811
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "1000/min"})
    statuses = [api.get("/api/tags/").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def test_schema_is_openapi_3_and_lists_every_endpoint(api, db):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) >= {
        "/api/articles/", "/api/articles/{slug}/", "/api/entities/", "/api/entities/{slug}/",
        "/api/sources/", "/api/sources/{slug}/", "/api/tags/", "/api/tags/{slug}/", "/api/search/",
    }
    params = {p["name"] for p in schema["paths"]["/api/articles/"]["get"]["parameters"]}
    assert params >= {"cursor", "page_size", *ArticleFilter.base_filters}


def test_docs_are_served_by_the_app_with_no_outside_script(client, db):
    html = client.get("/api/docs/").content.decode()
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui" in src for src in sources)
    assert all(src.startswith("/") for src in sources), sources
    assert "<script>" not in html  # the start-up script is a file of its own
    for src in sources:
        assert client.get(src).status_code == 200, src


def test_lists_take_a_fixed_number_of_queries_however_many_rows(api, db, django_assert_max_num_queries):
    wire = make_source("Caspian Wire")
    for n in range(30):
        entity = make_entity(f"Entity {n}", aliases=[f"Alias {n}"])
        make_article(f"Story {n}", f"Body {n}.", source=wire, tags=[make_tag(f"topic {n}")], mentions=[entity])
    for url in ("/api/articles/?page_size=30", "/api/entities/?page_size=30", "/api/tags/?page_size=30",
                "/api/sources/"):
        # Entities take one more: which places articles name (archive.place_lists), however many rows.
        with django_assert_max_num_queries(5 if "entities" in url else 4):
            assert api.get(url).status_code == 200
