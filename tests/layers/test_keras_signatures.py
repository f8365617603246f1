"""The layers, metrics and losses of issue 15 §2 take Keras 3.15.1's arguments: the same
names in the same order, the same defaults (fixture written by
scripts/keras_fixtures/signatures.py; ``**kwargs`` aside)."""

import inspect
import json
import pathlib

import pytest

from lamina import layers, losses, metrics

SIGNATURES = json.loads((pathlib.Path(__file__).parent / "data" / "keras_signatures.json")
                        .read_text())
MODULES = {"layers": layers, "metrics": metrics, "losses": losses, "loss_functions": losses}


def describe(fn):
    out = []
    for p in inspect.signature(fn).parameters.values():
        if p.name == "self" or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        out.append([p.name, p.default is p.empty, None if p.default is p.empty
                    else repr(p.default)])
    return out


@pytest.mark.parametrize("key", sorted(SIGNATURES))
def test_same_arguments_and_defaults_as_keras(key):
    module, name = key.split(".")
    obj = getattr(MODULES[module], name)
    got = describe(obj.__init__ if isinstance(obj, type) else obj)
    assert got == SIGNATURES[key], f"{key}: lamina {got} != Keras {SIGNATURES[key]}"
