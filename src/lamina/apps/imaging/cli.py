"""``lamina image``: the image-to-image networks on files.

* ``lamina image denoise IN OUT [--sigma S]``
* ``lamina image upscale IN OUT [--scale 2]``
* ``lamina image colorize IN OUT``
* ``lamina image inpaint IN MASK OUT`` (MASK: white where pixels are missing)

and the model commands (``train``, ``evaluate``), which live in their own modules: each
module of :data:`PLUGINS` that exists adds a subcommand of its name; it provides
``add_arguments(parser)``, ``run(args) -> int`` and a docstring whose first line is the help.

``lamina/cli.py`` wires the group in with :func:`add_image_commands` and
:func:`run_image_command` (None for other commands).
"""

from __future__ import annotations

import importlib
import sys
import time

__all__ = ["PLUGINS", "add_image_commands", "run_image_command"]

PLUGINS = {"train": "lamina.apps.imaging.train", "evaluate": "lamina.apps.imaging.evaluate"}
TASKS = ("denoise", "upscale", "colorize", "inpaint")


def _plugins() -> dict:
    found = {}
    for name, module in PLUGINS.items():
        try:
            found[name] = importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:  # the module is there but needs something missing
                raise
    return found


def add_image_commands(subparsers) -> None:
    """Add ``image`` and its subcommands to the ``lamina`` command's subparsers."""
    image = subparsers.add_parser(
        "image", help="denoise, upscale, colorize or inpaint a picture with a CNN",
        description="The image-to-image CNNs on image files (PNG, JPEG, BMP, TIFF, WebP). "
                    "The result has the input's size (twice it for upscale) and bit depth.")
    actions = image.add_subparsers(dest="image_command")
    denoise = actions.add_parser("denoise", help="remove Gaussian-like noise",
                                 description="Remove noise (blind: the level is estimated).")
    denoise.add_argument("--sigma", type=float, default=None, metavar="S",
                         help="the noise's standard deviation in 8-bit gray levels (0-255), "
                              "when known: a level the network was not trained for is "
                              "refused")
    upscale = actions.add_parser("upscale", help="super-resolution: twice the width and height")
    upscale.add_argument("--scale", type=int, default=2,
                         help="the enlargement factor (2, the one trained)")
    actions.add_parser("colorize", help="colours for a gray picture (RGB out)")
    inpaint = actions.add_parser("inpaint", help="fill in the pixels a mask marks")
    for name, parser in (("denoise", denoise), ("upscale", upscale),
                         ("colorize", actions.choices["colorize"]), ("inpaint", inpaint)):
        parser.add_argument("input", metavar="IN", help="the picture to read")
        if name == "inpaint":
            parser.add_argument("mask", metavar="MASK",
                                help="an image of the same size, white where pixels are "
                                     "missing")
        parser.add_argument("output", metavar="OUT",
                            help="where to write the result (its extension names the format)")
    for name, module in _plugins().items():
        parser = actions.add_parser(name, help=(module.__doc__ or name).strip().splitlines()[0],
                                    description=module.__doc__)
        module.add_arguments(parser)
    image.set_defaults(image_parser=image)


def _apply(args):
    from lamina.apps import imaging
    from lamina.apps.imaging import files

    img = files.read_image(args.input)
    if args.image_command == "denoise":
        sigma = None if args.sigma is None else args.sigma / 255.0
        return imaging.denoise(img, sigma=sigma)
    if args.image_command == "upscale":
        return imaging.upscale(img, scale=args.scale)
    if args.image_command == "colorize":
        return imaging.colorize(img)
    return imaging.inpaint(img, files.read_mask(args.mask, img.shape[:2]))


def run_image_command(args) -> int | None:
    """Run ``args.command`` if it is ``image``; None otherwise."""
    if args.command != "image":
        return None
    command = getattr(args, "image_command", None)
    if command not in TASKS:
        plugins = _plugins()
        if command in plugins:
            return plugins[command].run(args)
        args.image_parser.print_help(sys.stderr)
        return 2
    from lamina.apps.imaging import ImageError, ModelsMissing
    from lamina.apps.imaging.files import write_image

    start = time.perf_counter()
    try:
        result = _apply(args)
        write_image(args.output, result)
    except (ImageError, ModelsMissing, ImportError) as error:
        print(f"lamina image {command}: error: {error}", file=sys.stderr)
        return 2
    print(f"lamina image {command}: wrote {args.output} ({result.shape[1]}x{result.shape[0]}, "
          f"{time.perf_counter() - start:.1f} s)")
    return 0
