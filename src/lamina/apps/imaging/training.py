"""``lamina image train TASK``: train one image-to-image network with a fixed seed.

Every round draws fresh crops of the training photographs (:mod:`lamina.datasets.patches`;
the test photographs are never read) and fresh degradations (:mod:`.pairs`: new noise, new
holes), then runs one pass over them; Adam's rate follows a cosine from ``lr`` down to 5 %
over all steps. A round's numbers depend only on the seed, the recipe and the thread count.

The recipes (:data:`RECIPES`) are what the shipped weights were trained with; their times on
the 2-core machine we measure on are in ``benchmarks/README.md`` ("Image-to-image models
(issue 16)").
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy

from lamina.apps.imaging import pairs, registry

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

    @property
    def steps(self) -> int:
        return self.rounds * -(-self.crops_per_round // self.batch_size)


RECIPES = {
    "denoise": Recipe(rounds=24),
    "upscale": Recipe(rounds=48),
    "colorize": Recipe(rounds=20, color=True, loss="mae"),
    "inpaint": Recipe(rounds=28, loss="mae"),
}
#: a few seconds per task: for tests and for trying the command
QUICK = {"rounds": 1, "crops_per_round": 64, "batch_size": 16}


def _say(verbose, *text):
    if verbose:
        print(*text, flush=True)


def _save(model, out):
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save_weights(out)


def train(task: str, out=None, recipe: Recipe | None = None, verbose: bool = True,
          **overrides):
    """Train ``task``'s network; save its weights to ``out`` (a ``.weights.npz``) if given.

    Args:
        task: one of :data:`registry.TASKS`.
        recipe: default :data:`RECIPES` ``[task]``; ``overrides`` (``rounds=...``,
            ``crops_per_round=...``, ``seed=...``) replace its fields.
    Returns ``(model, report)``: the trained model and a dict with the steps, the wall and
    CPU seconds, and the PSNR on held-out crops of the *training* photographs after each
    round (the test photographs stay unseen until ``lamina image evaluate``).
    """
    from lamina import optimizers
    from lamina.datasets import patches
    from lamina.metrics import psnr_per_image
    from lamina.random import make_rng, set_random_seed

    recipe = replace(recipe or RECIPES[task], **overrides)
    set_random_seed(recipe.seed)
    model = registry.build(task)
    schedule = optimizers.schedules.CosineDecay(recipe.lr, recipe.steps, alpha=0.05)
    model.compile(optimizer=optimizers.Adam(schedule), loss=recipe.loss)
    rng = make_rng(recipe.seed)
    check_clean = patches.random_crops(128, recipe.size, recipe.color, seed=rng)
    check_x, check_y = pairs.make_pairs(task, check_clean, seed=rng)
    report = {"task": task, "recipe": recipe.__dict__, "steps": recipe.steps, "rounds": []}
    _say(verbose, f"[lamina image train] {task}: {recipe.rounds} rounds of "
                  f"{recipe.crops_per_round} crops, {recipe.steps} steps of "
                  f"{recipe.batch_size}, {model.count_params():,} parameters")
    wall, cpu = time.perf_counter(), time.process_time()
    for r in range(recipe.rounds):
        clean = patches.random_crops(recipe.crops_per_round, recipe.size, recipe.color,
                                     seed=rng)
        x, y = pairs.make_pairs(task, clean, seed=rng)
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
    report["wall_s"] = time.perf_counter() - wall
    report["cpu_s"] = time.process_time() - cpu
    if out is not None:
        report["weights"] = str(out)
    _say(verbose, f"[lamina image train] {task}: {report['wall_s']:.0f} s wall, "
                  f"{report['cpu_s']:.0f} s CPU" + (f"; weights in {out}" if out else ""))
    return model, report
