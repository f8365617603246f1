"""The hostile files of issue 14, sections 1 (files outside the file), 2 (memory bombs) and
6 (unclear errors): ``CASES[name] = (section, builder)``; ``builder(tmp) -> Case``.

Every bomb declares at least 1 GiB once decompressed or filled, in a file of a few MB at
most, so a loader that trusts declared sizes goes far past the 300 MB limit.
"""

from __future__ import annotations

import json
import os

import numpy as np

from tests.saving.hostile import (
    Case,
    Entry,
    deflated,
    deflated_zeros,
    h5_base,
    h5_replace_kernel,
    members,
    npy,
    npy_header,
    stored,
    weight_arrays,
    with_config,
    with_weight,
    write_lamina,
    zeros_entry,
    zip_bytes,
)

KERNEL = (3, 4)  # the first kernel of hostile.small_model


def _secret(tmp) -> str:
    """A file outside the model file (stands for /etc/passwd): 12 float32 of 7.0."""
    path = os.path.join(tmp, "secret.bin")
    np.full(KERNEL, 7.0, dtype="float32").tofile(path)
    return path


def _external_storage(g, name, tmp):
    g.create_dataset(name, shape=KERNEL, dtype="float32", external=[(_secret(tmp), 0, 48)])


def _external_link(g, name, tmp):
    import h5py

    other = os.path.join(tmp, "other.h5")
    with h5py.File(other, "w") as f:
        f["kernel"] = np.full(KERNEL, 7.0, dtype="float32")
    g[name] = h5py.ExternalLink(other, "/kernel")


def _virtual(g, name, tmp):
    import h5py

    other = os.path.join(tmp, "source.h5")
    with h5py.File(other, "w") as f:
        f["kernel"] = np.full(KERNEL, 7.0, dtype="float32")
    layout = h5py.VirtualLayout(shape=KERNEL, dtype="float32")
    layout[:] = h5py.VirtualSource(other, "kernel", shape=KERNEL)
    g.create_virtual_dataset(name, layout)


def _outside(make, entry):
    def build(tmp):
        path = h5_replace_kernel(tmp, f"{make.__name__}-{entry}.h5",
                                 lambda g, n: make(g, n, tmp))
        return Case(path, entry)
    return build


# ------------------------------------------------------------------------- bombs
def deflate_bomb(tmp):
    """model.weights.npz declares 1 GiB of zeros, in 1 MB."""
    return write_lamina(tmp, "deflate-bomb.lamina",
                        {"model.weights.npz": zeros_entry("model.weights.npz", 1024)})


def eight_members(tmp):
    """Eight members named model.weights.npz, 256 MiB each once decompressed."""
    base = members(tmp)
    payload, size, crc = deflated_zeros(256)
    entries = [deflated(n, base[n]) for n in ("metadata.json", "config.json")]
    entries += [Entry("model.weights.npz", payload, size, crc) for _ in range(8)]
    path = os.path.join(tmp, "eight-members.lamina")
    with open(path, "wb") as f:
        f.write(zip_bytes(entries))
    return Case(path)


def npz_compressed_array(tmp):
    """The first weight is a deflated .npy declaring 2**27 float64 (1 GiB) of zeros."""
    arrays = weight_arrays(tmp)
    entries = [stored(f"{k}.npy", npy(v)) for k, v in sorted(arrays.items())]
    entries[0] = zeros_entry(entries[0].name, 1024, npy_header((2**27,), "float64"))
    return write_lamina(tmp, "npz-compressed.lamina",
                        {"model.weights.npz": zip_bytes(entries)})


def h5_fill_value(tmp):
    """A kernel dataset of 2**28 float32 never written: HDF5 returns its fill value."""
    path = h5_replace_kernel(tmp, "fill.h5", lambda g, n: g.create_dataset(
        n, shape=(2**28,), dtype="float32", fillvalue=1.0))
    return Case(path)


