"""The README's ONNX serving snippet runs as written."""

import re
from pathlib import Path

import pytest

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_onnx_snippet_runs(tmp_path, monkeypatch, capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    (snippet,) = [b for b in blocks if "onnxruntime" in b]
    monkeypatch.chdir(tmp_path)
    exec(compile(snippet, str(README), "exec"), {})  # noqa: S102 - our own README
    assert capsys.readouterr().out.strip().endswith("(5, 10) True")
    assert (tmp_path / "model.onnx").stat().st_size > 0
