"""``lamina recognizer train`` and ``lamina serve``: argument wiring and what they run."""

from __future__ import annotations

import argparse
import sys
import types

import pytest

from lamina.apps.recognizer.cli import add_recognizer_commands, run_recognizer_command


def _parse(argv):
    parser = argparse.ArgumentParser(prog="lamina")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("info")
    add_recognizer_commands(commands)
    return parser.parse_args(argv)


def test_serve_defaults_and_options():
    args = _parse(["serve"])
    assert (args.host, args.port, args.model, args.data_dir) == ("127.0.0.1", 8000, None, None)
    args = _parse(["serve", "--host", "0.0.0.0", "--port", "9000", "--model", "m.lamina",
                   "--data-dir", "d"])
    assert (args.host, args.port, args.model, args.data_dir) == ("0.0.0.0", 9000, "m.lamina", "d")


def test_train_options():
    args = _parse(["recognizer", "train"])
    assert args.recognizer_command == "train" and args.out is None and not args.with_drawings
    args = _parse(["recognizer", "train", "--out", "x.lamina", "--with-drawings"])
    assert args.out == "x.lamina" and args.with_drawings


def test_other_commands_are_not_ours():
    assert run_recognizer_command(_parse(["info"])) is None


def test_recognizer_without_a_subcommand_prints_usage(capsys):
    assert run_recognizer_command(_parse(["recognizer"])) == 2
    assert "lamina recognizer train" in capsys.readouterr().err


def test_train_passes_the_options_on(monkeypatch):
    from lamina.apps.recognizer import train

    calls = []
    monkeypatch.setattr(train, "train", lambda *a, **k: calls.append((a, k)) or {})
    args = _parse(["recognizer", "train", "--out", "m.lamina", "--with-drawings", "--epochs",
                   "2", "--data-dir", "d"])
    assert run_recognizer_command(args) == 0
    assert calls == [(("m.lamina",), {"with_drawings": True, "data_dir": "d", "epochs": 2})]


def test_serve_with_a_missing_model_says_how_to_get_one(tmp_path, capsys):
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    args = _parse(["serve", "--model", str(tmp_path / "none.lamina"),
                   "--data-dir", str(tmp_path)])
    assert run_recognizer_command(args) == 1
    assert "lamina recognizer train" in capsys.readouterr().err


def test_serve_runs_uvicorn_on_the_app(model_path, tmp_path, monkeypatch, capsys):
    pytest.importorskip("fastapi")
    pytest.importorskip("PIL")
    runs = []
    fake = types.SimpleNamespace(run=lambda app, **kw: runs.append((app, kw)))
    monkeypatch.setitem(sys.modules, "uvicorn", fake)
    args = _parse(["serve", "--port", "8123", "--model", str(model_path),
                   "--data-dir", str(tmp_path)])
    assert run_recognizer_command(args) == 0
    app, options = runs[0]
    assert options["host"] == "127.0.0.1" and options["port"] == 8123
    assert app.state.store.path == tmp_path / "drawings.sqlite3"
    assert "http://127.0.0.1:8123/" in capsys.readouterr().out


def test_serve_without_the_web_extra_says_what_to_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn -> ImportError
    assert run_recognizer_command(_parse(["serve"])) == 1
    assert "pip install 'lamina[web]'" in capsys.readouterr().err


def test_serve_hardening_options():
    args = _parse(["serve"])
    assert (args.token, args.allow_host, args.max_storage, args.writes_per_minute) == (
        None, None, 1024.0, 60.0)
    args = _parse(["serve", "--token", "t", "--allow-host", "a.lan", "--allow-host", "b.lan",
                   "--max-storage", "0.5", "--writes-per-minute", "10"])
    assert (args.token, args.allow_host, args.max_storage, args.writes_per_minute) == (
        "t", ["a.lan", "b.lan"], 0.5, 10.0)


def test_serve_on_a_network_address_prints_the_token_and_caps_heads(
        model_path, tmp_path, monkeypatch, capsys):
    pytest.importorskip("fastapi")
    pytest.importorskip("PIL")
    from lamina.apps.recognizer.serving import MAX_CONNECTIONS, MAX_HEAD

    runs = []
    fake = types.SimpleNamespace(run=lambda app, **kw: runs.append((app, kw)))
    monkeypatch.setitem(sys.modules, "uvicorn", fake)
    args = _parse(["serve", "--host", "0.0.0.0", "--port", "8124", "--model", str(model_path),
                   "--data-dir", str(tmp_path), "--max-storage", "2", "--allow-host", "pad.lan"])
    assert run_recognizer_command(args) == 0
    app, options = runs[0]
    token = app.state.token
    assert token and f"http://127.0.0.1:8124/?token={token}" in capsys.readouterr().out
    assert options["h11_max_incomplete_event_size"] == MAX_HEAD
    assert options["limit_concurrency"] == MAX_CONNECTIONS
    assert app.state.store.max_bytes == 2 * 1024 * 1024
