"""Train the seed CNN for a number of steps; run alone (the reference) or under mpiexec.

    python equality.py OUT_DIR [--steps 50] [--batch 8]
    mpiexec -n 2 python equality.py OUT_DIR ...

Runs every configuration of CONFIGS (optimizer, dtype, batch norm) one after the other.
The global batch is --batch in every run: alone, one process trains at that batch; under
mpiexec each rank trains on its --batch / n share (fit(distributed=True)). Rank 0 writes
the final weights, the last loss and the communication counters of each configuration to
OUT_DIR/NAME.npz; every rank's weights are compared bit for bit with rank 0's.
"""

import argparse
import hashlib
import sys

import numpy as np

import lamina.distributed as dist
from lamina.constraints import MaxNorm
from lamina.layers import BatchNormalization, Conv2D, Dense, Flatten, Input, MaxPooling2D, ReLU
from lamina.models import Sequential
from lamina.optimizers import SGD, Adam


def seed_cnn(bn: bool, constrained: bool = False):
    import lamina.random

    lamina.random.set_random_seed(0)
    if constrained:  # a constraint on the big kernel: applied on the whole after each update
        return Sequential([Input(shape=(28, 28, 1)), Conv2D(16, (3, 3)),
                           MaxPooling2D(pool_size=(2, 2)), Conv2D(16, (3, 3)), Flatten(),
                           Dense(128, activation="relu", kernel_constraint=MaxNorm(0.3)),
                           Dense(10, activation="softmax")])
    if not bn:  # seed 001's network
        return Sequential([Input(shape=(28, 28, 1)), Conv2D(16, (3, 3)),
                           MaxPooling2D(pool_size=(2, 2)), Conv2D(16, (3, 3)), Flatten(),
                           Dense(128, activation="relu"), Dense(10, activation="softmax")])
    # With batch norm in its usual place: convolution without bias -> BN -> ReLU. (A bias
    # before BN, or a BN offset followed only by linear layers and another BN, has a gradient
    # that is exactly zero in exact arithmetic; Adam turns its rounding noise into steps of
    # the learning rate's size, different in any two summation orders.)
    return Sequential([Input(shape=(28, 28, 1)), Conv2D(16, (3, 3), use_bias=False),
                       BatchNormalization(synchronized=True), ReLU(),
                       MaxPooling2D(pool_size=(2, 2)), Conv2D(16, (3, 3), use_bias=False),
                       BatchNormalization(synchronized=True), ReLU(), Flatten(),
                       Dense(128, activation="relu"), Dense(10, activation="softmax")])


#: (name, optimizer, floatx, synchronized batch norm; None: no BN, a MaxNorm constraint)
CONFIGS = [("adam_f32", "adam", "float32", False), ("adam_f32_bn", "adam", "float32", True),
           ("adam_f64", "adam", "float64", False), ("adam_f64_bn", "adam", "float64", True),
           ("sgd_f32", "sgd", "float32", False), ("adam_f32_maxnorm", "adam", "float32", None)]


def run(name, optimizer, dtype, bn, args):
    from lamina.backend import floatx, set_floatx

    previous = floatx()
    set_floatx(dtype)
    try:
        train(name, optimizer, bn, args)
    finally:
        set_floatx(previous)


def train(name, optimizer, bn, args):
    rng = np.random.default_rng(1)
    n = args.steps * args.batch
    x = rng.random((n, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, n)
    model = seed_cnn(bool(bn), constrained=bn is None)
    model.compile(optimizer=Adam(1e-3) if optimizer == "adam" else SGD(0.1),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    dist.reset_comm_stats()
    history = model.fit(x, y, batch_size=args.batch, epochs=1, seed=3, verbose=0,
                        distributed=dist.size() > 1)
    weights = [w.data for w in model.weights]
    digest = np.frombuffer(hashlib.sha256(b"".join(w.tobytes() for w in weights)).digest(),
                           dtype=np.uint8).astype(np.float64)
    same = dist.allreduce(digest) == digest * dist.size()
    stats = dist.comm_stats()
    # the optimizer's state: whole on every rank after fit, also when the update was sharded
    state = model.optimizer.get_state()
    slots = {f"slot_{k.replace('/', '_')}": v for k, v in state.items() if "/" in k}
    state_digest = np.frombuffer(hashlib.sha256(b"".join(
        state[k].tobytes() for k in sorted(state))).digest(), dtype=np.uint8).astype(np.float64)
    same_state = dist.allreduce(state_digest) == state_digest * dist.size()
    if dist.rank() == 0:
        np.savez(f"{args.out}/{name}.npz", *weights, loss=history.history["loss"][-1],
                 accuracy=history.history["accuracy"][-1], same_on_all_ranks=bool(same.all()),
                 same_state_on_all_ranks=bool(same_state.all()),
                 iterations=int(state["iterations"]), comm_calls=stats["calls"],
                 comm_bytes=stats["bytes"], **slots)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--only", default=None, help="one configuration's name")
    args = parser.parse_args()
    dist.init(timeout=60)
    for name, optimizer, dtype, bn in CONFIGS:
        if args.only in (None, name):
            run(name, optimizer, dtype, bn, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
