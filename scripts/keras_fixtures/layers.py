"""Write tests/layers/data/keras_layers.npz with Keras 3.15.1 (torch backend).

    KERAS_BACKEND=torch /work/kerasenv-layers/bin/python scripts/keras_fixtures/layers.py
For each case: the input, the layer's weights (set from a seeded generator) and Keras's
output. The random image layers are given factors with equal bounds, so the one
transformation they draw is known (a 36 degree rotation, a fixed zoom, shift, contrast).
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402
import numpy as np  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "layers", "data",
                   "keras_layers.npz")
rng = np.random.default_rng(1515)
image = rng.random((2, 7, 9, 3)).astype("float32") * 255
CASES = {  # name: (class, config, input, training)
    "depthwise": ("DepthwiseConv2D", {"kernel_size": 3, "depth_multiplier": 2,
                                      "padding": "same", "strides": 2}, image / 255, False),
    "separable": ("SeparableConv2D", {"filters": 4, "kernel_size": (2, 3),
                                      "depth_multiplier": 2, "activation": "relu"},
                  image / 255, False),
    "prelu": ("PReLU", {"shared_axes": [1, 2]}, image / 255 - 0.5, False),
    "upsampling1d": ("UpSampling1D", {"size": 3}, image[:, 0] / 255, False),
    "permute": ("Permute", {"dims": (3, 1, 2)}, image, False),
    "rescaling": ("Rescaling", {"scale": 1 / 127.5, "offset": -1}, image, False),
    "resize_bilinear": ("Resizing", {"height": 5, "width": 12}, image, False),
    "resize_nearest": ("Resizing", {"height": 10, "width": 4, "interpolation": "nearest"},
                       image, False),
    "resize_antialias": ("Resizing", {"height": 3, "width": 4, "antialias": True}, image,
                         False),
    "resize_crop": ("Resizing", {"height": 6, "width": 6, "crop_to_aspect_ratio": True},
                    image, False),
    "resize_pad": ("Resizing", {"height": 6, "width": 6, "pad_to_aspect_ratio": True,
                                "fill_value": 7.0}, image, False),
    "normalization": ("Normalization", {"mean": [1.0, 2.0, 3.0], "variance": [4.0, 0.25, 9.0]},
                      image, False),
    "normalization_invert": ("Normalization", {"mean": 2.0, "variance": 4.0, "invert": True},
                             image, False),
    "rotation": ("RandomRotation", {"factor": (0.1, 0.1)}, image, True),
    "rotation_constant_nearest": ("RandomRotation", {"factor": (-0.2, -0.2),
                                                     "fill_mode": "constant",
                                                     "interpolation": "nearest",
                                                     "fill_value": 5.0}, image, True),
    "rotation_wrap": ("RandomRotation", {"factor": (0.3, 0.3), "fill_mode": "wrap"}, image,
                      True),
    "rotation_nearest_fill": ("RandomRotation", {"factor": (0.15, 0.15),
                                                 "fill_mode": "nearest"}, image, True),
    "zoom": ("RandomZoom", {"height_factor": (-0.3, -0.3), "width_factor": (0.2, 0.2)},
             image, True),
    "zoom_same": ("RandomZoom", {"height_factor": (0.25, 0.25), "fill_mode": "constant"},
                  image, True),
    "translation": ("RandomTranslation", {"height_factor": (0.2, 0.2),
                                          "width_factor": (-0.1, -0.1)}, image, True),
    "contrast": ("RandomContrast", {"factor": (-0.5, 0.5)}, image, True),
}
arrays, meta = {}, {}
for name, (cls_name, config, x, training) in CASES.items():
    layer = getattr(keras.layers, cls_name)(**config)
    layer.build(x.shape)
    weights = [rng.standard_normal(w.shape).astype("float32") * 0.5 for w in layer.weights]
    if cls_name not in ("Normalization",):
        layer.set_weights(weights)
    else:
        weights = []
    y = keras.ops.convert_to_numpy(layer(x, training=training))
    arrays[f"{name}/x"] = x
    arrays[f"{name}/y"] = y
    for i, w in enumerate(weights):
        arrays[f"{name}/w{i}"] = w
    meta[name] = {"class": cls_name, "config": config, "training": training,
                  "weights": len(weights)}
# Normalization.adapt on data with an axis of its own
data = rng.standard_normal((50, 4, 3)).astype("float32") * [1, 2, 3] + [0, 1, -1]
norm = keras.layers.Normalization(axis=-1)
norm.adapt(data)
arrays["adapt/data"] = data
arrays["adapt/y"] = keras.ops.convert_to_numpy(norm(data[:5]))
norm2 = keras.layers.Normalization(axis=(1, 2))
norm2.adapt(data)
arrays["adapt2/y"] = keras.ops.convert_to_numpy(norm2(data[:5]))
# the op itself, every fill mode and interpolation, two different transforms
transforms = np.array([[0.9, -0.3, 2.0, 0.4, 1.1, -1.5, 0.0, 0.0],
                       [1.3, 0.2, -3.0, -0.1, 0.8, 2.5, 0.0, 0.0]], dtype="float32")
arrays["affine/transforms"] = transforms
for mode in ("constant", "nearest", "wrap", "mirror", "reflect"):
    for interpolation in ("bilinear", "nearest"):
        y = keras.ops.image.affine_transform(image, transforms, interpolation=interpolation,
                                             fill_mode=mode, fill_value=3.0)
        arrays[f"affine/{mode}/{interpolation}"] = keras.ops.convert_to_numpy(y)
arrays["meta"] = np.array(json.dumps(meta))
os.makedirs(os.path.dirname(OUT), exist_ok=True)
np.savez_compressed(OUT, **arrays)
print("wrote", os.path.abspath(OUT), os.path.getsize(OUT), "bytes")
