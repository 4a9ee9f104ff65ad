"""PlainSelect writes what Django's Select writes (the filter panel relies on it), escaped the same way."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django import forms

from archive.widgets import PlainSelect

CHOICES = [("", "Any entity"), ("person", "People"), ("org", "Organisations & <bodies>"), (3, "Three")]


class _Shape(HTMLParser):
    """Tags with their attributes (in any order) and text, whitespace between tags ignored."""

    def __init__(self):
        super().__init__()
        self.parts: list = []

    def handle_starttag(self, tag, attrs):
        self.parts.append((tag, sorted(attrs, key=lambda pair: pair[0])))

    def handle_endtag(self, tag):
        self.parts.append(("/", tag))

    def handle_data(self, data):
        if data.strip():
            self.parts.append(("text", data.strip()))


def _normalised(html: str) -> list:
    shape = _Shape()
    shape.feed(html)
    return shape.parts


@pytest.mark.parametrize("value", [None, "", "org", 3, "3", "missing"])
def test_plain_select_matches_djangos_select(value):
    attrs = {"id": "id_kind", "class": "pick"}
    plain = PlainSelect(choices=CHOICES).render("kind", value, attrs=attrs)
    stock = forms.Select(choices=CHOICES).render("kind", value, attrs=attrs)
    assert _normalised(plain) == _normalised(stock)


def test_plain_select_escapes_labels_and_values():
    html = PlainSelect(choices=[('"><script>', "<b>bold</b>")]).render("x", None)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
