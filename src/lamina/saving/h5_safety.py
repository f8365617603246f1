"""Reading a stranger's ``.h5`` without following it out of the file or trusting its sizes.

HDF5 can point outside the file in three ways, all refused before a byte of the dataset
is read: external links (a link to an object in another file), external storage (a
dataset whose bytes live in other files, e.g. ``/etc/passwd``) and virtual datasets
(a dataset mapped from datasets of other files). Soft links are refused too (lamina and
Keras never write them), and filters other than HDF5's built-in ones (a filter id makes
HDF5 look for a plugin library). A dataset's shape and dtype are checked by the caller
before :func:`read_dataset` reads it; attributes are read only within a size limit.
"""

from __future__ import annotations

import numpy

MAX_ATTRIBUTE_BYTES = 64 * 1024**2
_BUILTIN_FILTERS = {1: "deflate", 2: "shuffle", 3: "fletcher32", 4: "szip", 5: "nbit",
                    6: "scaleoffset", 32000: "lzf"}


def child(group, path: str, where: str):
    """``group[path]``, one link at a time: only hard links inside the file are followed."""
    import h5py

    node = group
    for part in (p for p in str(path).split("/") if p):
        if not isinstance(node, h5py.Group):
            raise ValueError(f"{where}: {node.name!r} is not a group, so {path!r} does not exist")
        link = node.get(part, getlink=True)
        if link is None:
            raise ValueError(f"{where}: the file refers to {node.name.rstrip('/')}/{part}, "
                             "which does not exist")
        if isinstance(link, h5py.ExternalLink):
            raise ValueError(f"{where}: {node.name.rstrip('/')}/{part} is an external link to "
                             f"{link.filename!r}; refusing to follow a model file into "
                             "another file")
        if isinstance(link, h5py.SoftLink):
            raise ValueError(f"{where}: {node.name.rstrip('/')}/{part} is a soft link (to "
                             f"{link.path!r}); lamina reads hard links only")
        node = node[part]
    return node


def has(group, name: str) -> bool:
    """Whether ``group`` has a link ``name``, without following it (``name in group``
    would open the file an external link points to)."""
    return group.get(name, getlink=True) is not None


def check_dataset(ds, where: str):
    """Refuse ``ds`` unless its bytes are stored inside the file, with built-in filters,
    as plain numbers. Returns it; nothing of its data has been read."""
    import h5py

    if not isinstance(ds, h5py.Dataset):
        raise ValueError(f"{where}: {ds.name!r} is a group, where a weight dataset was expected")
    plist = ds.id.get_create_plist()
    if plist.get_layout() == h5py.h5d.VIRTUAL:
        raise ValueError(f"{where}: dataset {ds.name!r} is a virtual dataset (its data is "
                         "mapped from other files); refusing to read it")
    if plist.get_external_count() > 0:
        files = [plist.get_external(i)[0] for i in range(plist.get_external_count())]
        raise ValueError(f"{where}: dataset {ds.name!r} keeps its data in external files "
                         f"{files}; refusing to read anything outside the model file")
    for i in range(plist.get_nfilters()):
        code = plist.get_filter(i)[0]
        if code not in _BUILTIN_FILTERS:
            raise ValueError(f"{where}: dataset {ds.name!r} uses HDF5 filter {code}, not one "
                             f"of the built-in filters {sorted(_BUILTIN_FILTERS.values())}")
    dtype = ds.dtype
    if (dtype.kind not in "biuf" or dtype.fields is not None or dtype.subdtype is not None
            or dtype.hasobject):
        raise ValueError(f"{where}: dataset {ds.name!r} has dtype {dtype}; weights must be "
                         "plain numbers (bool, int or float), not strings, records, complex "
                         "numbers or objects")
    if ds.size and ds.id.get_storage_size() == 0:
        raise ValueError(f"{where}: dataset {ds.name!r} declares {ds.shape} but was never "
                         "written (it holds no data, only a fill value)")
    return ds


def nbytes(ds) -> int:
    n = 1
    for s in ds.shape or ():
        n *= int(s)
    return n * ds.dtype.itemsize


