import json
import zipfile

import numpy as np
import pytest

from lamina.layers import Dense, Input
from lamina.models import Sequential, load_model


def small_model(compile=True):
    model = Sequential([Input(shape=(3,)), Dense(4, activation="relu"), Dense(2)])
    if compile:
        model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


def trained(tmp_path=None):
    model = small_model()
    rng = np.random.default_rng(0)
    model.fit(rng.standard_normal((16, 3)), rng.standard_normal((16, 2)), epochs=2, verbose=0)
    return model


@pytest.mark.parametrize("suffix", [".lamina", ".h5"])
def test_round_trip_predictions_and_optimizer_state(tmp_path, suffix):
    model = trained()
    path = tmp_path / f"model{suffix}"
    model.save(path)
    loaded = load_model(path)
    x = np.random.default_rng(1).standard_normal((5, 3)).astype("float32")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.optimizer.iterations == model.optimizer.iterations == 2
    for k, v in model.optimizer.get_state().items():
        np.testing.assert_array_equal(loaded.optimizer.get_state()[k], v)
    # .h5 files name the loss in full: Keras's .h5 reader fails on "mse"
    assert loaded.loss == ("mse" if suffix == ".lamina" else "mean_squared_error")


def test_archive_holds_json_and_npz_only(tmp_path):
    path = tmp_path / "m.lamina"
    trained().save(path)
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["config.json", "metadata.json", "model.weights.npz",
                                        "optimizer.npz"]
        meta = json.loads(z.read("metadata.json"))
        assert meta["format"] == "lamina" and len(meta["weights"]) == 4


def test_save_weights_and_load_weights(tmp_path):
    a, b = trained(), small_model(compile=False)
    for name in ("w.weights.npz", "w.weights.h5"):
        a.save_weights(tmp_path / name)
        b.load_weights(tmp_path / name)
        for x, y in zip(a.get_weights(), b.get_weights()):
            np.testing.assert_array_equal(x, y)
    with pytest.raises(ValueError, match="must end in .weights.npz"):
        a.save_weights(tmp_path / "w.bin")


def test_failed_save_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "m.lamina"
    model = trained()
    model.save(path)
    before = path.read_bytes()
    import lamina.saving.api as api

    def broken(_):
        raise RuntimeError("disk full")

    monkeypatch.setattr(api, "npz_bytes", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        model.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.lamina"]


def test_truncated_corrupt_and_foreign_files(tmp_path):
    path = tmp_path / "m.lamina"
    trained().save(path)
    data = path.read_bytes()
    (tmp_path / "cut.lamina").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a lamina model file|corrupt or truncated"):
        load_model(tmp_path / "cut.lamina")
    (tmp_path / "text.lamina").write_text("hello")
    with pytest.raises(ValueError, match="not a lamina model file"):
        load_model(tmp_path / "text.lamina")
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "missing.lamina")
    other = tmp_path / "other.lamina"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("metadata.json", json.dumps({"format": "something-else"}))
    with pytest.raises(ValueError, match="not a lamina model file"):
        load_model(other)


def test_member_names_that_escape_are_refused(tmp_path):
    evil = tmp_path / "evil.lamina"
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("metadata.json", json.dumps({"format": "lamina", "format_version": 1}))
        z.writestr("../../outside.txt", "pwned")
    with pytest.raises(ValueError, match="unexpected member '../../outside.txt'"):
        load_model(evil)
    assert not (tmp_path.parent.parent / "outside.txt").exists()


def test_pickled_arrays_are_refused(tmp_path):
    path = tmp_path / "m.lamina"
    trained().save(path)
    bad = tmp_path / "bad.lamina"
    import io

    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bad, "w") as dst:
        for name in src.namelist():
            if name == "model.weights.npz":
                inner = io.BytesIO()
                with zipfile.ZipFile(io.BytesIO(src.read(name))) as good, \
                        zipfile.ZipFile(inner, "w") as npz:
                    for i, array in enumerate(sorted(good.namelist())):
                        npz.writestr(array, buffer.getvalue() if i == 0 else good.read(array))
                dst.writestr(name, inner.getvalue())
            else:
                dst.writestr(name, src.read(name))
    with pytest.raises(ValueError, match="has dtype object; weights must be plain numbers"):
        load_model(bad)


def test_overwrite_false_refuses(tmp_path):
    path = tmp_path / "m.lamina"
    model = trained()
    model.save(path)
    with pytest.raises(FileExistsError):
        model.save(path, overwrite=False)


def test_h5_written_by_keras_points_to_load_weights(tmp_path):
    h5py = pytest.importorskip("h5py")
    path = tmp_path / "keras.h5"
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = "3.15.1"
        f.attrs["model_config"] = "{}"
    with pytest.raises(ValueError, match="load_weights"):
        load_model(path)


def test_weights_of_a_keras_h5_load_into_the_same_lamina_model():
    """tests/saving/data/keras_small_cnn.h5 was written by Keras 3.15.1 (torch backend) from
    the model below after 2 epochs of training; its predictions on 4 inputs are stored beside."""
    pytest.importorskip("h5py")
    from pathlib import Path

    from lamina.layers import BatchNormalization, Conv2D, Flatten, MaxPooling2D

    data = Path(__file__).parent / "data"
    model = Sequential([Input(shape=(8, 8, 1)), Conv2D(4, (3, 3), activation="relu"),
                        BatchNormalization(), MaxPooling2D((2, 2)), Flatten(),
                        Dense(5, activation="relu"), Dense(3, activation="softmax")])
    assert model.count_params() == 259
    model.load_weights(data / "keras_small_cnn.h5")
    io = np.load(data / "keras_small_cnn_io.npz")
    np.testing.assert_allclose(model.predict(io["x"], verbose=0), io["y"], rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", ["w.weights.npz", "w.weights.h5"])
def test_skip_mismatch_loads_the_weights_that_fit(tmp_path, name):
    if name.endswith(".h5"):
        pytest.importorskip("h5py")
    a = trained()
    a.save_weights(tmp_path / name)
    b = Sequential([Input(shape=(3,)), Dense(4, activation="relu"), Dense(3)])
    with pytest.raises(ValueError, match="has shape"):
        b.load_weights(tmp_path / name)
    b.load_weights(tmp_path / name, skip_mismatch=True)
    np.testing.assert_array_equal(b.layers[0].get_weights()[0], a.layers[0].get_weights()[0])
    np.testing.assert_array_equal(b.layers[0].get_weights()[1], a.layers[0].get_weights()[1])
