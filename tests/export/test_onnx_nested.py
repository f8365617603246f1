"""ONNX export of models used as layers, those with several outputs too: the style-transfer
feature extractor (a dict of feature maps) inside a bigger model, a two-output model shared by
two inputs, a model nested two deep. Every output of the file against lamina's.

Tolerance, from the arithmetic: onnxruntime and lamina sum each convolution's and each
Dense's K products and each global pool's cells in different orders, so every layer leaves an
error of about ``eps * sqrt(K) * s`` on outputs of magnitude ``s``; these random-sign errors
add up layer after layer like one sum of ``sum(K)`` terms (``tests.tolerance.sum_atol``). The
issue's bound (1e-5 for convolutional models, relative above 1) must hold as well.
"""

from __future__ import annotations

import numpy as np
import pytest

from lamina import layers as L
from lamina import no_grad
from lamina.models import Model, Sequential
from lamina.random import set_random_seed
from tests.tolerance import sum_atol

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from lamina.export import ExportError, export_onnx, model_to_onnx  # noqa: E402
from tests.export.test_onnx import (  # noqa: E402
    CONV_TOL,
    op_types,
    randomize,
    session,
)


def summed_terms(model, spatial) -> int:
    """The terms of every long sum a run of ``model`` does: each kernel's fan-in (a
    convolution's ``kh * kw * C_in``, a Dense's inputs), each pool's window, each global
    pool's and Resizing's cells (``spatial``, the input's, at most), counted once per layer,
    nested models included."""
    total = 0
    for layer in model.layers:
        if isinstance(layer, Model):
            total += summed_terms(layer, spatial)
        elif isinstance(layer, (L.GlobalAveragePooling2D, L.GlobalMaxPooling2D, L.Resizing)):
            total += spatial  # a Resizing sums h and w terms: fewer than h * w
        elif hasattr(layer, "pool_size"):
            total += int(np.prod(layer.pool_size))
        for v in layer.weights:
            if v.data.ndim >= 2:  # a kernel: its output axis last, the summed ones before
                total += v.data.size // v.data.shape[-1]
    return total


def assert_outputs_match(model, path, feeds_for, batches=(3, 6), spatial=1):
    """Every output of the file at each batch (feeds from ``feeds_for(batch, rng)``) equals
    lamina's within the summation bound and within the issue's 1e-5; the worst error."""
    sess = session(path)
    names = [i.name for i in sess.get_inputs()]
    terms = summed_terms(model, spatial)
    worst = 0.0
    for k, batch in enumerate(batches):
        feeds = feeds_for(batch, np.random.default_rng(10 + k))
        got = sess.run(None, dict(zip(names, feeds)))
        with no_grad():
            expected = model(feeds if len(feeds) > 1 else feeds[0], training=False)
        if isinstance(expected, dict):
            expected = [expected[key] for key in sorted(expected)]
        expected = [e.data for e in (expected if isinstance(expected, list) else [expected])]
        assert len(got) == len(expected)
        for a, b in zip(got, expected):
            assert a.shape == b.shape and a.shape[0] == batch and a.dtype == np.float32
            error = np.abs(a.astype("float64") - b)
            assert error.max() <= sum_atol(terms, max(1.0, np.abs(b).max()), "float32")
            worst = max(worst, float((error / np.maximum(1.0, np.abs(b))).max()))
    assert worst <= CONV_TOL, worst
    return worst


def images(*shape):
    return lambda batch, rng: [rng.random((batch, *shape), dtype=np.float32)]


# --------------------------------------------------- the style-transfer extractor
def style_features():
    from lamina.apps.style.network import feature_network

    return feature_network(channels=3, seed=0, filters=(4, 8, 8)).model


