"""Looking inside a trained CNN, as seed 004 does: the first layer's filters as one
picture (``plot_filter_grid``), and a deeper layer's filters through the input patches
that excite them most (``top_patches`` / ``plot_top_patches``, after Zeiler & Fergus).
"""

from __future__ import annotations

import math

import numpy

from lamina.viz._plt import finish, pyplot, to_numpy
from lamina.viz.filters import _kernel_of, _layer_outputs, _resolve_layer

__all__ = ["filter_grid", "plot_filter_grid", "plot_top_patches", "receptive_field",
           "top_patches"]


def filter_grid(kernel, columns=None, pad=1):
    """The filters of a ``(kh, kw, in, out)`` kernel tiled into one image.

    Each filter is scaled on its own to [0, 1] (0.5 is zero for one channel; three input
    channels show as colour, each filter's channels stretched together, as AlexNet's
    figure). Filters are separated by ``pad`` pixels of white.

    Returns:
        ``(rows * (kh + pad) - pad, columns * (kw + pad) - pad, 3)`` floats in [0, 1].
    """
    kernel = to_numpy(kernel).astype("float64")
    if kernel.ndim != 4:
        raise ValueError(f"filter_grid: expected a Conv2D kernel (kh, kw, in, out); received "
                         f"shape {kernel.shape}")
    kh, kw, cin, n = kernel.shape
    filters = numpy.moveaxis(kernel, -1, 0)                       # (n, kh, kw, in)
    if cin == 3:
        low = filters.min(axis=(1, 2, 3), keepdims=True)
        high = filters.max(axis=(1, 2, 3), keepdims=True)
        tiles = (filters - low) / numpy.maximum(high - low, 1e-12)
    else:
        mono = filters.mean(axis=-1)
        bound = numpy.abs(mono).max(axis=(1, 2), keepdims=True)
        tiles = numpy.repeat((0.5 + 0.5 * mono / numpy.maximum(bound, 1e-12))[..., None],
                             3, axis=-1)
    columns = columns or math.ceil(math.sqrt(n))
    rows = math.ceil(n / columns)
    grid = numpy.ones((rows * (kh + pad) - pad, columns * (kw + pad) - pad, 3))
    for i, tile in enumerate(tiles):
        r, c = divmod(i, columns)
        grid[r * (kh + pad): r * (kh + pad) + kh, c * (kw + pad): c * (kw + pad) + kw] = tile
    return grid


def plot_filter_grid(model_or_kernel, layer=None, columns=None, title=None, show=False):
    """The first convolution's filters (or ``layer``'s) as one tiled picture.

    Args:
        model_or_kernel: a model, a layer or a ``(kh, kw, in, out)`` kernel.
        layer: which layer of the model (name, index or layer); default the first Conv2D.
        columns: filters per row (default about the square root of their number).
        title: the title (default: the layer, the filter count and size).
        show: call ``plt.show()``.
    """
    kernel, label = _kernel_of(model_or_kernel, layer)
    grid = filter_grid(kernel, columns)
    plt = pyplot()
    height, width = grid.shape[:2]
    scale = 9.0 / max(height, width)
    fig, ax = plt.subplots(figsize=(width * scale + 0.4, height * scale + 0.8),
                           layout="constrained")
    ax.imshow(grid, interpolation="nearest")
    ax.set_axis_off()
    kh, kw, cin, n = kernel.shape
    colour = "colour: RGB" if cin == 3 else "grey = 0, white = most positive"
    ax.set_title(title or f"{label}: {n} filters of {kh}x{kw} ({colour}, each scaled "
                          "on its own)", fontsize=12)
    return finish(fig, show)


def _chain(model, target):
    """The layers from the input up to ``target`` (a plain chain)."""
    layers = [la for la in model.layers if type(la).__name__ != "InputLayer"]
    for i, la in enumerate(layers):
        if la is target:
            return layers[: i + 1]
    raise ValueError(f"layer '{target.name}' is not in the model")


def receptive_field(model, layer):
    """``(size, jump, start)`` of ``layer``'s outputs in input pixels: output ``(i, j)``
    sees the input square of side ``size`` centred on ``(start + i * jump, start + j *
    jump)``. Conv2D, pooling and ZeroPadding2D change it; layers that act per pixel
    (batch norm, activations, dropout) do not."""
    target = _resolve_layer(model, layer)
    size, jump, start = 1, 1, 0.0
    for la in _chain(model, target):
        name = type(la).__name__
        if name.startswith("Conv2D") and name != "Conv2D":
            raise ValueError(f"receptive_field: {name} '{la.name}' is not supported")
        if name == "ZeroPadding2D":
            start -= la.padding[0][0] * jump
            continue
        kernel = getattr(la, "kernel_size", None) or getattr(la, "pool_size", None)
        if kernel is None:
            if name.startswith(("Flatten", "Dense", "Global")):
                raise ValueError(f"receptive_field: layer '{la.name}' ({name}) has no "
                                 "spatial output before the chosen layer")
            continue
        k, s = kernel[0], la.strides[0]
        dilation = getattr(la, "dilation_rate", (1,))[0]
        k = dilation * (k - 1) + 1
        pad = (k - 1) // 2 if la.padding == "same" else 0
        size += (k - 1) * jump
        start += ((k - 1) / 2 - pad) * jump
        jump *= s
    return size, jump, start