def gzip_zeros_dataset(g, n):
    """Dataset ``n`` of ``g``: gzip, 2**28 float32 zeros (1 GiB), written as raw chunks."""
    import zlib

    chunk = 2**20
    block = zlib.compress(bytes(4 * chunk), 9)
    d = g.create_dataset(n, shape=(2**28,), dtype="float32", chunks=(chunk,),
                         compression="gzip")
    for i in range(2**28 // chunk):
        d.id.write_direct_chunk((i * chunk,), block)


def h5_gzip(tmp):
    """A gzip kernel dataset of 2**28 float32 zeros (1 GiB), written as raw chunks."""
    return Case(h5_replace_kernel(tmp, "gzip.h5", gzip_zeros_dataset))


def units_2_26(tmp):
    """The last Dense declares units=2**26: a kernel of 4 * 2**26 float32 (1 GiB)."""
    def edit(cfg):
        cfg["model"]["config"]["layers"][-1]["config"]["units"] = 2**26
    return with_config(tmp, "units.lamina", edit)


BOMBS = {"deflate-bomb": deflate_bomb, "eight-members": eight_members,
         "npz-compressed-array": npz_compressed_array, "h5-fill-value": h5_fill_value,
         "h5-gzip": h5_gzip, "units-2**26": units_2_26}


# --------------------------------------------------------------- unclear errors
def huge_npy_header(tmp):
    return with_weight(tmp, "huge-header.lamina", 0, npy_header((2**40,), "float32"))


def fifo(suffix, entry="load_model"):
    def build(tmp):
        path = os.path.join(tmp, f"fifo{suffix}")
        os.mkfifo(path)
        return Case(path, entry)
    return build


def device(tmp):
    path = os.path.join(tmp, "zero.lamina")
    os.symlink("/dev/zero", path)
    return Case(path)


def corrupt_deflate(tmp):
    base = members(tmp)
    entry = deflated("model.weights.npz", base["model.weights.npz"])
    # the first deflate block declares the reserved block type 3 (BFINAL=1, BTYPE=11): no
    # decompressor can read past it, whatever the weights' bytes (garbage further in could
    # instead inflate to wrong bytes that only the CRC check catches)
    entry.payload = b"\x07" + entry.payload[1:]
    return write_lamina(tmp, "corrupt-deflate.lamina", {"model.weights.npz": entry})


def unknown_method(tmp):
    entry = deflated("model.weights.npz", members(tmp)["model.weights.npz"])
    entry.method = 99
    return write_lamina(tmp, "method.lamina", {"model.weights.npz": entry})


def encrypted(tmp):
    entry = deflated("model.weights.npz", members(tmp)["model.weights.npz"])
    entry.flags |= 0x1
    return write_lamina(tmp, "encrypted.lamina", {"model.weights.npz": entry})


def deep_json(tmp):
    return write_lamina(tmp, "deep.lamina",
                        {"config.json": b"[" * 100_000 + b"]" * 100_000})


def h5_bad_utf8(tmp):
    import h5py

    path = h5_base(tmp, "utf8.h5")
    with h5py.File(path, "a") as f:
        del f.attrs["model_config"]
        f.attrs.create("model_config", b'{"class_name": "\xff\xfe"}',
                       dtype=h5py.string_dtype("utf-8"))
    return Case(path)


def format_version_abc(tmp):
    meta = json.loads(members(tmp)["metadata.json"])
    meta["format_version"] = "abc"
    return write_lamina(tmp, "version.lamina", {"metadata.json": json.dumps(meta).encode()})


def metadata_list(tmp):
    return write_lamina(tmp, "meta-list.lamina", {"metadata.json": b"[1, 2]"})


def class_name(name):
    def build(tmp):
        def edit(cfg):
            cfg["model"]["config"]["layers"][-1]["class_name"] = name
        return with_config(tmp, f"class-{name.strip('_')}.lamina", edit)
    return build


def string_weights(tmp):
    return with_weight(tmp, "string.lamina", 0, npy(np.array(["abcd"] * 12).reshape(KERNEL)))


def structured_weights(tmp):
    value = np.zeros(KERNEL, dtype=[("a", "f4"), ("b", "i4")])
    return with_weight(tmp, "structured.lamina", 0, npy(value))


def complex_weights(tmp):
    return with_weight(tmp, "complex.lamina", 0, npy(np.ones(KERNEL, dtype="complex64")))


def h5_complex(tmp):
    return Case(h5_replace_kernel(tmp, "complex.h5", lambda g, n: g.create_dataset(
        n, data=np.ones(KERNEL, dtype="complex64"))), "load_weights")


def h5_strings(tmp):
    return Case(h5_replace_kernel(tmp, "strings.h5", lambda g, n: g.create_dataset(
        n, data=np.array([[b"abcd"] * 4] * 3))), "load_weights")


def h5_missing_dataset(tmp):
    return Case(h5_replace_kernel(tmp, "missing.h5", lambda g, n: None))


def duplicate_entries(tmp):
    base = members(tmp)
    entries = [deflated(n, v) for n, v in base.items()]
    entries.append(deflated("config.json", b'{"model": {}}'))
    path = os.path.join(tmp, "duplicate.lamina")
    with open(path, "wb") as f:
        f.write(zip_bytes(entries))
    return Case(path)


def duplicate_npz_entries(tmp):
    arrays = weight_arrays(tmp)
    entries = [stored(f"{k}.npy", npy(v)) for k, v in sorted(arrays.items())]
    entries.append(stored(entries[0].name, npy(np.full(KERNEL, 7.0, dtype="float32"))))
    return write_lamina(tmp, "duplicate-npz.lamina", {"model.weights.npz": zip_bytes(entries)})


UNCLEAR = {
    "huge-npy-header": huge_npy_header,
    "fifo.lamina": fifo(".lamina"), "fifo.h5": fifo(".h5"),
    "fifo.weights.npz": fifo(".weights.npz", "load_weights"), "device-file": device,
    "corrupt-deflate": corrupt_deflate, "unknown-method": unknown_method,
    "encrypted-member": encrypted, "json-too-deep": deep_json, "h5-invalid-utf8": h5_bad_utf8,
    "format-version-abc": format_version_abc, "metadata-list": metadata_list,
    "class-__class__": class_name("__class__"), "class-Layer": class_name("Layer"),
    "class-InputSpec": class_name("InputSpec"), "string-dtype": string_weights,
    "structured-dtype": structured_weights, "complex-weights": complex_weights,
    "h5-complex-weights": h5_complex, "h5-string-dtype": h5_strings,
    "h5-missing-dataset": h5_missing_dataset, "duplicate-zip-entries": duplicate_entries,
    "duplicate-npz-entries": duplicate_npz_entries,
}

OUTSIDE = {f"h5-{make.__name__.strip('_').replace('_', '-')}-{entry}": _outside(make, entry)
           for make in (_external_storage, _external_link, _virtual)
           for entry in ("load_model", "load_weights")}

CASES = {**{k: ("1", v) for k, v in OUTSIDE.items()}, **{k: ("2", v) for k, v in BOMBS.items()},
         **{k: ("6", v) for k, v in UNCLEAR.items()}}
