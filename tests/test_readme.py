"""Every ```python block of README.md runs as written, each in a fresh process in a temp dir.

A block may be skipped only for a reason written in the README right above it, as an HTML
comment the reader can see in the source: ``<!-- readme-test: needs NAME[, NAME...] -->``,
where NAME is ``fashion-mnist`` (the data, see tests/examples/data.py) or an importable
module (e.g. ``onnxruntime``). The block is skipped when one of them is missing here, and
runs otherwise.
"""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.examples.data import have_fashion_mnist

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

# A fenced block opened by ```python (possibly indented inside a list) up to its closing fence.
BLOCK = re.compile(r"^(?P<indent>[ \t]*)```python[ \t]*\n(?P<code>.*?)^(?P=indent)```[ \t]*$",
                   re.MULTILINE | re.DOTALL)
NEEDS = re.compile(r"<!--\s*readme-test:\s*needs\s+(?P<what>[^>]*?)\s*-->")


def python_blocks(text):
    """``(line number, code, needs)`` of every ```python block in ``text``; ``needs`` comes
    from a ``readme-test`` comment on the last non-blank line before the block."""
    blocks = []
    for match in BLOCK.finditer(text):
        before = text[:match.start()].rstrip().splitlines()
        marker = NEEDS.search(before[-1]) if before else None
        needs = [n.strip() for n in marker.group("what").split(",")] if marker else []
        indent = len(match.group("indent"))
        code = "\n".join(line[indent:] for line in match.group("code").splitlines())
        blocks.append((text.count("\n", 0, match.start()) + 1, code, needs))
    return blocks


def missing(need):
    """Why ``need`` is not met on this machine, or None."""
    if need == "fashion-mnist":
        return None if have_fashion_mnist() else "Fashion-MNIST is not installed"
    if importlib.util.find_spec(need) is None:
        return f"the module {need} is not installed"
    return None


BLOCKS = python_blocks(README.read_text(encoding="utf-8"))


def test_the_readme_has_python_blocks_and_the_parser_finds_markers():
    assert len(BLOCKS) >= 2
    sample = "x\n<!-- readme-test: needs onnx, fashion-mnist -->\n```python\nprint(1)\n```\n" \
             "  ```python\n  print(2)\n  ```\n"
    assert python_blocks(sample) == [(3, "print(1)", ["onnx", "fashion-mnist"]),
                                     (6, "print(2)", [])]


@pytest.mark.parametrize("line, code, needs", BLOCKS, ids=[f"line{b[0]}" for b in BLOCKS])
def test_readme_block_runs(line, code, needs, tmp_path):
    reasons = [r for r in map(missing, needs) if r]
    if reasons:
        pytest.skip(f"README.md line {line}: " + "; ".join(reasons))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT / "src")] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)
                               if p]))
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (
        f"README.md's python block at line {line} failed:\n{code}\n--- stderr ---\n"
        f"{result.stderr[-3000:]}")
