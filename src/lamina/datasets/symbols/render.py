"""Clean glyph images: each class drawn by matplotlib's mathtext in one of several font styles.

A style is a mathtext font set (:data:`STYLES`): DejaVu Sans and Serif, Computer Modern
(``cm``) and STIX (serif and sans). Rendering needs matplotlib (``pip install
'lamina[plot]'``) and uses only its Agg rasteriser and bundled fonts: no display, no system
fonts. A character a font set lacks (``♂``, ``☉``, ``◊``, ...) is drawn by mathtext from the
bundled font that has it; a glyph matplotlib would replace by a dummy box raises
:class:`RenderError` instead.

Images follow the HASY layout the recognizer sees: the symbol's bounding box scaled to fit the
square (aspect ratio kept) with a margin of ``size / 16`` pixels, centred; **ink is 1.0 on a
0.0 background** (HASY's PNGs are black on white; inverted here because a CNN learns from ink,
not from paper). Clean masters are rendered once per style at 64x64 and cached in memory.

Example:
    >>> from lamina.datasets.symbols import clean_image
    >>> image = clean_image(r"\\heartsuit", style="cm")  # doctest: +SKIP
    >>> image.shape, image.dtype                       # doctest: +SKIP
    ((32, 32), dtype('float32'))
"""

from __future__ import annotations

import functools
import warnings

import numpy

from lamina.datasets.symbols.catalog import CLASSES, Symbol, index_of

__all__ = [
    "MASTER_SIZE", "STYLES", "RenderError", "check_size", "clean_image", "fit_to_box", "masters",
    "resize_area",
]

STYLES: tuple[str, ...] = ("dejavusans", "dejavuserif", "cm", "stix", "stixsans")
"""The font styles (matplotlib ``mathtext.fontset`` names), in a fixed order."""

MASTER_SIZE = 64
"""Side of the cached clean masters (twice the HASY size, so strokes stay smooth)."""

# Styles whose Latin letters and digits are drawn upright (\mathrm) rather than math italic:
# people write upright, LaTeX typesets italic; both kinds are in the data.
_UPRIGHT_STYLES = ("dejavusans", "stixsans")
_FONT_SIZE = 400.0


class RenderError(ValueError):
    """A symbol could not be drawn (a glyph no bundled font has, or a mathtext syntax error)."""


@functools.lru_cache(maxsize=1)
def _parser():
    try:
        from matplotlib.mathtext import MathTextParser
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            "lamina.datasets.symbols renders glyphs with matplotlib; install it with "
            "`pip install 'lamina[plot]'` (or `pip install matplotlib`)."
        ) from error
    return MathTextParser("agg")


def _check_style(style: str) -> str:
    if style not in STYLES:
        from lamina._lookup import lookup

        return lookup({s: s for s in STYLES}, style, "style")
    return style


def _expression(symbol: Symbol, style: str) -> str:
    expression = symbol.expression
    if symbol.group in ("latin", "digit") and style in _UPRIGHT_STYLES:
        expression = "\\mathrm{" + expression + "}"
    return "$" + expression + "$"


def _rasterize(expression: str, style: str, font_size: float) -> numpy.ndarray:
    """Coverage in [0, 1] (float32, tight-ish box) of one mathtext expression."""
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(size=font_size, math_fontfamily=style)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = _parser().parse(expression, dpi=72, prop=prop)
        except ValueError as error:
            raise RenderError(f"render: mathtext cannot draw {expression!r}: {error}") from None
    missing = [str(w.message) for w in caught if "glyph" in str(w.message).lower()]
    if missing:
        raise RenderError(f"render: no bundled font draws {expression!r} ({missing[0]})")
    return numpy.asarray(result.image, dtype=numpy.float32) / 255.0


def resize_area(image: numpy.ndarray, height: int, width: int) -> numpy.ndarray:
    """Area-average resample of a 2-D image to ``(height, width)`` (exact box filter, any scale).

    Each output pixel is the mean of the input it covers (partial pixels weighted), computed
    as ``rows @ image @ cols.T`` with two small weight matrices.
    """
    def weights(n_in: int, n_out: int) -> numpy.ndarray:
        edges = numpy.arange(n_out + 1) * (n_in / n_out)
        lo, hi = edges[:-1, None], edges[1:, None]
        pixel = numpy.arange(n_in)[None, :]
        overlap = numpy.clip(numpy.minimum(hi, pixel + 1) - numpy.maximum(lo, pixel), 0, None)
        return (overlap / (n_in / n_out)).astype(numpy.float32)

    image = numpy.asarray(image, dtype=numpy.float32)
    return weights(image.shape[0], height) @ image @ weights(image.shape[1], width).T


