"""Layers frozen during a data-parallel fit: the sharded update lays out its chunks again.

    python trainable.py OUT.npz            # the reference, one process at batch 16
    mpiexec -n 2 python trainable.py OUT.npz

float64, 3 epochs of 8 steps of Adam; the first layer is frozen at the end of epoch 0 and
the second in the middle of epoch 1 (after its 4th batch). Rank 0 writes the final weights
and the optimizer state, and whether every rank holds the same.
"""

import hashlib
import sys

import numpy as np

import lamina.distributed as dist
import lamina.random
from lamina.backend import set_floatx
from lamina.callbacks import Callback
from lamina.layers import Dense, Input
from lamina.models import Sequential


class Freeze(Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 0:
            self.model.layers[0].trainable = False

    def on_train_batch_end(self, batch, logs=None):
        if self.model.layers[0].trainable is False and batch == 3:
            self.model.layers[1].trainable = False


def _digest(arrays):
    return np.frombuffer(hashlib.sha256(b"".join(a.tobytes() for a in arrays)).digest(),
                         dtype=np.uint8).astype(np.float64)


def main():
    dist.init(timeout=60)
    set_floatx("float64")
    rng = np.random.default_rng(0)
    x, y = rng.random((128, 8)), rng.integers(0, 3, 128)
    lamina.random.set_random_seed(0)
    model = Sequential([Input(shape=(8,)), Dense(16, activation="tanh"),
                        Dense(16, activation="tanh"), Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=16, epochs=3, seed=1, verbose=0, callbacks=[Freeze()],
              distributed=dist.size() > 1)
    weights = [w.data for w in model.weights]
    state = model.optimizer.get_state()
    same = [bool((dist.allreduce(d) == d * dist.size()).all())
            for d in (_digest(weights), _digest([state[k] for k in sorted(state)]))]
    if dist.rank() == 0:
        np.savez(sys.argv[1], *weights, same_weights=same[0], same_state=same[1],
                 **{f"slot_{k.replace('/', '_')}": v for k, v in state.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
