"""Model benchmark: train the same networks on Fashion-MNIST in lamina and in PyTorch CPU.

lamina trains through ``model.fit`` (the Keras API, as a user writes it); PyTorch
through a plain training loop (``nn.Sequential``, shuffled index batches,
``zero_grad``/``backward``/``step``). Same data, float32, batch sizes, optimizers,
epoch count and per-epoch shuffling; not the same batch order or initial weights.

Each run is a fresh worker process (one library, one model), so its peak RSS
belongs to that model alone and the two libraries' thread pools never share a
process. The libraries take turns, each model is repeated (``--repeats``, seed =
repeat index) and the tables show medians and the lamina/PyTorch ratio, next to
the targets of issue 5. Per model: seconds per epoch, test accuracy after training,
inference over the test set at batch 1000, and peak RSS while training. For the
libraries: ``import`` time and installed size with dependencies.

Row f is the text CNN of ``examples/text_cnn.py`` (issue 19) on token ids of Debian's
fortunes instead of images (``benchmarks/_text_cnn.py``; needs ``apt-get install fortunes``).
Rows g-j are the image-to-image networks of ``lamina.apps.imaging`` (issue 16) on crops of
scikit-image's photographs (``benchmarks/_imaging.py``; their "acc" is PSNR in dB).

With numba installed (``lamina[fast]``, in the dev extra) lamina runs its numba kernels;
``--numpy-path`` also times lamina with them off (the pure-NumPy path) as a third side.

The last table is the style-transfer row of issue 18 (``benchmarks/_style.py``; ``--no-style``
leaves it out): one L-BFGS iteration over a 128x128 image's pixels through the same random
feature network and losses in both libraries.

Run: ``make bench`` or ``.venv/bin/python benchmarks/compare.py [--models a,c] [--repeats 3]``.
Quick check: ``--train-rows 2000 --test-rows 2000 --repeats 1``.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import os
import statistics
import sys
import tempfile
import time

import _imaging
import _style
import _text_cnn
import numpy as np
from _compare_models import INFER_BATCH, LETTERS, MODELS
from _compare_tables import tables
from _install_size import installed_size
from _rss import _memory, _peak_rss_mb, _reset_peak_rss, _status_mb
from _timing import (
    BackgroundLoad,
    Worker,
    blas_info,
    digest,
    import_times,
    machine_info,
    torch_info,
    wait_for_quiet,
    write_results,
)


# ------------------------------------------------------------------ worker side
def _load(data_path: str, arch: str):
    """The prepared arrays, images as (N, 28, 28, 1) for CNNs or (N, 784) for MLPs."""
    with np.load(data_path, allow_pickle=False) as d:
        arrays = {k: d[k] for k in d.files}
    for k in ("x_train", "x_test"):
        n = len(arrays[k])
        arrays[k] = arrays[k].reshape(n, 784) if arch == "mlp" else arrays[k].reshape(n, 28, 28, 1)
    return arrays


def _lamina_kernels() -> str:
    """Which kernels this lamina run used: NumPy only, or numba's too (lamina[fast])."""
    import lamina.accel

    if not lamina.accel.enabled():
        return "NumPy" + ("" if lamina.accel.available() else " (numba not installed)")
    if not lamina.accel.loaded():  # no accelerated op ran (an MLP), or none compiled
        return "NumPy (no numba kernel loaded)"
    return f"numba {sys.modules['numba'].__version__} + NumPy"


