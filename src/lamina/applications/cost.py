"""What a functional model costs per image: parameters, multiply-adds, activation memory.

The slides' "CNN parameters and volumes" as numbers. Counted from the graph's shapes, not
measured:

* ``macs``: multiply-adds of the convolutions (``H_out W_out kh kw C_in C_out / groups``),
  transposed convolutions (``H_in W_in kh kw C_in C_out``) and dense layers (``in x
  out``); FLOPs are ``2 * macs``. Pooling, batch norm, activations and additions are a few
  operations per activation and are left out, as in the papers' counts.
* ``activations``: the numbers every layer outputs for one image (the input included);
  ``activation_bytes`` is that in float32, what inference holds if it keeps everything and
  training keeps for the backward pass.

Example:
    >>> from lamina.applications import VGG16, cost
    >>> c = cost.model_cost(VGG16(include_top=False, input_shape=(32, 32, 3)))
    >>> round(c["macs"] / 1e6)        # 313 M multiply-adds for a 32x32 image
    313
"""

from __future__ import annotations

import math

__all__ = ["layer_macs", "model_cost"]


def _size(shape) -> int:
    return math.prod(s for s in shape[1:] if s is not None)


def layer_macs(layer, input_shapes, output_shape) -> int:
    """Multiply-adds of one layer call (0 for layers without a kernel)."""
    kernel = getattr(layer, "kernel", None)
    if kernel is None:
        return 0
    name = type(layer).__name__
    if name == "Conv2DTranspose":
        return _size(input_shapes[0][:-1]) * math.prod(kernel.shape)
    if name.startswith("Conv"):
        return _size(output_shape[:-1]) * math.prod(kernel.shape)
    if name == "Dense":
        return _size(output_shape[:-1]) * math.prod(kernel.shape)
    return 0


def model_cost(model) -> dict:
    """``{"params", "macs", "flops", "activations", "activation_bytes", "layers"}`` for one
    image through a functional ``model`` (``layers`` lists ``(name, output shape, macs)``)."""
    nodes = getattr(model, "_nodes", None)
    if nodes is None:
        raise TypeError(f"model_cost: expected a functional model (from Model(inputs, "
                        f"outputs) or lamina.applications); received {type(model).__name__}")
    rows = []
    activations = sum(_size(t.shape) for t in model.inputs)
    macs = 0
    for node in nodes:
        shapes = [t.shape for t in node.outputs]  # several for a nested multi-output model
        out = shapes[0] if len(shapes) == 1 else shapes
        n = layer_macs(node.layer, [p.shape for p in node.main_inputs], out)
        macs += n
        activations += sum(_size(s) for s in shapes)
        rows.append((node.layer.name, tuple(out), n))
    return {"params": model.count_params(), "macs": macs, "flops": 2 * macs,
            "activations": activations, "activation_bytes": 4 * activations, "layers": rows}
