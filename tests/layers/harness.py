"""The one shared layer test every layer passes (after Keras's ``run_layer_test``).

``run_layer_test`` checks, for one layer configuration:
1. build and call: the output shape on real data;
2. ``compute_output_shape`` agrees with it (batch axis None);
3. the number of trainable and non-trainable weights;
4. config round trip: ``from_config(get_config())`` with the same weights gives the same output;
5. save/load round trip inside a model gives the same predictions;
6. one training step (SGD on MSE through the layer) lowers the loss.
"""

from __future__ import annotations

import numpy as np

from lamina.layers import Dense, Flatten, Input
from lamina.models import Sequential, load_model
from lamina.optimizers import SGD


def run_layer_test(layer_cls, init_kwargs, input_shape, expected_output_shape,
                   expected_num_trainable_weights=None, expected_num_non_trainable_weights=0,
                   input_data=None, tmp_path=None, train=True, seed=0, rtol=1e-5):
    """Run the shared checks; ``input_shape`` and ``expected_output_shape`` include the batch."""
    rng = np.random.default_rng(seed)
    x = input_data if input_data is not None else rng.standard_normal(input_shape).astype("float32")

    # 1-3: build, call, shapes, weights
    layer = layer_cls(**init_kwargs)
    out = layer(x)
    assert out.shape == tuple(expected_output_shape), (out.shape, expected_output_shape)
    symbolic = layer.compute_output_shape((None, *input_shape[1:]))
    assert tuple(symbolic) == (None, *expected_output_shape[1:]), symbolic
    if expected_num_trainable_weights is not None:
        assert len(layer.trainable_weights) == expected_num_trainable_weights
    assert len(layer.non_trainable_weights) == expected_num_non_trainable_weights

    # 4: config round trip
    config = layer.get_config()
    clone = layer_cls.from_config({**config, "name": config["name"] + "_clone"})
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(clone(x, training=False).data, layer(x, training=False).data,
                               rtol=rtol, atol=1e-6)
    assert clone.get_config() == {**config, "name": config["name"] + "_clone"}

    model = Sequential([Input(shape=input_shape[1:]), layer_cls(**init_kwargs), Flatten(),
                        Dense(3, kernel_initializer="glorot_uniform")])
    model.compile(optimizer=SGD(learning_rate=0.01), loss="mse")

    # 5: save/load round trip
    if tmp_path is not None:
        path = tmp_path / f"{layer.name}.lamina"
        model.save(path)
        loaded = load_model(path)
        np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                                   rtol=rtol, atol=1e-6)

    # 6: one training step lowers the loss
    if train:
        target = rng.standard_normal((len(x), 3)).astype("float32")
        before = model.evaluate(x, target, verbose=0)
        model.train_on_batch(x, target)
        after = model.evaluate(x, target, verbose=0)
        assert after < before, (before, after)
    return layer
