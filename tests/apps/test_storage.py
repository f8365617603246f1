"""The SQLite drawing store."""

from __future__ import annotations

import sqlite3

import numpy
import pytest

from lamina.apps.recognizer.storage import DrawingStore


def _image(seed):
    return numpy.random.default_rng(seed).random((32, 32)).astype(numpy.float32)


def test_add_count_get_and_images_round_trip(tmp_path):
    store = DrawingStore(tmp_path / "sub" / "drawings.sqlite3")  # the folder is created
    assert store.count() == 0 and store.counts() == {}
    assert store.add(r"\alpha", _image(0), strokes=[[[1, 2]]]) == 1
    assert store.add("+", _image(1).reshape(32, 32, 1), mode="train", png=b"\x89PNG") == 2
    assert store.add(r"\alpha", _image(2)) == 3
    assert store.count() == 3 and store.count(r"\alpha") == 2 and store.count("-") == 0
    assert store.counts() == {r"\alpha": 2, "+": 1}
    first = store.get(1)
    assert first["label"] == r"\alpha" and first["mode"] == "vote"
    assert first["strokes"] == [[[1, 2]]]
    numpy.testing.assert_allclose(first["image"], _image(0), atol=0.5 / 255 + 1e-7)  # 8 bits
    assert store.get(99) is None
    x, labels = store.images()
    assert x.shape == (3, 32, 32, 1) and x.dtype == numpy.float32
    assert labels == [r"\alpha", "+", r"\alpha"]
    numpy.testing.assert_allclose(x[1, :, :, 0], _image(1), atol=0.5 / 255 + 1e-7)
    x, labels = store.images(labels={"+"})
    assert labels == ["+"] and x.shape == (1, 32, 32, 1)


def test_values_are_bound_as_parameters_never_formatted(tmp_path):
    store = DrawingStore(tmp_path / "d.sqlite3")
    evil = "x'); DROP TABLE drawings; --"
    store.add(evil, _image(0))
    assert store.count(evil) == 1 and store.counts() == {evil: 1}
    with sqlite3.connect(tmp_path / "d.sqlite3") as db:
        assert db.execute("SELECT label FROM drawings").fetchall() == [(evil,)]


def test_images_are_clipped_to_the_ink_range(tmp_path):
    store = DrawingStore(tmp_path / "d.sqlite3")
    image = numpy.full((32, 32), 2.0, numpy.float32)
    image[0, 0], image[0, 1] = -1.0, numpy.nan
    store.add("1", image)
    stored = store.get(1)["image"]
    assert stored[0, 0] == 0.0 and stored[0, 1] == 0.0 and stored[5, 5] == 1.0


def test_bad_mode_or_shape_raise(tmp_path):
    store = DrawingStore(tmp_path / "d.sqlite3")
    with pytest.raises(ValueError, match="mode must be one of"):
        store.add("1", _image(0), mode="guess")
    with pytest.raises(ValueError, match=r"32x32 pixels; received shape \(28, 28\)"):
        store.add("1", numpy.zeros((28, 28)))
    assert store.count() == 0


def test_two_stores_on_one_file_see_each_other(tmp_path):
    a, b = DrawingStore(tmp_path / "d.sqlite3"), DrawingStore(tmp_path / "d.sqlite3")
    a.add("1", _image(0))
    b.add("2", _image(1))
    assert a.counts() == b.counts() == {"1": 1, "2": 1}


def test_a_store_over_its_quota_raises_storage_full_and_keeps_its_rows(tmp_path):
    from lamina.apps.recognizer.storage import StorageFull

    store = DrawingStore(tmp_path / "d.sqlite3", max_bytes=48 * 1024)
    added = 0
    with pytest.raises(StorageFull, match=r"store is full: the drawings take [\d,]+ bytes"):
        for seed in range(1000):
            store.add("1", _image(seed), strokes=[[[i, i] for i in range(100)]])
            added += 1
    assert 0 < added < 1000 and store.count() == added
    assert store.size() <= 48 * 1024
    with pytest.raises(StorageFull):
        store.add("1", _image(0))
    assert store.count() == added
    unlimited = DrawingStore(tmp_path / "d.sqlite3")  # the same file without a cap
    unlimited.add("1", _image(0))
    assert unlimited.count() == added + 1
