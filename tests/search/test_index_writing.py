"""Dossier's faster index writing must write what stock Whoosh writes.

``search.schema.Text`` analyses each distinct word once instead of running every
token through Whoosh's filter chain, and ``search.index`` groups postings per term
instead of sorting them one by one (spilling grouped runs to disk when memory runs
out), in ``search.whoosh_adapter``'s writers. Both are checked here against stock
Whoosh on the same documents.
"""

import json
import os
from pathlib import Path

import pytest
from whoosh import fields, writing
from whoosh.filedb.filestore import FileStorage

from search import whoosh_adapter
from search.schema import Text, build_schema, text_analyzer

SAMPLE = Path(__file__).resolve().parents[2] / "archive" / "sample"


def sample_texts() -> list[str]:
    texts = []
    for path in sorted(SAMPLE.rglob("*")):
        if path.suffix in {".txt", ".md"}:
            texts.append(path.read_text("utf-8"))
        elif path.suffix == ".jsonl":
            for line in path.read_text("utf-8").splitlines():
                record = json.loads(line)
                texts += [record.get("title", ""), record.get("body", "")]
    return [text for text in texts if text]


TRICKY = [
    "", "   ", "a", "The wind", "the the wind of the farm", "U.S. and E.ON*co don't it's",
    "Café Ǆemal naïve façade", "Токаев встретился с Си Цзиньпином", "習近平 在 阿斯塔納",
    "x* *y wind-farm 2024 3.5GW 1,200 MW", "turbines turbine turbined TURBINES", "ÆSIR æsir straße",
]


@pytest.mark.parametrize("boost", [1.0, 1.5, 3.0])
def test_text_fields_give_the_postings_of_the_analyzer_chain(boost):
    texts = sample_texts() + TRICKY
    assert len(texts) > 50
    stock = fields.TEXT(analyzer=text_analyzer(), field_boost=boost)
    ours = Text(field_boost=boost)
    for text in texts:
        assert sorted(ours.index(text)) == sorted(stock.index(text)), text[:80]


def _stock_schema() -> fields.Schema:
    schema = build_schema()
    stock = fields.Schema()
    for name, field in schema.items():
        if isinstance(field, Text):
            stock.add(name, fields.TEXT(analyzer=text_analyzer(), field_boost=field.format.field_boost,
                                        stored=field.stored))
        else:
            stock.add(name, field)
    return stock


def _documents() -> list[dict]:
    texts = sample_texts()
    docs = []
    for i in range(60):
        body = " ".join(texts[(i * 7 + k) % len(texts)] for k in range(3))
        docs.append({"id": str(i), "title": texts[i % len(texts)][:80], "body": body,
                     "entities": "Kassym-Jomart Tokayev\nТокаев" if i % 3 else "SPIC",
                     "person": "Kassym-Jomart Tokayev", "tag_ids": f"{i % 4},{i % 5}", "source_id": str(i % 6)})
    return docs


def _write(path: Path, schema: fields.Schema, docs: list[dict], *, stock: bool = False, **options):
    path.mkdir()
    ix = FileStorage(str(path), supports_mmap=False).create_index(schema, indexname="t")
    writer = ix.writer(**options) if stock else whoosh_adapter.open_writer(ix, **options)
    with writer:
        for doc in docs:
            writer.add_document(**doc)
    return ix


def _contents(ix) -> tuple:
    with ix.reader() as reader:
        postings = {}
        for fieldname, btext in reader.all_terms():
            matcher = reader.postings(fieldname, btext)
            items = []
            while matcher.is_active():
                items.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            postings[(fieldname, btext)] = items
        lengths = {(d, f): reader.doc_field_length(d, f) for d in range(reader.doc_count_all())
                   for f in ("title", "body", "entities")}
        stored = [reader.stored_fields(d) for d in range(reader.doc_count_all())]
    return postings, lengths, stored


def _by_id(contents: tuple) -> tuple:
    """The same contents with document numbers replaced by the documents' ids (segments number differently)."""
    postings, lengths, stored = contents
    ids = [fields_["id"] for fields_ in stored]
    return (
        {term: sorted((ids[d], w, v) for d, w, v in items) for term, items in postings.items()},
        {(ids[d], f): length for (d, f), length in lengths.items()},
        sorted(stored, key=lambda fields_: fields_["id"]),
    )


