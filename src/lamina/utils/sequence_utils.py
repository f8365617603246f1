"""``pad_sequences``: lists of token ids of different lengths as one rectangular array."""

from __future__ import annotations

import numpy

from lamina._checks import is_int

__all__ = ["pad_sequences"]


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0):
    """Pad (or cut) every sequence to ``maxlen`` (default: the longest), as Keras does.

    Args:
        sequences: a list of sequences (lists or arrays; entries may themselves be arrays).
        padding / truncating: ``'pre'`` (at the start, Keras's default) or ``'post'``.
        value: the padding value.

    >>> pad_sequences([[1, 2], [3]], maxlen=3)
    array([[0, 1, 2],
           [0, 0, 3]], dtype=int32)
    """
    for name, side in (("padding", padding), ("truncating", truncating)):
        if side not in ("pre", "post"):
            raise ValueError(f"pad_sequences: {name} must be 'pre' or 'post'; received "
                             f"{name}={side!r}")
    if maxlen is not None and (not is_int(maxlen) or maxlen < 0):
        raise ValueError(f"pad_sequences: maxlen must be None or a non-negative int; received "
                         f"maxlen={maxlen!r}")
    rows = [numpy.asarray(s) for s in sequences]
    lengths = [len(r) for r in rows]
    maxlen = max(lengths, default=0) if maxlen is None else maxlen
    tail = next((r.shape[1:] for r in rows if len(r)), ())
    out = numpy.full((len(rows), maxlen) + tail, value, dtype=dtype)
    for i, r in enumerate(rows):
        if not len(r) or not maxlen:
            continue
        r = r[-maxlen:] if truncating == "pre" else r[:maxlen]
        if r.shape[1:] != tail:
            raise ValueError(f"pad_sequences: sequence {i} has entries of shape {r.shape[1:]}; "
                             f"expected {tail} like the others")
        if padding == "post":
            out[i, :len(r)] = r
        else:
            out[i, maxlen - len(r):] = r
    return out
