"""What ``explain`` needs to know about a network: its layers as arrays, the names of
nodes and weights, and each activation's and loss's derivative written out."""

from __future__ import annotations

import numpy

__all__ = ["ACTIVATIONS", "LOSSES", "layers_of", "node_names", "slides_network", "weight_name"]

_LETTERS = "ABCDEFGHIKLMNOPQRSTUVW"  # hidden nodes; no J (the loss), no X/Y (inputs/outputs)

#: name -> (symbol, f, f' as an expression of the node N, f' from (net input z, output a))
ACTIVATIONS = {
    "sigmoid": ("σ", lambda z: 1.0 / (1.0 + numpy.exp(-z)), "{n}·(1 − {n})",
                lambda z, a: a * (1.0 - a)),
    "tanh": ("tanh", numpy.tanh, "1 − {n}²", lambda z, a: 1.0 - a * a),
    "relu": ("ReLU", lambda z: numpy.maximum(z, 0.0), "1 if {n}_in > 0 else 0",
             lambda z, a: (z > 0).astype(z.dtype)),
    "identity": ("𝟙", lambda z: z, "1", lambda z, a: numpy.ones_like(z)),
}
_ACTIVATION_ALIASES = {"linear": "identity", None: "identity"}

#: name -> (J of one output d, y; ∂J/∂y as an expression of d, y and K outputs; its value)
LOSSES = {
    "half_squared_error": ("½({d} − {y})²", "{y} − {d}", lambda y, d, k: y - d),
    "squared_error": ("({d} − {y})²", "2·({y} − {d})", lambda y, d, k: 2.0 * (y - d)),
    "mean_squared_error": ("({d} − {y})²", "2·({y} − {d})/{k}",
                           lambda y, d, k: 2.0 * (y - d) / k),
    "binary_crossentropy": ("−[{d}·ln {y} + (1 − {d})·ln(1 − {y})]",
                            "({y} − {d}) / ({y}·(1 − {y}))",
                            lambda y, d, k: (y - d) / (y * (1.0 - y))),
}
LOSS_ALIASES = {"half_mse": "half_squared_error", "mse": "mean_squared_error",
                "bce": "binary_crossentropy"}


def slides_network() -> list:
    """Seed 003's 2-2-2-1 network (no biases): A, B, C, D sigmoid, y identity, with fixed
    illustrative weights, as a list of ``(kernel, bias, activation)`` for ``explain``."""
    return [(numpy.array([[0.15, 0.25], [0.20, 0.30]]), None, "sigmoid"),
            (numpy.array([[0.40, 0.45], [0.50, 0.55]]), None, "sigmoid"),
            (numpy.array([[0.60], [0.70]]), None, "identity")]


def layers_of(network, x) -> list:
    """``[(kernel, bias or None, activation name, label)]`` in float64, from a model of
    Dense layers or a list of ``(kernel, bias, activation)`` (or dicts with those keys)."""
    if hasattr(network, "layers"):
        layers = _layers_of_model(network, x)
    elif isinstance(network, (list, tuple)) and network:
        layers = [_layer_of_spec(spec, i) for i, spec in enumerate(network)]
    else:
        raise TypeError(f"explain: expected a Sequential model of Dense layers or a list of "
                        f"(kernel, bias, activation); received {type(network).__name__}")
    for l in range(1, len(layers)):
        if layers[l - 1][0].shape[1] != layers[l][0].shape[0]:
            raise ValueError(f"explain: layer {l - 1} has {layers[l - 1][0].shape[1]} units "
                             f"but layer {l}'s kernel expects {layers[l][0].shape[0]} inputs")
    return layers


def _layer_of_spec(spec, i):
    if isinstance(spec, dict):
        spec = (spec.get("kernel"), spec.get("bias"), spec.get("activation"))
    if not isinstance(spec, (list, tuple)) or len(spec) != 3:
        raise ValueError(f"explain: layer {i} of the list must be (kernel, bias, activation) "
                         f"or a dict with those keys; received {spec!r}")
    kernel = numpy.asarray(spec[0], dtype="float64")
    if kernel.ndim != 2:
        raise ValueError(f"explain: layer {i}'s kernel must have shape (inputs, units); "
                         f"received shape {kernel.shape}")
    bias = None if spec[1] is None else numpy.asarray(spec[1], dtype="float64").ravel()
    if bias is not None and bias.shape != (kernel.shape[1],):
        raise ValueError(f"explain: layer {i}'s bias must have shape ({kernel.shape[1]},); "
                         f"received shape {bias.shape}")
    return kernel, bias, _activation(spec[2], f"layer {i}"), f"layer {i}"


def _layers_of_model(model, x):
    from lamina.activations import serialize
    from lamina.autograd import no_grad
    from lamina.layers import Activation, Dense, InputLayer

    layers = [layer for layer in model.layers if not isinstance(layer, InputLayer)]
    if any(isinstance(layer, Dense) and not layer.built for layer in layers):
        with no_grad():
            model(numpy.asarray(x, dtype=layers[0].dtype).reshape(1, -1))
    out = []
    for layer in layers:
        if isinstance(layer, Dense):
            bias = None if layer.bias is None else numpy.asarray(layer.bias.data, "float64")
            act = _activation(serialize(layer.activation), f"Dense '{layer.name}'")
            out.append((numpy.asarray(layer.kernel.data, "float64"), bias, act,
                        f"'{layer.name}'"))
        elif isinstance(layer, Activation) and out and out[-1][2] == "identity":
            act = _activation(serialize(layer.activation), f"Activation '{layer.name}'")
            out[-1] = (out[-1][0], out[-1][1], act, out[-1][3])
        else:
            raise ValueError(f"explain: supports Dense layers, each optionally followed by "
                             f"an Activation; found {type(layer).__name__} '{layer.name}'")
    if not out:
        raise ValueError("explain: the model has no Dense layer")
    return out


def _activation(name, where):
    name = _ACTIVATION_ALIASES.get(name, name)
    if name not in ACTIVATIONS:
        raise ValueError(f"explain: {where} uses activation {name!r}; supported are "
                         f"{', '.join(sorted(ACTIVATIONS))} (and 'linear')")
    return name


def node_names(widths) -> list:
    """Names per layer: ``x0, x1``; hidden ``A, B, C...`` (``h1_0...`` when there are more
    than 22 hidden nodes); the output ``y`` or ``y0, y1...``."""
    hidden = sum(widths[1:-1])
    names = [[f"x{i}" for i in range(widths[0])]]
    count = 0
    for layer, width in enumerate(widths[1:-1], start=1):
        if hidden <= len(_LETTERS):
            names.append(list(_LETTERS[count:count + width]))
        else:
            names.append([f"h{layer}_{j}" for j in range(width)])
        count += width
    names.append(["y"] if widths[-1] == 1 else [f"y{k}" for k in range(widths[-1])])
    return names


def weight_name(layer: int, i: int, j: int, n_out: int, compact: bool) -> str:
    """The slides' name of ``kernel[i, j]`` of ``layer``: ``w{layer}{i * n_out + j}``
    (``w{layer}_{k}`` when an index has two digits)."""
    k = i * n_out + j
    return f"w{layer}{k}" if compact else f"w{layer}_{k}"
