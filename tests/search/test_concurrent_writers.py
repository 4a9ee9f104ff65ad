"""Two imports and an editor at once, on one database (SQLite, and PostgreSQL in CI's
second run): every article and every edit arrives, in the database and in the index, and
no lock error reaches anybody. Each writer is a real process, as on a server.
"""

from __future__ import annotations

import json

from tests.processes import Host

EDITOR = """
import time
from archive.models import Article
for round in range(12):
    for article in Article.objects.filter(title__startswith="Seed story").order_by("id"):
        article.body = article.body.split(" Revision")[0] + f" Revision rev{round}x{article.id}."
        article.save()
    time.sleep(0.05)
print("edited")
"""


def corpus(path, prefix: str, n: int) -> None:
    lines = [
        json.dumps({"title": f"{prefix} report {i} on the Turkestan solar park",
                    "date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    "body": f"{prefix} filed report number {i} from the Turkestan solar park; "
                            f"{prefix.lower()}marker{i}."})
        for i in range(n)
    ]
    path.write_text("\n".join(lines) + "\n")


def test_two_imports_and_an_editor_at_once_lose_nothing(tmp_path, database_url):
    host = Host(tmp_path / "data", tmp_path / "index", database_url)
    host.manage("migrate", "--noinput", "-v0")
    seeds = tmp_path / "seeds.jsonl"
    seeds.write_text("".join(
        json.dumps({"title": f"Seed story {i}", "date": "2024-01-15", "body": f"Seed story {i} about Shymkent."}) + "\n"
        for i in range(5)
    ))
    host.manage("import_articles", str(seeds))
    host.manage("rebuild_index")
    for prefix in ("Alpha", "Bravo"):
        corpus(tmp_path / f"{prefix}.jsonl", prefix, 250)

    writers = [host.spawn("import_articles", str(tmp_path / "Alpha.jsonl")),
               host.spawn("import_articles", str(tmp_path / "Bravo.jsonl")),
               host.spawn("shell", "-c", EDITOR)]
    outputs = [writer.communicate(timeout=600) for writer in writers]
    for writer, (_out, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, err[-3000:]
        assert "LockError" not in err and "Traceback" not in err, err[-3000:]
    assert "edited" in outputs[2][0]

    counts = host.manage("shell", "-c", (
        "from archive.models import Article\n"
        "print(Article.objects.filter(title__startswith='Alpha').count(),"
        " Article.objects.filter(title__startswith='Bravo').count(),"
        " Article.objects.filter(body__contains='rev11x').count())"
    )).splitlines()[-1].split()
    assert counts == ["250", "250", "5"]

    host.manage("update_index")  # whatever the writers left queued (nothing is lost: it is in the queue)
    host.manage("check_index")  # exits non-zero on any drift
    found = host.manage("shell", "-c", (
        "from search.query import parse_query\nfrom search.service import run_search\n"
        "print(run_search(parse_query('alphamarker249 OR bravomarker0 OR alphamarker0'), per_page=10).total,"
        " run_search(parse_query('rev11x*'), per_page=10).total)"
    )).splitlines()[-1].split()
    assert found == ["3", "5"]
