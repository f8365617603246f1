"""lamina.metrics psnr / ssim equal scikit-image's to 1e-4; the PSNR metric averages per image."""

import numpy as np
import pytest

from lamina import metrics
from lamina.metrics import PeakSignalNoiseRatio, psnr, psnr_per_image, ssim

skm = pytest.importorskip("skimage.metrics")
rng = np.random.default_rng(0)


@pytest.mark.parametrize("shape", [(32, 32), (17, 40), (9, 10, 12)])
@pytest.mark.parametrize("data_range", [1.0, 255.0])
def test_psnr_and_ssim_equal_skimage(shape, data_range):
    a = rng.uniform(0, data_range, shape)
    b = np.clip(a + rng.normal(0, 0.1 * data_range, shape), 0, data_range)
    assert abs(psnr(a, b, data_range) - skm.peak_signal_noise_ratio(
        a, b, data_range=data_range)) < 1e-4
    assert abs(ssim(a, b, data_range) - skm.structural_similarity(
        a, b, data_range=data_range)) < 1e-4


@pytest.mark.parametrize("win_size", [3, 7, 11])
def test_ssim_with_channels_and_windows_equals_skimage(win_size):
    a = rng.uniform(0, 1, (24, 30, 3)).astype(np.float32)
    b = np.clip(a + rng.normal(0, 0.2, a.shape), 0, 1).astype(np.float32)
    want = skm.structural_similarity(a, b, data_range=1.0, channel_axis=-1, win_size=win_size)
    got = ssim(a, b, data_range=1.0, channel_axis=-1, win_size=win_size)
    assert abs(got - want) < 1e-4 and 0.0 < got < 0.9


def test_worked_numbers():
    a = np.zeros((4, 4))
    assert psnr(a, a + 0.1) == pytest.approx(20.0, abs=1e-9)
    assert psnr(a, a) == np.inf
    assert ssim(np.ones((8, 8)) * 0.5, np.ones((8, 8)) * 0.5) == pytest.approx(1.0)


def test_psnr_metric_averages_per_image():
    y = np.zeros((2, 4, 4, 1))
    pred = np.concatenate([np.full((1, 4, 4, 1), 0.1), np.full((1, 4, 4, 1), 0.01)])
    np.testing.assert_allclose(psnr_per_image(y, pred), [20.0, 40.0])
    m = metrics.get("psnr")
    assert isinstance(m, PeakSignalNoiseRatio) and m.name == "psnr"
    m.update_state(y, pred)
    assert m.result() == pytest.approx(30.0, rel=1e-6)   # not the PSNR of the pooled MSE
    clone = metrics.deserialize(metrics.serialize(PeakSignalNoiseRatio(data_range=255.0)))
    clone.update_state([[0.0, 0.0]], [[25.5, 25.5]])
    assert clone.result() == pytest.approx(20.0, rel=1e-6)


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match=r"psnr: the two images must have the same shape; "
                                         r"received \(2, 2\) and \(2, 3\)"):
        psnr(np.zeros((2, 2)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"psnr: data_range must be a positive number.*"
                                         r"received data_range=0"):
        psnr(np.zeros(3), np.ones(3), data_range=0)
    with pytest.raises(ValueError, match=r"ssim: win_size=7 exceeds the image size \(5, 5\)"):
        ssim(np.zeros((5, 5)), np.zeros((5, 5)))
    with pytest.raises(ValueError, match=r"ssim: win_size must be an odd int >= 3; received "
                                         r"win_size=4"):
        ssim(np.zeros((9, 9)), np.zeros((9, 9)), win_size=4)
