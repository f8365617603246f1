"""The ONNX file itself: where the Transposes go, its inputs and outputs, image sizes known
only at run time, each opset, the errors for what cannot be exported, ``model.export`` and
``lamina export``."""

from __future__ import annotations

import numpy as np
import pytest

from lamina import layers as L
from lamina.models import Model, Sequential
from lamina.random import set_random_seed

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from lamina.export import ExportError, export_onnx, exportable_layers, model_to_onnx  # noqa: E402
from tests.export.test_onnx import (  # noqa: E402
    CONV_TOL,
    lamina_output,
    normal,
    op_types,
    randomize,
    run_both,
    seed001_cnn,
    seed002_mlp,
    session,
    two_inputs,
    unet,
)


# ------------------------------------------------------------- the file itself
def test_transposes_only_where_the_layout_changes(tmp_path):
    """Seed 001's CNN: one Transpose into channels-first, none between the convolutions and
    pools, one back before Flatten (Keras's channels-last flatten order)."""
    _, proto = run_both(randomize(seed001_cnn()), tmp_path, normal(14, 14, 1))
    assert op_types(proto) == ["Transpose", "Conv", "MaxPool", "Conv", "Transpose", "Reshape",
                               "MatMul", "Add", "Relu", "MatMul", "Add", "Softmax"]
    # the U-Net's merges, padding, cropping and upsampling stay channels-first as well
    _, proto = run_both(randomize(unet()), tmp_path, normal(8, 8, 2))
    assert op_types(proto).count("Transpose") == 2


def test_inputs_and_outputs_are_channels_last_with_a_dynamic_batch(tmp_path):
    model = randomize(seed001_cnn())
    proto = model_to_onnx(model)

    def dims(value):
        return [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]

    (inp,), (out,) = proto.graph.input, proto.graph.output
    assert (inp.name, dims(inp)) == ("input", ["batch", 14, 14, 1])
    assert (out.name, dims(out)) == ("output", ["batch", 10])
    assert proto.producer_name == "lamina"
    assert [i.name for i in model_to_onnx(two_inputs()).graph.input] == ["left", "right"]


def test_unknown_image_sizes_use_same_upper_padding(tmp_path):
    """Input((None, None, 3)): 'same' padding cannot be computed ahead, ONNX's SAME_UPPER
    (the odd pixel after, as lamina) does it at run time, for any image size."""
    set_random_seed(0)
    model = randomize(Sequential([
        L.Input((None, None, 3)), L.Conv2D(4, 4, strides=2, padding="same", activation="relu"),
        L.MaxPooling2D(3, 2, padding="same"), L.Conv2D(3, 2, padding="same"),
        L.GlobalAveragePooling2D(), L.Dense(2)], name="any_size"))
    path = tmp_path / "any_size.onnx"
    export_onnx(model, path, verbose=False)
    sess = session(path)
    for batch, size in ((3, (7, 9)), (6, (10, 6))):
        x = normal(*size, 3)(batch, np.random.default_rng(batch))
        got = sess.run(None, {"input": x})[0]
        assert np.abs(got - lamina_output(model, x)).max() <= CONV_TOL
    conv = next(n for n in onnx.load(str(path)).graph.node if n.op_type == "Conv")
    assert {a.name: a.s for a in conv.attribute}["auto_pad"] == b"SAME_UPPER"


@pytest.mark.parametrize("opset", [13, 17, 18, 20, 21])
def test_the_opset_asked_for(opset, tmp_path):
    """The reductions (axes an input from opset 18), GELU (an op from opset 20) and the rest
    at each opset."""
    set_random_seed(0)
    model = randomize(Sequential([
        L.Input((6, 6, 2)), L.Conv2D(4, 3, activation="gelu"), L.UpSampling2D(),
        L.ZeroPadding2D(1), L.GlobalAveragePooling2D(), L.LayerNormalization(),
        L.Dense(3, activation="softmax")], name=f"opset{opset}"))
    worst, proto = run_both(model, tmp_path, normal(6, 6, 2), opset=opset)
    assert worst <= CONV_TOL
    assert ("Gelu" in op_types(proto)) == (opset >= 20)


# -------------------------------------------------------------------- errors
class Scale(L.Layer):
    def call(self, inputs):
        return inputs * 2.0

    def compute_output_shape(self, input_shape):
        return input_shape


def test_a_layer_without_mapping_is_named():
    model = Sequential([L.Input((4,)), L.Dense(3), Scale(name="my_scale")])
    with pytest.raises(ExportError, match=r"layer 'my_scale' \(Scale\) has no ONNX mapping"):
        model_to_onnx(model)
    assert "Conv2DTranspose" in exportable_layers() and "Scale" not in exportable_layers()


