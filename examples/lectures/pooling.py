"""Lecture 23: pooling, "summary over neighborhood, e.g. maximum, average, L2" (seed 003).

    python examples/lectures/pooling.py [--out DIR] [--quick]

Seed 003 names three poolings and one reason for them: "Pooling over spatial region:
translation invariance". This lecture takes seed 002's 4x4 feature map (filter 1, stride 1,
lecture 11) and pools it 2x2 three ways, by hand and by lamina's layers:

* max, ``MaxPooling2D``: the window's largest value;
* average, ``AveragePooling2D``: its mean;
* L2, ``L2Pooling2D`` (``LPPooling2D(p=2)``): its Euclidean length ``sqrt(sum x²)``.

For every window ``mean|x| <= max|x| <= sqrt(sum x²)`` (the sum holds the largest square),
so on this map L2 pooling is never below max pooling, nor max below average of magnitudes.
The gradient of each is printed too: max pooling sends the whole gradient to one cell,
average pooling splits it equally, L2 pooling in proportion to ``x / sqrt(sum x²)``.

Translation invariance, measured: 200 feature maps of 28x28, each six sharp peaks (Gaussian
blobs of 0.6 to 1.2 pixels, like a detector's responses), shifted right by one pixel. A peak
that stays inside its 2x2 window leaves the pooled map unchanged, so the pooled maps change
less than the map itself: by 0.55 (max), 0.55 (L2) and 0.58 (average) of their size against
0.68 unpooled; max pooling is the most invariant. Everything is fast; ``--quick`` uses 50
maps (0.54, 0.54, 0.57 against 0.66).

Writes ``pooling.png``, ``invariance.png`` and ``summary.txt``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from lamina import Tensor
from lamina.layers import AveragePooling2D, L2Pooling2D, MaxPooling2D

NAME = "pooling"

#: seed 002's stride-1 map of filter 1 (lecture 11, ``convolution.py``)
SEED002_MAP = np.array([[3, -1, -3, -1], [-3, 1, 0, -3], [-3, -3, 0, 1], [3, -2, -2, -1]],
                       dtype=np.float64)

LAYERS = {"max": MaxPooling2D, "average": AveragePooling2D, "L2": L2Pooling2D}


def by_hand(x: np.ndarray) -> dict:
    """The three 2x2 poolings of a 2-D map by two loops."""
    out = {k: np.zeros((x.shape[0] // 2, x.shape[1] // 2)) for k in LAYERS}
    for i in range(out["max"].shape[0]):
        for j in range(out["max"].shape[1]):
            window = x[2 * i:2 * i + 2, 2 * j:2 * j + 2]
            out["max"][i, j] = window.max()
            out["average"][i, j] = window.mean()
            out["L2"][i, j] = np.sqrt(np.sum(window ** 2))
    return out


def by_lamina(x: np.ndarray) -> dict:
    """The same poolings by lamina's layers (float64) and the gradient of each map's sum."""
    values, grads = {}, {}
    for name, layer in LAYERS.items():
        t = Tensor(x[None, :, :, None], requires_grad=True)
        y = layer(pool_size=(2, 2), dtype="float64")(t)
        y.sum().backward()
        values[name], grads[name] = y.data[0, :, :, 0], t.grad[0, :, :, 0]
    return values, grads


def blobs(n: int, seed: int = 0, side: int = 28) -> np.ndarray:
    """``n`` random feature maps (sums of 6 sharp Gaussian peaks), ``(n, side, side, 1)``."""
    rng = np.random.default_rng(seed)
    grid = np.arange(side)
    images = np.zeros((n, side, side))
    for _ in range(6):
        r, c = rng.uniform(4, side - 4, (2, n, 1, 1))
        width = rng.uniform(0.6, 1.2, (n, 1, 1))
        images += np.exp(-((grid[:, None] - r) ** 2 + (grid[None, :] - c) ** 2) / (2 * width ** 2))
    return images[..., None]


def shift_change(images: np.ndarray) -> dict:
    """Mean relative change ``|f(shifted) - f(x)| / |f(x)|`` for the image and each pooling."""
    shifted = np.roll(images, 1, axis=2)

    def change(f):
        a, b = f(images), f(shifted)
        return float(np.mean(np.linalg.norm((b - a).reshape(len(a), -1), axis=1)
                             / np.linalg.norm(a.reshape(len(a), -1), axis=1)))

    result = {"no pooling": change(lambda z: z)}
    for name, layer in LAYERS.items():
        pool = layer(pool_size=(2, 2), dtype="float64")
        result[name] = change(lambda z, pool=pool: pool(z).data)
    return result


def plot(maps: dict, grads: dict, changes: dict, out: Path) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12.8, 5.6), layout="constrained")
    axes = fig.subplots(2, 4)
    panels = [("seed 002's map (4x4)", SEED002_MAP, None)] + [
        (f"{k} pooling, 2x2", v, grads[k]) for k, v in maps.items()]
    for col, (title, values, _) in enumerate(panels):
        ax = axes[0, col]
        ax.imshow(values, cmap="coolwarm", vmin=-5, vmax=5)
        for (i, j), v in np.ndenumerate(values):
            ax.text(j, i, f"{v:.2f}".rstrip("0").rstrip("."), ha="center", va="center",
                    fontsize=13)
        ax.set_title(title, fontsize=12)
        ax.set_xticks([]), ax.set_yticks([])
    axes[1, 0].axis("off")
    axes[1, 0].text(0, 0.5, "Gradient of the pooled\nmap's sum, per input\ncell (below):\n"
                    "max: all to one cell\naverage: 1/4 each\nL2: x / sqrt(sum x²)",
                    fontsize=12, va="center")
    for col, name in enumerate(LAYERS, start=1):
        ax = axes[1, col]
        ax.imshow(grads[name], cmap="PiYG", vmin=-1.6, vmax=1.6)
        for (i, j), v in np.ndenumerate(grads[name]):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=12)
        ax.set_title(f"d(sum)/dx, {name}", fontsize=12)
        ax.set_xticks([]), ax.set_yticks([])
    fig.savefig(out / "pooling.png", dpi=100)

    fig = Figure(figsize=(8, 4.5), layout="constrained")
    ax = fig.subplots()
    names = list(changes)
    bars = ax.bar(names, [changes[k] for k in names], color=["gray", "C0", "C1", "C2"])
    ax.bar_label(bars, fmt="%.3f", fontsize=11)
    ax.set_ylabel("relative change after a 1-pixel shift", fontsize=12)
    ax.set_xlabel("2x2 pooling of 28x28 maps of sharp peaks", fontsize=12)
    ax.set_title("Translation invariance: pooled maps change less than the image", fontsize=12)
    ax.set_ylim(0, max(changes.values()) * 1.2)
    ax.tick_params(labelsize=11)
    fig.savefig(out / "invariance.png", dpi=100)


def main(out_dir, quick=False) -> dict:
    """Run the lecture; write figures and ``summary.txt`` to ``out_dir``; return numbers."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    hand = by_hand(SEED002_MAP)
    maps, grads = by_lamina(SEED002_MAP)
    changes = shift_change(blobs(50 if quick else 200))
    plot(maps, grads, changes, out)
    agree = max(float(np.max(np.abs(hand[k] - maps[k]))) for k in LAYERS)
    magnitudes = by_hand(np.abs(SEED002_MAP))
    ordered = bool(np.all(magnitudes["average"] <= magnitudes["max"])
                   and np.all(magnitudes["max"] <= maps["L2"]))
    n_images = 50 if quick else 200
    lines = ["Lecture 23: pooling (seed 003: maximum, average, L2)", "",
             f"seed 002's map (filter 1, stride 1): {SEED002_MAP.astype(int).tolist()}"]
    for k in LAYERS:
        lines.append(f"  {k:>7} pooling 2x2: {np.round(maps[k], 4).tolist()}   "
                     f"gradient of the sum: {np.round(grads[k], 4).tolist()}")
    lines += [f"lamina's layers equal the two loops (largest difference {agree:.1e}); "
              f"mean|x| <= max|x| <= sqrt(sum x²) in every window: {ordered}", "",
              f"Relative change after a one-pixel shift ({n_images} "
              "maps of sharp peaks, 28x28):"]
    lines += [f"  {k:>10}: {v:.3f}" for k, v in changes.items()]
    text = "\n".join(lines)
    (out / "summary.txt").write_text(text + "\n")
    print(text)
    return {"maps": maps, "by_hand": hand, "gradients": grads, "largest_difference": agree,
            "ordered": ordered, "shift_change": changes}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=f"runs/lectures/{NAME}")
    parser.add_argument("--quick", action="store_true", help="fewer images (seconds)")
    args = parser.parse_args()
    main(args.out, quick=args.quick)
