"""The ``data`` module that seed 001's program imports: Fashion-MNIST, ready for a CNN.

``x_train``/``x_test`` are float32 images in [0, 1] shaped (N, 28, 28, 1) (channels
last); ``y_train``/``y_test`` are one-hot (N, 10); ``n_classes`` is 10. Set
``LAMINA_EXAMPLE_LIMIT=1000`` to use only the first 1000 images of each split
(the tests do, to stay fast).
"""

import os

import numpy as np

from lamina.datasets import fashion_mnist

_limit = int(os.environ.get("LAMINA_EXAMPLE_LIMIT", "0")) or None
(_x_train, _y_train), (_x_test, _y_test) = fashion_mnist.load_data()

n_classes = 10
class_names = list(fashion_mnist.CLASS_NAMES)
x_train = (_x_train[:_limit].astype("float32") / 255.0)[..., None]
x_test = (_x_test[:_limit].astype("float32") / 255.0)[..., None]
labels_train = _y_train[:_limit].astype("int64")
labels_test = _y_test[:_limit].astype("int64")
y_train = np.eye(n_classes, dtype="float32")[labels_train]
y_test = np.eye(n_classes, dtype="float32")[labels_test]
