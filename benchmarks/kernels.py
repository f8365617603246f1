"""Kernel benchmark: lamina against PyTorch CPU on the same data, dtype and threads.

Rows: conv2d forward+backward and forward, max_pool2d, a 784-500-500-10 dense
training step and inference, and ``import`` time. Each library runs in its own
worker process (see ``_timing.Worker``); their runs are interleaved, each row
reports median milliseconds and the lamina/PyTorch ratio, and checks that both
sides computed the same numbers.

Run: ``make bench`` or ``.venv/bin/python benchmarks/kernels.py [--repeats N]``.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import statistics
import sys
import time

import numpy as np
from _timing import (
    BackgroundLoad,
    Worker,
    blas_info,
    digest,
    format_table,
    import_times,
    interleaved,
    machine_info,
    max_diff,
    median_ms,
    torch_info,
    wait_for_quiet,
    write_results,
)

FLOAT = np.float32
RTOL = 1e-3  # a relative difference above this means the two sides disagree
ROWS = {  # key -> label
    "conv_step": "conv2d 3x3 16->32 same, N=128 28x28: fwd+bwd",
    "conv_fwd": "conv2d 3x3 16->32 same, N=128 28x28: fwd",
    "pool_step": "max_pool2d 2x2, N=128 28x28x32: fwd+bwd",
    "pool_fwd": "max_pool2d 2x2, N=128 28x28x32: fwd",
    "mlp_step": "dense 784-500-500-10 sigmoid, N=100: fwd+bwd",
    "mlp_fwd": "dense 784-500-500-10 sigmoid, N=100: fwd",
}


def make_data() -> dict:
    """Every input, float32 NHWC, from a fixed seed (each worker builds the same arrays)."""
    rng = np.random.default_rng(0)
    d = {
        "x": rng.standard_normal((128, 28, 28, 16), dtype=FLOAT),
        "kernel": rng.standard_normal((3, 3, 16, 32), dtype=FLOAT) * FLOAT(np.sqrt(2 / 144)),
        "bias": rng.standard_normal(32, dtype=FLOAT) * FLOAT(0.1),
        "g_conv": rng.standard_normal((128, 28, 28, 32), dtype=FLOAT),
        "g_pool": rng.standard_normal((128, 14, 14, 32), dtype=FLOAT),
        "mlp_x": rng.random((100, 784), dtype=FLOAT),
        "labels": rng.integers(0, 10, size=100),
    }
    # the pool input is that conv's output, computed here with plain NumPy
    xp = np.pad(d["x"], ((0, 0), (1, 1), (1, 1), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(xp, (3, 3), axis=(1, 2))
    d["pool_x"] = np.tensordot(windows, d["kernel"], axes=([4, 5, 3], [0, 1, 2])) + d["bias"]
    sizes = (784, 500, 500, 10)
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), 1):
        limit = np.sqrt(6.0 / (fan_in + fan_out))  # Glorot uniform, as Keras Dense
        d[f"W{i}"] = rng.uniform(-limit, limit, (fan_in, fan_out)).astype(FLOAT)
        d[f"b{i}"] = rng.standard_normal(fan_out, dtype=FLOAT) * FLOAT(0.1)
    return d


# ---------------------------------------------------------------- lamina side
def lamina_cases():
    """Worker factory: the lamina cases. Outputs are NumPy arrays in lamina's layout."""
    import lamina
    import lamina.functional as F
    import lamina.parallel
    from lamina import Tensor

    d = make_data()
    x, kernel, bias = (Tensor(d[k], requires_grad=True) for k in ("x", "kernel", "bias"))
    pool_x = Tensor(d["pool_x"], requires_grad=True)
    params = [Tensor(d[f"{p}{i}"], requires_grad=True) for i in (1, 2, 3) for p in "Wb"]
    mlp_x, labels = Tensor(d["mlp_x"]), d["labels"]

    def zero(*tensors):
        for t in tensors:
            t.grad = None

    def conv_step():
        zero(x, kernel, bias)
        out = F.conv2d(x, kernel, bias, padding="same")
        out.backward(d["g_conv"])
        return {"out": out.data, "dx": x.grad, "dkernel": kernel.grad, "dbias": bias.grad}

    def conv_fwd():
        with lamina.no_grad():
            return {"out": F.conv2d(x, kernel, bias, padding="same").data}

    def pool_step():
        zero(pool_x)
        out = F.max_pool2d(pool_x, pool_size=2)
        out.backward(d["g_pool"])
        return {"out": out.data, "dx": pool_x.grad}

    def pool_fwd():
        with lamina.no_grad():
            return {"out": F.max_pool2d(pool_x, pool_size=2).data}

    def logits():
        h = mlp_x
        for i in (0, 2, 4):  # as Dense(500, activation='sigmoid') runs: sigmoid fused in linear
            h = (F.linear_sigmoid if i < 4 else F.linear)(h, params[i], params[i + 1])
        return h

    def mlp_step():
        zero(*params)
        loss = F.mean(F.sparse_categorical_crossentropy(labels, logits(), from_logits=True))
        loss.backward()
        names = [f"d{p}{i}" for i in (1, 2, 3) for p in "Wb"]
        return {"loss": loss.data, **{n: p.grad for n, p in zip(names, params, strict=True)}}

    def mlp_fwd():
        with lamina.no_grad():
            return {"logits": logits().data}

    fns = {"conv_step": conv_step, "conv_fwd": conv_fwd, "pool_step": pool_step,
           "pool_fwd": pool_fwd, "mlp_step": mlp_step, "mlp_fwd": mlp_fwd}
    cases = {k: (fn, lambda out: out) for k, fn in fns.items()}
    return cases, {"data": digest(d), "blas": blas_info(), "lamina": lamina.__version__}


