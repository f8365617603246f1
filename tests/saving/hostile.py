"""Hostile model files for the loaders, built from a small model's real save.

Each builder writes one crafted file under ``tmp`` and returns a :class:`Case`: the path
and how it is loaded (``load_model``, or ``load_weights`` into :func:`small_model`).
``tests/saving/test_hostile.py`` asserts a clear error for every case, and measures the
peak memory of the bombs in a subprocess; ``python -m tests.saving.hostile_report``
prints the table of outcomes (clear error / silent / crash) for the lamina on the path.

Bombs are crafted without ever holding their decompressed size: a deflate stream of N
zero bytes is one compressed mebibyte of zeros repeated (each ends with a full flush),
and zip archives are written by hand (:func:`zip_bytes`), which also allows what
``zipfile`` refuses to write (duplicate names, unknown methods, the encryption flag).
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import struct
import zipfile
import zlib

import numpy as np

MIB = 1 << 20
GIB = 1 << 30


@dataclasses.dataclass
class Case:
    path: str
    entry: str = "load_model"  # or "load_weights"


def small_model(compile=True):
    from lamina.layers import Dense, Input
    from lamina.models import Sequential

    model = Sequential([Input(shape=(3,)), Dense(4, activation="relu"), Dense(2)])
    if compile:
        model.compile(optimizer="adam", loss="mse")
    return model


def trained_model():
    model = small_model()
    rng = np.random.default_rng(0)
    model.fit(rng.standard_normal((8, 3)), rng.standard_normal((8, 2)), epochs=1, verbose=0,
              seed=0)
    return model


def run(case: Case):
    """Load ``case`` as its entry point says; returns the model."""
    from lamina.models import load_model

    if case.entry == "load_weights":
        model = small_model(compile=False)
        model.load_weights(case.path)
        return model
    return load_model(case.path)


# ------------------------------------------------------------------ raw zip writing
@dataclasses.dataclass
class Entry:
    name: str
    payload: bytes  # the bytes stored in the archive (compressed or not)
    size: int  # the uncompressed size the entry declares
    crc: int
    method: int = zipfile.ZIP_DEFLATED
    flags: int = 0


def deflated(name: str, data: bytes) -> Entry:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return Entry(name, c.compress(data) + c.flush(), len(data), zlib.crc32(data))


def stored(name: str, data: bytes) -> Entry:
    return Entry(name, data, len(data), zlib.crc32(data), zipfile.ZIP_STORED)


def deflated_zeros(n_mib: int, prefix: bytes = b"") -> tuple[bytes, int, int]:
    """(raw deflate stream, size, crc32) of ``prefix`` then ``n_mib`` MiB of zero bytes."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH) if prefix else b""
    zeros = bytes(MIB)
    block = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(prefix)
    for _ in range(n_mib):
        crc = zlib.crc32(zeros, crc)
    return head + block * n_mib + c.flush(), len(prefix) + n_mib * MIB, crc


def zeros_entry(name: str, n_mib: int, prefix: bytes = b"") -> Entry:
    payload, size, crc = deflated_zeros(n_mib, prefix)
    return Entry(name, payload, size, crc)


def zip_bytes(entries: list[Entry]) -> bytes:
    out, central = bytearray(), bytearray()
    for e in entries:
        name = e.name.encode("utf8")
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, e.flags, e.method, 0, 0x21, e.crc,
                           len(e.payload), e.size, len(name), 0) + name + e.payload
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, e.flags, e.method, 0,
                               0x21, e.crc, len(e.payload), e.size, len(name), 0, 0, 0, 0, 0,
                               offset) + name
    start = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central),
                       start, 0)
    return bytes(out)


def npy_header(shape, dtype) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {
        "descr": np.lib.format.dtype_to_descr(np.dtype(dtype)), "fortran_order": False,
        "shape": tuple(shape)})
    return buffer.getvalue()


def npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


# ------------------------------------------------------------------ base files
def members(tmp) -> dict:
    """The members of a real ``.lamina`` save of the trained small model."""
    path = os.path.join(tmp, "base.lamina")
    if not os.path.exists(path):
        trained_model().save(path)
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def weight_arrays(tmp) -> dict:
    with np.load(io.BytesIO(members(tmp)["model.weights.npz"])) as npz:
        return {k: npz[k] for k in npz.files}


def write_lamina(tmp, name, replace=None, entries=None) -> Case:
    """A .lamina archive: the base members, with ``replace`` (name -> bytes or Entry)."""
    parts = dict(members(tmp))
    parts.update(replace or {})
    entries = entries if entries is not None else [
        v if isinstance(v, Entry) else deflated(k, v) for k, v in parts.items()]
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(zip_bytes(entries))
    return Case(path)


def npz_of(arrays: dict) -> bytes:
    """An uncompressed .npz (as lamina writes) of ``arrays`` (name -> bytes or array)."""
    return zip_bytes([stored(f"{k}.npy", v if isinstance(v, bytes) else npy(v))
                      for k, v in arrays.items()])


def config(tmp) -> dict:
    return json.loads(members(tmp)["config.json"])


def with_weight(tmp, name, key_index, value) -> Case:
    """A .lamina whose weight number ``key_index`` is replaced by ``value`` (.npy bytes)."""
    arrays = weight_arrays(tmp)
    key = sorted(arrays)[key_index]
    arrays[key] = value
    return write_lamina(tmp, name, {"model.weights.npz": npz_of(arrays)})


def with_config(tmp, name, edit) -> Case:
    cfg = config(tmp)
    edit(cfg)
    return write_lamina(tmp, name, {"config.json": json.dumps(cfg).encode()})


def h5_base(tmp, name) -> str:
    path = os.path.join(tmp, name)
    trained_model().save(path)
    return path


def h5_replace_kernel(tmp, name, make) -> str:
    """A lamina .h5 save whose first kernel dataset is replaced by ``make(group, name)``."""
    import h5py

    path = h5_base(tmp, name)
    with h5py.File(path, "a") as f:
        group = f["model_weights"]
        for layer in group.attrs["layer_names"]:
            g = group[_text(layer)]
            if len(g.attrs["weight_names"]):
                break
        weight = _text(g.attrs["weight_names"][0])
        del g[weight]
        make(g, weight)
    return path


def _text(value) -> str:
    return value.decode("utf8") if isinstance(value, bytes) else str(value)
