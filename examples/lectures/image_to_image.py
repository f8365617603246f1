"""Lecture 22: image-to-image CNNs against the classical methods (seed 001).

Denoise, super-resolve, colorize, inpaint.

    python examples/lectures/image_to_image.py [--out DIR] [--quick]

Seed 001 shows four things a CNN does when its output is an image: denoising (Zhang et al.
2017), super-resolution (Dahl et al. 2017), colorization (Zhang, Isola, Efros 2016) and
inpainting (Yang et al. 2017). lamina ships a small network for each
(:mod:`lamina.apps.imaging`, trained on the photographs inside scikit-image) and this
lecture puts each beside what a person would use instead, on photographs the networks never
saw (``camera``, ``coffee``, ``chelsea``):

* denoising, Gaussian noise of sigma 25/255: the Gaussian filter of the best width for this
  very picture (an oracle; BM3D too, when ``pip install bm3d`` is there);
* super-resolution x2 of a bicubic-shrunk picture: bicubic enlargement;
* colorization from the luma: the gray picture itself;
* inpainting of a 16x16 hole: scikit-image's biharmonic fill (PSNR over the hole only).

The networks run through the user's API (``imaging.denoise(img)`` and its siblings, which
tile any size and take RGB). Writes ``image_to_image.png`` (the grid: input, classical,
CNN, original, each with its PSNR), ``psnr_table.png`` and ``psnr_table.md`` (the measured
table: on the figure's crops with ``--quick``, else ``lamina image evaluate``'s measurement
on all test crops) and ``summary.txt``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

NAME = "image_to_image"
SIGMA = 25 / 255
HOLE = 16
# (task, picture, top, left): 160x160 crops of the held-out photographs
CROPS = (("denoise", "camera", 40, 170), ("upscale", "chelsea", 40, 100),
         ("colorize", "coffee", 90, 190), ("inpaint", "chelsea", 120, 40))
HOLE_AT = (100, 60)  # the hole's top-left corner in the inpainting crop: on the whiskers
SIDE = 160
TITLES = {"denoise": "Denoising (sigma = 25/255)", "upscale": "Super-resolution x2",
          "colorize": "Colorization", "inpaint": f"Inpainting ({HOLE}x{HOLE} hole)"}


def psnr(truth, image, where=None):
    """PSNR in dB of float images in [0, 1] (over the pixels ``where`` is True)."""
    diff = (np.asarray(truth, np.float64) - np.clip(image, 0, 1)) ** 2
    if where is not None:
        diff = diff[where]
    return float(10 * np.log10(1.0 / diff.mean()))


def crop(name, top, left):
    """A float32 crop in [0, 1] of a test photograph (RGB, or gray for ``camera``)."""
    import skimage.data
    from skimage.util import img_as_float32

    return img_as_float32(getattr(skimage.data, name)())[top:top + SIDE, left:left + SIDE]


def denoise_case(original, seed=0):
    from lamina.apps import imaging
    from lamina.apps.imaging import baselines

    rng = np.random.default_rng(seed)
    noisy = np.clip(original + rng.normal(0, SIGMA, original.shape), 0, 1).astype(np.float32)
    batch = lambda a: a[None, ..., None]  # noqa: E731 - (1, H, W, 1) for the baselines
    if baselines.bm3d_available():
        classical, label = baselines.bm3d(batch(noisy), SIGMA)[0, ..., 0], "BM3D"
    else:
        filtered, width = baselines.best_gaussian_filter(batch(noisy), batch(original))
        classical, label = filtered[0, ..., 0], f"Gaussian filter (best: {width:g} px)"
    return {"input": noisy, "input_label": "noisy", "classical": classical,
            "classical_label": label, "cnn": imaging.denoise(noisy, sigma=SIGMA)}


def upscale_case(original):
    from lamina.apps import imaging
    from lamina.apps.imaging import pairs

    small = np.clip(pairs.shrink(original[None]), 0, 1)[0]
    return {"input": small, "input_label": f"{SIDE // 2}x{SIDE // 2} (shown enlarged)",
            "classical": pairs.bicubic(small[None])[0], "classical_label": "bicubic",
            "cnn": imaging.upscale(small, scale=2)}


def colorize_case(original):
    from lamina.apps import imaging
    from lamina.apps.imaging import pairs

    luma = np.clip(pairs.luma(original[None])[0, ..., 0], 0, 1)
    return {"input": luma, "input_label": "luma (gray)", "classical": np.repeat(
        luma[..., None], 3, axis=2), "classical_label": "the gray image",
        "cnn": imaging.colorize(luma)}


def inpaint_case(original):
    from skimage.restoration import inpaint_biharmonic

    from lamina.apps import imaging

    mask = np.zeros(original.shape[:2], bool)
    mask[HOLE_AT[0]:HOLE_AT[0] + HOLE, HOLE_AT[1]:HOLE_AT[1] + HOLE] = True
    holed = original.copy()
    holed[mask] = 0.5
    classical = inpaint_biharmonic(original * ~mask[..., None], mask, channel_axis=-1)
    return {"input": holed, "input_label": "with the hole", "classical": classical,
            "classical_label": "biharmonic fill", "cnn": imaging.inpaint(original, mask),
            "mask": mask}


CASES = {"denoise": denoise_case, "upscale": upscale_case, "colorize": colorize_case,
         "inpaint": inpaint_case}


def run_cases() -> dict:
    """Every task on its crop: the images and their PSNRs against the original."""
    results = {}
    for task, name, top, left in CROPS:
        original = crop(name, top, left)
        case = CASES[task](original)
        where = case.get("mask")
        shown_input = case["input"]
        if task == "upscale":  # the input's PSNR is that of its nearest enlargement
            shown_input = np.repeat(np.repeat(case["input"], 2, axis=0), 2, axis=1)
        if task == "colorize":
            shown_input = case["classical"]
        case.update(original=original, picture=name, psnr={
            "input": psnr(original, shown_input, where),
            "classical": psnr(original, case["classical"], where),
            "cnn": psnr(original, case["cnn"], where)})
        results[task] = case
    return results


def plot_grid(results: dict, file) -> None:
    """4 rows (tasks) x 4 columns (input, classical, CNN, original), PSNR in each title."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    fig = Figure(figsize=(12.8, 13.6), layout="constrained")
    axes = fig.subplots(len(results), 4)
    for row, (task, case) in zip(axes, results.items()):
        p = case["psnr"]
        panels = (
            (case["input"], f"{case['input_label']}\n{p['input']:.2f} dB"),
            (case["classical"], f"{case['classical_label']}\n{p['classical']:.2f} dB"),
            (case["cnn"], f"{p['cnn']:.2f} dB"),
            (case["original"], f"{case['picture']} (held out)"))
        for col, (ax, (image, label)) in enumerate(zip(row, panels)):
            gray = image.ndim == 2
            ax.imshow(np.clip(image, 0, 1), cmap="gray" if gray else None, vmin=0, vmax=1,
                      interpolation="nearest")
            head = {0: "Input: ", 1: "Classical: ", 2: "CNN (lamina)\n"}.get(col, "")
            ax.set_title(head + label, fontsize=12.5)
            ax.set_xticks([])
            ax.set_yticks([])
            if col == 0:
                ax.set_ylabel(TITLES[task], fontsize=14, fontweight="bold")
            if task == "inpaint" and col < 3:
                ax.add_patch(Rectangle((HOLE_AT[1] - 1.5, HOLE_AT[0] - 1.5), HOLE + 2, HOLE + 2,
                                       fill=False, edgecolor="#ffd21f", linewidth=1.5))
    fig.suptitle("Image-to-image CNNs against the classical methods "
                 "(PSNR against the original; inpainting: over the hole)", fontsize=15)
    fig.savefig(file, dpi=100)


