"""The date every page shows for an article: a <time> with the ISO date, or "undated"."""

from __future__ import annotations

import datetime as dt

from django.template import engines

from archive.models import Article

TEMPLATE = engines["django"].from_string("{% load published %}{% published article %}")


def test_a_dated_article_shows_day_month_and_year():
    article = Article(title="Wind", published=dt.date(2024, 3, 5))
    assert TEMPLATE.render({"article": article}) == '<time datetime="2024-03-05">5 March 2024</time>'


def test_an_undated_article_says_so():
    assert TEMPLATE.render({"article": Article(title="Wind")}) == '<span class="undated">undated</span>'
