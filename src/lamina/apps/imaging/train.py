"""train one network with a fixed seed (minutes on 2 cores): ``lamina image train TASK``.

Trains the network of TASK on crops of scikit-image's photographs (the test photographs
camera, coffee and chelsea are never used) and writes its weights; the recipe and the loop
are in :mod:`lamina.apps.imaging.training`. A plugin of ``lamina image``
(:mod:`lamina.apps.imaging.cli`): :func:`add_arguments` and :func:`run`.
"""

from __future__ import annotations

import sys

__all__ = ["add_arguments", "run"]

TASK_NAMES = ("denoise", "upscale", "colorize", "inpaint")


def add_arguments(train) -> None:
    """The arguments of ``lamina image train``."""
    train.add_argument("task", choices=TASK_NAMES)
    train.add_argument("--out", metavar="FILE", default=None,
                       help="the .weights.npz to write (default runs/imaging/TASK.weights.npz;"
                            " load it with registry.load_model(TASK, weights=FILE))")
    train.add_argument("--rounds", type=int, default=None,
                       help="override the recipe's rounds of fresh crops")
    train.add_argument("--crops", type=int, default=None,
                       help="override the recipe's crops per round")
    train.add_argument("--seed", type=int, default=None, help="override the recipe's seed")
    train.add_argument("--init", metavar="FILE", default=None,
                       help="start from these weights instead of first training the recipe "
                            "this one continues (e.g. the weights that recipe made)")
    train.add_argument("--quick", action="store_true",
                       help="one small round: seconds, to try the command")


def run(args) -> int:
    """Run ``lamina image train``."""
    from lamina.apps.imaging import training

    overrides = dict(training.QUICK) if args.quick else {}
    for name, value in (("rounds", args.rounds), ("crops_per_round", args.crops),
                        ("seed", args.seed)):
        if value is not None:
            if value < (0 if name == "seed" else 1):
                print(f"lamina image train: error: --{name.split('_')[0]} must be "
                      f"{'>= 0' if name == 'seed' else 'positive'}; received {value}",
                      file=sys.stderr)
                return 2
            overrides[name] = value
    out = args.out or f"runs/imaging/{args.task}.weights.npz"
    try:
        training.train(args.task, out=out, init=args.init, **overrides)
    except FileNotFoundError as error:
        print(f"lamina image train: error: {error}", file=sys.stderr)
        return 2
    return 0
