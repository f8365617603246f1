"""Argument checks and size arithmetic shared by convolution and pooling.

The output length of a window op is the lecture formula (seed 004)

    out = floor((in + p_before + p_after - k_eff) / s) + 1,   k_eff = (k - 1) * d + 1

``'valid'`` pads nothing; ``'same'`` pads so that ``out = ceil(in / s)``, putting the
odd pixel after (as Keras/TensorFlow do); explicit padding is an int, one int per
spatial axis, or one ``(before, after)`` pair per spatial axis.
"""

from __future__ import annotations

import math

from lamina._checks import is_int


def normalize_tuple(value, n: int, name: str, where: str, minimum: int = 1) -> tuple:
    """``value`` (an int or ``n`` ints, NumPy ints too) as a tuple of ``n`` Python ints, each
    ``>= minimum``; a ValueError naming ``where`` and the argument otherwise. The one check of
    window arguments (kernel and pool sizes, strides, dilations) for layers and ops."""
    items = (value,) * n if is_int(value) else value
    ok = isinstance(items, (tuple, list)) and len(items) == n and all(
        is_int(v) and v >= minimum for v in items)
    if not ok:
        kind = {1: "positive", 0: "non-negative"}.get(minimum, f">= {minimum}")
        raise ValueError(f"{where}: the `{name}` argument must be a {kind} integer or a tuple "
                         f"of {n} {kind} integers; received {name}={value!r}")
    return tuple(int(v) for v in items)


def check_strides_and_dilation(strides: tuple, dilation: tuple, where: str) -> None:
    """Keras refuses strides > 1 together with a dilation > 1 (for layers and ops alike)."""
    if max(strides) > 1 and max(dilation) > 1:
        raise ValueError(f"{where}: `strides > 1` cannot be combined with `dilation_rate > 1` "
                         f"(as in Keras); received strides={strides}, dilation_rate={dilation}")


def expect_ndim(x, ndim: int, op: str, layout: str) -> None:
    """Raise a ValueError unless ``x`` has ``ndim`` axes (``layout`` names them: 'N, H, W, C')."""
    if x.ndim != ndim:
        raise ValueError(
            f"{op}: expected a {ndim}-D input ({layout}); received shape {tuple(x.shape)}"
        )


def resolve_padding(padding, in_sizes, kernel_sizes, strides, dilations, op: str) -> tuple:
    """Padding as one ``(before, after)`` pair per spatial axis."""
    n = len(in_sizes)
    if isinstance(padding, str):
        mode = padding.lower()
        if mode == "valid":
            return ((0, 0),) * n
        if mode == "same":
            pads = []
            for size, k, s, d in zip(in_sizes, kernel_sizes, strides, dilations):
                k_eff = (k - 1) * d + 1
                out = math.ceil(size / s)
                total = max((out - 1) * s + k_eff - size, 0)
                pads.append((total // 2, total - total // 2))
            return tuple(pads)
        raise ValueError(
            f"{op}: padding must be 'valid', 'same', an int, or per-axis ints or (before, after) "
            f"pairs; received padding={padding!r}"
        )
    if isinstance(padding, int) and not isinstance(padding, bool) and padding >= 0:
        return ((padding, padding),) * n
    if isinstance(padding, (tuple, list)) and len(padding) == n:
        pairs = []
        for p in padding:
            if isinstance(p, int) and not isinstance(p, bool) and p >= 0:
                pairs.append((p, p))
            elif (isinstance(p, (tuple, list)) and len(p) == 2
                  and all(isinstance(v, int) and v >= 0 for v in p)):
                pairs.append((int(p[0]), int(p[1])))
            else:
                break
        else:
            return tuple(pairs)
    raise ValueError(
        f"{op}: padding must be 'valid', 'same', a non-negative int, or {n} ints or {n} "
        f"(before, after) pairs; received padding={padding!r}"
    )


def output_length(size: int, k: int, s: int, pad: tuple, d: int, op: str, axis: str) -> int:
    """Output length along one axis; a ValueError when the (dilated) window does not fit."""
    k_eff = (k - 1) * d + 1
    padded = size + pad[0] + pad[1]
    if k_eff > padded:
        raise ValueError(
            f"{op}: the window ({k_eff} along {axis}, kernel {k} with dilation {d}) is larger "
            f"than the padded input ({padded} = {size} + padding {pad}); use padding='same' "
            "or a smaller kernel"
        )
    return (padded - k_eff) // s + 1


def window_output_length(size, k: int, stride: int, padding: str, dilation: int = 1):
    """Output length of a convolution or pooling window along one axis for a padding mode,
    as the layers infer shapes (a ``None`` size stays None); the ops use :func:`output_length`
    with the resolved padding, which gives the same number."""
    if size is None:
        return None
    if padding in ("same", "causal"):
        return (size - 1) // stride + 1
    return (size - ((k - 1) * dilation + 1)) // stride + 1


def transpose_crop(op: str, padding: str, size: int, k_eff: int, stride: int,
                   output_padding) -> tuple:
    """(crop before, output length) of a transposed convolution along one axis, exactly where
    Keras places its output on the full ``(size - 1) * stride + k_eff`` grid."""
    if output_padding is None:
        length = size * stride if padding == "same" else size * stride + max(k_eff - stride, 0)
    else:
        pad = k_eff // 2 if padding == "same" else 0
        length = (size - 1) * stride + k_eff - 2 * pad + output_padding
    if padding == "valid":
        before = 0
    elif output_padding is None:
        before = max((k_eff - stride) // 2, 0)
    else:
        before = max((k_eff - k_eff % 2 - output_padding) // 2, 0)
    if length < 1:
        raise ValueError(f"{op}: the output would be empty (length {length}) for input length "
                         f"{size}, kernel {k_eff}, stride {stride} and "
                         f"output_padding={output_padding}")
    return before, length


def transpose_output_length(size, k: int, stride: int, padding: str, output_padding,
                            dilation: int = 1):
    """Output length of a transposed convolution along one axis (a ``None`` size stays None)."""
    if size is None:
        return None
    k_eff = (k - 1) * dilation + 1
    return transpose_crop("conv_transpose", padding, size, k_eff, stride, output_padding)[1]
