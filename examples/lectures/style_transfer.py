"""Lecture 18: style transfer and texture synthesis with Gatys's losses (seeds 003, 004).

    python examples/lectures/style_transfer.py [--out DIR] [--quick]

Seed 003's research example: "content and style of an image can be separated". The content
of an image is its feature maps at one layer ``l``; its style is the correlations between
feature maps, the Gram matrix ``G = F^T F / M`` (seed 004: "the Gram matrix of a layer is
computed on the source style image"). The generated image minimizes
``L_total = alpha * L_content + beta * L_style``, and it is the *image* that is optimized,
by L-BFGS over its pixels (the first Keras example did the same), not the network.

No ImageNet weights can be downloaded here, so the features come from a network of random
3x3 filters at four scales (Ustyuzhaninov et al. 2017: random filters make textures that
rival VGG's; ``lamina style ... --weights vgg19.h5`` runs Gatys's VGG19).

1. The Gram matrix of a 2x2 image with 2 channels, by hand and by lamina.
2. Texture synthesis from scikit-image's brick, grass and gravel (64x64): the style loss over
   300 L-BFGS iterations (and Adam's, for comparison), and the Gram distance, measured by a
   *different* random network (seed 1), of each synthesized texture to each sample.
3. The seed's alpha/beta sweep: ``chelsea`` in the style of scikit-image's
   immunohistochemistry stain, three ratios, with the content and style losses of each.

Writes ``textures.png``, ``texture_loss.png``, ``gram_distance.png``, ``alpha_beta.png`` and
``summary.txt``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from lamina.apps import style
from lamina.autograd import Tensor, no_grad

NAME = "style_transfer"
TEXTURES = ("brick", "grass", "gravel")
RATIOS = (1e-2, 1e-3, 1e-4)  # alpha / beta, beta = 1


def gram_by_hand():
    """A 2x2 image with 2 channels: F (4 positions x 2 channels), G by two loops."""
    x = np.array([[[[1.0, 0.0], [2.0, 1.0]], [[0.0, 1.0], [1.0, 1.0]]]])
    f = x.reshape(4, 2)
    g = np.zeros((2, 2))
    for i in range(2):
        for j in range(2):
            g[i, j] = sum(f[m, i] * f[m, j] for m in range(4)) / 4
    return f, g, style.gram_matrix(Tensor(x)).data[0]


def gram_distance(net, a, b):
    """Gatys's style loss between images ``a`` and ``b`` under ``net``'s style layers."""
    with no_grad():
        fa, fb = (net.features(Tensor(im[None])) for im in (a, b))
        return float(style.style_loss([fa[n] for n in net.style_layers],
                                      [style.gram_matrix(fb[n]) for n in net.style_layers]).data)


def synthesize(size, steps):
    samples = {n: style.load_image(f"skimage:{n}", size=size) for n in TEXTURES}
    net = style.feature_network(1, seed=0)
    results, seconds = {}, {}
    for name, sample in samples.items():
        start = time.perf_counter()
        results[name] = style.texture(sample, steps=steps, network=net, verbose=0)
        seconds[name] = time.perf_counter() - start
    start = time.perf_counter()
    adam = style.texture(samples["brick"], steps=steps, network=net, optimizer="adam",
                         learning_rate=0.02, verbose=0)
    seconds["brick (adam)"] = time.perf_counter() - start
    judge = style.feature_network(1, seed=1)  # other filters than the ones optimized
    distance = np.array([[gram_distance(judge, results[s].image, samples[t]) for t in TEXTURES]
                         for s in TEXTURES])
    return samples, results, adam, distance, seconds


def sweep(height, steps, tv_weight):
    content = style.load_image("skimage:chelsea", size=height)
    painting = style.load_image("skimage:immunohistochemistry", size=content.shape[:2])
    net = style.feature_network(3, seed=0)
    runs = {}
    for ratio in RATIOS:
        start = time.perf_counter()
        result = style.transfer(content, painting, alpha=ratio, beta=1.0, steps=steps,
                                tv_weight=tv_weight, network=net, verbose=0)
        runs[ratio] = (result, time.perf_counter() - start)
    return content, painting, runs


def _show(ax, image, title):
    ax.imshow(image[:, :, 0] if image.shape[2] == 1 else image, cmap="gray", vmin=0, vmax=1,
              interpolation="nearest")
    ax.set_title(title, fontsize=11)
    ax.set_xticks([])
    ax.set_yticks([])


def plot_textures(samples, results, file):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 9.6), layout="constrained")
    axes = fig.subplots(len(TEXTURES), 2)
    for row, name in zip(axes, TEXTURES):
        loss = results[name].history["style_loss"]
        _show(row[0], samples[name], f"{name}: the sample")
        _show(row[1], results[name].image,
              f"synthesized from noise\nstyle loss {loss[0]:.2g} → {loss[-1]:.2g}")
    fig.suptitle("Texture synthesis: match the Gram matrices\nof a random network "
                 f"({len(loss) - 1} L-BFGS iterations)", fontsize=13)
    fig.savefig(file, dpi=100)


def plot_losses(results, adam, size, file):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.5, 5.2), layout="constrained")
    ax = fig.subplots()
    for name in TEXTURES:
        loss = np.array(results[name].history["style_loss"])
        ax.plot(np.arange(len(loss)), loss / loss[0], label=f"{name}, L-BFGS")
    loss = np.array(adam.history["style_loss"])
    ax.plot(np.arange(len(loss)), loss / loss[0], "--", label="brick, Adam (lr 0.02)")
    ax.axhline(0.01, color="gray", lw=1, ls=":", label="1% of the start")
    ax.set(yscale="log", xlabel="iteration", ylabel="style loss / style loss of the noise",
           title=f"Texture synthesis: the style loss per iteration ({size}x{size}, random "
           "network)")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.savefig(file, dpi=100)


def plot_distance(distance, file):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 5.2), layout="constrained")
    ax = fig.subplots()
    shown = np.log10(distance)
    image = ax.imshow(shown, cmap="viridis_r")
    for i in range(len(TEXTURES)):
        for j in range(len(TEXTURES)):
            ax.text(j, i, f"{distance[i, j]:.2g}", ha="center", va="center", fontsize=12,
                    color="white" if shown[i, j] > shown.mean() else "black")
    ax.set_xticks(range(len(TEXTURES)), [f"sample {t}" for t in TEXTURES])
    ax.set_yticks(range(len(TEXTURES)), [f"synthesized {t}" for t in TEXTURES])
    fig.colorbar(image, ax=ax, label="log10 Gram distance")
    ax.set_title("Gram distance, measured by a network\nof other random filters (seed 1)")
    fig.savefig(file, dpi=100)


def plot_sweep(content, painting, runs, file):
    from matplotlib.figure import Figure

    panel = 3.0  # inches per image, its height from the aspect ratio
    fig = Figure(figsize=(panel * (2 + len(runs)),
                          panel * content.shape[0] / content.shape[1] + 1.3), layout="constrained")
    axes = fig.subplots(1, 2 + len(runs))
    _show(axes[0], content, "content: chelsea")
    _show(axes[1], painting, "style: immunohistochemistry")
    for ax, (ratio, (result, _)) in zip(axes[2:], runs.items()):
        h = result.history
        _show(ax, result.image, f"α/β = {ratio:g}\ncontent {h['content_loss'][-1]:.3g}, "
              f"style {h['style_loss'][-1]:.3g}")
    fig.suptitle("Seed 003's ratio α/β: less weight on content, more style", fontsize=13)
    fig.savefig(file, dpi=100)


def main(out_dir, quick=False) -> dict:
    """Run the lecture; write figures and ``summary.txt`` to ``out_dir``; return numbers."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    f, g_hand, g_lamina = gram_by_hand()
    size, steps = (32, 30) if quick else (64, 300)
    samples, results, adam, distance, seconds = synthesize(size, steps)
    height, transfer_steps, tv = (32, 10, 3e-5) if quick else (96, 150, 3e-5)
    content, painting, runs = sweep(height, transfer_steps, tv)
    plot_textures(samples, results, out / "textures.png")
    plot_losses(results, adam, size, out / "texture_loss.png")
    plot_distance(distance, out / "gram_distance.png")
    plot_sweep(content, painting, runs, out / "alpha_beta.png")

    falls = {n: results[n].history["style_loss"][-1] / results[n].history["style_loss"][0]
             for n in TEXTURES}
    nearest = {s: TEXTURES[int(np.argmin(distance[i]))] for i, s in enumerate(TEXTURES)}
    lines = ["Lecture 18: style transfer and texture synthesis (seeds 003, 004)", "",
             "1. The Gram matrix G = F^T F / M of a 2x2 image with 2 channels:",
             "   F (positions x channels) = " + np.array2string(f, separator=", ")
             .replace("\n", ""),
             f"   by hand: {g_hand.tolist()}   by lamina: {g_lamina.tolist()}", "",
             f"2. Texture synthesis, {size}x{size}, {steps} L-BFGS iterations from noise:"]
    for name in TEXTURES:
        h = results[name].history["style_loss"]
        lines.append(f"   {name:<7} style loss {h[0]:.4g} -> {h[-1]:.4g}: falls by "
                     f"{100 * (1 - falls[name]):.3f}% in {len(h) - 1} iterations, "
                     f"{seconds[name]:.1f} s")
    h = adam.history["style_loss"]
    lines.append(f"   brick with Adam (lr 0.02): {h[0]:.4g} -> {h[-1]:.4g} "
                 f"({100 * (1 - h[-1] / h[0]):.2f}%), {seconds['brick (adam)']:.1f} s")
    lines += ["   Gram distance under a network of other random filters (seed 1); rows "
              "synthesized, columns samples:"]
    lines += [f"   {s:<7} " + "  ".join(f"{v:10.4g}" for v in distance[i])
              + f"   nearest sample: {nearest[s]}" for i, s in enumerate(TEXTURES)]
    lines += ["", f"3. Style transfer, chelsea {content.shape[0]}x{content.shape[1]} in the "
              f"style of immunohistochemistry, {transfer_steps} L-BFGS iterations from the "
              f"content image, beta = 1, total variation weight {tv:g}:"]
    for ratio, (result, secs) in runs.items():
        h = result.history
        lines.append(f"   alpha/beta = {ratio:g}: content loss {h['content_loss'][-1]:.4g}, "
                     f"style loss {h['style_loss'][0]:.4g} -> {h['style_loss'][-1]:.4g}, "
                     f"{secs:.1f} s")
    text = "\n".join(lines) + "\n"
    (out / "summary.txt").write_text(text)
    print(text)
    return {"gram": (g_hand, g_lamina), "texture_fall": falls, "nearest": nearest,
            "distance": distance, "seconds": seconds,
            "sweep": {r: {k: v[-1] for k, v in res.history.items()} for r, (res, _) in
                      runs.items()}}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=f"runs/lectures/{NAME}", help="output directory")
    parser.add_argument("--quick", action="store_true", help="a small budget (seconds)")
    args = parser.parse_args()
    main(args.out, quick=args.quick)