def lamina_run(key: str, data_path: str, epochs: int, seed: int, infer_repeats: int):
    """Worker factory: train and time one model in lamina; returns ``({}, result)``."""
    import lamina
    import lamina.random
    from lamina.layers import Conv2D, Dense, Flatten, Input, MaxPooling2D
    from lamina.models import Sequential
    from lamina.optimizers import SGD, Adam

    _, _, arch, act, opt, batch, _ = MODELS[key]
    if arch in ("text_cnn", "imaging"):
        before, reset = _status_mb("VmRSS"), _reset_peak_rss()
        result, d = (_text_cnn.lamina_run(data_path, epochs, seed, infer_repeats, INFER_BATCH,
                                          batch) if arch == "text_cnn" else
                     _imaging.lamina_run(key, data_path, epochs, seed, infer_repeats,
                                         INFER_BATCH, batch))
        return {}, {**_memory(result, before, reset), "peak_rss_mb": _peak_rss_mb(),
                    "lamina": lamina.__version__, "blas": blas_info(),
                    "kernels": _lamina_kernels(), "data": digest(d)}
    d = _load(data_path, arch)
    lamina.random.set_random_seed(seed)
    if arch == "mlp":
        layers = [Input(shape=(784,)), Dense(500, activation=act), Dense(500, activation=act),
                  Dense(10, activation="softmax")]
    elif arch == "seed_cnn":
        layers = [Input(shape=(28, 28, 1)), Conv2D(16, (3, 3), activation="relu"),
                  MaxPooling2D(pool_size=(2, 2)), Conv2D(16, (3, 3), activation="relu"),
                  Flatten(), Dense(128, activation="relu"), Dense(10, activation="softmax")]
    else:
        layers = [Input(shape=(28, 28, 1)),
                  Conv2D(32, (3, 3), padding="same", activation="relu"),
                  MaxPooling2D(pool_size=(2, 2)),
                  Conv2D(64, (3, 3), padding="same", activation="relu"),
                  MaxPooling2D(pool_size=(2, 2)),
                  Flatten(), Dense(128, activation="relu"), Dense(10, activation="softmax")]
    model = Sequential(layers)
    optimizer = SGD(learning_rate=0.1) if opt == "sgd" else Adam(learning_rate=0.001)
    start = time.perf_counter()  # with lamina[fast], compile loads the numba kernels
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    compile_s = time.perf_counter() - start

    before, reset = _status_mb("VmRSS"), _reset_peak_rss()
    start = time.perf_counter()
    history = model.fit(d["x_train"], d["y_train"], batch_size=batch, epochs=epochs,
                        shuffle=True, seed=seed, verbose=0)
    train_s = time.perf_counter() - start
    result = _memory({"train_s": train_s, "epoch_s": train_s / epochs, "compile_s": compile_s,
                      "train_loss": float(history.history["loss"][-1])}, before, reset)

    x_test = d["x_test"]
    times = []
    for i in range(infer_repeats + 1):  # the first pass warms up
        start = time.perf_counter()
        probs = model.predict(x_test, batch_size=INFER_BATCH, verbose=0)
        if i:
            times.append(time.perf_counter() - start)
    result.update(
        infer_s=statistics.median(times), infer_times_s=times, infer_rows=len(x_test),
        accuracy=float((probs.argmax(axis=1) == d["y_test"]).mean()),
        peak_rss_mb=_peak_rss_mb(), lamina=lamina.__version__, blas=blas_info(),
        kernels=_lamina_kernels(),
        data=digest(d),
    )
    return {}, result


