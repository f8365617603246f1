"""A 2-rank fit in which rank 1 fails at step 3 in the way named by argv[1].

    mpiexec -n 2 python faults.py raise|exit|kill|hang

raise: an exception; exit: os._exit(3) (dies without a word); kill: SIGKILL; hang: sleeps
(rank 0's watchdog, set to 3 s here, must end the job).
"""

import os
import signal
import sys
import time

import numpy as np

import lamina.distributed as dist
from lamina.callbacks import Callback
from lamina.layers import Dense, Input
from lamina.models import Sequential


class Fail(Callback):
    def __init__(self, how):
        super().__init__()
        self.how = how

    def on_train_batch_begin(self, batch, logs=None):
        if dist.rank() != 1 or batch != 3:
            return
        if self.how == "raise":
            raise ValueError("boom on rank 1")
        if self.how == "exit":
            os._exit(3)
        if self.how == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(600)


def main():
    dist.init(timeout=3)
    rng = np.random.default_rng(0)
    x, y = rng.random((400, 8), dtype=np.float32), rng.integers(0, 2, 400)
    model = Sequential([Input(shape=(8,)), Dense(4, activation="relu"),
                        Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=8, epochs=50, verbose=0, callbacks=[Fail(sys.argv[1])],
              distributed=True)
    print("finished without the failure", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
