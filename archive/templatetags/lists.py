"""The repeated parts of list pages, written out in Python: ``{% load lists %}``.

A page of results repeats the same markup many times: 20 to 100 article items, about
sixty facet links, up to fifty timeline bars. Django's template language costs a few
microseconds per variable and tag, which over those repetitions was most of the time a
list page spent rendering (about 7 of 10 ms for /articles/ on the 20,000-article
benchmark). These tags build the same markup with ``format_html``, which escapes every
value it is given exactly as ``{{ }}`` would, so the pages look and behave as before.

- ``{% article_item article level=2 hide_source=False %}``: one article in a list (its
  title, date, source, dateline, language and summary);
  ``{% article_item article title_html=hit.title_html summary_html=hit.snippet_html %}``
  the same for a search hit, with its highlighted title and snippet.
- ``{% facet_groups facets %}``: the facet sections of the filter panel.
- ``{% timeline_chart timeline %}``: the bars of the timeline as SVG.
"""

from __future__ import annotations

from django import template
from django.template.defaultfilters import pluralize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from archive.templatetags.published import published

register = template.Library()

SEP = mark_safe('<span class="sep" aria-hidden="true">·</span> ')
SUMMARY_WORDS = 40


@register.simple_tag
def article_item(article, level=2, hide_source=False, title_html=None, summary_html=None) -> SafeString:
    """``<article class="item">`` with the title as a heading of ``level``, the meta line and
    the summary (the lead paragraph cut to 40 words, or the search snippet when given)."""
    level = int(level) if str(level) in {"2", "3", "4"} else 2
    lang = format_html(' lang="{}"', article.language) if article.language != "en" else ""
    parts = [published(article)]
    if article.source_id and not hide_source:
        source = article.source
        parts.append(format_html('<span class="meta__part">{}<a href="{}">{}</a></span>',
                                 SEP, source.get_absolute_url(), source.name))
    if article.dateline:
        parts.append(format_html('<span class="meta__part">{}<span class="dateline">{}</span></span>',
                                 SEP, article.dateline))
    if article.language != "en":
        parts.append(format_html(
            '<span class="meta__part">{}<span class="visually-hidden">Language: </span>'
            '<span class="lang-badge" title="Language">{}</span></span>', SEP, article.language.upper()))
    if summary_html is not None:
        summary = format_html('<p class="item__summary snippet">{}</p>', summary_html)
    elif text := article.summary:
        summary = format_html('<p class="item__summary">{}</p>',
                              Truncator(text).words(SUMMARY_WORDS, truncate=" …"))
    else:
        summary = ""
    return format_html(
        '<article class="item"{}><h{} class="item__title"><a href="{}">{}</a></h{}>'
        '<p class="meta" lang="en">{}</p>{}</article>',
        lang, level, article.get_absolute_url(), article.title if title_html is None else title_html, level,
        mark_safe("\n".join(parts)), summary,
    )


@register.simple_tag
def facet_groups(groups) -> SafeString:
    """One ``<section class="facet">`` per group: its title, its values as links that add the
    value as a filter (the active one marked), and its note ("12 undated")."""
    sections = []
    for group in groups:
        items = format_html_join(
            "\n", '<li{}><a href="{}" rel="nofollow">{}</a> <span class="count">{}</span></li>',
            ((mark_safe(' class="is-active"') if item.active else "", item.add_url, item.label, item.count)
             for item in group.items),
        )
        note = ""
        if group.note:
            inner = format_html('<a href="{}" rel="nofollow">{}</a>', group.note_url, group.note) \
                if group.note_url else group.note
            note = format_html('<p class="facet__note muted">{}</p>', inner)
        sections.append(format_html(
            '<section class="facet"><h3 class="kind-heading">{}</h3><ul class="facet__list">{}</ul>{}</section>',
            group.title, items, note,
        ))
    return mark_safe("\n".join(sections))


@register.simple_tag
def timeline_chart(timeline) -> SafeString:
    """The timeline's bars: a linked ``<rect>`` per period with articles, a flat mark for an
    empty one. Numbers are written plainly (SVG wants a dot, whatever the locale)."""
    bars = []
    floor = timeline.height - 1
    for bar in timeline.bars:
        if bar.count:
            title = f"{bar.label}: {bar.count} article{pluralize(bar.count)}"
            bars.append(format_html(
                '<a href="{}" aria-label="{}"><rect class="timeline__bar" x="{}" y="{}" width="{}" height="{}">'
                "<title>{}</title></rect></a>",
                bar.url, title, _number(bar.x), _number(bar.y), _number(bar.width), _number(bar.height), title,
            ))
        else:
            bars.append(format_html(
                '<rect class="timeline__empty" x="{}" y="{}" width="{}" height="1">'
                "<title>{}: no articles</title></rect>",
                _number(bar.x), floor, _number(bar.width), bar.label,
            ))
    return mark_safe("\n".join(bars))


def _number(value) -> str:
    """A coordinate as ``{% localize off %}{{ value }}{% endlocalize %}`` writes it."""
    return str(value)
