"""Management commands as an operator runs them: the sample archive, the first admin, tagging."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from archive.models import Alias, Article, Entity, EntityKind, Mention, MentionOrigin, Source
from tests.factories import make_article, make_entity

pytestmark = pytest.mark.django_db

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
PASSWORD_LINE = re.compile(r"password: (\S+)")


def run(command: str, *args, **options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(command, *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def archive_counts() -> dict[str, int]:
    return {
        "articles": Article.objects.count(),
        "sources": Source.objects.count(),
        "entities": Entity.objects.count(),
        "aliases": Alias.objects.count(),
        "mentions": Mention.objects.count(),
    }


# load_sample


@pytest.fixture
def sample_loaded():
    out, err = run("load_sample")
    return out, err


def test_load_sample_fills_an_empty_archive_without_failures(sample_loaded):
    out, err = sample_loaded
    assert Article.objects.count() >= 45
    assert Source.objects.count() >= 5
    assert Entity.objects.count() >= 60
    assert err == ""
    assert " 0 failed" in out


def test_load_sample_gives_every_article_a_source_and_text(sample_loaded):
    assert not Article.objects.filter(source=None).exists()
    assert not Article.objects.filter(body="").exists()
    assert not Article.objects.filter(title="").exists()


def test_load_sample_covers_every_kind_of_entity(sample_loaded):
    kinds = set(Entity.objects.values_list("kind", flat=True))
    assert kinds == set(EntityKind.values)


def test_load_sample_includes_aliases_in_cyrillic(sample_loaded):
    aliases = list(Alias.objects.values_list("name", flat=True))
    cyrillic = [name for name in aliases if CYRILLIC.search(name)]
    assert len(cyrillic) >= 5, cyrillic


def test_load_sample_tags_articles_with_the_entities_they_mention(sample_loaded):
    untagged = Article.objects.filter(mentions=None).values_list("title", flat=True)
    assert list(untagged) == []
    assert Entity.objects.most_mentioned().exists()


@pytest.mark.django_db(transaction=True)
def test_load_sample_into_a_new_archive_builds_its_index_and_search_finds_the_articles(client):
    """No 503 after migrate and load_sample: loading builds the missing index."""
    from search.index import index_state

    assert index_state() == "missing"
    run("load_sample")
    assert index_state() == "ok"
    for article in Article.objects.order_by("id")[:3]:
        response = client.get("/search/", {"q": article.title})
        assert response.status_code == 200
        assert f'href="{article.get_absolute_url()}"' in response.content.decode()


def test_load_sample_run_again_adds_nothing(sample_loaded):
    before = archive_counts()
    out, err = run("load_sample")
    assert archive_counts() == before
    assert "not loaded again" in out
    assert err == ""


def test_load_sample_forced_over_itself_adds_nothing(sample_loaded):
    before = archive_counts()
    out, err = run("load_sample", force=True)
    assert archive_counts() == before
    assert " 0 created" in out
    assert err == ""


# create_admin


def printed_password(out: str) -> str | None:
    match = PASSWORD_LINE.search(out)
    return match.group(1) if match else None


def test_create_admin_creates_one_superuser_whose_printed_password_works():
    out, _ = run("create_admin")

    password = printed_password(out)
    assert password and len(password) >= 12
    User = get_user_model()
    assert User.objects.count() == 1
    user = authenticate(username="admin", password=password)
    assert user is not None
    assert user.is_superuser and user.is_staff and user.is_active
    assert authenticate(username="admin", password=password + "x") is None


def test_create_admin_with_a_chosen_username():
    out, _ = run("create_admin", username="chief")
    assert authenticate(username="chief", password=printed_password(out)).is_superuser


def test_create_admin_points_at_the_address_the_app_is_served_on():
    assert "http://127.0.0.1:8000/admin/" in run("create_admin")[0]
    get_user_model().objects.all().delete()
    assert "Sign in at http://127.0.0.1:8001/admin/" in run("create_admin", site="http://127.0.0.1:8001")[0]


def test_create_admin_run_again_creates_nothing_and_prints_no_password():
    first, _ = run("create_admin")
    password = printed_password(first)

    second, _ = run("create_admin")

    assert get_user_model().objects.count() == 1
    assert printed_password(second) is None
    assert password not in second
    assert authenticate(username="admin", password=password) is not None  # the first password still works


def test_create_admin_gives_each_fresh_database_its_own_password():
    first, _ = run("create_admin")
    get_user_model().objects.all().delete()  # as good as a fresh database
    second, _ = run("create_admin")
    assert printed_password(first) != printed_password(second)


# tag_entities


def test_tag_entities_tags_every_article_with_the_entities_it_names():
    goldwind = make_entity("Goldwind", kind=EntityKind.ORGANISATION)
    astana = make_entity("Astana", kind=EntityKind.PLACE, aliases=["Нур-Султан", "Астана"])
    first = make_article(body="Goldwind opened an office in Астана. Goldwind is hiring.")
    second = make_article(body="Officials in Нур-Султан approved the plan.")
    third = make_article(body="Nothing known is named here.")

    out, _ = run("tag_entities", verbosity=0)

    def mentions(article):
        return {(m.entity_id, m.count, m.origin) for m in Mention.objects.filter(article=article)}

    auto = MentionOrigin.AUTOMATIC
    assert mentions(first) == {(goldwind.pk, 2, auto), (astana.pk, 1, auto)}
    assert mentions(second) == {(astana.pk, 1, auto)}
    assert mentions(third) == set()
    assert "Tagged 3 articles" in out


def test_tag_entities_limited_to_given_ids_leaves_other_articles_alone():
    make_entity("Goldwind", kind=EntityKind.ORGANISATION)
    chosen = make_article(body="Goldwind builds turbines.")
    other = make_article(body="Goldwind builds towers.")

    out, _ = run("tag_entities", str(chosen.pk), verbosity=0)

    assert Mention.objects.filter(article=chosen).count() == 1
    assert Mention.objects.filter(article=other).count() == 0
    assert "Tagged 1 article with" in out


def test_tag_entities_in_small_batches_still_reaches_every_article():
    make_entity("Goldwind", kind=EntityKind.ORGANISATION)
    articles = [make_article(body=f"Goldwind report number {i}.") for i in range(7)]

    run("tag_entities", batch_size=2, verbosity=0)

    assert Mention.objects.filter(article__in=articles).count() == 7


# import_articles: exit status, summary, report, progress, the index


from django.core.management.base import CommandError  # noqa: E402

from archive.ingest.importer import Progress  # noqa: E402
from archive.management.commands.import_articles import ImportProgress  # noqa: E402

STORY = "date 2024-03-29 ASTANA – Kazakhstan and China signed a deal on wind power.\n"


def import_command(*args, **options) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of import_articles, as a shell would see them."""
    out, err = StringIO(), StringIO()
    try:
        call_command("import_articles", *map(str, args), stdout=out, stderr=err, **options)
        status = 0
    except CommandError as error:
        status = error.returncode
        err.write(str(error))
    return status, out.getvalue(), err.getvalue()


