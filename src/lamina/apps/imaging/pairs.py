"""What each task's network sees and must give back, made from clean crops.

Training (:mod:`.training`) and measuring (:mod:`.evaluation`) make their pairs here, so the
two cannot drift apart. Every function takes clean float32 crops ``(N, H, W, C)`` in [0, 1]
and a seed, and returns ``(inputs, targets)``:

* ``denoise``: gray crops plus Gaussian noise of standard deviation ``sigma`` (fixed, or per
  crop uniform in :data:`SIGMA_RANGE`; not clipped, as in the papers) -> the clean crops;
* ``upscale``: gray crops shrunk by 2 with bicubic interpolation (Pillow's, which filters
  before shrinking) -> the crops;
* ``colorize``: the luma of RGB crops (BT.601 weights, as ``lamina.apps.imaging`` makes
  gray) -> the RGB crops;
* ``inpaint``: gray crops with a ``hole x hole`` square at a random place filled by the
  biharmonic fill of the known pixels (:func:`biharmonic`), and the mask (1 in the hole) as a
  second channel -> the crops. The network corrects the classical fill instead of drawing
  the hole from nothing.
"""

from __future__ import annotations

import numpy

from lamina.random import make_rng

__all__ = ["SIGMA_RANGE", "LUMA", "noisy", "shrink", "bicubic", "luma", "holes", "biharmonic",
           "make_pairs"]

#: noise levels of the blind denoiser, on the [0, 1] scale
SIGMA_RANGE = (5 / 255, 55 / 255)
#: BT.601 luma weights of R, G, B
LUMA = numpy.array([0.299, 0.587, 0.114], dtype=numpy.float32)


def noisy(clean, sigma=None, seed=None):
    """``clean + N(0, sigma^2)``; ``sigma`` None draws one per crop from :data:`SIGMA_RANGE`."""
    rng = make_rng(seed)
    if sigma is None:
        sigma = rng.uniform(*SIGMA_RANGE, size=(len(clean), 1, 1, 1))
    noise = rng.standard_normal(clean.shape, dtype=numpy.float32)
    return (clean + noise * numpy.asarray(sigma, numpy.float32)).astype(numpy.float32)


def _resize(images, size):
    from PIL import Image

    out = numpy.empty((len(images), size[0], size[1], images.shape[3]), numpy.float32)
    for i, image in enumerate(images):
        for c in range(images.shape[3]):
            picture = Image.fromarray(numpy.ascontiguousarray(image[:, :, c]), mode="F")
            out[i, :, :, c] = numpy.asarray(picture.resize(size[::-1], Image.BICUBIC))
    return out


def shrink(images, scale=2):
    """Bicubic down by ``scale`` (Pillow; H and W must be multiples of ``scale``)."""
    n, h, w, c = images.shape
    return _resize(images, (h // scale, w // scale))


def bicubic(images, scale=2):
    """Bicubic up by ``scale`` (Pillow): the super-resolution baseline."""
    n, h, w, c = images.shape
    return numpy.clip(_resize(images, (h * scale, w * scale)), 0.0, 1.0)


def luma(rgb):
    """BT.601 luma of RGB crops, ``(N, H, W, 1)``."""
    return (rgb @ LUMA)[..., None].astype(numpy.float32)


def holes(n, size, hole=16, seed=None):
    """``(N, size, size, 1)`` masks, each 1 in a ``hole x hole`` square at a random place
    inside the crop, 0 elsewhere."""
    rng = make_rng(seed)
    masks = numpy.zeros((n, size, size, 1), numpy.float32)
    corners = rng.integers(0, size - hole + 1, size=(n, 2))
    for m, (top, left) in zip(masks, corners):
        m[top:top + hole, left:left + hole] = 1.0
    return masks


def biharmonic(image, mask):
    """scikit-image's biharmonic fill of the pixels where ``mask`` is nonzero.

    ``image`` is ``(H, W, C)`` float in [0, 1] (its values in the hole are ignored), ``mask``
    ``(H, W)`` or ``(H, W, 1)``; returns float32 ``(H, W, C)`` clipped to [0, 1]. A mask
    over every pixel leaves nothing to extend: the result is mid-gray.

    Raises:
        ImportError: scikit-image is missing, with the command that installs it.
    """
    try:
        from skimage.restoration import inpaint_biharmonic
    except ImportError as error:
        raise ImportError(f"inpainting starts from scikit-image's biharmonic fill, and "
                          f"scikit-image is not installed ({error.name} is missing): "
                          f"pip install 'lamina[imaging]'") from error

    hole = numpy.asarray(mask).reshape(image.shape[:2]) > 0
    if not hole.any():
        return numpy.array(image, numpy.float32)
    if hole.all():
        return numpy.full(image.shape, 0.5, numpy.float32)
    filled = inpaint_biharmonic(numpy.asarray(image, numpy.float64), hole, channel_axis=-1)
    return numpy.clip(filled, 0.0, 1.0).astype(numpy.float32)


def make_pairs(task, clean, seed=None, sigma=None):
    """``(inputs, targets)`` of ``task`` for the clean crops (see the module docstring)."""
    if task == "denoise":
        return noisy(clean, sigma, seed), clean
    if task == "upscale":
        return shrink(clean), clean
    if task == "colorize":
        return luma(clean), clean
    if task == "inpaint":
        mask = holes(len(clean), clean.shape[1], seed=seed)
        filled = numpy.stack([biharmonic(c * (1 - m), m) for c, m in zip(clean, mask)])
        return numpy.concatenate([filled, mask], axis=3), clean
    raise ValueError(f"make_pairs: unknown task {task!r}; the tasks are denoise, upscale, "
                     f"colorize, inpaint")
