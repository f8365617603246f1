"""Fashion-MNIST on several processes with lamina.distributed (data-parallel, over MPI).

    mpiexec -n 2 .venv/bin/python examples/distributed_fashion_mnist.py [--epochs 3]
    mpiexec -n 2 .venv/bin/python examples/distributed_fashion_mnist.py --quick
    .venv/bin/python examples/distributed_fashion_mnist.py          # also runs alone

Every rank runs this same program. ``fit(distributed=True)`` starts all ranks from rank 0's
weights, gives each rank its share of every global batch of --batch-size images, averages
the gradients over the ranks once per step, and averages the epoch's metrics and validation
results (each rank validates on its own part of the validation set). Batch normalization
uses the statistics of the whole global batch (``synchronized=True``), so the training is
the one-process training at that batch size. Only rank 0 prints, checkpoints and tests.
Needs Fashion-MNIST (scripts/get-fashion-mnist.sh) and ``pip install 'lamina[mpi]'``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

import lamina.distributed as dist
from lamina.callbacks import EarlyStopping, ModelCheckpoint
from lamina.layers import (
    BatchNormalization,
    Conv2D,
    Dense,
    Flatten,
    Input,
    MaxPooling2D,
    ReLU,
)
from lamina.models import Sequential


def build() -> Sequential:
    """Two convolution blocks (convolution without bias, synchronized batch norm, ReLU, max
    pooling) and a dense classifier."""
    def block(filters):
        return [Conv2D(filters, (3, 3), padding="same", use_bias=False),
                BatchNormalization(momentum=0.9, synchronized=True), ReLU(),
                MaxPooling2D((2, 2))]

    return Sequential([Input(shape=(28, 28, 1)), *block(32), *block(64), Flatten(),
                       Dense(128, activation="relu"), Dense(10, activation="softmax")],
                      name="distributed_fashion_mnist")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128,
                        help="the global batch (a multiple of the number of ranks)")
    parser.add_argument("--learning-rate", type=float, default=1e-3,
                        help="Adam's learning rate, for the global batch")
    parser.add_argument("--quick", action="store_true",
                        help="2,048 training and 1,000 test images, one epoch")
    parser.add_argument("--out", default=None, help="directory for the rank-0 checkpoint")
    args = parser.parse_args(argv)

    dist.init()
    say = print if dist.rank() == 0 else (lambda *a, **k: None)
    import lamina.random
    from lamina.datasets import fashion_mnist
    from lamina.optimizers import Adam

    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    if args.quick:
        args.epochs = 1
        x_train, y_train, x_test, y_test = x_train[:2048], y_train[:2048], x_test[:1000], \
            y_test[:1000]
    x_train = (x_train.astype("float32") / 255.0)[..., None]
    x_test = (x_test.astype("float32") / 255.0)[..., None]
    y_train, y_test = y_train.astype(np.int64), y_test.astype(np.int64)
    say(f"{dist.size()} rank(s); global batch {args.batch_size} = {dist.size()} x "
        f"{args.batch_size // dist.size()}; train {x_train.shape}, test {x_test.shape}",
        flush=True)

    lamina.random.set_random_seed(0)  # rank 0's initial weights are broadcast anyway
    model = build()
    model.compile(optimizer=Adam(args.learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    callbacks = [EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)]
    if args.out:  # ModelCheckpoint writes on rank 0 only
        os.makedirs(args.out, exist_ok=True)
        callbacks.append(ModelCheckpoint(os.path.join(args.out, "best.lamina"),
                                         save_best_only=True))
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs,
              validation_split=0.1, seed=0, callbacks=callbacks, verbose=2, distributed=True)
    seconds = time.perf_counter() - start
    stats = dist.comm_stats()
    say(f"training: {seconds:.1f} s; rank 0 spent {stats['seconds']:.2f} s in "
        f"{stats['calls']} collectives ({stats['bytes'] / 1e6:.0f} MB)")
    if dist.rank() == 0:  # every rank holds the same weights; one tests
        accuracy = float((model.predict(x_test, batch_size=500, verbose=0).argmax(axis=1)
                          == y_test).mean())
        print(f"test accuracy: {accuracy:.4f} on {len(x_test)} images")
    return 0


if __name__ == "__main__":
    sys.exit(main())
