"""Keras programs from keras.io and the Keras 2 examples, run with only the import line
changed (``import keras`` -> ``import lamina as keras``) and offline data.

Each program in ``programs/`` names its source and what was swapped (data for an offline
stand-in, fewer epochs). A test runs one program in a fresh folder, as a script, and then
checks the numbers it produced.
"""

import functools
import runpy
from pathlib import Path

import numpy as np
import pytest

PROGRAMS = Path(__file__).with_name("programs")


@functools.cache
def have_fashion_mnist() -> bool:
    from lamina.datasets import fashion_mnist

    try:
        fashion_mnist.load_data()
    except (FileNotFoundError, OSError, ValueError):
        return False
    return True


def have_fortunes() -> bool:
    from lamina.datasets import fortunes

    return Path(fortunes.DEBIAN_DIR, "computers").is_file()


needs_fashion_mnist = pytest.mark.skipif(
    not have_fashion_mnist(),
    reason="Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")
needs_fortunes = pytest.mark.skipif(
    not have_fortunes(), reason="Debian's fortunes are not installed (apt-get install fortunes)")


def run(name, tmp_path, monkeypatch) -> dict:
    """Run ``programs/<name>.py`` as ``__main__`` in ``tmp_path``; return its globals."""
    pytest.importorskip("sklearn")  # the digits stand-in
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LAMINA_FORTUNES", raising=False)
    return runpy.run_path(str(PROGRAMS / f"{name}.py"), run_name="__main__")


def test_every_program_names_its_source_and_imports_lamina_as_keras():
    files = sorted(PROGRAMS.glob("*.py"))
    assert len(files) >= 8
    for path in files:
        text = path.read_text()
        assert text.startswith("# Source: "), path.name
        assert "import lamina as keras  # was: import keras" in text, path.name
        code = [line.split("#")[0].strip() for line in text.splitlines()]
        assert not [c for c in code if c.startswith(("import keras", "from keras"))], path.name


@needs_fashion_mnist
def test_mnist_convnet(tmp_path, monkeypatch):
    g = run("mnist_convnet", tmp_path, monkeypatch)
    loss, accuracy = g["score"]
    assert accuracy > 0.6 and loss < 1.2  # 2 epochs on 3,000 images (chance: 0.1)
    assert g["model"].count_params() == 34826  # as the keras.io page's summary, 10 classes


def test_mnist_mlp(tmp_path, monkeypatch):
    g = run("mnist_mlp", tmp_path, monkeypatch)
    assert g["score"][1] > 0.85
    assert g["history"].history["loss"][-1] < g["history"].history["loss"][0] / 3
    assert g["model"].count_params() == 64 * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10


@needs_fashion_mnist
def test_denoising_autoencoder(tmp_path, monkeypatch):
    g = run("denoising_autoencoder", tmp_path, monkeypatch)
    clean, noisy, denoised = g["test_data"], g["noisy_test_data"], g["predictions"]
    assert denoised.shape == clean.shape and denoised.min() >= 0 and denoised.max() <= 1
    noisy_error = float(np.mean((noisy - clean) ** 2))
    denoised_error = float(np.mean((denoised - clean) ** 2))
    assert denoised_error < 0.75 * noisy_error  # 4 epochs already remove a good part
    losses = g["history"].history["loss"]
    assert losses[-1] < losses[0]


def test_timeseries_classification(tmp_path, monkeypatch):
    g = run("timeseries_classification", tmp_path, monkeypatch)
    assert g["test_acc"] > 0.75  # the best checkpoint, reloaded from best_model.keras
    assert (tmp_path / "best_model.keras").is_file()
    assert (tmp_path / "model.png").read_bytes().startswith(b"\x89PNG")  # plot_model
    assert len(g["history"].history["learning_rate"]) == 6


@needs_fortunes
def test_text_cnn(tmp_path, monkeypatch):
    g = run("text_cnn", tmp_path, monkeypatch)
    assert g["x_train"].shape[1] == 60 and g["x_train"].dtype == np.int32
    assert g["score"][1] > 0.7  # computers against politics (chance: 0.5)


def test_custom_layers(tmp_path, monkeypatch):
    g = run("custom_layers", tmp_path, monkeypatch)
    np.testing.assert_array_equal(g["first_sum"], [2.0, 2.0])
    np.testing.assert_array_equal(g["second_sum"], [4.0, 4.0])
    assert g["mlp_weight_count"] == 6
    assert g["config"]["units"] == 64 and g["new_layer"].units == 64
    dropped = g["ops"].convert_to_numpy(g["dropped"])
    assert set(np.unique(dropped).tolist()) == {0.0, 2.0}
    assert g["ops"].convert_to_numpy(g["kept"]).tolist() == np.ones((4, 10)).tolist()
    assert g["test_accuracy"] > 0.8


