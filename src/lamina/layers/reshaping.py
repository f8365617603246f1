"""Layers that change only the shape or the spatial size of their input (no weights):
``Reshape``, ``UpSampling2D``, ``ZeroPadding2D``, ``Cropping2D``, ``Permute``, ``UpSampling1D``
(Keras 3 names and defaults), ``DepthToSpace`` and ``SpaceToDepth`` (TensorFlow's
``depth_to_space`` as layers).
"""

from __future__ import annotations

import math

from lamina.autograd import ops as F
from lamina.layers.conv import _is_int, standardize_data_format, standardize_tuple
from lamina.layers.layer import InputSpec, Layer

__all__ = ["Reshape", "UpSampling2D", "ZeroPadding2D", "Cropping2D", "DepthToSpace",
           "SpaceToDepth", "Permute", "UpSampling1D"]


def reshape_output_shape(input_shape, target_shape, where):
    """``target_shape`` with its -1 resolved for an input of ``input_shape`` (no batch axis).

    With an unknown (None) input size the -1 stays unknown (None)."""
    input_shape, target_shape = tuple(input_shape), tuple(target_shape)
    if any(s is None for s in input_shape):
        return tuple(None if d == -1 else d for d in target_shape)
    size = math.prod(input_shape)
    known = math.prod(d for d in target_shape if d != -1)
    if -1 not in target_shape:
        if known != size:
            raise ValueError(f"{where}: the total size of the tensor must be unchanged; received "
                             f"input_shape={input_shape} ({size} values), target_shape="
                             f"{target_shape} ({known} values)")
        return target_shape
    if known == 0 or size % known:
        raise ValueError(f"{where}: the total size of the tensor must be unchanged, but the "
                         f"input size {size} cannot be divided by the known sizes of "
                         f"target_shape ({known}); received input_shape={input_shape}, "
                         f"target_shape={target_shape}")
    return tuple(size // known if d == -1 else d for d in target_shape)


class Reshape(Layer):
    """Reshapes every sample to ``target_shape`` (the batch axis is kept).

    Args:
        target_shape: tuple of positive ints (without the batch axis); one entry may be -1,
            inferred from the input size.

    Example:
        >>> Reshape((3, 4))(np.ones((2, 12), "float32")).shape
        (2, 3, 4)
        >>> Reshape((-1, 2))(np.ones((2, 3, 4), "float32")).shape
        (2, 6, 2)
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        shape = (target_shape,) if _is_int(target_shape) else target_shape
        if not (isinstance(shape, (tuple, list))
                and all(_is_int(d) and (d > 0 or d == -1) for d in shape)):
            raise ValueError(f"Reshape: the `target_shape` argument must be a tuple of positive "
                             f"integers (one may be -1); received target_shape={target_shape!r}")
        if list(shape).count(-1) > 1:
            raise ValueError(f"Reshape: the `target_shape` argument must not contain more than "
                             f"one `-1` value; received target_shape={target_shape!r}")
        self.target_shape = tuple(int(d) for d in shape)
        self.built = True

    def call(self, inputs):
        where = f"Reshape '{self.name}'"
        shape = reshape_output_shape(inputs.shape[1:], self.target_shape, where)
        return F.reshape(inputs, (inputs.shape[0], *shape))

    def compute_output_shape(self, input_shape):
        where = f"Reshape '{self.name}'"
        return (input_shape[0], *reshape_output_shape(tuple(input_shape)[1:],
                                                      self.target_shape, where))

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}


def _image_shape(input_shape, where):
    """``input_shape`` as (batch, height, width, channels), with a clear error otherwise."""
    input_shape = tuple(input_shape)
    if len(input_shape) != 4:
        raise ValueError(f"{where}: expected an input with 4 axes (batch, height, width, "
                         f"channels); received input_shape={input_shape}")
    return input_shape


def _pairs(value, name, where):
    """Keras's forms as ``((top, bottom), (left, right))``: an int (all four sides), two ints
    (symmetric height, width), or two (before, after) pairs (an int entry means symmetric)."""
    if _is_int(value) and value >= 0:
        return ((int(value), int(value)), (int(value), int(value)))
    if isinstance(value, (tuple, list)) and len(value) == 2:
        try:
            return tuple(standardize_tuple(v, 2, name, where, allow_zero=True) for v in value)
        except ValueError:
            pass
    raise ValueError(f"{where}: `{name}` must be a non-negative int, a tuple of 2 such ints "
                     f"(symmetric height, width), or a tuple of 2 pairs ((top, bottom), "
                     f"(left, right)); received {name}={value!r}")


class UpSampling2D(Layer):
    """Repeats every row ``size[0]`` times and every column ``size[1]`` times.

    Args:
        size: int or tuple of 2 ints (default ``(2, 2)``).
        data_format: None or ``'channels_last'``.
        interpolation: only ``'nearest'`` is supported.

    Shape: ``(batch, h, w, c) -> (batch, h * size[0], w * size[1], c)``.
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = standardize_tuple(size, 2, "size", "UpSampling2D")
        self.data_format = standardize_data_format(data_format, "UpSampling2D")
        if not isinstance(interpolation, str) or interpolation.lower() != "nearest":
            raise ValueError("UpSampling2D: only interpolation='nearest' is supported (bilinear "
                             "and other resizing methods are not implemented); received "
                             f"interpolation={interpolation!r}")
        self.interpolation = "nearest"
        self.input_spec = InputSpec(ndim=4)
        self.built = True

    def call(self, inputs):
        return F.upsampling_nearest2d(inputs, self.size)

    def compute_output_shape(self, input_shape):
        b, h, w, c = _image_shape(input_shape, f"UpSampling2D '{self.name}'")
        return (b, None if h is None else h * self.size[0],
                None if w is None else w * self.size[1], c)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}


