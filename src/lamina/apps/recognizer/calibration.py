"""Calibration: make the recognizer's percentages mean what they say (temperature scaling,
then look-alike sharing: :mod:`.sharing`).

A network trained with cross-entropy tends to be overconfident: it says 100 % for ∝ when the
drawing was an α. *Temperature scaling* (Guo et al., "On Calibration of Modern Neural
Networks", 2017) divides the logits by one number ``T`` fitted on held-out data (``T > 1``
spreads the probability over similar symbols); the ranking, so the top-1 and top-3 accuracy,
does not change. The *expected calibration error* (ECE) measures the gap: the examples are
put into ``n_bins`` bins of equal width by their top probability (the confidence), and the
ECE is the average over the examples of ``|accuracy of the bin - mean confidence of the
bin|``. A calibrated model that says 70 % is right 70 % of the time: ECE 0.

One temperature cannot fix a drawing the network is sure of and wrong about: the fish α is
∝ at 99.9999 % (the fonts draw α with a stem), and a ``T`` that moved that would flatten
every other answer too. So a second step, :mod:`.sharing`, redistributes the probability
within a few groups of look-alikes (α/∝, ×/x/X/χ), fitted on held-out data that includes
hand-like drawings of them (:mod:`.lookalikes`).

The softmax outputs are all the recognizer keeps; ``log p`` equals the logits up to a
constant per row, which the softmax cancels, so ``softmax(log p / T)`` is exactly the
scaled softmax (probabilities that underflowed to 0 in float32 are clipped to 1e-38 first).

Example:
    >>> report = calibrate(Recognizer.load(), per_class=10)        # doctest: +SKIP
    >>> report["temperature"], report["ece_before"], report["ece_after"]  # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

import numpy

__all__ = ["MIN_DRAWINGS", "apply_temperature", "calibrate", "describe",
           "expected_calibration_error", "fit_temperature", "negative_log_likelihood",
           "write_calibration"]

N_BINS = 15
_TINY = 1e-38
_SEARCH = (0.05, 20.0)  # the temperatures fit_temperature considers


def apply_temperature(probabilities, temperature: float) -> numpy.ndarray:
    """``softmax(log p / T)`` row by row, float64; ``T = 1`` gives ``p`` back (normalised)."""
    p = numpy.asarray(probabilities, dtype=numpy.float64)
    if not temperature > 0 or not math.isfinite(temperature):
        raise ValueError(f"apply_temperature: temperature must be a positive finite float; "
                         f"received temperature={temperature!r}")
    z = numpy.log(numpy.maximum(p, _TINY)) / float(temperature)
    z -= z.max(axis=-1, keepdims=True)
    e = numpy.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _labels(probabilities, labels):
    p = numpy.asarray(probabilities, dtype=numpy.float64)
    y = numpy.asarray(labels).reshape(-1)
    if p.ndim != 2 or len(p) != len(y) or len(y) == 0:
        raise ValueError(f"expected probabilities (n, classes) and n labels with n >= 1; "
                         f"received shapes {p.shape} and {y.shape}")
    if y.min() < 0 or y.max() >= p.shape[1]:
        raise ValueError(f"labels must be class indices from 0 to {p.shape[1] - 1}")
    return p, y.astype(numpy.int64)


def expected_calibration_error(probabilities, labels, n_bins: int = N_BINS) -> float:
    """ECE of ``(n, classes)`` probabilities against ``n`` class indices, ``n_bins`` equal
    bins of the top probability (a bin holds the confidences in ``(lo, hi]``)."""
    p, y = _labels(probabilities, labels)
    confidence = p.max(axis=1)
    correct = p.argmax(axis=1) == y
    edges = numpy.linspace(0.0, 1.0, int(n_bins) + 1)
    which = numpy.clip(numpy.searchsorted(edges, confidence, side="left") - 1, 0, n_bins - 1)
    gap = 0.0
    for b in range(int(n_bins)):
        members = which == b
        if members.any():
            gap += members.sum() * abs(correct[members].mean() - confidence[members].mean())
    return float(gap / len(y))


def negative_log_likelihood(probabilities, labels) -> float:
    """Mean ``-log p[label]`` (the cross-entropy on these examples)."""
    p, y = _labels(probabilities, labels)
    return float(-numpy.mean(numpy.log(numpy.maximum(p[numpy.arange(len(y)), y], _TINY))))


def fit_temperature(probabilities, labels) -> float:
    """The ``T`` in [0.05, 20] that minimises the negative log-likelihood of
    ``apply_temperature(probabilities, T)``: golden-section search on ``log T`` (the
    likelihood is convex in ``1 / T``), to a relative precision of 1e-4."""
    p, y = _labels(probabilities, labels)

    def loss(log_t):
        return negative_log_likelihood(apply_temperature(p, math.exp(log_t)), y)

    lo, hi = (math.log(v) for v in _SEARCH)
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = loss(a), loss(b)
    while hi - lo > 1e-4:
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = loss(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = loss(b)
    return float(math.exp((lo + hi) / 2.0))


MIN_DRAWINGS = 40  # stored drawings needed to calibrate on them (half fit, half measure)


def _held_out(recognizer, drawings, per_class, seed):
    """``(source, (x_fit, y_fit), (x_test, y_test))``: every other stored drawing when there
    are :data:`MIN_DRAWINGS`, else two generated sets (seeds ``seed`` and ``seed + 1``)."""
    if drawings is not None and len(drawings[1]) >= MIN_DRAWINGS:
        x, y = drawings
        odd = numpy.arange(len(y)) % 2 == 1
        return "stored drawings", (x[~odd], y[~odd]), (x[odd], y[odd])
    from lamina.datasets.symbols import load_data

    n = len(recognizer.classes)
    return ("generated symbols", load_data(n_per_class=per_class, seed=seed, n_classes=n),
            load_data(n_per_class=per_class, seed=seed + 1, n_classes=n))


def _measure(before, after, y, n_bins) -> dict:
    return {"images": int(len(y)),
            "ece_before": expected_calibration_error(before, y, n_bins),
            "ece_after": expected_calibration_error(after, y, n_bins),
            "nll_before": negative_log_likelihood(before, y),
            "nll_after": negative_log_likelihood(after, y),
            "top1": float(numpy.mean(before.argmax(axis=1) == y)),
            "top1_after": float(numpy.mean(after.argmax(axis=1) == y))}


def calibrate(recognizer, drawings=None, per_class: int = 20, seed: int = 2_000_003,
              n_bins: int = N_BINS) -> dict:
    """Fit the recognizer's temperature and look-alike sharing on held-out data and report
    the ECE before and after on *other* held-out data; sets ``recognizer.temperature`` and
    ``recognizer.sharing``.

    The held-out data are the drawings people stored through the page, ``drawings = (x, y)``
    (``y`` class indices), when there are at least :data:`MIN_DRAWINGS`: real drawings are
    what the percentages should be honest about. Every other drawing fits, the rest measure.
    Otherwise two sets of ``per_class`` generated images per class
    (:mod:`lamina.datasets.symbols`, seeds ``seed`` and ``seed + 1``, not the training ones).
    Either way ``per_class`` hand-like drawings of each look-alike symbol join each set
    (:mod:`.lookalikes`, seeds ``seed + 2`` and ``seed + 3``): fonts draw no α as people
    write it. ``T`` is fitted on the first part alone, then the sharing (:mod:`.sharing`)
    on all of the fitting set, scaled by ``T``. The report gives the whole test set and each
    part under ``"parts"``.
    """
    from lamina.apps.recognizer.lookalikes import lookalike_drawings
    from lamina.apps.recognizer.sharing import Sharing

    source, (x_fit, y_fit), (x_test, y_test) = _held_out(recognizer, drawings, per_class, seed)
    look_fit = lookalike_drawings(recognizer.classes, per_class, seed + 2)
    look_test = lookalike_drawings(recognizer.classes, per_class, seed + 3)
    recognizer.temperature, recognizer.sharing = 1.0, None
    raw_fit, raw_test = recognizer.predict(x_fit), recognizer.predict(x_test)
    raw_look_fit, raw_look_test = (recognizer.predict(x) if len(x) else
                                   numpy.zeros((0, raw_fit.shape[1]), numpy.float32)
                                   for x, _ in (look_fit, look_test))
    temperature = round(fit_temperature(raw_fit, y_fit), 4)  # as stored in the JSON
    groups = Sharing.lookalikes(recognizer.classes)
    sharing = Sharing.fit(apply_temperature(numpy.concatenate([raw_fit, raw_look_fit]),
                                            temperature),
                          numpy.concatenate([y_fit, look_fit[1]]), groups)

    def after(p):
        return sharing.apply(apply_temperature(p, temperature)) if len(p) else p

    parts = {source: (raw_test, y_test)}
    if len(look_test[1]):
        parts["look-alike drawings"] = (raw_look_test, look_test[1])
    everything = (numpy.concatenate([p for p, _ in parts.values()]),
                  numpy.concatenate([y for _, y in parts.values()]))
    recognizer.temperature, recognizer.sharing = temperature, sharing
    return {"temperature": temperature, "source": source, "seed": int(seed),
            "sharing": sharing.to_json(recognizer.classes),
            "fit_images": int(len(y_fit) + len(look_fit[1])), "n_bins": int(n_bins),
            **_measure(everything[0], after(everything[0]), everything[1], n_bins),
            "parts": {name: _measure(p, after(p), y, n_bins) for name, (p, y) in parts.items()}}


def describe(report: dict) -> str:
    """One line for people: the temperature and the ECE before and after."""
    look = report.get("parts", {}).get("look-alike drawings")
    fitted = (f"temperature {report['temperature']:.3g}"
              + (" and look-alike sharing" if report.get("sharing", {}).get("groups") else "")
              + f" fitted on {report['fit_images']:,} held-out {report['source']}"
              + (" and look-alike drawings" if look else ""))
    return (f"{fitted}; expected calibration error {report['ece_before']:.2%} before, "
            f"{report['ece_after']:.2%} after (on {report['images']:,} others"
            + (f"; on the {look['images']} look-alike drawings {look['ece_before']:.1%} "
               f"before, {look['ece_after']:.1%} after" if look else "") + ")")


def write_calibration(model_path, report: dict) -> Path:
    """Put ``report`` under ``"calibration"`` in the JSON beside the model (``<model>.json``,
    created when missing), atomically; returns its path."""
    path = Path(model_path).with_suffix(".json")
    data = json.loads(path.read_text()) if path.is_file() else {}
    if not isinstance(data, dict):
        raise ValueError(f"{path} does not hold a JSON object")
    data["calibration"] = report
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(json.dumps(data, indent=2) + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
