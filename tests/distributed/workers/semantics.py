"""fit(distributed=True)'s bookkeeping on several ranks, reported by rank 0 in OUT_DIR/result.json.

    mpiexec -n N python semantics.py OUT_DIR

An MLP on a toy problem, with validation data, EarlyStopping (patience 0 on a loss that soon
stops improving), a CSVLogger and a ModelCheckpoint whose file names carry the rank. Each
rank's History is hashed: every rank must hold the same (averaged) logs. Rank 0 then
evaluates the final model on the whole validation set in this one process: the val_ logs of
the last epoch must equal that.
"""

import hashlib
import json
import os
import sys

import numpy as np

import lamina.distributed as dist
from lamina.callbacks import CSVLogger, EarlyStopping, ModelCheckpoint
from lamina.layers import Dense, Input
from lamina.models import Sequential


def main():
    out = sys.argv[1]
    dist.init(timeout=60)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(512, 6)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] ** 2 > 1).astype(np.int64)
    xv = rng.normal(size=(203, 6)).astype(np.float32)  # 203: not a multiple of 2 or 4
    yv = (xv[:, 0] + xv[:, 1] ** 2 > 1).astype(np.int64)
    model = Sequential([Input(shape=(6,)), Dense(16, activation="relu"),
                        Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    r = dist.rank()
    callbacks = [EarlyStopping(monitor="val_loss", patience=0, min_delta=0.05),
                 CSVLogger(os.path.join(out, f"log_{r}.csv")),
                 ModelCheckpoint(os.path.join(out, f"ckpt_{r}.lamina"))]
    history = model.fit(x, y, batch_size=32, epochs=30, validation_data=(xv, yv),
                        callbacks=callbacks, verbose=0, distributed=True)
    text = json.dumps(history.history, sort_keys=True).encode()
    digest = np.frombuffer(hashlib.sha256(text).digest(), dtype=np.uint8).astype(np.float64)
    same = bool((dist.allreduce(digest) == digest * dist.size()).all())
    if r == 0:
        evaluated = model.evaluate(xv, yv, batch_size=64, verbose=0, return_dict=True)
        with open(os.path.join(out, "result.json"), "w") as f:
            json.dump({"history": history.history, "same_history_on_all_ranks": same,
                       "evaluated": evaluated, "epochs_run": len(history.history["loss"]),
                       "files": sorted(os.listdir(out))}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
