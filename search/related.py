"""Articles like an article: shared telling words and shared entities, from the index."""

from __future__ import annotations

import math

import numpy as np
from whoosh import query as wq

from archive.models import Article
from search.cache import segment_cache
from search.engine import Evaluator, rank, snapshot
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
                like = wq.Or([wq.Term("body", word, boost=weight) for word, weight in key_terms])
                matches = Evaluator(snap).run(like)
                scores = np.where(matches.mask, matches.scores, 0).astype(np.float64)
                if scores.max(initial=0) > 0:
                    scores /= scores.max()
                shared = np.zeros(len(scores), dtype=np.float64)
                possible = 0.0
                filters = Evaluator(snap, scored=False)
                live = int(snap.live.sum())
                for entity_id in (s.stored_fields(docnum).get("entity_ids") or "").split(","):
                    if not entity_id:
                        continue
                    naming = filters.run(wq.Term("entity_ids", entity_id)).mask
                    count = int(naming.sum())
                    if count <= 1:  # only this article names it
                        continue
                    weight = math.log(1 + live / count)
                    shared += naming * weight
                    possible += weight
                if possible:
                    scores += RELATED_ENTITY_WEIGHT * shared / possible
                matches.mask = scores > 0
                matches.mask[docnum] = False
                matches.scores = scores.astype(np.float32)
                ids = [int(s.stored_fields(d)["id"]) for d, _ in rank(snap, matches, sort="relevance", start=0,
                                                                       stop=limit)]
                segment_cache.put(key, ids)
    except IndexUnavailable:
        return []
    articles = _hydrate(ids)
    return [articles[i] for i in ids if i in articles]
