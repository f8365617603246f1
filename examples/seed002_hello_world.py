"""Seed 002's "hello world" for deep learning, on lamina, three ways.

    python examples/seed002_hello_world.py

The 784-500(sigmoid)-500(sigmoid)-10(softmax) network of the slides, trained with
SGD(lr=0.1), batch 100, nb_epoch=20, written with the slides' Keras 1 names (lamina
accepts them with a deprecation warning):

1. with the square error (``loss='mse'``);
2. with cross-entropy (``loss='categorical_crossentropy'``): "when using softmax
   output layer, choose cross entropy";
3. with cross-entropy and ``dropout(0.8)`` after each hidden layer, as on the slide.

The slides use MNIST digits; on a machine without them we use Fashion-MNIST (same
shapes, 10 classes). ``LAMINA_EXAMPLE_EPOCHS`` and ``LAMINA_EXAMPLE_LIMIT`` shorten
the run (the tests use them).
"""

import os
import time
import warnings

import data
from lamina.layers import Activation, Dense, Dropout
from lamina.models import Sequential
from lamina.optimizers import SGD

warnings.filterwarnings("ignore", category=DeprecationWarning)  # the slides' Keras 1 names
EPOCHS = int(os.environ.get("LAMINA_EXAMPLE_EPOCHS", "20"))

x_train = data.x_train.reshape(len(data.x_train), 28 * 28)
x_test = data.x_test.reshape(len(data.x_test), 28 * 28)
y_train, y_test = data.y_train, data.y_test


def hello_world(loss, dropout=None):
    model = Sequential()
    model.add(Dense(input_dim=28 * 28, output_dim=500))
    model.add(Activation('sigmoid'))
    if dropout:
        model.add(Dropout(dropout, seed=1))
    model.add(Dense(output_dim=500))
    model.add(Activation('sigmoid'))
    if dropout:
        model.add(Dropout(dropout, seed=2))
    model.add(Dense(output_dim=10))
    model.add(Activation('softmax'))

    model.compile(loss=loss,
                  optimizer=SGD(lr=0.1),
                  metrics=['accuracy'])
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=100, nb_epoch=EPOCHS, verbose=2, seed=0)
    seconds = (time.perf_counter() - start) / max(EPOCHS, 1)

    score = model.evaluate(x_test, y_test, verbose=0)
    print('Total loss on Testing Set:', score[0])
    print('Accuracy of Testing Set:', score[1])
    result = model.predict(x_test, verbose=0)
    assert result.shape == (len(x_test), 10)
    return score[1], seconds


if __name__ == "__main__":
    runs = {
        "square error (mse)": hello_world('mse'),
        "cross-entropy": hello_world('categorical_crossentropy'),
        "cross-entropy + dropout(0.8)": hello_world('categorical_crossentropy', dropout=0.8),
    }
    print(f"\n{'setting':<30} {'test accuracy':>14} {'s/epoch':>8}")
    for name, (acc, sec) in runs.items():
        print(f"{name:<30} {acc:>14.4f} {sec:>8.2f}")
