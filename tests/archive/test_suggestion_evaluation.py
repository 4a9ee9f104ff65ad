"""evaluate_suggestions: the review list measured on a collection whose new names a person labelled.

The shipped collection (archive/evaluation/suggestions.jsonl, written for this project in the
style of wire copy, BBC-style news and Kazakh-Chinese energy news) stands in for the real
collections issue 11 will be re-measured on: at most one open suggestion per five articles,
and at least 40 of the first 50 in the review queue real names of the right kind.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from archive.evaluation import read_labelled
from archive.evaluation.suggestions import evaluate_suggestions, name_key
from archive.models import Article, EntityKind, EntitySuggestion, SuggestionStatus
from archive.places import build_places, load_places
from archive.text import fold
from tests.factories import make_entity

COLLECTION = Path(__file__).resolve().parents[2] / "archive" / "evaluation" / "suggestions.jsonl"


def _line(title: str, body: str, **names) -> str:
    return json.dumps({"title": title, "body": body, "names": names})


@pytest.fixture
def seeded(db):
    """The archive as the real collections will meet it: the sample entities and the gazetteer of places.

    Only the places whose names occur in the collection (and the places they lie in) are
    loaded: the others cannot match its text, and loading all 8,000 would only be slower.
    """
    from archive.management.commands.load_sample import Command as LoadSample

    LoadSample()._load_entities()
    text = fold(COLLECTION.read_text("utf-8"))
    records = build_places()
    by_name = {record.name: record for record in records}
    wanted = {record.name for record in records
              if any(fold(name) in text for name in (record.name, *record.aliases) if len(name) > 2)}
    for name in list(wanted):
        parent = by_name[name].parent
        while parent and parent not in wanted and parent in by_name:
            wanted.add(parent)
            parent = by_name[parent].parent
    load_places(records=[record for record in records if record.name in wanted])


def test_the_shipped_collection_meets_the_issues_figures(seeded):
    articles = read_labelled(COLLECTION.read_text("utf-8").splitlines())
    assert len(articles) >= 150 and {a.language for a in articles} == {"en", "ru"}
    result = evaluate_suggestions(articles=articles)
    wrong = [(j.name, j.kind, j.why) for j in result.top if not j.right]
    assert result.open_per_article <= 0.2, (result.open, result.articles)
    assert len(result.top) == min(50, result.open)
    assert result.right_share >= 0.8, wrong
    # Nothing was stored: the measurement leaves the archive as it was.
    assert not Article.objects.exists() and not EntitySuggestion.objects.exists()


def test_a_suggestion_is_right_only_as_a_labelled_name_of_the_labelled_kind(db):
    body = ("The board met on Tuesday, and chairman Walter Crane said that Harlan Industries Inc would raise its "
            "dividend, according to a statement released after meeting {}. The Finance Ministry said so too.")
    articles = read_labelled([_line(f"Story {n}", body.format(n), person=["Walter Crane"],
                                    organisation=["Harlan Industries"]) for n in range(3)])
    result = evaluate_suggestions(articles=articles)
    judged = {j.name: j for j in result.top}
    assert judged["Walter Crane"].right and judged["Walter Crane"].kind == EntityKind.PERSON
    assert judged["Harlan Industries Inc"].right  # the legal form aside, the labelled name
    assert result.open == len(result.top) == 2 and result.open_per_article == pytest.approx(2 / 3)


def test_the_archives_own_queue_is_left_alone(db):
    kept = EntitySuggestion.objects.create(name="Kept Name Here", strong=True, article_count=9,
                                           status=SuggestionStatus.NEW)
    make_entity("Harlan Industries Inc")
    body = ("The board met on Tuesday, and chairman Walter Crane said that Harlan Industries Inc would raise its "
            "dividend, according to a statement released after meeting {}.")
    result = evaluate_suggestions(articles=read_labelled([_line(f"S{n}", body.format(n)) for n in range(3)]))
    assert [j.name for j in result.top] == ["Walter Crane"]  # the known company is not suggested
    assert list(EntitySuggestion.objects.all()) == [kept]


@pytest.mark.parametrize(
    ("a", "b"),
    [("Harlan Industries Inc", "harlan industries"), ("The Bank of Japan", "Bank of Japan"),
     ("Qantas Airways Ltd.", "Qantas Airways"), ("Lloyd’s of London", "Lloyd's of London"),
     ("Steppe Power JSC", "Steppe Power"), ("Vollmer Maschinenbau GmbH", "Vollmer Maschinenbau")],
)
def test_names_compare_without_legal_form_article_or_case(a, b):
    assert name_key(a) == name_key(b)


def test_different_names_stay_different():
    assert name_key("Boeing Co") != name_key("Boeing Capital")


def test_command_prints_the_figures_and_refuses_a_bad_file(db, tmp_path):
    path = tmp_path / "names.jsonl"
    body = ("The board met on Tuesday, and chairman Walter Crane said that Harlan Industries Inc would raise its "
            "dividend, according to a statement released after meeting {}.")
    lines = [_line(f"S{n}", body.format(n), person=["Walter Crane"]) for n in range(3)]
    path.write_text("\n".join(lines + [lines[0]]) + "\n", "utf-8")  # a repeated story counts once
    out = StringIO()
    call_command("evaluate_suggestions", str(path), "--show", stdout=out)
    text = out.getvalue()
    assert "3 articles: 2 open suggestions (0.667 per article)" in text
    assert "right names of the right kind: 1 of the first 2 (0.50)" in text
    assert "✗ Harlan Industries Inc (organisation; 3 articles" in text and "not a labelled name" in text
    path.write_text('{"body": "x", "names": {"planet": ["Mars"]}}\n', "utf-8")
    with pytest.raises(CommandError, match="unknown kind 'planet'"):
        call_command("evaluate_suggestions", str(path), stdout=StringIO())
