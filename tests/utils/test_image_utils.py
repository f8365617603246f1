import numpy as np
import pytest

from lamina import utils

pytest.importorskip("PIL")


def test_save_and_load_round_trip_gives_keras_arrays(tmp_path):
    pixels = np.arange(4 * 6 * 3, dtype="float32").reshape(4, 6, 3) % 256
    path = tmp_path / "a.png"
    utils.save_img(path, pixels, scale=False)
    x = utils.img_to_array(utils.load_img(path))
    assert x.dtype == np.float32 and x.shape == (4, 6, 3)
    np.testing.assert_array_equal(x, pixels)  # PNG is lossless
    gray = utils.img_to_array(utils.load_img(path, color_mode="grayscale"))
    assert gray.shape == (4, 6, 1)
    small = utils.load_img(path, target_size=(2, 3))
    assert small.size == (3, 2)  # Pillow's (width, height)
    square = utils.load_img(path, target_size=(2, 2), keep_aspect_ratio=True)
    assert square.size == (2, 2)


def test_array_to_img_scales_to_the_full_range():
    img = utils.array_to_img(np.array([[[0.0], [0.5]], [[1.0], [0.25]]]))
    assert img.mode == "L"
    np.testing.assert_array_equal(np.asarray(img), [[0, 128], [255, 64]])
    with pytest.raises(ValueError, match="received shape \\(2, 2\\)"):
        utils.array_to_img(np.zeros((2, 2)))


def test_smart_resize_crops_to_the_aspect_ratio_then_resizes():
    from lamina.preprocessing.image import smart_resize

    x = np.zeros((4, 8, 1), "float32")
    x[:, 2:6] = 1.0  # the centre square
    out = smart_resize(x, (2, 2))
    assert out.shape == (2, 2, 1)
    np.testing.assert_allclose(out, 1.0)  # the crop kept only the centre square


def test_bad_color_mode_and_interpolation_are_named(tmp_path):
    path = tmp_path / "b.png"
    utils.save_img(path, np.zeros((2, 2, 3)))
    with pytest.raises(ValueError, match="received color_mode='cmyk'"):
        utils.load_img(path, color_mode="cmyk")
    with pytest.raises(ValueError, match="received interpolation='cubic'"):
        utils.load_img(path, target_size=(1, 1), interpolation="cubic")


def test_load_img_refuses_a_fifo_or_a_device_at_once(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.png")
    with pytest.raises(ValueError, match=r"pipe\.png' is a FIFO, not a regular file; "
                                         r"refusing to read image data from it"):
        utils.load_img(tmp_path / "pipe.png")
    with pytest.raises(ValueError, match=r"is a device, not a regular file"):
        utils.load_img("/dev/zero")
