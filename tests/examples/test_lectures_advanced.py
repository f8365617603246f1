"""Lecture scripts 8-14 (examples/lectures/) run on a small budget and show what they claim."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from tests.examples.conclusions import assert_same_as_full_run
from tests.examples.data import needs_fashion_mnist

LECTURES = Path(__file__).resolve().parents[2] / "examples" / "lectures"



def lecture(name):
    """Import examples/lectures/<name>.py as a module."""
    spec = importlib.util.spec_from_file_location(f"lecture_{name}", LECTURES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(name, tmp_path):
    result = lecture(name).main(tmp_path, quick=True)
    assert (tmp_path / "summary.txt").read_text().strip()
    return result


def assert_figures(tmp_path, *names):
    for name in names:
        path = tmp_path / name
        assert path.exists() and path.stat().st_size > 10_000, name
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@needs_fashion_mnist
def test_minibatch_more_updates_per_epoch_learn_more(tmp_path):
    r = run("minibatch", tmp_path)
    assert_same_as_full_run("minibatch", r)
    assert_figures(tmp_path, "paths.png", "loss_per_epoch.png", "loss_per_step.png")
    full, mini = (np.array(p) for p in r["paths"].values())
    assert len(full) == 5 + 1 and len(mini) == 5 * 20 + 1  # 1 vs 20 updates per epoch
    assert np.hypot(*(mini[-1] - [2.0, 1.0])) < 0.1 < 1.0 < np.hypot(*(full[-1] - [2.0, 1.0]))
    runs = r["runs"]
    assert {size: run["updates_per_epoch"] for size, run in runs.items()} == \
        {600: 1, 100: 6, 10: 60}
    final = {size: run["loss_per_epoch"][-1] for size, run in runs.items()}
    assert final[10] < final[100] < final[600] < runs[600]["loss_per_epoch"][0]
    assert final[10] < 2.0 and runs[10]["epochs_to_target"] is not None
    assert runs[600]["epochs_to_target"] is None
    assert all(run["seconds_per_epoch"] > 0 for run in runs.values())
    # seed 004: the loss of every step, 600 images, 3 epochs: small batches are noisy
    steps, noise = r["loss_per_step"], r["step_noise"]
    assert {size: len(losses) for size, losses in steps.items()} == {10: 180, 100: 18, 600: 3}
    # full batch: the batch is the whole set, so only the summation order differs (600 float32
    # terms of about 2.5: 4 * eps * sqrt(600) * 2.5 = 3e-5)
    assert noise[600] < 3e-5
    assert noise[10] > 2 * noise[100] > 2 * noise[600] and noise[10] > 0.05


@needs_fashion_mnist
def test_overfitting_early_stopping_regularizers_and_normalization(tmp_path):
    r = run("overfitting", tmp_path)
    assert_same_as_full_run("overfitting", r)
    assert_figures(tmp_path, "curves.png", "regularizers.png", "normalization.png")
    history = r["history"]
    # overfitting: training loss keeps falling, validation loss turns back up
    assert history["loss"][-1] < 0.2 * history["loss"][0]
    assert history["val_loss"][-1] > min(history["val_loss"]) + 0.05
    # early stopping keeps the best epoch of the epochs it ran, patience 5 after it
    early = r["early_stopping"]
    ran = history["val_loss"][:early["epochs_run"]]
    assert early["best_epoch"] == int(np.argmin(ran)) + 1
    assert early["epochs_run"] == min(early["best_epoch"] + 5, len(history["loss"]))
    assert early["restored_val_loss"] == pytest.approx(min(ran), abs=1e-4)
    # the seed's noisy task: noise hurts, each regularizer helps on noisy images
    results = r["regularizers"]
    assert set(results) == {"baseline", "L1", "L2", "dropout", "gaussian noise", "weight noise"}
    base = results["baseline"]
    assert base["clean"] > 0.7 and base["noisy"] < base["clean"] - 0.15
    helped = [results[m]["noisy"] - base["noisy"] for m in ("L1", "L2", "dropout",
                                                             "gaussian noise", "weight noise")]
    assert min(helped) > 0 and np.mean(helped) > 0.03, helped
    # batch norm trains a deep sigmoid network that plain SGD cannot move
    losses = {name: run["loss"] for name, run in r["normalization"].items()}
    assert losses["no normalization"][-1] > 2.2
    assert losses["BatchNormalization"][-1] < losses["no normalization"][-1] - 0.8
    assert losses["LayerNormalization"][-1] < losses["no normalization"][-1] - 0.02
    # one example per step: batch norm of one example outputs beta (chance, 1,000 test
    # images), layer norm learns
    online = r["normalization_online"]
    assert online["BatchNormalization"] < 0.15 and online["no normalization"] < 0.15
    assert online["LayerNormalization"] > online["BatchNormalization"] + 0.15


@needs_fashion_mnist
def test_initialization_statistics_show_vanishing_gradients(tmp_path):
    r = run("initialization", tmp_path)
    assert_same_as_full_run("initialization", r)
    assert_figures(tmp_path, "statistics.png", "training.png")
    stats, ratio, acc = r["statistics"], r["gradient_ratio"], r["test_accuracy"]
    for activation in ("sigmoid", "relu"):
        zeros = stats[activation]["zeros"]
        assert not any(zeros["kernel_grad_std"]) and not any(zeros["activation_std"])
        assert acc[activation]["zeros"] < 0.2
    # sigmoid(0) = 0.5 feeds the output kernel a gradient; relu(0) = 0 does not
    assert stats["sigmoid"]["zeros"]["output_kernel_grad_std"] > 0
    assert stats["relu"]["zeros"]["output_kernel_grad_std"] == 0
    # sigmoid: the gradient shrinks layer after layer towards the input
    assert ratio["sigmoid"]["small random N(0, 0.01²)"] < 1e-6
    assert ratio["sigmoid"]["Xavier (GlorotNormal)"] < 1e-2
    # ReLU: small weights kill the signal forward; He keeps its scale
    small = stats["relu"]["small random N(0, 0.01²)"]["activation_std"]
    assert small[-1] < 1e-5 * small[0]
    he = stats["relu"]["He (HeNormal)"]
    assert 0.5 < he["activation_std"][-1] / he["activation_std"][0] < 2
    assert ratio["relu"]["He (HeNormal)"] > 0.1
    # 200 steps (quick): ReLU from He trains; the deep sigmoid network trains only from
    # sparse kernels (measured 0.53; every other start at chance, 500 test images)
    sparse = "sparse (Sparse, 15 x N(0, 1))"
    dense_starts = [v for k, v in acc["sigmoid"].items() if k != sparse]
    assert acc["relu"]["He (HeNormal)"] > 0.4 > max(dense_starts) + 0.2
    assert acc["sigmoid"][sparse] > max(dense_starts) + 0.2
    # orthogonal kernels: gain 1 loses ReLU's halved energy layer after layer, gain √2 keeps it
    ortho = r["orthogonal_relu_activation_ratio"]
    assert ortho[1.0] < 0.3 and 0.5 < ortho[float(np.sqrt(2.0))] < 2
    assert stats["relu"]["orthogonal (Orthogonal)"]["activation_std"][-1] == pytest.approx(
        ortho[1.0] * stats["relu"]["orthogonal (Orthogonal)"]["activation_std"][0], rel=1e-9)
    # sparse (Martens): 15 x N(0, 1) inputs per unit; sigmoid's first-layer gradient is far
    # less vanished than Xavier's; ReLU grows by ~sqrt(7.5) per layer and fails to train
    # (the softmax saturates: the clipped cross-entropy, at most -ln 1e-7 = 16.1, stays far
    # above chance's ln 10 = 2.30), He's scale on the 15 inputs keeps it and trains
    assert ratio["sigmoid"][sparse] > 100 * ratio["sigmoid"]["Xavier (GlorotNormal)"]
    grown = stats["relu"][sparse]["activation_std"]
    assert grown[-1] / grown[0] > 2.0 ** 7 and acc["relu"][sparse] < 0.2
    assert min(r["loss"]["relu"][sparse]) > 10
    sparse_relu = r["sparse_relu"]
    he_scaled = sparse_relu[float(np.sqrt(2 / 15))]
    assert 0.5 < he_scaled["activation_ratio"] < 2 and he_scaled["test_accuracy"] > 0.4
    assert sparse_relu[1.0]["activation_ratio"] > 100


@needs_fashion_mnist
def test_convolution_reproduces_the_slides(tmp_path):
    module = lecture("convolution")
    r = module.main(tmp_path, quick=True)
    assert_same_as_full_run("convolution", r)
    assert_figures(tmp_path, "seed001.png", "seed002.png", "seed003.png", "filters.png")
    # seed 001: the point-wise product at (3, 2) and the whole 7x7 result
    np.testing.assert_array_equal(r["seed001_product"], module.SEED001_PRODUCT)
    assert int(r["seed001_product"].sum()) == r["seed001_result"][3, 2] == 350
    assert r["seed001_matches_definition"]
    assert r["seed001_mismatches"] == [(0, 6)]  # the slide's 187 is -187
    assert r["seed001_result"][0, 6] == -187 and module.SEED001_RESULT[0, 6] == 187
    # seed 002: the slides' maps at stride 1 and 2, and max pooling
    np.testing.assert_array_equal(r["seed002_stride1"][0], [[3, -1, -3, -1], [-3, 1, 0, -3],
                                                            [-3, -3, 0, 1], [3, -2, -2, -1]])
    np.testing.assert_array_equal(r["seed002_stride1"][1], [[-1, -1, -1, -1], [-1, -1, -2, 1],
                                                            [-1, -1, -2, 1], [-1, 0, -4, 3]])
    np.testing.assert_array_equal(r["seed002_stride2"][0], [[3, -3], [-3, 0]])
    np.testing.assert_array_equal(r["seed002_maxpool"], [[[3, 0], [3, 1]], [[-1, 1], [0, 3]]])
    assert all(r["seed002_ok"].values())
    assert r["formula_ok"] and r["box_blur_ok"]
    assert r["filter_maps"].shape == (6, 28, 28)
    assert module.output_size(28, 3) == 26 and module.output_size(7, 3, 2, "same") == 4
    assert module.output_size(28, 3, d=2) == 24 and module.output_size(6, 3, 2) == 2
    # seed 003: the Laplacian's four outputs, and it sums to 0 (a flat patch gives 0)
    assert r["seed003_outputs"] == {(0, 0): 83, (1, 0): 14, (2, 0): -66, (0, 1): 91}
    assert r["seed003_unseen_pixels_irrelevant"] and r["seed003_kernel_sum"] == 0
    assert r["flat_patch"] == {"Laplacian": 0.0, "box blur": pytest.approx(100.0, abs=1e-12)}


@needs_fashion_mnist
def test_cnn_inside_trains_and_draws_filters_and_feature_maps(tmp_path):
    r = run("cnn_inside", tmp_path)
    assert_same_as_full_run("cnn_inside", r)
    assert_figures(tmp_path, "filters_before.png", "filters.png", "feature_maps.png",
                   "history.png", "confusion.png", "filters_7x7.png", "top_patches.png")
    assert r["test_accuracy"] > 0.55  # 2 epochs on 1,350 images; chance is 0.10
    inside = r["inside"]
    assert inside["accuracy"] > 0.55
    assert inside["params"] == 32 * 50 + 32 * (25 * 32 + 1) + 10 * (7 * 7 * 32 + 1)
    scores = inside["top_scores"]
    assert scores.shape == (16, 9) and (np.diff(scores, axis=1) <= 0).all()
    assert r["history"]["loss"][-1] < r["history"]["loss"][0]
    assert "val_loss" in r["history"]
    assert r["kernel_change"] > 0.05
    assert r["confusion"].sum() == 500
    assert r["params"] == 16 * 10 + 32 * (9 * 16 + 1) + 64 * 801 + 10 * 65


@needs_fashion_mnist
def test_classical_vs_neural_table_and_the_seeds_pca_ratio(tmp_path, capsys):
    pytest.importorskip("sklearn")
    r = run("classical_vs_neural", tmp_path)
    assert_same_as_full_run("classical_vs_neural", r)
    assert_figures(tmp_path, "iris_projections.png", "cnn_features_pca.png")
    # the seed's line, digit for digit
    assert np.array_str(r["pca_ratio"]) == "[0.92461621 0.05301557]"
    assert "explained variance ratio (first two components): [0.92461621 0.05301557]" in \
        capsys.readouterr().out
    np.testing.assert_allclose(r["corrected_pca_ratio"], [0.92461872, 0.05306648], atol=1e-7)
    table, cv_table = (tmp_path / "comparison.md").read_text().split("\n\n| model |")
    rows = [line for line in table.splitlines() if line.startswith("| ")][1:]
    assert len(rows) == 10  # 7 scikit-learn models + Perceptron, MLP, CNN
    expected = ["SVM, linear kernel", "SVM, poly kernel", "SVM, RBF kernel", "KNN",
                "decision tree", "random forest", "logistic regression",
                "lamina Perceptron", "lamina MLP", "lamina CNN"]
    names = [row.split(" | ")[0][2:] for row in rows]
    assert all(name.startswith(e) for name, e in zip(names, expected)), names
    assert "| lamina CNN | n/a | n/a |" in table
    for name, result in r["iris"].items():
        assert result["accuracy"] >= 0.85, name
        assert result["fit_seconds"] >= 0
    assert r["iris"]["SVM, RBF kernel"]["accuracy"] >= 0.95
    for name, result in r["fashion_mnist"].items():
        assert 0.4 < result["accuracy"] <= 1.0, name
    assert r["separation"]["cnn"] > r["separation"]["pixels"]
    # the lamina MLP (lamina.wrappers.SKLearnClassifier) in the same cross_val_score table
    cv = r["cross_validation"]
    assert len(cv) == 8 and "lamina MLP" in cv
    for name, result in cv.items():
        assert result["scores"].shape == (5,) and result["scores"].mean() >= 0.85, name
    assert "\n| lamina MLP | " in cv_table and cv_table.count("\n| ") == 8


def test_housing_regression_linear_model_reaches_least_squares(tmp_path):
    r = run("housing_regression", tmp_path)
    assert_same_as_full_run("housing_regression", r)
    assert_figures(tmp_path, "predictions.png", "history.png")
    results = r["results"]
    linear, lstsq = results["linear, Dense(1)"], results["least squares (NumPy)"]
    assert linear["r2"] > 0.95 and linear["mae"] < 1.03 * lstsq["mae"]
    assert results["MLP 3-64-64-1"]["r2"] > 0.93
    assert abs(r["coefficients"][1] - 2.5) < 0.3  # size: 2.5 thousand per square metre
    assert abs(r["coefficients"][2] + 0.6) < 0.1  # age
    assert r["noise_floor_mae"] == pytest.approx(15 * np.sqrt(2 / np.pi))
