"""How a functional model runs its graph; in inference, Conv2D + BatchNormalization as one op.

In inference a BatchNormalization uses its moving statistics: a per-channel affine map, which
the convolution before it can apply to its output while that is in the cache. So when a
functional model runs without training and without recording a gradient (``predict``,
``evaluate``, a call under ``no_grad()``), each chain

    Conv2D -> BatchNormalization [-> Add (with one other tensor)] [-> ReLU]

in which every tensor but the last feeds only the next layer runs as one op,
:func:`lamina.autograd.ops.conv2d_batch_norm` (a residual block's end, ``relu(bn(conv) +
shortcut)``, included). The result equals the layers' up to rounding (the same sums, the
affine map applied in another order); training, and a call that records a gradient, run
the layers as they are. Which chains are fused depends on the graph alone; a chain whose
layers were changed since (an activation, a regularizer, groups) or whose layers have
different dtypes runs unfused; its inputs are cast as the layers would cast them
(``lamina.layers.autocast``).
"""

from __future__ import annotations

import weakref

from lamina import activations
from lamina.autograd import ops as F
from lamina.layers.activation import Activation
from lamina.layers.activations import ReLU
from lamina.layers.autocast import cast_input, cast_to
from lamina.layers.conv import Conv2D
from lamina.layers.input_layer import flatten_outputs, replace_symbolic
from lamina.layers.merging import Add
from lamina.layers.normalization import BatchNormalization

#: each model's chains, found on its first inference call (its graph does not change)
_CHAINS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class Chain:
    """One fused chain: the conv's node, its batch norm, an optional Add and ReLU."""

    def __init__(self, conv, bn, add=None, residual=None, relu=None):
        self.conv, self.bn, self.add, self.residual, self.relu = conv, bn, add, residual, relu
        self.nodes = [n for n in (conv, bn, add, relu) if n is not None]

    @property
    def last(self):
        return self.nodes[-1]

    def usable(self) -> bool:
        """Whether the layers still are what the chain fuses (checked on every call)."""
        conv, bn = self.conv.layer, self.bn.layer
        return (conv.built and bn.built and conv.groups == 1
                and all(n.layer.dtype == conv.dtype for n in self.nodes)
                and conv.activation is activations.linear
                and all(n.layer.activity_regularizer is None for n in self.nodes)
                and (self.relu is None or _is_relu(self.relu.layer)))

    def run(self, value):
        """The chain's output, from the values of its inputs (``value(symbolic)``)."""
        conv, bn = self.conv.layer, self.bn.layer
        return F.conv2d_batch_norm(  # the inputs cast as the layers cast them (autocast)
            cast_input(conv, value(self.conv.main_inputs[0])), conv.kernel, conv.bias,
            bn.gamma, bn.beta, bn.moving_mean, bn.moving_variance, bn.epsilon,
            residual=None if self.residual is None else cast_input(self.add.layer,
                                                                   value(self.residual)),
            relu=self.relu is not None, strides=conv.strides, padding=conv.padding,
            dilation_rate=conv.dilation_rate)


def _is_relu(layer) -> bool:
    if type(layer) is Activation:
        return layer.activation is activations.relu
    return (type(layer) is ReLU and layer.max_value is None and layer.negative_slope == 0
            and layer.threshold == 0)


def _plain(node) -> bool:
    """A node of one output whose call has no further arguments."""
    return not node.args and not node.kwargs and len(node.outputs) == 1


def sole_reader(nodes, outputs):
    """``reader(node)``: the one node of ``nodes`` (a functional model's) that reads
    ``node``'s output, or None when no node or several do, or when that output is one of
    the model's ``outputs`` (it must stay computed). One scan of the graph, shared by
    :func:`find_chains` and ``training_graph.find_pairs``."""
    readers: dict[int, list] = {}
    for node in nodes:
        for p in node.parents:
            readers.setdefault(id(p), []).append(node)
    kept = {id(t) for t in outputs}

    def reader(node):
        out = node.outputs[0]
        found = readers.get(id(out), [])
        return found[0] if len(found) == 1 and id(out) not in kept else None

    return reader


def find_chains(nodes, outputs) -> list[Chain]:
    """The chains of ``nodes`` (a functional model's, in order) to fuse; ``outputs``: the
    model's output tensors (an intermediate output must stay computed)."""
    only_reader = sole_reader(nodes, outputs)
    position = {id(node): i for i, node in enumerate(nodes)}
    chains = []
    for node in nodes:
        if type(node.layer) is not Conv2D or not _plain(node) or len(node.main_inputs) != 1:
            continue
        bn = only_reader(node)
        if (bn is None or type(bn.layer) is not BatchNormalization or not _plain(bn)
                or bn.layer.axis % 4 != 3 or len(node.outputs[0].shape) != 4):
            continue
        tail, add, residual, relu = only_reader(bn), None, None, None
        if tail is not None and type(tail.layer) is Add and _plain(tail):
            pair = tail.main_inputs
            other = [p for p in pair if p is not bn.outputs[0]]
            # the residual must be computed before the chain runs: made before the conv
            # (of two conv + BN branches, the later one takes the Add)
            if len(pair) == 2 and len(other) == 1 and other[0].shape == pair[0].shape == \
                    pair[1].shape and position.get(id(other[0].node), -1) < position[id(node)]:
                add, residual = tail, other[0]
                tail = only_reader(tail)
        if tail is not None and _plain(tail) and _is_relu(tail.layer):
            relu = tail
        chains.append(Chain(node, bn, add, residual, relu))
    return chains


def run(model, inputs, training=None, fuse=True, chains=()):
    """``model.call(inputs, training)``: the flat output values, each node's layer called on
    its inputs in order; with ``fuse`` (only for a call that neither trains nor records a
    gradient) each usable chain runs as one op instead of its layers. Without, ``chains``
    (objects with ``nodes``, ``last``, ``usable()`` and ``run(value)``: the batch norm +
    ReLU pairs of ``training_graph``) run as one op each instead."""
    flat = model.flatten_inputs(inputs)
    model._check_inputs(flat)
    if model.autocast:  # each input in its Input's dtype, as Keras's functional models
        flat = [cast_to(t, sym.dtype) for sym, t in zip(model.inputs, flat)]
    values = {id(sym): t for sym, t in zip(model.inputs, flat)}

    def value(t):
        return values[id(t)]

    if fuse:
        chains = _CHAINS.get(model)
        if chains is None:
            chains = _CHAINS[model] = find_chains(model._nodes, model.outputs)
    ends, inner = {}, set()
    for chain in chains:
        if chain.usable():
            ends[id(chain.last)] = chain
            inner.update(id(n) for n in chain.nodes)
    for node in model._nodes:
        chain = ends.get(id(node))
        if chain is not None:
            values[id(node.outputs[0])] = chain.run(value)
            continue
        if id(node) in inner:
            continue
        main = [values[id(p)] for p in node.main_inputs]
        result = node.layer(main if isinstance(node.inputs, list) else main[0],
                            *replace_symbolic(node.args, value), training=training,
                            **replace_symbolic(node.kwargs, value))
        for sym, out in zip(node.outputs, flatten_outputs(result)):
            values[id(sym)] = out
    return [values[id(t)] for t in model.outputs]
