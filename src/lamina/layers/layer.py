"""``Layer``: the base of every layer, with Keras's lifecycle.

``__init__`` validates and stores arguments; ``build(input_shape)`` creates the
weights with :meth:`Layer.add_weight`; ``call(inputs)`` computes the output from
lamina ops (never with gradient code of its own); ``compute_output_shape`` and
``get_config`` finish the class. Calling a layer on a symbolic ``Input`` records a
graph node (the functional API); calling it on arrays or tensors runs it.

A minimal layer, as in Keras::

    class Scale(Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

        def call(self, inputs):
            return inputs * self.w
"""

from __future__ import annotations

import warnings

import numpy

from lamina.autograd import Tensor, Variable, no_grad
from lamina.backend import floatx
from lamina.layers import naming
from lamina.layers._layer_utils import (  # noqa: F401 - some are imported from here by layers
    _TRAINING_CACHE,
    _UNKNOWN,
    _as_text,
    _is_shape_list,
    _restore_batch,
    _training_position,
    _unique,
    _with_batch_none,
    calls,
    serialize_or_none,
    standardize_shape,
)
from lamina.layers.autocast import cast_arguments, cast_input
from lamina.layers.input_spec import InputSpec  # noqa: F401 - imported from here by layers

_ATOMS = frozenset({str, int, float, bool, type(None)})  # attribute types that hold no layer