def quick_rows(results: dict) -> list:
    """The figure's own PSNRs as table rows (one crop per task)."""
    return [{"task": task, "measure": "PSNR" + (" over the hole" if task == "inpaint" else ""),
             "baseline": case["classical_label"], "baseline_value": case["psnr"]["classical"],
             "model": case["psnr"]["cnn"], "unit": "dB"}
            for task, case in results.items()]


def full_rows() -> tuple[list, str]:
    """``lamina image evaluate``'s rows (all test crops) and its printed table."""
    from lamina.apps.imaging import evaluation

    result = evaluation.evaluate()
    rows = [{**r, "unit": "%" if "AuC" in r["measure"] else "dB"} for r in result["rows"]]
    return rows, evaluation.table(result)


def markdown(rows: list) -> str:
    lines = ["| task | measure | classical method | classical | CNN | CNN - classical |",
             "|---|---|---|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['task']} | {r['measure']} | {r['baseline']} | "
                     f"{r['baseline_value']:.2f} {r['unit']} | {r['model']:.2f} {r['unit']} | "
                     f"{r['model'] - r['baseline_value']:+.2f} |")
    return "\n".join(lines)


def plot_table(rows: list, file, subtitle: str) -> None:
    """Bars of the classical method and the CNN per measure (dB; the AuC row on its own)."""
    from matplotlib.figure import Figure

    db = [r for r in rows if r["unit"] == "dB"]
    other = [r for r in rows if r["unit"] != "dB"]
    fig = Figure(figsize=(12.8, 6.4), layout="constrained")
    widths = [max(len(db), 1), 1] if other else [1]
    axes = fig.subplots(1, len(widths), width_ratios=widths, squeeze=False)[0]
    for ax, group, unit in zip(axes, (db, other), ("PSNR (dB)", "AuC of the ab error (%)")):
        x = np.arange(len(group))
        base = [r["baseline_value"] for r in group]
        model = [r["model"] for r in group]
        b1 = ax.bar(x - 0.2, base, 0.4, label="classical method", color="#9aa5b1")
        b2 = ax.bar(x + 0.2, model, 0.4, label="CNN (lamina)", color="#2f6fdf")
        ax.bar_label(b1, fmt="%.1f", fontsize=11)
        ax.bar_label(b2, fmt="%.1f", fontsize=11)
        if any("goal" in r for r in group):
            ax.scatter(x + 0.2, [r["goal"] for r in group], marker="_", s=900, color="black",
                       linewidths=2.5, label="goal (issue 16)", zorder=3)
        ax.set_xticks(x, [f"{r['task']}\n{r['measure'].replace('PSNR, ', '')}\n"
                          f"vs {r['baseline']}" for r in group], fontsize=10.5)
        low = min(base + model)
        ax.set_ylim(max(0, low - 6), max(base + model) + 2.5)
        ax.set_ylabel(unit, fontsize=13)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(fontsize=11, loc="upper left")
    fig.suptitle(f"The CNNs against the classical methods ({subtitle})", fontsize=15)
    fig.savefig(file, dpi=100)


