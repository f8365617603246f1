"""Results never depend on what ran earlier in the process (issue 13, section 2).

An MLP's products are big enough to be cut over the threads, a CNN splits its batch over
them; the way a product is cut must not change after a CNN ran, or an MLP trained after a CNN
would round differently from the same MLP trained alone.
"""

import subprocess
import sys

import numpy as np

from lamina import parallel

TRAIN = """
import numpy as np
from lamina import random as lrandom
from lamina.layers import Conv2D, Dense, Flatten, Input, MaxPooling2D
from lamina.models import Sequential


def train_mlp():
    lrandom.set_random_seed(7)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 300)).astype("float32")
    y = np.eye(10, dtype="float32")[rng.integers(0, 10, 256)]
    model = Sequential([Input(shape=(300,)), Dense(256, activation="sigmoid"),
                        Dense(256, activation="relu"), Dense(10, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    model.fit(x, y, batch_size=128, epochs=2, shuffle=False, verbose=0)
    return [w.copy() for w in model.get_weights()]


def train_cnn():
    lrandom.set_random_seed(3)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((64, 12, 12, 1)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 64)]
    model = Sequential([Input(shape=(12, 12, 1)), Conv2D(8, 3, activation="relu"),
                        MaxPooling2D(2), Flatten(), Dense(3, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    model.fit(x, y, batch_size=32, epochs=1, verbose=0)
"""


def _namespace():
    space = {}
    exec(TRAIN, space)  # the same code runs here and in the fresh process below
    return space


def test_the_same_mlp_gives_the_same_bits_before_and_after_a_cnn():
    space = _namespace()
    parallel.set_num_threads(2)
    try:
        first = space["train_mlp"]()
        space["train_cnn"]()
        second = space["train_mlp"]()
    finally:
        parallel.set_num_threads(parallel._default_threads())
    assert len(first) == 6
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert np.abs(first[0]).max() > 0  # trained weights, not an empty list


def test_an_mlp_after_a_cnn_gives_the_bits_of_a_fresh_process(tmp_path):
    space = _namespace()
    parallel.set_num_threads(2)
    try:
        space["train_cnn"]()
        here = space["train_mlp"]()
    finally:
        parallel.set_num_threads(parallel._default_threads())
    out = tmp_path / "weights.npz"
    code = TRAIN + (f"\nfrom lamina import parallel\nparallel.set_num_threads(2)\n"
                    f"np.savez({str(out)!r}, *train_mlp())\n")
    subprocess.run([sys.executable, "-c", code], check=True)
    fresh = np.load(out)
    for i, w in enumerate(here):
        np.testing.assert_array_equal(w, fresh[f"arr_{i}"])
