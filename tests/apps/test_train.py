"""``lamina recognizer train``: the accuracy helper, and a tiny end-to-end run (on a fast fake
generator: the real one is tested with the data sets) with and without stored drawings."""

from __future__ import annotations

import json

import numpy
import pytest

from lamina.apps.recognizer import train as train_module
from lamina.apps.recognizer.storage import DrawingStore
from lamina.datasets import symbols


def test_top_k_accuracy_by_hand():
    probs = numpy.array([[0.1, 0.7, 0.2],    # label 2: 2nd -> top-1 miss, top-2 hit
                         [0.5, 0.3, 0.2],    # label 0: hit
                         [0.2, 0.3, 0.5],    # label 0: 3rd
                         [0.3, 0.3, 0.4]])   # label 1: the tie puts label 0 first -> 3rd
    labels = numpy.array([2, 0, 0, 1])
    assert train_module.top_k_accuracy(probs, labels, 1) == 0.25
    assert train_module.top_k_accuracy(probs, labels, 2) == 0.5
    assert train_module.top_k_accuracy(probs, labels, 3) == 1.0
    assert numpy.isnan(train_module.top_k_accuracy(probs[:0], labels[:0], 1))


def _fake_load_data(n_per_class, seed, n_classes):
    """Class c is a bright square at row 4c: learnable in one epoch."""
    rng = numpy.random.default_rng(seed)
    y = rng.permutation(numpy.repeat(numpy.arange(n_classes), n_per_class))
    x = rng.random((len(y), 32, 32, 1)).astype(numpy.float32) * 0.1
    for i, c in enumerate(y):
        x[i, 4 * c:4 * c + 8, 4:28] = 1.0
    return x, y


@pytest.fixture
def fake_data(monkeypatch):
    monkeypatch.setattr(symbols, "load_data", _fake_load_data)


def test_a_tiny_run_saves_a_model_and_its_report(tmp_path, fake_data, capsys):
    out = tmp_path / "m.lamina"
    report = train_module.train(out, data_dir=tmp_path / "none", n_classes=3, n_per_class=40,
                                held_out_per_class=10, epochs=3, seed=1)
    assert out.is_file() and report["model_bytes"] == out.stat().st_size
    assert json.loads(out.with_suffix(".json").read_text()) == report
    assert report["held_out"]["images"] == 30 and report["train_images"] == 120
    assert report["held_out"]["top3"] == 1.0  # 3 classes: top-3 is everything
    assert report["held_out"]["top1"] > 0.6
    assert report["drawings"] == {"images": 0}
    printed = capsys.readouterr().out
    assert "held-out generated (30 images): top-1" in printed and "stored drawings: none" in printed
    from lamina.apps.recognizer.model import Recognizer

    assert len(Recognizer.load(out).classes) == 3


def test_drawings_are_evaluated_or_four_fifths_added_to_training(tmp_path, fake_data):
    store = DrawingStore(tmp_path / "drawings.sqlite3")
    x, y = _fake_load_data(5, 3, 3)
    for image, label in zip(x, y):
        store.add(symbols.CLASSES[int(label)].latex, image[..., 0])
    store.add(r"\heartsuit", x[0, ..., 0])  # a class the 3-class model does not cover
    args = dict(data_dir=tmp_path, n_classes=3, n_per_class=20, held_out_per_class=5,
                epochs=1, seed=2, verbose=0)
    report = train_module.train(tmp_path / "a.lamina", **args)
    assert report["drawings"]["images"] == 15 and "top1" in report["drawings"]
    report = train_module.train(tmp_path / "b.lamina", with_drawings=True, **args)
    assert report["drawings"]["images"] == 3  # every 5th is held out
    assert report["train_images"] == 60 + 12 * train_module.DRAWING_REPEATS


def test_n_classes_is_checked(tmp_path):
    with pytest.raises(ValueError, match="n_classes must be from 2 to"):
        train_module.train(tmp_path / "m.lamina", n_classes=1, verbose=0)
