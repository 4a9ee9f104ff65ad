"""Derived titles, slugs, URL keys and text cleaning (archive/text.py)."""

from __future__ import annotations

import pytest

from archive.text import clean_text, derive_title, lead_fingerprint, slug_base, url_key


@pytest.mark.parametrize(("sentence", "title"), [
    # The main clause ends before an attribution, "as", a participle, "according to" ...
    ("Kazakhstan intends to become carbon neutral by 2060, President Kassym-Jomart Tokayev told a virtual "
     "climate summit on Saturday, in the country's most far-reaching climate commitment to date.",
     "Kazakhstan intends to become carbon neutral by 2060"),
    ("Freight traffic between Kazakhstan and China has slowed sharply as both countries tighten health "
     "controls at border crossings, railway and customs officials said on Monday.",
     "Freight traffic between Kazakhstan and China has slowed sharply"),
    ("Kazakhstan will award new wind and solar capacity through competitive bidding this year, replacing the "
     "fixed feed-in tariffs that have underpinned the sector since 2014.",
     "Kazakhstan will award new wind and solar capacity through competitive bidding this year"),
    # No place to cut the main clause: the whole sentence, not half a phrase with an ellipsis.
    ("Kazakhstan's President Kassym-Jomart Tokayev's pivotal visit to China marks a new stage in the "
     "partnership of the two neighbours.",
     "Kazakhstan's President Kassym-Jomart Tokayev's pivotal visit to China marks a new stage in the "
     "partnership of the two neighbours"),
    ("One of the first solar power stations in Kazakhstan is still producing electricity near the shores of "
     "the Kapshagay reservoir, a reminder of how far the sector has come.",
     "One of the first solar power stations in Kazakhstan is still producing electricity near the shores of "
     "the Kapshagay reservoir, a reminder of how far the sector has come"),
])
def test_a_derived_title_is_a_complete_phrase(sentence, title):
    assert derive_title(sentence) == title
    assert "…" not in derive_title(sentence)


@pytest.mark.parametrize("sentence", [
    # A comma after an opening phrase or an appositive is not the end of the main clause.
    "In the town of Ekibastuz, where open-pit coal mines stretch to the horizon, the talk of an energy "
    "transition can seem distant.",
    "Masdar, the renewable energy company from the United Arab Emirates, is preparing a 1 GW wind project in "
    "Kazakhstan together with state partners.",
])
def test_a_title_is_never_cut_before_its_main_verb(sentence):
    assert derive_title(sentence) == sentence.rstrip(".")


def test_no_sample_title_ends_mid_phrase():
    """The sample corpus, parsed: no derived title ends with an ellipsis or a dangling little word."""
    from pathlib import Path

    from archive.ingest.base import ParsedArticle
    from archive.ingest.files import parse_file

    titles = [
        result.title
        for path in sorted(Path("archive/sample/articles").iterdir())
        for result in parse_file(path, max_bytes=5_000_000)
        if isinstance(result, ParsedArticle)
    ]
    assert len(titles) >= 45
    dangling = {"a", "an", "the", "of", "to", "and", "in", "on", "at", "for", "with", "by", "its", "their"}
    assert [t for t in titles if t.endswith("…") or t.rsplit(" ", 1)[-1].lower() in dangling] == []


@pytest.mark.parametrize(("text", "slug"), [
    ("China–Central Asia summit", "china-central-asia-summit"),
    ("China—Central Asia — the summit", "china-central-asia-the-summit"),
    ("Токаев посетил Пекин", "tokaev-posetil-pekin"),
    ("Қазақстан мен Қытай", "qazaqstan-men-qytay"),
    ("中国 中亚峰会", "zhongguo-zhongyafenghui"),
    ("Café in Almaty", "cafe-in-almaty"),
    ("!!!", "article"),
])
def test_slugs_transliterate_other_scripts_and_keep_dashes(text, slug):
    assert slug_base(text, fallback="article") == slug


@pytest.mark.parametrize(("a", "b"), [
    ("https://www.example.org/2024/05/story", "http://example.org/2024/05/story/"),
    ("https://example.org/a?utm_source=rss&utm_medium=feed#comments", "https://EXAMPLE.org/a"),
    ("https://example.org/a?b=2&a=1&fbclid=x", "https://example.org/a?a=1&b=2"),
])
def test_one_story_one_url_key(a, b):
    assert url_key(a) == url_key(b) != ""


def test_different_stories_keep_different_url_keys():
    assert url_key("https://example.org/a?id=1") != url_key("https://example.org/a?id=2")
    assert url_key("https://example.org/a") != url_key("https://example.net/a")


def test_a_resent_copy_shares_the_lead_fingerprint_and_a_short_text_has_none():
    body = " ".join(f"word{n}" for n in range(80))
    assert lead_fingerprint(body) == lead_fingerprint(body + " A correction at the end.") != ""
    assert lead_fingerprint("Too short to tell.") == ""


@pytest.mark.parametrize(("raw", "clean"), [
    ("lone \ud800 high", "lone \ufffd high"),
    ("nul\x00 and bell\x07 and del\x7f", "nul and bell and del"),
    ("line\u2028separator and\x0cfeed", "line\nseparator and\nfeed"),
    ("Кириллица and 中文 stay", "Кириллица and 中文 stay"),
])
def test_clean_text_leaves_what_every_database_stores_the_same_way(raw, clean):
    assert clean_text(raw) == clean
    clean_text(raw).encode("utf-8")  # never raises
