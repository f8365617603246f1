"""Keras's files, both ways (issue 15, §3), without Keras.

Keras -> lamina: the fixtures in fixtures/keras/ were written by Keras 3.15.1 (torch
backend) with fixtures/make_keras_fixtures.py from the models of
fixtures/keras_catalogue.py; lamina loads them and predicts what Keras predicted.

lamina -> Keras: scripts/check_keras_reads_lamina.py wrote lamina's files, loaded them with
Keras 3.15.1 and recorded the outcome in fixtures/keras_reads_lamina.json, with a
fingerprint of what lamina wrote. The tests here check that every file loaded within
1e-5, that lamina still writes exactly what was checked, and that what it writes has the
structure of the files Keras writes for the same models.
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")

from lamina.models import load_model  # noqa: E402
from lamina.saving import keras_archive, keras_weights  # noqa: E402
from lamina.saving.keras_objects import NEUTRAL  # noqa: E402
from tests.saving.fixtures import keras_catalogue as catalogue  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
KERAS = FIXTURES / "keras"

ATOL = 1e-5  # the bound for predictions of the same weights in both libraries
FULL_H5 = ["mlp", "unet", "multi"]
WEIGHTS_H5 = ["cnn", "multi"]


def io_of(name):
    data = np.load(KERAS / f"{name}_io.npz")
    return ([data[k] for k in sorted(data) if k.startswith("x")],
            [data[k] for k in sorted(data) if k.startswith("y")])


def predict(model, x) -> list:
    return catalogue.flat(model.predict(x if len(x) > 1 else x[0], verbose=0))


def assert_predicts(model, name):
    x, y = io_of(name)
    got = predict(model, x)
    assert len(got) == len(y)
    for a, b in zip(got, y):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=0, atol=ATOL)


# ----------------------------------------------------------------- Keras -> lamina
@pytest.mark.parametrize("name", catalogue.NAMES)
def test_a_keras_archive_loads_and_predicts_what_keras_predicted(name):
    catalogue.lamina_namespace()  # registers Custom>Scale
    model = load_model(KERAS / f"{name}.keras")
    assert_predicts(model, name)


@pytest.mark.parametrize("name", catalogue.TRAINED)
def test_keras_optimizer_state_loads_and_the_next_step_matches_keras(name):
    """Keras trained the model 2 steps (Adam) and saved it; one more step from the loaded
    state must give Keras's next predictions, which fresh moments would not."""
    model = load_model(KERAS / f"{name}.keras")
    assert model.optimizer.iterations == 2
    x, _ = io_of(name)
    before = predict(model, x)[0]
    model.train_on_batch(x[0], catalogue.targets(name))
    expected = np.load(KERAS / f"{name}_step.npz")["y"]
    np.testing.assert_allclose(predict(model, x)[0], expected, rtol=0, atol=ATOL)
    assert np.abs(expected - before).max() > 100 * ATOL  # the step changed the predictions
    fresh = load_model(KERAS / f"{name}.keras", compile=False)
    fresh.compile(optimizer="adam", loss="binary_crossentropy")
    fresh.train_on_batch(x[0], catalogue.targets(name))
    assert np.abs(predict(fresh, x)[0] - expected).max() > 10 * ATOL


@pytest.mark.parametrize("name", FULL_H5)
def test_a_keras_full_model_h5_loads_and_predicts_what_keras_predicted(name):
    model = load_model(KERAS / f"{name}.h5", compile=False)
    assert_predicts(model, name)


def test_compile_config_of_a_keras_file_is_restored():
    with pytest.warns(UserWarning, match="optimizer's state"):  # Keras's .h5 layout
        model = load_model(KERAS / "mlp.h5")
    assert type(model.optimizer).__name__ == "Adam"
    assert model.optimizer.get_config()["learning_rate"] == pytest.approx(1e-3)
    assert model.loss == "categorical_crossentropy"
    model = load_model(KERAS / "cnn.keras")
    assert type(model.optimizer).__name__ == "SGD" and model.loss == "mse"


@pytest.mark.parametrize("name", WEIGHTS_H5)
def test_keras_weights_h5_loads_into_the_same_lamina_model(name):
    model = catalogue.build_lamina(name)
    model.load_weights(KERAS / f"{name}.weights.h5")
    assert_predicts(model, name)


def test_a_lambda_holding_code_is_refused():
    with pytest.raises(ValueError, match="function holds Python code.*never runs "
                                         "code"):
        load_model(KERAS / "lambda.keras")


def test_an_unregistered_custom_layer_is_refused_with_how_to_load_it():
    from lamina.saving import registry

    saved = dict(registry._REGISTRY)
    registry._REGISTRY.clear()
    try:
        with pytest.raises(ValueError, match="'Custom>Scale' is not one of lamina's layers.*"
                                             "register_serializable"):
            load_model(KERAS / "custom.keras")
    finally:
        registry._REGISTRY.update(saved)


