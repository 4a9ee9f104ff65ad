"""A damaged or foreign index never takes a page down, and the commands recover from it.

Each kind of damage is made on a small index (articles written for this test): search
answers 503 with "rebuild the index", browse pages answer from the database, a fresh
process (a restarted worker) does the same, ``check_index`` names the damage,
``update_index`` does not call it up to date but rebuilds it, and ``rebuild_index``
builds beside it, swaps, and leaves nothing behind.
"""

import os
import random
import signal
import subprocess
import sys
import time

import pytest
from django.core.management import CommandError, call_command

from search import index as search_index
from search.index import (
    CHECKSUMS_FILE,
    CURRENT_FILE,
    INDEX_NAME,
    LOCK_FILE,
    VERSION_FILE,
    index_dir,
    lock_holder,
    reset_searcher,
    root_dir,
)
from tests.factories import make_article
from tests.processes import REPO_ROOT as REPO
from tests.processes import Host


@pytest.fixture
def archive(reindex):
    for i in range(40):
        make_article(title=f"Wind farm report {i}", body=f"The steppe wind farm {i} sends power to Astana. " * 8)
    reindex()
    # A second segment, so one can be damaged while the other is sound.
    make_article(title="Solar park on the steppe", body="A solar park near Almaty opened. " * 8)
    call_command("update_index", verbosity=0)
    reset_searcher()
    yield
    reset_searcher()


def _segment_file(largest: bool = True):
    files = sorted((p for p in index_dir().iterdir() if p.name.startswith(f"{INDEX_NAME}_") and p.suffix == ".seg"),
                   key=lambda p: p.stat().st_size)
    assert len(files) >= 2, [p.name for p in index_dir().iterdir()]
    return files[-1] if largest else files[0]


def _toc():
    (toc,) = index_dir().glob(f"_{INDEX_NAME}_*.toc")
    return toc


def truncate_toc(monkeypatch):
    toc = _toc()
    toc.write_bytes(toc.read_bytes()[: toc.stat().st_size // 2])


def truncate_segment(monkeypatch):
    path = _segment_file()
    with open(path, "r+b") as f:
        f.truncate(path.stat().st_size // 3)


def delete_segment(monkeypatch):
    _segment_file().unlink()


def alter_segment(monkeypatch):
    path = _segment_file()
    data = bytearray(path.read_bytes())
    noise = random.Random(7)
    start = len(data) // 4
    for i in range(start, start + 64):
        data[i] = noise.randrange(256)
    path.write_bytes(bytes(data))


def missing_class(monkeypatch):
    # The table of contents names the schema's field class by module and name (a pickle);
    # here it names one that this release does not have, as after a rename.
    toc = _toc()
    data = toc.read_bytes()
    assert b"search.schema\nText\n" in data
    toc.write_bytes(data.replace(b"search.schema\nText\n", b"search.schema\nGone\n"))


def other_schema_version(monkeypatch):
    (index_dir() / VERSION_FILE).write_text("999\n")


DAMAGE = [truncate_toc, truncate_segment, delete_segment, alter_segment, missing_class, other_schema_version]


def _search_and_browse(client):
    search = client.get("/search/", {"q": "wind"})
    assert search.status_code == 503
    assert "rebuild_index" in search.content.decode()
    for url in ("/", "/articles/", "/search/"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "Wind farm report" in page.content.decode()


def _restart_worker():
    """What a worker process started after the damage knows: nothing opened, nothing verified."""
    reset_searcher()
    search_index._verified_files.clear()


def _only_the_live_generation_is_left():
    names = sorted(p.name for p in root_dir().iterdir())
    assert names == sorted([CURRENT_FILE, LOCK_FILE, index_dir().name]), names
    inside = {p.name for p in index_dir().iterdir()}
    assert f"{INDEX_NAME}.tmp" not in inside


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__)
def test_damage_gives_503_on_search_and_browse_from_the_database(damage, archive, client, monkeypatch):
    damage(monkeypatch)
    _restart_worker()
    _search_and_browse(client)
    _search_and_browse(client)  # and keeps answering so


@pytest.mark.parametrize("damage", [truncate_segment, delete_segment], ids=lambda f: f.__name__)
def test_damage_found_by_a_running_worker_is_reported_too(damage, archive, client, monkeypatch):
    assert client.get("/search/", {"q": "wind"}).status_code == 200  # the worker's searcher is open
    damage(monkeypatch)
    # The open searcher may still answer from what it has read; the next one it opens
    # (after a commit elsewhere) must not crash.
    reset_searcher()
    assert client.get("/search/", {"q": "wind steppe"}).status_code == 503


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__)
def test_check_index_names_the_damage(damage, archive, monkeypatch, capsys):
    damage(monkeypatch)
    _restart_worker()
    with pytest.raises(CommandError, match="rebuild_index"):
        call_command("check_index")


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__)
def test_update_index_rebuilds_a_damaged_index_instead_of_calling_it_up_to_date(damage, archive, monkeypatch, capsys):
    damage(monkeypatch)
    reset_searcher()
    monkeypatch.undo()  # the code is whole again; the index on disk is not
    call_command("update_index", verbosity=0)
    out = capsys.readouterr().out
    assert "up to date" not in out
    assert "rebuilding" in out
    call_command("check_index")
    _only_the_live_generation_is_left()


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__)
def test_rebuild_index_succeeds_from_a_damaged_index_and_leaves_no_stray_files(damage, archive, client, monkeypatch):
    damage(monkeypatch)
    old = index_dir()
    monkeypatch.undo()
    call_command("rebuild_index", verbosity=0)
    assert index_dir() != old and not old.exists()
    _only_the_live_generation_is_left()
    call_command("check_index")
    response = client.get("/search/", {"q": "wind"})
    assert response.status_code == 200 and "farm report 0<" in response.content.decode()


