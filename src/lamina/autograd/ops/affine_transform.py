"""Affine warps of (N, H, W, C) images (Keras's ``ops.image.affine_transform``), the op
behind RandomRotation, RandomZoom and RandomTranslation.

Each image ``n`` has a transform ``[a0, a1, a2, b0, b1, b2, c0, c1]`` that maps an output
pixel (row y, column x) to the input point it reads::

    x_in = (a0 x + a1 y + a2) / k,   y_in = (b0 x + b1 y + b2) / k,   k = c0 x + c1 y + 1

``'bilinear'`` mixes the 4 pixels around (y_in, x_in) with weights (1 - fy, fy) x
(1 - fx, fx); ``'nearest'`` reads the pixel at the rounded point. A neighbour outside the
image is found by ``fill_mode``, as Keras pads before it interpolates: ``'reflect'``
(d c b a | a b c d | d c b a), ``'mirror'`` (d c b | a b c d | c b a), ``'wrap'``
(a b c d | a b c d), ``'nearest'`` (a a a | a b c d | d d d) or ``'constant'``
(``fill_value``). The output is therefore a fixed linear map of the input (the transform
is data, not a weight): the backward pass adds each output gradient back, times its
weight, onto the pixels it was read from.

(``lamina.data``'s ImageAugmenter resamples NumPy batches outside the graph with its own
rotation/shear/zoom arguments; this op is the graph version, with Keras's transform.)
"""

from __future__ import annotations

from lamina.autograd.function import Function
from lamina.autograd.ops._spatial import expect_ndim

__all__ = ["affine_transform"]

FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")
INTERPOLATIONS = ("nearest", "bilinear")


def fix_index(xp, i, n, fill_mode):
    """Integer indices ``i`` (any values) into ``[0, n)`` by ``fill_mode``, and the mask of
    those that stay valid (all but the outside ones of ``'constant'``)."""
    if fill_mode == "constant":
        valid = (i >= 0) & (i < n)
        return xp.clip(i, 0, n - 1), valid
    if fill_mode == "nearest":
        i = xp.clip(i, 0, n - 1)
    elif fill_mode == "wrap":
        i = i % n
    elif fill_mode == "reflect":  # the edge pixel repeats: period 2n
        i = i % (2 * n)
        i = xp.where(i >= n, 2 * n - 1 - i, i)
    else:  # mirror: the edge pixel does not repeat: period 2n - 2
        period = max(2 * n - 2, 1)
        i = i % period
        i = xp.where(i >= n, period - i, i)
    return i, None


def _corners(xp, transform, h, w, interpolation, fill_mode):
    """For every output pixel of every image: the flat input indices (into N*H*W) it reads,
    their weights and validity masks; lists with 4 (bilinear) or 1 (nearest) entries."""
    n = transform.shape[0]
    ys, xs = xp.meshgrid(xp.arange(h, dtype=transform.dtype),
                         xp.arange(w, dtype=transform.dtype), indexing="ij")
    a0, a1, a2, b0, b1, b2, c0, c1 = (transform[:, k, None, None] for k in range(8))
    k = c0 * xs + c1 * ys + 1.0
    x_in = (a1 * ys + a0 * xs + a2) / k  # (N, H, W), summed in Keras's order
    y_in = (b1 * ys + b0 * xs + b2) / k
    base = (xp.arange(n) * (h * w))[:, None, None]
    if interpolation == "nearest":
        offsets = [(xp.round(y_in), xp.round(x_in), None)]  # half to even, as Keras
    else:
        y0, x0 = xp.floor(y_in), xp.floor(x_in)
        fy, fx = y_in - y0, x_in - x0
        offsets = [(y0, x0, (1 - fy) * (1 - fx)), (y0, x0 + 1, (1 - fy) * fx),
                   (y0 + 1, x0, fy * (1 - fx)), (y0 + 1, x0 + 1, fy * fx)]
    out = []
    for yi, xi, weight in offsets:
        yi, y_ok = fix_index(xp, yi.astype(xp.int64), h, fill_mode)
        xi, x_ok = fix_index(xp, xi.astype(xp.int64), w, fill_mode)
        valid = None if y_ok is None else y_ok & x_ok
        out.append((base + yi * w + xi, weight, valid))
    return out


class AffineTransform(Function):
    """``images`` (N, H, W, C) warped by ``transform`` (N, 8), a constant parameter."""

    name = "affine_transform"

    def forward(self, images, *, transform, interpolation, fill_mode, fill_value):
        xp = self.xp
        expect_ndim(images, 4, self.name, "N, H, W, C")
        n, h, w, c = images.shape
        # float32 coordinates (float64 for float64 images): a nearest-pixel read rounds
        # them, and Keras rounds the float32 ones
        transform = xp.asarray(transform, dtype=xp.result_type(images.dtype, "float32"))
        transform = transform.reshape(-1, 8)
        if transform.shape[0] not in (1, n):
            raise ValueError(f"{self.name}: expected one transform or {n} (one per image); "
                             f"received transform of shape {transform.shape}")
        transform = xp.broadcast_to(transform, (n, 8))
        corners = _corners(xp, transform, h, w, interpolation, fill_mode)
        flat = images.reshape(n * h * w, c)
        out = xp.zeros((n, h, w, c), dtype=images.dtype)
        for index, weight, valid in corners:
            values = flat[index]  # (N, H, W, C)
            if valid is not None:
                values = xp.where(valid[..., None], values, images.dtype.type(fill_value))
            out += values if weight is None else values * weight[..., None].astype(out.dtype)
        if self.recording:
            self.shape, self.corners = images.shape, corners
        return out

    def backward(self, grad):
        xp = self.xp
        n, h, w, c = self.shape
        flat = xp.zeros((n * h * w, c), dtype=grad.dtype)
        for index, weight, valid in self.corners:
            g = grad if weight is None else grad * weight[..., None].astype(grad.dtype)
            if valid is not None:
                g = g * valid[..., None]
            xp.add.at(flat, index.reshape(-1), g.reshape(-1, c))  # several outputs per pixel
        return (flat.reshape(n, h, w, c),)


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0.0):
    """Warp ``images`` (N, H, W, C) by ``transform``: (8,) for all images or (N, 8), Keras's
    ``[a0, a1, a2, b0, b1, b2, c0, c1]`` (see the module). ``interpolation``: 'bilinear' or
    'nearest'; ``fill_mode``: 'constant', 'nearest', 'wrap', 'mirror' or 'reflect'.

    >>> import numpy as np
    >>> shift = [1, 0, -1, 0, 1, 0, 0, 0]            # x_in = x - 1: one pixel right
    >>> affine_transform(np.arange(3.0).reshape(1, 1, 3, 1), shift).data.ravel()
    array([0., 0., 1.])
    """
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"affine_transform: interpolation must be one of {INTERPOLATIONS}; "
                         f"received interpolation={interpolation!r}")
    if fill_mode not in FILL_MODES:
        raise ValueError(f"affine_transform: fill_mode must be one of {FILL_MODES}; "
                         f"received fill_mode={fill_mode!r}")
    return AffineTransform.apply(images, transform=transform, interpolation=interpolation,
                                 fill_mode=fill_mode, fill_value=float(fill_value))
