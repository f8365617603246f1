"""The one shared layer test every layer passes (after Keras's ``run_layer_test``).

``run_layer_test`` checks, for one layer configuration:
1. build and call: the output shape on real data;
2. ``compute_output_shape`` agrees with it (batch axis None);
3. the number of trainable and non-trainable weights;
4. config round trip: ``from_config(get_config())`` with the same weights gives the same output;
   then, for float inputs, the dtype policy (a float64 layer computes in float64 on float32
   inputs, with the same numbers) and float64 input gradients against central differences;
5. save/load round trip inside a model gives the same predictions, in every model file
   format (``.lamina``, ``.keras``, ``.h5``);
6. one training step (SGD on MSE through the layer) lowers the loss.

``run_multi_input_layer_test`` does the same for layers called on a list of inputs (the
merge layers), and adds their numbers.
"""

from __future__ import annotations

import numpy as np

from lamina.layers import Dense, Flatten, Input
from lamina.models import Sequential, load_model
from lamina.optimizers import SGD

SAVE_FORMATS = (".lamina", ".keras", ".h5")  # every model file format lamina writes


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

    # 4b: dtype policy and float64 gradients (float inputs only)
    if np.issubdtype(np.asarray(x).dtype, np.floating):
        _dtype_and_gradients(layer_cls, init_kwargs, layer, x, rtol)

    model = Sequential([Input(shape=input_shape[1:]), layer_cls(**init_kwargs), Flatten(),
                        Dense(3, kernel_initializer="glorot_uniform")])
    model.compile(optimizer=SGD(learning_rate=0.01), loss="mse")

    # 5: save/load round trip
    for suffix in SAVE_FORMATS if tmp_path is not None else ():
        path = tmp_path / f"{layer.name}{suffix}"
        model.save(path)
        loaded = load_model(path)
        np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                                   rtol=rtol, atol=1e-6, err_msg=suffix)

    # 6: one training step lowers the loss
    if train:
        target = rng.standard_normal((len(x), 3)).astype("float32")
        before = model.evaluate(x, target, verbose=0)
        model.train_on_batch(x, target)
        after = model.evaluate(x, target, verbose=0)
        assert after < before, (before, after)
    return layer


def _dtype_and_gradients(layer_cls, init_kwargs, layer, x, rtol):
    """A float64 layer computes in float64 on float32 inputs with the float32 layer's numbers;
    its gradients (inputs, in inference mode) match central differences."""
    from tests.gradcheck import check_grad

    wide = layer_cls(**init_kwargs, dtype="float64")
    wide(x, training=False)
    wide.set_weights([w.astype(np.float64) if np.issubdtype(w.dtype, np.floating) else w
                      for w in layer.get_weights()])
    out64 = wide(x, training=False)
    assert out64.dtype == np.float64, out64.dtype
    # the float32 layer's rounding: ~1e-7 relative per operation, sums of up to a few hundred
    # terms in these small layers: ~1e-5, so 1e-4 is loose but far below any real mismatch
    np.testing.assert_allclose(out64.data, layer(x, training=False).data, rtol=1e-4, atol=1e-5)
    check_grad(lambda t: wide(t, training=False), x)


