"""The import service, through files on disk, as `import_articles` users run it."""

import json

import pytest
from django.core.management import call_command
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
    assert second.created == [] and len(second.unchanged) == 4
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
        ("bad-date.txt", "date 2024-02-30 ASTANA – Text.\n", "bad date"),
        ("no-date.txt", "ASTANA – Text without a date line.\n", "date"),
        ("empty-body.txt", "source X\ndate 2024-02-01\n\n", "empty"),
        ("empty.txt", "", "empty"),
        ("latin1.txt", "date 2024-01-01 Almaty caf\xe9 text.\n".encode("latin-1"), "not UTF-8"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        ("huge.jsonl", "x" * 2_000_000, "too large"),
        ("front.md", "no front matter here\n", "front matter"),
        ("table.csv", "a,b\n", "unsupported"),
    ],
)
def test_malformed_files_are_reported_and_nothing_is_written(tmp_path, settings, name, content, reason):
    settings.IMPORT_MAX_FILE_BYTES = 1_000_000
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    report = import_articles(paths=[path])
    assert report.created == []
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


def test_a_database_failure_leaves_nothing_of_that_article(tmp_path, monkeypatch):
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join([
        jsonl_line(title="First", body="First text.", tags=["alpha"]),
        jsonl_line(title="Broken", body="Second text.", tags=["beta"],
                   entities=[{"name": "Samruk-Kazyna", "kind": "organisation"}]),
        jsonl_line(title="Third", body="Third text.", tags=["gamma"]),
    ]))
    real_find = importer.find_mentions

    def failing_find(article, gazetteer):
        # Fails after the article, its tags and its listed entity were written.
        if article.title == "Broken":
            raise DatabaseError("disk I/O error")
        return real_find(article, gazetteer)

    monkeypatch.setattr(importer, "find_mentions", failing_find)
    report = import_articles(paths=[path])
    assert sorted(Article.objects.values_list("title", flat=True)) == ["First", "Third"]
    assert not Tag.objects.filter(name="beta").exists()
    assert not Entity.objects.filter(name="Samruk-Kazyna").exists()
    assert [(f.line, "disk I/O error" in f.reason) for f in report.failures] == [(2, True)]


def test_command_prints_progress_and_a_summary_with_reasons(tmp_path, capsys):
    (tmp_path / "ok.txt").write_text(PLAIN, "utf-8")
    (tmp_path / "bad.txt").write_text("date 2024-99-01 ALMATY – Text.\n", "utf-8")
    call_command("import_articles", str(tmp_path))
    out, err = capsys.readouterr()
    assert "1 created, 0 unchanged, 1 failed, from 2 files" in out
    assert f"{tmp_path / 'bad.txt'}:1: bad date '2024-99-01'" in err
    assert "Importing [" in err and "2/2" in err


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
