"""``PReLU``: a leaky ReLU whose negative slope is learned, per unit (He et al. 2015)."""

from __future__ import annotations

from lamina import constraints, initializers, regularizers
from lamina.autograd import ops as F
from lamina.layers.layer import Layer, serialize_or_none


class PReLU(Layer):
    """``max(x, 0) - alpha * max(-x, 0)`` with a learned ``alpha`` per unit.

    Args:
        alpha_initializer: the slopes' initial value (``'Zeros'``, Keras's default: ReLU).
        alpha_regularizer, alpha_constraint: as for any weight.
        shared_axes: axes (1 = the first after the batch) that share one slope, e.g.
            ``[1, 2]`` for one slope per channel of (batch, H, W, C) images.

    Example:
        >>> PReLU(alpha_initializer="ones")(np.array([[-2.0, 3.0]], "float32")).data
        array([[-2.,  3.]], dtype=float32)
    """

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        else:
            axes = [shared_axes] if isinstance(shared_axes, int) else list(shared_axes)
            if not all(isinstance(a, int) and not isinstance(a, bool) and a >= 1
                       for a in axes):
                raise ValueError(f"PReLU: `shared_axes` must be axes >= 1 (the batch axis "
                                 f"cannot be shared); received shared_axes={shared_axes!r}")
            self.shared_axes = axes

    def build(self, input_shape):
        shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            if axis > len(shape):
                raise ValueError(f"PReLU '{self.name}': shared axis {axis} does not exist in "
                                 f"inputs of shape {tuple(input_shape)}")
            shape[axis - 1] = 1
        if any(s is None for s in shape):
            raise ValueError(f"PReLU '{self.name}': every axis that is not shared needs a "
                             f"known size; received input shape {tuple(input_shape)}")
        self.alpha = self.add_weight(tuple(shape), self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint, name="alpha")
        self.built = True

    def call(self, inputs):
        return F.relu(inputs) - self.alpha * F.relu(-inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(),
                "alpha_initializer": serialize_or_none(initializers, self.alpha_initializer),
                "alpha_regularizer": serialize_or_none(regularizers, self.alpha_regularizer),
                "alpha_constraint": serialize_or_none(constraints, self.alpha_constraint),
                "shared_axes": self.shared_axes}
