"""A functional model's ``BatchNormalization -> ReLU`` pairs, run as one op.

Outside the inference fusion (``inference_graph``: ``predict``, ``evaluate``), each pair

    BatchNormalization -> ReLU (an ``Activation('relu')`` or a plain ``ReLU`` layer)

in which the batch norm's output feeds only the ReLU runs as
:func:`lamina.autograd.ops.batch_norm_relu`, the layers' two ops as one: the same numbers
(batch statistics in training, moving ones otherwise), and in training the ReLU costs no
passes of its own over the batch. Which pairs run fused depends on the graph alone; a pair
whose layers were changed since (a ReLU layer no longer a ReLU, an activity regularizer, a
synchronized batch norm, an input of another dtype) runs as its layers; a frozen batch norm
(``trainable=False``) runs fused with its moving statistics, as Keras runs it.
"""

from __future__ import annotations

import weakref

from lamina.autograd import ops as F
from lamina.layers.normalization import BatchNormalization
from lamina.models.inference_graph import _is_relu, _plain, sole_reader

#: each model's pairs, found on its first call (its graph does not change)
_PAIRS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class Pair:
    """One ``BatchNormalization -> ReLU`` pair of a graph, with the ``training`` of a call."""

    def __init__(self, bn, relu, training=None):
        self.bn, self.relu, self.training = bn, relu, training
        self.nodes = [bn, relu]
        self.last = relu

    def bound(self, training) -> Pair:
        return Pair(self.bn, self.relu, training)

    def usable(self) -> bool:
        """Whether the layers still are what the op fuses (checked on every call)."""
        bn = self.bn.layer
        return (bn.built and not bn.synchronized and _is_relu(self.relu.layer)
                and bn.activity_regularizer is None
                and self.relu.layer.activity_regularizer is None)

    def run(self, value):
        """The pair's output from the value of the batch norm's input (``value(symbolic)``)."""
        bn = self.bn.layer
        x = value(self.bn.main_inputs[0])
        if str(x.dtype) != bn.dtype:  # the layers cast it (Keras's autocast)
            return self.relu.layer(bn(x, training=self.training), training=self.training)
        return F.batch_norm_relu(x, bn.gamma, bn.beta, bn.moving_mean, bn.moving_variance,
                                 training=bool(self.training) and bn.trainable,
                                 momentum=bn.momentum, epsilon=bn.epsilon, axis=bn.axis)


def find_pairs(nodes, outputs) -> list[Pair]:
    """The pairs of ``nodes`` (a functional model's, in order); ``outputs``: the model's
    output tensors (a batch norm's output that is one stays computed)."""
    reader = sole_reader(nodes, outputs)
    pairs = []
    for node in nodes:
        if type(node.layer) is not BatchNormalization or not _plain(node) \
                or len(node.main_inputs) != 1:
            continue
        relu = reader(node)
        if relu is not None and _plain(relu) and _is_relu(relu.layer):
            pairs.append(Pair(node, relu))
    return pairs


def pairs(model, training) -> list[Pair]:
    """``model``'s pairs (found on its first call), bound to this call's ``training``."""
    found = _PAIRS.get(model)
    if found is None:
        found = _PAIRS[model] = find_pairs(model._nodes, model.outputs)
    return [p.bound(training) for p in found]
