"""The shipped networks: each loads, is small, takes and gives what TASKS says."""

import numpy as np
import pytest

from lamina.apps.imaging import registry

pytest.importorskip("skimage")


@pytest.mark.parametrize("task", list(registry.TASKS))
def test_shipped_weights_load_and_fit_the_task(task):
    spec = registry.TASKS[task]
    path = registry.weights_path(task)
    assert path.is_file() and path.stat().st_size <= 2_000_000
    model = registry.load_model(task)
    side = 8 * spec.multiple
    x = np.random.default_rng(0).uniform(0, 1, (2, side, side, spec.in_channels))
    y = model.predict(x.astype("float32"), verbose=0)
    assert y.shape == (2, side * spec.scale, side * spec.scale, spec.out_channels)
    assert np.isfinite(y).all()


def test_shipped_weights_are_package_data():
    from pathlib import Path

    text = (Path(__file__).parents[3] / "pyproject.toml").read_text()
    line = next(x for x in text.splitlines() if x.startswith('"lamina.apps.imaging" = ['))
    assert '"weights/*"' in line


def test_errors_say_what_to_do(tmp_path):
    with pytest.raises(ValueError, match=r"unknown imaging task 'sharpen'; the tasks are "
                                         r"denoise, upscale, colorize, inpaint"):
        registry.load_model("sharpen")
    with pytest.raises(FileNotFoundError, match=r"no weights for the imaging task 'denoise' at "
                                                r".*nothing.npz; train them with `lamina "
                                                r"image train denoise`"):
        registry.load_model("denoise", tmp_path / "nothing.npz")


def test_the_colorizer_keeps_the_luma_and_the_inpainter_the_known_pixels():
    from lamina.apps.imaging import pairs

    rng = np.random.default_rng(1)
    luma = rng.uniform(0.2, 0.8, (1, 16, 16, 1)).astype("float32")
    rgb = registry.load_model("colorize").predict(luma, verbose=0)
    np.testing.assert_allclose(pairs.luma(rgb), luma, atol=1e-5)
    clean = rng.uniform(0, 1, (2, 16, 16, 1)).astype("float32")
    x, _ = pairs.make_pairs("inpaint", np.pad(clean, ((0, 0), (8, 8), (8, 8), (0, 0))), seed=0)
    out = registry.load_model("inpaint").predict(x, verbose=0)
    known = x[..., 1:] == 0
    np.testing.assert_array_equal(out[known], x[..., :1][known])


def test_the_untrained_inpainter_is_the_biharmonic_fill():
    from lamina.apps.imaging import pairs

    clean = np.random.default_rng(2).uniform(0, 1, (2, 32, 32, 1)).astype("float32")
    x, _ = pairs.make_pairs("inpaint", clean, seed=0)
    out = registry.build("inpaint").predict(x, verbose=0)
    np.testing.assert_array_equal(out, x[..., :1])   # a zero correction: exactly the fill


def test_the_shipped_upscaler_beats_bicubic_on_test_crops():
    """The shipped weights are the trained ones: +2.6 dB on all 120 test crops; on the first
    24 the margin must stay above the issue's +1 dB."""
    from lamina.apps.imaging import baselines, pairs
    from lamina.datasets import patches
    from lamina.metrics import psnr_per_image

    clean = patches.test_crops()[:24]
    low = pairs.shrink(clean)
    net = np.clip(registry.load_model("upscale").predict(low, verbose=0), 0, 1)
    gain = psnr_per_image(clean, net).mean() - psnr_per_image(clean, baselines.bicubic(low)).mean()
    assert gain > 1.0


def test_the_shipped_denoiser_beats_the_best_gaussian_filter_at_every_level():
    """One blind network, three noise levels, 24 test crops: the gains were 2.05, 1.94 and
    1.17 dB at sigma 15, 25 and 50 (the filter's width chosen on these very crops)."""
    from lamina.apps.imaging import baselines, pairs
    from lamina.datasets import patches
    from lamina.metrics import psnr_per_image

    clean = patches.test_crops()[:24]
    model = registry.load_model("denoise")
    for level, least in ((15, 1.5), (25, 1.5), (50, 0.8)):
        noisy = pairs.noisy(clean, level / 255, seed=1)
        filtered, _ = baselines.best_gaussian_filter(noisy, clean)
        net = np.clip(model.predict(noisy, verbose=0), 0, 1)
        gain = psnr_per_image(clean, net).mean() - psnr_per_image(clean, filtered).mean()
        assert gain > least, (level, gain)
