"""Background jobs and exports on the benchmark archive, in a scratch copy of it.

Run as its own process (``python -m bench.jobs``): it copies the archive's database and
index into a scratch folder (the cached archive stays as it was), then measures

- the admin request that adds an alias to the most mentioned entity: it must return at
  once, having only queued the work (database task backend, as deployed by default);
- the jobs that request queued, run by the worker (``run_worker --batch``): re-tagging
  the entity's articles and applying the index queue, with their durations;
- exports of ``--export-rows`` articles as CSV and JSON Lines through the real view,
  streamed: rows per second and the process's memory (RSS) sampled as the rows go out, to
  show that it stays flat. A smaller archive is first grown to that size in the scratch
  copy by copying its articles with their tags and mentions (SQL ``INSERT … SELECT``).

Prints one JSON object on the last line of its output.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, required=True, help="the benchmark archive's data folder")
    parser.add_argument("--data-dir", type=Path, required=True, help="scratch folder (emptied first)")
    parser.add_argument("--export-rows", type=int, default=100_000)
    args = parser.parse_args()

    shutil.rmtree(args.data_dir, ignore_errors=True)
    args.data_dir.mkdir(parents=True)
    started = time.perf_counter()
    for name in ("dossier.sqlite3", "dossier.sqlite3-wal", "secret_key"):
        if (args.source / name).exists():
            shutil.copy2(args.source / name, args.data_dir / name)
    shutil.copytree(args.source / "index", args.data_dir / "index")
    copy_s = time.perf_counter() - started
    os.environ.update({
        "DOSSIER_DATA_DIR": str(args.data_dir),
        "DATABASE_URL": f"sqlite:///{args.data_dir / 'dossier.sqlite3'}",
        "SEARCH_INDEX_DIR": str(args.data_dir / "index"),
        "DOSSIER_TASKS_BACKEND": "database",
        "DOSSIER_EXPORT_MAX_ROWS": str(args.export_rows),
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_LOG_LEVEL": "WARNING",
    })
    import django

    django.setup()
    try:
        figures = measure(export_rows=args.export_rows)
    finally:
        shutil.rmtree(args.data_dir, ignore_errors=True)
    figures["scratch_copy_s"] = round(copy_s, 1)
    print(json.dumps(figures))


def measure(*, export_rows: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client

    from archive.models import Article, Entity, Job
    from search.models import PendingIndexUpdate

    call_command("migrate", verbosity=0)  # the cached archive may predate the jobs' tables
    figures: dict = {"articles": Article.objects.count()}
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("bench", "", "bench-only-password"))

    entity = Entity.objects.annotate(n=Count("mentions")).order_by("-n", "id").first()
    aliases = list(entity.aliases.order_by("id").values_list("id", "name"))
    data = {
        "kind": entity.kind, "name": entity.name, "slug": entity.slug, "description": entity.description,
        "external_id": entity.external_id,
        "aliases-TOTAL_FORMS": str(len(aliases) + 1), "aliases-INITIAL_FORMS": str(len(aliases)),
        "aliases-MIN_NUM_FORMS": "0", "aliases-MAX_NUM_FORMS": "1000",
    }
    for number, (alias_id, name) in enumerate(aliases):
        data.update({f"aliases-{number}-id": str(alias_id), f"aliases-{number}-name": name,
                     f"aliases-{number}-entity": str(entity.pk)})
    data.update({f"aliases-{len(aliases)}-name": f"{entity.name} Holding (bench)",
                 f"aliases-{len(aliases)}-entity": str(entity.pk)})
    url = f"/admin/archive/entity/{entity.pk}/change/"
    client.get(url)  # as the editor does before saving: the process is warm, the figure is the save's own
    started = time.perf_counter()
    response = client.post(url, data)
    request_s = time.perf_counter() - started
    if response.status_code != 302:
        raise SystemExit(f"the admin refused the alias: {response.status_code}")
    figures["admin_alias_edit"] = {
        "entity": entity.name,
        "mentions": entity.n,
        "request_ms": round(request_s * 1000, 1),
        "queued_jobs": list(Job.objects.filter(status="queued").values_list("name", flat=True)),
        "queued_index_rows": PendingIndexUpdate.objects.count(),
    }

    started = time.perf_counter()
    call_command("run_worker", batch=True, verbosity=0)
    figures["worker_s"] = round(time.perf_counter() - started, 1)
    figures["jobs"] = [
        {"name": job.name, "status": job.status, "seconds": round(job.duration.total_seconds(), 1)
         if job.duration else None, "result": job.result, "attempts": job.attempts}
        for job in Job.objects.order_by("id")
    ]
    # The queue is a log each index follows from its own position: what matters is whether
    # this index has applied every row once the worker is done, not how long the log is.
    from search.queue import in_step

    figures["index_in_step_after_jobs"] = in_step()

    figures["grown_to"] = grow(export_rows)
    figures["exports"] = {fmt: export(client, fmt, export_rows) for fmt in ("csv", "jsonl")}
    return figures


def grow(target: int) -> int:
    """Copy the scratch archive's articles, with their tags and mentions, until it holds ``target``."""
    from django.db import connection, transaction

    from archive.models import Article

    originals = Article.objects.order_by("-id").values_list("id", flat=True).first() or 0
    round_ = 0
    while originals and (count := Article.objects.count()) < target:
        round_ += 1
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT MAX(id) FROM archive_article")
            offset = cursor.fetchone()[0]
            # Each round copies the original articles once more, with fresh ids, slugs and fingerprints.
            # Every column is copied as it is, but for those that must stay unique.
            changed = {
                "id": "id + %s",
                "slug": "substr(slug, 1, 100) || %s",
                "url": "CASE WHEN url = '' THEN '' ELSE substr(url, 1, 480) || %s END",
                "fingerprint": "substr(fingerprint, 1, 56) || %s",
            }
            columns = [field.column for field in Article._meta.concrete_fields]
            cursor.execute(
                f"INSERT INTO archive_article ({', '.join(columns)})"
                f" SELECT {', '.join(changed.get(column, column) for column in columns)}"
                " FROM archive_article WHERE id <= %s ORDER BY id LIMIT %s",
                [*({"id": offset, "slug": f"-copy{round_}", "url": f"#copy{round_}",
                    "fingerprint": f"copy{round_:04d}"}[column] for column in columns if column in changed),
                 originals, target - count],
            )
            for table, columns in (("archive_article_tags", "tag_id"),
                                   ("archive_mention", "entity_id, count, origin")):
                cursor.execute(
                    f"INSERT INTO {table} (article_id, {columns}) SELECT article_id + %s, {columns} FROM {table}"
                    " WHERE article_id <= %s AND article_id + %s IN (SELECT id FROM archive_article WHERE id > %s)",
                    [offset, originals, offset, offset],
                )
    return Article.objects.count()


def export(client, fmt: str, expected: int) -> dict:
    """Stream one export through the view, sampling memory as the rows go out."""
    before = rss_mb()
    started = time.perf_counter()
    response = client.get(f"/articles/export.{fmt}")
    size = rows = 0
    samples = []
    for piece in response.streaming_content:
        size += len(piece)
        rows += piece.count(b"\n")
        if rows // 10_000 > len(samples):
            samples.append({"rows": rows, "rss_mb": rss_mb()})
    seconds = time.perf_counter() - started
    data_rows = rows - (1 if fmt == "csv" else 0)  # the CSV header
    return {
        "rows": data_rows, "expected": expected, "seconds": round(seconds, 1),
        "rows_per_s": round(data_rows / seconds) if seconds else None, "mb": round(size / 1e6, 1),
        "rss_before_mb": before, "rss_samples": samples,
        "rss_growth_mb": round(max([s["rss_mb"] for s in samples] or [before]) - before, 1),
        "rss_growth_after_first_10k_mb": round(
            max([s["rss_mb"] for s in samples] or [before]) - (samples[0]["rss_mb"] if samples else before), 1),
    }


if __name__ == "__main__":
    main()
