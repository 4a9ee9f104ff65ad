"""evaluate_tagging: reading labelled files and scoring the tagger against them."""

from __future__ import annotations

import json
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from archive.evaluation import LabelledFileError, evaluate, read_labelled
from archive.models import EntityKind, PlaceType
from archive.text import body_fingerprint
from tests.factories import make_entity

LABELLED_SET = Path(__file__).resolve().parents[2] / "archive" / "evaluation" / "labelled.jsonl"
# Held-out pairs (places file, new-name stories file), each written without reading the rules or the other sets.
HELD_OUT_SETS = {
    "first": (LABELLED_SET.with_name("heldout_places.jsonl"), LABELLED_SET.with_name("heldout_suggestions.jsonl")),
    "second": (LABELLED_SET.with_name("heldout2_places.jsonl"), LABELLED_SET.with_name("heldout2_suggestions.jsonl")),
}


def _line(body: str, **expected) -> str:
    return json.dumps({"title": "", "body": body, "expected": expected})


@pytest.fixture
def places(db):
    kazakhstan = make_entity("Kazakhstan", kind=EntityKind.PLACE, place_type=PlaceType.COUNTRY)
    almaty = make_entity("Almaty", kind=EntityKind.PLACE, place_type=PlaceType.CITY, parent=kazakhstan,
                         aliases=["Alma-Ata"])
    china = make_entity("China", kind=EntityKind.PLACE, place_type=PlaceType.COUNTRY)
    return kazakhstan, almaty, china


def test_scores_count_found_false_and_missed_tags(places):
    articles = read_labelled([
        _line("Officials in Almaty met traders from China.", place=["Alma-Ata", "China"]),
        _line("Kazakhstan raised tariffs.", place=["Kazakhstan", "Uzbekistan"]),
        _line("China and Kazakhstan signed.", place=["China"]),
    ])
    result = evaluate(articles=articles)
    place = result.by_kind[EntityKind.PLACE]
    assert (place.tp, place.fp, place.fn) == (4, 1, 1)
    assert place.precision == pytest.approx(0.8)
    assert place.recall == pytest.approx(0.8)
    assert result.by_entity[(EntityKind.PLACE, "Uzbekistan (not in the archive)")].fn == 1
    assert result.by_entity[(EntityKind.PLACE, "Kazakhstan")].fp == 1
    assert [error.line for error in result.errors] == [2, 3]


def test_roll_up_counts_a_city_as_its_country(places):
    articles = read_labelled([_line("Officials in Almaty said so.", place=["Kazakhstan"])])
    assert evaluate(articles=articles).overall.f1 == 0
    rolled = evaluate(articles=articles, roll_up=True).overall
    assert (rolled.tp, rolled.fp, rolled.fn) == (1, 0, 0)


def test_only_the_kinds_labelled_are_scored(places):
    make_entity("Kassym-Jomart Tokayev", kind=EntityKind.PERSON, aliases=["Tokayev"])
    result = evaluate(articles=read_labelled([_line("Tokayev visited China.", place=["China"])]))
    assert set(result.by_kind) == {EntityKind.PLACE}
    assert result.overall.fp == 0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 1: not JSON"),
        ('{"body": "", "expected": {"place": []}}', "'body' must be non-empty"),
        ('{"body": "x", "expected": {"planet": ["Mars"]}}', "unknown kind 'planet'"),
        ('{"body": "x", "expected": {"place": "Mars"}}', "must be a list of names"),
        ('{"body": "x"}', "'expected' must map kinds"),
    ],
)
def test_bad_lines_are_reported_with_their_number(line, message):
    with pytest.raises(LabelledFileError, match=message):
        read_labelled([line])


def test_command_prints_the_figures_and_refuses_a_bad_file(places, tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text(_line("Officials in Almaty said so.", place=["Kazakhstan"]) + "\n", encoding="utf-8")
    out = StringIO()
    call_command("evaluate_tagging", str(path), "--roll-up-countries", stdout=out)
    assert "places rolled up to their countries" in out.getvalue()
    assert "overall                                      1.000   1.000   1.000      1      0      0" in out.getvalue()
    path.write_text("[1, 2]\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 1: expected an object"):
        call_command("evaluate_tagging", str(path), stdout=StringIO())


def test_the_shipped_labelled_set_is_readable_and_large_enough():
    articles = read_labelled(LABELLED_SET.read_text("utf-8").splitlines())
    assert len(articles) >= 200
    assert {article.language for article in articles} == {"en", "ru"}
    assert all(EntityKind.PLACE in article.expected for article in articles)


# The second set's stories also have to recur like real copy, or the review queue would open on nothing.
@pytest.mark.parametrize(("held_out", "min_place_labels", "min_recurring_names"), [
    ("first", 1000, 0),
    ("second", 700, 20),
])
def test_the_held_out_files_parse_with_known_kinds_and_enough_stories(held_out, min_place_labels,
                                                                       min_recurring_names):
    places_path, stories_path = HELD_OUT_SETS[held_out]
    places = read_labelled(places_path.read_text("utf-8").splitlines())
    stories = read_labelled(stories_path.read_text("utf-8").splitlines())
    for path in (places_path, stories_path):
        header = json.loads(path.read_text("utf-8").splitlines()[0])
        assert "written for the Dossier project and is not real reporting" in header["header"]
    assert len(places) >= 200 and len(stories) >= 200
    assert {a.language for a in places} == {a.language for a in stories} == {"en", "ru"}
    # The places file is scored on places alone; the stories file on new names alone, every one of a known kind.
    assert all(set(a.expected) == {EntityKind.PLACE} and not a.names for a in places)
    assert all(a.names and not a.expected and set(a.names) <= set(EntityKind.values) for a in stories)
    assert sum(len(a.expected[EntityKind.PLACE]) for a in places) >= min_place_labels
    stories_per_name = Counter(name for a in stories for names in a.names.values() for name in set(names))
    assert sum(3 <= count <= 5 for count in stories_per_name.values()) >= min_recurring_names
    # A repeated body would be imported once and silently drop its labels.
    for articles in (places, stories):
        assert len({body_fingerprint(a.body) for a in articles}) == len(articles)
