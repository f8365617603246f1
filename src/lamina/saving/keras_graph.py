"""The order Keras 3 gives a functional model's layers, computed on lamina's graph.

Keras names the weight groups of a ``.keras`` file after the position of each layer in
``Functional.layers`` (``dense``, ``dense_1``... by class, in that order), and that order
comes from ``keras.src.ops.function.map_graph``: a depth-first walk from the outputs
numbers the layers, then layers are sorted by their depth (distance to the outputs,
deepest first), ties by that number. This module reproduces it (without recursion, for
deep graphs), so the files lamina writes put every weight where Keras looks for it.
"""

from __future__ import annotations


def _post_order(outputs):
    """Nodes in the order Keras's ``_build_map`` finishes them, and the layers' numbers."""
    from lamina.layers.input_layer import InputLayer

    finished, ordered, numbers = set(), [], {}
    for output in outputs:
        stack = [(output.node, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                finished.add(id(node))
                ordered.append(node)
                continue
            if id(node) in finished:
                continue
            numbers.setdefault(id(node.layer), len(numbers))
            stack.append((node, True))
            if not isinstance(node.layer, InputLayer):
                for parent in reversed(node.parents):
                    if id(parent.node) not in finished:
                        stack.append((parent.node, False))
    return ordered, numbers


def keras_layer_order(model) -> list:
    """``model``'s layers (its ``Input`` layers included) in Keras 3's ``layers`` order."""
    ordered, numbers = _post_order(model.outputs)
    in_graph = {id(n) for n in ordered}
    node_depth, layer_depth, layers = {}, {}, {}
    for node in reversed(ordered):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        layers[id(node.layer)] = node.layer
        node_depth[id(node)] = depth
        for parent in node.parents:
            if id(parent.node) in in_graph:
                node_depth[id(parent.node)] = max(depth + 1,
                                                  node_depth.get(id(parent.node), 0))
    for t in model.inputs:  # inputs no output depends on
        layer = t.node.layer
        if id(layer) not in layer_depth:
            layer_depth[id(layer)], numbers[id(layer)], layers[id(layer)] = 0, -1, layer
    return sorted(layers.values(),
                  key=lambda layer: (-layer_depth[id(layer)], numbers[id(layer)]))


def model_nodes(model) -> list:
    """The nodes of a functional model: its input nodes, then its layer calls."""
    return [t.node for t in model.inputs] + list(model._nodes)


def node_indices(model) -> dict:
    """``{id(node): k}``: the k-th call of its layer within ``model``, in creation order
    (Keras's ``keras_history`` node index)."""
    mine = {id(n) for n in model_nodes(model)}
    out = {}
    for node in model_nodes(model):
        if id(node) in out:
            continue
        k = 0
        for other in node.layer._inbound_nodes or [node]:
            if id(other) in mine:
                out[id(other)] = k
                k += 1
        out.setdefault(id(node), 0)
    return out
