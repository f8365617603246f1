"""Image-to-image CNNs as a tool: denoise, upscale (super-resolution), colorize, inpaint.

Example:
    >>> from lamina.apps import imaging
    >>> import skimage.data
    >>> photo = skimage.data.coffee()              # (400, 600, 3) uint8
    >>> imaging.upscale(photo, scale=2).shape      # doctest: +SKIP
    (800, 1200, 3)

Images are NumPy arrays, ``(H, W)`` or ``(H, W, 1)`` gray or ``(H, W, 3)`` RGB, uint8 (or
uint16) or float in [0, 1]; each function returns the input's dtype and range, any size
(computed tile by tile). Bad input raises :class:`ImageError` with what was given and what
is expected. From the shell: ``lamina image denoise IN OUT`` and its siblings; in the
browser: ``lamina serve``, page ``/imaging``.

* :mod:`.images`: what an image may be, and back; :mod:`.tiling`: overlapping tiles;
* :mod:`.engine`: the trained networks; :mod:`.tasks`: the four functions;
* :mod:`.files`: reading and writing image files; :mod:`.cli`, :mod:`.web`: shell and page.
"""

from lamina.apps.imaging.engine import ModelsMissing
from lamina.apps.imaging.images import ImageError
from lamina.apps.imaging.tasks import colorize, denoise, inpaint, upscale

__all__ = ["ImageError", "ModelsMissing", "colorize", "denoise", "inpaint", "upscale"]
