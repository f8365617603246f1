"""The measures of lamina image evaluate and the classical baselines, on worked cases."""

import argparse

import numpy as np
import pytest

from lamina.apps.imaging import baselines, evaluation, pairs
from lamina.apps.imaging import evaluate as evaluate_command

pytest.importorskip("skimage")
rng = np.random.default_rng(0)


def test_ab_auc_and_colourfulness_worked_cases():
    rgb = rng.uniform(0, 1, (2, 8, 8, 3))
    assert evaluation.ab_auc(rgb, rgb) == pytest.approx(100.0)
    gray = baselines.gray(pairs.luma(rgb.astype("float32")))
    assert evaluation.colourfulness(gray) == pytest.approx(0.0, abs=1e-3)
    assert evaluation.ab_auc(rgb, gray) < 100.0
    red = np.zeros((1, 4, 4, 3))
    red[..., 0] = 1.0       # rg = 255, yb = 127.5: 0.3 * sqrt(255^2 + 127.5^2)
    assert evaluation.colourfulness(red) == pytest.approx(0.3 * np.hypot(255, 127.5))


def test_hole_psnr_counts_only_the_hole():
    clean = np.zeros((1, 4, 4, 1))
    mask = np.zeros((1, 4, 4, 1))
    mask[0, :2, :2] = 1
    out = clean.copy()
    out[0, :2, :2] = 0.1     # error 0.1 in the hole, big errors outside do not count
    out[0, 3, 3] = 1.0
    assert evaluation.hole_psnr(clean, out, mask) == pytest.approx(20.0)


def test_best_gaussian_filter_is_the_best_of_its_widths():
    clean = np.full((3, 16, 16, 1), 0.5, "float32")
    noisy = pairs.noisy(clean, 0.1, seed=0)
    out, sigma = baselines.best_gaussian_filter(noisy, clean)
    assert sigma == max(baselines.FILTER_SIGMAS)     # a flat image: the widest blur wins
    assert np.abs(out - clean).mean() < np.abs(noisy - clean).mean() / 3


def test_biharmonic_fills_a_linear_ramp_exactly():
    ramp = np.tile(np.linspace(0, 1, 32, dtype="float32"), (32, 1))[None, :, :, None]
    x, _ = pairs.make_pairs("inpaint", ramp, seed=0)
    np.testing.assert_allclose(baselines.biharmonic(x), ramp, atol=1e-4)


def test_evaluate_one_task_prints_its_rows(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    evaluate_command.add_arguments(parser)
    out = tmp_path / "imaging.md"
    assert evaluate_command.run(parser.parse_args(["upscale", "--out", str(out)])) == 0
    text = capsys.readouterr().out
    assert "| upscale | PSNR, x2 | bicubic |" in text and out.read_text().strip() == text.strip()
    assert (tmp_path / "imaging.md.json").is_file()
    assert evaluate_command.run(parser.parse_args(["--weights", "x.npz"])) == 2
    assert "--weights needs a TASK" in capsys.readouterr().err
