"""Upload in the admin: files in any format the importer reads become an import job with a visible result.

The sample files here were written for these tests.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from archive.models import Article, Job, JobStatus, UploadedFile

UPLOAD = "/admin/archive/job/upload/"

PLAIN = (
    " date 2024-05-14 PAVLODAR – A new ferroalloy line started work at the Pavlodar plant on Tuesday, "
    "the operator said.\n\nThe line doubles the plant's output of silicon alloys.\n"
).encode()
JSONL = (
    b'{"title": "Grid upgrade in Karaganda", "body": "The regional grid company replaced two substations.", '
    b'"date": "2024-06-01"}\n'
    b'{"title": "No text here", "date": "2024-06-02"}\n'
)
MARKDOWN = (
    b"---\ntitle: Steppe solar park opens\ndate: 2024-07-02\ntags: solar, energy\n---\n"
    b"A solar park of 100 MW opened near Balkhash.\n"
)


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("editor", "", "pw-for-tests-only")
    client.force_login(user)
    return client


def upload(client, *files, **extra):
    return client.post(UPLOAD, {"files": list(files), **extra})


def test_uploaded_files_of_every_format_are_imported_by_a_job_and_the_result_is_shown(admin_client):
    response = upload(
        admin_client,
        SimpleUploadedFile("pavlodar.txt", PLAIN),
        SimpleUploadedFile("grid.jsonl", JSONL),
        SimpleUploadedFile("solar.md", MARKDOWN),
    )
    job = Job.objects.get(name="import_upload")
    assert response.status_code == 302 and response["Location"] == f"/admin/archive/job/{job.pk}/change/"
    assert job.status == JobStatus.SUCCEEDED  # the tests' immediate backend runs it at once
    assert job.result["created"] == 3
    titles = set(Article.objects.values_list("title", flat=True))
    assert titles >= {"Grid upgrade in Karaganda", "Steppe solar park opens"}
    failure = job.result["failures"][0]
    assert job.result["failed"] == 1
    assert failure["file"] == "grid.jsonl" and failure["line"] == 2 and "body" in failure["reason"]

    page = admin_client.get(response["Location"]).content.decode()
    assert "Created: 3" in page
    assert "Failed: 1" in page and "grid.jsonl:2" in page
    # The text now lives in the articles; the stored upload keeps only its name.
    assert set(UploadedFile.objects.values_list("name", flat=True)) == {"pavlodar.txt", "grid.jsonl", "solar.md"}
    assert all(bytes(f.content) == b"" for f in UploadedFile.objects.all())


def test_uploading_the_same_file_again_reports_it_unchanged(admin_client):
    upload(admin_client, SimpleUploadedFile("grid.jsonl", JSONL))
    upload(admin_client, SimpleUploadedFile("grid.jsonl", JSONL))
    second = Job.objects.filter(name="import_upload").order_by("-id").first()
    assert second.result["created"] == 0
    assert second.result["unchanged"] == 1
    assert second.result["unchanged_examples"][0].startswith("grid.jsonl:1")
    assert "Unchanged: 1" in admin_client.get(f"/admin/archive/job/{second.pk}/change/").content.decode()


def test_a_file_in_a_format_the_importer_does_not_read_is_refused_and_nothing_is_queued(admin_client):
    response = upload(admin_client, SimpleUploadedFile("report.pdf", b"%PDF-1.4 not an article"))
    assert response.status_code == 200
    assert "report.pdf: not a format Dossier reads" in response.content.decode()
    assert not Job.objects.exists()


@override_settings(UPLOAD_MAX_BYTES=100)
def test_an_upload_over_the_size_limit_is_refused(admin_client):
    response = upload(admin_client, SimpleUploadedFile("a.txt", b"x" * 60), SimpleUploadedFile("b.txt", b"x" * 60))
    assert "Together the files are larger than the limit of 100 bytes" in response.content.decode()
    assert not Job.objects.exists()


def test_an_upload_with_no_file_asks_for_one(admin_client):
    response = admin_client.post(UPLOAD, {})
    assert response.status_code == 200
    assert "Choose at least one file." in response.content.decode()


def test_only_editors_who_may_add_articles_can_upload(client, db):
    user = get_user_model().objects.create_user("reader", "", "pw-for-tests-only", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_job"))
    client.force_login(user)
    assert client.get(UPLOAD).status_code == 403
    assert client.post(UPLOAD, {"files": [SimpleUploadedFile("a.txt", PLAIN)]}).status_code == 403
    assert not Job.objects.exists()


def test_a_reader_of_the_job_list_cannot_run_failed_jobs_again(client, db):
    job = Job.objects.create(name="retag_entity", status=JobStatus.FAILED, attempts=3, error="boom")
    user = get_user_model().objects.create_user("reader", "", "pw-for-tests-only", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_job"))
    client.force_login(user)
    assert "boom" in client.get(f"/admin/archive/job/{job.pk}/change/").content.decode()
    client.post("/admin/archive/job/", {"action": "run_again", "_selected_action": [job.pk]})
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED


def test_the_article_list_and_the_job_list_link_to_the_upload(admin_client):
    assert UPLOAD in admin_client.get("/admin/archive/article/").content.decode()
    assert UPLOAD in admin_client.get("/admin/archive/job/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_upload_into_a_new_archive_builds_its_index_and_search_finds_the_articles(client):
    """No 503 after migrate and a first upload: the upload's job builds the missing index."""
    from search.index import index_state

    user = get_user_model().objects.create_superuser("editor", "", "pw-for-tests-only")
    client.force_login(user)
    assert index_state() == "missing"
    upload(client, SimpleUploadedFile("grid.jsonl", JSONL))
    assert Job.objects.get(name="import_upload").status == JobStatus.SUCCEEDED
    response = client.get("/search/", {"q": "Karaganda"})
    assert response.status_code == 200
    article = Article.objects.get(title="Grid upgrade in Karaganda")
    assert f'href="{article.get_absolute_url()}"' in response.content.decode()
