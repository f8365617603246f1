"""Big networks against PyTorch CPU: ResNet50 and VGG16 inference at batch 8 on 224x224x3,
and a training step of the small ResNet of ``examples/fashion_mnist_resnet.py`` at batch 128.

lamina builds the networks with :mod:`lamina.applications` and runs ``model.predict`` /
``model.train_on_batch`` (the Keras API, as a user writes it); PyTorch runs the same
architectures written with ``torch.nn`` (eval mode under ``no_grad``; ``zero_grad`` /
``backward`` / ``step`` with Adam): the same layers, shapes and multiply-adds (Keras's
ResNet50 has biases on its convolutions and the stride on the first 1x1, so the torch
version does too). Random weights on both sides; float32; each library in its own worker
process, taking turns (``_timing.interleaved``). Targets (issue 17): inference <= 0.8x
PyTorch's time, training <= 1.0x.

Run: ``.venv/bin/python benchmarks/architectures.py [--repeats 3]``; ``compare.py
--architectures`` runs it after its own tables.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys

import numpy as np
from _timing import (
    BackgroundLoad,
    Worker,
    blas_info,
    format_table,
    interleaved,
    machine_info,
    torch_info,
    write_results,
)

CASES = {  # name -> (label, kind, batch, target)
    "resnet50": ("ResNet50 inference, b8, 224x224x3", "infer", 8, 0.8),
    "vgg16": ("VGG16 inference, b8, 224x224x3", "infer", 8, 0.8),
    "resnet_small": ("Small ResNet (fashion_mnist_resnet) train step, b128", "train", 128, 1.0),
}


def _data(name):
    batch = CASES[name][2]
    rng = np.random.default_rng(0)
    if name == "resnet_small":
        return rng.random((batch, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, batch)
    return rng.random((batch, 224, 224, 3), dtype=np.float32), None


def lamina_cases(names):
    """Worker factory: lamina's cases."""
    import lamina
    from lamina import applications as A
    from lamina.optimizers import SGD
    from lamina.random import set_random_seed

    cases = {}
    for name in names:
        set_random_seed(0)
        x, y = _data(name)
        if name == "resnet50":
            model = A.ResNet50()
        elif name == "vgg16":
            model = A.VGG16()
        else:
            model = _example().build()
            model.compile(optimizer=SGD(0.1, momentum=0.9, nesterov=True),
                          loss="sparse_categorical_crossentropy")
            cases[name] = (functools.partial(model.train_on_batch, x, y), lambda out: {})
            continue
        cases[name] = (functools.partial(model.predict, x, batch_size=len(x), verbose=0),
                       lambda out: {})
    return cases, {"lamina": lamina.__version__, "blas": blas_info()}


def _torch_resnet50(nn):
    def bn(c):
        return nn.BatchNorm2d(c, eps=1.001e-5)

    class Bottleneck(nn.Module):
        def __init__(self, cin, f, stride, shortcut):
            super().__init__()
            self.short = nn.Sequential(nn.Conv2d(cin, 4 * f, 1, stride), bn(4 * f)) \
                if shortcut else None
            self.body = nn.Sequential(nn.Conv2d(cin, f, 1, stride), bn(f), nn.ReLU(),
                                      nn.Conv2d(f, f, 3, padding=1), bn(f), nn.ReLU(),
                                      nn.Conv2d(f, 4 * f, 1), bn(4 * f))
            self.relu = nn.ReLU()

        def forward(self, x):
            return self.relu(self.body(x) + (self.short(x) if self.short is not None else x))

    layers = [nn.Conv2d(3, 64, 7, 2, padding=3), bn(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
    cin = 64
    for s, blocks in enumerate((3, 4, 6, 3)):
        f = 64 * 2 ** s
        for i in range(blocks):
            layers.append(Bottleneck(cin, f, 2 if s and not i else 1, i == 0))
            cin = 4 * f
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2048, 1000),
                         nn.Softmax(dim=1))


def _torch_vgg16(nn):
    layers, cin = [], 3
    for convs, f in zip((2, 2, 3, 3, 3), (64, 128, 256, 512, 512)):
        for _ in range(convs):
            layers += [nn.Conv2d(cin, f, 3, padding=1), nn.ReLU()]
            cin = f
        layers.append(nn.MaxPool2d(2, 2))
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(25088, 4096), nn.ReLU(),
                         nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 1000),
                         nn.Softmax(dim=1))


def _example():
    """examples/fashion_mnist_resnet.py, whose ``build`` is the small ResNet."""
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
    import fashion_mnist_resnet

    return fashion_mnist_resnet