class ZeroPadding2D(Layer):
    """Adds rows and columns of zeros around images.

    Args:
        padding: int (all sides), ``(sym_height, sym_width)`` or
            ``((top, bottom), (left, right))``; default ``(1, 1)``.
        data_format: None or ``'channels_last'``.

    Shape: ``(batch, h, w, c) -> (batch, h + top + bottom, w + left + right, c)``.
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pairs(padding, "padding", "ZeroPadding2D")
        self.data_format = standardize_data_format(data_format, "ZeroPadding2D")
        self.input_spec = InputSpec(ndim=4)
        self.built = True

    def call(self, inputs):
        return F.zero_padding2d(inputs, self.padding)

    def compute_output_shape(self, input_shape):
        b, h, w, c = _image_shape(input_shape, f"ZeroPadding2D '{self.name}'")
        (top, bottom), (left, right) = self.padding
        return (b, None if h is None else h + top + bottom,
                None if w is None else w + left + right, c)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class Cropping2D(Layer):
    """Removes rows and columns from the borders of images.

    Args:
        cropping: int (all sides), ``(sym_height, sym_width)`` or
            ``((top, bottom), (left, right))``; default ``((0, 0), (0, 0))``.
        data_format: None or ``'channels_last'``.

    Shape: ``(batch, h, w, c) -> (batch, h - top - bottom, w - left - right, c)``; at least one
    row and one column must remain.
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pairs(cropping, "cropping", "Cropping2D")
        self.data_format = standardize_data_format(data_format, "Cropping2D")
        self.input_spec = InputSpec(ndim=4)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)  # the crop must leave something
        self.built = True

    def call(self, inputs):
        self.compute_output_shape(inputs.shape)
        return F.cropping2d(inputs, self.cropping)

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape = _image_shape(input_shape, f"Cropping2D '{self.name}'")
        (top, bottom), (left, right) = self.cropping
        if (h is not None and top + bottom >= h) or (w is not None and left + right >= w):
            raise ValueError(f"Cropping2D '{self.name}': values in `cropping` must be smaller "
                             f"than the corresponding spatial size of the input; received "
                             f"input_shape={input_shape}, cropping={self.cropping}")
        return (b, None if h is None else h - top - bottom,
                None if w is None else w - left - right, c)

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping,
                "data_format": self.data_format}


