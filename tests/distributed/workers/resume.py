"""A 2-rank fit with BackupAndRestore: unbroken, crashed at epoch 2, or relaunched.

    mpiexec -n 2 python resume.py OUT_DIR unbroken|crash|resume

crash: rank 1 raises at the start of epoch 2 (the job ends; the backup of epoch 1 stays);
resume: the same fit relaunched, which restores the backup on every rank and runs epochs
2-3. Rank 0 writes its final weights to OUT_DIR/MODE.npz (unbroken and resume).
"""

import os
import sys

import numpy as np

import lamina.distributed as dist
from lamina.callbacks import BackupAndRestore, Callback
from lamina.layers import Dense, Input
from lamina.models import Sequential


class Crash(Callback):
    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 2 and dist.rank() == 1:
            raise RuntimeError("rank 1 crashes at epoch 2")


def main():
    out, mode = sys.argv[1], sys.argv[2]
    dist.init(timeout=30)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(96, 5)).astype(np.float32), rng.integers(0, 3, 96)
    import lamina.random

    lamina.random.set_random_seed(0)
    model = Sequential([Input(shape=(5,)), Dense(8, activation="tanh"),
                        Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    callbacks = [BackupAndRestore(os.path.join(out, f"backup_{mode == 'unbroken'}"))]
    if mode == "crash":
        callbacks.append(Crash())
    model.fit(x, y, batch_size=16, epochs=4, seed=0, verbose=0, callbacks=callbacks,
              distributed=True)
    if dist.rank() == 0:
        np.savez(os.path.join(out, f"{mode}.npz"), *[w.data for w in model.weights])
    return 0


if __name__ == "__main__":
    sys.exit(main())
