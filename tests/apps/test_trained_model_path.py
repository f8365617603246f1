"""``lamina recognizer train`` writes to the user's data directory, never into the package,
and ``lamina serve`` (``create_app``) uses that model when it is there (issue 20)."""

from __future__ import annotations

import hashlib
import sys
import types

import pytest

from lamina.apps.recognizer import train as train_module
from lamina.apps.recognizer.model import DEFAULT_MODEL, TRAINED_MODEL_NAME
from lamina.datasets import symbols
from tests.apps.test_cli import _parse
from tests.apps.test_train import _fake_load_data


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def test_train_without_out_writes_to_the_data_directory(tmp_path, monkeypatch):
    monkeypatch.setattr(symbols, "load_data", _fake_load_data)
    shipped = _digest(DEFAULT_MODEL)
    report = train_module.train(data_dir=tmp_path, n_classes=3, n_per_class=20,
                                held_out_per_class=5, epochs=1, seed=2, verbose=0)
    trained = tmp_path / TRAINED_MODEL_NAME
    assert trained.is_file() and report["model_bytes"] == trained.stat().st_size
    assert trained.with_suffix(".json").is_file()
    assert _digest(DEFAULT_MODEL) == shipped          # the package's model is untouched


def test_serve_prefers_the_trained_model_and_says_so(tmp_path, model_path, monkeypatch,
                                                      capsys):
    pytest.importorskip("fastapi")
    pytest.importorskip("PIL")
    from lamina.apps.recognizer.cli import run_recognizer_command
    from lamina.apps.recognizer.server import create_app

    (tmp_path / TRAINED_MODEL_NAME).write_bytes(model_path.read_bytes())
    app = create_app(None, tmp_path)
    assert app.state.model_path == tmp_path / TRAINED_MODEL_NAME
    # --model wins over the trained one
    assert create_app(model_path, tmp_path).state.model_path == model_path
    runs = []
    monkeypatch.setitem(sys.modules, "uvicorn", types.SimpleNamespace(
        run=lambda app, **kw: runs.append(app)))
    assert run_recognizer_command(_parse(["serve", "--data-dir", str(tmp_path)])) == 0
    assert runs[0].state.model_path == tmp_path / TRAINED_MODEL_NAME
    assert f"the model is {tmp_path / TRAINED_MODEL_NAME}" in capsys.readouterr().out


def test_serve_without_a_trained_model_uses_the_shipped_one(tmp_path):
    pytest.importorskip("fastapi")
    pytest.importorskip("PIL")
    if not DEFAULT_MODEL.is_file():
        pytest.skip(f"{DEFAULT_MODEL} is missing (lamina recognizer train --out it)")
    from lamina.apps.recognizer.server import create_app

    assert create_app(None, tmp_path).state.model_path == DEFAULT_MODEL