def test_every_lamina_layer_is_a_keras_layer_or_written_as_a_lamina_one():
    from lamina import layers
    from lamina.saving.keras_layers import NOT_IN_KERAS

    keras_names = set(json.loads((KERAS / "keras_layers.json").read_text())["layers"])
    ours = {n for n in layers.__all__ if isinstance(getattr(layers, n), type)
            and issubclass(getattr(layers, n), layers.Layer) and n not in ("Layer",)}
    assert ours - keras_names == NOT_IN_KERAS, (
        "a lamina layer Keras lacks must be listed in keras_layers.NOT_IN_KERAS (written as "
        "'lamina>Name'), and a Keras one must keep Keras's class name")


# ----------------------------------------------------------------- lamina -> Keras
def test_keras_loaded_every_file_lamina_wrote():
    outcome = json.loads((FIXTURES / "keras_reads_lamina.json").read_text())
    assert outcome["keras_version"] == "3.15.1"
    expected = {f"{n}{f}" for n in catalogue.NAMES for f in (".keras", ".h5", ".weights.h5")}
    expected |= {f"{n}.keras+train_step" for n in catalogue.TRAINED}
    assert set(outcome["results"]) == expected
    for key, result in outcome["results"].items():
        assert result["loaded"], (key, result["error"])
        assert result["max_abs_diff"] <= ATOL, key


@pytest.mark.parametrize("name", catalogue.NAMES)
def test_lamina_still_writes_what_keras_was_checked_on(name):
    sys.path.insert(0, str(FIXTURES.parent.parent.parent / "scripts"))
    from check_keras_reads_lamina import fingerprint

    recorded = json.loads((FIXTURES / "keras_reads_lamina.json").read_text())["lamina_wrote"]
    assert fingerprint(catalogue.build_lamina(name)) == recorded[name], (
        "lamina's Keras writer changed: rerun scripts/check_keras_reads_lamina.py")


def _same(lam, ker, path, out):
    """Differences between lamina's config and Keras's, apart from the equivalent forms
    listed here."""
    if isinstance(lam, dict) or isinstance(ker, dict):
        if "DTypePolicy" in (_class(lam), _class(ker)):
            return _same(_policy(lam), _policy(ker), path, out)
    if isinstance(lam, dict) and isinstance(ker, dict):
        for k in lam:
            if k not in ker:
                if not (k == "trainable" and lam[k] is True):
                    out.append(f"{path}/{k}: written by lamina only")
            elif k == "module" and ("optimizers" in str(lam[k]) and "optimizers" in str(ker[k])
                                    or ">" in str(ker.get("registered_name"))
                                    or ker.get("class_name") == "function"):
                continue  # Keras writes its backend's optimizer module, a custom object's own
            else:
                _same(lam[k], ker[k], f"{path}/{k}", out)
        for k in ker:
            neutral = k in NEUTRAL and (NEUTRAL[k] is ... or NEUTRAL[k] == ker[k])
            call_arg = k == "mask" and ker[k] is None or k == "training"  # from the call
            if k not in lam and not neutral and not call_arg:
                out.append(f"{path}/{k}: written by Keras only")
    elif isinstance(lam, list) and isinstance(ker, list) and len(lam) == len(ker):
        for i, (a, b) in enumerate(zip(lam, ker)):
            _same(a, b, f"{path}[{i}]", out)
    elif isinstance(lam, float) or isinstance(ker, float):
        if abs(float(lam) - float(ker)) > 1e-7 * max(abs(float(ker)), 1.0):
            out.append(f"{path}: {lam!r} != {ker!r}")
    elif lam != ker and not (path.endswith("optimizer/config/name") and
                             str(lam).lower() == str(ker).lower()):
        out.append(f"{path}: {lam!r} != {ker!r}")
    return out


def _class(value):
    return value.get("class_name") if isinstance(value, dict) else None


def _policy(value):
    return value.get("config", {}).get("name") if isinstance(value, dict) else value


@pytest.mark.parametrize("name", catalogue.NAMES)
def test_lamina_writes_the_config_keras_writes(name):
    lam = json.loads(json.dumps(keras_archive.model_config(catalogue.build_lamina(name))))
    with zipfile.ZipFile(KERAS / f"{name}.keras") as z:
        ker = json.loads(z.read("config.json"))
    assert _same(lam, ker, "", []) == []


def _h5_layout(data: bytes) -> dict:
    out = {}
    with h5py.File(io.BytesIO(data), "r") as f:
        f.visititems(lambda n, o: out.__setitem__(
            n, tuple(o.shape) if isinstance(o, h5py.Dataset) else dict(o.attrs)))
    return {k: v for k, v in out.items() if not k.startswith("optimizer")}