def test_other_unexportable_models_and_arguments(tmp_path):
    custom = Sequential([L.Input((4,)), L.Dense(3, activation=lambda t: t * 2.0, name="odd")])
    with pytest.raises(ExportError, match=r"Dense 'odd': the activation '<lambda>' has no ONNX"):
        model_to_onnx(custom)

    class Free(Model):
        def __init__(self):
            super().__init__(name="free")
            self.dense = L.Dense(2)

        def call(self, inputs):
            return self.dense(inputs)

    with pytest.raises(ExportError, match="subclassed model"):
        model_to_onnx(Free())
    x = L.Input(shape=(3,))  # several outputs: all of them, not the first one alone
    two = model_to_onnx(Model(x, [L.Dense(1, name="a")(x), L.Dense(2, name="b")(x)]))
    assert [o.name for o in two.graph.output] == ["a", "b"]
    with pytest.raises(ValueError, match="not built"):
        model_to_onnx(Sequential([L.Dense(2)]))
    with pytest.raises(ValueError, match="opset must be an int from 13"):
        model_to_onnx(seed002_mlp(), opset=11)
    with pytest.raises(ValueError, match="input_signature is not supported"):
        export_onnx(seed002_mlp(), tmp_path / "m.onnx", input_signature=[(None, 20)])
    with pytest.raises(ValueError, match="format='tf_saved_model' is not supported"):
        seed002_mlp().export(tmp_path / "m", format="tf_saved_model")
    assert not list(tmp_path.iterdir())  # nothing written, not even a temporary file


def test_model_export_method_and_top_level_function(tmp_path, capsys):
    import lamina

    model = randomize(seed002_mlp())
    model.export(tmp_path / "a.onnx", format="onnx", opset_version=18)
    assert "Saved the ONNX model to" in capsys.readouterr().out
    lamina.export_onnx(model, tmp_path / "b.onnx", opset=18, verbose=False)
    assert capsys.readouterr().out == ""
    a, b = (onnx.load(str(tmp_path / f)) for f in ("a.onnx", "b.onnx"))
    assert a.opset_import[0].version == b.opset_import[0].version == 18
    x = normal(20)(4, np.random.default_rng(0))
    np.testing.assert_array_equal(session(tmp_path / "a.onnx").run(None, {"input": x})[0],
                                  session(tmp_path / "b.onnx").run(None, {"input": x})[0])


def test_command_line_export(tmp_path, capsys):
    from lamina.cli import main

    model = randomize(seed001_cnn())
    model.save(tmp_path / "cnn.lamina")
    assert main(["export", str(tmp_path / "cnn.lamina"), str(tmp_path / "cnn.onnx"),
                 "--opset", "18"]) == 0
    assert "Saved the ONNX model to" in capsys.readouterr().out
    x = normal(14, 14, 1)(3, np.random.default_rng(0))
    got = session(tmp_path / "cnn.onnx").run(None, {"input": x})[0]
    assert np.abs(got - lamina_output(model, x)).max() <= CONV_TOL
    assert main(["export", str(tmp_path / "missing.lamina"), str(tmp_path / "x.onnx")]) == 2
    assert "lamina export: error:" in capsys.readouterr().err


def test_several_outputs_keep_their_names_and_order(tmp_path):
    """Model(x, [a, b]) and a dict of outputs: one ONNX output each, named as Keras names
    them; a tensor that is an output and also feeds another layer, and the same tensor twice."""
    x = L.Input((6, 6, 2), name="image")
    features = L.Conv2D(3, 3, padding="same", activation="relu", name="features")(x)
    label = L.Dense(4, activation="softmax", name="label")(L.Flatten()(features))
    size = L.Dense(1, name="size")(L.GlobalAveragePooling2D()(features))
    models = [Model(x, [label, features, size, label], name="listed"),
              Model(x, {"b_size": size, "a_label": label}, name="keyed")]
    data = normal(6, 6, 2)(3, np.random.default_rng(0))
    for model in map(randomize, models):
        path = tmp_path / f"{model.name}.onnx"
        export_onnx(model, path, verbose=False)
        sess = session(path)
        names = [o.name for o in sess.get_outputs()]
        got = sess.run(None, {"image": data})
        expected = model.predict(data, verbose=0)
        expected = [expected[k] for k in sorted(expected)] if isinstance(
            expected, dict) else expected
        if model.name == "listed":  # the repeated output is a copy under a name of its own
            assert names[:3] == ["label", "features", "size"] and len(set(names)) == 4
            assert names[3].startswith("label_")
        else:
            assert names == ["a_label", "b_size"]
        for a, b in zip(got, expected, strict=True):
            assert a.shape == b.shape and np.abs(a - b).max() <= CONV_TOL
