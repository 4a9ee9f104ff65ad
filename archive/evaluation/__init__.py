"""Measuring the tagger against articles whose entities a person labelled.

A labelled file is JSON Lines, one article a line::

    {"title": "...", "body": "...", "dateline": "ASTANA", "language": "en",
     "expected": {"place": ["Astana", "Kazakhstan"], "person": ["Kassym-Jomart Tokayev"]}}

Only the kinds listed under ``expected`` are scored for that article (an empty list
means "none of this kind"), so a set labelled for places alone says nothing about
people. Expected names are looked up among the archive's entities by name or alias
(case and accents aside); a name the archive does not know counts as missed.

With ``roll_up`` every place counts as its country (Almaty as Kazakhstan, Scotland as
the United Kingdom), the way collections labelled by country are compared.

A line may also list, under ``names``, the names in it an editor would accept as new
entities, per kind; ``archive.evaluation.suggestions`` scores the review list against
them. A line needs ``expected``, ``names`` or both.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from archive.models import Alias, Article, Entity, EntityKind, PlaceType
from archive.text import fold

MAX_LINE_CHARS = 200_000


class LabelledFileError(ValueError):
    pass


@dataclass(frozen=True)
class LabelledArticle:
    title: str
    body: str
    dateline: str
    language: str
    expected: dict[str, tuple[str, ...]]
    line: int = 0
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn


@dataclass
class ArticleErrors:
    line: int
    title: str
    false: list[str]
    missed: list[str]


@dataclass
class Evaluation:
    articles: int = 0
    overall: Score = field(default_factory=Score)
    by_kind: dict[str, Score] = field(default_factory=dict)
    by_entity: dict[tuple[str, str], Score] = field(default_factory=dict)
    errors: list[ArticleErrors] = field(default_factory=list)


def read_labelled(lines: Iterable[str]) -> list[LabelledArticle]:
    """Parse a labelled file; a bad line raises ``LabelledFileError`` naming the line."""
    kinds = set(EntityKind.values)
    articles = []
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("//"):
            continue
        if len(line) > MAX_LINE_CHARS:
            raise LabelledFileError(f"line {number}: longer than {MAX_LINE_CHARS:,} characters")
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise LabelledFileError(f"line {number}: not JSON ({error.msg})") from None
        if not isinstance(record, dict):
            raise LabelledFileError(f"line {number}: expected an object")
        if record.get("header"):
            continue  # the file's own description
        body, expected, new_names = record.get("body"), record.get("expected"), record.get("names")
        if not isinstance(body, str) or not body.strip():
            raise LabelledFileError(f"line {number}: 'body' must be non-empty text")
        if new_names is None and (not isinstance(expected, dict) or not expected):
            raise LabelledFileError(f"line {number}: 'expected' must map kinds to lists of names")
        cleaned = _by_kind(expected or {}, kinds, number, "expected")
        new_cleaned = _by_kind(new_names or {}, kinds, number, "names")
        text_fields = {key: record.get(key, "") for key in ("title", "dateline", "language")}
        if not all(isinstance(value, str) for value in text_fields.values()):
            raise LabelledFileError(f"line {number}: title, dateline and language must be text")
        articles.append(LabelledArticle(
            title=text_fields["title"], body=body, dateline=text_fields["dateline"],
            language=text_fields["language"] or "en", expected=cleaned, line=number, names=new_cleaned,
        ))
    return articles


def read_labelled_file(path: Path) -> list[LabelledArticle]:
    """``read_labelled`` over a file: every way reading it can fail is a ``LabelledFileError`` naming the file."""
    try:
        with path.open(encoding="utf-8") as stream:
            return read_labelled(stream)
    except OSError as error:
        raise LabelledFileError(f"Cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise LabelledFileError(f"{path} is not UTF-8 text") from None
    except LabelledFileError as error:
        raise LabelledFileError(f"{path}: {error}") from None


def _by_kind(value, kinds: set[str], number: int, key: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise LabelledFileError(f"line {number}: {key!r} must map kinds to lists of names")
    cleaned = {}
    for kind, names in value.items():
        if kind not in kinds:
            raise LabelledFileError(f"line {number}: unknown kind {kind!r} (one of {', '.join(sorted(kinds))})")
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            raise LabelledFileError(f"line {number}: {key} {kind!r} must be a list of names")
        cleaned[kind] = tuple(" ".join(n.split()) for n in names)
    return cleaned


class _Names:
    """The archive's entities by folded name or alias, with each place's country."""

    def __init__(self):
        rows = list(Entity.objects.values_list("id", "name", "kind", "parent_id", "place_type"))
        self.name = {pk: name for pk, name, *_ in rows}
        self.kind = {pk: kind for pk, _, kind, *_ in rows}
        self.parent = {pk: parent for pk, _, _, parent, _ in rows}
        self.place_type = {pk: place_type for pk, *_, place_type in rows}
        self.by_key: dict[tuple[str, str], int] = {}
        for pk, name, kind, *_ in rows:
            self.by_key.setdefault((kind, fold(name)), pk)
        for entity_id, alias in Alias.objects.values_list("entity_id", "name"):
            kind = self.kind[entity_id]
            self.by_key.setdefault((kind, fold(alias)), entity_id)

    def resolve(self, kind: str, name: str) -> int | str:
        return self.by_key.get((kind, fold(name)), f"{name} (not in the archive)")

    def country(self, entity_id: int | str) -> int | str:
        """The country a place lies in (itself for countries, continents and blocs)."""
        seen = set()
        current = entity_id
        while isinstance(current, int) and current not in seen:
            seen.add(current)
            if self.place_type.get(current) in (PlaceType.COUNTRY, PlaceType.FORMER_COUNTRY):
                return current
            parent = self.parent.get(current)
            if parent is None or self.place_type.get(parent) in (PlaceType.CONTINENT, PlaceType.BLOC):
                break
            current = parent
        return entity_id

    def label(self, key: int | str) -> str:
        return self.name.get(key, str(key)) if isinstance(key, int) else key


def evaluate(*, articles: Iterable[LabelledArticle], gazetteer=None, roll_up: bool = False) -> Evaluation:
    """Tag each article as an import would, and compare with what the labeller expected."""
    from archive.services import find_mentions
    from archive.tagging import Gazetteer

    gazetteer = gazetteer or Gazetteer.from_database()
    names = _Names()
    result = Evaluation()
    for labelled in articles:
        result.articles += 1
        article = Article(title=labelled.title, body=labelled.body, dateline=labelled.dateline,
                          language=labelled.language)
        found = list(find_mentions(article, gazetteer))
        false, missed = [], []
        for kind, expected_names in labelled.expected.items():
            expected = {names.resolve(kind, name) for name in expected_names}
            predicted = {pk for pk in found if names.kind.get(pk) == kind}
            if roll_up and kind == EntityKind.PLACE:
                expected = {names.country(key) for key in expected}
                predicted = {names.country(key) for key in predicted}
            score = result.by_kind.setdefault(kind, Score())
            for key in expected | predicted:
                entity_score = result.by_entity.setdefault((kind, names.label(key)), Score())
                hit = Score(tp=int(key in expected and key in predicted), fp=int(key not in expected),
                            fn=int(key not in predicted))
                entity_score.add(hit)
                score.add(hit)
                result.overall.add(hit)
                if hit.fp:
                    false.append(f"{kind}: {names.label(key)}")
                if hit.fn:
                    missed.append(f"{kind}: {names.label(key)}")
        if false or missed:
            result.errors.append(ArticleErrors(labelled.line, labelled.title, sorted(false), sorted(missed)))
    return result
