"""The list markup written in Python (archive/templatetags/lists.py): escaped as templates escape,
and the same information the template showed (title, date, source, dateline, language, summary)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict
from django.utils import translation
from django.utils.safestring import mark_safe

from archive.facets import FacetCounts, FacetGroup, FacetItem, timeline
from archive.templatetags.lists import article_item, facet_groups, timeline_chart
from tests.factories import make_article, make_source

pytestmark = pytest.mark.django_db


def test_article_item_escapes_what_users_supplied():
    source = make_source("Power & Light <News>")
    article = make_article(title='<script>alert("x")</script> Wind', body="A <b>bold</b> lead & more.",
                           source=source, dateline="ASTANA <b>")
    html = article_item(article)
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Wind" in html
    assert "Power &amp; Light &lt;News&gt;" in html
    assert "ASTANA &lt;b&gt;" in html
    assert "A &lt;b&gt;bold&lt;/b&gt; lead &amp; more." in html
    assert f'href="{article.get_absolute_url()}"' in html and f'href="{source.get_absolute_url()}"' in html


def test_article_item_shows_date_language_and_heading_level():
    article = make_article(title="Ветер", body="Станция в степи.", published=dt.date(2024, 3, 29), language="ru")
    html = article_item(article, level=3, hide_source=True)
    assert '<article class="item" lang="ru">' in html
    assert '<h3 class="item__title">' in html and "</h3>" in html
    assert '<time datetime="2024-03-29">29 March 2024</time>' in html
    assert ">RU</span>" in html
    undated = make_article(published=None)
    assert 'class="undated">undated<' in article_item(undated)
    # A level that is not a heading level of a list falls back to 2 rather than writing <h9>.
    assert "<h2 " in article_item(undated, level="9")


def test_article_item_cuts_the_summary_at_forty_words_and_keeps_a_search_snippet_as_given():
    article = make_article(body=" ".join(f"word{i}" for i in range(60)))
    html = article_item(article)
    assert "word39 …</p>" in html and "word40" not in html
    # The search service marks its highlights safe; anything else is escaped.
    hit = article_item(article, title_html=mark_safe("<mark>Wind</mark> farm"),
                       summary_html=mark_safe("a <mark>wind</mark> farm"))
    assert "<mark>Wind</mark> farm</a>" in hit
    assert '<p class="item__summary snippet">a <mark>wind</mark> farm</p>' in hit
    assert "&lt;mark&gt;" in article_item(article, summary_html="<mark>raw</mark>")


def test_facet_groups_escape_labels_and_mark_the_active_value():
    groups = [
        FacetGroup("People", "entity", [FacetItem("Li <Qiang>", 12, "?entity=li&x=1", active=True),
                                        FacetItem("Smith & Co", 3, "?entity=smith")]),
        FacetGroup("Years", "year", [FacetItem("2024", 5, "?year=2024")], note="7 undated", note_url="?undated=1"),
    ]
    html = facet_groups(groups)
    assert '<h3 class="kind-heading">People</h3>' in html
    assert '<li class="is-active"><a href="?entity=li&amp;x=1" rel="nofollow">Li &lt;Qiang&gt;</a>' in html
    assert '<li><a href="?entity=smith" rel="nofollow">Smith &amp; Co</a> <span class="count">3</span>' in html
    assert '<p class="facet__note muted"><a href="?undated=1" rel="nofollow">7 undated</a></p>' in html


def test_timeline_chart_writes_plain_numbers_in_any_language():
    counts = FacetCounts(total=4)
    counts.months.update({(2024, 1): 3, (2024, 3): 1})
    chart = timeline(counts, QueryDict("q=wind"))
    with translation.override("de"):
        html = timeline_chart(chart)
    assert html.count('<rect class="timeline__bar"') == 2
    assert html.count('<rect class="timeline__empty"') == 1
    assert "January 2024: 3 articles" in html and "March 2024: 1 article<" in html
    first = chart.bars[0]
    assert f'x="{first.x}" y="{first.y}" width="{first.width}"' in html and "," not in f"{first.x}{first.width}"
