"""Image quality: peak signal-to-noise ratio and structural similarity.

* :func:`psnr` is ``skimage.metrics.peak_signal_noise_ratio``: ``10 log10(R^2 / MSE)`` over
  every pixel of the two arrays, ``R`` the data range (1 for images in [0, 1]);
* :func:`ssim` is ``skimage.metrics.structural_similarity`` with its defaults (7x7 uniform
  windows, K1 = 0.01, K2 = 0.03, sample covariances, the mean over the windows that fit
  inside the image; with ``channel_axis`` the mean over channels);
* :func:`psnr_per_image` gives one PSNR per image of a batch ``(N, H, W[, C])``, and
  :class:`PeakSignalNoiseRatio` (``'psnr'`` in ``compile(metrics=...)``) averages it over
  every image seen, the way the image papers report PSNR (per image, then averaged).

Example:
    >>> import numpy as np
    >>> a = np.zeros((4, 4)); b = a + 0.1
    >>> round(psnr(a, b), 6)               # MSE 0.01 -> 10 log10(1 / 0.01)
    20.0
"""

from __future__ import annotations

import numpy

from lamina.metrics.base import FixedFunctionMetric, register

__all__ = ["psnr", "ssim", "psnr_per_image", "PeakSignalNoiseRatio"]


def _pair(a, b, where):
    a = numpy.asarray(getattr(a, "data", a), dtype=numpy.float64)
    b = numpy.asarray(getattr(b, "data", b), dtype=numpy.float64)
    if a.shape != b.shape:
        raise ValueError(f"{where}: the two images must have the same shape; received "
                         f"{a.shape} and {b.shape}")
    if a.size == 0:
        raise ValueError(f"{where}: the images are empty (shape {a.shape})")
    return a, b


def _check_range(data_range, where):
    if not isinstance(data_range, (int, float, numpy.number)) or not data_range > 0:
        raise ValueError(f"{where}: data_range must be a positive number (1 for images in "
                         f"[0, 1], 255 for uint8); received data_range={data_range!r}")
    return float(data_range)


def psnr(image_true, image_test, data_range=1.0) -> float:
    """Peak signal-to-noise ratio in dB of ``image_test`` against ``image_true``.

    Args:
        image_true, image_test: arrays of the same shape (any number of axes).
        data_range: the largest possible pixel value minus the smallest (default 1.0).
    Returns ``10 log10(data_range^2 / mean((image_true - image_test)^2))``; ``inf`` when
    the images are equal.
    """
    a, b = _pair(image_true, image_test, "psnr")
    data_range = _check_range(data_range, "psnr")
    mse = numpy.mean((a - b) ** 2)
    with numpy.errstate(divide="ignore"):
        return float(10 * numpy.log10(data_range ** 2 / mse))


@register
def psnr_per_image(y_true, y_pred, data_range=1.0):
    """PSNR in dB of each image of a batch ``(N, ...)``: an array of N values."""
    a, b = _pair(y_true, y_pred, "psnr_per_image")
    data_range = _check_range(data_range, "psnr_per_image")
    mse = ((a - b) ** 2).reshape(len(a), -1).mean(axis=1)
    with numpy.errstate(divide="ignore"):
        return 10 * numpy.log10(data_range ** 2 / mse)


def _window_means(x, size):
    """The mean of every ``size x ... x size`` window that fits inside ``x`` (all axes)."""
    for axis in range(x.ndim):
        c = numpy.cumsum(x, axis=axis)
        zero = numpy.zeros_like(numpy.take(c, [0], axis=axis))
        c = numpy.concatenate([zero, c], axis=axis)
        n = x.shape[axis]
        x = (numpy.take(c, range(size, n + 1), axis=axis)
             - numpy.take(c, range(0, n + 1 - size), axis=axis)) / size
    return x


def _ssim_one(a, b, win_size, data_range, k1, k2):
    count = win_size ** a.ndim
    cov_norm = count / (count - 1)
    ux, uy = _window_means(a, win_size), _window_means(b, win_size)
    uxx, uyy = _window_means(a * a, win_size), _window_means(b * b, win_size)
    uxy = _window_means(a * b, win_size)
    vx, vy = cov_norm * (uxx - ux * ux), cov_norm * (uyy - uy * uy)
    vxy = cov_norm * (uxy - ux * uy)
    c1, c2 = (k1 * data_range) ** 2, (k2 * data_range) ** 2
    s = ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2))
    return float(s.mean())


def ssim(im1, im2, data_range=1.0, channel_axis=None, win_size=7, k1=0.01, k2=0.03) -> float:
    """Mean structural similarity of two images (``skimage.metrics.structural_similarity``).

    Args:
        im1, im2: arrays of the same shape, e.g. ``(H, W)`` or ``(H, W, C)``.
        data_range: largest minus smallest possible value (default 1.0).
        channel_axis: the axis of the channels (e.g. -1): SSIM is then averaged over them.
        win_size: odd side of the windows (default 7), at most the smallest image side.
    Returns the mean over the windows that lie inside the image (skimage's uniform filter
    results with the border of ``win_size // 2`` cropped, which never see the padding).
    """
    a, b = _pair(im1, im2, "ssim")
    data_range = _check_range(data_range, "ssim")
    if channel_axis is not None:
        a, b = numpy.moveaxis(a, channel_axis, -1), numpy.moveaxis(b, channel_axis, -1)
        spatial = a.shape[:-1]
    else:
        spatial = a.shape
    if not isinstance(win_size, int) or win_size < 3 or win_size % 2 == 0:
        raise ValueError(f"ssim: win_size must be an odd int >= 3; received "
                         f"win_size={win_size!r}")
    if min(spatial) < win_size:
        raise ValueError(f"ssim: win_size={win_size} exceeds the image size {spatial}; pass "
                         f"a smaller odd win_size")
    if channel_axis is None:
        return _ssim_one(a, b, win_size, data_range, k1, k2)
    return float(numpy.mean([_ssim_one(a[..., c], b[..., c], win_size, data_range, k1, k2)
                             for c in range(a.shape[-1])]))


class PeakSignalNoiseRatio(FixedFunctionMetric):
    """PSNR in dB per image, averaged over every image seen (``'psnr'``).

    Args:
        data_range: largest minus smallest possible pixel value (default 1.0).

    Example:
        >>> m = PeakSignalNoiseRatio()
        >>> m.update_state(np.zeros((2, 4, 4, 1)), np.full((2, 4, 4, 1), 0.1))
        >>> round(m.result(), 4)
        20.0
    """

    def __init__(self, name="psnr", dtype=None, data_range=1.0):
        _check_range(data_range, "PeakSignalNoiseRatio")
        super().__init__(psnr_per_image, name=name, dtype=dtype, data_range=data_range)
