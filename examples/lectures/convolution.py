"""Lecture 11: convolution by hand and by lamina (seeds 001, 002 and 003).

    python examples/lectures/convolution.py [--out DIR] [--quick]

1. Seed 001's 7x7 example: the image ``I``, the 3x3 filter ``F``, the point-wise product
   at one position (936, -333, -109, ...; it sums to 350) and the 7x7 result ``I'``
   (zero padding, "same" size). lamina's ``conv2d`` reproduces the slide, except one
   entry where the slide dropped a minus sign (top right: the slide has 187, the sum is
   -187; the script prints the nine products). The image's numbers are ASCII codes.
2. Seed 002's 6x6 example: filter 1 (a diagonal) and filter 2 (a vertical line) at
   stride 1 (two 4x4 maps) and stride 2 (2x2), then 2x2 max pooling of the stride-1 maps,
   with the numbers of the slides.
3. The output-size formula ``out = floor((n + 2p - d (k - 1) - 1) / s) + 1`` ("valid":
   p = 0; "same": out = ceil(n / s)) checked against ``conv2d`` and ``max_pool2d`` shapes.
4. Blur and edge filters (box, Gaussian, Sobel, Laplacian, sharpen) on a Fashion-MNIST
   image, all in one ``conv2d`` call (one output channel per filter).
5. Seed 003's Laplacian example: the kernel ``[[0, 1, 0], [1, -4, 1], [0, 1, 0]]`` on the
   slide's grey values gives the four outputs 83, 14, -66 (first column) and 91. The slide
   says the kernel "sums to one"; it sums to 0, like every edge detector: a flat region
   gives 0, where a kernel summing to 1 (a blur) keeps its brightness. The slide shows a few
   windows, not the whole image: the pixels it never shows sit under the kernel's zero
   corners, so the script fills them twice (0 and 255) and gets the same four outputs.

Like Keras (and the slides), lamina's convolution does not flip the kernel: it is a
cross-correlation, ``I'[i, j] = sum_{a, b} I[i + a, j + b] F[a, b]``.

Writes ``seed001.png``, ``seed002.png``, ``seed003.png``, ``filters.png`` and ``summary.txt``.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

from lamina import Tensor
from lamina.datasets import fashion_mnist
from lamina.functional import conv2d, max_pool2d

NAME = "convolution"

# ---------------------------------------------------------------- seed 001 (slides)
SEED001_IMAGE = np.array([
    [104, 116, 116, 112, 58, 47, 47],
    [109, 97, 114, 116, 105, 110, 45],
    [116, 104, 111, 109, 97, 46, 100],
    [101, 47, 109, 97, 115, 116, 101],
    [114, 47, 99, 97, 116, 99, 97],
    [116, 99, 97, 116, 46, 112, 104],
    [112, 63, 118, 61, 49, 46, 48]])
SEED001_FILTER = np.array([[9, -3, -1], [-6, 5, 3], [2, -8, 0]])
SEED001_PRODUCT = np.array([[936, -333, -109], [-282, 545, 291], [94, -792, 0]])
SEED001_RESULT = np.array([
    [-4, -254, -498, -662, -849, -642, 187],
    [-520, 45, 240, 211, 388, 215, -861],
    [-340, 559, -105, 185, -138, -180, 503],
    [-718, 429, 350, 173, 251, 268, -655],
    [-567, -53, -75, 80, 571, -128, 24],
    [-408, 596, -550, 368, 26, 976, 156],
    [302, 647, 879, 223, 811, 54, 660]])

# ---------------------------------------------------------------- seed 003 (slides)
SEED003_KERNEL = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]])
# The grey values of the slides' windows, pieced together (NaN: a pixel no slide shows).
SEED003_IMAGE = np.array([
    [np.nan, 59, 78, 101],
    [59, 64, 79, 112],
    [138, 142, 153, 184],
    [226, 227, 235, np.nan],
    [240, 239, 242, np.nan]])
SEED003_OUTPUTS = {(0, 0): 83, (1, 0): 14, (2, 0): -66, (0, 1): 91}  # (row, column): value

# ---------------------------------------------------------------- seed 002 (slides)
SEED002_IMAGE = np.array([
    [1, 0, 0, 0, 0, 1],
    [0, 1, 0, 0, 1, 0],
    [0, 0, 1, 1, 0, 0],
    [1, 0, 0, 0, 1, 0],
    [0, 1, 0, 0, 1, 0],
    [0, 0, 1, 0, 1, 0]])
SEED002_FILTERS = {
    "filter 1": np.array([[1, -1, -1], [-1, 1, -1], [-1, -1, 1]]),
    "filter 2": np.array([[-1, 1, -1], [-1, 1, -1], [-1, 1, -1]]),
}
# The results drawn on the slides (images in the lecture, not in the seed's text).
SEED002_STRIDE1 = {
    "filter 1": np.array([[3, -1, -3, -1], [-3, 1, 0, -3], [-3, -3, 0, 1], [3, -2, -2, -1]]),
    "filter 2": np.array([[-1, -1, -1, -1], [-1, -1, -2, 1], [-1, -1, -2, 1], [-1, 0, -4, 3]]),
}
SEED002_STRIDE2_FILTER1 = np.array([[3, -3], [-3, 0]])
SEED002_MAXPOOL = {"filter 1": np.array([[3, 0], [3, 1]]),
                   "filter 2": np.array([[-1, 1], [0, 3]])}


def convolve(image, kernels, strides=1, padding="valid"):
    """lamina's conv2d on one grey image ``(h, w)`` and kernels ``(k, k, n)``:
    returns the ``n`` maps ``(n, h', w')``."""
    x = Tensor(np.asarray(image, dtype="float64")[None, :, :, None])
    k = Tensor(np.asarray(kernels, dtype="float64")[:, :, None, :])
    return np.moveaxis(conv2d(x, k, strides=strides, padding=padding).data[0], -1, 0)


def reference_correlation(image, kernel, stride=1, pad=0):
    """The definition, with two Python loops: ``out[i, j] = sum(patch * kernel)``."""
    image = np.pad(np.asarray(image, dtype="float64"), pad)
    k = kernel.shape[0]
    n = (image.shape[0] - k) // stride + 1
    m = (image.shape[1] - k) // stride + 1
    out = np.empty((n, m))
    for i in range(n):
        for j in range(m):
            patch = image[i * stride:i * stride + k, j * stride:j * stride + k]
            out[i, j] = (patch * kernel).sum()
    return out


def output_size(n, k, s=1, padding="valid", d=1):
    """The formula: ``floor((n + 2p - d (k - 1) - 1) / s) + 1``, or ``ceil(n / s)`` for
    "same" (Keras pads as needed, more on the bottom/right when odd)."""
    if padding == "same":
        return math.ceil(n / s)
    return (n - d * (k - 1) - 1) // s + 1


# ---------------------------------------------------------------- figures
def _matrix(ax, m, title, fmt="{:.0f}", cmap="RdBu_r", highlight=None, fontsize=9):
    m = np.asarray(m, dtype="float64")
    bound = float(np.nanmax(np.abs(m))) or 1.0
    ax.imshow(m, cmap=cmap, vmin=-bound, vmax=bound)
    for (i, j), value in np.ndenumerate(m):
        dark = cmap != "Greys" and abs(value) > 0.6 * bound
        ax.text(j, i, "?" if np.isnan(value) else fmt.format(value), ha="center",
                va="center", fontsize=fontsize,
                color="white" if dark else "black")
    if highlight is not None:
        (r0, r1), (c0, c1) = highlight
        from matplotlib.patches import Rectangle

        ax.add_patch(Rectangle((c0 - 0.5, r0 - 0.5), c1 - c0, r1 - r0, fill=False,
                               edgecolor="black", lw=2.5))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=10)


def plot_seed001(result, at, file):
    from matplotlib.figure import Figure

    r, c = at
    fig = Figure(figsize=(15, 4.6), layout="constrained")
    axes = fig.subplots(1, 4, width_ratios=[7, 3, 3, 7])
    _matrix(axes[0], SEED001_IMAGE, "I (7x7): ASCII codes", cmap="Greys",
            highlight=((r - 1, r + 2), (c - 1, c + 2)))
    axes[0].images[0].set_clim(0, 400)
    _matrix(axes[1], SEED001_FILTER, "filter F (3x3)")
    _matrix(axes[2], SEED001_PRODUCT,
            f"point-wise product\n(sum = {int(SEED001_PRODUCT.sum())})")
    wrong = result != SEED001_RESULT
    _matrix(axes[3], result, "I' = conv2d(I, F, padding='same')", fontsize=8,
            highlight=((r, r + 1), (c, c + 1)))
    for i, j in zip(*np.nonzero(wrong)):
        axes[3].text(j, i + 0.36, f"slide: {SEED001_RESULT[i, j]}", ha="center",
                     fontsize=6.5, color="darkred")
    fig.suptitle("Seed 001: one position of the convolution (boxes), and the whole result")
    fig.savefig(file, dpi=110)


def plot_seed002(maps1, maps2, pooled, file):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 7.5), layout="constrained")
    grid = fig.subplots(2, 5, width_ratios=[6, 3, 4, 2, 2])
    _matrix(grid[0, 0], SEED002_IMAGE, "6x6 image", cmap="Greys")
    grid[0, 0].images[0].set_clim(-0.2, 1.5)
    grid[1, 0].remove()
    for row, (name, kernel) in enumerate(SEED002_FILTERS.items()):
        _matrix(grid[row, 1], kernel, name)
        _matrix(grid[row, 2], maps1[row], f"{name}, stride=1\n(4x4)")
        _matrix(grid[row, 3], maps2[row], f"{name}, stride=2\n(2x2)")
        _matrix(grid[row, 4], pooled[row], "max pooling 2x2\nof the stride-1 map")
    fig.suptitle("Seed 002: two filters at stride 1 and 2, then max pooling "
                 "(each filter's map is one channel)")
    fig.savefig(file, dpi=110)


def seed003_laplacian():
    """Seed 003's example through ``conv2d`` ('valid'), with the pixels no slide shows
    filled with 0 and with 255: returns ``(output, agree)``, the 3x2 output (NaN where the
    two fillings disagree, i.e. where an unseen pixel matters) and whether the four
    slide positions agree."""
    outs = [convolve(np.nan_to_num(SEED003_IMAGE, nan=fill), SEED003_KERNEL[:, :, None])[0]
            for fill in (0.0, 255.0)]
    output = np.where(outs[0] == outs[1], np.rint(outs[0]), np.nan)
    agree = all(outs[0][at] == outs[1][at] for at in SEED003_OUTPUTS)
    return output, agree


def plot_seed003(output, file):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.6), layout="constrained")
    axes = fig.subplots(1, 3, width_ratios=[4, 3, 2])
    _matrix(axes[0], SEED003_IMAGE, "grey values (5x4)\n? = on no slide", cmap="Greys",
            highlight=((0, 3), (0, 3)), fontsize=11)
    axes[0].images[0].set_clim(0, 400)
    _matrix(axes[1], SEED003_KERNEL, f"Laplacian kernel\n(sums to {SEED003_KERNEL.sum()}, "
            "not 1)", fontsize=11)
    _matrix(axes[2], output, "output ('valid', 3x2)\nslide: 83, 14, -66 and 91",
            highlight=((0, 1), (0, 1)), fontsize=11)
    fig.suptitle("Seed 003: the Laplacian kernel on the slide's grey values; the boxed "
                 "window gives the boxed output 83")
    fig.savefig(file, dpi=110)


def image_filters():
    """The classic hand-made filters, each padded to 5x5 (centred) so that one conv2d
    call applies them all: returns ``(names, kernels (5, 5, n))``."""
    box = np.full((3, 3), 1 / 9)
    g = np.array([1, 4, 6, 4, 1], dtype="float64")
    gauss = np.outer(g, g) / np.outer(g, g).sum()
    sobel_x = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype="float64")
    laplace = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype="float64")
    sharpen = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype="float64")
    named = {"box blur 3x3": box, "Gaussian blur 5x5": gauss,
             "Sobel x (vertical edges)": sobel_x, "Sobel y (horizontal edges)": sobel_x.T,
             "Laplacian (all edges)": laplace, "sharpen": sharpen}
    kernels = np.zeros((5, 5, len(named)))
    for i, k in enumerate(named.values()):
        o = (5 - k.shape[0]) // 2
        kernels[o:o + k.shape[0], o:o + k.shape[1], i] = k
    return list(named), kernels


def plot_filters_on_image(image, label, names, maps, file):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(15, 2.9), layout="constrained")
    axes = fig.subplots(1, len(names) + 1)
    axes[0].imshow(image, cmap="gray", vmin=0, vmax=1)
    axes[0].set_title(f"original: {label}", fontsize=9)
    for ax, name, m in zip(axes[1:], names, maps):
        if "edges" in name:
            bound = float(np.abs(m).max()) or 1.0
            ax.imshow(m, cmap="RdBu_r", vmin=-bound, vmax=bound)
        else:
            ax.imshow(m, cmap="gray", vmin=0, vmax=1)
        ax.set_title(name, fontsize=9)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("Hand-made filters through lamina's conv2d (padding='same'); edge maps: "
                 "red positive, blue negative; others shown in [0, 1] (clipped)")
    fig.savefig(file, dpi=110)


# ---------------------------------------------------------------- the lecture
def main(out_dir, quick=False) -> dict:
    """Run the lecture; write figures and ``summary.txt`` to ``out_dir``; return numbers.
    (Everything here is fast; ``quick`` changes nothing.)"""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    lines = ["Lecture 11: convolution (seeds 001, 002 and 003)", ""]

    # 1. seed 001
    result = convolve(SEED001_IMAGE, SEED001_FILTER[:, :, None], padding="same")[0]
    result = np.rint(result).astype(int)
    reference = np.rint(reference_correlation(SEED001_IMAGE, SEED001_FILTER, pad=1))
    at = (3, 2)  # the slide's point-wise product is centred here
    patch = SEED001_IMAGE[at[0] - 1:at[0] + 2, at[1] - 1:at[1] + 2]
    product = patch * SEED001_FILTER
    mismatches = [(int(i), int(j)) for i, j in zip(*np.nonzero(result != SEED001_RESULT))]
    text = "".join(map(chr, SEED001_IMAGE.ravel()))
    lines += [f"Seed 001: I holds the ASCII codes of {text!r}.",
              f"Point-wise product at row {at[0]}, column {at[1]}: "
              f"{product.tolist()} (the slide: {SEED001_PRODUCT.tolist()}), "
              f"sum {int(product.sum())} = I'[{at[0]}, {at[1]}] = {result[at]}.",
              f"conv2d(I, F, padding='same') equals the two-loop definition: "
              f"{bool((result == reference).all())}; it equals the slide's I' in "
              f"{int((result == SEED001_RESULT).sum())} of 49 entries."]
    for i, j in mismatches:
        padded = np.pad(SEED001_IMAGE, 1)[i:i + 3, j:j + 3]
        terms = " + ".join(f"({k})*{v}" for k, v in zip(SEED001_FILTER.ravel(), padded.ravel())
                           if k and v)
        lines.append(f"  I'[{i}, {j}]: the slide has {SEED001_RESULT[i, j]}, but "
                     f"{terms} = {int((padded * SEED001_FILTER).sum())} (a lost minus sign).")
    plot_seed001(result, at, out / "seed001.png")

    # 2. seed 002
    kernels = np.stack(list(SEED002_FILTERS.values()), axis=-1)
    maps1 = np.rint(convolve(SEED002_IMAGE, kernels, strides=1)).astype(int)
    maps2 = np.rint(convolve(SEED002_IMAGE, kernels, strides=2)).astype(int)
    pooled = np.moveaxis(max_pool2d(Tensor(np.moveaxis(maps1, 0, -1)[None].astype("float64")),
                                    pool_size=2).data[0], -1, 0).astype(int)
    seed002_ok = {
        "stride 1": all((maps1[i] == SEED002_STRIDE1[n]).all()
                        for i, n in enumerate(SEED002_FILTERS)),
        "stride 2 (filter 1)": bool((maps2[0] == SEED002_STRIDE2_FILTER1).all()),
        "max pooling": all((pooled[i] == SEED002_MAXPOOL[n]).all()
                           for i, n in enumerate(SEED002_FILTERS)),
        "two-loop definition": all(
            (maps1[i] == reference_correlation(SEED002_IMAGE, k)).all()
            and (maps2[i] == reference_correlation(SEED002_IMAGE, k, stride=2)).all()
            for i, k in enumerate(SEED002_FILTERS.values())),
    }
    lines += ["", "Seed 002: 6x6 image, two 3x3 filters."]
    for i, name in enumerate(SEED002_FILTERS):
        lines += [f"  {name}, stride 1: {maps1[i].tolist()}",
                  f"  {name}, stride 2: {maps2[i].tolist()}",
                  f"  {name}, 2x2 max pooling of the stride-1 map: {pooled[i].tolist()}"]
    lines.append("  equal to the slides / the definition: " +
                 ", ".join(f"{k}: {v}" for k, v in seed002_ok.items()))
    plot_seed002(maps1, maps2, pooled, out / "seed002.png")

    # 3. the output-size formula
    cases = [  # (n, k, strides, padding, dilation, what)
        (7, 3, 1, "same", 1, "seed 001's I'"),
        (6, 3, 1, "valid", 1, "seed 002, stride 1"),
        (6, 3, 2, "valid", 1, "seed 002, stride 2"),
        (28, 3, 1, "valid", 1, "seed 001's CNN, first Conv2D(16, (3, 3))"),
        (26, 2, 2, "valid", 1, "then MaxPooling2D((2, 2))"),
        (13, 3, 1, "valid", 1, "then the second Conv2D"),
        (28, 5, 2, "same", 1, "5x5, stride 2, 'same'"),
        (28, 3, 1, "valid", 2, "3x3, dilation 2 (sees 5x5)"),
        (7, 3, 2, "same", 1, "odd size, stride 2, 'same'"),
    ]
    lines += ["", "Output size: out = floor((n + 2p - d(k - 1) - 1) / s) + 1 ('valid': p = 0; "
              "'same': out = ceil(n / s))", "",
              "| n | k | stride | padding | dilation | formula | lamina | case |",
              "|---:|---:|---:|---|---:|---:|---:|---|"]
    formula_ok = True
    for n, k, s, padding, d, what in cases:
        x = Tensor(np.zeros((1, n, n, 1), dtype="float32"))
        if what.startswith("then MaxPooling"):
            got = max_pool2d(x, pool_size=k, strides=s, padding=padding).shape[1]
        else:
            kernel = Tensor(np.zeros((k, k, 1, 1), dtype="float32"))
            got = conv2d(x, kernel, strides=s, padding=padding, dilation_rate=d).shape[1]
        expected = output_size(n, k, s, padding, d)
        formula_ok &= expected == got
        lines.append(f"| {n} | {k} | {s} | {padding} | {d} | {expected} | {got} | {what} |")

    # 4. blur and edges on a Fashion-MNIST image
    (x_train, y_train), _ = fashion_mnist.load_data()
    index = 0  # an ankle boot
    image = x_train[index].astype("float64") / 255.0
    names, kernels5 = image_filters()
    maps = convolve(image, kernels5, padding="same")
    label = fashion_mnist.CLASS_NAMES[int(y_train[index])]
    plot_filters_on_image(image, label, names, maps, out / "filters.png")
    box_ok = bool(np.allclose(maps[0][1:-1, 1:-1], reference_correlation(image, np.full(
        (3, 3), 1 / 9)), atol=1e-12))
    lines += ["", f"Filters on Fashion-MNIST training image {index} ({label}): "
              + ", ".join(names) + f"; box blur equals the two-loop definition: {box_ok}."]

    # 5. seed 003's Laplacian
    laplace, seed003_agree = seed003_laplacian()
    seed003 = {at: int(laplace[at]) for at in SEED003_OUTPUTS}
    flat = np.full((3, 3), 100.0)
    flat_out = {"Laplacian": float(convolve(flat, SEED003_KERNEL[:, :, None])[0, 0, 0]),
                "box blur": float(convolve(flat, np.full((3, 3, 1), 1 / 9))[0, 0, 0])}
    lines += ["", "Seed 003: the Laplacian [[0, 1, 0], [1, -4, 1], [0, 1, 0]] on the slide's "
              "grey values ('valid'):"]
    lines += [f"  output[{i}, {j}] = {value} (the slide: {SEED003_OUTPUTS[i, j]})"
              for (i, j), value in seed003.items()]
    lines += [f"  the pixels no slide shows do not change these (filled with 0 or 255): "
              f"{seed003_agree}",
              f"  the kernel sums to {int(SEED003_KERNEL.sum())}, not 1 as the slide says: on a "
              f"flat patch of 100 it gives {flat_out['Laplacian']:g} (an edge detector), a box "
              f"blur (sums to 1) gives {flat_out['box blur']:g}."]
    plot_seed003(laplace, out / "seed003.png")

    text_out = "\n".join(lines) + "\n"
    (out / "summary.txt").write_text(text_out)
    print(text_out)
    return {"seed001_result": result, "seed001_mismatches": mismatches,
            "seed001_matches_definition": bool((result == reference).all()),
            "seed001_product": product, "seed002_stride1": maps1, "seed002_stride2": maps2,
            "seed002_maxpool": pooled, "seed002_ok": seed002_ok, "formula_ok": formula_ok,
            "box_blur_ok": box_ok, "filter_maps": maps, "seed003_outputs": seed003,
            "seed003_unseen_pixels_irrelevant": seed003_agree,
            "seed003_kernel_sum": int(SEED003_KERNEL.sum()), "flat_patch": flat_out}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=f"runs/lectures/{NAME}", help="output directory")
    parser.add_argument("--quick", action="store_true", help="a small budget (seconds)")
    args = parser.parse_args()
    main(args.out, quick=args.quick)