def test_style_feature_extractor_nested_in_a_model(tmp_path):
    """Issue 18's extractor (dict outputs, any image size) called on a 16x16 input: a head
    reads all four feature maps, two maps are outputs themselves; one Transpose into
    channels-first and one back per image output."""
    extractor = style_features()
    x = L.Input((16, 16, 3), name="photo")
    feats = extractor(x)
    pooled = [L.GlobalAveragePooling2D()(feats[k]) for k in sorted(feats)]
    head = L.Dense(3, activation="softmax", name="head")(L.Concatenate()(pooled))
    model = Model(x, [head, feats["block1_conv1"], feats["block3_conv2"]], name="outer")
    path = tmp_path / "outer.onnx"
    export_onnx(model, path, opset=18, verbose=False)
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    assert proto.opset_import[0].version == 18
    assert [o.name for o in proto.graph.output] == list(model.output_names)
    assert op_types(proto).count("Transpose") == 3
    assert_outputs_match(model, path, images(16, 16, 3), spatial=16 * 16)


def test_style_feature_extractor_alone_at_any_image_size(tmp_path):
    """The extractor itself: one output per feature map, keyed as lamina keys them, for
    images of sizes the file learns at run time."""
    model = style_features()
    path = tmp_path / "features.onnx"
    export_onnx(model, path, verbose=False)
    assert [o.name for o in onnx.load(str(path)).graph.output] == sorted(model.output_names)
    for size in ((16, 16), (12, 20)):
        assert_outputs_match(model, path, images(*size, 3))


# --------------------------------------------------------- shared and deep nesting
def two_headed():
    """A model of two outputs with a Sequential inside it (a model nested two deep)."""
    x = L.Input((6, 6, 2), name="patch")
    trunk = Sequential([L.Input((6, 6, 2)), L.Conv2D(4, 3, padding="same", activation="relu"),
                        L.MaxPooling2D()], name="trunk")
    h = trunk(x)
    code = L.Dense(5, activation="tanh", name="code")(L.Flatten()(h))
    return Model(x, [code, L.Conv2D(3, 1, name="map")(h)], name="two_headed")


def siamese():
    """``two_headed`` shared by two inputs; its outputs compared and kept."""
    inner = two_headed()
    left, right = L.Input((6, 6, 2), name="left"), L.Input((6, 6, 2), name="right")
    (code_a, map_a), (code_b, map_b) = inner(left), inner(right)
    distance = L.Dense(1, name="distance")(L.Subtract()([code_a, code_b]))
    maps = L.Add(name="maps")([map_a, map_b])
    return Model([left, right], {"distance": distance, "maps": maps, "code": code_a},
                 name="siamese")


def test_a_shared_model_of_two_outputs_nested_two_deep(tmp_path):
    set_random_seed(0)
    model = siamese()
    for layer in model.layers:
        if isinstance(layer, Model):
            randomize(layer.get_layer("trunk"), seed=1)
            randomize(layer, seed=2)
    path = tmp_path / "siamese.onnx"
    export_onnx(model, path, verbose=False)
    proto = onnx.load(str(path))
    assert [o.name for o in proto.graph.output] == ["code", "distance", "maps"]
    assert op_types(proto).count("Conv") == 4  # the shared model written once per call
    assert len(proto.graph.initializer) == len({i.name for i in proto.graph.initializer})
    # its weights are written once and read by both calls
    assert sum(i.name.startswith("code_kernel") for i in proto.graph.initializer) == 1

    def pair(batch, rng):
        return [rng.standard_normal((batch, 6, 6, 2)).astype("float32") for _ in range(2)]

    assert_outputs_match(model, path, pair, spatial=6 * 6)


# ------------------------------------------------------------------------ errors
class Scale(L.Layer):
    def call(self, inputs, factor=2.0):
        return inputs * factor

    def compute_output_shape(self, input_shape):
        return input_shape


def test_a_call_with_further_arguments_is_refused():
    x = L.Input((4,))
    scaled = Model(x, Scale(name="scale")(x, factor=3.0), name="scaled")
    with pytest.raises(ExportError, match=r"layer 'scale' \(Scale\) is called in model "
                                          r"'scaled' with further arguments \(factor=\)"):
        model_to_onnx(scaled)
