"""Exports of lists (archive/exports.py) and searches (search/exports.py): same articles, same order, three formats.

The articles here were written for these tests.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import override_settings
from django.urls import reverse

from archive.exports import CSV_COLUMNS
from archive.models import EntityKind
from tests.factories import make_article, make_entity, make_source, make_tag

pytestmark = pytest.mark.django_db


def body(response) -> str:
    assert response.streaming  # never built whole in memory
    return b"".join(response.streaming_content).decode("utf-8")


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body(response))))


def list_ids(client, url: str, params: dict) -> list[int]:
    """The article ids a page shows, in its order, across all its pages."""
    from html.parser import HTMLParser

    from archive.models import Article

    slugs: list[str] = []

    class Links(HTMLParser):
        def handle_starttag(self, tag, attrs):
            href = dict(attrs).get("href") or ""
            if tag == "a" and href.startswith("/articles/") and href.count("/") == 3 and "." not in href:
                slug = href.split("/")[2]
                if slug not in slugs:
                    slugs.append(slug)

    page = 1
    while True:
        response = client.get(url, {**params, "page": page})
        before = len(slugs)
        Links().feed(response.content.decode())
        if len(slugs) == before or page > 20:
            break
        page += 1
    by_slug = dict(Article.objects.values_list("slug", "id"))
    return [by_slug[s] for s in slugs if s in by_slug]


@pytest.fixture
def archive():
    tengri = make_source("Tengri Wire (test)")
    steppe = make_source("Steppe Herald (test)")
    energy = make_tag("Energy")
    tokayev = make_entity("Kassym-Jomart Tokayev", kind=EntityKind.PERSON)
    astana = make_entity("Astana", kind=EntityKind.PLACE)
    spic = make_entity("SPIC", kind=EntityKind.ORGANISATION)
    articles = [
        make_article("Wind farm opens near Astana", "Tokayev opened a wind farm near Astana. SPIC built it.",
                     "2024-03-29", source=tengri, tags=[energy], mentions=[tokayev, astana, spic],
                     url="https://tengri.example/wind"),
        make_article("=HYPERLINK(\"http://evil.example\")", "A title that looks like a spreadsheet formula.",
                     "2024-03-29", source=steppe),
        make_article("Solar park in the south", "A solar park opened in Turkestan.", "2023-11-02",
                     source=steppe, tags=[energy]),
        make_article("Coal report", "Coal output fell in Ekibastuz.", "2022-01-15", source=tengri),
    ]
    return {"articles": articles, "tengri": tengri, "energy": energy, "tokayev": tokayev}


def test_csv_export_of_the_article_list_has_every_column_in_the_lists_order(client, archive):
    response = client.get("/articles/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="dossier-articles.csv"' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert list(rows[0]) == CSV_COLUMNS
    assert [int(r["id"]) for r in rows] == list_ids(client, "/articles/", {})
    wind = next(r for r in rows if r["title"] == "Wind farm opens near Astana")
    assert wind["date"] == "2024-03-29"
    assert wind["source"] == "Tengri Wire (test)"
    assert wind["url"] == "https://tengri.example/wind"
    assert wind["dossier_url"].startswith("http://testserver/articles/")
    assert wind["people"] == "Kassym-Jomart Tokayev"
    assert wind["organisations"] == "SPIC"
    assert wind["places"] == "Astana"
    assert wind["tags"] == "Energy"


def test_a_title_that_looks_like_a_formula_is_exported_as_text(client, archive):
    rows = csv_rows(client.get("/articles/export.csv"))
    assert "'=HYPERLINK(\"http://evil.example\")" in [r["title"] for r in rows]


@pytest.mark.parametrize(
    "params",
    [{"source": "tengri-wire-test"}, {"tag": "energy"}, {"year": "2024"}, {"sort": "oldest"},
     {"entity": "kassym-jomart-tokayev"}, {"date_from": "2023-01-01", "sort": "oldest"}, {"year": "1900"}],
)
def test_an_export_of_a_filtered_list_has_the_same_articles_in_the_same_order(client, archive, params):
    shown = list_ids(client, "/articles/", params)
    exported = [int(r["id"]) for r in csv_rows(client.get("/articles/export.csv", params))]
    assert exported == shown


def test_json_lines_export_has_one_object_per_article_with_entities_by_kind_and_tags(client, archive):
    response = client.get("/articles/export.jsonl", {"tag": "energy"})
    lines = body(response).splitlines()
    items = [json.loads(line) for line in lines]
    assert [i["title"] for i in items] == ["Wind farm opens near Astana", "Solar park in the south"]
    wind = items[0]
    assert wind["entities"]["person"] == ["Kassym-Jomart Tokayev"]
    assert wind["entities"]["place"] == ["Astana"]
    assert wind["tags"] == ["Energy"]
    assert wind["source"] == "Tengri Wire (test)" and wind["date"] == "2024-03-29"


def test_ris_export_is_a_news_record_per_article_that_reference_managers_read(client, archive):
    text = body(client.get("/articles/export.ris", {"source": "tengri-wire-test"}))
    records = [r for r in text.split("ER  - \r\n") if r.strip()]
    assert len(records) == 2
    wind = records[0]
    fields = [line.split("  - ", 1) for line in wind.strip().split("\r\n")]
    assert fields[0] == ["TY", "NEWS"]
    tags = dict((tag, value) for tag, value in fields if tag != "KW")
    assert tags["TI"] == "Wind farm opens near Astana"
    assert tags["T2"] == "Tengri Wire (test)"
    assert tags["DA"] == "2024/03/29" and tags["PY"] == "2024"
    assert tags["UR"] == "https://tengri.example/wind"
    keywords = {value for tag, value in fields if tag == "KW"}
    assert keywords == {"Energy", "Kassym-Jomart Tokayev", "Astana", "SPIC"}


@override_settings(EXPORT_MAX_ROWS=3)
def test_an_export_stops_at_the_cap_set_in_settings(client, archive):
    rows = csv_rows(client.get("/articles/export.csv"))
    assert len(rows) == 3
    assert [int(r["id"]) for r in rows] == list_ids(client, "/articles/", {})[:3]


def test_an_unknown_format_is_not_found(client, archive):
    assert client.get("/articles/export.pdf").status_code == 404
    assert client.get("/search/export.xlsx", {"q": "wind"}).status_code == 404


def test_bad_filter_values_never_give_a_server_error(client, archive):
    for params in ({"year": "abc"}, {"entity": "no-such-entity"}, {"date_from": "2024-99-99"}, {"page": "x"}):
        assert client.get("/articles/export.csv", params).status_code == 200


def test_list_pages_link_to_their_exports(client, archive):
    html = client.get("/articles/", {"tag": "energy"}).content.decode()
    assert 'href="/articles/export.csv?tag=energy"' in html
    assert 'href="/articles/export.ris?tag=energy"' in html
    entity_page = client.get(reverse("archive:entity_detail", args=["kassym-jomart-tokayev"])).content.decode()
    assert 'href="/articles/export.jsonl?entity=kassym-jomart-tokayev"' in entity_page


# ---- Searches --------------------------------------------------------------------------------

@pytest.fixture
def indexed(archive, reindex):
    reindex()
    return archive


def search_ids(client, params: dict) -> list[int]:
    from search.query import parse_query
    from search.service import run_search

    results = run_search(parse_query(params["q"]), sort=params.get("sort", "relevance"), per_page=100)
    return [hit.article.id for hit in results.hits]


@pytest.mark.parametrize("params", [{"q": "opened"}, {"q": "opened", "sort": "oldest"}, {"q": "report OR park"}])
def test_a_search_export_has_the_searchs_matches_in_its_order(client, indexed, params):
    exported = [int(r["id"]) for r in csv_rows(client.get("/search/export.csv", params))]
    assert exported == search_ids(client, params)
    assert exported


def test_a_search_export_applies_the_filters_too(client, indexed):
    rows = csv_rows(client.get("/search/export.csv", {"q": "opened", "source": "tengri-wire-test"}))
    assert [r["title"] for r in rows] == ["Wind farm opens near Astana"]


def test_a_search_export_without_a_keyword_lists_the_filtered_articles_by_date(client, indexed):
    rows = csv_rows(client.get("/search/export.csv", {"tag": "energy"}))
    assert [r["title"] for r in rows] == ["Wind farm opens near Astana", "Solar park in the south"]


def test_an_unreadable_query_gets_a_message_not_a_server_error(client, indexed):
    response = client.get("/search/export.csv", {"q": "date:[2025 to 2020]"})
    assert response.status_code in (200, 400)
    response = client.get("/search/export.csv", {"q": "x" * 5000})
    assert response.status_code in (200, 400)


def test_the_search_page_links_to_its_exports_with_the_same_query_and_filters(client, indexed):
    html = client.get("/search/", {"q": "opened", "tag": "energy", "page": "1"}).content.decode()
    assert 'href="/search/export.csv?q=opened&amp;tag=energy"' in html
    assert 'href="/search/export.ris?q=opened&amp;tag=energy"' in html
