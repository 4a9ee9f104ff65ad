"""An editor in real Chromium: downloads a filtered list and a search, and uploads files to import in the admin.

The articles and files here were written for these tests.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import expect

from archive.models import Article, EntityKind, Job, JobStatus
from tests.factories import make_article, make_entity, make_source, make_tag

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def archive(transactional_db):
    source = make_source("Kazinform (test)", country="KZ")
    wind = make_tag("Wind power")
    goldwind = make_entity("Goldwind", kind=EntityKind.ORGANISATION)
    make_article("Zhanatas wind farm doubles capacity", "Goldwind will add turbines at Zhanatas.",
                 "2024-03-29", source=source, tags=[wind], mentions=[goldwind])
    make_article("Wind auction in Zhambyl", "A new wind auction opened in Zhambyl.", "2023-06-01", tags=[wind])
    make_article("Coal output falls", "Coal output fell in Ekibastuz.", "2022-01-15", source=source)


def test_a_reader_downloads_a_filtered_list_as_csv_and_json_lines(browser, live_server, archive):
    page = browser.new_page(accept_downloads=True)
    page.goto(f"{live_server.url}/articles/?tag=wind-power")
    links = page.locator(".export-links")
    expect(links).to_contain_text("CSV")
    with page.expect_download() as info:
        links.get_by_role("link", name="CSV").click()
    download = info.value
    assert download.suggested_filename == "dossier-articles.csv"
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8").read())))
    assert [r["title"] for r in rows] == ["Zhanatas wind farm doubles capacity", "Wind auction in Zhambyl"]
    assert rows[0]["organisations"] == "Goldwind" and rows[0]["tags"] == "Wind power"

    with page.expect_download() as info:
        links.get_by_role("link", name="JSON Lines").click()
    items = [json.loads(line) for line in open(info.value.path(), encoding="utf-8")]
    assert [i["title"] for i in items] == [r["title"] for r in rows]
    # The page names its feed for feed readers.
    assert page.locator('head link[rel="alternate"][type="application/atom+xml"]').get_attribute("href") == (
        "/articles/feed.atom?tag=wind-power")


def test_a_reader_downloads_a_search_as_ris_for_zotero(browser, live_server, archive, reindex):
    reindex()
    page = browser.new_page(accept_downloads=True)
    page.goto(f"{live_server.url}/search/?q=wind")
    with page.expect_download() as info:
        page.locator(".export-links").get_by_role("link", name="RIS (Zotero)").click()
    text = open(info.value.path(), encoding="utf-8").read()
    assert info.value.suggested_filename == "dossier-search.ris"
    assert text.count("TY  - NEWS") == 2
    assert "TI  - Zhanatas wind farm doubles capacity" in text and "Coal" not in text


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_an_editor_uploads_files_and_sees_the_import_result_when_the_worker_has_run(browser, live_server, tmp_path):
    get_user_model().objects.create_superuser("editor", "", "pw-for-tests-only")
    (tmp_path / "steppe.jsonl").write_text(
        '{"title": "Steppe solar park opens", "body": "A solar park opened near Balkhash.", "date": "2024-07-02"}\n'
        '{"title": "A line without its text", "date": "2024-07-03"}\n', encoding="utf-8")
    (tmp_path / "pavlodar.txt").write_text(
        " date 2024-05-14 PAVLODAR – A new ferroalloy line started work at the Pavlodar plant.\n", encoding="utf-8")

    page = browser.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/archive/article/")
    page.get_by_role("link", name="Import files").click()
    page.set_input_files("input[type=file]", [str(tmp_path / "steppe.jsonl"), str(tmp_path / "pavlodar.txt")])
    page.get_by_role("button", name="Import").click()

    # The request returned with the job queued; nothing is imported until a worker runs it.
    expect(page.locator(".messagelist")).to_contain_text("runs in the background")
    expect(page.locator(".field-status_shown")).to_contain_text("Queued")
    assert not Article.objects.exists()
    call_command("run_worker", batch=True, verbosity=0)
    assert Job.objects.get(name="import_upload").status == JobStatus.SUCCEEDED
    # The job page refreshes itself while the job is active, and then shows the result.
    expect(page.locator(".field-outcome")).to_contain_text("Created: 2", timeout=15_000)
    expect(page.locator(".field-outcome")).to_contain_text("Failed: 1")
    expect(page.locator(".import-failures")).to_contain_text("steppe.jsonl:2")
    expect(page.locator(".field-status_shown")).to_contain_text("Succeeded")
    assert set(Article.objects.values_list("title", flat=True)) >= {"Steppe solar park opens"}