def _torch_resnet_small(nn):
    def cbr(cin, f):
        return [nn.Conv2d(cin, f, 3, padding=1, bias=False), nn.BatchNorm2d(f), nn.ReLU()]

    class Residual(nn.Module):
        def __init__(self, f):
            super().__init__()
            self.body = nn.Sequential(*cbr(f, f), *cbr(f, f))

        def forward(self, x):
            return x + self.body(x)

    return nn.Sequential(*cbr(1, 32), nn.MaxPool2d(2), *cbr(32, 64), Residual(64),
                         nn.MaxPool2d(2), *cbr(64, 128), Residual(128), nn.AdaptiveAvgPool2d(1),
                         nn.Flatten(), nn.Linear(128, 10))


def torch_cases(names):
    """Worker factory: the same networks in torch.nn."""
    import torch
    from torch import nn

    cases = {}
    for name in names:
        torch.manual_seed(0)
        x, y = _data(name)
        xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
        if name == "resnet_small":
            model = _torch_resnet_small(nn).train()
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9,
                                        nesterov=True)
            yt = torch.from_numpy(y)
            loss_fn = nn.CrossEntropyLoss()

            def step(model=model, optimizer=optimizer, xt=xt, yt=yt, loss_fn=loss_fn):
                optimizer.zero_grad()
                loss = loss_fn(model(xt), yt)
                loss.backward()
                optimizer.step()
                return loss.item()

            cases[name] = (step, lambda out: {})
            continue
        model = (_torch_resnet50 if name == "resnet50" else _torch_vgg16)(nn).eval()

        def infer(model=model, xt=xt):
            with torch.no_grad():
                return model(xt)

        cases[name] = (infer, lambda out: {})
    return cases, torch_info(torch)


def param_counts():
    """Parameters on both sides (torch's parameters() plus BN buffers, as Keras counts)."""
    from torch import nn

    from lamina import applications as A

    counts = {}
    for name, build, lam in (("resnet50", _torch_resnet50, A.ResNet50),
                             ("vgg16", _torch_vgg16, A.VGG16),
                             ("resnet_small", _torch_resnet_small, _example().build)):
        model = build(nn)
        torch_n = sum(p.numel() for p in model.parameters()) + sum(
            b.numel() for n, b in model.named_buffers() if "running" in n)
        counts[name] = (lam().count_params(), torch_n)
    return counts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed calls per case and side")
    parser.add_argument("--cases", default=",".join(CASES), help=f"from {','.join(CASES)}")
    parser.add_argument("--no-json", action="store_true", help="do not write results/*.json")
    args = parser.parse_args(argv)
    names = [n for n in args.cases.split(",") if n]
    unknown = sorted(set(names) - set(CASES))
    if unknown:
        parser.error(f"unknown cases {unknown}; known: {sorted(CASES)}")
    try:
        import torch  # noqa: F401
    except ImportError:
        print("PyTorch is not installed: pip install torch==2.13.0", file=sys.stderr)
        return 1
    for name, (ours, theirs) in param_counts().items():
        if name in names and ours != theirs:
            raise RuntimeError(f"{name}: lamina has {ours:,} parameters, torch {theirs:,}")
    rows, raw = [], {}
    with BackgroundLoad() as load:
        lam = Worker(functools.partial(lamina_cases, names))
        tor = Worker(functools.partial(torch_cases, names))
        try:
            for name in names:
                print(f"  {CASES[name][0]} ...", file=sys.stderr, flush=True)
                times = interleaved({"lamina": lam.timer(name), "torch": tor.timer(name)},
                                    repeats=args.repeats, warmup=1)
                raw[name] = times
                ours, theirs = (statistics.median(times[s]) for s in ("lamina", "torch"))
                label, _, _, target = CASES[name]
                ratio = ours / theirs
                rows.append([label, f"{ours * 1e3:.0f}", f"{theirs * 1e3:.0f}",
                             f"{ratio:.2f}x", f"<= {target}x",
                             "met" if ratio <= target else "missed"])
        finally:
            lam.close()
            tor.close()
    print(format_table(["case", "lamina ms", "torch ms", "ratio", "target", ""], rows))
    print(f"other programs used {load.percent:.0f}% of the CPU meanwhile")
    if not args.no_json:
        path = write_results("architectures", {"machine": machine_info(), "times": raw,
                                               "lamina": lam.info, "torch": tor.info,
                                               "background_cpu_percent": load.percent})
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
