"""Temperature scaling and the expected calibration error (recognizer calibration)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lamina.apps.recognizer import calibration as C
from lamina.apps.recognizer.model import Recognizer
from tests.apps.conftest import tiny_model


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_ece_by_hand():
    # confidences 0.9, 0.9 (one right) and 0.6 (right): bin (0.867, 0.933] holds two with
    # accuracy 0.5 and confidence 0.9; bin (0.6 - 1/15, 0.6] one with accuracy 1 at 0.6
    p = np.array([[0.9, 0.1], [0.9, 0.1], [0.4, 0.6]])
    y = np.array([0, 1, 1])
    assert C.expected_calibration_error(p, y) == pytest.approx((2 * 0.4 + 1 * 0.4) / 3)
    assert C.expected_calibration_error(np.eye(3), [0, 1, 2]) == 0.0
    with pytest.raises(ValueError, match="labels must be class indices from 0 to 1"):
        C.expected_calibration_error(p, [0, 2, 1])


def test_fit_temperature_recovers_the_temperature_of_the_labels():
    # labels drawn from softmax(z / 2.5) while the "model" says softmax(z): overconfident by
    # a temperature of 2.5, which the fit finds back to the sampling noise of 20,000 labels
    rng = np.random.default_rng(0)
    z = rng.normal(0.0, 4.0, (20_000, 10))
    truth = softmax(z / 2.5)
    y = (truth.cumsum(axis=1) > rng.random((len(z), 1))).argmax(axis=1)
    p = softmax(z)
    t = C.fit_temperature(p, y)
    assert t == pytest.approx(2.5, rel=0.05)
    before, after = C.expected_calibration_error(p, y), C.expected_calibration_error(
        C.apply_temperature(p, t), y)
    assert before > 0.15 and after < 0.02
    assert C.negative_log_likelihood(C.apply_temperature(p, t), y) < \
        C.negative_log_likelihood(p, y)
    # the ranking is unchanged: top-1 stays the same
    np.testing.assert_array_equal(C.apply_temperature(p, t).argmax(1), p.argmax(1))
    np.testing.assert_allclose(C.apply_temperature(p, 1.0), p, atol=1e-12)


def test_a_larger_temperature_shares_the_probability_between_similar_symbols():
    p = np.array([[0.999999, 0.000001, 0.0]])     # "∝ 100 %, α below 0.01 %"
    shared = C.apply_temperature(p, 3.0)[0]
    assert shared[1] == pytest.approx(0.01 ** 1 / (1 + 0.01), rel=1e-3)  # 1e-6 ** (1/3)
    with pytest.raises(ValueError, match="temperature must be a positive finite float"):
        C.apply_temperature(p, 0.0)


def test_calibrate_on_stored_drawings_and_the_recognizer_applies_it(tmp_path):
    model = tiny_model(5, seed=1)
    recognizer = Recognizer(model)
    rng = np.random.default_rng(3)
    x = rng.random((60, 32, 32, 1)).astype("float32")
    raw = recognizer.predict(x)
    y = raw.argmax(axis=1)              # a model that is always right but unsure
    report = C.calibrate(recognizer, (x, y))
    assert report["source"] == "stored drawings"
    assert report["fit_images"] == report["images"] == 30
    assert report["temperature"] < 1.0                       # it should be surer
    assert report["ece_after"] < report["ece_before"] and report["top1"] == 1.0
    assert recognizer.temperature == pytest.approx(report["temperature"], rel=1e-3)
    sharper = recognizer.predict(x)
    np.testing.assert_array_equal(sharper.argmax(1), raw.argmax(1))
    assert (sharper.max(1) > raw.max(1)).all()
    # stored beside the model, and read back by Recognizer.load
    path = tmp_path / "m.lamina"
    model.save(path)
    path.with_suffix(".json").write_text(json.dumps({"seed": 7}))
    C.write_calibration(path, report)
    stored = json.loads(path.with_suffix(".json").read_text())
    assert stored["seed"] == 7 and stored["calibration"] == report
    assert Recognizer.load(path).temperature == report["temperature"]


def test_lookalike_drawings_join_both_sets_and_the_sharing_is_fitted_and_applied(tmp_path):
    from lamina.apps.recognizer.sharing import Sharing
    from lamina.datasets.symbols import CLASSES

    model = tiny_model(len(CLASSES), seed=4)
    recognizer = Recognizer(model)
    rng = np.random.default_rng(5)
    x = rng.random((40, 32, 32, 1)).astype("float32")
    y = recognizer.predict(x).argmax(axis=1)
    report = C.calibrate(recognizer, (x, y), per_class=4)
    look = report["parts"]["look-alike drawings"]
    assert look["images"] == 24 and report["parts"]["stored drawings"]["images"] == 20
    assert report["images"] == 44 and report["fit_images"] == 44
    assert report["sharing"]["groups"] == [[r"\alpha", r"\propto"],
                                         [r"\times", "x", "X", r"\chi"]]
    assert isinstance(recognizer.sharing, Sharing)
    assert "look-alike sharing fitted on 44 held-out stored drawings and look-alike drawings" \
        in C.describe(report) and "on the 24 look-alike drawings" in C.describe(report)
    # the report's "after" is what the recognizer now answers
    after = recognizer.predict(x[1::2])
    assert C.expected_calibration_error(after, y[1::2]) == pytest.approx(
        report["parts"]["stored drawings"]["ece_after"], abs=1e-6)
    path = tmp_path / "m.lamina"
    model.save(path)
    C.write_calibration(path, report)
    loaded = Recognizer.load(path)
    assert loaded.sharing.groups == recognizer.sharing.groups
    np.testing.assert_array_equal(loaded.predict(x), recognizer.predict(x))  # same numbers


def test_few_drawings_fall_back_to_generated_symbols():
    recognizer = Recognizer(tiny_model(4, seed=2))
    x = np.zeros((C.MIN_DRAWINGS - 1, 32, 32, 1), "float32")
    report = C.calibrate(recognizer, (x, np.zeros(len(x), int)), per_class=3)
    assert report["source"] == "generated symbols" and report["images"] == 12
    assert "held-out generated symbols" in C.describe(report)


def test_the_shipped_model_carries_its_measured_calibration():
    from lamina.apps.recognizer.model import DEFAULT_MODEL

    report = json.loads(DEFAULT_MODEL.with_suffix(".json").read_text())["calibration"]
    generated = report["parts"]["generated symbols"]
    assert generated["images"] == 4380 and report["source"] == "generated symbols"
    assert 0.0 <= generated["ece_after"] < 0.02 and generated["ece_before"] < 0.02
    assert report["ece_after"] < report["ece_before"]