def test_import_exits_0_when_everything_was_imported_or_already_there(tmp_path):
    (tmp_path / "a.txt").write_text(STORY, "utf-8")
    assert import_command(tmp_path)[0] == 0
    status, out, err = import_command(tmp_path)
    assert status == 0 and out == ""
    assert "0 created, 1 unchanged, 0 failed, from 1 file" in err


def test_import_exits_1_when_anything_failed(tmp_path):
    (tmp_path / "a.txt").write_text(STORY, "utf-8")
    (tmp_path / "b.jsonl").write_text('{"body": ""}\n', "utf-8")
    status, _, err = import_command(tmp_path)
    assert status == 1
    assert "1 created, 0 unchanged, 1 failed" in err and "b.jsonl:1: the body is empty" in err


@pytest.mark.parametrize("make", [
    lambda tmp: tmp / "missing.jsonl",
    lambda tmp: (tmp / "table.csv").write_text("a,b\n") and tmp / "table.csv",
    lambda tmp: tmp,  # a folder with nothing Dossier reads
])
def test_import_exits_2_for_usage_errors_and_imports_nothing(tmp_path, make):
    (tmp_path / "notes.docx").write_bytes(b"PK")
    status, _, err = import_command(make(tmp_path))
    assert status == 2 and err
    assert Article.objects.count() == 0


