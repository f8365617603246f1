"""``lamina image evaluate [TASK]``: each network against its classical baseline, measured now.

Everything is measured on the fixed 32x32 crops of the test photographs (camera, coffee,
chelsea: :func:`lamina.datasets.patches.test_crops`; coffee and chelsea for colour), with
degradations drawn from a fixed seed, networks and baselines on the same crops in the same
run. PSNR is per crop, then averaged (images in [0, 1]; network outputs clipped to [0, 1]).

* denoise: sigma = 25/255 (Gaussian filter with its best width, BM3D when installed), and
  15/255 and 50/255 with the same (blind) network, each crop denoised as
  :func:`lamina.apps.imaging.denoise` denoises a picture of its size (:mod:`.ensemble`: 8
  passes for a 32x32 crop, rotated and mirrored copies, in two stages for strong noise);
* upscale: x2 against bicubic;
* colorize: PSNR of the RGB against the gray image, the AuC of the cumulative distribution of
  the per-pixel ab error in CIELAB over thresholds 0-150 (Zhang et al. 2016), and the
  colourfulness of Hasler and Suesstrunk (2003) beside that of the true colours;
* inpaint: a 16x16 hole at a random place of each crop, PSNR over the hole's pixels, against
  scikit-image's biharmonic fill.

The goals are issue 16's; :func:`evaluate` returns the rows, :func:`table` prints them.
"""

from __future__ import annotations

import os
import platform
import time

import numpy

from lamina.apps.imaging import baselines, ensemble, pairs, registry

__all__ = ["SEED", "evaluate", "table", "ab_auc", "colourfulness", "hole_psnr"]

SEED = 2026
AUC_MAX = 150


def _psnr(clean, out):
    from lamina.metrics import psnr_per_image

    return float(numpy.mean(psnr_per_image(clean, numpy.clip(out, 0, 1))))


def _predict(model, x):
    return numpy.clip(model.predict(x, batch_size=64, verbose=0), 0, 1)


def _denoised(model, noisy):
    """What :func:`lamina.apps.imaging.denoise` gives for each crop alone: as many passes as
    a picture of the crop's size gets (:func:`.ensemble.denoise_passes`)."""
    passes = ensemble.passes_for(*noisy.shape[1:3])
    return numpy.clip(ensemble.denoise_passes(
        lambda x: model.predict(x, batch_size=64, verbose=0), noisy, passes), 0, 1)


def ab_auc(rgb_true, rgb_pred):
    """Mean over crops of the area under the CDF of the per-pixel ab distance (CIELAB) for
    thresholds 0..150, in percent (100: every pixel's chroma exact)."""
    from skimage.color import rgb2lab

    thresholds = numpy.arange(AUC_MAX + 1)
    scores = []
    for a, b in zip(rgb_true, rgb_pred):
        ab_a = rgb2lab(numpy.clip(a, 0, 1))[..., 1:]
        ab_b = rgb2lab(numpy.clip(b, 0, 1))[..., 1:]
        error = numpy.sqrt(((ab_a - ab_b) ** 2).sum(axis=-1)).ravel()
        cdf = (error[None, :] <= thresholds[:, None]).mean(axis=1)
        scores.append(100 * numpy.trapezoid(cdf, thresholds) / AUC_MAX)
    return float(numpy.mean(scores))


def colourfulness(rgb):
    """Hasler-Suesstrunk colourfulness of each crop (RGB on the 0-255 scale), averaged."""
    rgb = numpy.clip(rgb, 0, 1) * 255.0
    rg = rgb[..., 0] - rgb[..., 1]
    yb = 0.5 * (rgb[..., 0] + rgb[..., 1]) - rgb[..., 2]
    axes = (1, 2)
    value = (numpy.sqrt(rg.std(axis=axes) ** 2 + yb.std(axis=axes) ** 2)
             + 0.3 * numpy.sqrt(rg.mean(axis=axes) ** 2 + yb.mean(axis=axes) ** 2))
    return float(value.mean())


def hole_psnr(clean, out, mask):
    """PSNR over the hole's pixels of each crop, averaged."""
    hole = mask > 0.5
    values = [10 * numpy.log10(1.0 / numpy.mean((c[h] - numpy.clip(o, 0, 1)[h]) ** 2))
              for c, o, h in zip(clean, out, hole)]
    return float(numpy.mean(values))


def _row(task, measure, baseline, baseline_value, model_value, goal, goal_text, **extra):
    return {"task": task, "measure": measure, "baseline": baseline,
            "baseline_value": baseline_value, "model": model_value, "goal": goal,
            "goal_text": goal_text, "met": bool(model_value >= goal), **extra}


