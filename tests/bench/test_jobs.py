"""The jobs stage of the benchmark measures the real admin request, the real worker and the real export view."""

import pytest
from django.test import override_settings

from archive.models import Article
from bench.build import build_archive
from bench.generate import generate_corpus
from bench.jobs import measure

pytestmark = pytest.mark.django_db(transaction=True)


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}, EXPORT_MAX_ROWS=450,
                   ALLOWED_HOSTS=["testserver"])
def test_the_jobs_stage_reports_the_request_the_jobs_and_the_exports(tmp_path):
    generate_corpus(tmp_path, n=200, seed=3)
    build_archive(tmp_path / "corpus", expected=200, rebuild_procs=(), progress=False)
    figures = measure(export_rows=450)
    edit = figures["admin_alias_edit"]
    assert edit["mentions"] > 0
    # The request only queued the work: a re-tag job and the index update job.
    assert sorted(edit["queued_jobs"]) == ["apply_index_queue", "retag_entity"]
    assert edit["queued_index_rows"] >= edit["mentions"]
    by_name = {job["name"]: job for job in figures["jobs"]}
    assert by_name["retag_entity"]["status"] == "succeeded"
    assert by_name["retag_entity"]["result"]["articles"] >= edit["mentions"]
    assert by_name["retag_entity"]["seconds"] is not None
    assert figures["index_in_step_after_jobs"] is True
    # The scratch archive of 200 was grown to 450 by copying articles with their tags and mentions.
    assert figures["grown_to"] == 450
    assert Article.objects.filter(slug__endswith="-copy2").count() == 50
    copy = Article.objects.filter(slug__endswith="-copy1").first()
    original = Article.objects.get(slug=copy.slug.removesuffix("-copy1"))
    assert set(copy.mentions.values_list("entity_id", "count")) == set(original.mentions.values_list("entity_id",
                                                                                                      "count"))
    assert set(copy.tags.all()) == set(original.tags.all())
    assert figures["exports"]["csv"]["rows"] == 450 == figures["exports"]["jsonl"]["rows"]
