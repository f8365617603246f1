"""Inside a network: ``plot_filters`` (a layer's kernels as images) and
``plot_feature_maps`` (what chosen layers output for one input)."""

from __future__ import annotations

import math

import numpy

from lamina.viz._plt import finish, pyplot, to_numpy

__all__ = ["plot_feature_maps", "plot_filters"]


def _resolve_layer(model, layer):
    """A layer of ``model`` from a name, an index or the layer itself."""
    layers = list(getattr(model, "layers", []))
    if isinstance(layer, str):
        for candidate in layers:
            if candidate.name == layer:
                return candidate
        raise ValueError(f"no layer named {layer!r}; the layers are "
                         f"{', '.join(repr(c.name) for c in layers)}")
    if isinstance(layer, int) and not isinstance(layer, bool):
        if not -len(layers) <= layer < len(layers):
            raise ValueError(f"layer index {layer} is out of range; the model has "
                             f"{len(layers)} layers")
        return layers[layer]
    if any(layer is c for c in layers):
        return layer
    raise ValueError(f"{layer!r} is not a layer of the model (give a name, an index or a layer)")


def _kernel_of(model_or_layer, layer):
    """``(kernel array, description)``: the chosen layer's, else the first conv layer's,
    else the first Dense layer's."""
    if isinstance(model_or_layer, numpy.ndarray) or hasattr(model_or_layer, "requires_grad"):
        return to_numpy(model_or_layer), "kernel"
    if layer is not None:
        try:
            target = _resolve_layer(model_or_layer, layer)
        except ValueError as err:
            raise ValueError(f"plot_filters: {err}") from None
    elif hasattr(model_or_layer, "layers"):
        candidates = [c for c in model_or_layer.layers if getattr(c, "kernel", None) is not None]
        convs = [c for c in candidates if c.kernel.ndim >= 3]
        if not candidates:
            raise ValueError("plot_filters: the model has no layer with a kernel (Conv2D, "
                             "Dense...); is it built? Call it on data or start with Input")
        target = (convs or candidates)[0]
    else:
        target = model_or_layer
    kernel = getattr(target, "kernel", None)
    if kernel is None:
        raise ValueError(f"plot_filters: {type(target).__name__} "
                         f"'{getattr(target, 'name', '')}' has no kernel (or is not built)")
    return to_numpy(kernel), f"{type(target).__name__} '{target.name}'"


def _filter_images(kernel, channel, image_shape):
    """``(images (n, h, w[, 3]), what)`` from a kernel of any supported rank."""
    if kernel.ndim == 4:                       # Conv2D: (kh, kw, in, out)
        kh, kw, cin, n = kernel.shape
        if channel is not None:
            if not 0 <= channel < cin:
                raise ValueError(f"plot_filters: channel must be in [0, {cin}); received "
                                 f"channel={channel}")
            return numpy.moveaxis(kernel[:, :, channel, :], -1, 0), f"input channel {channel}"
        if cin == 3:
            rgb = numpy.moveaxis(kernel, -1, 0)
            low = rgb.min(axis=(1, 2, 3), keepdims=True)
            high = rgb.max(axis=(1, 2, 3), keepdims=True)
            return (rgb - low) / numpy.maximum(high - low, 1e-12), "RGB, each scaled to [0, 1]"
        what = "" if cin == 1 else f"mean over {cin} input channels"
        return numpy.moveaxis(kernel.mean(axis=2), -1, 0), what
    if kernel.ndim == 3:                       # Conv1D: (k, in, out) -> in x k images
        return numpy.moveaxis(kernel, -1, 0).transpose(0, 2, 1), "input channels x taps"
    if kernel.ndim == 2:                       # Dense: (in, units), each column an image
        n_in = kernel.shape[0]
        if image_shape is None:
            side = math.isqrt(n_in)
            image_shape = (side, side) if side * side == n_in else (1, n_in)
        if math.prod(image_shape) != n_in:
            raise ValueError(f"plot_filters: image_shape {tuple(image_shape)} does not hold "
                             f"the {n_in} inputs of the Dense kernel")
        images = kernel.T.reshape(-1, *image_shape)
        if images.ndim == 4 and images.shape[-1] != 3:
            images = images.mean(axis=-1)
        return images, "weights of each unit"
    raise ValueError(f"plot_filters: expected a kernel of rank 2 (Dense), 3 (Conv1D) or 4 "
                     f"(Conv2D); received shape {kernel.shape}")


