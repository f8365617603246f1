"""The per-step cost of data parallelism alone: gradients averaged and weights updated.

    mpiexec -n 2 .venv/bin/python benchmarks/scaling_step.py [--steps 60] [--blocks 10]

No forward or backward pass: every rank hands the seed CNN's gradients (fixed random arrays,
251,706 float32) to each of the ways ``fit(distributed=True)`` can finish a step, taking
turns in blocks of --steps steps (the ranks start each block together, after a barrier):

* ``allreduce``: the fused all-reduce of the gradients (lamina.distributed.fused), then the
  whole Adam update on every rank;
* ``sharded MPI``: reduce-scatter, Adam on the rank's half, all-gather of the weights
  (lamina.distributed.sharded, as between machines);
* ``sharded shm``: the same through shared memory (lamina.distributed._node: the ranks on
  one machine);
* ``alone``: the whole Adam update and nothing else: what one process pays.

Prints, per way, the median over the blocks of the wall and CPU milliseconds per step of
each rank. The ranks run in lock-step here, so this is communication and update cost
without the wait for a slower rank. CPU time counts the time MPI spends polling, too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60, help="steps per block")
    parser.add_argument("--blocks", type=int, default=10, help="blocks per way, in turns")
    args = parser.parse_args()

    import lamina.distributed as dist
    import lamina.random
    from lamina.distributed import _world
    from lamina.distributed.fused import FusedAllreduce
    from lamina.distributed.sharded import ShardedUpdate
    from lamina.layers import Conv2D, Dense, Flatten, Input, MaxPooling2D
    from lamina.models import Sequential
    from lamina.optimizers import Adam

    dist.init()

    def seed_cnn():
        lamina.random.set_random_seed(0)
        return Sequential([Input(shape=(28, 28, 1)), Conv2D(16, (3, 3)),
                           MaxPooling2D(pool_size=(2, 2)), Conv2D(16, (3, 3)), Flatten(),
                           Dense(128, activation="relu"), Dense(10, activation="softmax")])

    names = ("allreduce", "sharded MPI", "sharded shm", "alone")
    models = {name: seed_cnn().trainable_weights for name in names}  # one set per way
    rng = np.random.default_rng(dist.rank())
    grads = [rng.normal(0, 1e-3, v.data.shape).astype(v.data.dtype)
             for v in models["alone"]]
    shapes = [g.shape for g in grads]
    optimizers = {name: Adam(1e-6) for name in names}
    fused = FusedAllreduce()
    sharded = {name: ShardedUpdate(optimizers[name]) for name in names[1:3]}

    def allreduce():
        averaged, _ = fused(grads, shapes, [1.0])
        optimizers["allreduce"].apply(averaged, models["allreduce"])

    def shard(name):
        sharded[name](list(zip(grads, models[name])), [1.0])

    def alone():
        optimizers["alone"].apply(grads, models["alone"])

    for name, memory in (("sharded MPI", "0"), ("sharded shm", "1")):  # lay them out
        os.environ["LAMINA_DISTRIBUTED_SHARED_MEMORY"] = memory
        shard(name)
    ways = {"allreduce": allreduce, "sharded MPI": lambda: shard("sharded MPI"),
            "sharded shm": lambda: shard("sharded shm"), "alone": alone}
    times = {name: [] for name in ways}
    for block in range(args.blocks + 1):
        for name, way in ways.items():
            _world._wait(_world.WORLD.comm.Ibarrier(), "the block barrier") \
                if dist.size() > 1 else None
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(args.steps):
                way()
            if block:  # the first block warms up
                times[name].append(((time.perf_counter() - wall) / args.steps * 1e3,
                                    (time.process_time() - cpu) / args.steps * 1e3))
    rows = np.zeros((dist.size(), len(ways), 2))
    for i, name in enumerate(ways):
        rows[dist.rank(), i] = [statistics.median(t[0] for t in times[name]),
                                statistics.median(t[1] for t in times[name])]
    rows = dist.allreduce(rows)
    if dist.rank() == 0:
        print(f"{dist.size()} ranks, {args.blocks} blocks of {args.steps} steps, medians, "
              "ms per step: wall (CPU) per rank")
        for i, name in enumerate(ways):
            cells = "  ".join(f"{w:6.3f} ({c:6.3f})" for w, c in rows[:, i])
            print(f"  {name:<12} {cells}")
    for update in sharded.values():
        update.release()
    return 0


if __name__ == "__main__":
    sys.exit(main())