# ----------------------------------------------------------------- torch side
def torch_cases(channels_last: bool = False):
    """Worker factory: the same cases in PyTorch (NCHW, nn.Linear layout).

    ``channels_last`` stores the 4-D tensors NHWC in memory (PyTorch's faster CPU path).
    """
    import torch
    import torch.nn.functional as tf

    d = make_data()

    def nchw(a):
        t = torch.from_numpy(np.ascontiguousarray(a.transpose(0, 3, 1, 2)))
        return t.contiguous(memory_format=torch.channels_last) if channels_last else t

    def nhwc(t):
        return t.detach().numpy().transpose(0, 2, 3, 1)

    x = nchw(d["x"]).requires_grad_()
    kernel = torch.from_numpy(np.ascontiguousarray(d["kernel"].transpose(3, 2, 0, 1)))
    kernel.requires_grad_()
    bias = torch.from_numpy(d["bias"].copy()).requires_grad_()
    g_conv, g_pool = nchw(d["g_conv"]), nchw(d["g_pool"])
    pool_x = nchw(d["pool_x"]).requires_grad_()
    # nn.Linear layout: weight (out, in), y = x @ weight.T + bias
    params = []
    for i in (1, 2, 3):
        params.append(torch.from_numpy(np.ascontiguousarray(d[f"W{i}"].T)).requires_grad_())
        params.append(torch.from_numpy(d[f"b{i}"].copy()).requires_grad_())
    mlp_x = torch.from_numpy(d["mlp_x"].copy())
    labels = torch.from_numpy(d["labels"].astype(np.int64))

    def zero(*tensors):
        for t in tensors:
            t.grad = None

    def conv_step():
        zero(x, kernel, bias)
        out = tf.conv2d(x, kernel, bias, padding="same")
        out.backward(g_conv)
        return out

    def conv_step_out(out):
        return {"out": nhwc(out), "dx": nhwc(x.grad),
                "dkernel": kernel.grad.numpy().transpose(2, 3, 1, 0), "dbias": bias.grad.numpy()}

    def conv_fwd():
        with torch.no_grad():
            return tf.conv2d(x, kernel, bias, padding="same")

    def pool_step():
        zero(pool_x)
        out = tf.max_pool2d(pool_x, 2)
        out.backward(g_pool)
        return out

    def pool_fwd():
        with torch.no_grad():
            return tf.max_pool2d(pool_x, 2)

    def logits():
        h = mlp_x
        for i in (0, 2, 4):
            h = tf.linear(h, params[i], params[i + 1])
            h = torch.sigmoid(h) if i < 4 else h
        return h

    def mlp_step():
        zero(*params)
        loss = tf.cross_entropy(logits(), labels)  # mean over the batch
        loss.backward()
        return loss

    def mlp_step_out(loss):
        out = {"loss": loss.detach().numpy()}
        for i in (1, 2, 3):
            out[f"dW{i}"] = params[2 * i - 2].grad.numpy().T
            out[f"db{i}"] = params[2 * i - 1].grad.numpy()
        return out

    def mlp_fwd():
        with torch.no_grad():
            return logits()

    cases = {
        "conv_step": (conv_step, conv_step_out),
        "conv_fwd": (conv_fwd, lambda out: {"out": nhwc(out)}),
        "pool_step": (pool_step, lambda out: {"out": nhwc(out), "dx": nhwc(pool_x.grad)}),
        "pool_fwd": (pool_fwd, lambda out: {"out": nhwc(out)}),
        "mlp_step": (mlp_step, mlp_step_out),
        "mlp_fwd": (mlp_fwd, lambda out: {"logits": out.numpy()}),
    }
    return cases, {"data": digest(d), **torch_info(torch)}