def torch_run(key: str, data_path: str, epochs: int, seed: int, infer_repeats: int):
    """Worker factory: the same model in a plain PyTorch training loop (NCHW, nn defaults)."""
    import torch
    from torch import nn

    _, _, arch, act, opt, batch, _ = MODELS[key]
    if arch in ("text_cnn", "imaging"):
        before, reset = _status_mb("VmRSS"), _reset_peak_rss()
        result, d = (_text_cnn.torch_run(data_path, epochs, seed, infer_repeats, INFER_BATCH,
                                         batch) if arch == "text_cnn" else
                     _imaging.torch_run(key, data_path, epochs, seed, infer_repeats,
                                        INFER_BATCH, batch))
        return {}, {**_memory(result, before, reset), "peak_rss_mb": _peak_rss_mb(),
                    "data": digest(d), **torch_info(torch)}
    d = _load(data_path, arch)
    digest_ = digest(d)
    torch.manual_seed(seed)
    if arch == "mlp":
        activation = nn.Sigmoid if act == "sigmoid" else nn.ReLU
        model = nn.Sequential(nn.Linear(784, 500), activation(), nn.Linear(500, 500),
                              activation(), nn.Linear(500, 10))
    elif arch == "seed_cnn":
        model = nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(16, 16, 3), nn.ReLU(), nn.Flatten(),
                              nn.Linear(16 * 11 * 11, 128), nn.ReLU(), nn.Linear(128, 10))
    else:
        model = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(),
                              nn.Linear(128, 10))

    def tensor(a):  # NHWC with one channel is NCHW after a reshape
        return torch.from_numpy(a if arch == "mlp" else a.reshape(len(a), 1, 28, 28))

    x, y = tensor(d["x_train"]), torch.from_numpy(d["y_train"].astype(np.int64))
    x_test = tensor(d["x_test"])
    optimizer = (torch.optim.SGD(model.parameters(), lr=0.1) if opt == "sgd"
                 else torch.optim.Adam(model.parameters(), lr=0.001))
    loss_fn = nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(seed)

    before, reset = _status_mb("VmRSS"), _reset_peak_rss()
    start = time.perf_counter()
    model.train()
    n = len(x)
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator)
        total = 0.0
        for i in range(0, n, batch):
            idx = order[i:i + batch]
            xb, yb = x[idx], y[idx]
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
    train_s = time.perf_counter() - start
    result = _memory({"train_s": train_s, "epoch_s": train_s / epochs, "train_loss": total / n},
                     before, reset)

    model.eval()
    times = []
    for i in range(infer_repeats + 1):
        start = time.perf_counter()
        with torch.no_grad():
            logits = torch.cat([model(x_test[j:j + INFER_BATCH])
                                for j in range(0, len(x_test), INFER_BATCH)])
        if i:
            times.append(time.perf_counter() - start)
    result.update(
        infer_s=statistics.median(times), infer_times_s=times, infer_rows=len(x_test),
        accuracy=float((logits.argmax(1).numpy() == d["y_test"]).mean()),
        peak_rss_mb=_peak_rss_mb(), data=digest_, **torch_info(torch),
    )
    return {}, result


def lamina_numpy_run(*args):
    """lamina with its numba kernels off: the pure-NumPy reference path."""
    import lamina.accel

    lamina.accel.set_enabled(False)
    return lamina_run(*args)


RUNNERS = {"lamina": lamina_run, "torch": torch_run, "numpy": lamina_numpy_run}


# ---------------------------------------------------------------- library-wide
# ---------------------------------------------------------------------- driver
def prepare_data(train_rows, test_rows, directory: str) -> tuple[str, dict]:
    """Fashion-MNIST scaled to float32 [0, 1], written once for every worker to load."""
    from lamina.datasets import fashion_mnist

    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    arrays = {
        "x_train": (x_train[:train_rows].astype(np.float32) / np.float32(255.0)),
        "y_train": y_train[:train_rows].astype(np.int64),
        "x_test": (x_test[:test_rows].astype(np.float32) / np.float32(255.0)),
        "y_test": y_test[:test_rows].astype(np.int64),
    }
    path = os.path.join(directory, "fashion_mnist_f32.npz")
    np.savez(path, **arrays)
    return path, {"train_rows": len(arrays["x_train"]), "test_rows": len(arrays["x_test"])}


