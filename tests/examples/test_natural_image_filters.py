"""examples/natural_image_filters.py: the whitening does what it says, and a short run
trains and draws the figure (the full run's filters are looked at, not tested)."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.examples import child_env
from tests.examples.data import import_example

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "natural_image_filters.py"


def test_whitening_gives_unit_variance_in_the_kept_subspace():
    example = import_example("natural_image_filters")
    rng = np.random.default_rng(0)
    mixing = rng.standard_normal((48, 48))
    x = (rng.standard_normal((4000, 48)) @ mixing).reshape(4000, 4, 4, 3)
    white, z, u = example.whiten(x, components=20)
    cov = np.cov(white.reshape(4000, -1).astype("float64").T)
    # the covariance of the whitened patches is the projection onto the 20 kept directions:
    # eigenvalues 1 (20 times) and 0 (28 times)
    values = np.linalg.eigvalsh(cov)
    np.testing.assert_allclose(values[-20:], 1, atol=1e-4)
    np.testing.assert_allclose(values[:28], 0, atol=1e-4)
    # U undoes Z on the kept subspace: U Z is that projection
    projection = u @ z
    np.testing.assert_allclose(projection @ projection, projection, atol=1e-8)
    assert np.trace(projection) == pytest.approx(20)


def test_network_has_unit_norm_filters_after_a_step():
    example = import_example("natural_image_filters")
    model = example.build(size=4, filters=6)
    x = np.random.default_rng(1).standard_normal((32, 4, 4, 3)).astype("float32")
    model.train_on_batch(x, x)
    kernel = model.get_layer("conv1").kernel.data
    assert kernel.shape == (4, 4, 3, 6)
    np.testing.assert_allclose(np.sqrt((kernel ** 2).sum(axis=(0, 1, 2))), 1, rtol=1e-5)


def test_quick_run_draws_the_figure(tmp_path):
    pytest.importorskip("matplotlib")
    pytest.importorskip("skimage")
    done = subprocess.run([sys.executable, str(EXAMPLE), "--quick", "--out",
                           str(tmp_path / "run")], cwd=tmp_path, env=child_env(),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    record = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert record["patches"] == 6000 and record["epochs"] == 1
    # the reconstruction is better than predicting zeros (the whitened variance)
    assert 0 < record["reconstruction_mse"] < record["white_variance"]
    assert (tmp_path / "run" / "filters.png").stat().st_size > 30_000
