"""Articles like an article: shared telling words and shared entities, from the index."""

from __future__ import annotations

import math

import numpy as np

from archive.models import Article
from search.cache import segment_cache
from search.engine import Evaluator, Matches, rank, snapshot
from search.index import IndexUnavailable, index_dir, searcher
from search.service import _hydrate, _index_version

RELATED_KEY_TERMS = 12
RELATED_ENTITY_WEIGHT = 1.0  # shared entities count as much as shared words


def related_articles(article: Article, *, limit: int = 5) -> list[Article]:
    """Articles most like this one, best first: shared telling words and shared entities.

    Words as Whoosh's ``more_like``: the article's most telling body words (Bo1 model),
    searched together, each weighted by how telling it is. Entities: every entity the
    article names that some other article names too, weighted by how rare it is (idf),
    so sharing SPIC and Zhambyl counts for more than sharing Kazakhstan. The two scores,
    each scaled to its best, are added. Both run on the array engine. The answer only
    changes when the index does, so it is kept per index version.
    """
    try:
        with searcher() as s:
            # Kept in the one segment cache under the segments this answer depends on.
            storage, segments, live_count = _index_version(s)
            key = (storage, segments, "related", live_count, article.id, limit)
            ids = segment_cache.peek(key)
            if ids is None:
                docnum = s.document_number(id=str(article.id))
                if docnum is None:
                    return []
                # A dozen key terms find the same neighbours as more, in a fraction of the time.
                snap = snapshot(s, str(index_dir()))
                key_terms = snap.key_terms(docnum, "body", RELATED_KEY_TERMS)
                entity_ids = [e for e in (s.stored_fields(docnum).get("entity_ids") or "").split(",") if e]
                matches = _likeness(snap, docnum, key_terms, entity_ids)
                article_ids = snap.article_ids()  # a column: no stored document is decompressed for its id
                ids = [int(article_ids[d]) for d, _ in rank(snap, matches, sort="relevance", start=0, stop=limit)]
                segment_cache.put(key, ids)
    except IndexUnavailable:
        return []
    articles = _hydrate(ids)
    return [articles[i] for i in ids if i in articles]


def _likeness(snap, docnum: int, key_terms: list[tuple[str, float]], entity_ids: list[str]) -> Matches:
    """Every other live document's score against ``docnum``: its words' score (as the Or of the
    key terms, each boosted by its weight, scores it) scaled to the best, plus the idf-weighted
    share of the article's entities it names.

    Each word and entity adds its postings into one array with ``np.bincount``, so the cost
    follows the postings read, not the size of the index times the number of words.
    """
    size = snap.size
    ranker = Evaluator(snap)
    parts = [ranker.term_docs("body", word, boost=weight) for word, weight in key_terms]
    parts = [part for part in parts if len(part[0])]
    if parts:
        scores = np.bincount(np.concatenate([docs for docs, _ in parts]),
                             weights=np.concatenate([found for _, found in parts]), minlength=size)
    else:
        scores = np.zeros(size, dtype=np.float64)
    if scores.max(initial=0) > 0:
        scores /= scores.max()
    filters = Evaluator(snap, scored=False)
    live = snap.live_count
    naming_docs, naming_weights, possible = [], [], 0.0
    for entity_id in entity_ids:
        docs, _ = filters.term_docs("entity_ids", entity_id)
        if len(docs) <= 1:  # only this article names it
            continue
        weight = math.log(1 + live / len(docs))
        naming_docs.append(docs)
        naming_weights.append(np.full(len(docs), weight))
        possible += weight
    if possible:
        shared = np.bincount(np.concatenate(naming_docs), weights=np.concatenate(naming_weights), minlength=size)
        scores += RELATED_ENTITY_WEIGHT * shared / possible
    mask = scores > 0
    mask[docnum] = False
    return Matches(mask, scores.astype(np.float32))
