"""matplotlib, imported only when a plot is asked for (the ``plot`` extra)."""

from __future__ import annotations

import os
import sys


def pyplot():
    """``matplotlib.pyplot``; the Agg backend when there is no display (CI, servers)."""
    try:
        import matplotlib
    except ImportError:
        raise ImportError("lamina.viz needs matplotlib, which is not installed. Install it with "
                          "pip install 'lamina[plot]'  (or: pip install matplotlib)") from None
    if "matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND") \
            and sys.platform.startswith("linux") \
            and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def finish(fig, show: bool):
    """Show the figure only when asked; always return it."""
    if show:
        pyplot().show()
    return fig


def to_numpy(a):
    """A NumPy array from a Tensor, a CuPy array or anything array-like."""
    import numpy

    if hasattr(a, "data") and hasattr(a, "requires_grad"):
        a = a.data
    if hasattr(a, "get"):
        a = a.get()
    return numpy.asarray(a)
