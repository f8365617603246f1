"""Export lamina models for other runtimes: ``export_onnx(model, path, opset=17)`` writes an
ONNX file (``lamina[interop]``); ``model.export(path, format="onnx")`` is the same as a
method, as in Keras 3. See :mod:`lamina.export.onnx`."""

from lamina.export._activations import ExportError
from lamina.export.onnx import DEFAULT_OPSET, export_onnx, exportable_layers, model_to_onnx

__all__ = ["DEFAULT_OPSET", "ExportError", "export_model", "export_onnx", "exportable_layers",
           "model_to_onnx"]

FORMATS = ("onnx",)


def export_model(model, filepath, format="onnx", verbose=None, input_signature=None,  # noqa: A002
                 **kwargs):
    """``model.export``: write ``model`` for inference in ``format`` (only ``'onnx'``; Keras's
    ``'tf_saved_model'`` and ``'openvino'`` need TensorFlow / OpenVINO, which lamina does not
    use). ``kwargs``: ``opset_version`` (Keras's name) or ``opset``."""
    if format != "onnx":
        raise ValueError(f"export: format={format!r} is not supported; lamina exports "
                         f"format='onnx' (received format={format!r}; supported: "
                         f"{', '.join(FORMATS)})")
    unknown = set(kwargs) - {"opset", "opset_version"}
    if unknown:
        raise TypeError(f"export: unrecognized keyword argument(s) for format='onnx': "
                        f"{', '.join(sorted(unknown))} (accepted: opset_version, opset)")
    export_onnx(model, filepath, kwargs.get("opset", DEFAULT_OPSET),
                opset_version=kwargs.get("opset_version"), verbose=verbose,
                input_signature=input_signature)
