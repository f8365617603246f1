"""The four functions on stand-in networks: types, ranges, layouts, tiling, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from lamina.apps import imaging
from lamina.apps.imaging import engine, pairs
from tests.apps.imaging import standins

RNG = np.random.default_rng(0)
GRAY8 = RNG.integers(0, 256, (37, 53), dtype=np.uint8)
RGB8 = RNG.integers(0, 256, (37, 53, 3), dtype=np.uint8)


@pytest.mark.parametrize("img", [GRAY8, RGB8, GRAY8[..., None], GRAY8 / 255.0,
                                 (RGB8 / 255.0).astype(np.float32),
                                 (GRAY8.astype(np.uint16) * 257)])
def test_denoise_returns_the_inputs_dtype_range_and_layout(networks, img):
    out = imaging.denoise(img)
    assert out.shape == img.shape and out.dtype == img.dtype
    if img.dtype.kind == "f":
        assert 0.0 <= out.min() and out.max() <= 1.0
    assert out.std() > 0  # the stand-in network's output, not a copy of anything


def test_rgb_goes_through_a_gray_network_channel_by_channel(networks):
    out = imaging.denoise(RGB8)
    for c in range(3):
        assert (out[..., c] == imaging.denoise(RGB8[..., c])).all()


def test_float_and_uint8_inputs_give_the_same_picture(networks):
    as_float = imaging.denoise(GRAY8.astype(np.float32) / 255)
    as_uint8 = imaging.denoise(GRAY8)
    assert np.abs(as_float * 255 - as_uint8).max() <= 0.5 + 1e-3  # rounding to uint8 only


def test_results_do_not_depend_on_the_tile_size(networks):
    img = RNG.random((90, 70, 3), dtype=np.float32)
    whole = imaging.denoise(img, tile=512)
    assert np.abs(imaging.denoise(img, tile=24) - whole).max() < 1e-5
    inp_mask = np.zeros(img.shape[:2], bool)
    inp_mask[30:50, 20:36] = True
    whole = imaging.inpaint(img, inp_mask, tile=512)
    assert np.abs(imaging.inpaint(img, inp_mask, tile=16) - whole).max() < 1e-5


def test_upscale_doubles_the_size_and_refuses_an_untrained_scale(networks):
    out = imaging.upscale(RGB8, scale=2)
    assert out.shape == (74, 106, 3) and out.dtype == np.uint8
    assert imaging.upscale(GRAY8).shape == (74, 106)
    for bad in (3, 4, 1, 2.0, True, "2"):
        with pytest.raises(imaging.ImageError, match=f"scale={bad!r} is not available.*"
                                                     "trained for scale=2 only"):
            imaging.upscale(GRAY8, scale=bad)


def test_colorize_gives_rgb_in_the_inputs_dtype(networks):
    out = imaging.colorize(GRAY8)
    assert out.shape == (37, 53, 3) and out.dtype == np.uint8
    assert imaging.colorize(GRAY8[..., None] / 255.0).dtype == np.float64
    from_rgb = imaging.colorize(RGB8)           # made gray first
    assert from_rgb.shape == (37, 53, 3)


def test_inpaint_changes_only_the_hole(networks):
    mask = np.zeros(RGB8.shape[:2], bool)
    mask[10:26, 20:36] = True
    out = imaging.inpaint(RGB8, mask)
    assert out.dtype == np.uint8 and out.shape == RGB8.shape
    assert (out[~mask] == RGB8[~mask]).all()
    assert (out[mask] != RGB8[mask]).any()
    painted = mask.astype(np.uint8) * 255           # a painted PNG mask: 0 / 255
    assert (imaging.inpaint(RGB8, painted) == out).all()


def test_inpaint_runs_a_gray_network_on_each_channel_with_the_mask(monkeypatch):
    standins.install(monkeypatch, inpaint=standins.encoder_decoder(2, 1))
    mask = np.zeros(RGB8.shape[:2], bool)
    mask[5:15, 5:15] = True
    out = imaging.inpaint(RGB8, mask)
    assert (out[..., 1] == imaging.inpaint(RGB8[..., 1], mask)).all()


@pytest.mark.parametrize("img,message", [
    (np.zeros((0, 10), np.uint8), r"is empty: shape \(0, 10\) has no pixels"),
    (np.zeros((8, 8, 4), np.uint8), r"RGBA: drop the alpha channel"),
    (np.zeros((8, 8, 2), np.uint8), r"must have 1 or 3 channel\(s\); received shape"),
    (np.zeros((2, 8, 8, 3), np.uint8), r"must be \(H, W\) gray or \(H, W, C\)"),
    (np.full((8, 8), 200.0), r"values in \[0, 1\].*divide it by 255"),
    (np.full((8, 8), np.nan), r"NaN or infinite"),
    (np.zeros((8, 8), np.int64), r"must be uint8 \(0-255\), uint16 or float"),
    ("cat.png", r"must be a NumPy array"),
])
def test_bad_images_are_refused_with_what_was_given(networks, img, message):
    with pytest.raises(imaging.ImageError, match=message):
        imaging.denoise(img)


def test_bad_masks_and_sigmas_are_refused(networks):
    with pytest.raises(imaging.ImageError, match=r"mask is 10x10 \(HxW\) but the image is "
                                                 r"37x53"):
        imaging.inpaint(RGB8, np.zeros((10, 10), bool))
    with pytest.raises(imaging.ImageError, match=r"mask must be \(H, W\)"):
        imaging.inpaint(RGB8, np.zeros((37, 53, 3), bool))
    with pytest.raises(imaging.ImageError, match="divide by 255"):
        imaging.denoise(GRAY8, sigma=25)
    with pytest.raises(imaging.ImageError, match="sigma must be a number"):
        imaging.denoise(GRAY8, sigma="high")
    assert imaging.denoise(GRAY8, sigma=25 / 255).shape == GRAY8.shape


def test_without_the_trained_networks_the_error_says_how_to_get_them(monkeypatch):
    import sys

    monkeypatch.setattr(engine, "_cache", {})
    monkeypatch.setitem(sys.modules, "lamina.apps.imaging.registry", None)
    # once imported, the registry is an attribute of the package, which `from ... import` uses
    monkeypatch.delattr(imaging, "registry", raising=False)
    with pytest.raises(imaging.ModelsMissing, match="lamina image train"):
        imaging.denoise(GRAY8)


def test_inpaint_computes_near_the_hole_only_and_equals_a_whole_image_pass(networks,
                                                                          monkeypatch):
    img = RNG.random((70, 90, 3), dtype=np.float32)
    mask = np.zeros((70, 90), bool)
    mask[40:52, 60:75] = True
    # the biharmonic fill is clipped to the range of the known pixels it is given: black and
    # white beside the hole make that range the same for the region inpaint fills and for
    # the whole image
    img[38, 58], img[38, 59] = 0.0, 1.0
    model = networks["inpaint"].model
    x = np.concatenate([pairs.biharmonic(img, mask), mask[..., None]], axis=2)
    padded = np.pad(x, [(0, 2), (0, 2), (0, 0)], mode="edge")    # to multiples of 4
    whole = model.predict(padded[None], verbose=0)[0, :70, :90]
    expected = np.where(mask[..., None], whole, img)
    assert np.abs(imaging.inpaint(img, mask) - expected).max() < 1e-5
    calls, original = [], engine.Network.__call__
    monkeypatch.setattr(engine.Network, "__call__",
                        lambda self, batch: calls.append(batch.shape) or original(self, batch))
    imaging.inpaint(img, mask)
    assert sum(np.prod(s[1:3]) for s in calls) < 0.7 * 70 * 90  # not the whole image
    assert (imaging.inpaint(img, np.zeros((70, 90), bool)) == img).all()


def test_rgb_upscaling_enlarges_the_luma_with_the_network_and_colour_bicubically(networks):
    from lamina.apps.imaging.images import bicubic, rgb_of_ycbcr, ycbcr_of

    img = RNG.random((20, 24, 3), dtype=np.float32) * 0.5 + 0.25
    out = imaging.upscale(img)
    ycc = ycbcr_of(img)
    luma = networks["upscale"].model.predict(ycc[None, ..., :1], verbose=0)
    expected = rgb_of_ycbcr(np.concatenate([luma, bicubic(ycc[None, ..., 1:], 2)], axis=3))[0]
    assert np.abs(out - np.clip(expected, 0, 1)).max() < 1e-5
    assert np.abs(rgb_of_ycbcr(ycbcr_of(img)) - img).max() < 1e-5  # the conversion inverts
