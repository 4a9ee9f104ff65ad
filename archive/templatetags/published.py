"""``{% published article %}``: an article's date as every page shows it, or "undated".

One tag instead of two ``date`` filters per article: a page lists up to a hundred
articles, and formatting the same few dates with month names again and again was a
good part of rendering a list.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

UNDATED = mark_safe('<span class="undated">undated</span>')


@lru_cache(maxsize=20_000)
def _label(day: dt.date, language: str | None) -> str:  # the language is part of the key
    return date_format(day, "j F Y")


@register.simple_tag
def published(article) -> SafeString:
    day = article.published
    if not day:
        return UNDATED
    return format_html('<time datetime="{}">{}</time>', day.isoformat(), _label(day, get_language()))
