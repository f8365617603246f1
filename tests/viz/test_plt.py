import subprocess
import sys

import pytest

from lamina.viz import plot_history


def test_importing_lamina_viz_does_not_import_matplotlib():
    code = "import sys, lamina.viz; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_missing_matplotlib_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"pip install 'lamina\[plot\]'"):
        plot_history({"loss": [1.0, 0.5]})
