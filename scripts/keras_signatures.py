"""Write Keras's signatures of the names lamina covers to tests/keras_api/keras_signatures.json.

Run it in a separate environment that has Keras (the tests never import Keras):

    python3 -m venv /tmp/kerasenv
    /tmp/kerasenv/bin/pip install keras==3.15.1 torch==2.13.0
    KERAS_BACKEND=torch /tmp/kerasenv/bin/python scripts/keras_signatures.py

Each entry is the name as a Keras program writes it (``ops.matmul``, ``utils.load_img``) and
its parameters in order: name, kind (``POSITIONAL_OR_KEYWORD``, ``KEYWORD_ONLY``...) and the
default's ``repr`` (None when there is none). Classes are described by their constructor.
"""

import importlib
import inspect
import json
import pathlib
import sys

import keras

OUT = pathlib.Path(__file__).resolve().parents[1] / "tests" / "keras_api" / "keras_signatures.json"

NAMES = {
    "": "Input",
    "ops": """abs absolute add all any append arange arccos arcsin arctan arctan2 argmax argmin
        argsort array average broadcast_to cast ceil clip concatenate convert_to_numpy
        convert_to_tensor copy cos cosh count_nonzero cumsum diag diagonal diff divide
        dot einsum equal exp expand_dims expm1 eye flip floor full full_like greater
        greater_equal hstack identity isclose isfinite isinf isnan less less_equal linspace log
        log10 log1p log2 logaddexp logical_and logical_not logical_or logsumexp matmul max
        maximum mean min minimum mod moveaxis multiply negative norm not_equal ones ones_like
        outer pad power prod ravel reciprocal repeat reshape roll round rsqrt shape sign sin
        sinh size sort split sqrt square squeeze stack std stop_gradient subtract sum swapaxes
        take take_along_axis tan tanh tensordot tile transpose tril triu true_divide var vstack
        where zeros zeros_like
        relu relu6 sigmoid softmax log_softmax softplus softsign silu swish gelu elu selu
        leaky_relu hard_sigmoid one_hot conv max_pool average_pool moments
        binary_crossentropy categorical_crossentropy sparse_categorical_crossentropy""",
    "random": "SeedGenerator normal uniform truncated_normal randint shuffle dropout categorical",
    "backend": """clear_session epsilon floatx set_floatx image_data_format
        set_image_data_format backend""",
    "saving": "register_keras_serializable load_model save_model get_registered_object",
    "utils": """to_categorical normalize set_random_seed plot_model PyDataset Sequence
        image_dataset_from_directory timeseries_dataset_from_array load_img img_to_array
        array_to_img save_img get_file pad_sequences custom_object_scope clear_session""",
    "preprocessing": "image_dataset_from_directory timeseries_dataset_from_array",
    "preprocessing.image": "load_img img_to_array array_to_img save_img smart_resize",
    "preprocessing.sequence": "pad_sequences",
}


def describe(obj) -> list:
    target = obj.__init__ if inspect.isclass(obj) else obj
    params = list(inspect.signature(target).parameters.values())
    if inspect.isclass(obj):
        params = params[1:]  # self
    return [[p.name, p.kind.name, None if p.default is p.empty else repr(p.default)]
            for p in params]


def main() -> int:
    out = {"keras_version": keras.__version__, "signatures": {}}
    for namespace, names in NAMES.items():
        module = importlib.import_module("keras" + ("." + namespace if namespace else ""))
        for name in names.split():
            key = f"{namespace}.{name}" if namespace else name
            out["signatures"][key] = describe(getattr(module, name))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"{len(out['signatures'])} signatures of Keras {keras.__version__} -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