def read_dataset(ds, where: str) -> numpy.ndarray:
    """The data of a dataset :func:`check_dataset` accepted (its size checked by the caller)."""
    try:
        return numpy.asarray(ds[()])
    except (OSError, ValueError, TypeError) as err:
        raise ValueError(f"{where}: dataset {ds.name!r} cannot be read ({err})") from None


def read_into(ds, var, where: str) -> None:
    """Assign dataset ``ds`` (checked, of ``var``'s shape) to variable ``var``: straight
    into its array when the dtypes agree, so no second copy of the weight is made."""
    out = var.data
    if not (isinstance(out, numpy.ndarray) and out.ndim and out.flags.c_contiguous
            and out.flags.writeable and ds.dtype == out.dtype and ds.shape == out.shape):
        var.assign(read_dataset(ds, where))
        return
    try:
        ds.read_direct(out)
    except (OSError, ValueError, TypeError) as err:
        raise ValueError(f"{where}: dataset {ds.name!r} cannot be read ({err})") from None


class Lazy:
    """A checked dataset that is read only when an array of it is asked for (``set_state``
    copies each slot in turn, so only one is in memory beside the optimizer's own)."""

    def __init__(self, ds, where: str):
        self.ds, self.where, self.shape = ds, where, tuple(ds.shape)

    def __array__(self, dtype=None, copy=None):
        array = read_dataset(self.ds, self.where)
        return array if dtype is None else array.astype(dtype, copy=False)


def attribute(obj, name: str, where: str, required=True):
    """Attribute ``name`` of ``obj`` (None if absent and not required), read only if its
    declared size is within :data:`MAX_ATTRIBUTE_BYTES`; bytes are left as they are."""
    if name not in obj.attrs:
        if required:
            raise ValueError(f"{where}: attribute {name!r} is missing")
        return None
    aid = obj.attrs.get_id(name)
    size = aid.dtype.itemsize
    for s in aid.shape or ():
        size *= int(s)
    if size > MAX_ATTRIBUTE_BYTES:
        raise ValueError(f"{where}: attribute {name!r} declares {size} bytes; refusing to read it")
    try:
        return obj.attrs[name]
    except UnicodeDecodeError as err:
        raise ValueError(f"{where}: attribute {name!r} is not valid UTF-8 ({err})") from None
    except (OSError, TypeError, ValueError) as err:
        raise ValueError(f"{where}: attribute {name!r} cannot be read ({err})") from None


def text(value, where: str, name: str) -> str:
    """An attribute value (str, bytes, or a 0-d string array) as text."""
    if isinstance(value, numpy.ndarray) and value.shape == ():
        value = value[()]
    if isinstance(value, (bytes, numpy.bytes_)):
        try:
            return bytes(value).decode("utf8")
        except UnicodeDecodeError as err:
            raise ValueError(f"{where}: {name} is not valid UTF-8 ({err})") from None
    if isinstance(value, str):
        try:
            value.encode("utf8")  # h5py keeps invalid bytes as surrogates
        except UnicodeEncodeError as err:
            raise ValueError(f"{where}: {name} is not valid UTF-8 ({err})") from None
        return str(value)
    raise ValueError(f"{where}: {name} must be a string; found {type(value).__name__}")


def names(obj, attr: str, where: str) -> list:
    """A list-of-names attribute (``layer_names``, ``weight_names``) as a list of str; a
    list Keras split over HDF5's attribute limit (``attr0``, ``attr1``...) is joined."""
    if attr in obj.attrs:
        parts = [attr]
    else:
        parts, i = [], 0
        while f"{attr}{i}" in obj.attrs:
            parts.append(f"{attr}{i}")
            i += 1
    out = []
    for part in parts:
        value = attribute(obj, part, where)
        values = numpy.atleast_1d(numpy.asarray(value))
        if values.ndim != 1:
            raise ValueError(f"{where}: attribute {part!r} must be a list of names")
        out.extend(text(v, where, f"a name in {attr!r}") for v in values)
    return out