def run_multi_input_layer_test(layer_cls, init_kwargs, input_shapes, expected_output_shape,
                               reference=None, expected_num_trainable_weights=0,
                               tmp_path=None, formats=SAVE_FORMATS, seed=0, rtol=1e-5):
    """The shared checks for a layer called on a list of inputs (a merge layer), as Keras's
    ``run_layer_test`` with several ``input_shape``s. ``input_shapes`` and
    ``expected_output_shape`` include the batch; ``reference(list_of_float64_arrays)`` gives
    the expected output numbers. Checks:

    1. eager call: output shape and numbers (against ``reference``);
    2. ``compute_output_shape`` (batch axis None) agrees; the number of weights;
    3. config round trip: the clone's config and output equal the original's;
    4. dtype policy: a float64 layer computes in float64 on float32 inputs, a float32 layer
       in float32 on float64 ones, with the same numbers;
    5. float64 gradients of every input against central differences;
    6. inside a functional model (a Dense per input before the layer, so the gradient must
       cross it): its predictions against the same sums by hand (with ``reference``), and
       save/load through every format in ``formats`` gives the same predictions;
    7. one training step lowers the loss and moves every input branch's kernel.
    """
    from lamina.layers import Input
    from lamina.models import Model
    from tests.gradcheck import check_grad

    rng = np.random.default_rng(seed)
    xs = [rng.standard_normal(s).astype("float32") for s in input_shapes]

    # 1-2: call, numbers, shapes, weights
    layer = layer_cls(**init_kwargs)
    out = layer(xs)
    assert out.shape == tuple(expected_output_shape), (out.shape, expected_output_shape)
    assert out.dtype == np.float32, out.dtype
    expected = None
    if reference is not None:
        expected = reference([x.astype(np.float64) for x in xs])
        np.testing.assert_allclose(out.data, expected, rtol=rtol, atol=1e-6)
    symbolic = layer.compute_output_shape([(None, *s[1:]) for s in input_shapes])
    assert tuple(symbolic) == (None, *expected_output_shape[1:]), symbolic
    assert len(layer.trainable_weights) == expected_num_trainable_weights
    assert len(layer.non_trainable_weights) == 0

    # 3: config round trip
    config = layer.get_config()
    clone = layer_cls.from_config({**config, "name": config["name"] + "_clone"})
    assert clone.get_config() == {**config, "name": config["name"] + "_clone"}
    clone(xs)
    clone.set_weights(layer.get_weights())
    np.testing.assert_array_equal(clone(xs).data, out.data)

    # 4: dtype policy (autocast of list inputs)
    wide = layer_cls(**init_kwargs, dtype="float64")
    wide.set_weights([w.astype(np.float64) for w in layer.get_weights()])
    out64 = wide(xs)
    assert out64.dtype == np.float64, out64.dtype
    if expected is not None:
        np.testing.assert_allclose(out64.data, expected, rtol=1e-12, atol=1e-12)
    out32 = layer([x.astype(np.float64) for x in xs])
    assert out32.dtype == np.float32, out32.dtype
    np.testing.assert_allclose(out32.data, out.data, rtol=rtol, atol=1e-6)
    assert layer_cls.from_config(wide.get_config()).dtype == "float64"

    # 5: float64 gradients against central differences (finite-difference step 1e-6; the
    # ops are at most quadratic, so the truncation error ~eps**2 is far below atol)
    check_grad(lambda *ts: wide(list(ts)), *xs)

    # 6: inside a functional model, through every file format
    inputs = [Input(shape=s[1:], name=f"in_{i}") for i, s in enumerate(input_shapes)]
    branches = [Dense(s[-1], name=f"pre_{i}")(x) for i, (s, x) in
                enumerate(zip(input_shapes, inputs, strict=True))]
    merged = layer_cls(**init_kwargs)(branches)
    model = Model(inputs=inputs, outputs=Dense(3, name="head")(Flatten()(merged)))
    model.compile(optimizer=SGD(learning_rate=0.01), loss="mse")
    predicted = model.predict(xs, verbose=0)
    assert predicted.shape == (len(xs[0]), 3)
    if reference is not None:  # the graph's numbers, by hand through the same weights
        pre = [x.astype(np.float64) @ model.get_layer(f"pre_{i}").kernel.data
               + model.get_layer(f"pre_{i}").bias.data for i, x in enumerate(xs)]
        head = model.get_layer("head")
        by_hand = reference(pre).reshape(len(xs[0]), -1) @ head.kernel.data + head.bias.data
        np.testing.assert_allclose(predicted, by_hand, rtol=1e-4, atol=1e-5)
    for suffix in formats if tmp_path is not None else ():
        path = tmp_path / f"{layer.name}{suffix}"
        model.save(path)
        loaded = load_model(path)
        assert any(type(kept) is layer_cls for kept in loaded.layers), suffix
        np.testing.assert_allclose(loaded.predict(xs, verbose=0), predicted,
                                   rtol=rtol, atol=1e-6, err_msg=suffix)

    # 7: one training step lowers the loss; the gradient reaches every branch
    target = rng.standard_normal((len(xs[0]), 3)).astype("float32")
    kernels = [model.get_layer(f"pre_{i}").kernel.data.copy() for i in range(len(xs))]
    before = model.evaluate(xs, target, verbose=0)
    model.train_on_batch(xs, target)
    assert model.evaluate(xs, target, verbose=0) < before
    for i, kernel in enumerate(kernels):
        assert not np.array_equal(model.get_layer(f"pre_{i}").kernel.data, kernel), \
            f"no gradient reached input {i} through {layer_cls.__name__}"
    return layer
