"""``export_onnx``: a lamina model as an ONNX file, written with the ``onnx`` package's
helpers alone (``pip install "lamina[interop]"``), for onnxruntime and other ONNX runtimes.

The file takes and returns channels-last tensors, as the model does, with a dynamic batch
axis (``"batch"``); inside, convolutions and pools run channels-first and a Transpose is
written only where the layout changes (see :mod:`lamina.export._graph`). Dropout, the random
augmentations and the other training-only layers are left out; BatchNormalization is written
in its inference form. Models used as layers (with several outputs too) are written inline.

Example:
    >>> import lamina
    >>> lamina.export_onnx(model, "model.onnx")                      # doctest: +SKIP
    >>> import onnxruntime, numpy as np                              # doctest: +SKIP
    >>> session = onnxruntime.InferenceSession("model.onnx")         # doctest: +SKIP
    >>> session.run(None, {session.get_inputs()[0].name: x})[0]      # doctest: +SKIP
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy

from lamina.export import _core, _preprocessing, _reshaping, _spatial, _windows
from lamina.export._activations import ExportError
from lamina.export._graph import ONNX_MIN_OPSET, Graph, Value
from lamina.saving.archive import atomic_write

__all__ = ["DEFAULT_OPSET", "ExportError", "export_onnx", "exportable_layers", "model_to_onnx"]

DEFAULT_OPSET = 17
WRITERS = {**_core.WRITERS, **_spatial.WRITERS, **_windows.WRITERS, **_reshaping.WRITERS,
           **_preprocessing.WRITERS}


def exportable_layers() -> list[str]:
    """The names of the layer classes that have an ONNX mapping."""
    return sorted({cls.__name__ for cls in WRITERS})


def _import_onnx():
    try:
        import onnx
    except ImportError:
        raise ImportError("ONNX export needs the `onnx` package: pip install 'lamina[interop]' "
                          "(or pip install onnx)") from None
    return onnx


def _check_opset(onnx, opset) -> int:
    newest = onnx.defs.onnx_opset_version()
    if isinstance(opset, bool) or not isinstance(opset, (int, numpy.integer)) or not (
            ONNX_MIN_OPSET <= opset <= newest):
        raise ValueError(f"export_onnx: opset must be an int from {ONNX_MIN_OPSET} to {newest} "
                         f"(the newest that onnx {onnx.__version__} knows); received "
                         f"opset={opset!r}")
    return int(opset)


# ------------------------------------------------------------------- the walk
def _model_inputs(model) -> list[tuple[str, tuple, str]]:
    """(name, shape with the batch axis, dtype) of each input of ``model``."""
    from lamina.models import Functional, Sequential

    if isinstance(model, Sequential):
        if not model.built:
            raise ValueError(f"export_onnx: Sequential model '{model.name}' is not built, so its "
                             "input shape is unknown; start it with Input(shape=...) or call "
                             "model.build(input_shape) first")
        return [("input", tuple(model.input_shape), model.dtype)]
    if isinstance(model, Functional):
        names = getattr(model, "input_names", None) or [t.node.layer.name for t in model.inputs]
        return [(name, tuple(t.shape), t.dtype or model.dtype)
                for name, t in zip(names, model.inputs)]
    raise ExportError(f"export_onnx: {type(model).__name__} '{getattr(model, 'name', '?')}' is a "
                      "subclassed model: its call() is Python code with no graph to export. "
                      "Build it with Sequential([...]) or Model(inputs, outputs)")


def _write_model(g: Graph, model, inputs: list[Value]) -> list[Value]:
    """Write a Sequential or functional ``model`` applied to ``inputs``; its output Values
    (one per output of the model, in its flat order: a dict's in sorted key order)."""
    from lamina.models import Functional, Sequential

    if isinstance(model, Sequential):
        (x,) = inputs
        for layer in model.layers:
            outputs = _write_layer(g, layer, [x], False)
            if len(outputs) != 1:
                raise ExportError(f"export_onnx: layer '{layer.name}' of Sequential "
                                  f"'{model.name}' has {len(outputs)} outputs; a Sequential "
                                  "passes one tensor from layer to layer (use Model(inputs, "
                                  "outputs) for several)")
            (x,) = outputs
        return [x]
    if not isinstance(model, Functional):
        _model_inputs(model)  # raises the subclassed-model error
    if len(inputs) != len(model.inputs):
        raise ExportError(f"export_onnx: model '{model.name}' takes {len(model.inputs)} "
                          f"input(s) but is called on {len(inputs)}")
    values = {id(sym): v for sym, v in zip(model.inputs, inputs)}
    for node in model._nodes:
        if node.args or node.kwargs:
            extra = [*map(repr, node.args), *(f"{k}=" for k in node.kwargs)]
            raise ExportError(f"export_onnx: layer '{node.layer.name}' "
                              f"({type(node.layer).__name__}) is called in model "
                              f"'{model.name}' with further arguments ({', '.join(extra)}); "
                              "only calls on the inputs alone export")
        args = [values[id(p)] for p in node.main_inputs]
        written = _write_layer(g, node.layer, args, isinstance(node.inputs, list))
        for sym, value in zip(node.outputs, written, strict=True):
            values[id(sym)] = value
    return [values[id(t)] for t in model.outputs]


def _write_layer(g: Graph, layer, args: list[Value], list_input: bool) -> list[Value]:
    """The Values a call of ``layer`` on ``args`` outputs: one for a layer, every output of
    a model used as a layer (its layers are written inline)."""
    from lamina.models import Model

    if isinstance(layer, Model):
        return _write_model(g, layer, args)
    writer = WRITERS.get(type(layer))
    if writer is None:
        raise ExportError(f"export_onnx: layer '{layer.name}' ({type(layer).__name__}) has no "
                          f"ONNX mapping. Layers that export: {', '.join(exportable_layers())}")
    for variable in layer.weights:
        if variable.data.dtype != numpy.float32:
            raise ExportError(f"export_onnx: {_core.where(layer)} has {variable.data.dtype} "
                              f"weights; ONNX export writes float32 models only")
    if not isinstance(layer, _core.L.Embedding):  # integer inputs feed only an Embedding as is
        args = [a if a.dtype == "float32" else Value(
            g.node("Cast", [a.name], f"{a.name}_float", to=g.onnx.TensorProto.FLOAT),
            a.shape, a.layout) for a in args]
    shapes = [a.shape for a in args]
    out_shape = tuple(layer.compute_output_shape(shapes if list_input else shapes[0]))
    return [writer(g, layer, args if list_input else args[0], out_shape)]


def _value_info(helper, name, shape, elem_type):
    dims = ["batch" if k == 0 else (f"{name}_dim{k}" if d is None else int(d))
            for k, d in enumerate(shape)]
    return helper.make_tensor_value_info(name, elem_type, dims)


def model_to_onnx(model, opset: int = DEFAULT_OPSET):
    """The ONNX ``ModelProto`` of ``model`` (checked with ``onnx.checker``), not written."""
    onnx = _import_onnx()
    opset = _check_opset(onnx, opset)
    helper = onnx.helper
    g = Graph(onnx, opset)
    graph_inputs, values = [], []
    for name, shape, dtype in _model_inputs(model):
        dtype = numpy.dtype(dtype or "float32")
        if dtype.kind not in "fiu":
            raise ExportError(f"export_onnx: input '{name}' has dtype {dtype}; expected a float "
                              "or integer input")
        dtype = numpy.dtype("float32") if dtype.kind == "f" else numpy.dtype("int64")
        name = g.fresh(name)
        graph_inputs.append(_value_info(helper, name, shape,
                                        helper.np_dtype_to_tensor_dtype(dtype)))
        values.append(Value(name, shape, "last", dtype.name))
    several = len(getattr(model, "outputs", ())) > 1
    names = list(model.output_names) if several else ["output"]
    free = [g.fresh(name) for name in dict.fromkeys(names)]  # kept for the outputs
    flat = _write_model(g, model, values)
    outputs, given = [], {v.name: v.name for v in values}  # tensor -> its name in the file
    for value, wanted in zip(flat, names):
        result = g.as_last(value)
        if result in given or wanted not in free:  # an input, or an output again: a copy
            result = g.node("Identity", [given.get(result, result)], wanted)
        else:
            free.remove(wanted)
            given[result] = result = g.rename(result, wanted)
        outputs.append(_value_info(helper, result, value.shape, onnx.TensorProto.FLOAT))
    graph = helper.make_graph(g.nodes, model.name, graph_inputs, outputs, g.initializers)
    opset_ids = [helper.make_opsetid("", opset)]
    proto = helper.make_model(graph, opset_imports=opset_ids, producer_name="lamina",
                              producer_version=_version())
    proto.ir_version = helper.find_min_ir_version_for(opset_ids)
    onnx.checker.check_model(proto, full_check=True)
    return proto


def _version() -> str:
    import lamina

    return lamina.__version__


def export_onnx(model, filepath, opset: int = DEFAULT_OPSET, *, opset_version=None,
                verbose=None, input_signature=None):
    """Write ``model`` (Sequential or functional, built) to ``filepath`` as ONNX.

    Args:
        model: a built ``Sequential`` or ``Model(inputs, outputs)``; models nested in it as
            layers, of one output or several, are inlined.
        filepath: where to write (``.onnx``); written atomically (a temp file renamed).
        opset: the ONNX opset of the file, from 13 to the newest the installed ``onnx`` knows
            (default 17). ``opset_version`` is Keras's name for it and wins when given.
        verbose: print where the file went (Keras's argument; default True like Keras).
        input_signature: not supported (the model's own input shapes are used); must be None.

    Raises:
        ExportError: a layer or activation without an ONNX mapping (the message names it), a
            subclassed model, or a model with non-float32 weights.
    """
    if input_signature is not None:
        raise ValueError("export_onnx: input_signature is not supported; the file takes the "
                         "model's own input shapes with a dynamic batch axis")
    proto = model_to_onnx(model, opset if opset_version is None else opset_version)
    path = Path(os.fspath(filepath))
    data = proto.SerializeToString()
    atomic_write(path, lambda f: f.write(data))  # temp file, fsync, rename, fsync the folder
    if verbose is None or verbose:
        print(f"Saved the ONNX model to {path} (opset {proto.opset_import[0].version}, "
              f"{len(proto.graph.node)} nodes)")
