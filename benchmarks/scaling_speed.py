"""2 ranks x 1 thread against 1 process x 1 thread: one seed-CNN epoch on Fashion-MNIST.

    .venv/bin/python benchmarks/scaling_speed.py [--batch 128] [--limit 60000] [--ranks 2]
        [--repeats 3] [--phases] [--ceiling] [--bind-to core]

Runs the same script alone and under ``mpiexec -n RANKS`` (LAMINA_NUM_THREADS=1 and
OPENBLAS_NUM_THREADS=1 in both), taking turns ``--repeats`` times, each training seed 001's
CNN for one epoch with Adam at the global batch --batch (each rank takes --batch / RANKS of
it: fit(distributed=True)). Each process reports the wall time of ``fit``, its own CPU time
(user + system) and the time it spent in collectives; the speed-up is printed in wall time
and in CPU time (the slowest rank's): on a machine shared with other work the wall time
depends on the others' load, the CPU time much less; the others' share of the CPU during
the runs is printed too.

``--phases`` adds a table of where a step's time goes (benchmarks/_phases.py), per rank
against the one process. ``--ceiling`` measures what this machine allows without any
communication: RANKS independent one-process runs started together, each with the one
process's work and each with a rank's work (batch / RANKS on limit / RANKS images), against
the same runs alone; the ceiling speed-up is the one process's time over the slowest of
the RANKS concurrent rank-sized runs. Needs Fashion-MNIST (scripts/get-fashion-mnist.sh).

The ranks start their clocks together (a barrier before ``fit``: otherwise the first rank
would count its wait for the last one's start in the weight broadcast). Each process also
reports what slows a run down without showing in the phases: its page faults, the times
another process took its core (forced switches) and its moves between cores. The two
``RESULT`` lines at the end say what issue 22 asks: the speed-up (the median of the
repeats) and the communication time per step (the time in collectives, and with
``--phases`` its parts per rank). ``--bind-to core`` passes mpiexec's binding (one core per
rank) and runs the one process on core 0. One pair of runs goes first and is not counted
(``--warmup``): in the quiet runs of 20:43 and 21:01 the first one-process run of the spell
was 3-8% faster than the later ones (7.26 against 7.80-7.82 s, 5.58 against 5.74-6.04),
which made the first repeat's ratio the low one (1.54 and 1.48 against 1.62-1.67).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _machine_load import BackgroundLoad  # noqa: E402


def _wait_for_peers(directory, peers):
    """A start line for independent processes: each waits until all ``peers`` arrived."""
    Path(directory, str(os.getpid())).touch()
    while len(os.listdir(directory)) < peers:
        time.sleep(1e-3)


#: what each process counts during its fit (:func:`_usage`): the usual suspects of a slow run
USAGE = ("page faults", "forced switches", "migrations")


def _usage():
    """Minor page faults, involuntary context switches (the core taken by another process)
    and moves to another core, of this process so far (Linux; zeros elsewhere)."""
    try:
        import resource

        ru = resource.getrusage(resource.RUSAGE_SELF)
        with open("/proc/self/sched") as f:
            moves = next((float(line.split(":")[1]) for line in f
                          if line.startswith("se.nr_migrations")), 0.0)
        return [float(ru.ru_minflt), float(ru.ru_nivcsw), moves]
    except (ImportError, OSError):
        return [0.0] * len(USAGE)


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
    phases = None
    if args.phases:
        from _phases import NAMES, Phases

        phases = Phases().install(model)
    if args.sync:
        _wait_for_peers(args.sync, args.peers)
    # the ranks start the clock together: without it the first rank's fit would count its
    # wait for the last one's imports and data loading (the weight broadcast waits for all)
    dist.allreduce(np.zeros(1))
    dist.reset_comm_stats()
    usage0 = _usage()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    fit = dict(x=x, y=y, batch_size=args.batch, epochs=1, seed=0, verbose=0,
               distributed=dist.size() > 1)
    history = phases.fit(model.fit, **fit) if phases else model.fit(**fit)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    stats = dist.comm_stats()
    steps = len(x) // args.batch + (len(x) % args.batch >= dist.size())
    row = [wall, cpu, stats["seconds"], *(b - a for a, b in zip(usage0, _usage()))]
    if phases:
        table = phases.table()
        row += [v for name in NAMES for v in table[name]]
    mine = np.zeros((dist.size(), len(row)))
    mine[dist.rank()] = row
    rows = dist.allreduce(mine)
    if dist.rank() == 0:
        out = {"ranks": dist.size(), "steps": steps, "loss": history.history["loss"][-1],
               "wall": rows[:, 0].tolist(), "cpu": rows[:, 1].tolist(),
               "comm": rows[:, 2].tolist(),
               "usage": rows[:, 3:3 + len(USAGE)].tolist(),
               "bytes_per_step": stats["bytes"] / max(stats["calls"], 1)}
        if phases:
            at = 3 + len(USAGE)
            out["phases"] = {name: rows[:, at + 2 * i:at + 2 + 2 * i].tolist()
                             for i, name in enumerate(NAMES)}
        print(json.dumps(out))


def _command(args, batch, limit, ranks=1, extra=()):
    command = [sys.executable, __file__, "--worker", "--batch", str(batch), "--limit",
               str(limit), *extra]
    if args.phases:
        command.append("--phases")
    if ranks > 1:
        mpiexec = Path(sys.executable).parent / "mpiexec"
        bind = ["-bind-to", args.bind_to] if args.bind_to else []
        command = [str(mpiexec if mpiexec.exists() else "mpiexec"), *bind, "-n", str(ranks),
                   *command]
    return command


def _env():
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PMI_", "OMPI_", "PMIX_", "MPI_LOCAL"))}
    return dict(env, LAMINA_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")


def launch(args, ranks):
    command = _command(args, args.batch, args.limit, ranks)
    if ranks == 1 and args.bind_to:  # the one process on one core too, as mpiexec binds ranks
        command = ["taskset", "-c", "0", *command]
    out = subprocess.run(command, env=_env(),
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def together(args, batch, limit, count):
    """``count`` independent one-process runs started at the same moment; their results."""
    with tempfile.TemporaryDirectory() as sync:
        extra = ("--sync", sync, "--peers", str(count))
        procs = [subprocess.Popen(_command(args, batch, limit, 1, extra), env=_env(),
                                  stdout=subprocess.PIPE, text=True) for _ in range(count)]
        outs = [p.communicate()[0] for p in procs]
    if any(p.returncode for p in procs):
        raise RuntimeError("a ceiling run failed")
    return [json.loads(o.strip().splitlines()[-1]) for o in outs]


def _print_run(r):
    print(f"  {r['ranks']} process(es): wall {max(r['wall']):.2f} s, CPU per rank "
          f"{', '.join(f'{c:.2f}' for c in r['cpu'])} s, in collectives "
          f"{', '.join(f'{c:.2f}' for c in r['comm'])} s "
          f"({1e3 * max(r['comm']) / r['steps']:.2f} ms per step of {r['steps']}), "
          f"final loss {r['loss']:.4f}")
    print("    per rank, " + "; ".join(
        f"{name} {', '.join(f'{u[i]:.0f}' for u in r['usage'])}"
        for i, name in enumerate(USAGE)) + f" (in {r['steps']} steps)")


def _print_phases(one, many):
    print("where a step goes, ms per step, wall (CPU): one process, half of it, each rank")
    for name, cols in one["phases"].items():
        o = [1e3 * v / one["steps"] for v in cols[0]]
        ranks = "  ".join(f"{1e3 * w / many['steps']:6.3f} ({1e3 * c / many['steps']:6.3f})"
                          for w, c in many["phases"][name])
        print(f"  {name:<11} {o[0]:6.3f} ({o[1]:6.3f})  {o[0] / 2:6.3f} ({o[1] / 2:6.3f})  "
              f"{ranks}")


def ceiling(args):
    n = args.ranks
    print("ceiling: independent 1-thread processes, no MPI (started together with --sync)")
    runs = {}
    for batch, limit in ((args.batch, args.limit), (args.batch // n, args.limit // n)):
        alone = together(args, batch, limit, 1)[0]
        group = together(args, batch, limit, n)
        runs[batch] = (alone, group)
        walls, group_cpu = [g["wall"][0] for g in group], [g["cpu"][0] for g in group]
        print(f"  batch {batch}, {limit} images: alone {alone['wall'][0]:.2f} s wall "
              f"({alone['cpu'][0]:.2f} CPU); {n} at once {', '.join(f'{w:.2f}' for w in walls)}"
              f" s wall ({', '.join(f'{c:.2f}' for c in group_cpu)} CPU): each "
              f"{max(walls) / alone['wall'][0]:.2f}x as long")
    full, part = runs[args.batch][0], runs[args.batch // n]
    print(f"  a rank's work alone takes {part[0]['wall'][0] / full['wall'][0]:.3f} of the "
          f"whole's wall time, {part[0]['cpu'][0] / full['cpu'][0]:.3f} of its CPU time "
          f"(1/{n} = {1 / n:.3f}: the rest is per-step cost that does not shrink)")
    print(f"  ceiling speed-up (whole alone / slowest of {n} rank-sized runs at once): "
          f"{full['wall'][0] / max(g['wall'][0] for g in part[1]):.2f}x wall, "
          f"{full['cpu'][0] / max(g['cpu'][0] for g in part[1]):.2f}x CPU")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=128, help="global batch")
    parser.add_argument("--limit", type=int, default=60000, help="training images")
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1, help="pairs of runs, in turns")
    parser.add_argument("--phases", action="store_true", help="per-phase times per rank")
    parser.add_argument("--ceiling", action="store_true", help="the machine's ceiling too")
    parser.add_argument("--warmup", type=int, default=1,
                        help="pairs of runs before the timed ones, not counted")
    parser.add_argument("--bind-to", help="mpiexec's -bind-to for the ranks (e.g. core); "
                        "the one process then runs on core 0")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--sync", help=argparse.SUPPRESS)
    parser.add_argument("--peers", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    print(f"seed CNN, {args.limit} images, global batch {args.batch}, Adam, 1 thread per "
          f"process; load average before: {os.getloadavg()[0]:.2f}")
    for _ in range(args.warmup):  # not counted: the first run of a quiet spell was the odd one
        one, many = launch(args, 1), launch(args, args.ranks)
        print(f"warm-up pair, not counted: 1 process {max(one['wall']):.2f} s, "
              f"{args.ranks} ranks {max(many['wall']):.2f} s")
    walls, cpus, runs = [], [], []
    with BackgroundLoad() as load:
        for repeat in range(args.repeats):
            order = (args.ranks, 1) if repeat % 2 else (1, args.ranks)  # in turns
            one, many = sorted((launch(args, r) for r in order), key=lambda r: r["ranks"])
            runs.append(many)
            for r in (one, many):
                _print_run(r)
            walls.append(max(one["wall"]) / max(many["wall"]))
            cpus.append(max(one["cpu"]) / max(many["cpu"]))
            print(f"speed-up: wall {walls[-1]:.2f}x, CPU (slowest rank) {cpus[-1]:.2f}x; "
                  f"total CPU {sum(many['cpu']) / sum(one['cpu']):.2f}x one process's")
            if args.phases:
                _print_phases(one, many)
        if args.ceiling:
            ceiling(args)
    print(f"other programs' CPU use during the runs: {load.percent:.0f}% of the machine; "
          f"load average after: {os.getloadavg()[0]:.2f}")
    _summary(args, walls, cpus, runs)
    return 0


def _summary(args, walls, cpus, runs):
    """The closing lines: what issue 22 asks, the speed-up and the communication per step."""
    median = statistics.median
    print(f"RESULT {args.ranks} ranks x 1 thread against 1 process x 1 thread, seed CNN epoch "
          f"at global batch {args.batch}: {median(walls):.2f}x faster in wall time (median "
          f"of {len(walls)}: {', '.join(f'{w:.2f}' for w in walls)}), {median(cpus):.2f}x in "
          "CPU time of the slowest rank")
    comm = [1e3 * max(r["comm"]) / r["steps"] for r in runs]
    line = (f"RESULT communication per step (median of the runs, slowest rank): "
            f"{median(comm):.2f} ms in collectives (waiting for the other ranks included)")
    if args.phases:
        def per_step(name):  # the ranks' mean, the runs' median
            return median(1e3 * statistics.fmean(w for w, _ in r["phases"][name]) / r["steps"]
                          for r in runs)
        parts = {name: per_step(name) for name in ("copy+scale", "wait", "transfer")}
        step = median(1e3 * max(r["wall"]) / r["steps"] for r in runs)
        line += (f"; per rank: copy+scale {parts['copy+scale']:.2f}, wait for the others "
                 f"{parts['wait']:.2f}, transfer {parts['transfer']:.2f} = "
                 f"{sum(parts.values()):.2f} ms of a {step:.2f} ms step")
    print(line)


if __name__ == "__main__":
    sys.exit(main())