def test_import_with_an_unknown_format_option_is_a_usage_error(tmp_path):
    (tmp_path / "a.txt").write_text(STORY, "utf-8")
    with pytest.raises(CommandError):  # argparse: invalid choice (exit status 2 on the command line)
        call_command("import_articles", str(tmp_path / "a.txt"), "--format", "docx")


def test_format_option_reads_a_file_whatever_its_name(tmp_path):
    (tmp_path / "export.json").write_text('{"title": "T", "body": "A story.", "date": "2024-01-01"}\n', "utf-8")
    assert import_command(tmp_path / "export.json", "--format", "jsonl")[0] == 0
    assert Article.objects.get().title == "T"


def test_report_file_lists_every_failure_as_json_lines(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    wire = folder / "wire.jsonl"
    wire.write_text('{"body": "Fine."}\n{broken\n{"body": "x", "date": "2024-02-30"}\n', "utf-8")
    (folder / "bad.md").write_text("no front matter\n", "utf-8")
    report = tmp_path / "failures.jsonl"
    status, _, _ = import_command(folder, "--report", report)
    assert status == 1
    rows = [json.loads(line) for line in report.read_text("utf-8").splitlines()]
    assert rows == [
        {"file": str(folder / "bad.md"), "line": 1, "reason": "no front matter: the file must start with a '---' line"},
        {"file": str(wire), "line": 2, "reason": rows[1]["reason"]},
        {"file": str(wire), "line": 3, "reason": "the date '2024-02-30' does not exist"},
    ]
    assert rows[1]["reason"].startswith("not valid JSON")


def test_require_date_option_refuses_undated_stories(tmp_path):
    (tmp_path / "a.txt").write_text("source Wire\n\nA story that carries no date at all.\n", "utf-8")
    status, _, err = import_command(tmp_path, "--require-date")
    assert status == 1 and "no date" in err
    assert import_command(tmp_path)[0] == 0
    assert Article.objects.get().published is None


def test_progress_line_names_articles_bytes_rate_and_time_left():
    state = Progress(articles=20_000, bytes_done=50_000_000, bytes_total=200_000_000, files_done=0, files_total=1)
    line = ImportProgress.line(state, elapsed=100.0)
    assert line == "Importing: 20,000 articles (200/s) · 50.0 of 200.0 MB (25%) · about 5 min 00 s left"
    many = Progress(articles=30, bytes_done=3_000, bytes_total=9_000, files_done=3, files_total=9)
    assert ImportProgress.line(many, elapsed=6.0) == "Importing: 30 articles (5/s) · file 4 of 9 · about 12 s left"


def test_progress_in_a_log_is_plain_periodic_lines(tmp_path):
    (tmp_path / "wire.jsonl").write_text("\n".join(
        json.dumps({"title": f"S{n}", "body": f"Story {n}.", "date": "2024-01-01"}) for n in range(120)), "utf-8")
    stream = StringIO()
    from archive.ingest.importer import import_articles

    import_articles(paths=[tmp_path], progress=ImportProgress(stream, log_interval=0.0))
    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue() and "\x1b" not in stream.getvalue()
    assert lines[0].startswith("Importing: 50 articles")
    assert lines[-1].startswith("Importing: 120 articles") and "done in" in lines[-1]


def test_a_new_archive_indexes_itself_on_its_first_import(tmp_path, client):
    from search.index import index_state

    (tmp_path / "a.txt").write_text(STORY, "utf-8")
    assert index_state() == "missing"
    assert import_command(tmp_path)[0] == 0
    assert index_state() == "ok"
    response = client.get("/search/", {"q": "wind"})
    assert response.status_code == 200
    assert "Kazakhstan and China signed a deal on" in response.content.decode()
