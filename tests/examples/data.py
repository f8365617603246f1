"""Whether the real data the example tests need is on this machine (never downloaded)."""

import functools

import pytest


@functools.cache
def have_fashion_mnist() -> bool:
    from lamina.datasets import fashion_mnist

    try:
        fashion_mnist.load_data()
    except (FileNotFoundError, OSError, ValueError):
        return False
    return True


needs_fashion_mnist = pytest.mark.skipif(
    not have_fashion_mnist(),
    reason="Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")


def import_example(name: str):
    """The module ``examples/<name>.py`` (for tests of its functions)."""
    import importlib
    import sys
    from pathlib import Path

    folder = str(Path(__file__).resolve().parents[2] / "examples")
    sys.path.insert(0, folder)
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(folder)