def _denoise(model, bm3d=True):
    from lamina.datasets import patches

    clean = patches.test_crops()
    rows = []
    for level in (25, 15, 50):
        noisy = pairs.noisy(clean, level / 255, seed=SEED + level)
        filtered, width = baselines.best_gaussian_filter(noisy, clean)
        base = _psnr(clean, filtered)
        net = _psnr(clean, _denoised(model, noisy))
        extra = {"filter_sigma": width}
        if level == 25:
            if bm3d and baselines.bm3d_available():
                extra["bm3d"] = _psnr(clean, baselines.bm3d(noisy, level / 255))
            rows.append(_row("denoise", "PSNR, sigma 25", f"Gaussian filter (sigma {width})",
                             base, net, 27.5, ">= 27.5", **extra))
        else:
            rows.append(_row("denoise", f"PSNR, sigma {level} (blind)",
                             f"Gaussian filter (sigma {width})", base, net, base + 1.5,
                             ">= filter + 1.5", **extra))
    return rows


def _upscale(model):
    from lamina.datasets import patches

    clean = patches.test_crops()
    low, _ = pairs.make_pairs("upscale", clean)
    base = _psnr(clean, baselines.bicubic(low))
    net = _psnr(clean, _predict(model, low))
    return [_row("upscale", "PSNR, x2", "bicubic", base, net, base + 1.0, ">= bicubic + 1.0",
                 stretch=base + 1.5)]


def _colorize(model):
    from lamina.datasets import patches

    clean = patches.test_crops(color=True)
    luma, _ = pairs.make_pairs("colorize", clean)
    gray, out = baselines.gray(luma), _predict(model, luma)
    colour = {"colourfulness_model": colourfulness(out),
              "colourfulness_true": colourfulness(clean)}
    return [_row("colorize", "PSNR, RGB", "gray image", _psnr(clean, gray), _psnr(clean, out),
                 _psnr(clean, gray) + 1.0, ">= gray + 1.0", **colour),
            _row("colorize", "AuC of ab error 0-150, %", "gray image", ab_auc(clean, gray),
                 ab_auc(clean, out), ab_auc(clean, gray) + 3.0, ">= gray + 3 points")]


def _inpaint(model):
    from lamina.datasets import patches

    clean = patches.test_crops()
    x, _ = pairs.make_pairs("inpaint", clean, seed=SEED)
    mask = x[..., 1:]
    base = hole_psnr(clean, baselines.biharmonic(x), mask)
    net = hole_psnr(clean, _predict(model, x), mask)
    return [_row("inpaint", "PSNR over the 16x16 hole", "biharmonic", base, net, base + 0.5,
                 ">= biharmonic + 0.5")]


MEASURES = {"denoise": _denoise, "upscale": _upscale, "colorize": _colorize,
            "inpaint": _inpaint}


def evaluate(tasks=None, models=None, bm3d=True) -> dict:
    """Measure ``tasks`` (default all); ``models`` maps a task to a model to measure instead
    of the shipped one; ``bm3d=False`` leaves BM3D out (seconds per crop). Returns
    ``{"rows": [...], "seconds": ..., "load": ..., ...}``."""
    tasks = list(tasks or registry.TASKS)
    models = models or {}
    start = time.perf_counter()
    rows = []
    for task in tasks:
        if task not in MEASURES:
            raise ValueError(f"unknown imaging task {task!r}; the tasks are "
                             f"{', '.join(MEASURES)}")
        model = models.get(task) or registry.load_model(task)
        rows += MEASURES[task](model, bm3d) if task == "denoise" else MEASURES[task](model)
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {"rows": rows, "seconds": time.perf_counter() - start, "load": load,
            "machine": f"{platform.machine()}, {os.cpu_count()} cores"}


def table(result: dict) -> str:
    """The rows as a Markdown table, goal met or missed by how much, then how it was run."""
    lines = ["| task | measure | baseline | baseline | model | goal | met |",
             "|---|---|---|---:|---:|---|---|"]
    for r in result["rows"]:
        margin = r["model"] - r["goal"]
        met = f"yes (+{margin:.2f})" if r["met"] else f"no ({margin:.2f})"
        lines.append(f"| {r['task']} | {r['measure']} | {r['baseline']} | "
                     f"{r['baseline_value']:.2f} | {r['model']:.2f} | {r['goal_text']} | {met} |")
    notes = []
    for r in result["rows"]:
        if "bm3d" in r:
            notes.append(f"BM3D (sigma 25, told the sigma): {r['bm3d']:.2f} dB")
        if "colourfulness_model" in r:
            notes.append(f"colourfulness (Hasler-Suesstrunk): model "
                         f"{r['colourfulness_model']:.1f}, true colours "
                         f"{r['colourfulness_true']:.1f}, gray 0")
    load = result.get("load")
    notes.append(f"measured in {result['seconds']:.0f} s on {result['machine']}"
                 + (f", load {load[0]:.2f}" if load else ""))
    return "\n".join(lines + [""] + notes)
