"""Layers held in attributes of a layer are tracked, as Keras tracks them."""

import numpy as np

import lamina
from lamina import layers


class Block(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.first = layers.Dense(4)
        self.rest = [layers.Dense(3), layers.Dense(2)]
        self.named = {"head": layers.Dense(1)}

    def call(self, inputs):
        x = self.first(inputs)
        for layer in self.rest:
            x = layer(x)
        return self.named["head"](x)


def test_attribute_list_and_dict_layers_are_tracked_and_trained():
    block = Block()
    block(np.ones((2, 5), "float32"))
    assert len(block.weights) == 8 and len(block.trainable_weights) == 8
    block.trainable = False
    assert block.trainable_weights == [] and len(block.non_trainable_weights) == 8
    block.trainable = True
    inputs = lamina.Input((5,))
    model = lamina.Model(inputs, block(inputs))
    model.compile(optimizer="sgd", loss="mse")
    before = [w.copy() for w in model.get_weights()]
    model.fit(np.ones((4, 5), "float32"), np.zeros((4, 1), "float32"), epochs=1, verbose=0)
    assert len(before) == 8
    assert all(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