class Layer:
    """Base class of all layers.

    Args:
        trainable: whether the layer's weights are updated by training.
        name: unique name; by default the class name in snake_case (``dense``, ``dense_1``).
        dtype: the weights' dtype (default ``floatx()``, float32).
        input_shape: the input shape without the batch axis; lets a Sequential model build
            at once (Keras 2 style; ``Input(shape=...)`` is the Keras 3 way).
        activity_regularizer: a regularizer applied to the layer's output.
        autocast: cast floating inputs (and the floats among a call's extra arguments) of
            another float dtype to ``input_dtype`` (``dtype``) before ``call``, as every Keras
            layer does: a float64 layer computes in float64 on float32 inputs, and a float32
            layer in float32 on float64 ones (:mod:`lamina.layers.autocast`).
    """

    _accepts_text = False  # True: string inputs are passed on as they are (models, text layers)
    _casts_inputs = True  # False: ``call`` gets floats as given (Keras's _convert_input_args)

    def __init__(self, *, trainable=True, name=None, dtype=None, input_shape=None,
                 batch_input_shape=None, input_dim=None, activity_regularizer=None,
                 autocast=True, **kwargs):
        if kwargs:
            bad = ", ".join(sorted(kwargs))
            raise TypeError(f"{type(self).__name__}: unrecognized keyword argument(s): {bad}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{type(self).__name__}: name must be a string; received {name!r}")
        self.name = name or naming.unique_name(naming.to_snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self.dtype = str(dtype or floatx())
        self.autocast = bool(autocast)
        self.built = False
        self._variables: list[Variable] = []
        self._regularized: list[tuple] = []
        self._activity_losses: list[Tensor] = []
        self._added_losses: list[Tensor] = []  # add_loss() during the current outer call
        self._added_in = -1  # ... whose number (calls.number) is this
        self._inbound_nodes: list = []
        self.input_spec: InputSpec | None = None
        if input_dim is not None:
            warnings.warn(f"{type(self).__name__}: `input_dim` is deprecated; use "
                          "`input_shape=(input_dim,)` or an Input layer", DeprecationWarning,
                          stacklevel=3)
            input_shape = (input_dim,)
        if batch_input_shape is not None:
            input_shape = tuple(batch_input_shape)[1:]
        self._input_shape_arg = (None if input_shape is None
                                 else standardize_shape(input_shape, type(self).__name__))
        from lamina import regularizers

        self.activity_regularizer = regularizers.get(activity_regularizer)

    # ------------------------------------------------------------------ weights
    def add_weight(self, shape, initializer="glorot_uniform", dtype=None, trainable=True,
                   regularizer=None, constraint=None, name=None) -> Variable:
        """Create a weight, register it with the layer and return it."""
        from lamina import constraints, initializers, regularizers
        from lamina.saving.budget import check_weight

        shape = tuple(int(s) for s in shape)
        check_weight(self, name, shape, dtype or self.dtype)  # before anything is allocated
        value = initializers.get(initializer)(shape, dtype=dtype or self.dtype)
        var = Variable(value, trainable=trainable and self._trainable, name=name,
                       constraint=constraints.get(constraint))
        var._trainable = trainable  # its own flag; the layer's flag is applied on top
        var.path = f"{self.name}/{name or 'variable'}"
        self._variables.append(var)
        reg = regularizers.get(regularizer)
        if reg is not None:
            self._regularized.append((reg, var))
        return var

    def _tracked_layers(self) -> list[Layer]:
        """Sub-layers whose weights this layer owns: every layer held in an attribute, or in
        a list, tuple or dict attribute, as Keras tracks them (``self.dense = Dense(8)``)."""
        found: list[Layer] = []
        for value in vars(self).values():
            kind = type(value)
            if kind in _ATOMS:  # most attributes: decided without isinstance
                continue
            if kind is list or kind is tuple:
                items = value
            elif isinstance(value, (list, tuple)):
                items = value
            elif isinstance(value, dict):
                items = value.values()
            else:
                items = (value,)
            for item in items:
                if isinstance(item, Layer) and item is not self and all(
                        item is not f for f in found):
                    found.append(item)
        return found

    @property
    def weights(self) -> list[Variable]:
        return _unique(self._variables, (layer.weights for layer in self._tracked_layers()))

    @property
    def trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return []
        own = [v for v in self._variables if v._trainable]
        return _unique(own, (layer.trainable_weights for layer in self._tracked_layers()))

    @property
    def non_trainable_weights(self) -> list[Variable]:
        trainable = {id(v) for v in self.trainable_weights}
        return [v for v in self.weights if id(v) not in trainable]

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for layer in self._tracked_layers():
            layer.trainable = value
        for v in self._variables:
            v.requires_grad = v._trainable and self._trainable

    def get_weights(self) -> list:
        """Copies of the weights as arrays, in creation order."""
        return [v.data.copy() for v in self.weights]

    def set_weights(self, weights) -> None:
        """Set the weights from a list of arrays (as returned by ``get_weights``)."""
        own = self.weights
        weights = list(weights)
        if len(weights) != len(own):
            raise ValueError(f"Layer '{self.name}' expects {len(own)} weight arrays "
                             f"({[v.shape for v in own]}); received {len(weights)}")
        for var, value in zip(own, weights):
            var.assign(value)

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(f"Layer '{self.name}': you tried to call count_params() on a layer "
                             "that isn't built yet. Build it first (call it on data or Input).")
        return sum(int(v.size) for v in self.weights)

    @property
    def losses(self) -> list[Tensor]:
        """Regularization penalties of the weights, activity penalties of the last call, and
        the losses ``call`` added with :meth:`add_loss` during the last outermost call."""
        out = [reg(var) for reg, var in self._regularized]
        out.extend(self._activity_losses)
        if self._added_in == calls.number:
            out.extend(self._added_losses)
        for layer in self._tracked_layers():
            out.extend(layer.losses)
        return out

    def add_loss(self, loss) -> None:
        """Add ``loss`` (a scalar Tensor computed in ``call``, e.g. a KL divergence) to the
        model's loss: ``fit`` minimizes it with the compiled loss, ``evaluate`` reports it.
        Losses added in one call of the outermost layer or model replace those of the
        previous call, as in Keras; a non-scalar loss counts by its sum."""
        from lamina.autograd import ops as F

        if not isinstance(loss, Tensor):
            loss = Tensor(numpy.asarray(loss, dtype=self.dtype))
        if loss.ndim:
            loss = F.sum(loss)
        if self._added_in != calls.number:
            self._added_losses, self._added_in = [], calls.number
        self._added_losses.append(loss)

    # ---------------------------------------------------------------- lifecycle
    def build(self, input_shape) -> None:
        """Create the weights for inputs of ``input_shape`` (batch axis included, may be None)."""
        self.built = True

    def call(self, inputs, training=None):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.call")

    def compute_output_shape(self, input_shape):
        """Output shape for ``input_shape``; by default found by running the layer on zeros."""
        def concrete(shape):
            return tuple(1 if s is None else s for s in shape)

        if _is_shape_list(input_shape):
            dummy = [Tensor(numpy.zeros(concrete(s), dtype=self.dtype)) for s in input_shape]
        else:
            dummy = Tensor(numpy.zeros(concrete(input_shape), dtype=self.dtype))
        with no_grad():
            out = self._call_with_training(dummy, False)
        return _restore_batch(out.shape, input_shape)

    @property
    def output_shape(self) -> tuple:
        """The output shape (batch axis included, usually None), as tf.keras's
        ``layer.output_shape``: known once the layer has been called on a symbolic input
        (``Input``) or built inside a Sequential model with a known input shape.

        For any other input shape, use ``compute_output_shape(input_shape)``.
        """
        shapes = []  # one per symbolic call (functional API), without repeats
        for node in self._inbound_nodes:
            if node.output.shape not in shapes:
                shapes.append(node.output.shape)
        if len(shapes) > 1:
            raise AttributeError(
                f"Layer '{self.name}' was called on inputs of different shapes, so its output "
                f"shape is ill-defined (its outputs have shapes {shapes}); use the .shape of "
                "the tensor each call returned instead")
        if shapes:
            return shapes[0]
        shape = getattr(self, "_output_shape", None)  # set by Sequential.build
        if shape is None:
            raise AttributeError(
                f"Layer '{self.name}' has no defined output shape yet: it has not been called on "
                "a symbolic input (Input) nor built inside a Sequential model with a known input "
                "shape. For a given input shape, use "
                f"{type(self).__name__}.compute_output_shape(input_shape)")
        return shape

    @output_shape.setter
    def output_shape(self, value) -> None:
        # Keras 3 layers have no output_shape attribute, so custom layers may assign one.
        self._output_shape = value

    def _maybe_build(self, input_shape, actual_shape=None) -> None:
        """Build for ``input_shape`` (batch None) once; check ``actual_shape`` every call."""
        if not self.built:
            self.build(input_shape)
            self.built = True
        if self.input_spec is not None and not _is_shape_list(input_shape):
            self.input_spec.check(self, input_shape if actual_shape is None else actual_shape)

    def _call_with_training(self, inputs, training, *args, **kwargs):
        position = _TRAINING_CACHE.get(type(self), _UNKNOWN)  # None: call() takes no training
        if position is _UNKNOWN:
            position = _training_position(type(self))
        if position is None or position < len(args) or "training" in kwargs:
            return self.call(inputs, *args, **kwargs)  # (or it came positionally, as Keras)
        return self.call(inputs, *args, training=training, **kwargs)

    def __call__(self, inputs, *args, training=None, **kwargs):
        """Run the layer (building it first); on symbolic tensors (from ``Input``), record
        a graph node instead. Further positional and keyword arguments go to ``call``
        (``layer(x, targets)``, ``layer(x, factor=10.0)``); in a functional model they are
        recorded with the node, tensors and constants alike, and saved with it."""
        if _has_symbolic(inputs, args, kwargs):
            from lamina.layers.input_layer import record_node

            return record_node(self, inputs, args, kwargs)
        calls.depth += 1
        if calls.depth == 1:  # an outermost call: add_loss() starts a new list
            calls.number += 1
        try:
            return self._eager_call(inputs, args, training, kwargs)
        finally:
            calls.depth -= 1

    def _eager_call(self, inputs, args, training, kwargs):
        text = _as_text(inputs) if self._accepts_text else None
        if text is not None:  # strings, passed on to a TextVectorization layer
            inputs, shape = text, text.shape
        elif isinstance(inputs, Tensor):
            inputs = cast_input(self, inputs)
            shape = inputs.data.shape
        elif isinstance(inputs, (list, tuple)):
            inputs = [cast_input(self, t) if isinstance(t, Tensor) else
                      Tensor(t, dtype=self.input_dtype) for t in inputs]
            shape = [t.shape for t in inputs]
        else:
            inputs = Tensor(inputs, dtype=self.input_dtype)
            shape = inputs.shape
        args, kwargs = cast_arguments(self, args, kwargs)
        self._maybe_build(_with_batch_none(shape), shape)
        out = self._call_with_training(inputs, training, *args, **kwargs)
        if self.activity_regularizer is not None:
            from lamina.regularizers import activity_penalties

            self._activity_losses = activity_penalties(self.activity_regularizer, out)
        return out

    @property
    def input_dtype(self) -> str:
        """The dtype that floating inputs are cast to before ``call`` when ``autocast`` is on
        (Keras's ``input_dtype``): the layer's ``dtype``."""
        return self.dtype

    @property
    def compute_dtype(self) -> str:
        """The dtype of the layer's computations (Keras's name): its ``dtype``."""
        return self.dtype

    # ------------------------------------------------------------ serialization
    def get_config(self) -> dict:
        """The arguments that rebuild this layer (JSON-able), as in Keras."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if not self.autocast:
            config["autocast"] = False
        if self.activity_regularizer is not None:
            from lamina import regularizers

            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    # ------------------------------------------------- in a graph: layer.input / .output
    def _only_node(self, what: str):
        nodes = self._inbound_nodes
        if not nodes:
            raise AttributeError(
                f"Layer '{self.name}' has no {what} yet: it has not been called on a symbolic "
                "input (Input) nor added to a Sequential model that knows its input shape")
        if len(nodes) > 1:
            raise AttributeError(
                f"Layer '{self.name}' was called {len(nodes)} times in graphs, so its {what} "
                "is ill-defined; use the tensor each call returned instead")
        return nodes[0]

    @property
    def output(self):
        """The symbolic output of the layer's call in a graph, as Keras's ``layer.output``
        (for feature extraction: ``Model(model.inputs, [l.output for l in model.layers])``)."""
        own = self.__dict__.get("_own_output")
        return own if own is not None else self._only_node("output").output

    @output.setter
    def output(self, value) -> None:
        self.__dict__["_own_output"] = value  # an InputLayer's tensor

    @property
    def input(self):
        """The symbolic input(s) of the layer's call in a graph (Keras's ``layer.input``)."""
        own = self.__dict__.get("_own_output")
        return own if own is not None else self._only_node("input").inputs

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _has_symbolic(inputs, args, kwargs) -> bool:
    """``lamina.layers.input_layer.has_symbolic`` (imported at the first call: that module
    imports this one)."""
    global _has_symbolic
    from lamina.layers.input_layer import has_symbolic

    _has_symbolic = has_symbolic  # later calls go straight to it
    return has_symbolic(inputs, args, kwargs)
