"""What every builder shares: Keras's input, top and ``weights=`` arguments.

Keras's applications resolve ``input_shape`` / ``input_tensor`` the same way in every
model (``imagenet_utils.obtain_input_shape``); these helpers do that once, so each
builder file holds only its architecture.
"""

from __future__ import annotations

import os

from lamina.layers import Dense, GlobalAveragePooling2D, GlobalMaxPooling2D, Input
from lamina.layers.input_layer import InputLayer, SymbolicTensor

KERAS_WEIGHTS = "https://storage.googleapis.com/tensorflow/keras-applications/"


def check_args(where, weights, include_top, classes, classifier_activation, pooling,
               keras_files=None):
    """Keras's argument checks, with the messages naming the builder and the argument.

    ``keras_files`` is ``(top_file, notop_file)`` under :data:`KERAS_WEIGHTS` when Keras
    publishes ImageNet weights for the model, None when it does not.
    """
    if weights == "imagenet":
        if keras_files is None:
            raise ValueError(
                f"{where}: Keras publishes no ImageNet weights for this architecture, and lamina "
                "downloads nothing. Pass weights=None, or the path of a .h5 weights file of the "
                "same architecture in Keras's layout (e.g. one written by model.save_weights"
                "('w.h5') in Keras or lamina).")
        top, notop = keras_files
        raise ValueError(
            f"{where}: lamina downloads nothing, so weights='imagenet' is not fetched. Keras's "
            f"ImageNet file for include_top={include_top} is {KERAS_WEIGHTS}"
            f"{top if include_top else notop} (the file keras.applications fetches into "
            "~/.keras/models/); download it yourself and pass its path: weights='path/to/it.h5'.")
    if weights is not None and not (isinstance(weights, (str, os.PathLike))
                                    and os.path.isfile(weights)):
        raise ValueError(f"{where}: the `weights` argument should be None (random "
                         "initialization), 'imagenet', or the path to a .h5 weights file; "
                         f"received weights={weights!r}, which is not an existing file")
    if isinstance(classes, bool) or not isinstance(classes, int) or classes < 1:
        raise ValueError(f"{where}: `classes` must be a positive integer; received "
                         f"classes={classes!r}")
    if pooling not in (None, "avg", "max"):
        raise ValueError(f"{where}: `pooling` must be None, 'avg' or 'max'; received "
                         f"pooling={pooling!r}")
    if weights is not None and classifier_activation not in (None, "softmax"):
        raise ValueError(f"{where}: only None and 'softmax' are allowed for "
                         "`classifier_activation` when loading pretrained weights; received "
                         f"classifier_activation={classifier_activation!r}")


def check_alpha(where, alpha):
    """The width multiplier: a positive number (Keras's MobileNet calls it ``alpha``)."""
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not alpha > 0:
        raise ValueError(f"{where}: `alpha` (the width multiplier) must be a positive number; "
                         f"received alpha={alpha!r}")


def width(filters, alpha):
    """``filters`` scaled by the width multiplier, at least 1."""
    return max(1, int(round(filters * alpha)))


def input_shape_of(where, input_shape, input_tensor, default, min_size, require_flatten,
                   weights):
    """The model's input shape ``(H, W, C)`` as Keras's ``obtain_input_shape`` decides it."""
    if input_tensor is not None and input_shape is None:
        input_shape = tuple(input_tensor.shape[1:])
    if input_shape is None:  # Keras: any image size when nothing is flattened
        return tuple(default) if require_flatten else (None, None, default[2])
    shape = tuple(input_shape)
    if len(shape) != 3:
        raise ValueError(f"{where}: `input_shape` must be (height, width, channels), "
                         f"channels_last; received input_shape={input_shape!r}")
    if weights == "imagenet" and require_flatten and shape != tuple(default):
        raise ValueError(f"{where}: when setting `include_top=True` and loading 'imagenet' "
                         f"weights, `input_shape` should be {tuple(default)}; received "
                         f"input_shape={shape}")
    if any(s is None for s in shape[:2]):
        if require_flatten:
            raise ValueError(f"{where}: with include_top=True the input height and width must "
                             f"be fixed; received input_shape={shape}")
    elif min_size and (shape[0] < min_size or shape[1] < min_size):
        raise ValueError(f"{where}: the input must be at least {min_size}x{min_size}; received "
                         f"input_shape={shape}")
    return shape


def source_inputs(tensor):
    """The ``Input`` tensors a symbolic tensor was computed from (Keras's
    ``get_source_inputs``), searched without recursion."""
    found, stack, seen = [], [tensor], set()
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        if t.node is None or isinstance(t.node.layer, InputLayer):
            found.append(t)
        else:
            stack.extend(t.node.parents)
    return found[0] if len(found) == 1 else found


def model_input(where, input_shape, input_tensor):
    """``(inputs, x)``: the model's inputs and the tensor the network starts from."""
    if input_tensor is None:
        x = Input(shape=input_shape)
        return x, x
    if not isinstance(input_tensor, SymbolicTensor):
        raise TypeError(f"{where}: `input_tensor` must be a symbolic tensor from "
                        f"lamina.layers.Input (or a layer call on one); received "
                        f"{type(input_tensor).__name__}")
    if tuple(input_tensor.shape[1:]) != tuple(input_shape):
        raise ValueError(f"{where}: input_shape={tuple(input_shape)} disagrees with "
                         f"input_tensor's shape {tuple(input_tensor.shape[1:])}")
    return source_inputs(input_tensor), input_tensor


def top(x, include_top, pooling, classes, classifier_activation):
    """Keras's ending for a global-pooling network: GAP + ``predictions`` with the top,
    else the optional ``pooling``."""
    if include_top:
        x = GlobalAveragePooling2D(name="avg_pool")(x)
        return Dense(classes, activation=classifier_activation, name="predictions")(x)
    return pool(x, pooling)


def pool(x, pooling):
    """The headless output: the 4D feature map, or its global average or maximum."""
    if pooling == "avg":
        return GlobalAveragePooling2D(name="avg_pool")(x)
    if pooling == "max":
        return GlobalMaxPooling2D(name="max_pool")(x)
    return x


def finish(model, weights):
    """Load ``weights`` (a path) into the built model; returns the model."""
    if weights is not None:
        from lamina.applications.weights import load_keras_weights

        load_keras_weights(model, weights)
    return model
