"""Held-out drawings of look-alike symbols, drawn as a hand draws them on the page.

The generator draws symbols from fonts; no font has the α people write (a "fish": one stroke,
a loop whose two straight ends cross and stop on the right), and it is that α which the
recognizer read as ∝ at 100 %. Fitting a calibration only on font renderings cannot see
that. These families are pen paths written by hand (not from the fonts), for the symbols of
:data:`~lamina.apps.recognizer.sharing.LOOKALIKES`, each with its shape drawn at random
(the roundness of a loop, how far its ends go and bend, the bow of a stroke, the stroke
order and direction), then slanted, stretched, rotated and wobbled like a hand, and rendered
by the page's own path (:func:`~lamina.apps.recognizer.model.strokes_to_image`):

* ``\\alpha``: the fish, its ends straight, 0.3 to 0.7 of the loop's width past the crossing,
  the upper one flicked up or not; sometimes with a short stem-like hook on the lower end;
* ``\\propto``: the loop with ends that bend out level, like an ∞ cut open on the right;
* ``\\times``: two straight strokes crossing at about right angles in a square;
* ``x``: as ×, or two S-bent strokes crossing (each steep in the middle), or a cursive
  ``ɔ`` + ``c``, a third each;
* ``X``: two long strokes crossing in a box taller than wide;
* ``\\chi``: a tall x whose long stroke starts with a curl and whose short one crosses it.

Calibration fits on one seed's drawings and measures on another's (:mod:`.calibration`).

Example:
    >>> x, y = lookalike_drawings(CLASSES, per_class=2, seed=0)  # doctest: +SKIP
    >>> x.shape                                                  # doctest: +SKIP
    (10, 32, 32, 1)
"""

from __future__ import annotations

import math

import numpy

from lamina.random import make_rng

__all__ = ["FAMILIES", "lookalike_drawings", "pen_paths"]

_PAGE = 420.0  # the page's canvas side, in the coordinates the page sends


def _gerono(h, t0, t1, n=40):
    """The lemniscate of Gerono (x = cos t, y = h sin 2t), t from t0 to t1: its left loop
    spans x in [-1, 0], y in [-h, h]; it crosses itself at the origin (y down)."""
    t = numpy.linspace(t0, t1, n)
    return numpy.stack([numpy.cos(t), h * numpy.sin(2 * t)], axis=1)


def _alpha(rng):
    h, tail = rng.uniform(0.4, 0.7), rng.uniform(0.3, 0.7)
    t_end = math.acos(tail)
    path = _gerono(h, t_end, 2 * math.pi - t_end, 64)
    upper = (path[:, 0] > 0) & (path[:, 1] < 0)
    path[upper, 1] -= rng.uniform(0.0, 0.4) * path[upper, 0]       # the upper end flicked up
    if rng.random() < 0.25:                                        # a short downward hook
        end = path[0]
        path = numpy.concatenate([[end + [0.08, 0.12]], path])
    return [path]


def _propto(rng):
    h, length = rng.uniform(0.4, 0.65), rng.uniform(0.6, 1.1)
    rise = min(4 * h * length / math.pi, h * rng.uniform(0.8, 1.15))
    s = numpy.linspace(0.0, 1.0, 16)
    tail = numpy.stack([length * s, rise * numpy.sin(math.pi / 2 * s)], axis=1)  # ends level
    lower = tail[::-1]
    upper = tail * [1, -1]
    loop = _gerono(h, math.pi / 2, 3 * math.pi / 2, 48)
    return [numpy.concatenate([lower, loop, upper])]


def _line(a, b, bow=0.0, n=12, s_bend=False):
    """From ``a`` to ``b``, bowed sideways by ``bow`` of its length: one arc, or with
    ``s_bend`` an S (out one way in the first half, the other way in the second)."""
    a, b = numpy.asarray(a, float), numpy.asarray(b, float)
    s = numpy.linspace(0.0, 1.0, n)[:, None]
    d = b - a
    normal = numpy.array([-d[1], d[0]])
    profile = numpy.sin(2 * math.pi * s) / 2 if s_bend else 4 * s * (1 - s)
    return a + s * d + bow * profile * normal


def _cross(w, bows, n=12, s_bend=False):
    """Two strokes crossing in a ``w`` x 1 box, top left to bottom right then top right to
    bottom left, bowed by ``bows[0]`` and ``bows[1]`` of their length (see :func:`_line`)."""
    return [_line((-w / 2, -0.5), (w / 2, 0.5), bows[0], n, s_bend),
            _line((w / 2, -0.5), (-w / 2, 0.5), bows[1], n, s_bend)]


