"""The seeded generator: labelled 32x32 symbol images in the HASY layout, as NumPy arrays.

The same ``seed`` gives the same images (bit for bit on one machine), whatever the batch
size. Images are ink 1.0 on a 0.0 background (HASY's PNGs are black on white; see
:mod:`~lamina.datasets.symbols.render`).

Example:
    >>> from lamina.datasets import symbols
    >>> x, y = symbols.load_data(n_per_class=2, seed=0)        # doctest: +SKIP
    >>> x.shape, x.dtype, y.dtype                               # doctest: +SKIP
    ((438, 32, 32, 1), dtype('float32'), dtype('int64'))
    >>> symbols.CLASSES[y[0]].latex                             # doctest: +SKIP
"""

from __future__ import annotations

import numpy

from lamina.backend import floatx
from lamina.datasets.symbols.augment import HandDrawn, draw
from lamina.datasets.symbols.catalog import CLASSES, index_of
from lamina.datasets.symbols.render import (
    MASTER_SIZE,
    STYLES,
    _check_style,
    check_size,
    masters,
    resize_area,
)
from lamina.random import make_rng

__all__ = ["generate", "load_data", "sample_sheet"]


def _styles(styles) -> tuple[str, ...]:
    if styles is None:
        return STYLES
    if isinstance(styles, str):
        styles = [styles]
    styles = tuple(_check_style(s) for s in styles)
    if not styles:
        raise ValueError("symbols: styles must name at least one style; received styles=[]")
    return styles


def generate(labels, seed=0, size: int = 32, styles=None, augment=True) -> numpy.ndarray:
    """Images of the given classes.

    Args:
        labels: ``(N,)`` ints (indices into ``CLASSES``).
        seed: int or ``numpy.random.Generator``; the same seed gives the same images.
        size: side in pixels (8 to 64; HASY's is 32).
        styles: font styles to draw from (names from ``STYLES``; default all), picked uniformly.
        augment: True for hand-drawn images (default strengths), a
            :class:`~lamina.datasets.symbols.augment.HandDrawn` for other strengths, False
            for clean font renderings.
    Returns:
        ``(N, size, size, 1)`` in floatx (float32), values in [0, 1], ink 1.0.
    """
    size = check_size(size, "generate")
    styles = _styles(styles)
    labels = numpy.asarray(labels)
    if labels.ndim != 1 or (labels.size and labels.dtype.kind not in "iu"):
        raise ValueError(
            f"generate: labels must be a 1-D array of ints; received shape {labels.shape} "
            f"dtype {labels.dtype}"
        )
    labels = labels.astype(numpy.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= len(CLASSES)):
        bad = labels[(labels < 0) | (labels >= len(CLASSES))][0]
        raise ValueError(f"generate: labels must be in [0, {len(CLASSES)}); received {bad}")
    if not isinstance(augment, (bool, HandDrawn)):
        raise TypeError(
            f"generate: augment must be True, False or a HandDrawn; received {augment!r}"
        )
    rng = make_rng(seed)
    if augment is False:
        choice = rng.integers(len(styles), size=labels.size)
        stack = numpy.stack([masters(s) for s in styles])[choice, labels]
        if size != MASTER_SIZE:
            stack = numpy.stack([resize_area(image, size, size) for image in stack]) if len(
                stack) else numpy.zeros((0, size, size), numpy.float32)
        images = numpy.clip(stack, 0.0, 1.0)
    else:
        config = None if augment is True else augment
        images = draw(labels, rng, size=size, styles=styles, config=config)
    return images.astype(floatx(), copy=False)[..., None]


def load_data(n_per_class: int = 100, seed=0, size: int = 32, styles=None, augment=True,
              classes=None, n_classes: int | None = None):
    """A labelled data set: ``n_per_class`` images of every class, in random order.

    Args:
        n_per_class: images per class.
        seed, size, styles, augment: as in :func:`generate`.
        classes: a subset (LaTeX commands, Unicode characters or labels); labels ``y`` then
            index this list. Default: all of ``CLASSES`` (``y`` indexes ``CLASSES``).
        n_classes: instead of ``classes``, the first ``n_classes`` of ``CLASSES``.
    Returns:
        ``(x, y)``: ``x`` ``(N, size, size, 1)`` floatx in [0, 1]; ``y`` ``(N,)`` int64.

    Example:
        >>> x, y = load_data(n_per_class=5, classes=["0", "1", "+"])  # doctest: +SKIP
        >>> x.shape                                                   # doctest: +SKIP
        (15, 32, 32, 1)
    """
    if isinstance(n_per_class, bool) or not isinstance(n_per_class, (int, numpy.integer)) or (
        n_per_class < 1
    ):
        raise ValueError(
            f"load_data: n_per_class must be a positive int; received n_per_class={n_per_class!r}"
        )
    if n_classes is not None:
        if classes is not None:
            raise ValueError("load_data: pass classes or n_classes, not both")
        if isinstance(n_classes, bool) or not isinstance(n_classes, (int, numpy.integer)) or not (
            1 <= n_classes <= len(CLASSES)
        ):
            raise ValueError(
                f"load_data: n_classes must be an int from 1 to {len(CLASSES)}; "
                f"received n_classes={n_classes!r}"
            )
        classes = range(n_classes)
    if classes is None:
        chosen = numpy.arange(len(CLASSES), dtype=numpy.int64)
    else:
        chosen = numpy.array([index_of(c) for c in classes], dtype=numpy.int64)
        if chosen.size == 0 or len(set(chosen.tolist())) != chosen.size:
            raise ValueError(
                "load_data: classes must be a non-empty list without repeats; "
                f"received classes={classes!r}"
            )
    rng = make_rng(seed)
    y = rng.permutation(numpy.repeat(numpy.arange(chosen.size, dtype=numpy.int64), n_per_class))
    x = generate(chosen[y], seed=rng, size=size, styles=styles, augment=augment)
    return x, y


def sample_sheet(path, classes=None, variants: int = 8, seed=0, augment=True) -> None:
    """Save a PNG grid: one row per class (its LaTeX on the left), ``variants`` images each.

    Args:
        path: where to write the PNG.
        classes: LaTeX commands / labels to show (default: 20 spread over every group).
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    if classes is None:
        step = len(CLASSES) / 20
        classes = [CLASSES[int(i * step)].latex for i in range(20)]
    labels = numpy.array([index_of(c) for c in classes], dtype=numpy.int64)
    x = generate(numpy.repeat(labels, variants), seed=seed, augment=augment)[..., 0]
    figure = Figure(figsize=(1.6 + 0.6 * variants, 0.6 * len(labels)), dpi=80)
    axes = figure.subplots(len(labels), variants, squeeze=False)
    for row, label in enumerate(labels):
        for col in range(variants):
            ax = axes[row, col]
            ax.imshow(1.0 - x[row * variants + col], cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        symbol = CLASSES[label]
        name = symbol.latex
        if symbol.unicode != symbol.latex:
            name = f"{symbol.unicode}  {name}"
        axes[row, 0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=9)
    figure.subplots_adjust(left=1.5 / (1.6 + 0.6 * variants), right=0.99, top=0.99,
                           bottom=0.01, wspace=0.08, hspace=0.08)
    from lamina.saving.archive import atomic_path

    with atomic_path(path) as tmp:  # a failed or killed save leaves any earlier sheet whole
        figure.savefig(tmp, format="png")
