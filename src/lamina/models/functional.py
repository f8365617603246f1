"""Functional models: ``Model(inputs, outputs)`` over a graph of layer calls.

Calling layers on symbolic tensors (from ``Input``) recorded one node per call;
this model orders those nodes once and replays them on real data. Residual
blocks and U-Net skips are just nodes with several parents.
"""

from __future__ import annotations

from lamina._toposort import topological_order
from lamina.autograd.grad_mode import is_grad_enabled
from lamina.layers.input_layer import (
    Input,
    InputLayer,
    SymbolicTensor,
    flatten_outputs,
)
from lamina.layers.layer import Layer
from lamina.models import inference_graph, training_graph
from lamina.models.model import Model


def _nodes_between(inputs: list, outputs: list) -> list:
    """The nodes from ``inputs`` to every tensor of ``outputs``, each after its parents, each
    once (lamina's one topological sort, over the symbolic tensors)."""
    input_ids = {id(t) for t in inputs}

    def parents_of(tensor):
        if id(tensor) in input_ids:
            return []
        node = tensor.node
        if node is None or isinstance(node.layer, InputLayer):
            raise ValueError(f"Graph disconnected: cannot obtain a value for tensor {tensor} "
                             "from the model's inputs; pass that Input in `inputs`")
        return list(reversed(node.parents))

    order = topological_order(outputs, parents_of)
    nodes, seen = [], set()
    for t in order:  # a node with several outputs runs once, before the first one is needed
        if id(t) not in input_ids and id(t.node) not in seen:
            seen.add(id(t.node))
            nodes.append(t.node)
    return nodes


def _unique_names(names: list[str]) -> list[str]:
    """``names`` with repeats made unique as tf.keras does: ``inner``, ``inner_1``, ..."""
    found, counts = [], {}
    for name in names:
        proposal = name
        while proposal in found:
            counts[name] = counts.get(name, 0) + 1
            proposal = f"{name}_{counts[name]}"
        found.append(proposal)
    return found


def _flat(structure, what: str) -> tuple[list, list | None]:
    """``(tensors, dict keys or None)``: dicts flatten in sorted key order, as Keras's
    ``tree.flatten`` does."""
    if isinstance(structure, dict):
        keys = sorted(structure)
        return [structure[k] for k in keys], keys
    if isinstance(structure, (list, tuple)):
        if not structure:
            raise ValueError(f"Model: {what} is empty")
        return list(structure), None
    return [structure], None


def _json_args(layer, value, refs):
    """Call arguments as JSON: a symbolic tensor as Keras 3 writes one
    (``{"class_name": "__keras_tensor__", "config": {"keras_history": [layer, node, 0]}}``),
    numbers, strings, lists and dicts as they are."""
    import numpy

    if isinstance(value, SymbolicTensor):
        name, k, *index = refs[id(value)]
        return {"class_name": "__keras_tensor__",
                "config": {"keras_history": [name, k, index[0] if index else 0]}}
    if isinstance(value, dict):
        return {str(k): _json_args(layer, v, refs) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_args(layer, v, refs) for v in value]
    if isinstance(value, (numpy.ndarray, numpy.generic)):
        return value.tolist()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ValueError(f"Layer '{layer.name}': the call argument {value!r} cannot be saved "
                     "(only tensors from the model, numbers, strings, lists and dicts can)")


def _from_json_args(value, tensors):
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            name, k, index = value["config"]["keras_history"]
            return tensors[(name, k, index)]
        return {k: _from_json_args(v, tensors) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_json_args(v, tensors) for v in value]
    return value


