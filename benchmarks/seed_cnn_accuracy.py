"""Seed 001's CNN trained for 3 epochs on Fashion-MNIST, in lamina and in PyTorch, same run.

    .venv/bin/python benchmarks/seed_cnn_accuracy.py [--epochs 3] [--batch-size 32]
    .venv/bin/python benchmarks/seed_cnn_accuracy.py --limit 2000 --epochs 1   # a quick look

The network is seed 001's as ``examples/demo.py`` builds it: Conv2D(16, 3x3, relu) ->
MaxPooling2D(2) -> Conv2D(16, 3x3, relu) -> Flatten -> Dense(128, relu) ->
Dense(10, softmax); Adam (learning rate 1e-3, epsilon 1e-7 on both sides: Keras's
default), categorical cross-entropy, batch 32 (Keras's default, as in the seed program),
full Fashion-MNIST (60,000 training images, 10,000 test images, scaled to [0, 1]).

Both libraries start from the same weights: lamina's initial weights (Glorot uniform,
seed ``--seed``) are copied into PyTorch, kernels transposed from lamina's
``(kh, kw, in, out)`` to PyTorch's ``(out, in, kh, kw)`` and Dense kernels from
``(in, out)`` to ``(out, in)``. PyTorch runs NCHW and permutes to NHWC before
flattening, so the first Dense layer sees the features in lamina's order. Both see the
same batches: each epoch's order is ``numpy.random.default_rng([seed, epoch])``, which is
what lamina's ``fit(..., seed=seed)`` uses. The script checks that the two untrained
networks give the same test predictions before training.

lamina trains first, then PyTorch (one library at a time: NumPy's BLAS threads and
PyTorch's OpenMP threads slow each other when they interleave on 2 cores). The table
shows each epoch's test accuracy and training seconds (test-set evaluation not
included), and ``bg%``, the share of the CPU other programs took during that epoch.
Results go to ``benchmarks/results/seed_cnn_accuracy-<timestamp>.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

import numpy
from _timing import BackgroundLoad, format_table, machine_info, torch_info, write_results

from lamina.callbacks import Callback
from lamina.models import Sequential


def load(limit: int | None):
    from lamina.datasets import fashion_mnist

    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    x_train = (x_train[:limit].astype("float32") / 255.0)[..., None]
    x_test = (x_test[:limit].astype("float32") / 255.0)[..., None]
    return x_train, y_train[:limit].astype("int64"), x_test, y_test[:limit].astype("int64")


def build_lamina(n_classes: int = 10) -> Sequential:
    """Seed 001's CNN with ReLU after each convolution: examples/demo.py's ``build``."""
    path = Path(__file__).resolve().parents[1] / "examples" / "demo.py"
    spec = importlib.util.spec_from_file_location("lamina_demo", path)
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    return demo.build((28, 28, 1), n_classes)


class EpochClock(Callback):
    """Training seconds, background CPU and test accuracy of every epoch."""

    def __init__(self, x_test, y_test):
        super().__init__()
        self.x_test, self.y_test = x_test, y_test
        self.rows = []

    def on_epoch_begin(self, epoch, logs=None):
        self._load = BackgroundLoad().__enter__()
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self._start
        self._load.__exit__(None, None, None)
        predicted = self.model.predict(self.x_test, batch_size=1000, verbose=0).argmax(axis=1)
        self.rows.append({"epoch": epoch + 1, "seconds": seconds,
                          "background_cpu_percent": self._load.percent,
                          "train_loss": float(logs["loss"]) if logs and "loss" in logs else None,
                          "test_accuracy": float((predicted == self.y_test).mean())})
        print(f"  lamina epoch {epoch + 1}: {seconds:.1f} s, test accuracy "
              f"{self.rows[-1]['test_accuracy']:.4f}", flush=True)


def train_lamina(model, data, args) -> list[dict]:
    from lamina.optimizers import Adam

    x_train, y_train, x_test, y_test = data
    model.compile(optimizer=Adam(learning_rate=1e-3, epsilon=1e-7),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    clock = EpochClock(x_test, y_test)
    model.fit(x_train, numpy.eye(10, dtype="float32")[y_train], batch_size=args.batch_size,
              epochs=args.epochs, seed=args.seed, callbacks=[clock], verbose=0)
    return clock.rows


def build_torch(torch, weights):
    """The same network in PyTorch, holding lamina's initial ``weights`` (NHWC -> NCHW)."""
    nn = torch.nn

    class ToNHWC(nn.Module):
        def forward(self, x):
            return x.permute(0, 2, 3, 1)

    net = nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 16, 3),
                        nn.ReLU(), ToNHWC(), nn.Flatten(), nn.Linear(11 * 11 * 16, 128),
                        nn.ReLU(), nn.Linear(128, 10))
    k1, b1, k2, b2, w3, b3, w4, b4 = weights
    with torch.no_grad():
        for layer, kernel, bias in ((net[0], k1, b1), (net[3], k2, b2)):
            layer.weight.copy_(torch.from_numpy(numpy.ascontiguousarray(
                kernel.transpose(3, 2, 0, 1))))
            layer.bias.copy_(torch.from_numpy(bias))
        for layer, kernel, bias in ((net[7], w3, b3), (net[9], w4, b4)):
            layer.weight.copy_(torch.from_numpy(numpy.ascontiguousarray(kernel.T)))
            layer.bias.copy_(torch.from_numpy(bias))
    return net


