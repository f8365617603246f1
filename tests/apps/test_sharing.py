"""Look-alike sharing: a confusion model over groups of similar symbols, fitted by EM."""

from __future__ import annotations

import numpy as np
import pytest

from lamina.apps.recognizer.sharing import LOOKALIKES, Sharing
from lamina.datasets.symbols import CLASSES, index_of


def test_the_docstring_case_by_hand():
    # two drawings read surely as 1 (one a 0, one a 1), one read surely as 0 (a 0), no prior:
    # a 1-reading is a 0 half the time, a 0-reading always a 0
    p = np.array([[0.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    sharing = Sharing.fit(p, [0, 1, 0], [(0, 1)], prior=0.0)
    np.testing.assert_allclose(sharing.matrices[0], [[1.0, 0.0], [0.5, 0.5]], atol=1e-6)
    np.testing.assert_allclose(sharing.apply([[0.0, 1.0]]), [[0.5, 0.5]], atol=1e-6)
    # with the prior, a pseudo-count of one right reading per symbol: 1-readings (2 + 1)
    # hold one 0, 0-readings (1 + 1) no 1
    prior = Sharing.fit(p, [0, 1, 0], [(0, 1)], prior=1.0)
    np.testing.assert_allclose(prior.matrices[0], [[1.0, 0.0], [1 / 3, 2 / 3]], atol=1e-6)


def test_fit_recovers_the_confusion_of_the_labels():
    # the "network" reads class 2 or 3 surely; the truth of a 3-reading is 2 with
    # probability 0.3: the fit finds it back to the sampling noise of 20,000 readings
    # (binomial standard deviation sqrt(0.3 * 0.7 / 10,000) = 0.0046; we allow 4 of them)
    rng = np.random.default_rng(0)
    read = rng.integers(2, 4, 20_000)
    p = np.full((len(read), 5), 1e-9)
    p[np.arange(len(read)), read] = 1.0
    truth = np.where((read == 3) & (rng.random(len(read)) < 0.3), 2, read)
    sharing = Sharing.fit(p, truth, [(2, 3)], prior=0.0)
    c = sharing.matrices[0]
    assert c[1, 0] == pytest.approx(0.3, abs=4 * 0.0046)
    assert c[0, 1] < 1e-3                                  # 2-readings are always 2
    # the likelihood went up, and what is outside the group is untouched
    q = sharing.apply(p)
    nll = -np.log(q[np.arange(len(truth)), truth]).mean()
    assert nll < -np.log(np.maximum(p[np.arange(len(truth)), truth], 1e-38)).mean()
    np.testing.assert_array_equal(q[:, [0, 1, 4]], p[:, [0, 1, 4]])
    np.testing.assert_allclose(q.sum(axis=1), p.sum(axis=1), rtol=1e-12)


def test_a_group_read_right_stays_the_identity():
    p = np.eye(4)[[0, 1, 2, 3, 1]]
    sharing = Sharing.fit(p, [0, 1, 2, 3, 1], [(0, 1), (2, 3)])
    for c in sharing.matrices:
        np.testing.assert_allclose(c, np.eye(2), atol=1e-9)
    nobody = Sharing.fit(p[:1], [0], [(2, 3)])            # no example of the group at all
    np.testing.assert_allclose(nobody.matrices[0], np.eye(2), atol=1e-9)


def test_json_names_the_classes_and_a_smaller_model_drops_what_it_lacks():
    groups = Sharing.lookalikes(CLASSES)
    assert [[CLASSES[i].latex for i in g] for g in groups] == [list(g) for g in LOOKALIKES]
    m = [np.array([[0.9, 0.1], [0.4, 0.6]]),
         np.array([[0.7, 0.1, 0.1, 0.1], [0.2, 0.7, 0.1, 0.0], [0.0, 0.5, 0.5, 0.0],
                   [0.0, 0.3, 0.0, 0.7]])]
    data = Sharing(groups, m).to_json(CLASSES)
    assert data["groups"] == [[r"\alpha", r"\propto"], [r"\times", "x", "X", r"\chi"]]
    back = Sharing.from_json(data, CLASSES)
    assert back.groups == groups
    for a, b in zip(back.matrices, m):
        np.testing.assert_allclose(a, b, atol=1e-12)
    # a model of the first 62 classes (digits, Latin) has x and X but not ×, χ, α or ∝
    few = CLASSES[:62]
    assert index_of("x") < 62 and index_of(r"\times") >= 62
    assert Sharing.from_json(data, few).groups == () and Sharing.lookalikes(few) == ()


@pytest.mark.parametrize("groups, matrices, message", [
    ([(0,)], [np.eye(1)], "disjoint tuples of at least 2"),
    ([(0, 1), (1, 2)], [np.eye(2), np.eye(2)], "disjoint tuples"),
    ([(0, 9)], [np.eye(2)], "from 0 to 3"),
])
def test_bad_groups_are_refused(groups, matrices, message):
    with pytest.raises(ValueError, match=message):
        Sharing.fit(np.eye(4), [0, 1, 2, 3], groups)


def test_a_matrix_must_be_row_stochastic():
    with pytest.raises(ValueError, match=r"rows summing to 1; received \[\[0.5, 0.0\]"):
        Sharing([(0, 1)], [np.array([[0.5, 0.0], [0.0, 1.0]])])
