"""Reading and writing images: gray and RGB files, skimage:NAME, resizing, atomic writes,
and hostile files (too many pixels, not images)."""

import numpy as np
import pytest

from lamina.apps.style import check_image, load_image, save_image

PIL = pytest.importorskip("PIL.Image")


def test_png_round_trip_gray_and_rgb(tmp_path):
    rng = np.random.default_rng(0)
    for channels in (1, 3):
        image = rng.random((12, 10, channels)).astype("float32")
        save_image(tmp_path / "x.png", image)
        back = load_image(tmp_path / "x.png")
        assert back.shape == (12, 10, channels)
        np.testing.assert_allclose(back, image, atol=0.5 / 255 + 1e-6)  # 8-bit rounding
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.png"]  # no temp file left


def test_resizing_keeps_the_aspect_ratio_or_takes_both_sides(tmp_path):
    image = np.linspace(0, 1, 40 * 20 * 3).reshape(40, 20, 3).astype("float32")
    save_image(tmp_path / "x.png", image)
    assert load_image(tmp_path / "x.png", size=16).shape == (16, 8, 3)
    small = load_image(tmp_path / "x.png", size=(10, 12))
    assert small.shape == (10, 12, 3) and 0 <= small.min() and small.max() <= 1
    with pytest.raises(ValueError, match="size must be an int or"):
        load_image(tmp_path / "x.png", size=(4, 12))


def test_skimage_photographs_offline():
    pytest.importorskip("skimage")
    brick = load_image("skimage:brick", size=64)
    assert brick.shape == (64, 64, 1) and 0.2 < brick.mean() < 0.8
    assert load_image("skimage:astronaut", size=32).shape == (32, 32, 3)
    with pytest.raises(ValueError, match="not one of the images"):
        load_image("skimage:../../etc/passwd")


def test_uint8_arrays_are_scaled_and_odd_shapes_refused():
    np.testing.assert_allclose(check_image(np.full((8, 8), 255, "uint8"), "t"), 1.0)
    with pytest.raises(ValueError, match=r"shape \(height, width\) or"):
        check_image(np.zeros((8, 8, 2)), "t")


def test_a_huge_header_is_refused_before_decoding(tmp_path, monkeypatch):
    from lamina.apps.style import images

    save_image(tmp_path / "big.png", np.zeros((64, 64, 1)))
    monkeypatch.setattr(images, "MAX_PIXELS", 1000)
    with pytest.raises(ValueError, match="64x64 pixels; at most 1000 are read"):
        load_image(tmp_path / "big.png")
    with pytest.raises(ValueError, match="cannot tell the image format"):
        save_image(tmp_path / "out.unknown", np.zeros((8, 8)))