class Functional(Model):
    """A model defined by its symbolic inputs and outputs (one tensor, a list, or a dict).

    Example (a residual block):
        >>> from lamina.layers import Add, Dense, Input
        >>> x = Input(shape=(8,))
        >>> h = Dense(8, activation="relu")(x)
        >>> y = Dense(1)(Add()([x, h]))
        >>> model = Model(inputs=x, outputs=y)

    With several outputs, ``Model(x, [y1, y2])`` returns (and ``predict`` gives) a list,
    ``Model(x, {"a": y1, "b": y2})`` a dict; each output is named after the layer that made
    it (or by its key in a dict), and those names key the losses, loss weights and metrics
    of ``compile`` and the logs (``a_loss``, ``b_accuracy``), as in Keras 3. Several inputs
    take a list of arrays, or a dict keyed by input name.

    A model is a layer: called on symbolic tensors it becomes one node of a bigger model,
    and a model with several outputs returns them as it returns arrays (a list or a dict
    of symbolic tensors). The outer model trains, saves and loads the inner one with it;
    outputs of one layer that are outputs of the outer model too are named as tf.keras
    names them: ``inner``, ``inner_1``, ...
    """

    _casts_inputs = False  # each input is cast to its Input's dtype (inference_graph.run)

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self.inputs, self._input_keys = _flat(inputs, "inputs")
        self._list_input = isinstance(inputs, (list, tuple, dict))
        flat_out, self._output_keys = _flat(outputs, "outputs")
        #: "single", "list" or "dict": what calling the model returns (a list of one
        #: output is one output, as Keras's unpack_singleton)
        self._output_kind = ("dict" if self._output_keys is not None
                             else "list" if len(flat_out) > 1 else "single")
        for t in [*self.inputs, *flat_out]:
            if not isinstance(t, SymbolicTensor):
                raise TypeError(f"Model: inputs and outputs must come from Input(...) and layer "
                                f"calls on it; received {type(t).__name__}")
        for t in self.inputs:
            if not isinstance(t.node.layer, InputLayer):
                raise ValueError(f"Model: every input must be an Input(...); {t} is the output "
                                 f"of layer '{t.node.layer.name}'")
        self.outputs = flat_out
        self._nodes = _nodes_between(self.inputs, flat_out)
        self.built = True

    @property
    def input_names(self) -> list[str]:
        """The names of the inputs (their ``Input`` layers, or their keys in a dict)."""
        return list(self._input_keys or [t.node.layer.name for t in self.inputs])

    @property
    def output_names(self) -> list[str]:
        """The names of the outputs: the layers that make them, or their keys in a dict."""
        return list(self._output_keys or _unique_names([t.node.layer.name
                                                          for t in self.outputs]))

    def pack_outputs(self, flat: list):
        """Flat per-output values as this model returns them: one, a list or a dict."""
        if self._output_kind == "single":
            return flat[0]
        if self._output_kind == "dict":
            return dict(zip(self._output_keys, flat))
        return list(flat)

    def flatten_inputs(self, inputs) -> list:
        """``inputs`` (one array, a list, or a dict keyed by input name) in input order."""
        if isinstance(inputs, dict):
            names = self.input_names
            missing = [n for n in names if n not in inputs]
            extra = [k for k in inputs if k not in names]
            if missing or extra:
                raise ValueError(f"Model '{self.name}': the dict of inputs must have the keys "
                                 f"{names}; received keys {list(inputs)}")
            return [inputs[n] for n in names]
        return list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]

    def __call__(self, inputs, training=None, **kwargs):
        if isinstance(inputs, dict):
            inputs = self.flatten_inputs(inputs)
        if isinstance(inputs, (list, tuple)) and len(inputs) == 1 and len(self.inputs) == 1:
            inputs = inputs[0]
        return super().__call__(inputs, training=training, **kwargs)

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
        fuse = not training and not is_grad_enabled()  # predict, evaluate: conv + BN fused
        pairs = () if fuse else training_graph.pairs(self, training)  # else BN + ReLU fused
        return self.pack_outputs(inference_graph.run(self, inputs, training, fuse=fuse,
                                                     chains=pairs))

    @property
    def input_shape(self):
        """The shape of the input (batch axis included), or a list of them for several inputs."""
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        """The shape of the output, batch axis included: ``(None, 10)``; a list (or dict)
        of them for several outputs."""
        return self.pack_outputs([t.shape for t in self.outputs])

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

        # a tensor is [layer name, call] or, of a node with several outputs, [name, call,
        # index] (Keras's [layer, node index, tensor index])
        refs = {id(t): (t.node.layer.name, 0) for t in self.inputs}
        nodes = []
        for node in self._nodes:
            k = calls.get(id(node.layer), 0)
            calls[id(node.layer)] = k + 1
            entry = {"layer": node.layer.name, "inputs": [ref(p) for p in node.main_inputs],
                     "list_input": isinstance(node.inputs, list)}
            if node.args or node.kwargs:  # further call arguments: tensors by reference
                entry["args"] = _json_args(node.layer, node.args, refs)
                entry["kwargs"] = _json_args(node.layer, node.kwargs, refs)
            nodes.append(entry)
            outputs = node.outputs
            for i, out in enumerate(outputs):
                refs[id(out)] = (node.layer.name, k) if len(outputs) == 1 else \
                    (node.layer.name, k, i)
        def refs_of(tensors, keys):  # a dict for dict inputs/outputs, as Keras 3 writes them
            return dict(zip(keys, map(ref, tensors))) if keys else [ref(t) for t in tensors]

        return {"name": self.name, "trainable": self.trainable,
                # each entry named as the nodes name it (Keras 3 does the same): a custom
                # layer whose get_config leaves out its name still rejoins its nodes
                "layers": [dict(serialize(layer), name=layer.name) for layer in layers],
                "input_layers": refs_of(self.inputs, self._input_keys),
                "output_layers": refs_of(self.outputs, self._output_keys),
                "nodes": nodes}

    @classmethod
    def from_config(cls, config: dict):
        from lamina.layers.serialization import deserialize

        layers, tensors, calls = {}, {}, {}

        def key(ref):  # [name, call] or [name, call, index]
            if not isinstance(ref, list) or len(ref) not in (2, 3):
                raise ValueError(f"Model config: a tensor reference must be [layer, call] or "
                                 f"[layer, call, index]; received {str(ref)[:80]}")
            return (ref[0], ref[1], ref[2] if len(ref) == 3 else 0)

        for layer_config in config["layers"]:
            if layer_config["class_name"] == "InputLayer":
                c = layer_config["config"]
                t = Input(batch_shape=tuple(c["batch_shape"]), dtype=c.get("dtype"),
                          name=c.get("name"))
                tensors[(c["name"], 0, 0)] = t
                layers[c["name"]] = t.node.layer
            else:
                layer = deserialize(layer_config)
                layers[layer_config.get("name", layer.name)] = layer
        for node in config["nodes"]:
            args = [tensors[key(r)] for r in node["inputs"]]
            layer = layers[node["layer"]]
            call_args = _from_json_args(node.get("args", []), tensors)
            call_kwargs = _from_json_args(node.get("kwargs", {}), tensors)
            out = layer(args if node["list_input"] else args[0], *call_args, **call_kwargs)
            k = calls.get(node["layer"], 0)
            calls[node["layer"]] = k + 1
            for i, t in enumerate(flatten_outputs(out)):
                tensors[(node["layer"], k, i)] = t

        def tensors_of(refs):
            if isinstance(refs, dict):
                return {k: tensors[key(r)] for k, r in refs.items()}
            found = [tensors[key(r)] for r in refs]
            return found if len(found) > 1 else found[0]

        return cls(tensors_of(config["input_layers"]), tensors_of(config["output_layers"]),
                   name=config.get("name"), trainable=config.get("trainable", True))