def test_check_index_names_the_altered_file(archive, monkeypatch, capsys):
    path = _segment_file()
    alter_segment(monkeypatch)
    with pytest.raises(CommandError):
        call_command("check_index")
    assert path.name in capsys.readouterr().out


def test_check_index_reads_postings_even_without_recorded_checksums(archive, monkeypatch, capsys):
    """An index written before checksums were recorded: damage is found by reading every posting."""
    (index_dir() / CHECKSUMS_FILE).unlink()
    alter_segment(monkeypatch)
    with pytest.raises(CommandError):
        call_command("check_index")
    assert "damaged: segment" in capsys.readouterr().out


def test_a_failed_rebuild_leaves_the_live_index_and_no_new_folder(archive, monkeypatch):
    live = index_dir()

    def fails(ids):
        raise RuntimeError("database went away")
        yield  # pragma: no cover - a generator, as documents() is

    monkeypatch.setattr("search.sync.documents", fails)
    with pytest.raises(RuntimeError):
        call_command("rebuild_index", verbosity=0)
    assert index_dir() == live
    _only_the_live_generation_is_left()
    assert lock_holder() is None


def test_a_stale_generation_from_a_killed_rebuild_is_removed_by_the_next_writer(archive):
    stray = root_dir() / "gen-20240101000000-deadbeef"
    stray.mkdir()
    (stray / f"{INDEX_NAME}_abc.seg").write_bytes(b"x" * 1000)
    (root_dir() / f"{CURRENT_FILE}.{os.getpid()}.tmp").write_text("gen-x\n")
    make_article(title="Another wind farm", body="More wind.")
    call_command("update_index", verbosity=0)
    _only_the_live_generation_is_left()


def test_an_index_from_before_generations_is_read_and_replaced(db, settings, client):
    """An index written at the top of SEARCH_INDEX_DIR (older releases) keeps working until rebuilt."""
    from whoosh.filedb.filestore import FileStorage

    from search.schema import SCHEMA_VERSION, build_schema

    root = root_dir()
    root.mkdir(parents=True)
    FileStorage(str(root), supports_mmap=False).create_index(build_schema(), indexname=INDEX_NAME)
    (root / VERSION_FILE).write_text(f"{SCHEMA_VERSION}\n")
    make_article(title="Wind farm report old", body="Old wind.")
    assert index_dir() == root
    call_command("update_index", verbosity=0)
    assert client.get("/search/", {"q": "wind"}).status_code == 200
    call_command("rebuild_index", verbosity=0)
    assert index_dir() != root
    _only_the_live_generation_is_left()
    assert "farm report old" in client.get("/search/", {"q": "wind"}).content.decode()
    reset_searcher()
    search_index.reset_searcher()


# --- kill -9 of a writing command ---------------------------------------------------------

RUNNER = r'''
import json, sys, time
from pathlib import Path
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from search.index import create_index
import search.sync as sync
from archive.ingest.importer import import_articles

create_index()
corpus = Path(sys.argv[2])
corpus.mkdir()
for f in range(12):
    with open(corpus / f"part{f}.jsonl", "w") as out:
        for i in range(30):
            n = f * 30 + i
            out.write(json.dumps({"title": f"Grid report {n}", "body": f"Wind and grid note number {n}. " * 20,
                                  "date": "2024-03-01"}) + "\n")
if sys.argv[1] == "import":
    # Small thresholds and slow writes, so the kill lands while the writer processes run.
    sync.PARALLEL_DRAIN_FROM = 20
    write = sync._write_articles
    sync._write_articles = lambda writer, ids: (write(writer, ids), time.sleep(0.3))
    print("start", flush=True)
    import_articles(paths=[corpus], batch_size=20)
else:
    import_articles(paths=[corpus], batch_size=100)
    documents = sync.documents
    def slow_documents(ids):
        yield from documents(ids)
        time.sleep(0.3)
    sync.documents = slow_documents
    print("start", flush=True)
    sync.rebuild_index(procs=2, batch_size=20)
print("finished", flush=True)
'''


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("command", ["import", "rebuild"])
def test_kill_9_of_a_writing_command_leaves_no_process_and_no_lock(command, tmp_path, settings, database_url):
    host = Host(tmp_path / "data", tmp_path / "data" / "index", database_url)
    runner = subprocess.Popen([sys.executable, "-c", RUNNER, command, str(tmp_path / "corpus")], cwd=REPO,
                              env=host.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        writers: list[int] = []
        deadline = time.monotonic() + 90
        while not writers and runner.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
            writers = _children(runner.pid)
        assert writers, f"no writer processes were started: {runner.communicate(timeout=30)}"
        time.sleep(0.3)  # let them take work
        runner.send_signal(signal.SIGKILL)
        runner.wait(timeout=30)
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
    # The writer processes end with the command (within a moment), and nothing holds the lock.
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in writers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in writers if _alive(pid)]
    settings.SEARCH_INDEX_DIR = tmp_path / "data" / "index"
    assert lock_holder() is None
    host.manage("update_index", "--verbosity", "0")
    assert "matches the database" in host.manage("check_index")
    names = sorted(p.name for p in root_dir().iterdir())
    assert names == sorted([CURRENT_FILE, LOCK_FILE, index_dir().name]), names
    # Every article the killed command stored is found (an import stops part way; a rebuild has them all).
    counts = host.manage("shell", "-v", "0", "-c", "from search.query import parse_query; "
                         "from search.service import run_search; from archive.models import Article; "
                         "print(Article.objects.count(), run_search(parse_query('grid')).total)")
    stored, found = map(int, counts.split())
    assert stored == found > 0
    if command == "rebuild":
        assert stored == 360