@pytest.mark.parametrize("name", catalogue.NAMES)
def test_lamina_writes_the_weights_layout_keras_writes(name):
    model = catalogue.build_lamina(name)
    with zipfile.ZipFile(KERAS / f"{name}.keras") as z:
        keras_layout = _h5_layout(z.read("model.weights.h5"))
    assert _h5_layout(keras_archive.weights_bytes(model)) == keras_layout
    assert any(isinstance(v, tuple) for v in keras_layout.values())


# ----------------------------------------------------------------- lamina -> lamina
@pytest.mark.parametrize("name", catalogue.NAMES)
@pytest.mark.parametrize("suffix", [".keras", ".h5", ".weights.h5"])
def test_round_trip_through_keras_formats(tmp_path, name, suffix):
    model = catalogue.build_lamina(name)
    catalogue.set_weights(model, seed=3)
    path = tmp_path / f"m{suffix}"
    if suffix == ".weights.h5":
        model.save_weights(path)
        loaded = catalogue.build_lamina(name)
        loaded.load_weights(path)
    else:
        model.save(path)
        loaded = load_model(path)
    x, _ = io_of(name)
    for a, b in zip(predict(loaded, x), predict(model, x)):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_optimizer_state_round_trips_through_a_keras_archive(tmp_path):
    model = catalogue.build_lamina("unet")
    catalogue.set_weights(model, seed=5)
    x, y = catalogue.inputs("unet")[0], catalogue.targets("unet")
    model.fit(x, y, batch_size=3, epochs=2, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    saved, got = model.optimizer.get_state(), loaded.optimizer.get_state()
    assert sorted(got) == sorted(saved) and int(got["iterations"]) == 2
    for key, value in saved.items():  # Keras keeps float32: the learning rate rounds
        np.testing.assert_allclose(got[key], value, rtol=1e-7, atol=0)
    model.train_on_batch(x, y)
    loaded.train_on_batch(x, y)
    np.testing.assert_allclose(predict(loaded, [x])[0], predict(model, [x])[0],
                               rtol=0, atol=ATOL)


@pytest.mark.parametrize("optimizer", ["adam", "rmsprop"])
def test_a_trained_model_of_millions_of_weights_loads_with_its_optimizer(tmp_path, optimizer):
    """Adam's and RMSprop's slots make the weights member 3x the weights: the member's size
    limit counts them (a trained 1M-weight model was refused: the member "declares 11.5 MiB
    once decompressed, more than the 8.8 MiB it can hold")."""
    from lamina.layers import Dense, Input
    from lamina.models import Sequential

    model = Sequential([Input(shape=(1000,)), Dense(1000), Dense(4)])
    model.compile(optimizer=optimizer, loss="mse")
    rng = np.random.default_rng(0)
    model.fit(rng.standard_normal((8, 1000)), rng.standard_normal((8, 4)), epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    saved, got = model.optimizer.get_state(), loaded.optimizer.get_state()
    assert sorted(got) == sorted(saved) and int(got["iterations"]) == 1
    for key, value in saved.items():  # Keras keeps float32: the learning rate rounds
        np.testing.assert_allclose(got[key], value, rtol=1e-7, atol=0, err_msg=key)
    for a, b in zip(loaded.weights, model.weights, strict=True):
        np.testing.assert_array_equal(a.data, b.data)


def test_a_model_inside_a_model_saves_its_weights(tmp_path):
    """Sub-models' weights all carried the same short names ('name already exists')."""
    model = catalogue.build_lamina("multi")
    catalogue.set_weights(model, seed=4)
    for name in ("w.h5", "w.weights.h5"):
        model.save_weights(tmp_path / name)
        other = catalogue.build_lamina("multi")
        other.load_weights(tmp_path / name)
        for a, b in zip(other.get_weights(), model.get_weights()):
            np.testing.assert_array_equal(a, b)


def test_a_lamina_archive_named_keras_still_loads(tmp_path):
    """Before Keras's format, lamina wrote its own zip under any name: told apart by its
    members (model.weights.npz, not model.weights.h5)."""
    model = catalogue.build_lamina("mlp")
    model.save(tmp_path / "old.lamina")
    (tmp_path / "old.lamina").rename(tmp_path / "old.keras")
    with zipfile.ZipFile(tmp_path / "old.keras") as z:
        assert "model.weights.npz" in z.namelist()
    loaded = load_model(tmp_path / "old.keras")
    x, _ = io_of("mlp")
    np.testing.assert_array_equal(predict(loaded, x)[0], predict(model, x)[0])


def test_keras_archive_members_are_keras_s(tmp_path):
    model = catalogue.build_lamina("unet")
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as z:
        assert z.namelist() == ["metadata.json", "config.json", "model.weights.h5"]
        assert json.loads(z.read("metadata.json"))["keras_version"] == "3.15.1"
        assert json.loads(z.read("config.json"))["class_name"] == "Functional"
    assert [p for p, _, _ in keras_weights.layout(model)][:3] == [
        "", "layers/input_layer", "layers/conv2d"]