def run_model(key: str, sides: list[str], data_path: str, args) -> dict:
    """Every repeat of one model, the libraries taking turns; fresh worker per run."""
    runs: dict[str, list[dict]] = {side: [] for side in sides}
    with BackgroundLoad() as load:
        for r in range(args.repeats):
            for side in sides if r % 2 == 0 else sides[::-1]:
                print(f"  {MODELS[key][1]}: {side}, run {r + 1}/{args.repeats} ...",
                      file=sys.stderr, flush=True)
                factory = functools.partial(RUNNERS[side], key, data_path, args.epochs, r,
                                            args.infer_repeats)
                worker = Worker(factory)
                runs[side].append(worker.info)
                worker.close()
    row = {"key": key, "model": MODELS[key][1], "batch_size": MODELS[key][5],
           "background_cpu_percent": load.percent, "runs": runs}
    for side, results in runs.items():
        for field in ("epoch_s", "infer_s", "accuracy", "peak_rss_train_mb", "train_loss",
                      "compile_s"):
            if field in results[0]:
                row[f"{side}_{field}"] = statistics.median(res[field] for res in results)
        row[f"{side}_rss_rise_mb"] = statistics.median(
            res["peak_rss_train_mb"] - (res["rss_before_train_mb"] or 0.0) for res in results)
        row[f"{side}_samples_per_s"] = results[0]["infer_rows"] / row[f"{side}_infer_s"]
    if "torch" in runs and runs["torch"][0]["data"] != runs["lamina"][0]["data"]:
        raise RuntimeError("the lamina and torch workers loaded different data")
    return row


