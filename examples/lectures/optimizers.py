"""Lecture 6: SGD, momentum, Nesterov, AdaGrad, RMSProp, Adadelta and Adam side by side.

    python examples/lectures/optimizers.py [--out DIR] [--quick]

Seed 004's "adaptive learning methods" shows optimizers racing down test surfaces and
past a saddle point; seed 003 names the ideas: momentum (move along past gradients) and
one adaptive learning rate per parameter (AdaGrad, RMSProp; Adam has both). Here
lamina's own optimizer classes walk three 2-D functions, each step's gradient from
autograd (``lamina.viz.plot_optimizer_paths``):

* Beale: a flat valley between steep walls, minimum 0 at (3, 0.5);
* Rosenbrock: a narrow curved valley, minimum 0 at (1, 1);
* a saddle ``x² − y² + y⁴/4`` from (1, 0.001): the gradient along y is tiny near the
  saddle point (0, 0); an optimizer has to escape along y to reach a minimum (−1).

Each optimizer uses a learning rate that makes its path worth looking at (listed in the
summary): plain SGD needs a small one or it diverges on the steep walls; the adaptive
methods divide by the gradient's running size and take far larger ones. Reported:
each optimizer's final loss, the steps it needed to get below a threshold, and where it
stopped.

Writes ``paths_beale.png``, ``paths_rosenbrock.png``, ``paths_saddle.png`` and
``summary.txt``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from lamina.viz import FUNCTIONS, plot_optimizer_paths

NAME = "optimizers"
#: the loss below which a function counts as "reached", per function
THRESHOLDS = {"beale": 0.01, "rosenbrock": 0.1, "saddle": -0.9}


def first_step_below(losses, threshold):
    """The first step at which the loss is below ``threshold``, or None."""
    below = np.nonzero(np.asarray(losses) < threshold)[0]
    return int(below[0]) if below.size else None


def main(out_dir, quick=False) -> dict:
    """Run the lecture; write figures and ``summary.txt`` to ``out_dir``; return numbers."""
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # Quick mode walks the same functions and steps (a few CPU seconds): with a third of the
    # steps no optimizer reached Beale's minimum and the saddle's winner changed, a
    # different lesson. It only draws the figures at a lower resolution.
    functions = ("beale", "rosenbrock", "saddle")
    lines = ["Lecture 6: optimizers on 2-D test functions (seeds 003, 004)", ""]
    results = {}
    for name in functions:
        spec = FUNCTIONS[name]
        steps = spec.steps
        fig, runs = plot_optimizer_paths(name, steps=steps)
        fig.savefig(out / f"paths_{name}.png", dpi=70 if quick else 90)
        plt.close(fig)
        threshold = THRESHOLDS[name]
        minima = " and ".join(f"({x:g}, {y:.3g})" for x, y in spec.minima)
        lines += [f"{name.capitalize()}, {steps} steps from {spec.start}; minimum at {minima}:",
                  "", f"| optimizer | learning rate | final loss | first step with loss < "
                  f"{threshold:g} | stopped at (x, y) |", "|---|---:|---:|---:|---|"]
        results[name] = {}
        for label, run in runs.items():
            reached = first_step_below(run.losses, threshold)
            x, y = run.final_position
            results[name][label] = {"final_loss": run.final_loss, "steps_to_threshold": reached,
                                    "final_position": (x, y), "diverged": run.diverged}
            lines.append(f"| {label} | {spec.learning_rates[label]:g} | {run.final_loss:.4g}"
                         f"{' (diverged)' if run.diverged else ''} | "
                         f"{'not reached' if reached is None else reached} | "
                         f"({x:.3f}, {y:.3f}) |")
        best = min(results[name], key=lambda k: results[name][k]["final_loss"])
        lines += ["", f"Lowest final loss on {name}: {best}.", ""]
    saddle = results["saddle"]
    stuck = [k for k, v in saddle.items() if abs(v["final_position"][1]) < 0.1]
    steps = len(next(iter(runs.values())).losses) - 1
    lines += [
        f"Still at the saddle (|y| < 0.1) after {steps} steps: {', '.join(stuck) or 'none'}.",
        "SGD's step along y is lr times a gradient that starts at 0.002 and grows by 2% a "
        "step; momentum accumulates it; the adaptive methods divide by the gradient's own "
        "running size, so they leave at full speed.",
        "Momentum and Nesterov (momentum 0.9) move up to 10 times their learning rate per "
        "step, so they get smaller ones.",
        "Adadelta has no real learning rate (its steps grow from √ε), which is why it starts "
        "slowly everywhere.",
    ]
    text = "\n".join(lines) + "\n"
    (out / "summary.txt").write_text(text)
    print(text)
    return {"winner": {f: min(r, key=lambda k: r[k]["final_loss"]) for f, r in results.items()},
            "final_loss": {f: {k: v["final_loss"] for k, v in r.items()}
                           for f, r in results.items()},
            "steps_to_threshold": {f: {k: v["steps_to_threshold"] for k, v in r.items()}
                                   for f, r in results.items()},
            "saddle_y": {k: v["final_position"][1] for k, v in saddle.items()},
            "stuck_at_saddle": stuck}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=f"runs/lectures/{NAME}", help="output directory")
    parser.add_argument("--quick", action="store_true", help="a small budget (seconds)")
    args = parser.parse_args()
    main(args.out, quick=args.quick)