def test_functional_api(tmp_path, monkeypatch):
    g = run("functional_api", tmp_path, monkeypatch)
    assert g["test_scores"][1] > 0.75  # 3 epochs (chance: 0.1)
    np.testing.assert_allclose(g["predictions_after"], g["predictions_before"], rtol=1e-6)
    assert g["autoencoder_output_shape"] == (None, 28, 28, 1)
    assert g["reconstruction"].shape == (2, 28, 28, 1)
    np.testing.assert_allclose(g["ensemble_prediction"], g["members_mean"], rtol=1e-5,
                               atol=1e-6)
    assert g["resnet"].count_params() == 223242  # the guide's summary says 223,242
    assert g["new_output_shape"] == (None, 10)
    for picture in ("my_first_model.png", "my_first_model_with_shape_info.png",
                    "mini_resnet.png"):
        assert (tmp_path / picture).read_bytes().startswith(b"\x89PNG")


def test_custom_callbacks(tmp_path, monkeypatch):
    g = run("custom_callbacks", tmp_path, monkeypatch)
    assert g["hooks_seen"][0] == "on_train_begin"
    assert ("on_epoch_end", ("loss", "mean_absolute_error", "val_loss",
                             "val_mean_absolute_error")) in g["hooks_seen"]
    assert {"on_train_end", "on_test_end", "on_predict_end"} <= set(g["hooks_seen"])
    assert len(g["epoch_losses"]) == 2 + g["early_stopping"].stopped_epoch + 1 + 15
    assert 0 < g["early_stopping"].stopped_epoch < 11  # stopped early, best weights back
    assert g["rates_seen"][:5] == pytest.approx([0.1, 0.1, 0.1, 0.1, 0.05])  # set at epoch 3
    assert g["final_learning_rate"] == pytest.approx(0.001)


def test_sequential_model(tmp_path, monkeypatch):
    g = run("sequential_model", tmp_path, monkeypatch)
    assert g["layers_after_pop"] == 2 and g["weights_before_call"] == 0
    assert g["weight_shapes"] == [(4, 3), (3,)] and g["weights_after_call"] == 6
    assert g["layers_with_input"] == 1  # the Input is not one of model.layers
    assert g["shape_after_first_block"] == (None, 40, 40, 32)  # as the guide's summary
    assert g["shape_before_pooling"] == (None, 4, 4, 32)
    assert [tuple(f.shape) for f in g["features"]] == [(1, 123, 123, 32), (1, 121, 121, 32),
                                                        (1, 119, 119, 32)]
    assert tuple(g["intermediate"].shape) == (1, 121, 121, 32)
    for before, after in zip(g["frozen_before"], g["frozen_after"], strict=True):
        np.testing.assert_array_equal(before, after)  # frozen layers did not move
    assert g["trainable_count"] == 2
    losses = g["history"].history["loss"]
    assert losses[-1] < losses[0]


def test_training_and_evaluation(tmp_path, monkeypatch):
    g = run("training_and_evaluation", tmp_path, monkeypatch)
    assert g["results"][1] > 0.65 and g["predictions"].shape == (3, 10)
    np.testing.assert_allclose(g["predictions"].sum(axis=1), 1.0, rtol=1e-5)
    assert g["custom_loss_history"].history["loss"][0] < 0.1  # MSE against one-hot rows
    assert 0 < g["custom_mse_history"].history["loss"][0] < 0.15
    assert g["pydataset_results"][1] > 0.6
    assert set(g["multi_history"].history) == {
        "loss", "score_output_loss", "class_output_loss",
        "score_output_mean_absolute_error", "class_output_categorical_accuracy"}
    val_loss, best, wait, expected = g["early_history"].history["val_loss"], np.inf, 0, 20
    for epoch, value in enumerate(val_loss):  # Keras's rule: patience=2, min_delta=1e-2
        wait += 1
        if value < best - 1e-2:
            best, wait = value, 0
        elif wait >= 2:
            expected = epoch + 1
            break
    assert len(val_loss) == expected
    assert (tmp_path / "mymodel_1.keras").is_file() and (tmp_path / "mymodel_2.keras").is_file()
    assert (tmp_path / "multi_input_and_output_model.png").read_bytes().startswith(b"\x89PNG")
    assert float(g["lr_schedule"](0)) == pytest.approx(0.1)
