"""2 ranks x 1 thread against 1 process x 1 thread: one seed-CNN epoch on Fashion-MNIST.

    .venv/bin/python benchmarks/scaling_speed.py [--batch 32] [--limit 60000] [--ranks 2]

Runs the same script twice, alone and under ``mpiexec -n RANKS`` (LAMINA_NUM_THREADS=1 and
OPENBLAS_NUM_THREADS=1 in both), each training seed 001's CNN for one epoch with Adam at
the global batch --batch (each rank takes --batch / RANKS of it: fit(distributed=True)).
Each process reports the wall time of ``fit``, its own CPU time (user + system) and the
time it spent in collectives; the speed-up is printed in wall time and in CPU time (the
slowest rank's): on a machine shared with other work the wall time depends on the others'
load, the CPU time much less. Needs Fashion-MNIST (scripts/get-fashion-mnist.sh).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path


def worker(args):
    import numpy as np

    import lamina.distributed as dist
    import lamina.random
    from lamina.datasets import fashion_mnist
    from lamina.layers import Conv2D, Dense, Flatten, Input, MaxPooling2D
    from lamina.models import Sequential

    dist.init()
    (x, y), _ = fashion_mnist.load_data()
    x = (x[:args.limit].astype("float32") / 255.0)[..., None]
    y = y[:args.limit].astype(np.int64)
    lamina.random.set_random_seed(0)
    model = Sequential([Input(shape=(28, 28, 1)), Conv2D(16, (3, 3)),
                        MaxPooling2D(pool_size=(2, 2)), Conv2D(16, (3, 3)), Flatten(),
                        Dense(128, activation="relu"), Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    dist.reset_comm_stats()
    cpu0, wall0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    history = model.fit(x, y, batch_size=args.batch, epochs=1, seed=0, verbose=0,
                        distributed=dist.size() > 1)
    wall = time.perf_counter() - wall0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    stats = dist.comm_stats()
    steps = len(x) // args.batch + (len(x) % args.batch >= dist.size())
    row = np.array([wall, cpu, stats["seconds"]])
    rows = dist.allreduce(row[None, :].repeat(dist.size(), 0) *
                          (np.arange(dist.size()) == dist.rank())[:, None])
    if dist.rank() == 0:
        print(json.dumps({"ranks": dist.size(), "steps": steps,
                          "loss": history.history["loss"][-1],
                          "wall": rows[:, 0].tolist(), "cpu": rows[:, 1].tolist(),
                          "comm": rows[:, 2].tolist(),
                          "bytes_per_step": stats["bytes"] / max(stats["calls"], 1)}))


def launch(args, ranks):
    env = dict(os.environ, LAMINA_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    command = [sys.executable, __file__, "--worker", "--batch", str(args.batch),
               "--limit", str(args.limit)]
    if ranks > 1:
        mpiexec = Path(sys.executable).parent / "mpiexec"
        command = [str(mpiexec if mpiexec.exists() else "mpiexec"), "-n", str(ranks), *command]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=32, help="global batch")
    parser.add_argument("--limit", type=int, default=60000, help="training images")
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    one = launch(args, 1)
    many = launch(args, args.ranks)
    print(f"seed CNN, {args.limit} images, global batch {args.batch}, Adam, 1 thread per "
          "process")
    for r in (one, many):
        print(f"  {r['ranks']} process(es): wall {max(r['wall']):.2f} s, CPU per rank "
              f"{', '.join(f'{c:.2f}' for c in r['cpu'])} s, in collectives "
              f"{', '.join(f'{c:.2f}' for c in r['comm'])} s "
              f"({1e3 * max(r['comm']) / r['steps']:.2f} ms per step of {r['steps']}), "
              f"final loss {r['loss']:.4f}")
    print(f"speed-up: wall {max(one['wall']) / max(many['wall']):.2f}x, CPU (slowest rank) "
          f"{max(one['cpu']) / max(many['cpu']):.2f}x; total CPU "
          f"{sum(many['cpu']) / sum(one['cpu']):.2f}x one process's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
