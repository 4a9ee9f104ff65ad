"""Measuring the review list of new names against a collection whose new names a person labelled.

The articles are imported and tagged as an import would (with the archive's entities,
collecting suggestions), the open suggestions are read in the admin's default order,
and each of the first ``top`` is checked against the names the labeller listed for
the collection: right when it is one of them and of the kind listed. Everything is
done in a transaction that is rolled back: nothing is stored, and the suggestions
already in the archive neither count nor change.

Names are compared case and accents aside, without a leading "the" or a company's
legal suffix ("Harlan Industries Inc" is "Harlan Industries"): an editor accepts
either form of the same name.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from archive.evaluation import LabelledArticle
from archive.models import Article, EntitySuggestion, Source
from archive.text import body_fingerprint, fold

# The admin's queue opens on the open suggestions in this order (EntitySuggestionAdmin.ordering).
REVIEW_ORDER = ("-strong", "-article_count", "name")
TOP = 50
_LEGAL_SUFFIX = re.compile(
    r"(?:,?\s+(?:inc|corp|corporation|co|company|ltd|plc|llp|llc|lp|sa|ag|nv|bv|jsc|pjsc|gmbh|spa|srl)\.?)+$")


def name_key(name: str) -> str:
    key = " ".join(fold(name).replace("’", "'").split())
    key = re.sub(r"^the\s+", "", key)
    return _LEGAL_SUFFIX.sub("", key) or key


@dataclass(frozen=True)
class Judged:
    name: str
    kind: str
    article_count: int
    strong: bool
    right: bool
    why: str  # "" when right; else "not a labelled name" or "labelled <kind>"


@dataclass
class SuggestionEvaluation:
    articles: int = 0
    open: int = 0
    watching: int = 0
    top: list[Judged] = field(default_factory=list)

    @property
    def open_per_article(self) -> float:
        return self.open / self.articles if self.articles else 0.0

    @property
    def right(self) -> int:
        return sum(judged.right for judged in self.top)

    @property
    def right_share(self) -> float:
        return self.right / len(self.top) if self.top else 1.0


def evaluate_suggestions(*, articles: Iterable[LabelledArticle], gazetteer=None, top: int = TOP
                         ) -> SuggestionEvaluation:
    """Import ``articles`` with discovery on, and judge the first ``top`` open suggestions."""
    from archive.services import tag_articles

    articles = list(articles)
    labels: dict[str, set[str]] = {}
    for labelled in articles:
        for kind, names in labelled.names.items():
            for name in names:
                labels.setdefault(name_key(name), set()).add(kind)
    result = SuggestionEvaluation(articles=len(articles))
    with transaction.atomic():
        EntitySuggestion.objects.all().delete()  # rolled back below: the archive's own queue is left as it was
        source = Source.objects.create(name="Suggestion evaluation (not stored)")
        start = dt.date(1987, 1, 1)
        stored, fingerprints = [], set()
        for number, labelled in enumerate(articles):
            if body_fingerprint(labelled.body) in fingerprints:
                continue  # a repeated story is one article, as on import
            fingerprints.add(body_fingerprint(labelled.body))
            article = Article(source=source, title=labelled.title[:300], body=labelled.body,
                              dateline=labelled.dateline, language=labelled.language,
                              published=start + dt.timedelta(days=number))
            article.save()  # one by one: saving gives each its slug and fingerprint
            stored.append(article)
        result.articles = len(stored)
        tag_articles(articles=stored, gazetteer=gazetteer, discover=True)
        queue = EntitySuggestion.objects.open().order_by(*REVIEW_ORDER)
        result.open = queue.count()
        result.watching = EntitySuggestion.objects.undecided().count() - result.open
        for suggestion in queue[:top]:
            kinds = labels.get(name_key(suggestion.name), set())
            right = suggestion.kind in kinds
            why = "" if right else (f"labelled {'/'.join(sorted(kinds))}" if kinds else "not a labelled name")
            result.top.append(Judged(suggestion.name, suggestion.kind, suggestion.article_count, suggestion.strong,
                                     right, why))
        transaction.set_rollback(True)
    return result
