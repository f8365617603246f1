"""Look-alike sharing: similar symbols share the probability instead of one taking all.

A drawn α comes back as ∝ at 100 %: the fonts the recognizer learned from draw α with an
upright stem, people write it as a "fish" (a loop whose ends cross and stop on the right),
which in the fonts only ∝ resembles. A hand-drawn × is an x or an X once the drawing is
scaled to 32x32. No temperature fixes that: the network is sure, and one number that spread
its 99.9999 % over a look-alike would spread every other answer too.

The sharing is a confusion model over a few groups of look-alikes (:data:`LOOKALIKES`): when
the network reads a drawing as symbol ``i`` of a group, the drawing is symbol ``j`` of the
same group with probability ``C[i, j]`` (each row of ``C`` sums to 1; symbols outside the
groups keep their probability). The answer is ``q_j = sum_i p_i C[i, j]``. ``C`` is the
maximum-likelihood fit (EM, Dempster et al. 1977) on held-out drawings with their true
labels, with a pseudo-count :data:`PRIOR` on the diagonal, so a group nobody drew stays
the identity:

* E step: an example of true class ``j`` read as ``p`` came from reading ``i`` with
  responsibility ``r_i = p_i C[i, j] / q_j``;
* M step: ``C[i, j] = (sum of r_i over the examples of class j + PRIOR [i = j]) /
  (sum of r_i over the group's examples + PRIOR)``.

If α fish drawings are read as ∝ as surely as ∝ drawings are, the fit says what is true of
them: a drawing read as ∝ is an α in the share of such drawings that were α's.

Example:
    >>> groups = [(0, 1)]
    >>> p = numpy.array([[0.0, 1.0], [0.0, 1.0], [1.0, 0.0]])   # two read as 1, one as 0
    >>> sharing = Sharing.fit(p, [0, 1, 0], groups, prior=0.0)
    >>> sharing.apply(numpy.array([[0.0, 1.0]])).round(3)       # read as 1: half are 0's
    array([[0.5, 0.5]])
"""

from __future__ import annotations

import numpy

__all__ = ["LOOKALIKES", "PRIOR", "Sharing"]

LOOKALIKES: tuple[tuple[str, ...], ...] = ((r"\alpha", r"\propto"),
                                           (r"\times", "x", "X", r"\chi"))
"""Groups of symbols a hand draws alike (LaTeX commands): issue 20's α/∝ and ×/x (with X,
and χ, which the network gives a share of hand-drawn x's and X's)."""

PRIOR = 1.0
"""Pseudo-count on the diagonal of each group's matrix (one example read right)."""

_TINY = 1e-38


def _check_groups(groups, n_classes: int) -> tuple[tuple[int, ...], ...]:
    seen = set()
    out = []
    for group in groups:
        group = tuple(int(i) for i in group)
        if len(group) < 2 or seen & set(group) or len(set(group)) != len(group) or \
                min(group) < 0 or max(group) >= n_classes:
            raise ValueError(f"Sharing: groups must be disjoint tuples of at least 2 class "
                             f"indices from 0 to {n_classes - 1}; received group={group}")
        seen.update(group)
        out.append(group)
    return tuple(out)


class Sharing:
    """Row-stochastic matrices over groups of class indices (see the module docstring).

    Args:
        groups: disjoint tuples of class indices.
        matrices: one ``(k, k)`` array per group of ``k`` classes, rows summing to 1.
    """

    def __init__(self, groups, matrices):
        self.groups = tuple(tuple(int(i) for i in g) for g in groups)
        self.matrices = [numpy.asarray(m, dtype=numpy.float64) for m in matrices]
        for group, m in zip(self.groups, self.matrices, strict=True):
            if m.shape != (len(group), len(group)) or (m < 0).any() or \
                    not numpy.allclose(m.sum(axis=1), 1.0, atol=1e-6):
                raise ValueError(f"Sharing: the matrix of group {group} must be "
                                 f"{len(group)}x{len(group)}, non-negative, rows summing to 1; "
                                 f"received {m.tolist()}")

    @classmethod
    def fit(cls, probabilities, labels, groups, prior: float = PRIOR,
            iterations: int = 500) -> Sharing:
        """The maximum-likelihood matrices for ``(n, classes)`` probabilities and their ``n``
        true labels (EM from ``0.9 I + 0.1 / k``, until no entry moves by 1e-10)."""
        p = numpy.asarray(probabilities, dtype=numpy.float64)
        y = numpy.asarray(labels).reshape(-1).astype(numpy.int64)
        if p.ndim != 2 or len(p) != len(y):
            raise ValueError(f"Sharing.fit: expected probabilities (n, classes) and n labels; "
                             f"received shapes {p.shape} and {y.shape}")
        groups = _check_groups(groups, p.shape[1])
        matrices = []
        for group in groups:
            k = len(group)
            index = numpy.array(group)
            rows = numpy.isin(y, index)
            pg = numpy.maximum(p[rows][:, index], _TINY)     # (m, k): what the network read
            position = {cls: at for at, cls in enumerate(group)}
            true = numpy.array([position[v] for v in y[rows].tolist()], dtype=numpy.int64)
            onehot = numpy.eye(k)[true]                       # (m, k)
            c = 0.9 * numpy.eye(k) + 0.1 / k
            for _ in range(int(iterations)):
                weights = pg * c[:, true].T                   # p_i C[i, y]: (m, k)
                r = weights / weights.sum(axis=1, keepdims=True)
                counts = r.T @ onehot + prior * numpy.eye(k)  # (k read, k true)
                total = counts.sum(axis=1, keepdims=True)
                new = numpy.where(total > 0, counts / numpy.maximum(total, _TINY), numpy.eye(k))
                moved = numpy.abs(new - c).max()
                c = new
                if moved < 1e-10:
                    break
            c = numpy.where(c < 1e-12, 0.0, c)               # EM's vanishing shares: 0
            matrices.append(c / c.sum(axis=1, keepdims=True))
        return cls(groups, matrices)

    def apply(self, probabilities) -> numpy.ndarray:
        """``q = p C`` row by row: each group's probability redistributed, float64."""
        q = numpy.array(probabilities, dtype=numpy.float64)
        for group, c in zip(self.groups, self.matrices):
            index = numpy.array(group)
            q[..., index] = q[..., index] @ c
        return q

    def to_json(self, classes) -> dict:
        """``{"groups": [[latex, ...]], "matrices": [[[...]]]}`` (names, not indices, so the
        report stays valid when classes are appended)."""
        return {"groups": [[classes[i].latex for i in g] for g in self.groups],
                "matrices": [m.tolist() for m in self.matrices]}

    @classmethod
    def from_json(cls, data, classes) -> Sharing:
        """The sharing stored by :meth:`to_json`, for a model answering ``classes``; a group
        naming a class the model lacks is left out."""
        index = {s.latex: i for i, s in enumerate(classes)}
        groups, matrices = [], []
        for names, m in zip(data["groups"], data["matrices"], strict=True):
            if all(name in index for name in names):
                m = numpy.asarray(m, dtype=numpy.float64)
                groups.append([index[name] for name in names])
                matrices.append(m)
        return cls(_check_groups(groups, len(classes)), matrices)

    @classmethod
    def lookalikes(cls, classes) -> tuple[tuple[int, ...], ...]:
        """The class indices of the :data:`LOOKALIKES` groups a model answering ``classes``
        has whole."""
        index = {s.latex: i for i, s in enumerate(classes)}
        return tuple(tuple(index[n] for n in g) for g in LOOKALIKES
                     if all(n in index for n in g))
