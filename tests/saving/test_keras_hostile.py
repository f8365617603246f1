"""Hostile Keras files: issue 14's rules hold for ``.keras`` archives and Keras 3
``.weights.h5`` files (no code, nothing outside the file, sizes checked before
allocation, bombs under 300 MB, clear errors).

Each case edits a real Keras fixture (fixtures/keras/mlp.keras, written by Keras 3.15.1).
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tests.saving.hostile import Case, deflated, run, stored, zeros_entry, zip_bytes
from tests.saving.hostile_cases import gzip_zeros_dataset
from tests.saving.hostile_report import classify, load_in_subprocess

h5py = pytest.importorskip("h5py")

MLP = Path(__file__).parent / "fixtures" / "keras" / "mlp.keras"
KERNEL = "layers/dense/vars/0"  # the first Dense's kernel, shape (6, 8)


def members() -> dict:
    with zipfile.ZipFile(MLP) as z:
        return {n: z.read(n) for n in z.namelist()}


def write(tmp, name, entries) -> Case:
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(zip_bytes(entries))
    return Case(path)


def keras_file(tmp, name, config=None, weights=None, extra=()) -> Case:
    """mlp.keras with its config edited by ``config(dict)``, its weights file by
    ``weights(h5py.File, tmp)``, and ``extra`` entries appended."""
    found = members()
    if config is not None:
        cfg = json.loads(found["config.json"])
        config(cfg)
        found["config.json"] = json.dumps(cfg).encode()
    if weights is not None:
        h5_path = os.path.join(tmp, f"{name}.weights.h5")
        Path(h5_path).write_bytes(found["model.weights.h5"])
        with h5py.File(h5_path, "a") as f:
            weights(f, tmp)
        found["model.weights.h5"] = Path(h5_path).read_bytes()
    entries = [stored(n, data) for n, data in found.items()]
    return write(tmp, name, entries + list(extra))


def _replace(f, make):
    del f[KERNEL]
    make(f["layers/dense/vars"], "0")


def _secret(tmp):
    path = os.path.join(tmp, "secret.bin")
    np.full((6, 8), 7.0, dtype="float32").tofile(path)
    return path


def external_storage(f, tmp):
    _replace(f, lambda g, n: g.create_dataset(n, shape=(6, 8), dtype="float32",
                                              external=[(_secret(tmp), 0, 192)]))


def external_link(f, tmp):
    other = os.path.join(tmp, "other.h5")
    with h5py.File(other, "w") as o:
        o["kernel"] = np.full((6, 8), 7.0, dtype="float32")
    _replace(f, lambda g, n: g.__setitem__(n, h5py.ExternalLink(other, "/kernel")))


def virtual(f, tmp):
    other = os.path.join(tmp, "source.h5")
    with h5py.File(other, "w") as o:
        o["kernel"] = np.full((6, 8), 7.0, dtype="float32")
    layout = h5py.VirtualLayout(shape=(6, 8), dtype="float32")
    layout[:] = h5py.VirtualSource(other, "kernel", shape=(6, 8))
    _replace(f, lambda g, n: g.create_virtual_dataset(n, layout))


def gzip_bomb(f, tmp):
    """A gzip dataset declaring 2**28 float32 (1 GiB), a few hundred KB on disk."""
    _replace(f, gzip_zeros_dataset)


def first_dense(cfg):
    return cfg["config"]["layers"][1]["config"]


OUTSIDE = {
    "external-storage": (external_storage, r"keeps its data in external files .*secret\.bin"),
    "external-link": (external_link, r"is an external link to .*other\.h5"),
    "virtual": (virtual, r"is a virtual dataset"),
}


@pytest.mark.parametrize("name", OUTSIDE)
def test_weights_stored_outside_the_archive_are_refused(tmp_path, name):
    make, message = OUTSIDE[name]
    case = keras_file(str(tmp_path), f"{name}.keras", weights=make)
    with pytest.raises(ValueError, match=message):
        run(case)


def test_keras_weights_h5_with_an_external_link_is_refused(tmp_path):
    from tests.saving.fixtures import keras_catalogue as catalogue

    path = tmp_path / "w.weights.h5"
    path.write_bytes(members()["model.weights.h5"])
    with h5py.File(path, "a") as f:
        external_link(f, str(tmp_path))
    with pytest.raises(ValueError, match=r"is an external link to .*other\.h5"):
        catalogue.build_lamina("mlp").load_weights(path)


UNCLEAR = {
    "lambda-code": (dict(config=lambda c: first_dense(c).update(activation={
        "class_name": "__lambda__", "config": {"code": "..."}})), r"holds Python code"),
    "class-__class__": (dict(config=lambda c: c["config"]["layers"][1].update(
        class_name="__class__")), r"class name '__class__'; not a layer class"),
    "class-Layer": (dict(config=lambda c: c["config"]["layers"][1].update(
        class_name="Layer")), r"layer class 'Layer' is not one of lamina's layers"),
    "keras-arg-lamina-lacks": (dict(config=lambda c: first_dense(c).update(lora_rank=4)),
                               r"layer 'dense' \(Dense\) has the Keras argument lora_rank=4"),
    "mixed-precision": (dict(config=lambda c: first_dense(c)["dtype"]["config"].update(
        name="mixed_float16")), r"has dtype 'mixed_float16'"),
    "assets-member": (dict(extra=[stored("assets/x/vocabulary.txt", b"a\n")]),
                      r"unexpected member 'assets/x/vocabulary\.txt'"),
    "escaping-member": (dict(extra=[stored("../../outside.txt", b"x")]),
                        r"unexpected member '\.\./\.\./outside\.txt'"),
    "duplicate-member": (dict(extra=[stored("config.json", b"{}")]),
                         r"two members named 'config\.json'"),
    "wrong-shape": (dict(weights=lambda f, t: _replace(f, lambda g, n: g.create_dataset(
        n, data=np.zeros((8, 6), "float32")))), r"has shape \(8, 6\) in the file"),
    "missing-weights": (dict(weights=lambda f, t: f.__delitem__("layers/dense")),
                        r"has no weights for layer 'dense'"),
    "string-weights": (dict(weights=lambda f, t: _replace(f, lambda g, n: g.create_dataset(
        n, data=np.array([b"abcd"] * 48).reshape(6, 8)))), r"has dtype \|S4"),
    "graph-loop": (dict(config=lambda c: c.update(class_name="Functional", config={
        "name": "f", "layers": [{"class_name": "Dense", "name": "d", "config": {
            "units": 2, "name": "d"}, "inbound_nodes": [[["d", 0, 0, {}]]]}],
        "input_layers": [["d", 0, 0]], "output_layers": [["d", 0, 0]]})),
        r"the inputs of layer 'd' are never produced"),
}


@pytest.mark.parametrize("name", UNCLEAR)
def test_hostile_keras_archive_is_refused_clearly(tmp_path, name):
    edits, message = UNCLEAR[name]
    case = keras_file(str(tmp_path), f"{name}.keras", **edits)
    with pytest.raises(ValueError, match=message) as info:
        run(case)
    assert os.path.basename(case.path) in str(info.value)
    assert not (tmp_path.parent.parent / "outside.txt").exists()


def weights_bomb(tmp) -> Case:
    """model.weights.h5 declares 1 GiB once decompressed, in 1 MB."""
    found = members()
    entries = [deflated(n, found[n]) for n in ("metadata.json", "config.json")]
    return write(tmp, "weights-bomb.keras", entries + [zeros_entry("model.weights.h5", 1024)])


def units_bomb(tmp) -> Case:
    return keras_file(tmp, "units.keras", config=lambda c: first_dense(c).update(units=2**26))


def h5_gzip_bomb(tmp) -> Case:
    return keras_file(tmp, "gzip.keras", weights=gzip_bomb)


BOMBS = {
    "weights-bomb": (weights_bomb, r"model\.weights\.h5 declares 1\.0 GiB once decompressed"),
    "units-2**26": (units_bomb, r"layer 'dense' \(Dense\) would create weight 'kernel' of "
                                r"shape \(6, 67108864\)"),
    "h5-gzip": (h5_gzip_bomb, r"has shape \(268435456,\) in the file"),
}


@pytest.mark.parametrize("name", BOMBS)
def test_keras_memory_bomb_is_refused_under_300_mb(tmp_path, name):
    build, message = BOMBS[name]
    case = build(str(tmp_path))
    assert os.path.getsize(case.path) < 3 * 1024**2
    result = load_in_subprocess(case, timeout=300)
    assert classify(result, case) == "clear", result
    assert __import__("re").search(message, result["message"]), result
    assert result["maxrss_mb"] < 300, result


def test_no_pickle_and_no_code_in_what_lamina_writes(tmp_path):
    from tests.saving.fixtures import keras_catalogue as catalogue

    model = catalogue.build_lamina("multi")
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as z:
        config = z.read("config.json").decode()
        with h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as f:
            kinds = set()
            f.visititems(lambda n, o: kinds.add(o.dtype.kind)
                         if isinstance(o, h5py.Dataset) else None)
    assert "__lambda__" not in config and "pickle" not in config
    assert kinds <= set("f")
