"""Hand-drawn-looking math symbols, the data behind a write-math.com-style recognizer.

A deterministic, seeded generator of labelled 32x32 grayscale images in the layout of the HASY
data set (each symbol scaled to fit the square and centred), with ink 1.0 on a 0.0
background. Over 200 classes (:data:`CLASSES`): digits, Latin and Greek letters, operators,
arrows, set and logic symbols, and the write-math seed's examples (``\\heartsuit``,
``\\clubsuit``, ``\\fullmoon``, ``\\male``, ``\\triangledown``, ``\\nabla``, ``\\lozenge``,
``\\astrosun``). Each is drawn by matplotlib's mathtext in five font styles (:data:`STYLES`)
and made to look hand-drawn (:mod:`~lamina.datasets.symbols.augment`; the reasons are in
``docs/symbols.md``). Needs matplotlib (``pip install 'lamina[plot]'``).

Example:
    >>> from lamina.datasets import symbols
    >>> x, y = symbols.load_data(n_per_class=10, seed=0)    # doctest: +SKIP
    >>> x.shape, y.shape                                     # doctest: +SKIP
    ((2190, 32, 32, 1), (2190,))
    >>> symbols.CLASSES[y[0]].latex, symbols.CLASSES[y[0]].unicode  # doctest: +SKIP
"""

from lamina.datasets.symbols.augment import HandDrawn
from lamina.datasets.symbols.catalog import CLASSES, GROUPS, Symbol, index_of
from lamina.datasets.symbols.generate import generate, load_data, sample_sheet
from lamina.datasets.symbols.render import STYLES, RenderError, clean_image, fit_to_box

CLASS_NAMES: list[str] = [symbol.latex for symbol in CLASSES]
"""The LaTeX command of each label (``CLASS_NAMES[y]``), like the other data sets' names."""

__all__ = [
    "CLASSES", "CLASS_NAMES", "GROUPS", "STYLES", "HandDrawn", "RenderError", "Symbol",
    "clean_image", "fit_to_box", "generate", "index_of", "load_data", "sample_sheet",
]