def main(out_dir, quick=False) -> dict:
    """Run the lecture; write the figures, ``psnr_table.md`` and ``summary.txt`` to
    ``out_dir``; return the numbers."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    results = run_cases()
    plot_grid(results, out / "image_to_image.png")
    lines = ["Lecture 22: image-to-image CNNs against the classical methods (seed 001)", "",
             f"One {SIDE}x{SIDE} crop of a held-out photograph per task (PSNR, dB):"]
    for task, case in results.items():
        p = case["psnr"]
        lines.append(f"  {task:<9} {case['picture']:<8} input {p['input']:6.2f}   "
                     f"{case['classical_label']} {p['classical']:6.2f}   CNN {p['cnn']:6.2f}")
    if quick:
        rows, subtitle = quick_rows(results), f"one {SIDE}x{SIDE} crop per task"
        printed = markdown(rows)
    else:
        rows, printed = full_rows()
        subtitle = "all 32x32 test crops, lamina image evaluate"
    plot_table(rows, out / "psnr_table.png", subtitle)
    (out / "psnr_table.md").write_text(markdown(rows) + "\n")
    lines += ["", f"The table ({subtitle}):", printed]
    text = "\n".join(lines)
    (out / "summary.txt").write_text(text + "\n")
    print(text)
    return {"cases": {t: c["psnr"] for t, c in results.items()}, "rows": rows}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=f"runs/lectures/{NAME}")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    main(args.out, quick=args.quick)
