"""``InputSpec``: what a layer accepts (a number of axes, fixed axis sizes), checked at
every call with an error that names the layer and the shape received."""

from __future__ import annotations


class InputSpec:
    """What a layer accepts: a number of axes (``ndim`` or ``min_ndim``) and fixed axis sizes."""

    def __init__(self, ndim=None, min_ndim=None, axes=None):
        self.ndim, self.min_ndim, self.axes = ndim, min_ndim, dict(axes or {})

    def check(self, layer, shape) -> None:
        ndim = len(shape)
        wrong = ((self.ndim is not None and ndim != self.ndim)
                 or (self.min_ndim is not None and ndim < self.min_ndim))
        for axis, size in self.axes.items():
            if -ndim <= axis < ndim and shape[axis] is not None and shape[axis] != size:
                wrong = True
        if wrong:  # the message is built only when it is needed (this runs at every call)
            self._raise(layer, shape)

    def _raise(self, layer, shape) -> None:
        where = f"Input 0 of layer '{layer.name}' is incompatible with the layer"
        if self.ndim is not None and len(shape) != self.ndim:
            raise ValueError(f"{where}: expected ndim={self.ndim}, found ndim={len(shape)}. "
                             f"Full shape received: {tuple(shape)}")
        if self.min_ndim is not None and len(shape) < self.min_ndim:
            raise ValueError(f"{where}: expected min_ndim={self.min_ndim}, found "
                             f"ndim={len(shape)}. Full shape received: {tuple(shape)}")
        for axis, size in self.axes.items():
            got = shape[axis] if -len(shape) <= axis < len(shape) else None
            if got is not None and got != size:
                raise ValueError(f"{where}: expected axis {axis} of input shape to have value "
                                 f"{size}, but received input with shape {tuple(shape)}")
