"""The repeated parts of list pages, written out in Python: ``{% load lists %}``.

A page of results repeats the same markup many times: 20 to 100 article items, about
sixty facet links, up to fifty timeline bars. Django's template language costs a few
microseconds per variable and tag, which over those repetitions was most of the time a
list page spent rendering (about 7 of 10 ms for /articles/ on the 20,000-article
benchmark). These tags build the same markup with f-strings, escaping every value as
``{{ }}`` would (``_e``), so the pages look and behave as before.

- ``{% article_item article level=2 hide_source=False %}``: one article in a list (its
  title, date, source, dateline, language and summary);
  ``{% article_item article title_html=hit.title_html summary_html=hit.snippet_html %}``
  the same for a search hit, with its highlighted title and snippet.
- ``{% facet_groups facets %}``: the facet sections of the filter panel.
- ``{% timeline_chart timeline %}``: the bars of the timeline as SVG.
"""

from __future__ import annotations

import html

from django import template
from django.template.defaultfilters import pluralize
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from archive.templatetags.published import published

register = template.Library()

SEP = '<span class="sep" aria-hidden="true">·</span> '
SUMMARY_WORDS = 40
ACTIVE = ' class="is-active"'


def _e(value) -> str:
    """``conditional_escape`` without its lazy-string wrapper: safe strings (and anything with
    ``__html__``) as they are, everything else escaped as ``{{ }}`` escapes it. A list page
    escapes about a thousand values; Django's version spends most of its time on laziness."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


@register.simple_tag
def article_item(article, level=2, hide_source=False, title_html=None, summary_html=None) -> SafeString:
    """``<article class="item">`` with the title as a heading of ``level``, the meta line and
    the summary (the lead paragraph cut to 40 words, or the search snippet when given)."""
    level = int(level) if str(level) in {"2", "3", "4"} else 2
    foreign = article.language != "en"
    parts = [published(article)]
    if article.source_id and not hide_source:
        source = article.source
        parts.append(f'<span class="meta__part">{SEP}<a href="{_e(source.get_absolute_url())}">{_e(source.name)}</a>'
                     "</span>")
    if article.dateline:
        parts.append(f'<span class="meta__part">{SEP}<span class="dateline">{_e(article.dateline)}</span></span>')
    if foreign:
        parts.append(f'<span class="meta__part">{SEP}<span class="visually-hidden">Language: </span>'
                     f'<span class="lang-badge" title="Language">{_e(article.language.upper())}</span></span>')
    if summary_html is not None:
        summary = f'<p class="item__summary snippet">{_e(summary_html)}</p>'
    elif text := article.summary:
        summary = f'<p class="item__summary">{_e(Truncator(text).words(SUMMARY_WORDS, truncate=" …"))}</p>'
    else:
        summary = ""
    lang = f' lang="{_e(article.language)}"' if foreign else ""
    title = _e(article.title if title_html is None else title_html)
    meta = "\n".join(parts)
    return mark_safe(
        f'<article class="item"{lang}><h{level} class="item__title"><a href="{_e(article.get_absolute_url())}">'
        f'{title}</a></h{level}><p class="meta" lang="en">{meta}</p>{summary}</article>'
    )


@register.simple_tag
def facet_groups(groups) -> SafeString:
    """One ``<section class="facet">`` per group: its title, its values as links that add the
    value as a filter (the active one marked), and its note ("12 undated")."""
    sections = []
    for group in groups:
        items = "\n".join(
            f'<li{ACTIVE if item.active else ""}><a href="{_e(item.add_url)}" rel="nofollow">{_e(item.label)}</a> '
            f'<span class="count">{_e(item.count)}</span></li>'
            for item in group.items
        )
        note = ""
        if group.note:
            inner = f'<a href="{_e(group.note_url)}" rel="nofollow">{_e(group.note)}</a>' if group.note_url \
                else _e(group.note)
            note = f'<p class="facet__note muted">{inner}</p>'
        sections.append(f'<section class="facet"><h3 class="kind-heading">{_e(group.title)}</h3>'
                        f'<ul class="facet__list">{items}</ul>{note}</section>')
    return mark_safe("\n".join(sections))



@register.simple_tag
def timeline_chart(timeline) -> SafeString:
    """The timeline's bars: a linked ``<rect>`` per period with articles, a flat mark for an
    empty one. Numbers are written plainly (SVG wants a dot, whatever the locale)."""
    bars = []
    floor = int(timeline.height) - 1
    for bar in timeline.bars:
        # Coordinates are numbers the chart computed (float() keeps anything else out of the markup).
        x, width = float(bar.x), float(bar.width)
        if bar.count:
            title = _e(f"{bar.label}: {bar.count} article{pluralize(bar.count)}")
            bars.append(f'<a href="{_e(bar.url)}" aria-label="{title}"><rect class="timeline__bar" x="{x}" '
                        f'y="{float(bar.y)}" width="{width}" height="{float(bar.height)}"><title>{title}</title>'
                        "</rect></a>")
        else:
            bars.append(f'<rect class="timeline__empty" x="{x}" y="{floor}" width="{width}" height="1">'
                        f"<title>{_e(bar.label)}: no articles</title></rect>")
    return mark_safe("\n".join(bars))
