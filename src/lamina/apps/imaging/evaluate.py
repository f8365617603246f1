"""measure the networks against the classical methods: ``lamina image evaluate [TASK]``.

Measures each network and its baseline on the same 32x32 crops of the test photographs now
and prints the table of issue 16's goals (:mod:`lamina.apps.imaging.evaluation`). A plugin of
``lamina image`` (:mod:`lamina.apps.imaging.cli`): :func:`add_arguments` and :func:`run`.
"""

from __future__ import annotations

import sys

from lamina.apps.imaging.train import TASK_NAMES

__all__ = ["add_arguments", "run"]


def add_arguments(evaluate) -> None:
    """The arguments of ``lamina image evaluate``."""
    evaluate.add_argument("task", nargs="?", choices=TASK_NAMES,
                          help="one task (default: all four)")
    evaluate.add_argument("--weights", metavar="FILE", default=None,
                          help="measure these weights instead of the shipped ones (one task)")
    evaluate.add_argument("--no-bm3d", action="store_true",
                          help="leave BM3D out of the denoising row (it takes seconds a crop)")
    evaluate.add_argument("--out", metavar="FILE", default=None,
                          help="also write the table and the numbers (FILE and FILE.json)")


def run(args) -> int:
    """Run ``lamina image evaluate``."""
    import json
    from pathlib import Path

    from lamina.apps.imaging import evaluation, registry
    from lamina.saving.archive import atomic_write

    if args.weights and not args.task:
        print("lamina image evaluate: error: --weights needs a TASK", file=sys.stderr)
        return 2
    tasks = [args.task] if args.task else None
    try:
        models = {args.task: registry.load_model(args.task, args.weights)} if args.weights \
            else None
        result = evaluation.evaluate(tasks, models, bm3d=not args.no_bm3d)
    except (FileNotFoundError, ValueError) as error:
        print(f"lamina image evaluate: error: {error}", file=sys.stderr)
        return 2
    text = evaluation.table(result)
    print(text)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        for path, body in ((out, text + "\n"),
                           (out.with_name(out.name + ".json"), json.dumps(result, indent=1))):
            atomic_write(path, lambda f, body=body: f.write(body.encode()))
    return 0
