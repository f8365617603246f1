"""lamina.datasets.patches: crops of skimage's photographs, split by source image."""

import builtins

import numpy as np
import pytest

from lamina.datasets import patches

pytest.importorskip("skimage")


def test_the_split_is_by_source_image():
    assert not set(patches.TRAIN_IMAGES) & set(patches.TEST_IMAGES)
    assert "cat" not in patches.TRAIN_IMAGES          # skimage's cat is chelsea
    assert set(patches.images("test")) == {"camera", "coffee", "chelsea"}
    assert set(patches.images("test", color=True)) == {"coffee", "chelsea"}
    train = patches.images("train")
    test_pixels = {im.tobytes()[:4096] for im in patches.images("test").values()}
    assert not any(im.tobytes()[:4096] in test_pixels for im in train.values())
    assert all(im.dtype == np.float32 and im.ndim == 2 for im in train.values())
    assert all(im.shape[2] == 3 for im in patches.images("train", color=True).values())


def test_random_crops_are_seeded_flipped_and_in_range():
    a = patches.random_crops(50, size=16, seed=3)
    b = patches.random_crops(50, size=16, seed=3)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, patches.random_crops(50, size=16, seed=4))
    assert a.shape == (50, 16, 16, 1) and a.dtype == np.float32
    assert 0.0 <= a.min() and a.max() <= 1.0
    rgb = patches.random_crops(8, size=24, color=True, seed=0)
    assert rgb.shape == (8, 24, 24, 3)
    # flips: with flips every crop is a flipped or unflipped window of a training image
    plain = patches.random_crops(40, size=8, seed=5, flips=False)
    flipped = patches.random_crops(40, size=8, seed=5)
    assert not np.array_equal(plain, flipped)


def test_scikit_learns_photographs_train_and_names_pick_photographs():
    pytest.importorskip("sklearn")
    assert set(patches.SKLEARN_IMAGES) <= set(patches.TRAIN_IMAGES)
    assert set(patches.PHOTOGRAPHS) <= set(patches.TRAIN_IMAGES)
    china = patches.images("train", color=True)["china"]
    assert china.shape == (427, 640, 3) and china.dtype == np.float32
    # only the named photographs: china's crops are windows of china
    crops = patches.random_crops(3, size=8, seed=0, flips=False, names=("china",))
    gray = patches.images("train")["china"]
    windows = np.lib.stride_tricks.sliding_window_view(gray, (8, 8))
    for crop in crops[..., 0]:
        assert (windows == crop).all(axis=(2, 3)).any()
    rgb = patches.random_crops(4, size=8, color=True, seed=0, names=patches.PHOTOGRAPHS)
    assert rgb.shape == (4, 8, 8, 3)
    with pytest.raises(ValueError, match=r"names must be photographs of the 'train' split"):
        patches.random_crops(1, names=("camera",))
    with pytest.raises(ValueError, match=r"none of names=\('brick',\) has colour"):
        patches.random_crops(1, color=True, names=("brick",))


def test_test_crops_are_the_textured_cells_of_a_fixed_grid():
    x = patches.test_crops()
    assert x.shape == (120, 32, 32, 1)
    assert (x.reshape(len(x), -1).std(axis=1) >= patches.MIN_STD).all()
    everything = patches.test_crops(per_side=2, min_std=0.0)
    camera = patches.images("test")["camera"]
    np.testing.assert_array_equal(everything[0, :, :, 0], camera[:32, :32])
    np.testing.assert_array_equal(everything[3, :, :, 0], camera[-32:, -32:])
    assert everything.shape == (12, 32, 32, 1)
    assert patches.test_crops(color=True).shape == (66, 32, 32, 3)
    x_train, x_test = patches.load_data(n_train=4, size=32)
    assert x_train.shape == (4, 32, 32, 1) and x_test.shape == (120, 32, 32, 1)


def test_errors():
    with pytest.raises(ValueError, match=r"size=600 is larger than the images"):
        patches.test_crops(size=600)
    with pytest.raises(ValueError, match=r"split must be 'train' or 'test'; received "
                                         r"split='val'"):
        patches.images("val")


def test_missing_scikit_image_says_what_to_install(monkeypatch):
    patches._load.cache_clear()
    real_import = builtins.__import__

    def no_skimage(name, *args, **kwargs):
        if name.startswith("skimage"):
            raise ImportError("No module named 'skimage'", name="skimage")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_skimage)
    with pytest.raises(ImportError, match=r"pip install 'lamina\[imaging\]'"):
        patches.random_crops(1)
    monkeypatch.undo()
    patches._load.cache_clear()
