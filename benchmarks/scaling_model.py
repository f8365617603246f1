"""How far data-parallel training scales beyond this machine: the ring all-reduce cost model.

    .venv/bin/python benchmarks/scaling_model.py [--batch 32] [--threads 2] [--steps 3]

For the seed CNN (seed 001) and a ResNet-ish network (lamina.applications.ResNet18 with the
CIFAR stem, 32x32x3 inputs, 10 classes) this measures, on this machine, the compute time of
one training step at the per-machine batch (forward, backward, Adam; median of --steps
after a warm-up) and the bytes every step reduces (float32 gradients, one fused buffer).
It then predicts the step time on p machines with the alpha-beta model of a ring
all-reduce of M bytes (Patarasuk & Yuan 2009; Thakur, Rabenseifner & Gropp 2005):

    T_allreduce(p) = 2 (p - 1) alpha + 2 (p - 1) / p * M / bandwidth

(a reduce-scatter then an all-gather, each p - 1 rounds of M / p bytes). lamina reduces once
after the backward pass (no overlap with compute), so a step takes T_compute +
T_allreduce(p), and with the per-machine batch fixed (weak scaling) the efficiency is

    E(p) = T_compute / (T_compute + T_allreduce(p)),   speed-up S(p) = p E(p).

Networks (--alpha-us and --gbytes-s override): 10 GbE, alpha 30 us (TCP through the MPI
stack), 1.1 GB/s of 1.25; 100 Gb InfiniBand EDR, alpha 1.5 us, 11 GB/s of 12.5.
The result table is printed in Markdown and written to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy
from _timing import RESULTS_DIR

NETWORKS = {"10 GbE": (30e-6, 1.1e9), "100 Gb IB": (1.5e-6, 11e9)}
MACHINES = (2, 4, 8, 16, 32, 64)


def seed_cnn():
    from lamina.layers import Conv2D, Dense, Flatten, Input, MaxPooling2D
    from lamina.models import Sequential

    return Sequential([Input(shape=(28, 28, 1)), Conv2D(16, (3, 3)),
                       MaxPooling2D(pool_size=(2, 2)), Conv2D(16, (3, 3)), Flatten(),
                       Dense(128, activation="relu"), Dense(10, activation="softmax")]), \
        (28, 28, 1)


def resnet_ish():
    from lamina.applications import ResNet18

    return ResNet18(input_shape=(32, 32, 3), classes=10, stem="cifar"), (32, 32, 3)


def measure(build, batch, steps):
    """(seconds per step, bytes reduced per step, parameters)."""
    import lamina.random

    lamina.random.set_random_seed(0)
    model, shape = build()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    rng = numpy.random.default_rng(0)
    x = rng.random((batch, *shape), dtype=numpy.float32)
    y = rng.integers(0, 10, batch)
    times = []
    for i in range(steps + 1):  # the first step builds the optimizer: not timed
        start = time.perf_counter()
        model.train_on_batch(x, y)
        if i:
            times.append(time.perf_counter() - start)
    params = sum(w.data.size for w in model.trainable_weights)
    return statistics.median(times), 4 * params, params


def allreduce_seconds(p, nbytes, alpha, bandwidth):
    return 2 * (p - 1) * alpha + 2 * (p - 1) / p * nbytes / bandwidth


def table(rows):
    """Markdown: one row per model and network, efficiency (speed-up) per machine count."""
    lines = ["| model | compute/step | gradient | network | "
             + " | ".join(f"p={p}" for p in MACHINES) + " |",
             "|---|---:|---:|---|" + "---:|" * len(MACHINES)]
    for name, compute, nbytes, _ in rows:
        for net, (alpha, bandwidth) in NETWORKS.items():
            cells = []
            for p in MACHINES:
                e = compute / (compute + allreduce_seconds(p, nbytes, alpha, bandwidth))
                cells.append(f"{e:.0%} ({p * e:.1f}x)")
            lines.append(f"| {name} | {compute * 1e3:.1f} ms | {nbytes / 1e6:.2f} MB | {net} | "
                         + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=32, help="per-machine batch")
    parser.add_argument("--threads", type=int, default=2, help="lamina threads (one machine)")
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--alpha-us", type=float, default=None)
    parser.add_argument("--gbytes-s", type=float, default=None)
    args = parser.parse_args()
    if args.alpha_us is not None or args.gbytes_s is not None:
        NETWORKS["custom"] = ((args.alpha_us or 30.0) * 1e-6, (args.gbytes_s or 1.1) * 1e9)
    from lamina import parallel

    parallel.set_num_threads(args.threads)
    rows = []
    for name, build in (("seed CNN", seed_cnn), ("ResNet-18 (CIFAR stem)", resnet_ish)):
        compute, nbytes, params = measure(build, args.batch, args.steps)
        rows.append((name, compute, nbytes, params))
        print(f"{name}: {params:,} parameters, {nbytes / 1e6:.2f} MB reduced per step, "
              f"{compute * 1e3:.1f} ms compute per step at batch {args.batch} "
              f"({args.threads} threads)", flush=True)
    print("\nEfficiency E(p) (speed-up p E(p)), per-machine batch", args.batch)
    print(table(rows))
    print("\nCompute-to-communication balance: the gradient must cross the network twice per "
          "step; E(p) >= 50% while 2 M / bandwidth + 2 (p - 1) alpha <= T_compute.")
    for name, compute, nbytes, _ in rows:
        for net, (alpha, bandwidth) in NETWORKS.items():
            half = [p for p in range(2, 4097)
                    if allreduce_seconds(p, nbytes, alpha, bandwidth) > compute]
            at = half[0] if half else None
            print(f"  {name}, {net}: bandwidth term alone {2 * nbytes / bandwidth * 1e3:.2f} ms "
                  f"of {compute * 1e3:.1f} ms compute; E < 50% from p = {at or '> 4096'}")
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"scaling_model-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps({"batch": args.batch, "threads": args.threads,
                                "networks": NETWORKS, "rows": rows}, indent=1))
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
