"""The import service, through files on disk, as `import_articles` users run it."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError

from archive.ingest import importer
from archive.ingest.importer import import_articles
from archive.models import Article, Entity, Mention, MentionOrigin, Source, Tag
from archive.text import body_fingerprint
from tests.factories import make_article, make_entity

pytestmark = pytest.mark.django_db

PLAIN = (
    "source Steppe Energy Review\n"
    " date 2024-03-29 ASTANA – On March 29, 2024, State Power Investment Corporation said its new "
    "wind farm near Zhanatas was finished. SPIC will run it for twenty years.\n\n"
    "Turbines and Towers\n\n"
    "The turbines came from Goldwind, the company said.\n"
)
MARKDOWN = (
    "---\ntitle: Solar plant opens in Turkestan\ndate: 2023-05-02\nsource: Caspian Wire\n"
    "tags: solar power, investment\n---\n\nThe plant near Turkestan has 100 MW of panels.\n"
)


def jsonl_line(**fields) -> str:
    record = {"title": "Xi Jinping visits Astana", "body": "Xi Jinping met Tokayev in Astana.",
              "date": "2022-09-14", "source": "Caspian Wire"}
    record.update(fields)
    return json.dumps(record, ensure_ascii=False)


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "zhanatas.txt").write_text(PLAIN, "utf-8")
    (folder / "sub" / "solar.md").write_text(MARKDOWN, "utf-8")
    (folder / "wire.jsonl").write_text(
        "\n".join(
            [
                jsonl_line(
                    tags=["bilateral relations"],
                    entities=[{"name": "Kassym-Jomart Tokayev", "kind": "person", "aliases": ["Tokayev", "Токаев"]}],
                ),
                jsonl_line(title="Second", body="Goldwind opened an office.", date="2021-01-05T10:00:00+06:00"),
            ]
        ),
        "utf-8",
    )
    (folder / ".hidden.txt").write_text("garbage", "utf-8")
    (folder / "notes.docx").write_bytes(b"PK\x03\x04")
    return folder


def test_imports_every_format_from_a_folder(corpus):
    report = import_articles(paths=[corpus])
    assert report.failures == []
    assert len(report.created) == 4
    assert report.files == 3  # hidden files and unknown types inside folders are not import files
    plain = Article.objects.get(dateline="Astana")
    assert plain.source.name == "Steppe Energy Review"
    assert plain.title.startswith("State Power Investment Corporation said its new wind farm")
    assert "## Turbines and Towers" in plain.body
    solar = Article.objects.get(title="Solar plant opens in Turkestan")
    assert sorted(solar.tags.values_list("name", flat=True)) == ["investment", "solar power"]
    visit = Article.objects.get(title="Xi Jinping visits Astana")
    assert visit.tags.get().name == "bilateral relations"


def test_importing_the_same_files_twice_creates_nothing_new(corpus):
    first = import_articles(paths=[corpus])
    counts = (Article.objects.count(), Source.objects.count(), Tag.objects.count(),
              Entity.objects.count(), Mention.objects.count())
    second = import_articles(paths=[corpus])
    assert len(first.created) == 4
    assert len(second.created) == 0 and len(second.unchanged) == 4
    assert (Article.objects.count(), Source.objects.count(), Tag.objects.count(),
            Entity.objects.count(), Mention.objects.count()) == counts


def test_same_text_with_other_spacing_and_case_is_a_duplicate(tmp_path):
    (tmp_path / "a.jsonl").write_text(jsonl_line(body="Wind power grows in Kazakhstan."), "utf-8")
    (tmp_path / "b.jsonl").write_text(jsonl_line(body="WIND power   grows\nin Kazakhstan."), "utf-8")
    report = import_articles(paths=[tmp_path])
    assert len(report.created) == 1 and len(report.unchanged) == 1


def test_listed_entities_are_created_with_aliases_and_tagged(corpus):
    import_articles(paths=[corpus])
    tokayev = Entity.objects.get(name="Kassym-Jomart Tokayev")
    assert sorted(tokayev.aliases.values_list("name", flat=True)) == ["Tokayev", "Токаев"]
    mention = Mention.objects.get(entity=tokayev, article__title="Xi Jinping visits Astana")
    assert mention.origin == MentionOrigin.IMPORTED
    assert mention.count == 1


def test_known_entities_are_tagged_by_name_and_alias_on_import(corpus):
    spic = make_entity("State Power Investment Corporation", aliases=["SPIC"])
    goldwind = make_entity("Goldwind")
    import_articles(paths=[corpus])
    article = Article.objects.get(dateline="Astana")
    counts = dict(article.mentions.values_list("entity__name", "count"))
    assert counts == {spic.name: 2, goldwind.name: 1}
    assert set(article.mentions.values_list("origin", flat=True)) == {MentionOrigin.AUTOMATIC}


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("bad-date.txt", "date 2024-02-30 ASTANA – Text.\n", "the date '2024-02-30' does not exist"),
        ("bad-format.txt", "date 29/03/2024 ASTANA – Text.\n", "bad date '29/03/2024' (write dates as YYYY-MM-DD"),
        ("empty-body.txt", "source X\ndate 2024-02-01\n\n", "empty"),
        ("empty.txt", "", "empty"),
        ("latin1.txt", "date 2024-01-01 Almaty caf\xe9 text.\n".encode("latin-1"), "not UTF-8"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        ("huge.jsonl", "x" * 2_000_000, "longer than the limit for one article (1.0 MB)"),
        ("huge.txt", "date 2024-01-01 " + "x" * 2_000_000, "larger than the limit for one article"),
        ("front.md", "no front matter here\n", "front matter"),
        ("table.csv", "a,b\n", "unsupported"),
    ],
)
def test_malformed_files_are_reported_and_nothing_is_written(tmp_path, settings, name, content, reason):
    settings.IMPORT_MAX_ARTICLE_BYTES = 1_000_000
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    report = import_articles(paths=[path])
    assert len(report.created) == 0
    assert len(report.failures) == 1
    assert reason in report.failures[0].reason
    assert report.failures[0].file == str(path)
    assert Article.objects.count() == 0 and Source.objects.count() == 0


def test_a_missing_path_is_reported(tmp_path):
    report = import_articles(paths=[tmp_path / "nope.txt"])
    assert "no such file" in report.failures[0].reason


def test_jsonl_bad_lines_are_skipped_and_good_lines_imported(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join([jsonl_line(), "{broken", jsonl_line(title="B", body="Other text.", date="soon")]))
    report = import_articles(paths=[path])
    assert len(report.created) == 1
    assert [(f.line, "JSON" in f.reason or "date" in f.reason) for f in report.failures] == [(2, True), (3, True)]
    assert str(report.failures[0]).startswith(f"{path}:2: ")


def _break_the_article_titled(title: str, monkeypatch) -> None:
    """The database fails on that article, after it, its tags and its listed entities were written."""
    real_find = importer.find_mentions

    def failing_find(article, gazetteer):
        if article.title == title:
            raise DatabaseError("disk I/O error")
        return real_find(article, gazetteer)

    monkeypatch.setattr(importer, "find_mentions", failing_find)


def test_a_database_failure_leaves_nothing_of_that_article(tmp_path, monkeypatch):
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join([
        jsonl_line(title="First", body="First text.", tags=["alpha"]),
        jsonl_line(title="Broken", body="Second text.", tags=["beta"],
                   entities=[{"name": "Samruk-Kazyna", "kind": "organisation"}]),
        jsonl_line(title="Third", body="Third text.", tags=["gamma"]),
    ]))
    _break_the_article_titled("Broken", monkeypatch)
    report = import_articles(paths=[path])
    assert sorted(Article.objects.values_list("title", flat=True)) == ["First", "Third"]
    assert not Tag.objects.filter(name="beta").exists()
    assert not Entity.objects.filter(name="Samruk-Kazyna").exists()
    assert [(f.line, "disk I/O error" in f.reason) for f in report.failures] == [(2, True)], report.failures


def test_after_a_failed_batch_the_suggestions_name_only_the_articles_stored(tmp_path, monkeypatch):
    from archive.models import EntitySuggestion

    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(
        jsonl_line(title=title, body=f"Bankers said the Eurasian Development Bank would lend to {what}.")
        for title, what in (("First", "the grid"), ("Broken", "a wind farm"), ("Third", "the rail operator"))))
    _break_the_article_titled("Broken", monkeypatch)
    import_articles(paths=[path])
    stored = sorted(Article.objects.values_list("id", flat=True))
    suggestion = EntitySuggestion.objects.get(name="Eurasian Development Bank")
    assert len(stored) == 2 and sorted(suggestion.article_ids) == stored and suggestion.article_count == 2


def test_command_prints_a_summary_with_reasons_to_stderr_and_exits_1_on_failure(tmp_path, capsys):
    (tmp_path / "ok.txt").write_text(PLAIN, "utf-8")
    (tmp_path / "bad.txt").write_text("date 2024-99-01 ALMATY – Text.\n", "utf-8")
    with pytest.raises(CommandError) as raised:
        call_command("import_articles", str(tmp_path))
    assert raised.value.returncode == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "1 created, 0 unchanged, 1 failed, from 2 files" in err
    assert f"{tmp_path / 'bad.txt'}:1: the date '2024-99-01' does not exist" in err


def test_command_with_default_source_fills_articles_without_one(tmp_path):
    (tmp_path / "a.md").write_text("---\ndate: 2020-02-02\n---\nA short story about coal.\n", "utf-8")
    call_command("import_articles", str(tmp_path), "--source", "Field Notes", verbosity=0)
    assert Article.objects.get().source.name == "Field Notes"


def test_a_batch_gets_the_slugs_and_fingerprints_one_by_one_saving_would_give(tmp_path):
    make_article("Grid upgrade", "An older text.", "2020-01-01")
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join([
        jsonl_line(title="Grid upgrade", body="First new text."),
        jsonl_line(title="Grid upgrade", body="Second new text."),
        jsonl_line(title="Wind farm", body="Third new text."),
    ]))
    report = import_articles(paths=[path])
    assert len(report.created) == 3
    articles = Article.objects.filter(id__in=report.created).order_by("id")
    assert [a.slug for a in articles] == ["grid-upgrade-2", "grid-upgrade-3", "wind-farm"]
    assert [a.fingerprint for a in articles] == [body_fingerprint(a.body) for a in articles]


# Any size: streams, and a limit per article


def test_a_jsonl_file_larger_than_the_article_limit_is_imported_line_by_line(tmp_path, settings):
    settings.IMPORT_MAX_ARTICLE_BYTES = 2_000
    path = tmp_path / "wire.jsonl"
    lines = [jsonl_line(title=f"Story {n}", body=f"Wire story number {n} about the grid.") for n in range(300)]
    lines.insert(150, jsonl_line(title="Too long", body="word " * 1_000))
    path.write_text("\n".join(lines), "utf-8")
    assert path.stat().st_size > 10 * settings.IMPORT_MAX_ARTICLE_BYTES
    report = import_articles(paths=[path], batch_size=64)
    assert len(report.created) == 300
    assert [(f.line, "longer than the limit for one article" in f.reason) for f in report.failures] == [(151, True)]


def test_progress_counts_articles_and_bytes_of_one_file(tmp_path):
    path = tmp_path / "wire.jsonl"
    path.write_text("\n".join(jsonl_line(title=f"S{n}", body=f"Story {n}.") for n in range(120)), "utf-8")
    seen = []
    import_articles(paths=[path], progress=lambda state: seen.append(
        (state.articles, state.bytes_done, state.bytes_total, state.finished)))
    assert seen[-1] == (120, path.stat().st_size, path.stat().st_size, True)
    # Within the file, not only at its end: every 50 articles, with the bytes read so far.
    assert [(a, 0 < b < path.stat().st_size) for a, b, _, done in seen if not done and a in (50, 100)] == [
        (50, True), (100, True)]


# One bad record never costs the others


@pytest.mark.parametrize(
    ("body", "stored"),
    [
        ("Lone \\ud800 surrogate in the text.", "Lone \ufffd surrogate in the text."),
        ("A NUL\\u0000 byte and a bell\\u0007 here.", "A NUL byte and a bell here."),
        ("Form\\u000cfeed and C1\\u0085 controls.", "Form feed and C1 controls."),
    ],
)
def test_text_no_database_can_store_is_cleaned_and_the_others_still_import(tmp_path, body, stored):
    path = tmp_path / "wire.jsonl"
    # Written as JSON escapes, as real exports carry them.
    bad = '{"title": "Bad\\u0000 title \\udc00", "body": "BODY", "date": "2024-01-02"}'.replace("BODY", body)
    path.write_text("\n".join([jsonl_line(title="Before"), bad, jsonl_line(title="After", body="Other.")]), "utf-8")
    report = import_articles(paths=[path])
    assert report.failures == [] and len(report.created) == 3
    article = Article.objects.get(title="Bad title \ufffd")
    assert article.body == stored
    assert article.fingerprint == body_fingerprint(stored)


def test_a_line_that_is_not_utf8_is_reported_and_the_rest_imported(tmp_path):
    path = tmp_path / "wire.jsonl"
    path.write_bytes(b"\n".join([jsonl_line(title="A").encode(), b'{"title": "caf\xe9", "body": "x"}',
                                 jsonl_line(title="B", body="Other text.").encode()]))
    report = import_articles(paths=[path])
    assert len(report.created) == 2
    assert [(f.line, "not UTF-8" in f.reason) for f in report.failures] == [(2, True)]


def test_a_reader_that_breaks_down_costs_one_file_not_the_import(tmp_path, monkeypatch):
    from archive.ingest import files

    def broken(handle, **_):
        yield from ()
        raise RuntimeError("a bug in a reader")

    monkeypatch.setitem(files.READERS, "markdown", broken)
    (tmp_path / "a.md").write_text(MARKDOWN, "utf-8")
    (tmp_path / "b.txt").write_text(PLAIN, "utf-8")
    report = import_articles(paths=[tmp_path])
    assert len(report.created) == 1
    assert len(report.failures) == 1 and "a bug in a reader" in report.failures[0].reason


# Undated stories


def test_undated_stories_are_stored_and_counted(tmp_path):
    path = tmp_path / "wire.jsonl"
    path.write_text("\n".join([jsonl_line(title="Dated"), json.dumps({"title": "Undated", "body": "No date here."})]))
    report = import_articles(paths=[path])
    assert report.failures == [] and report.undated == 1
    assert Article.objects.get(title="Undated").published is None
    assert "1 undated" in report.summary()


def test_require_date_refuses_undated_stories(tmp_path):
    path = tmp_path / "wire.jsonl"
    path.write_text("\n".join([jsonl_line(title="Dated"), json.dumps({"title": "Undated", "body": "No date."})]))
    report = import_articles(paths=[path], require_date=True)
    assert len(report.created) == 1
    assert [(f.line, f.reason) for f in report.failures] == [(2, "the story has no date (--require-date)")]


# One story, one article


def test_the_same_url_in_another_spelling_is_the_same_story(tmp_path):
    make_article("Grid plan", "The first version of the text.", "2024-01-01",
                 url="https://www.eastern-grid.example/2024/05/grid-plan")
    path = tmp_path / "wire.jsonl"
    path.write_text("\n".join([
        jsonl_line(title="Grid plan", body="Feed summary of the story.",
                   url="http://eastern-grid.example/2024/05/grid-plan/?utm_source=rss&utm_campaign=x#comments"),
        jsonl_line(title="Other", body="A different story.", url="https://eastern-grid.example/2024/05/other?id=7"),
    ]))
    report = import_articles(paths=[path])
    assert len(report.created) == 1 and report.unchanged_count == 1
    assert "url is already in the archive" in report.unchanged[0]
    assert Article.objects.get(title="Other").url == "https://eastern-grid.example/2024/05/other?id=7"


def test_tracking_parameters_and_fragments_are_not_stored(tmp_path):
    path = tmp_path / "wire.jsonl"
    path.write_text(jsonl_line(url="https://caspian.example/a?page=2&utm_medium=feed&fbclid=x#top"))
    import_articles(paths=[path])
    assert Article.objects.get().url == "https://caspian.example/a?page=2"


LEAD = ("Kazakhstan's grid operator said on Monday that it would add two new lines between the north and the "
        "south of the country by 2027, easing the shortages that have forced regional utilities to import power "
        "from Russia and Kyrgyzstan during cold winters, and that financing talks with two development banks "
        "had reached their final stage.")


def test_a_resent_copy_under_a_new_headline_is_linked_to_the_original_and_reported(tmp_path):
    path = tmp_path / "wire.jsonl"
    path.write_text("\n".join([
        jsonl_line(title="Grid operator plans north-south lines", body=LEAD),
        jsonl_line(title="CORRECTED: Grid operator plans two lines",
                   body=LEAD + " (Corrects the year in paragraph 1.)"),
        jsonl_line(title="Unrelated", body="Solar panels for schools in Shymkent."),
    ]))
    report = import_articles(paths=[path])
    original = Article.objects.get(title="Grid operator plans north-south lines")
    copy = Article.objects.get(title="CORRECTED: Grid operator plans two lines")
    assert copy.duplicate_of == original
    assert Article.objects.get(title="Unrelated").duplicate_of is None
    assert report.near_duplicate_count == 1
    assert (report.near_duplicates[0].article_id, report.near_duplicates[0].original_id) == (copy.id, original.id)
    assert "1 near-duplicate" in report.summary()


def test_a_story_arriving_by_feed_page_and_archive_is_stored_once(tmp_path):
    from tests.archive.ingest.conftest import FIXTURES
    from tests.archive.ingest.test_formats import build_warc

    (tmp_path / "crawl.warc.gz").write_bytes(build_warc(gzip=True))
    (tmp_path / "page.html").write_bytes((FIXTURES / "pages" / "shymkent-solar-tender.html").read_bytes())
    (tmp_path / "feed.jsonl").write_text(jsonl_line(
        title="Shymkent tender", body="Feed teaser.",
        url="https://steppe-energy.example/2024/04/shymkent-rooftop-solar?utm_source=rss"))
    report = import_articles(paths=[tmp_path])
    assert report.failures == []
    assert Article.objects.filter(url__contains="shymkent-rooftop-solar").count() == 1
    assert report.unchanged_count == 2


def test_an_import_offers_a_known_name_with_a_title_as_its_alias(tmp_path):
    from archive.models import EntityKind, EntitySuggestion

    tokayev = make_entity("Kassym-Jomart Tokayev", kind=EntityKind.PERSON, aliases=["Tokayev"])
    path = tmp_path / "feed.jsonl"
    path.write_text(jsonl_line(title="Leaders meet", body=(
        "President Xi Jinping met President Tokayev in Beijing on Wednesday, and the two leaders agreed to "
        "expand trade.")))
    import_articles(paths=[path])
    assert EntitySuggestion.objects.get(name="President Tokayev").target == tokayev
