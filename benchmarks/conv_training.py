"""The convolutions of a network's training step, one by one, against PyTorch: forward, input
gradient and kernel gradient, CPU ms per batch, then the whole training step. ``--network
resnet_small``: examples/fashion_mnist_resnet.py at batch 128 (SGD with Nesterov momentum on
both sides); ``--network dncnn``: compare.py's row g, lamina.apps.imaging's denoiser on 32x32
crops at batch 32 (Adam, MSE; the PyTorch twin of benchmarks/_imaging.py); ``--network
unet``: compare.py's row i, the U-Net colorizer on 32x32 crops at batch 32 (its Conv2D layers,
the two stride-2 ones included; the step adds its transposed convs and joins).

Both libraries run in this process on one thread (``LAMINA_NUM_THREADS=1``,
``torch.set_num_threads(1)``) and are timed in CPU seconds (``time.process_time``, the best of
``--repeats`` calls after a warm-up), so the figures hold up on a machine other programs load;
``--threads 2`` times wall seconds instead. lamina's side calls ``_conv_cpu`` as the Conv2D op
does (the path ``plans.py`` picks); torch's calls ``conv2d`` and ``convolution_backward``.

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/conv_training.py [--network dncnn|unet]
[--repeats 5] [--steps 5] [--threads 2]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

#: network -> (batch, [(height = width of the input, channels in, filters, how many such
#: convs[, stride])]); 3x3 kernels, 'same' padding
NETWORKS = {
    "resnet_small": (128, [(28, 1, 32, 1), (14, 32, 64, 1), (14, 64, 64, 2), (7, 64, 128, 1),
                           (7, 128, 128, 2)]),
    "dncnn": (32, [(32, 1, 32, 1), (32, 32, 32, 6), (32, 32, 1, 1)]),
    "unet": (32, [(32, 1, 32, 1), (32, 32, 64, 1, 2), (16, 64, 64, 1), (16, 64, 128, 1, 2),
                  (8, 128, 128, 1), (16, 128, 64, 1), (32, 64, 32, 1)]),
}


def _best(fn, repeats, clock):
    fn()
    best = float("inf")
    for _ in range(repeats):
        start = clock()
        fn()
        best = min(best, clock() - start)
    return best * 1e3


def convs(network, repeats, clock):
    """Rows (shape, lamina fwd/dx/dk, torch fwd/dx/dk) in ms, times the count of the shape."""
    import torch

    from lamina.autograd.ops import _conv_cpu
    from lamina.parallel import lamina_threads

    rng = np.random.default_rng(0)
    one = (1, 1)
    rows = []
    batch, shapes = NETWORKS[network]
    for hw, c, o, count, *stride in shapes:
        s = stride[0] if stride else 1
        st, ho = (s, s), -(-hw // s)
        # 'same' as Keras pads it: the extra row and column of a stride-2 window at the end
        pads = ((1, 1), (1, 1)) if s == 1 else ((0, 1), (0, 1))
        x = rng.standard_normal((batch, hw, hw, c), dtype=np.float32)
        k = rng.standard_normal((3, 3, c, o), dtype=np.float32) * 0.1
        g = rng.standard_normal((batch, ho, ho, o), dtype=np.float32)
        need_x = c > 1  # the first layer's input gradient is never asked for
        with lamina_threads():
            _, xpad = _conv_cpu.conv2d_forward(np, x, k, None, pads, st, one, (ho, ho))

            def ours(need, xpad=xpad, x=x, k=k, g=g, pads=pads, st=st):
                return _conv_cpu.conv2d_backward(np, g, xpad, k, k.shape, x.shape, pads, st,
                                                 one, need)

            def forward(x=x, k=k, ho=ho, pads=pads, st=st):
                return _conv_cpu.conv2d_forward(np, x, k, None, pads, st, one, (ho, ho))

            lam = [_best(forward, repeats, clock),
                   _best(lambda: ours((True, False, False)), repeats, clock) if need_x else 0,
                   _best(lambda: ours((False, True, False)), repeats, clock)]
        xt = torch.from_numpy(x.transpose(0, 3, 1, 2).copy())
        kt = torch.from_numpy(k.transpose(3, 2, 0, 1).copy())
        gt = torch.from_numpy(g.transpose(0, 3, 1, 2).copy())

        def theirs(mask, xt=xt, kt=kt, gt=gt, s=s):
            return torch.ops.aten.convolution_backward(gt, xt, kt, None, [s, s], [1, 1],
                                                       [1, 1], False, [0, 0], 1, mask)

        def torch_forward(xt=xt, kt=kt, s=s):
            return torch.nn.functional.conv2d(xt, kt, stride=s, padding=1)

        tor = [_best(torch_forward, repeats, clock),
               _best(lambda: theirs([True, False, False]), repeats, clock) if need_x else 0,
               _best(lambda: theirs([False, True, False]), repeats, clock)]
        rows.append((f"{hw}x{hw}{'/2' if s > 1 else ''} {c}->{o} x{count}",
                     [v * count for v in lam],
                     [v * count for v in tor]))
    return rows


def _networks(network):
    """(lamina model, torch module, torch optimizer, torch loss, x, y) of ``network``."""
    import torch

    if network == "unet":
        from _imaging import _torch_network

        from lamina.apps.imaging.networks import colorizer
        from lamina.optimizers import Adam

        rng = np.random.default_rng(0)
        x = rng.uniform(0, 1, (32, 32, 32, 1)).astype(np.float32)
        y = rng.uniform(0, 1, (32, 32, 32, 3)).astype(np.float32)
        model = colorizer()
        model.compile(optimizer=Adam(1e-3), loss="mse")
        net = _torch_network("colorize").train()
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        yt = torch.from_numpy(np.ascontiguousarray(y.transpose(0, 3, 1, 2)))
        return model, net, opt, torch.nn.MSELoss(), x, y, yt
    if network == "dncnn":
        from _imaging import _torch_network

        from lamina.apps.imaging.networks import denoiser
        from lamina.optimizers import Adam

        rng = np.random.default_rng(0)
        x = rng.uniform(0, 1, (32, 32, 32, 1)).astype(np.float32)
        y = np.clip(x + rng.normal(0, 0.1, x.shape), 0, 1).astype(np.float32)
        model = denoiser()
        model.compile(optimizer=Adam(1e-3), loss="mse")
        net = _torch_network("denoise").train()
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        yt = torch.from_numpy(np.ascontiguousarray(y.transpose(0, 3, 1, 2)))
        return model, net, opt, torch.nn.MSELoss(), x, y, yt
    from architectures import _data, _example, _torch_resnet_small

    from lamina.optimizers import SGD

    x, y = _data("resnet_small")
    model = _example().build()
    model.compile(optimizer=SGD(0.1, momentum=0.9, nesterov=True),
                  loss="sparse_categorical_crossentropy")
    net = _torch_resnet_small(torch.nn).train()
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, nesterov=True)
    return model, net, opt, torch.nn.CrossEntropyLoss(), x, y, torch.from_numpy(y)


def step(network, steps, clock):
    """(lamina ms, torch ms): medians of ``steps`` training steps, taken in turns."""
    import torch

    model, net, opt, loss, x, y, yt = _networks(network)
    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))

    def torch_step():
        opt.zero_grad()
        loss(net(xt), yt).backward()
        opt.step()

    sides = {"lamina": lambda: model.train_on_batch(x, y), "torch": torch_step}
    times = {name: [] for name in sides}
    for fn in sides.values():
        fn()
    for _ in range(steps):
        for name, fn in sides.items():
            start = clock()
            fn()
            times[name].append(clock() - start)
    return tuple(float(np.median(times[name])) * 1e3 for name in sides)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", choices=sorted(NETWORKS), default="resnet_small")
    parser.add_argument("--repeats", type=int, default=5, help="timed calls per conv")
    parser.add_argument("--steps", type=int, default=5, help="timed training steps per side")
    parser.add_argument("--threads", type=int, default=1, help="1: CPU time; else wall time")
    args = parser.parse_args(argv)
    os.environ["LAMINA_NUM_THREADS"] = str(args.threads)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import torch

    torch.set_num_threads(args.threads)
    clock = time.process_time if args.threads == 1 else time.perf_counter
    print(f"load average {os.getloadavg()[0]:.1f}, {args.threads} thread(s), "
          f"{'CPU' if args.threads == 1 else 'wall'} ms")
    head = f"{args.network} b{NETWORKS[args.network][0]}"
    print(f"{head:20s} {'fwd':>6s} {'dx':>6s} {'dk':>6s} | torch {'fwd':>6s} "
          f"{'dx':>6s} {'dk':>6s}")
    total = np.zeros(6)
    for name, lam, tor in convs(args.network, args.repeats, clock):
        total += lam + tor
        print(f"{name:20s} " + " ".join(f"{v:6.1f}" for v in lam) + " |       "
              + " ".join(f"{v:6.1f}" for v in tor))
    print(f"{'all convs':20s} " + " ".join(f"{v:6.1f}" for v in total[:3]) + " |       "
          + " ".join(f"{v:6.1f}" for v in total[3:])
          + f"   {total[:3].sum():.0f} vs {total[3:].sum():.0f} ms: "
            f"{total[:3].sum() / total[3:].sum():.2f}x")
    ours, theirs = step(args.network, args.steps, clock)
    print(f"training step: lamina {ours:.0f} ms, torch {theirs:.0f} ms, "
          f"{ours / theirs:.2f}x (load average {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