def _ink_box(image: numpy.ndarray, threshold: float = 0.05):
    rows = numpy.flatnonzero(image.max(axis=1) > threshold)
    cols = numpy.flatnonzero(image.max(axis=0) > threshold)
    if rows.size == 0:
        return None
    return rows[0], rows[-1] + 1, cols[0], cols[-1] + 1


def fit_to_box(image: numpy.ndarray, size: int = 32, margin: int | None = None) -> numpy.ndarray:
    """Crop an ink-on-black image to its ink, scale it (aspect kept) to fit a ``size`` square
    with ``margin`` pixels to spare (default ``size // 16``) and centre it.

    This is the normalisation write-math applies to a drawing; use it on the page's drawings
    too, so they match the generated data. An empty image comes back as zeros.

    Args:
        image: ``(H, W)`` array, ink > 0 on a 0 background.
    Returns:
        ``(size, size)`` float32.
    """
    margin = size // 16 if margin is None else margin
    out = numpy.zeros((size, size), dtype=numpy.float32)
    box = _ink_box(image)
    if box is None:
        return out
    r0, r1, c0, c1 = box
    crop = numpy.asarray(image, dtype=numpy.float32)[r0:r1, c0:c1]
    inner = size - 2 * margin
    scale = inner / max(crop.shape)
    h = max(1, min(inner, round(crop.shape[0] * scale)))
    w = max(1, min(inner, round(crop.shape[1] * scale)))
    top, left = (size - h) // 2, (size - w) // 2
    out[top:top + h, left:left + w] = numpy.clip(resize_area(crop, h, w), 0.0, 1.0)
    return out


def _font_set(symbol: Symbol, style: str) -> str:
    # mathtext's Computer Modern fonts are reached through TeX commands; a bare Unicode
    # character falls back through a table that maps some of them wrongly (© comes out as Φ),
    # so such characters come from STIX, the closest-looking bundled font.
    if style == "cm" and symbol.mathtext is not None and not symbol.mathtext.isascii():
        return "stix"
    return style


def _render_master(symbol: Symbol, style: str) -> numpy.ndarray:
    expression = _expression(symbol, style)
    style = _font_set(symbol, style)
    inner = MASTER_SIZE - 2 * (MASTER_SIZE // 16)
    raw = _rasterize(expression, style, _FONT_SIZE)
    box = _ink_box(raw)
    if box is None:
        raise RenderError(f"render: {expression!r} in style {style!r} draws nothing")
    longest = max(box[1] - box[0], box[3] - box[2])
    if longest < 3 * inner:  # render large enough that the box filter only ever shrinks (>=3x)
        raw = _rasterize(expression, style, _FONT_SIZE * 3 * inner / longest)
    return fit_to_box(raw, MASTER_SIZE)


@functools.cache
def masters(style: str) -> numpy.ndarray:
    """Clean 64x64 images of every class in ``style``, ``(len(CLASSES), 64, 64)`` float32
    (rendered on first use, then cached; treat the array as read-only)."""
    style = _check_style(style)
    images = numpy.stack([_render_master(symbol, style) for symbol in CLASSES])
    images.setflags(write=False)
    return images


def check_size(size, caller: str) -> int:
    """``size`` as an int, or a ValueError naming ``caller`` unless it is from 8 to 64."""
    if isinstance(size, bool) or not isinstance(size, (int, numpy.integer)) or not (
        8 <= size <= MASTER_SIZE
    ):
        raise ValueError(
            f"{caller}: size must be an int from 8 to {MASTER_SIZE}; received size={size!r}"
        )
    return int(size)


def clean_image(symbol, style: str = "dejavusans", size: int = 32) -> numpy.ndarray:
    """The clean (not hand-drawn) image of one class.

    Args:
        symbol: a :class:`Symbol`, a label (int) or a LaTeX command / Unicode character.
        style: one of :data:`STYLES`.
        size: side of the square output in pixels (8 to 64).
    Returns:
        ``(size, size)`` float32, ink 1.0 on 0.0.
    """
    size = check_size(size, "clean_image")
    master = masters(style)[index_of(symbol)]
    return master.copy() if size == MASTER_SIZE else resize_area(master, size, size)