# ---------------------------------------------------------------------- driver
def check(key, lam_out, torch_out) -> dict:
    """Max abs / relative difference per output; a loud warning when they disagree."""
    diffs = {name: max_diff(lam_out[name], torch_out[name]) for name in torch_out}
    worst = max(diffs, key=lambda name: diffs[name][1])
    if diffs[worst][1] > RTOL:
        print(
            f"\n!!!!! WARNING: {ROWS[key]}: lamina and PyTorch DISAGREE on {worst}: max |diff| "
            f"{diffs[worst][0]:.3g} = {diffs[worst][1]:.3g} relative (> {RTOL:g}). "
            "This row compares different computations. !!!!!\n",
            file=sys.stderr,
        )
    return {name: {"abs": a, "rel": r} for name, (a, r) in diffs.items()}


def quietest(measure, args, deadline: float, pids=()):
    """Run ``measure()``; while other programs took > ``args.max_load`` % of the CPU, wait
    and retry (up to ``args.retries`` times, not past ``deadline``). Returns the quietest
    attempt as (background %, result)."""
    best = None
    for attempt in range(args.retries + 1):
        if attempt:
            print(f"  other programs took {best[0]:.0f}% of the CPU: retrying",
                  file=sys.stderr, flush=True)
            wait_for_quiet(args.max_load, max_wait=60)
        with BackgroundLoad(pids) as load:
            result = measure()
        if best is None or load.percent < best[0]:
            best = (load.percent, result)
        if best[0] <= args.max_load or time.monotonic() > deadline:
            break
    return best


def run(args, have_torch: bool) -> tuple[list[dict], dict]:
    """Start the workers, time and check every row, then time the imports."""
    workers = {"lamina": Worker(lamina_cases)}
    if have_torch:
        workers["torch"] = Worker(functools.partial(torch_cases, args.torch_channels_last))
    try:
        info = {side: w.info for side, w in workers.items()}
        if have_torch and info["lamina"]["data"] != info["torch"]["data"]:
            raise RuntimeError("the lamina and torch workers built different data")
        print(f"numpy {np.__version__} ({info['lamina']['blas']})", end="")
        if have_torch:
            t = info["torch"]
            onednn = "oneDNN" if t["torch_onednn"] else "no oneDNN"
            layout = "channels_last" if args.torch_channels_last else "NCHW"
            print(f"; torch {t['torch']} ({t['torch_threads']} threads, {onednn}, {layout})",
                  end="")
        print(f"; float32; median of >= {args.repeats} interleaved runs\n")
        results = []
        deadline = time.monotonic() + 60 * args.max_minutes  # no retries after this
        for key in args.rows:
            label = ROWS[key]
            print(f"  timing {label} ...", file=sys.stderr, flush=True)
            timers = {side: w.timer(key) for side, w in workers.items()}
            pids = [w.pid for w in workers.values()]
            measure = functools.partial(interleaved, timers, repeats=args.repeats,
                                        warmup=args.warmup, block=args.block,
                                        min_seconds=args.seconds)
            background, times = quietest(measure, args, deadline, pids)
            row = {"key": key, "row": label, "n": len(times["lamina"]),
                   "background_cpu_percent": background}
            for side, ts in times.items():
                row[f"{side}_ms"] = median_ms(ts)
                row[f"{side}_times_ms"] = [1000 * t for t in ts]
            if have_torch:
                row["diffs"] = check(key, workers["lamina"].outputs(key),
                                     workers["torch"].outputs(key))
                row["max_abs_diff"] = max(v["abs"] for v in row["diffs"].values())
                row["max_rel_diff"] = max(v["rel"] for v in row["diffs"].values())
            results.append(row)
    finally:
        for w in workers.values():
            w.close()

    print("  timing import (fresh interpreters) ...", file=sys.stderr, flush=True)
    background, imports = quietest(lambda: import_times(list(workers), repeats=5), args, deadline)
    row = {"key": "import", "row": "import (fresh interpreter)", "n": 5,
           "background_cpu_percent": background}
    for side, ts in imports.items():
        row[f"{side}_ms"] = median_ms(ts)
        row[f"{side}_times_ms"] = [1000 * t for t in ts]
    results.append(row)
    return results, info