def plot_filters(model_or_layer, layer=None, channel=None, image_shape=None, max_filters=64,
                 cmap="gray", show=False):
    """A layer's kernels as images: by default the first convolution layer's.

    Args:
        model_or_layer: a model, a layer, or a kernel array ``(kh, kw, in, out)``.
        layer: which layer of the model (name, index or layer).
        channel: show this input channel of each kernel; default: colour for 3 input
            channels, else the mean over the input channels.
        image_shape: for a Dense kernel, the shape of one unit's weights as an image
            (default square, e.g. 28 x 28 for 784 inputs).
        max_filters: show at most this many.
        cmap: the colour map; with a shared scale, mid-grey is 0.
        show: call ``plt.show()``.

    Returns:
        the matplotlib Figure: one Axes per filter (plus a colour bar for one channel).
    """
    kernel, label = _kernel_of(model_or_layer, layer)
    images, what = _filter_images(kernel.astype("float64"), channel, image_shape)
    images = images[:max_filters]
    n = len(images)
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    plt = pyplot()
    fig, axes = plt.subplots(rows, cols, figsize=(1.5 * cols + 1.2, 1.5 * rows + 0.9),
                             squeeze=False)
    for ax in axes.ravel()[n:]:
        ax.remove()
    colour = images.ndim == 4
    bound = float(numpy.abs(images).max()) or 1.0
    image = None
    for i, (ax, img) in enumerate(zip(axes.ravel(), images)):
        if colour:
            ax.imshow(img, interpolation="nearest")
        else:
            image = ax.imshow(img, cmap=cmap, vmin=-bound, vmax=bound, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(str(i), fontsize=8, pad=2)
    size = "x".join(map(str, kernel.shape[:2])) if kernel.ndim == 4 else ""
    title = f"{label}: {len(images)} of {kernel.shape[-1]} filters" + \
        (f" ({size})" if size else "") + (f", {what}" if what else "")
    fig.suptitle(title, fontsize=10)
    if image is not None:
        fig.colorbar(image, ax=[a for a in axes.ravel()[:n]], shrink=0.8,
                     label="weight (mid-grey = 0)")
    return finish(fig, show)


def _recorder(call, key, outputs):
    """``call``, also storing its result in ``outputs[key]``."""
    def recorded(*args, **kwargs):
        out = call(*args, **kwargs)
        outputs[key] = out
        return out

    return recorded


def _layer_outputs(model, x, chosen):
    """Run ``model`` on ``x`` once and keep the output of each chosen layer."""
    from lamina.autograd import no_grad

    outputs = {}
    for layer in chosen:  # an instance attribute in front of the class's call
        layer.call = _recorder(layer.call, id(layer), outputs)
    try:
        with no_grad():
            model(x)
    finally:
        for layer in chosen:
            del layer.call
    return [to_numpy(outputs[id(layer)]) for layer in chosen if id(layer) in outputs]


def plot_feature_maps(model, x, layers=None, max_maps=16, cmap="viridis", show=False):
    """The outputs of chosen layers for one input: one image per channel.

    Args:
        model: a lamina model (Sequential or functional).
        x: one input, e.g. an image ``(28, 28, 1)`` (a batch axis of size 1 is fine).
        layers: names, indices or layers; default every layer with image-shaped output
            ``(1, h, w, c)`` (conv and pooling), or all layers if there are none.
        max_maps: channels shown per layer.
        cmap: the colour map.
        show: call ``plt.show()``.

    Returns:
        the matplotlib Figure: one row of images per chosen layer (a Dense output is one
        strip of its units).
    """
    x = to_numpy(x)
    if x.shape[:1] != (1,):
        x = x[None]
    all_layers = list(getattr(model, "layers", []))
    if not all_layers:
        raise ValueError("plot_feature_maps: expected a model with layers")
    if layers is None:
        chosen = list(all_layers)
    else:
        names = [layers] if isinstance(layers, (str, int)) else list(layers)
        try:
            chosen = [_resolve_layer(model, name) for name in names]
        except ValueError as err:
            raise ValueError(f"plot_feature_maps: {err}") from None
    maps = _layer_outputs(model, x.astype(getattr(all_layers[0], "dtype", "float32")), chosen)
    if layers is None and any(m.ndim == 4 for m in maps):
        chosen, maps = zip(*[(c, m) for c, m in zip(chosen, maps) if m.ndim == 4])
    plt = pyplot()
    cols = min(8, max(min(m.shape[-1], max_maps) if m.ndim >= 3 else 1 for m in maps))
    row_counts = [math.ceil(min(m.shape[-1], max_maps) / cols) if m.ndim == 4 else 1
                  for m in maps]
    fig = plt.figure(figsize=(1.6 * cols + 1.0, 1.9 * sum(row_counts) + 0.4),
                     layout="constrained")
    subfigs = fig.subfigures(len(maps), 1, height_ratios=row_counts, squeeze=False)[:, 0]
    for sub, layer, out, rows in zip(subfigs, chosen, maps, row_counts):
        out = out[0]
        sub.suptitle(f"{layer.name}: output {tuple(out.shape)}", fontsize=10)
        if out.ndim == 3:
            n = min(out.shape[-1], max_maps)
            axes = sub.subplots(rows, cols, squeeze=False).ravel()
            for ax in axes[n:]:
                ax.remove()
            low, high = float(out[:, :, :n].min()), float(out[:, :, :n].max())
            for c, ax in enumerate(axes[:n]):  # one scale per layer: channels compare
                image = ax.imshow(out[:, :, c], cmap=cmap, vmin=low, vmax=high,
                                  interpolation="nearest")
                ax.set_xticks([])
                ax.set_yticks([])
                ax.set_title(f"channel {c}", fontsize=7, pad=2)
            sub.colorbar(image, ax=list(axes[:n]), fraction=0.03, pad=0.02)
        else:
            ax = sub.subplots()
            strip = out.reshape(1, -1) if out.ndim <= 1 else out.reshape(out.shape[0], -1).T
            image = ax.imshow(strip, cmap=cmap, aspect="auto", interpolation="nearest")
            ax.set_yticks([])
            ax.set_xlabel("unit" if out.ndim <= 1 else "step")
            sub.colorbar(image, ax=ax, fraction=0.04)
    return finish(fig, show)
