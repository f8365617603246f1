"""``lamina style transfer CONTENT STYLE OUT`` and ``lamina style texture SAMPLE OUT``.

Images are files (PNG, JPEG, ...) or ``skimage:NAME`` (scikit-image's photographs, offline:
``skimage:chelsea``, ``skimage:brick``, ...). A progress bar shows the losses of each step;
``--history FILE.csv`` keeps them, one row per step.
"""

from __future__ import annotations

import sys

__all__ = ["add_style_commands", "run_style_command"]


def _size(text: str):
    """``"128"`` (the height; the width follows the aspect ratio) or ``"128x192"``."""
    import argparse

    try:
        parts = [int(p) for p in text.lower().split("x")]
    except ValueError:
        parts = []
    if len(parts) not in (1, 2) or min(parts) < 8 or max(parts) > 4096:
        raise argparse.ArgumentTypeError(f"expected HEIGHT or HEIGHTxWIDTH, each 8 to 4096; "
                                         f"received {text!r}")
    return parts[0] if len(parts) == 1 else tuple(parts)


def _positive(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive int; received {text!r}")
    return value


def _common(parser, steps: int) -> None:
    parser.add_argument("--steps", type=_positive, default=steps,
                        help=f"optimizer iterations (default {steps})")
    parser.add_argument("--optimizer", choices=("lbfgs", "adam"), default="lbfgs",
                        help="L-BFGS-B (default) or Adam on the pixels")
    parser.add_argument("--learning-rate", type=float, default=0.02,
                        help="Adam's step size in pixel units (default 0.02)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the random feature network and the starting noise")
    parser.add_argument("--weights", metavar="VGG19.h5",
                        help="a Keras VGG19 weights file: Gatys's network instead of the "
                        "random one")
    parser.add_argument("--tv-weight", type=float, default=0.0,
                        help="weight of the total-variation prior (default 0)")
    parser.add_argument("--history", metavar="CSV", help="write the losses of every step here")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def add_style_commands(commands) -> None:
    """Add ``style transfer`` and ``style texture`` to the ``lamina`` subcommands."""
    style = commands.add_parser("style", help="neural style transfer and texture synthesis",
                                description=__doc__.split("\n\n")[1])
    sub = style.add_subparsers(dest="style_command")
    transfer = sub.add_parser("transfer", help="CONTENT painted in the style of STYLE")
    transfer.add_argument("content", help="the content image (file or skimage:NAME)")
    transfer.add_argument("style", help="the style image; resized to the content's size")
    transfer.add_argument("out", help="the image to write (.png, .jpg)")
    transfer.add_argument("--alpha", type=float, default=1.0, help="content weight (1)")
    transfer.add_argument("--beta", type=float, default=1e3, help="style weight (1000)")
    transfer.add_argument("--size", type=_size, default=128,
                          help="HEIGHT (width by the content's aspect ratio) or HxW "
                          "(default 128)")
    transfer.add_argument("--init", choices=("content", "noise"), default="content",
                          help="start from the content image (default) or from noise")
    _common(transfer, 200)
    texture = sub.add_parser("texture", help="a new texture like SAMPLE, from noise")
    texture.add_argument("sample", help="the texture sample (file or skimage:NAME)")
    texture.add_argument("out", help="the image to write (.png, .jpg)")
    texture.add_argument("--size", type=_size, default=None,
                         help="the sample is resized to this (default: its own size); the "
                         "texture has the same size")
    _common(texture, 300)
    style.set_defaults(style_parser=style)


def _write_history(path, history) -> None:
    import csv
    import io

    from lamina.saving.archive import atomic_write

    keys = [k for k in ("loss", "content_loss", "style_loss", "tv_loss", "seconds")
            if k in history]
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["step", *keys])
    for i in range(len(history["loss"])):  # step 0: the starting image
        writer.writerow([i, *(f"{history[k][i]:.9g}" for k in keys)])
    atomic_write(path, lambda f: f.write(text.getvalue().encode()))


def _run(args):
    from lamina.apps import style

    if args.style_command == "transfer":
        content = style.load_image(args.content, size=args.size)
        painting = style.load_image(args.style, size=content.shape[:2])
        if painting.shape[2] != content.shape[2]:
            kinds = {1: "gray", 3: "RGB"}
            raise ValueError(f"the content image {args.content} is {kinds[content.shape[2]]} "
                             f"but the style image {args.style} is "
                             f"{kinds[painting.shape[2]]}; give two RGB (or two gray) images")
        result = style.transfer(content, painting, alpha=args.alpha, beta=args.beta,
                                steps=args.steps, optimizer=args.optimizer, init=args.init,
                                tv_weight=args.tv_weight, weights=args.weights, seed=args.seed,
                                learning_rate=args.learning_rate, verbose=0 if args.quiet else 1)
    else:
        sample = style.load_image(args.sample, size=args.size)
        result = style.texture(sample, steps=args.steps, optimizer=args.optimizer,
                               weights=args.weights, seed=args.seed, tv_weight=args.tv_weight,
                               learning_rate=args.learning_rate,
                               verbose=0 if args.quiet else 1)
    style.save_image(args.out, result.image)
    if args.history:
        _write_history(args.history, result.history)
    h = result.history
    parts = [f"{k} {h[k][0]:.4g} -> {h[k][-1]:.4g}" for k in ("loss", "content_loss",
                                                               "style_loss") if k in h]
    print(f"[lamina style] {len(h['loss']) - 1} {args.optimizer} steps in "
          f"{h['seconds'][-1]:.1f} s; " + "; ".join(parts) + f"; wrote {args.out}")


def run_style_command(args) -> int | None:
    """Run ``lamina style ...``; None when ``args`` is another command."""
    if getattr(args, "command", None) != "style":
        return None
    if args.style_command is None:
        args.style_parser.print_help()
        return 0
    try:
        _run(args)
    except (OSError, ValueError, ImportError) as error:
        print(f"lamina style: error: {error}", file=sys.stderr)
        return 2
    return 0
