"""Crops of the photographs inside the scikit-image and scikit-learn wheels, split by source
image.

The image-to-image models (``lamina.apps.imaging``) learn from crops of real photographs
that ship with scikit-image (``skimage.data``) and the two sample photographs of
scikit-learn (``sklearn.datasets.load_sample_images``: ``china`` and ``flower``); nothing is
downloaded. The split is by source image, so no test pixel is ever trained on:

* test: ``camera``, ``coffee`` and ``chelsea`` (:data:`TEST_IMAGES`); ``skimage.data.cat``
  is the same photograph as ``chelsea`` and is used by neither split;
* train: the other photographs of scikit-image (:data:`SKIMAGE_TRAIN_IMAGES`; the synthetic
  pictures such as the checkerboard, the phantom, the logo or the binary blobs are left
  out) and scikit-learn's two (:data:`SKLEARN_IMAGES`): :data:`TRAIN_IMAGES`. Most of
  scikit-image's are not scenes a person photographs (text, a scanned page, cells, a
  retina, the moon, a telescope's field); :data:`PHOTOGRAPHS` are the training photographs
  that are (people, objects, buildings, plants, landscapes), for the models meant for
  people's photographs.

Gray variants convert RGB photographs with ``skimage.color.rgb2gray`` (ITU-R 709 weights);
RGB variants use only the colour photographs (``camera`` has no colour: the RGB test set is
``coffee`` and ``chelsea``). Pixels are float32 in [0, 1].

* :func:`random_crops`: training crops at random places, flipped left-right and up-down at
  random (seeded);
* :func:`test_crops`: fixed crops on a regular grid of each test image, the textured ones
  (flat crops are left out), the same on every machine;
* :func:`load_data`: both, as ``(x_train, x_test)``.

Example:
    >>> from lamina.datasets import patches
    >>> x_train, x_test = patches.load_data(n_train=16, seed=0)  # doctest: +SKIP
    >>> x_train.shape, x_test.shape                              # doctest: +SKIP
    ((16, 32, 32, 1), (120, 32, 32, 1))
"""

from __future__ import annotations

import functools

import numpy

from lamina.random import make_rng

__all__ = ["TEST_IMAGES", "TRAIN_IMAGES", "SKIMAGE_TRAIN_IMAGES", "SKLEARN_IMAGES", "PHOTOGRAPHS",
           "COLOR_IMAGES", "images", "random_crops",
           "test_crops", "load_data"]

#: the photographs the models are measured on (never trained on)
TEST_IMAGES = ("camera", "coffee", "chelsea")
#: scikit-image's photographs the models learn from (``motorcycle_left``/``_right`` are the
#: two views of ``skimage.data.stereo_motorcycle``)
SKIMAGE_TRAIN_IMAGES = ("astronaut", "brick", "cell", "clock", "coins", "grass", "gravel",
                        "hubble_deep_field", "immunohistochemistry", "microaneurysms", "moon",
                        "page", "retina", "rocket", "text", "motorcycle_left",
                        "motorcycle_right")
#: scikit-learn's sample photographs (``china.jpg``: a temple, ``flower.jpg``: a flower)
SKLEARN_IMAGES = ("china", "flower")
#: every photograph the models may learn from
TRAIN_IMAGES = SKIMAGE_TRAIN_IMAGES + SKLEARN_IMAGES
#: the training photographs of scenes a person photographs (no text, microscopy, astronomy)
PHOTOGRAPHS = ("astronaut", "brick", "clock", "coins", "grass", "gravel", "rocket",
               "motorcycle_left", "motorcycle_right", "china", "flower")
#: the photographs that have colour (the others are gray)
COLOR_IMAGES = ("astronaut", "coffee", "chelsea", "hubble_deep_field", "immunohistochemistry",
                "retina", "rocket", "motorcycle_left", "motorcycle_right", "china", "flower")

INSTALL = "pip install 'lamina[imaging]'"
#: the least standard deviation of a test crop's gray pixels (see :func:`test_crops`)
MIN_STD = 0.15


def _skimage():
    try:
        import skimage.color
        import skimage.data
        import skimage.util
    except ImportError as error:
        raise ImportError(
            f"lamina.datasets.patches reads the photographs that ship with scikit-image, which "
            f"is not installed ({error.name} is missing): {INSTALL}") from error
    return skimage


def _sklearn_image(name):
    try:
        from sklearn.datasets import load_sample_image
    except ImportError as error:
        raise ImportError(
            f"lamina.datasets.patches reads the photograph {name!r} from scikit-learn, which "
            f"is not installed ({error.name} is missing): {INSTALL}") from error
    return load_sample_image(f"{name}.jpg")


@functools.lru_cache(maxsize=64)
def _load(name: str, color: bool) -> numpy.ndarray:
    skimage = _skimage()
    if name in SKLEARN_IMAGES:
        raw = _sklearn_image(name)
    elif name.startswith("motorcycle_"):
        left, right, _ = skimage.data.stereo_motorcycle()
        raw = left if name == "motorcycle_left" else right
    else:
        raw = getattr(skimage.data, name)()
    image = skimage.util.img_as_float32(raw)
    if image.ndim == 3 and not color:
        image = skimage.color.rgb2gray(image).astype(numpy.float32)
    if image.ndim == 2 and color:
        raise ValueError(f"patches: the image {name!r} has no colour; the colour images are "
                         f"{COLOR_IMAGES}")
    image = numpy.clip(image, 0.0, 1.0)
    image.setflags(write=False)
    return image


