"""ONNX export, checked as Keras's own export test does: the file passes ``onnx.checker``,
carries the opset asked for, and onnxruntime's output equals lamina's at batch 3 and at batch
6 from the same file, within 1e-6 for Dense models and 1e-5 for convolutional ones.

Weights (BatchNormalization's moving statistics too) are drawn at random, so a mapping that
ignored one of them would show. The difference is absolute for outputs up to 1 and relative
above (float32 keeps 24 bits: one rounding step of a value near 16 is already 1.9e-6).
"""

from __future__ import annotations

import numpy as np
import pytest

from lamina import layers as L
from lamina import no_grad
from lamina.models import Model, Sequential
from lamina.random import set_random_seed

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from lamina.export import export_onnx  # noqa: E402

DENSE_TOL, CONV_TOL = 1e-6, 1e-5


def randomize(model, seed=0, scale=0.3):
    """Random weights everywhere; moving variances positive."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        values = []
        for v in layer.weights:
            if v.name.endswith("moving_variance"):
                values.append(rng.uniform(0.5, 1.5, v.data.shape))
            elif v.name.endswith("embeddings"):
                values.append(rng.standard_normal(v.data.shape))
            else:
                values.append(rng.standard_normal(v.data.shape) * scale)
        if values:
            layer.set_weights([a.astype("float32") for a in values])
    return model


def session(path):
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def lamina_output(model, x):
    with no_grad():
        return model(x, training=False).data


def run_both(model, tmp_path, make_input, opset=17, batches=(3, 6)):
    """Export once; the largest |onnxruntime - lamina| over the batches (relative where the
    value exceeds 1: float32 holds no more), after checking the file and its opset."""
    path = tmp_path / f"{model.name}.onnx"
    export_onnx(model, path, opset=opset, verbose=False)
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    assert [(o.domain, o.version) for o in proto.opset_import] == [("", opset)]
    sess = session(path)
    names = [i.name for i in sess.get_inputs()]
    worst = 0.0
    for k, batch in enumerate(batches):
        xs = make_input(batch, np.random.default_rng(100 + k))
        xs = xs if isinstance(xs, list) else [xs]
        expected = lamina_output(model, xs if len(xs) > 1 else xs[0])
        got = sess.run(None, dict(zip(names, xs)))[0]
        assert got.shape == expected.shape and got.shape[0] == batch
        assert got.dtype == np.float32
        error = np.abs(got.astype("float64") - expected) / np.maximum(1.0, np.abs(expected))
        worst = max(worst, float(error.max()))
    return worst, proto


def normal(*shape):
    return lambda batch, rng: rng.standard_normal((batch, *shape)).astype("float32")


def op_types(proto):
    return [n.op_type for n in proto.graph.node]


# ------------------------------------------------------------------ Dense models
def seed002_mlp():
    return Sequential([L.Input((20,)), L.Dense(16, activation="sigmoid"),
                       L.Dense(16, activation="sigmoid"), L.Dense(10, activation="softmax")],
                      name="seed002_mlp")


ACTIVATIONS = ["relu", "sigmoid", "tanh", "elu", "selu", "softplus", "gelu", "silu", "swish",
               "hard_sigmoid", "leaky_relu", "linear", "log_softmax", "softmax"]


def activation_layers():
    return Sequential([
        L.Input((6,)), L.Dense(6), L.ReLU(max_value=0.5, negative_slope=0.1, threshold=0.05),
        L.Dense(6), L.ReLU(), L.Dense(6), L.ReLU(negative_slope=0.3), L.Dense(6),
        L.ReLU(threshold=0.1), L.Dense(6), L.ReLU(max_value=0.8), L.Dense(6),
        L.LeakyReLU(0.2), L.Dense(6), L.ELU(0.7), L.Dense(6), L.Activation("tanh"),
        L.Dense(5), L.Softmax()], name="activation_layers")


def normalized_mlp():
    return Sequential([L.Input((12,)), L.Dense(16), L.BatchNormalization(), L.Activation("relu"),
                       L.Dropout(0.5), L.GaussianNoise(0.1), L.Dense(8),
                       L.LayerNormalization(), L.Dense(3, activation="softmax")],
                      name="normalized_mlp")


def merges():
    x = L.Input((8,), name="features")
    a = L.Dense(6, activation="tanh")(x)
    b = L.Dense(6, activation="relu")(x)
    c = L.Dense(6)(x)
    merged = [L.Add()([a, b, c]), L.Subtract()([a, b]), L.Multiply()([a, b]),
              L.Average()([a, b, c]), L.Maximum()([a, c]), L.Minimum()([b, c])]
    y = L.Concatenate()(merged)
    return Model(x, L.Dense(4, activation="softmax")(y), name="merges")


def reshapes():
    return Sequential([L.Input((12,)), L.Reshape((3, 4)), L.Dense(5), L.LayerNormalization(
        axis=[1, 2]), L.Reshape((-1, 3)), L.Softmax(axis=[1, 2]), L.Flatten(), L.Dense(2)],
        name="reshapes")


def two_inputs():
    a, b = L.Input((5,), name="left"), L.Input((3,), name="right")
    h = L.Concatenate()([L.Dense(4, activation="relu")(a), b])
    return Model([a, b], L.Dense(2)(h), name="two_inputs")


def embedding(dtype=None):
    x = L.Input((7,), dtype=dtype, name="tokens")
    h = L.Embedding(50, 4)(x)
    h = L.Flatten()(L.Dense(3, activation="tanh")(h))
    return Model(x, L.Dense(2)(h), name=f"embedding_{dtype or 'float'}")


def tokens(dtype):
    return lambda batch, rng: rng.integers(0, 50, (batch, 7)).astype(dtype)


DENSE_MODELS = {
    "seed002_mlp": (seed002_mlp, normal(20)),
    "activation_layers": (activation_layers, normal(6)),
    "normalized_mlp": (normalized_mlp, normal(12)),
    "merges": (merges, normal(8)),
    "reshapes": (reshapes, normal(12)),
    "two_inputs": (two_inputs, lambda batch, rng: [normal(5)(batch, rng), normal(3)(batch, rng)]),
    "embedding_float": (embedding, tokens("float32")),
    "embedding_int": (lambda: embedding("int32"), tokens("int64")),
}


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_each_activation_matches_onnxruntime(activation, tmp_path):
    """One Dense layer with the activation, on inputs wide enough to reach both tails."""
    set_random_seed(0)
    model = randomize(Sequential([L.Input((6,)), L.Dense(8, activation=activation)],
                                 name=activation), scale=1.0)
    worst, _ = run_both(model, tmp_path, lambda batch, rng: 3 * normal(6)(batch, rng))
    assert worst <= DENSE_TOL, worst


@pytest.mark.parametrize("name", list(DENSE_MODELS))
def test_dense_models_match_onnxruntime(name, tmp_path):
    set_random_seed(0)
    build, make_input = DENSE_MODELS[name]
    model = randomize(build())
    worst, _ = run_both(model, tmp_path, make_input)
    assert worst <= DENSE_TOL, worst


# ------------------------------------------------------------ convolutional models
def seed001_cnn():
    return Sequential([L.Input((14, 14, 1)), L.Conv2D(8, (3, 3)), L.MaxPooling2D((2, 2)),
                       L.Conv2D(8, (3, 3)), L.Flatten(), L.Dense(16, activation="relu"),
                       L.Dense(10, activation="softmax")], name="seed001_cnn")


def conv2d_options():
    """Strides, 'same' with an odd pixel after (even kernel, odd size), dilation."""
    return Sequential([
        L.Input((11, 9, 3)), L.Conv2D(6, (4, 2), strides=(2, 3), padding="same"),
        L.BatchNormalization(), L.Activation("relu"),
        L.Conv2D(5, 3, dilation_rate=2, padding="same", activation="elu"),
        L.Conv2D(4, 2, padding="valid", use_bias=False), L.AveragePooling2D(3, 2, "same"),
        L.MaxPooling2D(2, 1, "same"), L.Conv2D(3, 1, activation="softmax"),
        L.GlobalAveragePooling2D(), L.Dense(3)], name="conv2d_options")


def conv1d_options():
    return Sequential([
        L.Input((17, 3)), L.Conv1D(5, 4, strides=2, padding="same", activation="relu"),
        L.Conv1D(5, 3, padding="causal", dilation_rate=2), L.BatchNormalization(),
        L.MaxPooling1D(2, padding="same"), L.Conv1D(4, 2, dilation_rate=2, activation="tanh"),
        L.AveragePooling1D(2, 1), L.LayerNormalization(), L.GlobalMaxPooling1D(),
        L.Dense(2)], name="conv1d_options")


def conv1d_global_average():
    return Sequential([L.Input((9, 2)), L.Conv1D(4, 3, activation="relu"),
                       L.GlobalAveragePooling1D(keepdims=True), L.Flatten(), L.Dense(2)],
                      name="conv1d_global_average")


def transposed():
    """Conv2DTranspose with each placement rule: valid/same, kernel smaller and larger than
    the stride, output_padding, dilation."""
    return Sequential([
        L.Input((5, 4, 3)), L.Conv2DTranspose(4, 3, strides=2, padding="same"),
        L.Conv2DTranspose(4, (2, 3), strides=(3, 2), padding="valid", activation="relu"),
        L.Conv2DTranspose(3, 3, strides=2, padding="same", output_padding=1),
        L.Conv2DTranspose(3, (4, 3), strides=(3, 2), padding="valid", output_padding=(2, 0)),
        L.Conv2DTranspose(2, 3, dilation_rate=2, padding="same"),
        L.Conv2DTranspose(2, 2, strides=3, padding="same"),
        L.GlobalMaxPooling2D(), L.Dense(2)], name="transposed")


def unet():
    """Functional: skip connections, UpSampling2D, ZeroPadding2D, Cropping2D, merges of
    channels-first tensors, global pooling with keepdims."""
    x = L.Input((8, 8, 2), name="image")
    c1 = L.Conv2D(4, 3, padding="same", activation="relu")(x)
    p1 = L.MaxPooling2D()(c1)
    c2 = L.Conv2D(4, 3, padding="same", activation="relu")(p1)
    u1 = L.UpSampling2D((2, 2))(c2)
    m = L.Concatenate()([u1, c1])
    z = L.Cropping2D(((1, 0), (2, 1)))(L.ZeroPadding2D(((1, 0), (2, 1)))(m))
    c3 = L.Conv2D(4, 3, padding="same")(z)
    s = L.Add()([c3, L.Multiply()([c1, c3])])
    g = L.GlobalMaxPooling2D(keepdims=True)(s)
    h = L.Flatten()(L.Conv2D(3, 1)(g))
    return Model(x, L.Dense(3, activation="softmax")(h), name="unet")


def nested():
    """A Sequential used as a layer of a functional model, after a Reshape."""
    block = Sequential([L.Input((6, 6, 1)), L.Conv2D(3, 3, padding="same", activation="relu"),
                        L.UpSampling2D(2)], name="block")
    x = L.Input((36,))
    h = block(L.Reshape((6, 6, 1))(x))
    return Model(x, L.Dense(2)(L.Flatten()(h)), name="nested")


def grouped():
    """Grouped convolutions (AlexNet's towers, depthwise), 1-D and 2-D."""
    return Sequential([L.Input((7, 6, 4)), L.Conv2D(6, 3, groups=2, activation="relu"),
                       L.Conv2D(6, 3, groups=6, padding="same"), L.Reshape((20, 6)),
                       L.Conv1D(4, 3, groups=2), L.Flatten(), L.Dense(2)], name="grouped")


CONV_MODELS = {
    "seed001_cnn": (seed001_cnn, normal(14, 14, 1)),
    "conv2d_options": (conv2d_options, normal(11, 9, 3)),
    "conv1d_options": (conv1d_options, normal(17, 3)),
    "conv1d_global_average": (conv1d_global_average, normal(9, 2)),
    "transposed": (transposed, normal(5, 4, 3)),
    "unet": (unet, normal(8, 8, 2)),
    "nested": (nested, normal(36)),
    "grouped": (grouped, normal(7, 6, 4)),
}


@pytest.mark.parametrize("name", list(CONV_MODELS))
def test_convolutional_models_match_onnxruntime(name, tmp_path):
    set_random_seed(0)
    build, make_input = CONV_MODELS[name]
    model = randomize(build())
    worst, _ = run_both(model, tmp_path, make_input)
    assert worst <= CONV_TOL, worst
