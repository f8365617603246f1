"""Tiles with enough margin give the whole-image result; the plan covers every pixel once."""

from __future__ import annotations

import numpy as np
import pytest

from lamina.apps.imaging.tiling import plan, receptive_radius, tiled
from tests.apps.imaging import standins
from tests.tolerance import assert_sums_close


@pytest.mark.parametrize("size,tile,margin,multiple", [
    (100, 32, 5, 1), (64, 64, 8, 1), (30, 64, 8, 1), (96, 20, 6, 4), (257, 256, 16, 1)])
def test_plan_covers_every_pixel_once_with_its_margin(size, tile, margin, multiple):
    size = -(-size // multiple) * multiple
    window, cuts = plan(size, tile, margin, multiple)
    covered = np.zeros(size, int)
    for start, stop, wstart in cuts:
        covered[start:stop] += 1
        assert 0 <= wstart and wstart + window <= size
        assert wstart % multiple == 0 and window % multiple == 0
        assert start - wstart >= margin or wstart == 0
        assert wstart + window - stop >= margin or wstart + window == size
    assert (covered == 1).all()


def _whole(model, x):
    return model.predict(x[None], verbose=0)[0]


def _assert_same(tiled_out, whole, model):
    # the same convolutions, summed in another order at most: 27-term sums per layer
    assert tiled_out.shape == whole.shape
    assert_sums_close(tiled_out, whole, terms=9 * 4 * len(model.layers), scale=1.0,
                      dtype=np.float32)


@pytest.mark.parametrize("shape", [(70, 45, 1), (33, 97, 1)])
def test_tiled_equals_one_pass_for_same_size_convolutions(shape):
    model = standins.plain(layers=4)
    radius, multiple = receptive_radius(model)
    assert (radius, multiple) == (4, 1)          # four 3x3 convolutions: 1 pixel each
    x = np.random.default_rng(0).random(shape, dtype=np.float32)
    out = tiled(lambda w: model.predict(w[0], verbose=0), [x], tile=16, margin=radius)
    _assert_same(out, _whole(model, x), model)
    short = tiled(lambda w: model.predict(w[0], verbose=0), [x], tile=16, margin=1)
    assert np.abs(short - _whole(model, x)).max() > 1e-4  # too little margin shows


def test_tiled_upscaling_equals_one_pass():
    model = standins.upscaler()
    radius, multiple = receptive_radius(model)
    x = np.random.default_rng(1).random((41, 37, 1), dtype=np.float32)
    out = tiled(lambda w: model.predict(w[0], verbose=0), [x], scale=2, tile=12,
                margin=radius)
    assert out.shape == (82, 74, 1)
    _assert_same(out, _whole(model, x), model)


def test_tiled_strided_network_equals_one_pass_on_a_padded_image():
    model = standins.encoder_decoder(1, 1)
    radius, multiple = receptive_radius(model)
    assert multiple == 4 and radius >= 7
    x = np.random.default_rng(2).random((66, 50, 1), dtype=np.float32)  # not multiples of 4
    out = tiled(lambda w: model.predict(w[0], verbose=0), [x], tile=16, margin=radius,
                multiple=multiple)
    padded = np.pad(x, [(0, 2), (0, 2), (0, 0)], mode="edge")
    _assert_same(out, _whole(model, padded)[:66, :50], model)


def test_tiled_maps_tiles_into_the_output_dtype_and_checks_sizes():
    x = np.arange(20 * 30, dtype=np.uint8).reshape(20, 30)
    out = tiled(lambda w: w[0][..., None].astype(np.float32), [x], tile=8, margin=2,
                out_dtype=np.uint8, finish=lambda part: part.astype(np.uint8))
    assert out.dtype == np.uint8 and (out[..., 0] == x).all()
    with pytest.raises(ValueError, match="every input must be 20x30"):
        tiled(lambda w: w[0], [x, x[:10]])
    with pytest.raises(ValueError, match="at scale 2"):
        tiled(lambda w: w[0][..., None], [x], scale=2)