class _BlockLayer(Layer):
    def __init__(self, block_size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        where = type(self).__name__
        if not _is_int(block_size) or block_size < 1:
            raise ValueError(f"{where}: the `block_size` argument must be a positive int; "
                             f"received block_size={block_size!r}")
        self.block_size = int(block_size)
        self.data_format = standardize_data_format(data_format, where)
        self.input_spec = InputSpec(ndim=4)
        self.built = True

    def get_config(self):
        return {**super().get_config(), "block_size": self.block_size,
                "data_format": self.data_format}


class DepthToSpace(_BlockLayer):
    """Moves channels into ``block_size x block_size`` blocks of pixels: the sub-pixel
    convolution of ESPCN (PyTorch's ``PixelShuffle``, TensorFlow's channel order).

    Args:
        block_size: int >= 1, the upscaling factor.
        data_format: None or ``'channels_last'``.

    Shape: ``(batch, h, w, c * b * b) -> (batch, h * b, w * b, c)``; channel
    ``(i * b + j) * c + k`` of a pixel becomes channel ``k`` at offset ``(i, j)`` of its block.
    """

    def call(self, inputs):
        return F.depth_to_space(inputs, self.block_size)

    def compute_output_shape(self, input_shape):
        b, h, w, c = _image_shape(input_shape, f"DepthToSpace '{self.name}'")
        k = self.block_size
        if c is not None and c % (k * k):
            raise ValueError(f"DepthToSpace '{self.name}': the channels ({c}) must be a "
                             f"multiple of block_size**2 = {k * k}; received "
                             f"input_shape={tuple(input_shape)}")
        return (b, None if h is None else h * k, None if w is None else w * k,
                None if c is None else c // (k * k))


class SpaceToDepth(_BlockLayer):
    """Moves each ``block_size x block_size`` block of pixels into channels (the inverse of
    :class:`DepthToSpace`; PyTorch's ``PixelUnshuffle``).

    Shape: ``(batch, h, w, c) -> (batch, h / b, w / b, c * b * b)``; h and w multiples of b.
    """

    def call(self, inputs):
        return F.space_to_depth(inputs, self.block_size)

    def compute_output_shape(self, input_shape):
        b, h, w, c = _image_shape(input_shape, f"SpaceToDepth '{self.name}'")
        k = self.block_size
        if (h is not None and h % k) or (w is not None and w % k):
            raise ValueError(f"SpaceToDepth '{self.name}': height and width must be multiples "
                             f"of block_size={k}; received input_shape={tuple(input_shape)}")
        return (b, None if h is None else h // k, None if w is None else w // k,
                None if c is None else c * k * k)


class Permute(Layer):
    """Permutes the axes of every sample: ``dims`` are the new order of axes 1..n (the
    batch axis 0 stays first), e.g. ``Permute((2, 1))`` swaps steps and features.

    Example:
        >>> Permute((2, 1))(np.ones((2, 3, 5), "float32")).shape
        (2, 5, 3)
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        dims = tuple(dims) if isinstance(dims, (tuple, list)) else None
        if dims is None or sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(f"Permute: `dims` must be a permutation of 1..n (the axes after "
                             f"the batch axis, 1-indexed); received dims={dims!r}")
        self.dims = dims
        self.input_spec = InputSpec(ndim=len(dims) + 1)

    def call(self, inputs):
        return F.transpose(inputs, (0, *self.dims))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *(input_shape[d] for d in self.dims))

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}


class UpSampling1D(Layer):
    """Repeats every step of ``(batch, steps, features)`` ``size`` times along the steps.

    Example:
        >>> UpSampling1D(3)(np.ones((2, 4, 5), "float32")).shape
        (2, 12, 5)
    """

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        if not _is_int(size) or size <= 0:
            raise ValueError(f"UpSampling1D: `size` must be a positive int; received "
                             f"size={size!r}")
        self.size = int(size)
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        image = F.expand_dims(inputs, 2)  # (batch, steps, 1, features): a one-pixel-wide image
        return F.squeeze(F.upsampling_nearest2d(image, size=(self.size, 1)), 2)

    def compute_output_shape(self, input_shape):
        steps = None if input_shape[1] is None else input_shape[1] * self.size
        return (input_shape[0], steps, input_shape[2])

    def get_config(self):
        return {**super().get_config(), "size": self.size}
