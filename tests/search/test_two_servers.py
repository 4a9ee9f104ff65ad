"""Two web servers, each with its own index folder, on one database (PostgreSQL in the
PostgreSQL run of the suite, a SQLite file otherwise): an edit made on one host is found
through the other within seconds, and a server that was down catches up when it returns.

The servers are real gunicorn processes; the edits are made by a third process (an
editor on the first server's host), as the admin would make them.
"""

from __future__ import annotations

import json

from tests.processes import Host

SAMPLE = [
    {"title": "Zhanatas wind farm reaches full output", "date": "2024-03-01",
     "body": "The Zhanatas wind farm in Zhambyl Region reached its full output of 100 MW."},
    {"title": "Almaty grid operator plans new substation", "date": "2024-03-04",
     "body": "A substation north of Almaty will connect the new solar parks."},
]


def test_an_edit_on_one_server_is_found_on_the_other_and_a_returning_server_catches_up(tmp_path, database_url):
    data = tmp_path / "data"
    one = Host(data, tmp_path / "index-one", database_url)
    two = Host(data, tmp_path / "index-two", database_url)
    corpus = tmp_path / "sample.jsonl"
    corpus.write_text("".join(json.dumps(article) + "\n" for article in SAMPLE))
    one.manage("migrate", "--noinput", "-v0")
    one.manage("import_articles", str(corpus))
    one.manage("rebuild_index")
    two.manage("rebuild_index")
    one.start()
    two.start()
    try:
        assert two.finds("zhanatas") and one.finds("zhanatas")
        assert not two.finds("quokkaword", within=0.5)

        edit = ("from archive.models import Article\n"
                "a = Article.objects.get(title__startswith='Zhanatas')\n"
                "a.body += ' WORD was spotted near the turbines.'\n"
                "a.save()\n")
        one.manage("shell", stdin=edit.replace("WORD", "quokkaword"))  # an editor on host one
        assert two.finds("quokkaword"), "server two did not follow the edit"
        assert one.finds("quokkaword")

        two.stop()
        one.manage("shell", stdin=edit.replace("WORD", "wombatword"))
        assert one.finds("wombatword")
        two.start()
        assert two.finds("wombatword"), "server two did not catch up after its restart"
        assert two.manage("check_index").strip()
    finally:
        one.stop()
        two.stop()