def _bows(rng, sd):
    """Two random bows, one per stroke of :func:`_cross`, drawn in stroke order."""
    return rng.normal(0, sd), rng.normal(0, sd)


def _times(rng):
    w = rng.uniform(0.85, 1.15)
    return _cross(w, _bows(rng, 0.02))


def _x_letter(rng):
    w = rng.uniform(0.8, 1.2)
    form = rng.random()
    if form < 1 / 3:                                               # as ×: two straight strokes
        return _cross(w, _bows(rng, 0.03))
    if form < 2 / 3:                                               # cursive: ɔ then c
        t = numpy.linspace(-math.pi / 2, math.pi / 2, 16)
        r = rng.uniform(0.2, 0.3) * w
        left = numpy.stack([-r + r * numpy.cos(t), 0.5 * numpy.sin(t)], axis=1)
        right = numpy.stack([r - r * numpy.cos(t), 0.5 * numpy.sin(t)], axis=1)
        return [left, right]
    bow = rng.uniform(0.06, 0.2)                                   # two S strokes: )( crossed
    return _cross(w, (-bow, bow), 16, s_bend=True)


def _x_capital(rng):
    w = rng.uniform(0.65, 0.9)
    return _cross(w, _bows(rng, 0.04))


def _chi(rng):
    w = rng.uniform(0.55, 0.8)
    long = _line((-w / 2, -0.5), (w / 2, 0.5), rng.uniform(-0.15, 0.0), 16, s_bend=True)
    hook = long[0] + [-rng.uniform(0.05, 0.12), rng.uniform(0.02, 0.08)]  # curled-in start
    return [numpy.concatenate([[hook], long]),
            _line((w * 0.4, -0.35), (-w * 0.4, 0.4), rng.normal(0, 0.04))]


FAMILIES = {r"\alpha": _alpha, r"\propto": _propto, r"\times": _times, "x": _x_letter,
            "X": _x_capital, r"\chi": _chi}
"""LaTeX command -> a function of a Generator giving the strokes of one drawing."""


def _like_a_hand(strokes, rng):
    """Shuffle the stroke order and directions, then slant, stretch, rotate and wobble."""
    strokes = [s[::-1] if rng.random() < 0.5 else s for s in strokes]
    if len(strokes) > 1 and rng.random() < 0.5:
        strokes = strokes[::-1]
    angle, shear = rng.normal(0, 0.1), rng.normal(0, 0.12)
    sx, sy = numpy.exp(rng.normal(0, 0.1, 2))
    rotate = numpy.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    affine = rotate @ numpy.array([[sx, shear], [0.0, sy]])
    out = []
    for stroke in strokes:
        points = stroke @ affine.T
        s = numpy.linspace(0.0, 1.0, len(points))[:, None]
        phase, amplitude = rng.uniform(0, 2 * math.pi, 2), rng.uniform(0.0, 0.025, 2)
        points = points + amplitude * numpy.sin(2 * math.pi * s * rng.uniform(0.5, 2) + phase)
        out.append(points)
    return out


def pen_paths(latex: str, rng) -> list:
    """One drawing of ``latex`` (a key of :data:`FAMILIES`) in page coordinates: strokes as
    ``[[x, y], ...]`` lists in a 420 px box, as the page sends them."""
    strokes = _like_a_hand(FAMILIES[latex](rng), rng)
    every = numpy.concatenate(strokes)
    low, high = every.min(axis=0), every.max(axis=0)
    scale = 0.7 * _PAGE / max(high - low)
    centre = (low + high) / 2
    return [((s - centre) * scale + _PAGE / 2).round(1).tolist() for s in strokes]


def lookalike_drawings(classes, per_class: int, seed) -> tuple[numpy.ndarray, numpy.ndarray]:
    """``per_class`` drawings of each :data:`FAMILIES` symbol in ``classes``: ``(x, y)``, ``x``
    ``(N, 32, 32, 1)`` float32 as the recognizer sees a page drawing, ``y`` indices into
    ``classes`` (a model's classes; symbols it lacks are left out). Needs Pillow."""
    from lamina.apps.recognizer.model import strokes_to_image

    rng = make_rng(seed)
    index = {s.latex: i for i, s in enumerate(classes)}
    images, labels = [], []
    for latex in FAMILIES:
        if latex not in index:
            continue
        for _ in range(int(per_class)):
            images.append(strokes_to_image(pen_paths(latex, rng)))
            labels.append(index[latex])
    if not images:
        return numpy.zeros((0, 32, 32, 1), numpy.float32), numpy.zeros(0, numpy.int64)
    return numpy.stack(images)[..., None].astype(numpy.float32), numpy.array(labels, numpy.int64)