def main(argv=None) -> int:
    sys.stdout.reconfigure(line_buffering=True)  # keep stdout and stderr lines in order
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="minimum timed runs per row")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs per row and side")
    parser.add_argument("--block", type=int, default=3, help="timed runs per turn")
    parser.add_argument("--seconds", type=float, default=2.0,
                        help="time each row for about this long (more runs for fast rows)")
    parser.add_argument("--rows", type=lambda s: s.split(","), default=list(ROWS),
                        help=f"comma-separated subset of: {','.join(ROWS)}")
    parser.add_argument("--max-load", type=float, default=10.0,
                        help="retry a row when other programs took more than this %% of the CPU")
    parser.add_argument("--retries", type=int, default=3, help="retries per noisy row")
    parser.add_argument("--max-minutes", type=float, default=15.0,
                        help="stop retrying noisy rows after this many minutes")
    parser.add_argument("--torch-channels-last", action="store_true",
                        help="give PyTorch channels_last (NHWC) tensors instead of NCHW")
    parser.add_argument("--lamina-only", action="store_true", help="do not time PyTorch")
    parser.add_argument("--no-json", action="store_true", help="do not write results/*.json")
    args = parser.parse_args(argv)
    unknown = [key for key in args.rows if key not in ROWS]
    if unknown:
        parser.error(f"unknown rows {unknown}; choose from {list(ROWS)}")

    have_torch = not args.lamina_only and importlib.util.find_spec("torch") is not None
    if not args.lamina_only and not have_torch:
        print("PyTorch is not installed: timing lamina alone. For the comparison run:\n"
              "    .venv/bin/python -m pip install torch==2.13.0\n")
    machine = machine_info()
    quiet = wait_for_quiet(args.max_load)
    print(f"{machine['date']}  {machine['cpu']}  ({machine['usable_cores']} of "
          f"{machine['cores']} cores, {quiet:.0f}% busy before start)")
    results, info = run(args, have_torch)

    table = []
    for r in results:
        torch_ms = r.get("torch_ms")
        table.append([
            r["row"],
            f"{r['lamina_ms']:.2f}",
            f"{torch_ms:.2f}" if torch_ms else "-",
            f"{r['lamina_ms'] / torch_ms:.2f}" if torch_ms else "-",
            f"{r['max_abs_diff']:.1e}" if "max_abs_diff" in r else "-",
            f"{r['max_rel_diff']:.1e}" if "max_rel_diff" in r else "-",
            f"{r['background_cpu_percent']:.0f}" if "background_cpu_percent" in r else "-",
        ])
    headers = ["row", "lamina ms", "torch ms", "lamina/torch", "max|diff|", "rel", "bg%"]
    print(format_table(headers, table))
    ratios = [r["lamina_ms"] / r["torch_ms"] for r in results[:-1] if r.get("torch_ms")]
    if ratios:
        print(f"\ngeometric mean lamina/torch over the kernel rows: "
              f"{statistics.geometric_mean(ratios):.2f}")
    noisy = [r["key"] for r in results if r["background_cpu_percent"] > args.max_load]
    print("bg% = share of the CPU other programs took while the row ran"
          + (f"; noisy rows {noisy}: rerun on a quiet machine" if noisy else ""))
    bad = [r["row"] for r in results if r.get("max_rel_diff", 0.0) > RTOL]
    if bad:
        print(f"\nWARNING: lamina and PyTorch disagree (> {RTOL:g} relative) on: {bad}")

    if not args.no_json:
        machine.update({k: v for k, v in info.get("torch", {}).items() if k != "data"})
        settings = {k: getattr(args, k)
                    for k in ("repeats", "warmup", "block", "seconds", "max_load", "retries",
                              "max_minutes")}
        settings.update(torch_layout="channels_last" if args.torch_channels_last else "NCHW")
        settings.update(dtype="float32", rtol=RTOL, isolation="one worker process per library")
        path = write_results("kernels", {"machine": machine, "settings": settings,
                                         "rows": results})
        print(f"wrote {path}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
