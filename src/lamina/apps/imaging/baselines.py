"""What a person would use instead of each network: the classical methods of the table.

* denoising: the Gaussian filter whose width is best *on the very crops measured* (an
  oracle, so the filter is never undersold), and BM3D (Dabov et al. 2007, the ``bm3d``
  package: ``pip install 'lamina[bm3d]'``) given the true noise level;
* super-resolution: bicubic interpolation (:func:`lamina.apps.imaging.pairs.bicubic`);
* colorization: the gray image itself (every channel the luma);
* inpainting: the biharmonic fill of scikit-image (``inpaint_biharmonic``).

Each takes the network's input batch (as :mod:`.pairs` makes it) and returns its result for
the same crops, float in [0, 1].
"""

from __future__ import annotations

import numpy

from lamina.apps.imaging import pairs
from lamina.metrics import psnr_per_image

__all__ = ["FILTER_SIGMAS", "gaussian_filter", "best_gaussian_filter", "bm3d_available", "bm3d",
           "bicubic", "gray", "biharmonic"]

#: the Gaussian filter widths (pixels) the best one is chosen from
FILTER_SIGMAS = tuple(numpy.round(numpy.arange(0.3, 3.01, 0.05), 2))


def gaussian_filter(images, sigma):
    """Each image of ``(N, H, W, C)`` blurred by a Gaussian of ``sigma`` pixels (reflected
    borders, scipy's default), clipped to [0, 1]."""
    from scipy import ndimage

    return numpy.clip(ndimage.gaussian_filter(images, sigma=(0, sigma, sigma, 0)), 0, 1)


def best_gaussian_filter(noisy, clean):
    """``(denoised, sigma)``: the Gaussian filter of :data:`FILTER_SIGMAS` with the highest
    mean PSNR on these crops."""
    best = None
    for sigma in FILTER_SIGMAS:
        out = gaussian_filter(noisy, sigma)
        score = float(numpy.mean(psnr_per_image(clean, out)))
        if best is None or score > best[0]:
            best = (score, out, float(sigma))
    return best[1], best[2]


def bm3d_available() -> bool:
    """Whether the optional ``bm3d`` package is installed."""
    try:
        import bm3d  # noqa: F401
    except ImportError:
        return False
    return True


def bm3d(noisy, sigma):
    """BM3D of each gray crop, told the noise's standard deviation ``sigma``."""
    import bm3d as _bm3d

    out = numpy.empty_like(noisy)
    for i, image in enumerate(noisy):
        out[i, :, :, 0] = _bm3d.bm3d(image[:, :, 0].astype(numpy.float64), sigma_psd=sigma)
    return numpy.clip(out, 0, 1)


def bicubic(low):
    """Bicubic enlargement by 2 of the low-resolution crops."""
    return pairs.bicubic(low, 2)


def gray(luma):
    """The gray image as RGB: the luma in every channel."""
    return numpy.repeat(luma, 3, axis=3)


def biharmonic(known_and_mask):
    """scikit-image's biharmonic inpainting of each crop's hole (:func:`pairs.biharmonic`)."""
    return numpy.stack([pairs.biharmonic(pair[:, :, :1], pair[:, :, 1])
                        for pair in known_and_mask])
