"""search.engine.Matches: few matches kept as document numbers answer as the arrays would."""

import numpy as np

from search.engine import Matches


def _dense(size, docs, scores):
    mask = np.zeros(size, dtype=bool)
    mask[docs] = True
    full = np.zeros(size, dtype=np.float64)
    full[docs] = scores
    return Matches(mask, full)


def test_few_matches_give_the_documents_scores_and_arrays_of_the_same_matches_as_arrays():
    docs, scores = np.array([2, 5, 9], dtype=np.int32), np.array([0.5, 1.5, 0.25], dtype=np.float32)
    few, dense = Matches.few(12, docs, scores), _dense(12, docs, scores)
    assert few.is_few and not dense.is_few
    for matches in (few, dense):
        found = matches.documents()
        assert found.tolist() == [2, 5, 9]
        assert matches.document_scores(found).tolist() == [0.5, 1.5, 0.25]
        assert matches.document_scores(found[1:]).tolist() == [1.5, 0.25]
    assert few.is_few  # reading the documents keeps them as they are
    assert np.array_equal(few.mask, dense.mask) and np.array_equal(few.scores, dense.scores)
    assert not few.is_few and few.scores.dtype == np.float64


def test_restricting_few_matches_keeps_the_allowed_ones_and_arrays_changed_in_place_count():
    allowed = np.ones(12, dtype=bool)
    allowed[5] = False
    few = Matches.few(12, np.array([2, 5, 9]), np.array([0.5, 1.5, 0.25]))
    few.restrict(allowed)
    assert few.documents().tolist() == [2, 9] and few.document_scores(few.documents()).tolist() == [0.5, 0.25]
    few.mask &= ~np.eye(1, 12, 9, dtype=bool)[0]  # changed as an array from here on
    assert not few.is_few and few.documents().tolist() == [2]
    unscored = Matches.few(12, np.array([1]), None)
    assert unscored.document_scores(unscored.documents()) is None and unscored.scores is None
