"""What max and average pooling compute, written for reading.

The reference implementation of the pooling ops in ``pooling.py``, backend-neutral (``xp``)
and slow on purpose: every window is laid out along one axis, then reduced. ``pooling.py``
computes the same numbers in place, in cache-sized batch chunks over lamina's threads (and,
with ``lamina[fast]``, max pooling in one numba pass); tests compare them with this file.

Keras's semantics: with ``padding='same'`` the padded cells are not part of any window, so a
max never picks one and an average divides by the number of real cells. A max sends each
window's gradient to its first maximum in row-major window order, as PyTorch does.
"""

from __future__ import annotations


def _offsets(pool, strides, out_hw):
    """(k, rows, cols): the cells of the padded input that window offset k reads."""
    (ph, pw), (sh, sw), (ho, wo) = pool, strides, out_hw
    for i in range(ph):
        for j in range(pw):
            yield (i * pw + j, slice(i, i + (ho - 1) * sh + 1, sh),
                   slice(j, j + (wo - 1) * sw + 1, sw))


def _padded(xp, x, pads, fill):
    (top, bottom), (left, right) = pads
    n, h, w, c = x.shape
    out = xp.full((n, h + top + bottom, w + left + right, c), fill, dtype=x.dtype)
    out[:, top:top + h, left:left + w] = x
    return out


def windows(xp, x, pool, strides, pads, out_hw, fill):
    """The (N, Ho, Wo, ph*pw, C) windows of ``x`` (N, H, W, C); padded cells hold ``fill``."""
    xpad = _padded(xp, x, pads, fill)
    n, c = x.shape[0], x.shape[3]
    out = xp.empty((n, *out_hw, pool[0] * pool[1], c), dtype=x.dtype)
    for k, rows, cols in _offsets(pool, strides, out_hw):
        out[:, :, :, k] = xpad[:, rows, cols]
    return out


def _scatter(xp, shares, x_shape, pool, strides, pads, out_hw):
    """Each window's (N, Ho, Wo, ph*pw, C) ``shares`` added back onto its cells; the padding
    cropped."""
    (top, bottom), (left, right) = pads
    n, h, w, c = x_shape
    dxpad = xp.zeros((n, h + top + bottom, w + left + right, c), dtype=shares.dtype)
    for k, rows, cols in _offsets(pool, strides, out_hw):
        dxpad[:, rows, cols] += shares[:, :, :, k]
    return dxpad[:, top:top + h, left:left + w]


def max_pool2d_forward(xp, x, pool, strides, pads, out_hw):
    return windows(xp, x, pool, strides, pads, out_hw, -xp.inf).max(axis=3)


def max_pool2d_backward(xp, grad, x, pool, strides, pads, out_hw):
    win = windows(xp, x, pool, strides, pads, out_hw, -xp.inf)
    first_max = win.argmax(axis=3)  # (N, Ho, Wo, C)
    k = xp.arange(pool[0] * pool[1]).reshape(1, 1, 1, -1, 1)
    shares = xp.where(k == first_max[:, :, :, None], grad[:, :, :, None], 0).astype(grad.dtype)
    return _scatter(xp, shares, x.shape, pool, strides, pads, out_hw)


def _cells(xp, x, pool, strides, pads, out_hw):
    """How many real (not padded) cells each window has: (1, Ho, Wo, 1)."""
    ones = xp.ones((1, *x.shape[1:3], 1), dtype=x.dtype)
    return windows(xp, ones, pool, strides, pads, out_hw, 0).sum(axis=3)


def avg_pool2d_forward(xp, x, pool, strides, pads, out_hw):
    total = windows(xp, x, pool, strides, pads, out_hw, 0).sum(axis=3)
    return total / _cells(xp, x, pool, strides, pads, out_hw)


def avg_pool2d_backward(xp, grad, x, pool, strides, pads, out_hw):
    share = grad / _cells(xp, x, pool, strides, pads, out_hw)
    shares = xp.broadcast_to(share[:, :, :, None], (*grad.shape[:3], pool[0] * pool[1],
                                                     grad.shape[3]))
    real = windows(xp, xp.ones((1, *x.shape[1:3], 1), dtype=grad.dtype), pool, strides, pads,
                   out_hw, 0)  # a padded cell gets nothing (it is cropped anyway)
    return _scatter(xp, shares * real, x.shape, pool, strides, pads, out_hw)