def torch_predict(torch, net, x_nchw):
    net.eval()
    with torch.no_grad():
        out = torch.cat([net(x_nchw[i:i + 1000]) for i in range(0, len(x_nchw), 1000)])
    net.train()
    return torch.softmax(out, dim=1).numpy()


def train_torch(torch, net, data, args) -> list[dict]:
    x_train, y_train, x_test, y_test = data
    xt = torch.from_numpy(numpy.ascontiguousarray(x_train.transpose(0, 3, 1, 2)))
    yt = torch.from_numpy(y_train)
    x_test_t = torch.from_numpy(numpy.ascontiguousarray(x_test.transpose(0, 3, 1, 2)))
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()  # log-softmax + NLL on the logits
    rows = []
    n, bs = len(xt), args.batch_size
    for epoch in range(args.epochs):
        order = torch.from_numpy(numpy.random.default_rng([args.seed, epoch]).permutation(n))
        total, count = 0.0, 0
        with BackgroundLoad() as load:
            start = time.perf_counter()
            for i in range(0, n, bs):
                index = order[i:i + bs]
                optimizer.zero_grad(set_to_none=True)
                loss = loss_fn(net(xt[index]), yt[index])
                loss.backward()
                optimizer.step()
                total += loss.item() * len(index)
                count += len(index)
            seconds = time.perf_counter() - start
        accuracy = float((torch_predict(torch, net, x_test_t).argmax(axis=1) == y_test).mean())
        rows.append({"epoch": epoch + 1, "seconds": seconds,
                     "background_cpu_percent": load.percent, "train_loss": total / count,
                     "test_accuracy": accuracy})
        print(f"  torch  epoch {epoch + 1}: {seconds:.1f} s, test accuracy {accuracy:.4f}",
              flush=True)
    return rows


def main(argv=None) -> int:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=None,
                        help="use only the first N images of each split (a quick look)")
    parser.add_argument("--lamina-only", action="store_true", help="do not train PyTorch")
    parser.add_argument("--no-json", action="store_true", help="do not write results/*.json")
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.batch_size < 1:
        parser.error(f"--epochs and --batch-size must be >= 1; received {args.epochs} and "
                     f"{args.batch_size}")
    have_torch = not args.lamina_only and importlib.util.find_spec("torch") is not None
    if not args.lamina_only and not have_torch:
        print("PyTorch is not installed: training lamina alone. For the comparison run:\n"
              "    .venv/bin/python -m pip install torch==2.13.0\n")

    import lamina.random

    machine = machine_info()
    lamina.random.set_random_seed(args.seed)
    data = load(args.limit)
    print(f"{machine['date']}  {machine['cpu']}  ({machine['usable_cores']} cores); "
          f"train {data[0].shape}, test {data[2].shape}, batch {args.batch_size}, "
          f"{args.epochs} epochs, Adam 1e-3")

    model = build_lamina()
    initial = [numpy.array(w) for w in model.get_weights()]
    lamina_untrained = model.predict(data[2], batch_size=1000, verbose=0)
    lamina_rows = train_lamina(model, data, args)

    torch_rows, initial_diff, info = [], None, {}
    if have_torch:
        import torch  # only here: lamina itself never imports PyTorch

        torch.manual_seed(args.seed)
        info = torch_info(torch)
        net = build_torch(torch, initial)
        x_test_t = torch.from_numpy(numpy.ascontiguousarray(data[2].transpose(0, 3, 1, 2)))
        initial_diff = float(numpy.abs(torch_predict(torch, net, x_test_t)
                                       - lamina_untrained).max())
        print(f"  untrained networks: max |lamina - torch| test probability {initial_diff:.2e}")
        if initial_diff > 1e-4:
            print("WARNING: the weight copy did not give the same network", file=sys.stderr)
        torch_rows = train_torch(torch, net, data, args)

    headers = ["epoch", "lamina test acc", "torch test acc", "lamina s/epoch", "torch s/epoch",
               "lamina bg%", "torch bg%"]
    table = []
    for k, row in enumerate(lamina_rows):
        other = torch_rows[k] if k < len(torch_rows) else {}
        table.append([row["epoch"], f"{row['test_accuracy']:.4f}",
                      f"{other['test_accuracy']:.4f}" if other else "-",
                      f"{row['seconds']:.1f}", f"{other['seconds']:.1f}" if other else "-",
                      f"{row['background_cpu_percent']:.0f}",
                      f"{other['background_cpu_percent']:.0f}" if other else "-"])
    print()
    print(format_table(headers, table))
    if not args.no_json:
        settings = {"epochs": args.epochs, "batch_size": args.batch_size, "seed": args.seed,
                    "limit": args.limit, "optimizer": "adam lr=1e-3 eps=1e-7",
                    "train_images": len(data[0]), "test_images": len(data[2])}
        path = write_results("seed_cnn_accuracy", {
            "machine": {**machine, **info}, "settings": settings,
            "untrained_max_abs_prob_diff": initial_diff, "lamina": lamina_rows,
            "torch": torch_rows})
        print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
