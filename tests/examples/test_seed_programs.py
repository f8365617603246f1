"""The seed programs in examples/ run end to end on a small slice of Fashion-MNIST."""

import os
import subprocess
import sys
from pathlib import Path

from tests.examples import child_env
from tests.examples.data import needs_fashion_mnist

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"



pytestmark = needs_fashion_mnist


def run(script, tmp_path, **env):
    environment = child_env(**env)
    environment["PYTHONPATH"] += os.pathsep + str(EXAMPLES)
    done = subprocess.run([sys.executable, str(EXAMPLES / script)], cwd=tmp_path,
                          env=environment, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_seed001_program_trains_saves_loads_and_predicts(tmp_path):
    out = run("seed001_cnn.py", tmp_path, LAMINA_EXAMPLE_LIMIT="1500")
    assert (tmp_path / "model.h5").exists()
    accuracy = float(out.split("test accuracy:")[1].split()[0])
    assert accuracy > 0.55  # one epoch on 1,500 images; chance is 0.10


def test_seed002_hello_world_three_ways(tmp_path):
    out = run("seed002_hello_world.py", tmp_path, LAMINA_EXAMPLE_LIMIT="1000",
              LAMINA_EXAMPLE_EPOCHS="1")
    rows = [line for line in out.splitlines() if line.startswith(("square", "cross"))]
    assert len(rows) == 3
    for row in rows:
        assert 0.0 <= float(row.split()[-2]) <= 1.0


def test_demo_runs_on_a_slice(tmp_path):
    environment = child_env()
    done = subprocess.run([sys.executable, str(EXAMPLES / "demo.py"), "--epochs", "1",
                           "--limit", "1000", "--out", str(tmp_path / "runs")],
                          cwd=tmp_path, env=environment, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "test accuracy:" in done.stdout and "Ankle boot" in done.stdout
    run_dir = next((tmp_path / "runs").iterdir())
    assert (run_dir / "model.lamina").exists() and (run_dir / "history.csv").exists()
