"""Functional models: ``Model(inputs, outputs)`` over a graph of layer calls.

Calling layers on symbolic tensors (from ``Input``) recorded one node per call;
this model orders those nodes once and replays them on real data. Residual
blocks and U-Net skips are just nodes with several parents.
"""

from __future__ import annotations

from lamina.layers.input_layer import Input, InputLayer, SymbolicTensor
from lamina.layers.layer import Layer
from lamina.models.model import Model


def _nodes_between(inputs: list, output: SymbolicTensor) -> list:
    """The nodes from ``inputs`` to ``output``, each after its parents (no recursion)."""
    input_ids = {id(t) for t in inputs}
    order, seen = [], set()
    stack = [(output, False)]
    while stack:
        tensor, expanded = stack.pop()
        node = tensor.node
        if expanded:
            order.append(node)
            continue
        if id(tensor) in seen or id(tensor) in input_ids:
            continue
        seen.add(id(tensor))
        if node is None or isinstance(node.layer, InputLayer):
            raise ValueError(f"Graph disconnected: cannot obtain a value for tensor {tensor} "
                             "from the model's inputs; pass that Input in `inputs`")
        stack.append((tensor, True))
        for parent in reversed(node.parents):
            stack.append((parent, False))
    return order


class Functional(Model):
    """A model defined by its symbolic inputs and output.

    Example (a residual block):
        >>> from lamina.layers import Add, Dense, Input
        >>> x = Input(shape=(8,))
        >>> h = Dense(8, activation="relu")(x)
        >>> y = Dense(1)(Add()([x, h]))
        >>> model = Model(inputs=x, outputs=y)
    """

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._list_input = isinstance(inputs, (list, tuple))
        self.inputs = list(inputs) if self._list_input else [inputs]
        if isinstance(outputs, (list, tuple)):
            if len(outputs) != 1:
                raise NotImplementedError("Model: several outputs are not supported yet; "
                                          f"received outputs with {len(outputs)} tensors")
            outputs = outputs[0]
        for t in [*self.inputs, outputs]:
            if not isinstance(t, SymbolicTensor):
                raise TypeError(f"Model: inputs and outputs must come from Input(...) and layer "
                                f"calls on it; received {type(t).__name__}")
        for t in self.inputs:
            if not isinstance(t.node.layer, InputLayer):
                raise ValueError(f"Model: every input must be an Input(...); {t} is the output "
                                 f"of layer '{t.node.layer.name}'")
        self.outputs = [outputs]
        self._nodes = _nodes_between(self.inputs, outputs)
        self.built = True

    def _tracked_layers(self) -> list[Layer]:
        found = [t.node.layer for t in self.inputs]
        for node in self._nodes:
            if all(node.layer is not f for f in found):
                found.append(node.layer)
        return found

    @property
    def layers(self) -> list[Layer]:
        return self._tracked_layers()

    def _check_inputs(self, flat) -> None:
        if len(flat) != len(self.inputs):
            raise ValueError(f"Model '{self.name}' expects {len(self.inputs)} input(s); "
                             f"received {len(flat)}")
        for i, (sym, t) in enumerate(zip(self.inputs, flat)):
            ok = len(sym.shape) == t.ndim and all(
                s is None or s == n for s, n in zip(sym.shape, t.shape))
            if not ok:
                raise ValueError(f"Input {i} of layer '{self.name}' is incompatible with the "
                                 f"layer: expected shape={sym.shape}, found shape={t.shape}")

    def call(self, inputs, training=None):
        flat = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        self._check_inputs(flat)
        values = {id(sym): t for sym, t in zip(self.inputs, flat)}
        for node in self._nodes:
            args = [values[id(p)] for p in node.parents]
            values[id(node.output)] = node.layer(
                args if isinstance(node.inputs, list) else args[0], training=training)
        return values[id(self.outputs[0])]

    @property
    def input_shape(self):
        """The shape of the input (batch axis included), or a list of them for several inputs."""
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self) -> tuple:
        """The shape of the output, batch axis included: ``(None, 10)``."""
        return self.outputs[0].shape

    def compute_output_shape(self, input_shape):
        return self.output_shape

    def build(self, input_shape) -> None:
        self.built = True

    # ------------------------------------------------------------ serialization
    def get_config(self) -> dict:
        from lamina.layers.serialization import serialize

        layers = self.layers
        calls: dict = {}  # how many times each layer was called so far, in node order

        def ref(tensor):
            return list(refs[id(tensor)])

        refs = {id(t): (t.node.layer.name, 0) for t in self.inputs}
        nodes = []
        for node in self._nodes:
            k = calls.get(id(node.layer), 0)
            calls[id(node.layer)] = k + 1
            nodes.append({"layer": node.layer.name,
                          "inputs": [ref(p) for p in node.parents],
                          "list_input": isinstance(node.inputs, list)})
            refs[id(node.output)] = (node.layer.name, k)
        return {"name": self.name, "trainable": self.trainable,
                "layers": [serialize(layer) for layer in layers],
                "input_layers": [ref(t) for t in self.inputs],
                "output_layers": [ref(t) for t in self.outputs],
                "nodes": nodes}

    @classmethod
    def from_config(cls, config: dict):
        from lamina.layers.serialization import deserialize

        layers, tensors, calls = {}, {}, {}
        for layer_config in config["layers"]:
            if layer_config["class_name"] == "InputLayer":
                c = layer_config["config"]
                t = Input(batch_shape=tuple(c["batch_shape"]), dtype=c.get("dtype"),
                          name=c.get("name"))
                tensors[(c["name"], 0)] = t
                layers[c["name"]] = t.node.layer
            else:
                layer = deserialize(layer_config)
                layers[layer.name] = layer
        for node in config["nodes"]:
            args = [tensors[tuple(r)] for r in node["inputs"]]
            layer = layers[node["layer"]]
            out = layer(args if node["list_input"] else args[0])
            k = calls.get(node["layer"], 0)
            calls[node["layer"]] = k + 1
            tensors[(node["layer"], k)] = out
        inputs = [tensors[tuple(r)] for r in config["input_layers"]]
        outputs = [tensors[tuple(r)] for r in config["output_layers"]]
        return cls(inputs if len(inputs) > 1 else inputs[0], outputs[0],
                   name=config.get("name"), trainable=config.get("trainable", True))
