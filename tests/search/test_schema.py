"""search/schema.py: the body text the index holds, as searches rebuild it for snippets."""

import sys

from hypothesis import example, given, settings
from hypothesis import strategies as st

from archive.models import Article
from search.schema import OTHER_SPACES, body_text


def blocks_joined(article: Article) -> str:
    """The definition: the lede, then the text of every block, a blank line between each."""
    return "\n\n".join([article.lede] * bool(article.lede) + [block.text for block in article.blocks()])


# Words, the spaces str.split() knows (line breaks, tabs, no-break and ideographic spaces,
# separators), subheading marks and characters that are not printable but are no space.
PIECES = st.sampled_from([
    "wind", "Жанатас", "café", "42", "#", "##", "## ", "###", " ", "  ", "\n", "\n\n", "\n\n\n", "\n \n", "\t",
    "\r\n", "\xa0", "\u3000", "\u2028", "\u2007", "\u200a", "\x1c", "\x85", "\u200b", "\xad", "\x00",
    ".", "-", " \n", "\n ", "\n\n ",
])


@settings(max_examples=500, deadline=None)
# One body for each way out of block form, and ones in it with characters that are neither
# printable nor spaces.
@example(body="wind\nwind", lede="")
@example(body="wind \n\nwind", lede="")
@example(body="wind\n\n wind", lede="")
@example(body="wind\n\n\nwind", lede="")
@example(body="wind\u2007wind", lede="")
@example(body="wind  wind", lede="")
@example(body=" ## wind", lede="")
@example(body="## wind\u200b\n\nwind\x00\xad", lede="A lede.")
@given(body=st.lists(PIECES, max_size=40).map("".join), lede=st.sampled_from(["", "A lede.", " odd  lede "]))
def test_the_body_text_is_the_lede_and_the_blocks_of_any_body(body, lede):
    article = Article(title="t", body=body, lede=lede)
    assert body_text(article) == blocks_joined(article)


def test_paragraphs_and_subheadings_in_block_form_keep_their_text_without_the_marks():
    body = "## The grid\n\nWind turbines turn near Zhanatas.\n\n#hashtag stays\n\n### Deeper # heading\n\nЖанатас."
    article = Article(title="t", body=body, lede="Lede first.")
    assert body_text(article) == (
        "Lede first.\n\nThe grid\n\nWind turbines turn near Zhanatas.\n\n#hashtag stays\n\nDeeper # heading\n\nЖанатас."
    )
    assert body_text(article) == blocks_joined(article)


def test_the_other_spaces_are_every_space_str_split_knows_but_the_space_and_the_line_break():
    spaces = {chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()}
    assert set(OTHER_SPACES) == spaces - {" ", "\n"}