def images(split: str = "train", color: bool = False) -> dict:
    """The photographs of ``split`` (``'train'`` or ``'test'``) as ``{name: array}``.

    Args:
        split: ``'train'`` (:data:`TRAIN_IMAGES`) or ``'test'`` (:data:`TEST_IMAGES`).
        color: RGB ``(H, W, 3)`` arrays of the colour photographs only; else gray ``(H, W)``
            arrays of all of them.
    Returns read-only float32 arrays in [0, 1].
    """
    if split not in ("train", "test"):
        raise ValueError(f"patches.images: split must be 'train' or 'test'; received "
                         f"split={split!r}")
    names = TRAIN_IMAGES if split == "train" else TEST_IMAGES
    if color:
        names = tuple(n for n in names if n in COLOR_IMAGES)
    return {name: _load(name, bool(color)) for name in names}


def _channels(image):
    return image if image.ndim == 3 else image[..., None]


def _check_size(size, pictures, where):
    if not isinstance(size, (int, numpy.integer)) or isinstance(size, bool) or size < 1:
        raise ValueError(f"{where}: size must be a positive int; received size={size!r}")
    small = [n for n, im in pictures.items() if min(im.shape[:2]) < size]
    if small:
        raise ValueError(f"{where}: size={size} is larger than the images {small}")


def random_crops(n: int, size: int = 32, color: bool = False, seed=None,
                 flips: bool = True, split: str = "train", names=None) -> numpy.ndarray:
    """``n`` crops of ``size x size`` from random places of random ``split`` images.

    Each crop picks an image uniformly (so small photographs count as much as large ones),
    a uniform top-left corner, and with ``flips`` a left-right and an up-down flip, each
    with probability 1/2. ``names`` keeps only those photographs of the split (e.g.
    :data:`PHOTOGRAPHS`; None: all). Returns float32 ``(n, size, size, C)`` with C = 3 if
    ``color`` else 1.
    """
    if not isinstance(n, (int, numpy.integer)) or isinstance(n, bool) or n < 0:
        raise ValueError(f"patches.random_crops: n must be a non-negative int; received n={n!r}")
    pictures = images(split, color)
    if names is not None:
        allowed = TRAIN_IMAGES if split == "train" else TEST_IMAGES
        if not names or any(name not in allowed for name in names):
            raise ValueError(f"patches.random_crops: names must be photographs of the "
                             f"{split!r} split {allowed}; received names={tuple(names)!r}")
        pictures = {k: v for k, v in pictures.items() if k in names}
        if not pictures:
            raise ValueError(f"patches.random_crops: none of names={tuple(names)!r} has "
                             f"colour; the colour images are {COLOR_IMAGES}")
    pictures = list(pictures.values())
    _check_size(size, dict(enumerate(pictures)), "patches.random_crops")
    rng = make_rng(seed)
    out = numpy.empty((n, size, size, 3 if color else 1), dtype=numpy.float32)
    which = rng.integers(len(pictures), size=n)
    for i, k in enumerate(which):
        image = _channels(pictures[k])
        top = rng.integers(image.shape[0] - size + 1)
        left = rng.integers(image.shape[1] - size + 1)
        crop = image[top:top + size, left:left + size]
        if flips and rng.random() < 0.5:
            crop = crop[:, ::-1]
        if flips and rng.random() < 0.5:
            crop = crop[::-1]
        out[i] = crop
    return out


def test_crops(size: int = 32, color: bool = False, per_side: int = 16,
               min_std: float = MIN_STD) -> numpy.ndarray:
    """Fixed, textured crops of the test photographs.

    The candidates lie on a ``per_side x per_side`` grid of each image, corners evenly spaced
    from its top-left to its bottom-right corner (``numpy.linspace``, rounded down), images
    in the order of :data:`TEST_IMAGES`. Kept are the crops whose gray pixels have a
    standard deviation of at least ``min_std``: a flat crop (sky, a wall) is restored almost
    perfectly by every method, and its 40-50 dB would dominate a per-crop mean PSNR and hide
    the differences on real structure. The defaults keep 120 gray and 66 RGB crops. Returns
    float32 ``(N, size, size, C)``, the same on every machine.
    """
    pictures = images("test", color)
    _check_size(size, pictures, "patches.test_crops")
    crops = []
    for name, image in pictures.items():
        gray = _load(name, False)
        image = _channels(image)
        tops = numpy.linspace(0, image.shape[0] - size, per_side).astype(int)
        lefts = numpy.linspace(0, image.shape[1] - size, per_side).astype(int)
        crops.extend(image[t:t + size, s:s + size] for t in tops for s in lefts
                     if gray[t:t + size, s:s + size].std() >= min_std)
    return numpy.stack(crops).astype(numpy.float32)


def load_data(n_train: int = 4096, size: int = 32, color: bool = False, seed=0,
              per_side: int = 16) -> tuple:
    """``(x_train, x_test)``: :func:`random_crops` of the training photographs and
    :func:`test_crops` of the test photographs, float32 ``(N, size, size, C)`` in [0, 1]."""
    return (random_crops(n_train, size=size, color=color, seed=seed),
            test_crops(size=size, color=color, per_side=per_side))
