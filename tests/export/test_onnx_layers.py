"""ONNX export of the layers past the seeds' core: preprocessing (Rescaling, Normalization,
Resizing, the random augmentations), DepthwiseConv2D, SeparableConv2D, DepthToSpace,
SpaceToDepth, LPPooling2D / L2Pooling2D, PReLU, Permute and UpSampling1D, checked against
onnxruntime at batch 3 and 6 within the summation bound of ``test_onnx_nested``; and every
layer class of ``lamina.layers`` either exports or stops the export with its name.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from lamina import layers as L
from lamina.models import Model, Sequential
from lamina.random import set_random_seed

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from lamina.export import ExportError, export_onnx, exportable_layers, model_to_onnx  # noqa: E402
from tests.export.test_onnx import op_types, randomize  # noqa: E402
from tests.export.test_onnx_nested import assert_outputs_match  # noqa: E402


def normal(*shape, scale=1.0):
    return lambda batch, rng: [(scale * rng.standard_normal((batch, *shape))).astype("float32")]


def check(model, tmp_path, feeds, spatial=1, opset=17):
    path = tmp_path / f"{model.name}.onnx"
    export_onnx(model, path, opset=opset, verbose=False)
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    assert proto.opset_import[0].version == opset
    assert_outputs_match(model, path, feeds, spatial=spatial)
    return proto


# ------------------------------------------------------------------ preprocessing
def preprocessing():
    """Pixels in [0, 255] through the augmentations (identity at inference), Rescaling,
    Normalization, Resizing down with antialiasing; then per-channel Rescaling, an inverted
    Normalization and Resizing up on channels-first convolution outputs."""
    x = L.Input((10, 12, 3), name="pixels")
    h = L.RandomFlip()(x)
    h = L.RandomRotation(0.1)(h)
    h = L.RandomZoom(0.1)(h)
    h = L.RandomTranslation(0.1, 0.1)(h)
    h = L.RandomContrast(0.2)(h)
    h = L.Rescaling(1 / 255, offset=-0.5)(h)
    h = L.Normalization(mean=[0.1, -0.1, 0.0], variance=[0.04, 0.09, 0.0625])(h)
    h = L.Resizing(6, 7, antialias=True)(h)
    h = L.Conv2D(4, 3, padding="same")(h)
    h = L.Rescaling([0.5, 2.0, 1.0, -1.0], offset=[0.0, 0.1, 0.2, 0.3])(h)
    h = L.Normalization(mean=[0.1, 0.2, 0.3, 0.4], variance=[1.0, 2.0, 3.0, 4.0],
                        invert=True)(h)
    up = L.Resizing(9, 11, interpolation="nearest")(h)
    crop = L.Resizing(5, 5, crop_to_aspect_ratio=True)(h)
    pad = L.Resizing(8, 4, pad_to_aspect_ratio=True, fill_value=0.5)(h)
    return Model(x, [up, crop, pad], name="preprocessing")


def test_preprocessing_layers(tmp_path):
    set_random_seed(0)
    model = randomize(preprocessing())
    proto = check(model, tmp_path, lambda batch, rng: [
        rng.uniform(0, 255, (batch, 10, 12, 3)).astype("float32")], spatial=10 * 12)
    assert "RandomFlip" not in str(op_types(proto))  # identity: no node written
    assert op_types(proto).count("Transpose") == 4  # in once, back once per output


def test_normalization_adapted_on_several_axes(tmp_path):
    """Statistics from adapt(), kept per (step, feature) of a sequence, after a Conv1D
    (channels-first in the file: the constants are permuted, not the tensor)."""
    set_random_seed(0)
    norm = L.Normalization(axis=(1, 2))
    model = Sequential([L.Input((7, 3)), L.Conv1D(4, 2, padding="same"), norm, L.Flatten(),
                        L.Dense(2)], name="adapted")
    randomize(model)
    norm.adapt(np.random.default_rng(1).standard_normal((50, 7, 4)).astype("float32") * 3 + 1)
    proto = check(model, tmp_path, normal(7, 3))
    assert op_types(proto).count("Transpose") == 2


# ------------------------------------------------------------- windows and blocks
def windows():
    x = L.Input((12, 12, 4), name="image")
    h = L.DepthwiseConv2D(3, strides=2, padding="same", depth_multiplier=2,
                          activation="relu")(x)
    h = L.SeparableConv2D(6, 3, dilation_rate=2, padding="same", depth_multiplier=2)(h)
    h = L.PReLU(shared_axes=[1, 2])(h)
    h = L.SpaceToDepth(2)(h)
    h = L.DepthToSpace(2)(L.Conv2D(12, 1)(h))
    a = L.LPPooling2D(p=3, pool_size=3, strides=2, padding="same")(h)
    b = L.L2Pooling2D()(h)
    c = L.LPPooling2D(p=1, pool_size=2, strides=1)(h)
    c = L.DepthwiseConv2D((2, 3), use_bias=False)(c)
    pooled = [L.GlobalAveragePooling2D()(t) for t in (a, b, c)]
    return Model(x, [L.PReLU()(L.Dense(3)(L.Concatenate()(pooled))), a], name="windows")


def test_depthwise_separable_blocks_and_lp_pooling(tmp_path):
    set_random_seed(0)
    model = randomize(windows())
    proto = check(model, tmp_path, normal(12, 12, 4), spatial=12 * 12)
    ops = op_types(proto)
    assert ops.count("Transpose") == 2 and ops.count("DepthToSpace") == 1


def test_any_image_size_and_pooling_of_padded_windows(tmp_path):
    """Sizes known only at run time: the depthwise, separable and L_p 'same' windows pad
    as lamina does (the odd pixel after)."""
    set_random_seed(0)
    model = randomize(Sequential([
        L.Input((None, None, 2)), L.DepthwiseConv2D(4, strides=2, padding="same"),
        L.SeparableConv2D(3, 2, padding="same"), L.LPPooling2D(p=2.5, pool_size=3, strides=2,
                                                              padding="same"),
        L.GlobalMaxPooling2D(), L.Dense(2)], name="any_size"))
    path = tmp_path / "any_size.onnx"
    export_onnx(model, path, verbose=False)
    for size in ((7, 9), (10, 6)):
        assert_outputs_match(model, path, normal(*size, 2), spatial=size[0] * size[1])


def sequences():
    """Permute and UpSampling1D in both layouts (after a Dense: channels-last; after a
    Conv1D: channels-first), PReLU with one slope per step and feature."""
    return Sequential([
        L.Input((5, 3)), L.UpSampling1D(3), L.Conv1D(4, 3, padding="same"), L.UpSampling1D(2),
        L.Permute((2, 1)), L.Dense(6), L.PReLU(), L.Conv1D(5, 2), L.Permute((2, 1)),
        L.Flatten(), L.Dense(2)], name="sequences")


def test_permute_upsampling1d_and_prelu(tmp_path):
    set_random_seed(0)
    check(randomize(sequences()), tmp_path, normal(5, 3), opset=13)


# ------------------------------------------------------------ every layer class
REFUSED = {
    "Lambda": lambda: Sequential([L.Input((3,)), L.Lambda(lambda t: t * 2.0, name="twice")]),
    "TextVectorization": lambda: Sequential([
        L.Input((1,), dtype="string"),
        L.TextVectorization(vocabulary=["a", "b"], name="tokens")]),
}
NOT_CALLED_IN_A_GRAPH = {"Layer", "InputLayer"}  # the base class; the model's Input itself


def test_every_layer_exports_or_is_refused_by_name():
    classes = {c.__name__ for c in vars(L).values()
               if inspect.isclass(c) and issubclass(c, L.Layer)}
    exported = set(exportable_layers())
    assert classes == exported | set(REFUSED) | NOT_CALLED_IN_A_GRAPH
    assert not exported & set(REFUSED)
    for cls, build in REFUSED.items():
        model = build()
        name = "twice" if cls == "Lambda" else "tokens"
        with pytest.raises(ExportError, match=rf"layer '{name}' \({cls}\) has no ONNX mapping"):
            model_to_onnx(model)
