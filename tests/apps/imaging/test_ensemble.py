"""The self-ensemble: the eight copies, turned back exactly; the copies a picture affords."""

from __future__ import annotations

import numpy as np
import pytest

from lamina.apps import imaging
from lamina.apps.imaging import ensemble, evaluation
from tests.apps.imaging import standins
from tests.tolerance import assert_sums_close

RNG = np.random.default_rng(3)


def test_the_eight_copies_are_the_dihedral_group_and_each_turns_back_exactly():
    x = RNG.random((2, 5, 7, 1), dtype=np.float32)  # no symmetry: each copy differs
    copies = [ensemble._turn(x, t, m) for t, m in ensemble.TRANSFORMS]
    assert len({c.tobytes() + bytes(c.shape) for c in copies}) == 8
    for (t, m), c in zip(ensemble.TRANSFORMS, copies):
        np.testing.assert_array_equal(ensemble._unturn(c, t, m), x)


@pytest.mark.parametrize("passes", ensemble.PASSES)
def test_the_ensemble_is_the_mean_of_the_copies_results_turned_back(passes):
    x = RNG.random((2, 6, 9, 1), dtype=np.float32)

    def run(copy):  # not equivariant: each copy gives a different answer
        return np.cumsum(copy, axis=2)

    want = [ensemble._unturn(run(ensemble._turn(x, t, m)), t, m)
            for t, m in ensemble.TRANSFORMS[:passes]]
    assert_sums_close(ensemble.self_ensemble(run, x, passes), np.mean(want, axis=0),
                      terms=9 * passes, scale=9.0, dtype=np.float32)
    if passes == 1:
        np.testing.assert_array_equal(ensemble.self_ensemble(run, x, 1), run(x))


def test_the_copies_a_picture_gets_cost_at_most_one_pass_over_512x512():
    assert ensemble.passes_for(32, 32) == 8
    assert ensemble.passes_for(181, 181) == 8         # 8 x 32,761 <= 262,144
    assert ensemble.passes_for(182, 182) == 4
    assert ensemble.passes_for(256, 256) == 4
    assert ensemble.passes_for(300, 400) == 2
    assert ensemble.passes_for(512, 512) == 1
    assert ensemble.passes_for(4000, 3000) == 1
    for h, w in ((1, 1), (37, 53), (200, 300), (512, 512), (513, 700)):
        p = ensemble.passes_for(h, w)
        assert p == 1 or p * h * w <= ensemble.BUDGET_PIXELS


def test_a_number_of_copies_not_offered_is_refused():
    x = np.zeros((1, 2, 2, 1), np.float32)
    with pytest.raises(ValueError, match=r"passes must be one of \(1, 2, 4, 8\).*passes=3"):
        ensemble.self_ensemble(lambda c: c, x, 3)
    with pytest.raises(ValueError, match="start=6"):
        ensemble.self_ensemble(lambda c: c, x, 4, start=6)


def _cumsum(copy):  # not equivariant: each copy gives a different answer
    return np.cumsum(copy, axis=2) / copy.shape[2]


def test_strong_noise_gets_a_second_stage_and_weak_noise_all_the_copies():
    flat = np.full((1, 6, 6, 1), 0.5, np.float32)
    weak = flat + np.float32(0.1) * RNG.standard_normal(flat.shape, dtype=np.float32)
    strong = flat + np.float32(0.3) * RNG.standard_normal(flat.shape, dtype=np.float32)

    def blur(copy):  # removes everything but the mean: the removed noise is the image's std
        return np.broadcast_to(copy.mean(axis=(1, 2, 3), keepdims=True), copy.shape)

    out = ensemble.denoise_passes(blur, np.concatenate([weak, strong]), 8)
    np.testing.assert_allclose(out[0], weak[0].mean(), rtol=1e-6)
    np.testing.assert_allclose(out[1], strong[0].mean(), rtol=1e-6)  # the mean, twice
    x = np.concatenate([weak, strong])
    out = ensemble.denoise_passes(_cumsum, x, 8)
    all_eight = ensemble.self_ensemble(_cumsum, weak, 8)
    first = ensemble.self_ensemble(_cumsum, strong, 4)
    twice = ensemble.self_ensemble(_cumsum, first, 4)
    assert_sums_close(out[:1], all_eight, terms=6 * 8, scale=1.0, dtype=np.float32)
    assert_sums_close(out[1:], twice, terms=6 * 8, scale=1.0, dtype=np.float32)
    np.testing.assert_array_equal(ensemble.denoise_passes(_cumsum, x, 1), _cumsum(x))


def test_denoise_and_the_evaluation_spend_the_passes_alike(monkeypatch):
    model = standins.plain(seed=4)
    standins.install(monkeypatch, denoise=model)
    img = RNG.random((20, 28), dtype=np.float32)
    x = img[None, :, :, None]

    def run(copy):
        return model.predict(copy, verbose=0)

    want = np.clip(ensemble.denoise_passes(run, x, 8), 0, 1)
    # 3x3 convolutions of 4 channels, three layers deep: sums of 36 terms of size <= 1
    assert_sums_close(imaging.denoise(img), want[0, :, :, 0], terms=36 * 3 * 8, scale=1.0,
                      dtype=np.float32)
    assert_sums_close(evaluation._denoised(model, x), want, terms=36 * 3 * 8, scale=1.0,
                      dtype=np.float32)