def main(argv=None) -> int:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="a,b,c,d,e,f,g,h,i,j",
                        help="comma-separated subset: letters a-j or keys "
                             + ", ".join(f"{s[0]}={k}" for k, s in MODELS.items()))
    parser.add_argument("--repeats", type=int, default=3, help="runs per model and library")
    parser.add_argument("--epochs", type=int, default=1, help="epochs per run")
    parser.add_argument("--train-rows", type=int, default=None,
                        help="train on the first N images only (quick checks)")
    parser.add_argument("--test-rows", type=int, default=None,
                        help="test on the first N test images only")
    parser.add_argument("--infer-repeats", type=int, default=3,
                        help="timed inference passes per run (after one warm-up pass)")
    parser.add_argument("--max-load", type=float, default=10.0,
                        help="wait (up to 2 min) for other programs to use less CPU than this")
    parser.add_argument("--lamina-only", action="store_true", help="do not run PyTorch")
    parser.add_argument("--numpy-path", action="store_true",
                        help="also time lamina with its numba kernels off (LAMINA_NUMBA=0)")
    parser.add_argument("--no-json", action="store_true", help="do not write results/*.json")
    parser.add_argument("--no-style", dest="style", action="store_false",
                        help="leave out the style-transfer row (one L-BFGS iteration on a "
                             "128x128 image, benchmarks/_style.py)")
    parser.add_argument("--architectures", action="store_true",
                        help="then ResNet50/VGG16 inference at batch 8 on 224x224x3 and the "
                             "small ResNet's training step (benchmarks/architectures.py)")
    args = parser.parse_args(argv)
    keys = [LETTERS.get(m.strip(), m.strip()) for m in args.models.split(",") if m.strip()]
    unknown = [k for k in keys if k not in MODELS]
    if unknown:
        parser.error(f"unknown models {unknown}; choose from {list(LETTERS)} or {list(MODELS)}")
    if args.repeats < 1 or args.epochs < 1:
        parser.error("--repeats and --epochs must be >= 1")

    have_torch = not args.lamina_only and importlib.util.find_spec("torch") is not None
    if not args.lamina_only and not have_torch:
        print("PyTorch is not installed: running lamina alone. For the comparison run:\n"
              "    .venv/bin/python -m pip install torch==2.13.0\n")
    sides = ["lamina", "torch"] if have_torch else ["lamina"]
    if args.numpy_path:
        sides.append("numpy")
    machine = machine_info()
    quiet = wait_for_quiet(args.max_load)
    print(f"{machine['date']}  {machine['cpu']}  ({machine['usable_cores']} of "
          f"{machine['cores']} cores, {quiet:.0f}% busy before start)")

    with tempfile.TemporaryDirectory(prefix="lamina-compare-") as tmp:
        data_path, sizes = prepare_data(args.train_rows, args.test_rows, tmp)
        print(f"Fashion-MNIST: {sizes['train_rows']} train / {sizes['test_rows']} test images, "
              f"float32; {args.epochs} epoch(s) per run; median of {args.repeats} run(s) per "
              "library, turns alternating, a fresh process per run\n")
        text_path = None
        if any(MODELS[key][2] == "text_cnn" for key in keys):
            text_path, text_sizes = _text_cnn.prepare_data(tmp)
            print(f"fortunes (text row): {text_sizes}")
        image_paths = {}
        if any(MODELS[key][2] == "imaging" for key in keys):
            image_paths = _imaging.prepare_data(tmp)
            print(f"imaging rows: {_imaging.TRAIN_CROPS} training / {_imaging.TEST_CROPS} "
                  "held-out 32x32 crops of scikit-image's photographs per task")
        paths = {"text_cnn": text_path}
        rows = [run_model(key, sides, image_paths.get(key) or paths.get(MODELS[key][2],
                                                                        data_path), args)
                for key in keys]

    print("  timing import (fresh interpreters) ...", file=sys.stderr, flush=True)
    imports = import_times([s for s in sides if s != "numpy"], repeats=5)
    library = {"import_ms": {s: 1000 * statistics.median(t) for s, t in imports.items()},
               "import_times_ms": {s: [1000 * v for v in t] for s, t in imports.items()},
               "size": {s: installed_size(s) for s in sides if s != "numpy"}}
    if importlib.util.find_spec("numba") is not None:  # lamina with its [fast] extra
        fast = installed_size("numba")
        library["size"]["lamina[fast]"] = {
            "total_mb": library["size"]["lamina"]["total_mb"] + sum(
                v or 0 for k, v in fast["packages_mb"].items()
                if k not in library["size"]["lamina"]["packages_mb"]),
            "packages_mb": {**library["size"]["lamina"]["packages_mb"], **fast["packages_mb"]}}
    first = rows[0]["runs"]
    machine["blas"] = first["lamina"][0]["blas"]
    machine["lamina_kernels"] = sorted({run["kernels"] for r in rows
                                        for run in r["runs"]["lamina"]})
    if have_torch:
        machine.update({k: first["torch"][0][k] for k in ("torch", "torch_threads",
                                                          "torch_onednn")})
        print(f"numpy {np.__version__} ({machine['blas']}); torch {machine['torch']} "
              f"({machine['torch_threads']} threads)")
    print(f"lamina kernels: {'; '.join(machine['lamina_kernels'])} "
          "(LAMINA_NUMBA=0 runs NumPy only)\n")
    print(tables(rows, library, have_torch))
    noisy = [r["key"] for r in rows if r["background_cpu_percent"] > args.max_load]
    print("\nbg% = share of the CPU other programs took while the model's runs went on"
          + (f"; noisy: {noisy}, rerun on a quiet machine" if noisy else ""))
    style_row = None
    if args.style and have_torch:
        style_row = _style.row(args.repeats)
        print("\n" + _style.table(style_row))
    if not args.no_json:
        settings = {k: getattr(args, k) for k in ("repeats", "epochs", "train_rows", "test_rows",
                                                  "infer_repeats", "max_load")}
        settings.update(sizes, dtype="float32", infer_batch=INFER_BATCH,
                        isolation="a fresh worker process per model, library and run")
        path = write_results("compare", {"machine": machine, "settings": settings,
                                         "models": rows, "library": library,
                                         **({"style": style_row} if style_row else {})})
        print(f"wrote {path}")
    if args.architectures and have_torch:
        import architectures

        print("\nBig networks (benchmarks/architectures.py):")
        return architectures.main(["--no-json"] if args.no_json else [])
    return 0


if __name__ == "__main__":
    sys.exit(main())