def test_grouped_postings_and_fast_fields_write_the_index_stock_whoosh_writes(tmp_path):
    docs = _documents()
    ours_in_memory = _contents(_write(tmp_path / "memory", build_schema(), docs))
    # A tiny memory limit makes the pool spill many runs to disk and merge them back.
    ours_spilled = _contents(_write(tmp_path / "spilled", build_schema(), docs, limitmb=0.05))
    stock = _contents(_write(tmp_path / "stock", _stock_schema(), docs, stock=True, limitmb=0.05))
    assert len(stock[0]) > 1000
    assert ours_in_memory == stock
    assert ours_spilled == stock


def test_small_posting_blocks_are_stored_uncompressed_and_the_index_is_no_larger(tmp_path, monkeypatch):
    import types
    import zlib

    from whoosh.codec import whoosh3

    calls = []

    def compress(data, level=-1):
        calls.append(len(data))
        return zlib.compress(data, level)

    monkeypatch.setattr(whoosh3, "zlib", types.SimpleNamespace(compress=compress, decompress=zlib.decompress))
    docs = _documents()
    ours = _write(tmp_path / "ours", build_schema(), docs, compound=False)  # the postings in a file of their own
    ours_calls, calls[:] = len(calls), []
    stock = _write(tmp_path / "stock", _stock_schema(), docs, stock=True, compound=False)
    # Stock Whoosh compresses every block, however small; here the small ones are left as they are (about
    # a sixth of these blocks, half of a news archive's), and since zlib makes small blocks larger, the
    # postings take no more room.
    assert ours_calls <= 0.9 * len(calls) and min(calls) < 40
    size = {name: sum(f.stat().st_size for f in (tmp_path / name).glob("*.pst")) for name in ("ours", "stock")}
    assert 0 < size["ours"] <= size["stock"]
    assert _contents(ours)[0] == _contents(stock)[0]


def test_parallel_writer_writes_the_documents_stock_whoosh_writes(tmp_path):
    docs = _documents()
    ours = _write(tmp_path / "parallel", build_schema(), docs, procs=2, limitmb=0.05, batchsize=10)
    with ours.reader() as reader:
        assert len(list(reader.leaf_readers())) >= 2  # each process wrote its own segment
    stock = _contents(_write(tmp_path / "stock", _stock_schema(), docs, stock=True))
    assert _by_id(_contents(ours)) == _by_id(stock)


def test_parallel_writer_closing_segments_as_they_fill_loses_and_repeats_nothing(tmp_path):
    docs = _documents()
    # 60 documents in jobs of 5: each process closes a segment at 8 documents, then at half of what it wrote.
    ours = _write(tmp_path / "rotating", build_schema(), docs, procs=2, batchsize=5, segment_docs=8)
    with ours.reader() as reader:
        sizes = [leaf.doc_count_all() for leaf, _ in reader.leaf_readers()]
    assert len(sizes) >= 4 and sum(sizes) == len(docs)
    stock = _contents(_write(tmp_path / "stock", _stock_schema(), docs, stock=True))
    assert _by_id(_contents(ours)) == _by_id(stock)


def test_parallel_writer_fails_when_a_process_gives_no_segments(tmp_path, monkeypatch):
    """A writer process that dies must fail the commit (the caller keeps its queue), not drop its documents."""
    monkeypatch.setattr(whoosh_adapter._ChildWriterTask, "run", lambda self: os._exit(3))
    path = tmp_path / "dead"
    path.mkdir()
    ix = FileStorage(str(path), supports_mmap=False).create_index(build_schema(), indexname="t")
    writer = whoosh_adapter.open_writer(ix, procs=2, batchsize=5)
    for doc in _documents()[:20]:
        writer.add_document(**doc)
    with pytest.raises(RuntimeError, match="without a result"):
        writer.commit()
    writer.cancel()
    assert ix.doc_count_all() == 0


def test_dossier_changes_nothing_inside_whoosh():
    """The faster writer is a subclass passed explicitly; Whoosh's own classes stay as shipped."""
    from whoosh.codec import whoosh3
    from whoosh.multiproc import SubWriterTask

    assert writing.PostingPool.__module__ == "whoosh.writing"
    assert not issubclass(writing.PostingPool, whoosh_adapter.GroupedPostingPool)
    assert "_whole_lengths" not in whoosh3.W3PerDocReader.__init__.__code__.co_names
    assert whoosh3.W3PerDocReader.doc_field_length.__module__ == "whoosh.codec.whoosh3"
    assert whoosh3.W3PerDocReader._cached_reader.__module__ == "whoosh.codec.whoosh3"
    assert SubWriterTask.run.__module__ == "whoosh.multiproc"
