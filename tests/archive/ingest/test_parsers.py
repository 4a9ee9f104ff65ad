"""The parsers are pure: text in, ParsedArticle or ParseFailure out."""

import datetime as dt
import json

from archive.ingest.base import ParsedArticle, ParseFailure
from archive.ingest.jsonl import parse_jsonl
from archive.ingest.markdown import parse_markdown
from archive.ingest.plaintext import parse_plaintext, split_dateline

PLAIN = (
    " date 2024-03-29 ASTANA – On March 29, 2024, Kazakhstan and China signed an agreement on a "
    "new wind farm in the Zhambyl region. The deal was announced in Astana.\n"
    "\n"
    "The project will have 60 turbines.\n"
    "\n"
    "Financing and Equipment\n"
    "\n"
    "Banks from both countries will lend the money, officials said.\n"
)


def only(results) -> ParsedArticle:
    assert len(results) == 1 and isinstance(results[0], ParsedArticle), results
    return results[0]


def test_plaintext_reads_date_dateline_and_first_paragraph_from_one_line():
    article = only(parse_plaintext(PLAIN))
    assert article.published == dt.date(2024, 3, 29)
    assert article.dateline == "Astana"
    assert article.body.startswith("On March 29, 2024, Kazakhstan and China signed")
    assert "ASTANA" not in article.body


def test_plaintext_derives_a_title_from_the_first_sentence_without_the_date_clause():
    article = only(parse_plaintext(PLAIN))
    assert article.title == (
        "Kazakhstan and China signed an agreement on a new wind farm in the Zhambyl region"
    )


def test_a_sentence_with_no_phrase_boundary_at_all_is_shortened_at_a_word_boundary():
    long_sentence = "word " * 60
    article = only(parse_plaintext(f"date 2020-01-01 ALMATY - {long_sentence.strip()}.\n"))
    assert len(article.title) <= 200
    assert article.title.endswith("…")
    assert article.title[:-1].split(" ")[-1] == "word"


def test_plaintext_marks_short_unpunctuated_lines_as_subheadings():
    article = only(parse_plaintext(PLAIN))
    blocks = article.body.split("\n\n")
    assert blocks[2] == "## Financing and Equipment"
    assert blocks[1] == "The project will have 60 turbines."
    assert len(blocks) == 4


def test_plaintext_honours_header_lines():
    text = (
        "title Wind deal signed\nsource Caspian Wire\nurl https://caspian.example/a\nlanguage ru\n" + PLAIN
    )
    article = only(parse_plaintext(text))
    assert article.title == "Wind deal signed"
    assert article.source == "Caspian Wire"
    assert article.url == "https://caspian.example/a"
    assert article.language == "ru"


def test_dateline_accepts_en_dash_em_dash_and_hyphen():
    for dash in ("–", "—", "-"):
        place, rest = split_dateline(f"NUR-SULTAN {dash} The minister spoke.")
        assert (place, rest) == ("NUR-SULTAN", "The minister spoke.")


def test_a_story_without_dateline_keeps_its_first_words():
    article = only(parse_plaintext("date 2020-05-01 The ministry said on Friday that it would act.\n"))
    assert article.dateline == ""
    assert article.body == "The ministry said on Friday that it would act."


def test_plaintext_without_date_line_is_an_undated_story():
    article = only(parse_plaintext("source Caspian Wire\n\nSHYMKENT – Kazakhstan and China signed a deal.\n"))
    assert article.published is None
    assert article.source == "Caspian Wire"
    assert article.dateline == "Shymkent"
    assert article.body == "Kazakhstan and China signed a deal."


def test_plaintext_bad_date_is_reported():
    results = parse_plaintext("date 2024-13-45 ASTANA – Text of the story.\n")
    assert isinstance(results[0], ParseFailure)
    assert "2024-13-45" in results[0].reason


def test_plaintext_empty_body_is_reported():
    results = parse_plaintext("source Caspian Wire\ndate 2024-01-01\n\n\n")
    assert isinstance(results[0], ParseFailure)
    assert "empty" in results[0].reason


def test_markdown_front_matter_and_subheadings():
    text = (
        "---\ntitle: Goldwind turbines arrive\ndate: 2021-09-14\nsource: Caspian Wire\n"
        "dateline: TARAZ\ntags: wind power, manufacturing\n---\n\n"
        "First paragraph with **bold** and a [link](https://example.org/).\n\n## Next steps\n\nMore text.\n"
    )
    article = only(parse_markdown(text))
    assert article.title == "Goldwind turbines arrive"
    assert article.tags == ["wind power", "manufacturing"]
    assert article.dateline == "Taraz"
    assert article.body == "First paragraph with bold and a link.\n\n## Next steps\n\nMore text."


def test_markdown_without_closing_front_matter_fails():
    results = parse_markdown("---\ntitle: x\ndate: 2021-01-01\n\nBody.\n")
    assert isinstance(results[0], ParseFailure)
    assert "not closed" in results[0].reason


def test_markdown_without_title_derives_one():
    article = only(parse_markdown("---\ndate: 2021-01-01\n---\nSany opened a plant in Almaty. It is big.\n"))
    assert article.title == "Sany opened a plant in Almaty"


def test_jsonl_reports_bad_lines_by_number_and_keeps_good_ones():
    good = {"title": "A", "body": "Text.", "date": "2022-06-14T09:30:00+06:00", "tags": ["wind power"]}
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps({"title": "B", "body": "Text."}),
        json.dumps({"title": "C", "body": "   ", "date": "2022-01-01"}),
        json.dumps(["a list"]),
        json.dumps({"title": "D", "body": "Text two.", "date": "2022-01-02", "language": "english"}),
        "",
        json.dumps({**good, "title": "E", "body": "Another text.", "extra_key": 1}),
    ]
    results = parse_jsonl("\n".join(lines))
    articles = [r for r in results if isinstance(r, ParsedArticle)]
    failures = {r.line: r.reason for r in results if isinstance(r, ParseFailure)}
    assert [a.title for a in articles] == ["A", "B", "E"]
    assert articles[0].published == dt.date(2022, 6, 14)
    assert articles[1].published is None  # no date: an undated story
    assert set(failures) == {2, 4, 5, 6}
    assert "JSON" in failures[2]
    assert "empty" in failures[4]
    assert "language" in failures[6]


def test_jsonl_entities_are_checked():
    line = json.dumps(
        {"title": "A", "body": "B.", "date": "2020-01-01", "entities": [{"name": "X", "kind": "planet"}]}
    )
    (result,) = parse_jsonl(line)
    assert isinstance(result, ParseFailure)
    assert "planet" in result.reason


def test_future_dates_are_rejected():
    (result,) = parse_jsonl(json.dumps({"title": "A", "body": "B.", "date": "2999-01-01"}))
    assert isinstance(result, ParseFailure)
    assert "future" in result.reason
