"""The ``lamina`` command line: ``lamina info`` tells what lamina runs on."""

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


def main(argv: list[str] | None = None) -> int:
    import lamina

    parser = argparse.ArgumentParser(prog="lamina", description=__doc__)
    parser.add_argument("--version", action="version", version=f"lamina {lamina.__version__}")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("info", help="versions of lamina, Python, NumPy and its BLAS")
    args = parser.parse_args(argv)
    if args.command == "info":
        return _info()
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
