"""compare.py's image-to-image rows (issue 16): one training epoch of each shipped network.

Both sides train the same network (``lamina.apps.imaging.networks``, rebuilt layer for layer
in PyTorch, channels first) on the same pairs: 2048 random 32x32 crops of the training
photographs made into each task's inputs by ``lamina.apps.imaging.pairs`` (the recipe's one
round), Adam 1e-3, MSE, batch 32, shuffled. Inference: 256 held-out pairs at batch 1000;
the "acc" columns of these rows hold the PSNR in dB of the trained network on them. Each side
also reports ``train_cpu_s`` (CPU seconds while training), which on a busy machine says more
than wall time.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np

TASKS = ("denoise", "upscale", "colorize", "inpaint")
TRAIN_CROPS, TEST_CROPS = 2048, 256


def prepare_data(directory: str) -> dict:
    """One ``.npz`` of training and held-out pairs per task; ``{task: path}``."""
    from lamina.apps.imaging import pairs
    from lamina.datasets import patches

    paths = {}
    for i, task in enumerate(TASKS):
        color = task == "colorize"
        clean = patches.random_crops(TRAIN_CROPS + TEST_CROPS, 32, color, seed=100 + i)
        x, y = pairs.make_pairs(task, clean, seed=200 + i)
        path = str(Path(directory) / f"imaging_{task}.npz")
        np.savez(path, x_train=x[:TRAIN_CROPS], y_train=y[:TRAIN_CROPS],
                 x_test=x[TRAIN_CROPS:], y_test=y[TRAIN_CROPS:])
        paths[task] = path
    return paths


def _load(data_path: str) -> dict:
    with np.load(data_path, allow_pickle=False) as d:
        return {k: d[k] for k in d.files}


def _psnr(y, out) -> float:
    mse = ((np.clip(out, 0, 1) - y) ** 2).reshape(len(y), -1).mean(axis=1)
    return float(np.mean(10 * np.log10(1.0 / mse)))


def _timed_inference(predict, x, infer_repeats, infer_batch):
    times, out = [], None
    for i in range(infer_repeats + 1):  # the first pass warms up
        start = time.perf_counter()
        out = np.concatenate([predict(x[j:j + infer_batch]) for j in range(0, len(x),
                                                                             infer_batch)])
        if i:
            times.append(time.perf_counter() - start)
    return out, {"infer_s": statistics.median(times), "infer_times_s": times,
                 "infer_rows": len(x)}


def lamina_run(task, data_path, epochs, seed, infer_repeats, infer_batch, batch):
    """Train and time the shipped network of ``task`` in lamina; ``(result, arrays)``."""
    import lamina.random
    from lamina.apps.imaging import registry
    from lamina.optimizers import Adam

    d = _load(data_path)
    lamina.random.set_random_seed(seed)
    start = time.perf_counter()
    model = registry.build(task)
    model.compile(optimizer=Adam(1e-3), loss="mse")
    compile_s = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    history = model.fit(d["x_train"], d["y_train"], batch_size=batch, epochs=epochs,
                        shuffle=True, seed=seed, verbose=0)
    train_s, train_cpu_s = time.perf_counter() - start, time.process_time() - cpu
    out, infer = _timed_inference(lambda x: model.predict(x, batch_size=len(x), verbose=0),
                                  d["x_test"], infer_repeats, infer_batch)
    return {"train_s": train_s, "epoch_s": train_s / epochs, "compile_s": compile_s,
            "train_cpu_s": train_cpu_s, "train_loss": float(history.history["loss"][-1]),
            "accuracy": _psnr(d["y_test"], out), **infer}, d


def _torch_network(task):
    """The network of ``lamina.apps.imaging.networks`` for ``task`` in PyTorch (NCHW)."""
    import torch
    from torch import nn

    def conv(i, o, k=3, s=1, bias=True):
        return nn.Conv2d(i, o, k, stride=s, padding=k // 2, bias=bias)

    class Denoiser(nn.Module):
        def __init__(self, depth=8, f=32):
            super().__init__()
            body = [conv(1, f), nn.ReLU()]
            for _ in range(depth - 2):
                body += [conv(f, f, bias=False), nn.BatchNorm2d(f, momentum=0.1), nn.ReLU()]
            self.body = nn.Sequential(*body, conv(f, 1))

        def forward(self, x):
            return x - self.body(x)

    class SuperResolver(nn.Module):
        def __init__(self, f=48, depth=5):
            super().__init__()
            body = [conv(1, 64, 5), nn.ReLU()]
            for i in range(depth - 1):
                body += [conv(64 if i == 0 else f, f), nn.ReLU()]
            self.body = nn.Sequential(*body, conv(f, 4), nn.PixelShuffle(2))

        def forward(self, x):
            return nn.functional.interpolate(x, scale_factor=2, mode="nearest") + self.body(x)

    class EncoderDecoder(nn.Module):
        def __init__(self, cin, widths):
            super().__init__()
            self.down = nn.ModuleList()
            prev = cin
            for i, w in enumerate(widths):
                layers = ([conv(prev, w, s=2), nn.ReLU()] if i else []) + \
                    [conv(w if i else prev, w), nn.ReLU()]
                self.down.append(nn.Sequential(*layers))
                prev = w
            self.up = nn.ModuleList()
            self.merge = nn.ModuleList()
            for w in widths[-2::-1]:
                self.up.append(nn.Sequential(nn.ConvTranspose2d(prev, w, 2, stride=2),
                                             nn.ReLU()))
                self.merge.append(nn.Sequential(conv(2 * w, w), nn.ReLU()))
                prev = w

        def forward(self, x):
            skips = []
            for stage in self.down:
                x = stage(x)
                skips.append(x)
            for up, merge, skip in zip(self.up, self.merge, skips[-2::-1]):
                x = merge(torch.cat([up(x), skip], dim=1))
            return x

    class Colorizer(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = EncoderDecoder(1, (32, 64, 128))
            self.chroma = nn.Conv2d(32, 2, 1)
            matrix = torch.tensor([[0.0, -0.344136, 1.772], [1.402, -0.714136, 0.0]])
            self.register_buffer("to_rgb", matrix.t().reshape(3, 2, 1, 1))

        def forward(self, y):
            offset = nn.functional.conv2d(self.chroma(self.body(y)), self.to_rgb)
            return torch.cat([y, y, y], dim=1) + offset

    class Inpainter(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = EncoderDecoder(2, (32, 48, 64, 96))
            self.correction = conv(32, 1)   # zeros: starts as the biharmonic fill, as lamina's
            nn.init.zeros_(self.correction.weight)
            nn.init.zeros_(self.correction.bias)

        def forward(self, pair):
            filled, mask = pair[:, :1], pair[:, 1:]
            return filled + self.correction(self.body(pair)) * mask

    return {"denoise": Denoiser, "upscale": SuperResolver, "colorize": Colorizer,
            "inpaint": Inpainter}[task]()


def torch_run(task, data_path, epochs, seed, infer_repeats, infer_batch, batch):
    """The same network, data and loop in PyTorch; ``(result, arrays)``."""
    import torch

    d = _load(data_path)
    torch.manual_seed(seed)
    model = _torch_network(task)

    def nchw(a):
        return torch.from_numpy(np.ascontiguousarray(a.transpose(0, 3, 1, 2)))

    x, y = nchw(d["x_train"]), nchw(d["y_train"])
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.MSELoss()
    generator = torch.Generator().manual_seed(seed)
    start, cpu = time.perf_counter(), time.process_time()
    model.train()
    n = len(x)
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator)
        total = 0.0
        for i in range(0, n, batch):
            idx = order[i:i + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
    train_s, train_cpu_s = time.perf_counter() - start, time.process_time() - cpu
    model.eval()

    def predict(xb):
        with torch.no_grad():
            return model(nchw(xb)).numpy().transpose(0, 2, 3, 1)

    out, infer = _timed_inference(predict, d["x_test"], infer_repeats, infer_batch)
    return {"train_s": train_s, "epoch_s": train_s / epochs, "train_cpu_s": train_cpu_s,
            "train_loss": total / n, "accuracy": _psnr(d["y_test"], out), **infer}, d
