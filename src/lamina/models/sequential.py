"""``Sequential``: a plain stack of layers, each feeding the next."""

from __future__ import annotations

from lamina.layers.input_layer import InputLayer, SymbolicTensor
from lamina.layers.layer import Layer
from lamina.models.model import Model


class Sequential(Model):
    """A linear stack of layers.

    Args:
        layers: the layers, in order (an ``Input(...)`` first fixes the input shape).
        name: the model's name.

    Example (seed 002's "hello world" network):
        >>> from lamina.layers import Dense, Input
        >>> model = Sequential([Input(shape=(784,)), Dense(500, activation="sigmoid"),
        ...                     Dense(500, activation="sigmoid"), Dense(10, activation="softmax")])
        >>> model.count_params()
        648010
    """

    def __init__(self, layers=None, name=None, trainable=True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._layers: list[Layer] = []
        self._input_shape: tuple | None = None
        for layer in layers or []:
            self.add(layer)

    def _tracked_layers(self) -> list[Layer]:
        return list(self._layers)

    @property
    def input_dtype(self) -> str:
        """What a call casts floating inputs to: its ``Input``'s dtype (as Keras's
        Sequential), else its first layer's (:mod:`lamina.layers.autocast`)."""
        given = getattr(self, "_input_dtype", None)
        return given or (self._layers[0].input_dtype if self._layers else self.dtype)

    @property
    def layers(self) -> list[Layer]:
        return list(self._layers)

    def add(self, layer) -> None:
        """Append a layer (or, first, an ``Input`` giving the input shape)."""
        if isinstance(layer, SymbolicTensor):
            layer = layer.node.layer
        if isinstance(layer, InputLayer):
            if self._layers:
                raise ValueError("Sequential.add: an Input can only come first")
            self._input_shape = (layer.batch_size, *layer.input_shape_)
            self._input_dtype = layer.dtype
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add: expected a Layer; received {type(layer).__name__} "
                            f"({layer!r})")
        if any(layer is other for other in self._layers):
            raise ValueError(f"Sequential.add: layer '{layer.name}' is already in the model")
        if not self._layers and self._input_shape is None and layer._input_shape_arg is not None:
            self._input_shape = (None, *layer._input_shape_arg)
        self._layers.append(layer)
        self.built = False
        if self._input_shape is not None:
            self.build(self._input_shape)

    def pop(self) -> Layer:
        """Remove and return the last layer."""
        if not self._layers:
            raise ValueError("Sequential.pop: there are no layers in the model")
        layer = self._layers.pop()
        self.built = False
        if self._layers and self._input_shape is not None:
            self.build(self._input_shape)
        return layer

    def build(self, input_shape=None) -> None:
        """Build every layer in turn for ``input_shape`` (batch axis included)."""
        shape = tuple(input_shape if input_shape is not None else self._input_shape or ())
        if not shape:
            raise ValueError(f"Sequential '{self.name}': cannot build without an input shape; "
                             "start with Input(shape=...) or pass input_shape= to the first layer")
        if not self._layers:
            raise ValueError(f"Sequential '{self.name}' has no layers; add some before building")
        self._input_shape = shape
        for layer in self._layers:
            layer._maybe_build(shape)
            shape = tuple(layer.compute_output_shape(shape))
            layer._output_shape = shape
        self._output_shape = shape
        self.built = True
        self._build_graph()

    def _build_graph(self) -> None:
        """With its input shape known, a Sequential model is also a graph of layer calls, as
        in Keras: ``model.inputs``, ``model.outputs`` and each layer's ``input`` / ``output``
        exist (feature extraction). A rebuild (``add``, ``pop``) replaces the earlier graph."""
        from lamina.layers.input_layer import Input

        for node in getattr(self, "_graph_nodes", []):
            node.layer._inbound_nodes = [n for n in node.layer._inbound_nodes if n is not node]
        x = Input(batch_shape=self._input_shape, dtype=getattr(self, "_input_dtype", None))
        self.inputs, self._graph_nodes = [x], []
        for layer in self._layers:
            x = layer(x)
            if not hasattr(x, "node"):  # a list or dict: Keras refuses these in Sequential too
                raise ValueError(
                    f"Sequential model '{self.name}': layer '{layer.name}' returns "
                    f"{len(x)} outputs; every layer of a Sequential model must return one "
                    "tensor. Use the functional API (Model(inputs, outputs)) for layers or "
                    "models with several outputs.")
            self._graph_nodes.append(x.node)
        self.outputs = [x]

    def _no_shape(self, what: str) -> AttributeError:
        return AttributeError(
            f"Sequential model '{self.name}' has no defined {what} yet: it is not built. Build "
            "it first: start it with Input(shape=...), give the first layer input_shape=, call "
            "model.build(input_shape), or call it / fit it on data.")

    @property
    def input_shape(self) -> tuple:
        """The input shape the model was built for, batch axis included: ``(None, 784)``."""
        if not self.built:
            raise self._no_shape("input shape")
        return self._input_shape

    @property
    def output_shape(self) -> tuple:
        """The shape of the last layer's output, batch axis included: ``(None, 10)``."""
        if not self.built:
            raise self._no_shape("output shape")
        return self._output_shape

    def call(self, inputs, training=None):
        x = inputs
        for layer in self._layers:
            x = layer(x, training=training)
        return x

    def __call__(self, inputs, training=None, **kwargs):
        if not self._layers:
            raise ValueError(f"Sequential '{self.name}' has no layers: add layers before calling "
                             "or predicting")
        return super().__call__(inputs, training=training, **kwargs)

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        for layer in self._layers:
            shape = tuple(layer.compute_output_shape(shape))
        return shape

    def get_config(self) -> dict:
        from lamina.layers.serialization import serialize

        return {"name": self.name, "trainable": self.trainable,
                "layers": [serialize(layer) for layer in self._layers],
                "build_input_shape": list(self._input_shape) if self._input_shape else None}

    @classmethod
    def from_config(cls, config: dict):
        from lamina.layers.serialization import deserialize

        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        shape = config.get("build_input_shape")
        for layer_config in config["layers"]:
            model._layers.append(deserialize(layer_config))
        if shape:
            model.build(tuple(shape))
        return model
