"""The ``lamina`` command line.

* ``lamina info``: what lamina runs on (versions of lamina, Python, NumPy, BLAS);
* ``lamina lecture list``: the lecture scripts, one line each;
* ``lamina lecture run NAME [--out DIR] [--quick]``: run one; it writes its figures and
  ``summary.txt`` to DIR (default ``runs/lectures/NAME``) and prints its numbers;
* ``lamina export MODEL OUT.onnx [--opset N]``: a saved model (``.lamina`` or ``.h5``) as ONNX;
* ``lamina style transfer CONTENT STYLE OUT``, ``lamina style texture SAMPLE OUT``: neural
  style transfer and texture synthesis (``lamina.apps.style``);
* ``lamina image denoise|upscale|colorize|inpaint ...``: the image-to-image CNNs on files.
"""

from __future__ import annotations

import argparse
import platform
import sys


def _info() -> int:
    import numpy

    import lamina

    print(f"lamina {lamina.__version__}")
    print(f"python {platform.python_version()} on {platform.machine()} ({platform.system()})")
    print(f"numpy {numpy.__version__}")
    try:
        blas = numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]
        print(f"blas {blas.get('name')} {blas.get('version', '')}".rstrip())
    except Exception:  # noqa: BLE001 - older NumPy has no dict mode; the line is optional
        pass
    print(f"default float {lamina.floatx()}")
    return 0


def _lecture(args, parser) -> int:
    import time

    from lamina import lectures

    if args.lecture_command not in ("list", "run"):
        parser.print_help()
        return 0
    try:  # only finding the scripts is guarded: a lecture's own errors keep their traceback
        if args.lecture_command == "list":
            table = lectures.available()
            width = max((len(name) for name in table), default=0)
            for name, lecture in table.items():
                print(f"{name:<{width}}  {lecture.title}")
            if not table:
                print(f"no lecture scripts in {lectures.lectures_dir()}", file=sys.stderr)
            return 0
        lecture = lectures.find(args.name)
    except (lectures.LecturesNotFoundError, ValueError) as error:
        print(f"lamina lecture: error: {error}", file=sys.stderr)
        return 2
    out = args.out or f"runs/lectures/{lecture.name}"
    start = time.perf_counter()
    lectures.run(lecture.name, out, quick=args.quick, directory=lecture.path.parent)
    print(f"[lamina lecture] {lecture.name} finished in {time.perf_counter() - start:.1f} s; "
          f"figures and summary.txt are in {out}")
    return 0


def _export(args) -> int:
    from lamina.export import ExportError, export_onnx
    from lamina.models import load_model

    try:
        model = load_model(args.model, compile=False)
        export_onnx(model, args.out, opset=args.opset)
    except (OSError, ValueError, ImportError) as error:  # ExportError is a ValueError
        kind = "cannot export" if isinstance(error, ExportError) else "error"
        print(f"lamina export: {kind}: {error}", file=sys.stderr)
        return 2
    return 0


def main(argv: list[str] | None = None) -> int:
    import lamina
    from lamina.apps.imaging.cli import add_image_commands, run_image_command
    from lamina.apps.recognizer.cli import add_recognizer_commands, run_recognizer_command
    from lamina.apps.style.cli import add_style_commands, run_style_command

    parser = argparse.ArgumentParser(prog="lamina", description=__doc__.replace("``", ""),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"lamina {lamina.__version__}")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("info", help="versions of lamina, Python, NumPy and its BLAS")
    add_recognizer_commands(commands)
    add_style_commands(commands)
    add_image_commands(commands)
    lecture = commands.add_parser("lecture", help="list and run the lecture scripts",
                                  description="List and run the lecture scripts "
                                  "(examples/lectures; $LAMINA_LECTURES overrides where "
                                  "they are looked for).")
    lecture_commands = lecture.add_subparsers(dest="lecture_command")
    lecture_commands.add_parser("list", help="the lectures, one per line")
    run = lecture_commands.add_parser("run", help="run one lecture")
    run.add_argument("name", help="the lecture's name, as `lamina lecture list` shows it")
    run.add_argument("--out", metavar="DIR",
                     help="where figures and summary.txt go (default runs/lectures/NAME)")
    run.add_argument("--quick", action="store_true",
                     help="a small budget: seconds instead of minutes")
    export = commands.add_parser("export", help="write a saved model as ONNX (lamina[interop])")
    export.add_argument("model", help="a model saved with model.save (.lamina or .h5)")
    export.add_argument("out", help="the ONNX file to write, e.g. model.onnx")
    export.add_argument("--opset", type=int, default=17, help="the ONNX opset (default 17)")
    args = parser.parse_args(argv)
    if args.command == "export":
        return _export(args)
    if args.command == "info":
        return _info()
    if (code := run_recognizer_command(args)) is not None:
        return code
    if (code := run_style_command(args)) is not None:
        return code
    if (code := run_image_command(args)) is not None:
        return code
    if args.command == "lecture":
        return _lecture(args, lecture)
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
