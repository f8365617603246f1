"""Every Keras name lamina covers has Keras's parameters: the same names, in the same order,
of the same kinds, with the same defaults, so a Keras call binds the same way.

The expected signatures were written by Keras 3.15.1 itself (scripts/keras_signatures.py,
run in a separate environment); these tests do not import Keras.
"""

import importlib
import inspect
import json
import pathlib

import pytest

FIXTURE = pathlib.Path(__file__).with_name("keras_signatures.json")
SIGNATURES = json.loads(FIXTURE.read_text())["signatures"]


def lamina_object(key):
    namespace, _, name = key.rpartition(".")
    module = importlib.import_module("lamina" + ("." + namespace if namespace else ""))
    assert hasattr(module, name), f"lamina.{key} is missing"
    return getattr(module, name)


def describe(obj):
    target = obj.__init__ if inspect.isclass(obj) else obj
    params = list(inspect.signature(target).parameters.values())
    if inspect.isclass(obj):
        params = params[1:]
    return [[p.name, p.kind.name, None if p.default is p.empty else repr(p.default)]
            for p in params]


def test_the_fixture_was_written_by_keras_3():
    data = json.loads(FIXTURE.read_text())
    assert data["keras_version"].startswith("3.")
    assert len(SIGNATURES) >= 185


@pytest.mark.parametrize("key", sorted(SIGNATURES))
def test_lamina_has_the_keras_signature(key):
    assert describe(lamina_object(key)) == SIGNATURES[key]
