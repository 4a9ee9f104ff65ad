"""The public browse pages: what each one shows a reader, and the friendly 404 for what does not exist."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from urllib.parse import quote, urlencode

import pytest
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from archive.models import EntityKind
from tests.factories import make_article, make_entity, make_source, make_tag

pytestmark = pytest.mark.django_db

NOT_FOUND_TEXT = "There is no page at this address"
SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
ARTICLE_URL = re.compile(r"/articles/[^/?#]+/")


class ReadPage(HTMLParser):
    """A page as a reader meets it: headings and links in document order, and the visible text."""

    _HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
    _HIDDEN = {"script", "style", "title", "template"}

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.outline: list[dict] = []  # {"tag", "text", "href", "heading"} for every heading and link
        self._open: list[dict] = []
        self._hidden = 0
        self._text: list[str] = []
        self.feed(html)
        self.close()
        for item in self.outline:
            item["text"] = " ".join("".join(item["text"]).split())
        self.text = " ".join(" ".join(self._text).split())

    def handle_starttag(self, tag, attrs):
        if tag in self._HIDDEN:
            self._hidden += 1
        elif tag in self._HEADINGS or tag == "a":
            heading = next((item for item in reversed(self._open) if item["tag"] in self._HEADINGS), None)
            item = {"tag": tag, "text": [], "href": dict(attrs).get("href"), "heading": heading}
            self.outline.append(item)
            self._open.append(item)

    def handle_endtag(self, tag):
        if tag in self._HIDDEN:
            self._hidden -= 1
        elif self._open and self._open[-1]["tag"] == tag:
            self._open.pop()

    def handle_data(self, data):
        if self._hidden:
            return
        self._text.append(data)
        for item in self._open:
            item["text"].append(data)

    def headings(self, tag: str) -> list[str]:
        return [item["text"] for item in self.outline if item["tag"] == tag]

    def links(self) -> list[tuple[str, str]]:
        return [(item["text"], item["href"]) for item in self.outline if item["tag"] == "a"]

    def links_under(self, heading_text: str, tag: str) -> list[tuple[str, str]]:
        """The links in the part of the page a heading introduces (up to the next heading as high or higher)."""
        level = int(tag[1])
        found = [i for i, item in enumerate(self.outline) if item["tag"] == tag and item["text"] == heading_text]
        assert len(found) == 1, f"expected one <{tag}>{heading_text}</{tag}>, found {len(found)}"
        heading = self.outline[found[0]]
        links = []
        for item in self.outline[found[0] + 1 :]:
            if item["tag"] in self._HEADINGS and int(item["tag"][1]) <= level:
                break
            if item["tag"] == "a" and item["heading"] is not heading:
                links.append((item["text"], item["href"]))
        return links

    def article_links(self) -> list[str]:
        """Titles of the articles linked from the page, in order."""
        return [text for text, href in self.links() if href and ARTICLE_URL.fullmatch(href)]


def read(client, url: str, status: int = 200) -> ReadPage:
    response = client.get(url)
    assert response.status_code == status, f"{url} returned {response.status_code}"
    return ReadPage(response.content.decode())


# Home


def test_home_shows_counts_latest_articles_and_most_mentioned_entities_per_kind(client):
    source = make_source("Kazinform")
    make_tag("Wind power")
    tokayev = make_entity("Kassym-Jomart Tokayev", kind=EntityKind.PERSON)
    goldwind = make_entity("Goldwind", kind=EntityKind.ORGANISATION)
    make_entity("Never Mentioned Place", kind=EntityKind.PLACE)
    make_article("Older story", published="2019-01-10", source=source, mentions=[tokayev])
    make_article("Newer story", published="2024-05-01", source=source, mentions=[tokayev, goldwind])

    page = read(client, "/")

    assert "2 articles" in page.text
    assert "2 entities" in page.text  # the place no article names is not counted
    assert "1 source" in page.text
    assert "1 tag" in page.text
    assert page.article_links() == ["Newer story", "Older story"]
    assert page.links_under("People", "h3") == [("Kassym-Jomart Tokayev", tokayev.get_absolute_url())]
    assert page.links_under("Organisations", "h3") == [("Goldwind", goldwind.get_absolute_url())]
    assert "Kassym-Jomart Tokayev 2" in page.text  # mentioned in two articles
    assert "Places" not in page.headings("h3")
    assert "Never Mentioned Place" not in page.text


def test_home_of_an_empty_archive_says_so(client):
    page = read(client, "/")
    assert "0 articles" in page.text
    assert "The archive is empty" in page.text


# Article list


@pytest.fixture
def thirty_articles():
    """Story 00 is the oldest, Story 29 the newest."""
    start = dt.date(2020, 1, 1)
    return [make_article(f"Story {i:02d}", published=start + dt.timedelta(days=i)) for i in range(30)]


def test_article_list_shows_the_newest_25_first(client, thirty_articles):
    page = read(client, "/articles/")
    assert page.article_links() == [f"Story {i:02d}" for i in range(29, 4, -1)]
    assert "Page 1 of 2" in page.text


def test_article_list_page_two_has_the_rest(client, thirty_articles):
    page = read(client, "/articles/?page=2")
    assert page.article_links() == [f"Story {i:02d}" for i in range(4, -1, -1)]
    assert "Page 2 of 2" in page.text


@pytest.mark.parametrize("query", ["?page=abc", "?page=2.5"])
def test_article_list_with_a_bad_page_number_shows_the_first_page(client, thirty_articles, query):
    page = read(client, f"/articles/{query}")
    assert page.article_links()[0] == "Story 29"


def test_article_list_with_an_empty_page_number_redirects_to_the_plain_list(client, thirty_articles):
    response = client.get("/articles/?page=")
    assert response.status_code == 302 and response["Location"] == "/articles/"


def test_articles_published_the_same_day_list_newest_added_first(client):
    make_article("Morning story", published="2024-03-29")
    make_article("Evening story", published="2024-03-29")
    assert read(client, "/articles/").article_links() == ["Evening story", "Morning story"]


# Article page


def test_article_page_shows_the_story_with_its_metadata(client):
    source = make_source("Kazinform")
    article = make_article(
        "Zhanatas wind farm expands",
        body="The first paragraph about the farm.\n\n## Next steps\n\nThe second paragraph\nabout turbines.",
        published="2024-03-29",
        dateline="ASTANA",
        source=source,
        tags=[make_tag("Wind power")],
    )

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    page = ReadPage(response.content.decode())
    assert page.headings("h1") == ["Zhanatas wind farm expands"]
    assert "29 March 2024" in page.text
    assert "ASTANA" in page.text
    assert ("Kazinform", source.get_absolute_url()) in page.links()
    assert ("Wind power", "/tags/wind-power/") in page.links()
    assertContains(response, "<h2>Next steps</h2>", html=True)
    assertContains(response, "<p>The first paragraph about the farm.</p>", html=True)
    assertContains(response, "<p>The second paragraph about turbines.</p>", html=True)
    assertNotContains(response, "## Next steps")


def test_article_page_groups_mentioned_entities_by_kind_with_links(client):
    tokayev = make_entity("Kassym-Jomart Tokayev", kind=EntityKind.PERSON)
    goldwind = make_entity("Goldwind", kind=EntityKind.ORGANISATION)
    zhanatas = make_entity("Zhanatas", kind=EntityKind.PLACE)
    astana = make_entity("Astana", kind=EntityKind.PLACE)
    make_entity("Not In This Article", kind=EntityKind.EVENT)
    article = make_article(mentions=[zhanatas, goldwind, tokayev, astana])

    page = read(client, article.get_absolute_url())

    assert page.headings("h3") == ["People", "Organisations", "Places"]
    assert page.links_under("People", "h3") == [("Kassym-Jomart Tokayev", tokayev.get_absolute_url())]
    assert page.links_under("Organisations", "h3") == [("Goldwind", goldwind.get_absolute_url())]
    assert page.links_under("Places", "h3") == [
        ("Astana", astana.get_absolute_url()),
        ("Zhanatas", zhanatas.get_absolute_url()),
    ]
    assert "Not In This Article" not in page.text


def test_article_without_mentions_shows_no_entity_panel(client):
    article = make_article("Lonely story")
    page = read(client, article.get_absolute_url())
    assert "In this article" not in page.text
    assert page.headings("h3") == []


# HTML escaping


@pytest.fixture
def hostile_article():
    return make_article(
        f"Headline {SCRIPT} here",
        body=f"A paragraph with {SCRIPT} inside.\n\n## Heading {SCRIPT}\n\nMore text.",
        dateline=f"ASTANA {SCRIPT}",
        source=make_source(f"Source {SCRIPT}"),
    )


@pytest.mark.parametrize("url", ["article", "/articles/", "/", "source"])
def test_markup_in_article_text_is_shown_escaped_never_run(client, hostile_article, url):
    if url == "article":
        url = hostile_article.get_absolute_url()
    elif url == "source":
        url = hostile_article.source.get_absolute_url()
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert ESCAPED_SCRIPT in html
    assert SCRIPT not in html
    assert "<script>" not in html


def test_markup_in_entity_names_and_aliases_is_shown_escaped(client):
    entity = make_entity(f"Entity {SCRIPT}", kind=EntityKind.PERSON, aliases=[f"Alias {SCRIPT}"],
                         description=f"Description {SCRIPT}")
    article = make_article(mentions=[entity])
    for url in [entity.get_absolute_url(), article.get_absolute_url(), "/entities/kind/person/", "/"]:
        html = client.get(url).content.decode()
        assert ESCAPED_SCRIPT in html, url
        assert SCRIPT not in html, url


# Entity pages


def test_entity_page_shows_kind_aliases_description_and_articles_newest_first(client):
    tokayev = make_entity(
        "Kassym-Jomart Tokayev",
        kind=EntityKind.PERSON,
        aliases=["Tokayev", "Токаев"],
        description="President of Kazakhstan since 2019.",
    )
    make_article("Older visit", published="2019-09-12", mentions=[tokayev])
    make_article("Newer visit", published="2024-07-05", mentions=[tokayev])
    make_article("Unrelated story", published="2024-08-01")

    page = read(client, tokayev.get_absolute_url())

    assert page.headings("h1") == ["Kassym-Jomart Tokayev"]
    assert ("Person", "/entities/kind/person/") in page.links()
    assert "Also known as" in page.text
    assert "Tokayev" in page.text
    assert "Токаев" in page.text
    assert "President of Kazakhstan since 2019." in page.text
    assert page.article_links() == ["Newer visit", "Older visit"]
    assert "2 articles" in page.text


def test_entity_page_links_to_wikidata_when_the_id_is_known(client):
    entity = make_entity("Kazakhstan", kind=EntityKind.PLACE, external_id="Q232")
    page = read(client, entity.get_absolute_url())
    assert any(href == "https://www.wikidata.org/wiki/Q232" for _, href in page.links())


def test_entity_kind_page_groups_entities_a_to_z(client):
    places = [make_entity(name, kind=EntityKind.PLACE)
              for name in ["Ürümqi", "Astana", "Beijing", "almaty", "7th Microdistrict"]]
    make_article(mentions=places)
    make_entity("Air Astana", kind=EntityKind.ORGANISATION, aliases=["Эйр Астана"])
    entity_urls = {e: f"/entities/{e}/" for e in ["urumqi", "astana", "beijing", "almaty", "7th-microdistrict"]}

    page = read(client, "/entities/kind/place/")

    assert page.headings("h1") == ["Places"]
    assert "5 places" in page.text
    assert page.headings("h2") == ["#", "A", "B", "U"]
    assert page.links_under("#", "h2") == [("7th Microdistrict", entity_urls["7th-microdistrict"])]
    assert page.links_under("A", "h2") == [("almaty", entity_urls["almaty"]), ("Astana", entity_urls["astana"])]
    assert page.links_under("B", "h2") == [("Beijing", entity_urls["beijing"])]
    assert page.links_under("U", "h2") == [("Ürümqi", entity_urls["urumqi"])]
    assert "Air Astana" not in page.text


def test_entity_kind_page_shows_aliases_and_article_counts(client):
    astana = make_entity("Astana", kind=EntityKind.PLACE, aliases=["Nur-Sultan", "Астана"])
    make_article(mentions=[astana])
    make_article(mentions=[astana])
    page = read(client, "/entities/kind/place/")
    assert "Astana 2 Nur-Sultan, Астана" in page.text


def test_entity_kind_page_for_a_kind_with_no_entities_says_so(client):
    page = read(client, "/entities/kind/event/")
    assert page.headings("h1") == ["Events"]
    assert "No events in the archive yet." in page.text


def test_entity_index_shows_every_kind_with_counts_and_the_most_mentioned(client):
    tokayev = make_entity("Kassym-Jomart Tokayev", kind=EntityKind.PERSON)
    make_entity("Xi Jinping", kind=EntityKind.PERSON)
    astana = make_entity("Astana", kind=EntityKind.PLACE)
    make_article(mentions=[tokayev, astana])
    make_article(mentions=[astana])

    page = read(client, "/entities/")

    kind_links = {href: text for text, href in page.links() if href.startswith("/entities/kind/")}
    assert set(kind_links) == {f"/entities/kind/{kind}/" for kind in EntityKind.values}
    assert kind_links["/entities/kind/person/"] == "People 2"
    assert kind_links["/entities/kind/place/"] == "Places 1"
    assert kind_links["/entities/kind/event/"] == "Events 0"
    assert page.links_under("Most mentioned", "h2") == [
        ("Astana", astana.get_absolute_url()),
        ("Kassym-Jomart Tokayev", tokayev.get_absolute_url()),
    ]
    assert "Xi Jinping" not in page.text  # mentioned nowhere


# Sources and tags


def test_source_list_shows_each_source_with_country_and_article_count(client):
    kazinform = make_source("Kazinform", country="KZ")
    xinhua = make_source("Xinhua", country="CN")
    make_article(source=kazinform)
    make_article(source=kazinform)

    page = read(client, "/sources/")

    assert ("Kazinform", kazinform.get_absolute_url()) in page.links()
    assert ("Xinhua", xinhua.get_absolute_url()) in page.links()
    assert "Kazinform KZ 2" in page.text
    assert "Xinhua CN 0" in page.text


def test_source_page_lists_only_its_articles_newest_first(client):
    kazinform = make_source("Kazinform", homepage="https://www.inform.kz/", description="State news agency.")
    other = make_source("Xinhua")
    make_article("Kazinform old", published="2020-01-01", source=kazinform)
    make_article("Kazinform new", published="2023-01-01", source=kazinform)
    make_article("Xinhua story", published="2024-01-01", source=other)

    page = read(client, kazinform.get_absolute_url())

    assert page.headings("h1") == ["Kazinform"]
    assert "State news agency." in page.text
    assert ("https://www.inform.kz/", "https://www.inform.kz/") in page.links()
    assert page.article_links() == ["Kazinform new", "Kazinform old"]


def test_tag_list_shows_each_tag_with_article_count(client):
    wind = make_tag("Wind power")
    solar = make_tag("Solar power")
    make_article(tags=[wind])
    make_article(tags=[wind, solar])
    make_article()

    page = read(client, "/tags/")

    assert [text for text, href in page.links() if href.startswith("/tags/") and href != "/tags/"] == [
        "Solar power",
        "Wind power",
    ]
    assert "Solar power 1" in page.text
    assert "Wind power 2" in page.text


def test_tag_page_lists_only_its_articles_newest_first(client):
    wind = make_tag("Wind power")
    make_article("Wind old", published="2021-02-16", tags=[wind])
    make_article("Wind new", published="2024-03-29", tags=[wind])
    make_article("Coal story", published="2024-04-01")

    page = read(client, wind.get_absolute_url())

    assert page.headings("h1") == ["Wind power"]
    assert page.article_links() == ["Wind new", "Wind old"]


# Date archive


@pytest.fixture
def dated_articles():
    make_article("May story one", published="2023-05-03")
    make_article("May story two", published="2023-05-20")
    make_article("November story", published="2023-11-11")
    make_article("March story", published="2024-03-29")


@pytest.mark.parametrize("indexed", [False, True])
def test_date_archive_shows_years_and_months_with_counts(client, dated_articles, indexed, request):
    if indexed:  # counted by the index when it is in step, else by the database
        request.getfixturevalue("reindex")()
    page = read(client, "/archive/")
    assert [h for h in page.headings("h2")] == ["2024 1 article", "2023 3 articles"]
    links = page.links()
    assert ("2023", "/archive/2023/") in links
    assert ("May 2", "/archive/2023/5/") in links
    assert ("Nov 1", "/archive/2023/11/") in links
    assert ("Mar 1", "/archive/2024/3/") in links
    assert not any(href == "/archive/2023/6/" for _, href in links)  # no articles in June: no link


def test_year_page_lists_that_years_articles_and_months(client, dated_articles):
    page = read(client, "/archive/2023/")
    assert page.headings("h1") == ["2023"]
    assert "3 articles" in page.text
    assert page.article_links() == ["November story", "May story two", "May story one"]
    assert ("May 2", "/archive/2023/5/") in page.links()


def test_month_page_lists_that_months_articles_with_links_to_neighbouring_months(client, dated_articles):
    page = read(client, "/archive/2023/5/")
    assert page.headings("h1") == ["May 2023"]
    assert page.article_links() == ["May story two", "May story one"]
    hrefs = [href for _, href in page.links()]
    assert "/archive/2023/11/" in hrefs  # next month with articles
    assert "/archive/2023/4/" not in hrefs


def test_month_page_for_march_links_back_to_november(client, dated_articles):
    page = read(client, "/archive/2024/3/")
    assert page.article_links() == ["March story"]
    assert "/archive/2023/11/" in [href for _, href in page.links()]


# Not found


@pytest.mark.parametrize(
    "url",
    [
        "/articles/no-such-article/",
        "/entities/no-such-entity/",
        "/sources/no-such-source/",
        "/tags/no-such-tag/",
        "/entities/kind/dragon/",
        "/archive/1999/",
        "/archive/2024/13/",
        "/archive/2024/0/",
        "/archive/0/",
        "/no/such/page/",
    ],
)
def test_unknown_addresses_get_the_friendly_404_page(client, url):
    make_article("The only story", published="2024-03-29")
    response = client.get(url)
    assert response.status_code == 404
    assertTemplateUsed(response, "404.html")
    assertContains(response, NOT_FOUND_TEXT, status_code=404)
    assertContains(response, 'href="/articles/"', status_code=404)


def test_page_numbers_below_one_give_the_first_page(client, db):
    from tests.factories import make_article as _make

    for n in range(30):
        _make(f"Numbered article {n:02d}", f"Body {n}.", published=f"2020-01-{n % 28 + 1:02d}")
    first = client.get("/articles/").content.decode()
    for bad in ("0", "-3"):
        assert client.get(f"/articles/?page={bad}").content.decode() == first


# Numbers in the URL: every browse page that pages, and the two pages with filters


@pytest.fixture
def paged_everywhere(reindex):
    """More than one page of articles on every paginated browse page, all in March 2024."""
    source = make_source("Steppe Courier")
    tag = make_tag("Wind power")
    entity = make_entity("Zhambyl Region", kind=EntityKind.PLACE)
    for day in range(1, 31):
        make_article(
            f"Wind story {day:02d}", f"Wind story number {day} from Zhambyl.",
            published=f"2024-03-{day:02d}", source=source, tags=[tag], mentions=[entity],
        )
    reindex()
    return {
        "/articles/": "Wind story 30",
        entity.get_absolute_url(): "Wind story 30",
        source.get_absolute_url(): "Wind story 30",
        tag.get_absolute_url(): "Wind story 30",
        "/archive/2024/": "Wind story 30",
        "/archive/2024/3/": "Wind story 30",
        "/search/?sort=newest": "Wind story 30",
        "/search/?q=wind&sort=newest": "Wind story 30",
    }


BAD_PAGE_NUMBERS = ["⁴", "٤", "9" * 5000, "1e3", "-1", "0", "abc", "2.5", " 2", "1_0", "+2", "0x2", "２"]


@pytest.mark.parametrize("bad", BAD_PAGE_NUMBERS)
def test_a_malformed_page_number_gives_the_first_page_on_every_browse_page(client, paged_everywhere, bad):
    for url, first_title in paged_everywhere.items():
        joiner = "&" if "?" in url else "?"
        response = client.get(f"{url}{joiner}page={quote(bad)}")
        assert response.status_code == 200, f"{url} page={bad[:20]!r}: {response.status_code}"
        page = ReadPage(response.content.decode())
        assert page.article_links()[0] == first_title, url


def test_page_two_is_read_the_same_way_on_every_browse_page(client, paged_everywhere):
    for url in paged_everywhere:
        joiner = "&" if "?" in url else "?"
        page = read(client, f"{url}{joiner}page=2")
        assert "Wind story 30" not in page.article_links(), url
        assert page.article_links(), url


@pytest.mark.parametrize("number", ["3", "999", "100000", "100001"])
def test_a_page_past_the_end_says_there_is_no_such_page_and_links_back(client, paged_everywhere, number):
    for url in paged_everywhere:
        joiner = "&" if "?" in url else "?"
        response = client.get(f"{url}{joiner}page={number}")
        if number == "100001":  # beyond any page Dossier serves: read as malformed, page 1
            assert response.status_code == 200, url
            continue
        assert response.status_code == 404, url
        page = ReadPage(response.content.decode())
        assert page.article_links() == [], f"{url} showed articles on a page that does not exist"
        assert f"There is no page {number}" in page.text, url
        last = [href for text, href in page.links() if text.startswith("Go to the last page")]
        assert len(last) == 1 and last[0].endswith("page=2"), url
        first = [href for text, href in page.links() if text == "the first page"]
        assert len(first) == 1 and first[0].endswith("page=1"), url
        # The link back is the same list: its other parameters are kept.
        if "q=wind" in url:
            assert "q=wind" in last[0]


BAD_FILTER_NUMBERS = [
    {"year": "1e309"},
    {"year": "2024", "month": "-1e309"},
    {"month": "-1e309"},
    {"year": "⁴⁴⁴⁴"},
    {"year": "٢٠٢٤"},
    {"year": "9" * 5000},
    {"year": "2024", "month": "9" * 5000},
    {"year": "2024.0"},
    {"year": "NaN"},
    {"year": "Infinity"},
    {"year": "2024", "month": "13"},
    {"year": "1799"},
    {"year": " 2024"},
]


@pytest.mark.parametrize("params", BAD_FILTER_NUMBERS)
@pytest.mark.parametrize("url", ["/articles/", "/search/", "/search/?q=wind"])
def test_a_malformed_year_or_month_is_ignored_with_a_message(client, paged_everywhere, url, params):
    make_article("Coal story from 2019", "Coal.", published="2019-06-01")
    response = client.get(url, params) if "?" not in url else client.get(url + "&" + urlencode(params))
    assert response.status_code == 200
    page = ReadPage(response.content.decode())
    assert "Some filters could not be used and were ignored" in page.text
    assert re.search(r"Enter a (year|month) from \d+ to \d+", page.text)
    # The bad number narrowed nothing: only the good filters (year 2024) are in force.
    expected = 30 if params.get("year") == "2024" or "q=" in url else 31
    assert f"{expected} articles" in page.text


def test_a_good_year_and_month_still_narrow_the_list(client, paged_everywhere):
    make_article("Coal story from 2019", "Coal.", published="2019-06-01")
    page = read(client, "/articles/?year=2019&month=6")
    assert page.article_links() == ["Coal story from 2019"]
    page = read(client, "/articles/?year=0002024")
    assert "Coal story from 2019" not in page.article_links() and page.article_links()


# Content-Security-Policy: the header is sent, and no page needs what it forbids


INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE)


def test_every_page_sends_a_policy_that_forbids_inline_code_and_needs_none(client, paged_everywhere):
    entity = make_entity("Goldwind", kind=EntityKind.ORGANISATION)
    article = make_article("A story naming Goldwind", "Goldwind builds turbines.", mentions=[entity])
    urls = [
        *paged_everywhere, "/", "/entities/", "/entities/kind/organisation/", "/sources/", "/tags/", "/archive/",
        article.get_absolute_url(), "/search/help/", "/search/?q=goldwind", "/no/such/page/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        policy = response["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'", policy
        assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
        inline = INLINE.findall(response.content.decode())
        assert inline == [], f"{url} has inline code the policy blocks: {inline}"


def test_the_server_error_page_needs_no_inline_style(client):
    from django.template.loader import get_template

    html = get_template("500.html").render({})
    assert INLINE.findall(html) == []
    assert 'href="/static/css/error.css"' in html


# Old addresses keep working


def test_a_merged_away_entitys_page_redirects_to_the_kept_entity(client):
    from archive.services import merge_entities

    keep = make_entity("State Power Investment Corporation", kind=EntityKind.ORGANISATION)
    duplicate = make_entity("SPIC Group", kind=EntityKind.ORGANISATION)
    older = make_entity("SPIC Holding", kind=EntityKind.ORGANISATION)
    make_article("SPIC builds", "SPIC Group builds a wind farm.", mentions=[duplicate])
    old_url, older_url = duplicate.get_absolute_url(), older.get_absolute_url()
    merge_entities(keep=duplicate, duplicates=[older])  # SPIC Holding folded into SPIC Group
    merge_entities(keep=keep, duplicates=[duplicate])  # then SPIC Group into the corporation

    for url in (old_url, older_url):
        response = client.get(url + "?page=1")
        assert response.status_code == 301
        assert response["Location"] == keep.get_absolute_url() + "?page=1"
    page = read(client, keep.get_absolute_url())
    assert page.article_links() == ["SPIC builds"]


def test_an_article_whose_slug_changed_is_still_found_at_its_old_address(client):
    article = make_article("Wind farm opens", "The wind farm opened.")
    first_url = article.get_absolute_url()
    article.title, article.slug = "Zhanatas wind farm opens", "zhanatas-wind-farm-opens"
    article.save()
    second_url = article.get_absolute_url()
    article.slug = "zhanatas-wind-farm-opens-in-march"
    article.save()

    for url in (first_url, second_url):
        response = client.get(url)
        assert response.status_code == 301 and response["Location"] == article.get_absolute_url()
    assert read(client, article.get_absolute_url()).headings("h1") == ["Zhanatas wind farm opens"]
    # A new article may take an old address: the real page wins over the redirect.
    newcomer = make_article("Wind farm opens", "A different wind farm opened.", slug="wind-farm-opens")
    assert read(client, first_url).headings("h1") == [newcomer.title]


def test_an_address_that_never_existed_is_still_a_404(client):
    make_article("Wind farm opens", "The wind farm opened.")
    assert client.get("/articles/never-was/").status_code == 404
    assert client.get("/entities/never-was/").status_code == 404


# The filtered list and its form


def test_a_filtered_article_list_is_titled_by_its_filters(client, paged_everywhere):
    page = read(client, "/articles/?year=2024&source=steppe-courier&kind=place")
    title = "Articles — Year: 2024, Source: Steppe Courier, Mentions: Place"
    assert page.headings("h1") == [title]
    assert read(client, "/articles/").headings("h1") == ["All articles"]
    html = client.get("/articles/?year=2024").content.decode()
    assert "<title>Articles — Year: 2024 · Dossier</title>" in html


def test_the_kind_menu_reads_any_entity_when_nothing_is_chosen(client, paged_everywhere):
    html = client.get("/articles/").content.decode()
    assert '<option value="" selected>Any entity</option>' in html
    assert "---------" not in html


@pytest.mark.parametrize("url", ["/articles/", "/search/", "/search/?q=wind"])
def test_apply_with_empty_fields_redirects_to_an_address_without_them(client, paged_everywhere, url):
    joiner = "&" if "?" in url else "?"
    response = client.get(f"{url}{joiner}date_from=&date_to=&kind=place&language=&sort=")
    assert response.status_code == 302
    expected = f"{url}{joiner}kind=place"
    assert response["Location"] == expected
    assert client.get(expected).status_code == 200