def top_patches(model, layer, images, k=9, channels=None, batch_size=256):
    """For each channel of ``layer``, the ``k`` input patches that excite it most.

    Args:
        model: a model whose layers form a chain from the input to ``layer``.
        layer: a convolution (or pooling...) layer: name, index or layer.
        images: ``(n, h, w, c)`` inputs to search.
        k: patches per channel (each from a different image).
        channels: which channels (default all).
        batch_size: images per forward pass.

    Returns:
        ``(patches, scores)``: ``patches`` ``(channels, k, size, size, c)`` (pixels outside
        the image are NaN), ``scores`` ``(channels, k)`` the activations, highest first.
    """
    target = _resolve_layer(model, layer)
    size, jump, start = receptive_field(model, target)
    images = to_numpy(images).astype("float32")
    best = None
    for lo in range(0, len(images), batch_size):
        (out,) = _layer_outputs(model, images[lo: lo + batch_size], [target])
        if best is None:
            chosen = list(range(out.shape[-1])) if channels is None else list(channels)
            best = [[] for _ in chosen]
        for slot, c in enumerate(chosen):
            m = out[..., c]
            flat = m.reshape(len(m), -1)
            where = flat.argmax(axis=1)             # the strongest spot of each image
            for i in numpy.argsort(-flat.max(axis=1))[:k]:
                y, x = divmod(int(where[i]), m.shape[2])
                best[slot].append((float(flat[i, where[i]]), lo + int(i), y, x))
        best = [sorted(b, reverse=True)[:k] for b in best]
    h, w, cin = images.shape[1:]
    patches = numpy.full((len(best), k, size, size, cin), numpy.nan, dtype="float32")
    scores = numpy.full((len(best), k), numpy.nan)
    for slot, found in enumerate(best):
        for j, (score, i, y, x) in enumerate(found):
            top, left = int(round(start + y * jump - (size - 1) / 2)), \
                int(round(start + x * jump - (size - 1) / 2))
            y0, x0 = max(top, 0), max(left, 0)
            y1, x1 = min(top + size, h), min(left + size, w)
            patches[slot, j, y0 - top: y1 - top, x0 - left: x1 - left] = images[i, y0:y1,
                                                                                x0:x1]
            scores[slot, j] = score
    return patches, scores


def plot_top_patches(model, layer, images, k=9, channels=None, columns=4, title=None,
                     show=False):
    """A block per channel of ``layer``: its ``k`` most exciting input patches tiled
    (``top_patches``), so a second-layer filter is seen through what it responds to.

    Returns:
        the matplotlib Figure (one Axes per channel, titled with the channel and its top
        activation).
    """
    patches, scores = top_patches(model, layer, images, k, channels)
    target = _resolve_layer(model, layer)
    chosen = list(range(len(patches))) if channels is None else list(channels)
    n, size = len(patches), patches.shape[2]
    side = math.ceil(math.sqrt(k))
    columns = min(columns, n)
    rows = math.ceil(n / columns)
    plt = pyplot()
    fig, axes = plt.subplots(rows, columns, figsize=(3.1 * columns, 3.3 * rows + 0.6),
                             squeeze=False, layout="constrained")
    for ax in axes.ravel()[n:]:
        ax.remove()
    colour = patches.shape[-1] == 3
    for ax, block, channel, score in zip(axes.ravel(), patches, chosen, scores[:, 0]):
        tile = numpy.ones((side * (size + 1) - 1, side * (size + 1) - 1, 3))
        for j, patch in enumerate(block):
            r, c = divmod(j, side)
            shown = patch if colour else numpy.repeat(patch[..., :1], 3, axis=-1)
            shown = numpy.where(numpy.isnan(shown), 0.5, numpy.clip(shown, 0, 1))
            tile[r * (size + 1): r * (size + 1) + size, c * (size + 1): c * (size + 1) + size] \
                = shown
        ax.imshow(tile, interpolation="nearest")
        ax.set_axis_off()
        ax.set_title(f"filter {channel} (top {score:.2f})", fontsize=11)
    fig.suptitle(title or f"'{target.name}': the {k} input patches ({size}x{size} px) that "
                          "excite each filter most (mid-grey: outside the image)", fontsize=13)
    return finish(fig, show)
