"""One task shown on one picture: the input made from an original, the result, the PSNRs.

What the page (:mod:`.web`) shows, as plain arrays so it can be tested without a browser:
:func:`show` takes a picture and a task and returns a :class:`Shown` of ``input``, ``result``
and (when the picture was the original) ``original``, with PSNRs. With ``degrade=True`` the
picture is the original and the input is made from it the way the networks are measured:

* denoise: Gaussian noise of ``sigma`` (default 25/255), seeded;
* upscale: the original at half the size (bicubic), the one to upscale; its bicubic
  enlargement is the baseline;
* colorize: the original's luma, gray;
* inpaint: the original with the hole painted mid-gray; PSNR over the hole's pixels only.

With ``degrade=False`` the picture is the input itself (a noisy photo, a small one, a gray
one, one with something to remove): a result, no original, no PSNR.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy

from lamina.apps.imaging import tasks
from lamina.apps.imaging.images import ImageError, describe, gray_of, mask_of

__all__ = ["TASKS", "Shown", "psnr", "resize", "show"]

TASKS = ("denoise", "upscale", "colorize", "inpaint")
SIGMA = 25 / 255


@dataclass
class Shown:
    """``input``, ``result`` and ``original`` (None without one) as uint8 arrays; ``psnr``:
    ``{"input": dB, "result": dB}`` (the input's PSNR is the do-nothing baseline: for
    upscale its bicubic enlargement); ``baseline``: what the input's PSNR measured."""

    input: numpy.ndarray
    result: numpy.ndarray
    original: numpy.ndarray | None
    psnr: dict
    baseline: str


def psnr(a: numpy.ndarray, b: numpy.ndarray, where: numpy.ndarray | None = None) -> float:
    """PSNR in dB of two uint8 images (over the pixels ``where`` is True, if given)."""
    diff = a.astype(numpy.float64) - b.astype(numpy.float64)
    if where is not None:
        diff = diff[where]
    mse = float(numpy.mean(diff ** 2)) / 255.0 ** 2
    return float("inf") if mse == 0 else 10.0 * numpy.log10(1.0 / mse)


def resize(img: numpy.ndarray, size: tuple[int, int]) -> numpy.ndarray:
    """uint8 ``img`` resized to ``(width, height)`` with bicubic interpolation (Pillow)."""
    from PIL import Image

    return numpy.asarray(Image.fromarray(img).resize(size, Image.Resampling.BICUBIC))


def _noisy(original, sigma, seed):
    noise = numpy.random.default_rng(seed).normal(0.0, sigma * 255.0, original.shape)
    return numpy.clip(numpy.rint(original + noise), 0, 255).astype(numpy.uint8)


def _hole(img, mask):
    shown = img.copy()
    shown[mask] = 128
    return shown


def _as_uint8(img) -> numpy.ndarray:
    kind = describe(img)
    if kind.dtype == numpy.uint8:
        return img
    return numpy.rint(kind.to_float(img) * 255).astype(numpy.uint8).reshape(img.shape)


def show(task: str, picture: numpy.ndarray, *, degrade: bool = True, mask=None,
         sigma: float | None = None, scale: int = 2, seed: int = 0) -> Shown:
    """``task`` on ``picture`` (uint8), as the module's docstring says.

    Raises:
        ImageError: an unknown task, a bad picture or mask, an untrained scale or sigma, a
            picture too small to halve.
    """
    if task not in TASKS:
        raise ImageError(f"unknown task {str(task)[:40]!r}: it must be one of {list(TASKS)}")
    picture = _as_uint8(picture)
    if not degrade:
        if task == "inpaint":
            hole = _need_mask(mask, picture)
            return Shown(_hole(picture, hole), tasks.inpaint(picture, hole), None, {}, "")
        result = {"denoise": lambda: tasks.denoise(picture, sigma=sigma),
                  "upscale": lambda: tasks.upscale(picture, scale=scale),
                  "colorize": lambda: tasks.colorize(picture)}[task]()
        return Shown(picture, result, None, {}, "")
    if task == "denoise":
        level = SIGMA if sigma is None else sigma
        tasks._check_sigma(level)
        noisy = _noisy(picture, level, seed)
        result = tasks.denoise(noisy, sigma=level)
        return Shown(noisy, result, picture, {"input": psnr(noisy, picture),
                                              "result": psnr(result, picture)},
                     f"the noisy input (sigma = {level * 255:.0f}/255)")
    if task == "upscale":
        height, width = picture.shape[:2]
        if height < 2 * scale or width < 2 * scale:
            raise ImageError(f"the picture is {width}x{height}: too small to make a "
                             f"1/{scale} size input of")
        original = picture[:height - height % scale, :width - width % scale]
        small = resize(original, (original.shape[1] // scale, original.shape[0] // scale))
        result = tasks.upscale(small, scale=scale)
        bicubic = resize(small, (original.shape[1], original.shape[0]))
        return Shown(small, result, original, {"input": psnr(bicubic, original),
                                               "result": psnr(result, original)},
                     f"bicubic enlargement x{scale}")
    if task == "colorize":
        if picture.ndim == 2:
            raise ImageError("colorize needs a colour picture to make a gray input of and "
                             "measure against; this one is gray: colorize it with 'use as "
                             "input' instead")
        gray = numpy.rint(gray_of(picture.astype(numpy.float32))[..., 0]).astype(numpy.uint8)
        result = tasks.colorize(gray)
        return Shown(gray, result, picture, {"input": psnr(gray[..., None], picture),
                                             "result": psnr(result, picture)},
                     "the gray input itself")
    hole = _need_mask(mask, picture)
    result = tasks.inpaint(picture, hole)
    return Shown(_hole(picture, hole), result, picture,
                 {"input": psnr(_hole(picture, hole), picture, hole),
                  "result": psnr(result, picture, hole)},
                 "mid-gray in the hole; PSNR over the hole's pixels")


def _need_mask(mask, picture) -> numpy.ndarray:
    if mask is None:
        raise ImageError("inpaint needs a mask: paint the hole on the picture")
    hole = mask_of(mask, picture.shape[:2])
    if not hole.any():
        raise ImageError("the mask is empty: paint the part of the picture to fill in")
    return hole
