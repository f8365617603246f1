"""The numba kernels of the Winograd transforms against the NumPy path: the same bits."""

import numpy as np
import pytest

from lamina import accel
from lamina.autograd.ops import _conv_cpu, plans

WINOGRAD = "lamina.autograd.ops._winograd_kernels"

pytest.importorskip("numba")

CASES = [  # (n, h, w, c, o, pads)
    (2, 8, 8, 16, 5, ((1, 1), (1, 1))),   # whole tiles (of 2 and of 4)
    (3, 9, 7, 17, 8, ((1, 1), (1, 1))),   # odd sizes: the last tiles cropped
    (1, 6, 5, 16, 3, ((0, 0), (0, 0))),   # 'valid'
    (2, 14, 14, 16, 4, ((1, 1), (1, 1))),  # the small ResNet's maps: 4x4 blocks clipped
    (2, 7, 7, 16, 4, ((1, 1), (1, 1))),    # by 2 and by 1 cells
]


def _forward(x, kernel, bias, pads, numba, path="winograd_2x2"):
    out_hw = tuple(a + sum(p) - 2 for a, p in zip(x.shape[1:3], pads))
    with accel.using(numba):
        out, _ = _conv_cpu.conv2d_forward(np, x, kernel, bias, pads, (1, 1), (1, 1), out_hw,
                                          relu=True, path=path, inference=True)
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("path", ["winograd_2x2", "winograd_4x4"])
@pytest.mark.parametrize("case", CASES)
def test_same_bits_as_numpy(case, path, dtype, monkeypatch):
    monkeypatch.setattr(plans, "WINOGRAD_TILES", 2)  # several chunks per image
    monkeypatch.setattr(plans, "WINOGRAD_BYTES", 1)
    n, h, w, c, o, pads = case
    rng = np.random.default_rng(c + o)
    x = rng.standard_normal((n, h, w, c)).astype(dtype)
    kernel = rng.standard_normal((3, 3, c, o)).astype(dtype)
    bias = rng.standard_normal(o).astype(dtype)
    compiled = _forward(x, kernel, bias, pads, True, path)
    assert WINOGRAD in accel.loaded()
    expected = _forward(x, kernel, bias, pads, False, path)
    assert compiled.tobytes() == expected.tobytes()


def test_a_kernel_that_fails_to_compile_hands_over_to_numpy(monkeypatch):
    from numba.core.errors import TypingError

    from lamina.autograd.ops import _winograd_kernels

    def broken(*args):
        raise TypingError("cannot compile on this machine")

    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 6, 6, 16)).astype(np.float32)
    kernel = rng.standard_normal((3, 3, 16, 4)).astype(np.float32)
    expected = _forward(x, kernel, None, ((1, 1), (1, 1)), False)
    monkeypatch.setattr(_winograd_kernels, "input_2x2", broken)
    monkeypatch.setitem(accel._modules, WINOGRAD, _winograd_kernels)
    with pytest.warns(RuntimeWarning, match="failed to compile .*NumPy path"):
        out = _forward(x, kernel, None, ((1, 1), (1, 1)), True)
    assert accel._modules[WINOGRAD] is None
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("size", [2, 4])
def test_output_blocks_clipped_to_the_map_write_nothing_beyond_it(size):
    """The output kernels write the blocks' cells inside ``dest`` and no others: ``dest`` is
    a view of a larger array whose other cells keep their sentinel."""
    from lamina.autograd.ops import _winograd_kernels as kernels
    from lamina.autograd.ops._conv_inference import TRANSFORMS, _combine

    t, nn, hh, tw, o = size + 2, 2, 3, 3, 5
    rng = np.random.default_rng(size)
    m = rng.standard_normal((t, t, nn * hh * tw, o)).astype(np.float32)
    whole = np.empty((nn, size * hh, size * tw, o), dtype=np.float32)
    at = TRANSFORMS[size][2]
    rows = np.empty((size, t, nn * hh * tw, o), dtype=np.float32)
    scratch = np.empty(t * nn * hh * tw * o, dtype=np.float32)
    _combine(np, at, list(m), list(rows), scratch.reshape(t, -1, o))
    y = whole.reshape(nn, hh, size, tw, size, o).transpose(2, 4, 0, 1, 3, 5)
    _combine(np, at, [rows[:, b].reshape(size, nn, hh, tw, o) for b in range(t)],
             [y[:, j] for j in range(size)], scratch[:size * nn * hh * tw * o].reshape(
                 size, nn, hh, tw, o))
    consts = () if size == 2 else kernels.constants(np.float32, 4)[1:]
    for height, width in [(size * hh, size * tw), (size * hh - 1, size * tw - size + 1),
                          (size * (hh - 1) + 1, size * tw - 1)]:
        big = np.full((nn, size * hh + 1, size * tw + 1, o), 7.0, dtype=np.float32)
        dest = big[:, :height, :width]
        getattr(kernels, f"output_{size}x{size}")(m, nn, hh, tw, dest, *consts)
        assert dest.tobytes() == np.ascontiguousarray(whole[:, :height, :width]).tobytes()
        outside = np.ones(big.shape, dtype=bool)
        outside[:, :height, :width] = False
        assert (big[outside] == 7.0).all()


def test_an_output_kernel_that_fails_on_a_clipped_map_hands_over_to_numpy(monkeypatch):
    """A 14x14 map (not a multiple of 4): the NumPy path's whole blocks and copy take over."""
    from numba.core.errors import TypingError

    from lamina.autograd.ops import _winograd_kernels

    def broken(*args):
        raise TypingError("cannot compile on this machine")

    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 14, 14, 16)).astype(np.float32)
    kernel = rng.standard_normal((3, 3, 16, 4)).astype(np.float32)
    expected = _forward(x, kernel, None, ((1, 1), (1, 1)), False, "winograd_4x4")
    monkeypatch.setattr(_winograd_kernels, "output_4x4", broken)
    monkeypatch.setitem(accel._modules, WINOGRAD, _winograd_kernels)
    with pytest.warns(RuntimeWarning, match="failed to compile .*NumPy path"):
        out = _forward(x, kernel, None, ((1, 1), (1, 1)), True, "winograd_4x4")
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", [2, 4])
@pytest.mark.parametrize("shape,top,left", [((2, 14, 14, 9), 1, 1), ((1, 7, 5, 8), 2, 0),
                                            ((2, 6, 9, 3), 0, 2), ((1, 16, 8, 4), 0, 0)])
def test_the_padded_input_kernels_read_zeros_as_the_padded_array_holds_them(
        shape, top, left, size, dtype):
    """input_MxM_padded on the input itself against input_MxM on the input padded onto the
    tiles' grid (zeros before by top/left, after up to the grid): the same bits."""
    from lamina.autograd.ops import _winograd_kernels as kernels
    from lamina.autograd.ops._conv_cpu_kernels import pad_input

    n, h, w, c = shape
    th, tw = -(-(h + top - 2 + 1) // size), -(-(w + left - 2 + 1) // size)
    grid = (size * th + 2, size * tw + 2)
    x = rng_padded.standard_normal(shape).astype(dtype)
    xpad = pad_input(np, x, ((top, 0), (left, 0)), shape=grid)
    consts = () if size == 2 else kernels.constants(dtype, 4)[:1]
    t = size + 2
    for n0, nn, h0, hh in [(0, n, 0, th), (n - 1, 1, th - 1, 1)]:
        v0 = np.full((t, t, nn * hh * tw, c), 7.0, dtype=dtype)
        v1 = v0.copy()
        getattr(kernels, f"input_{size}x{size}")(xpad, n0, h0, nn, hh, tw, v0, *consts)
        getattr(kernels, f"input_{size}x{size}_padded")(x, top, left, n0, h0, nn, hh, tw, v1,
                                                        *consts)
        assert v1.tobytes() == v0.tobytes()


rng_padded = np.random.default_rng(11)


@pytest.mark.parametrize("chunk", [None, 1])
@pytest.mark.parametrize("numba", [True, False])
@pytest.mark.parametrize("size", [2, 4])
def test_winograd_forward_of_the_unpadded_input_is_that_of_the_padded_one(size, numba, chunk,
                                                                          monkeypatch):
    """winograd_forward(pads=(top, left)) on the input (the numba kernels read the padding,
    the NumPy path writes it) against winograd_forward on the padded input: the same bits,
    in one chunk and in chunks of one row of tiles."""
    if chunk is not None:
        monkeypatch.setattr(plans, "WINOGRAD_TILES", chunk)
        monkeypatch.setattr(plans, "WINOGRAD_BYTES", chunk)
    from lamina.autograd.ops._conv_cpu_kernels import pad_input
    from lamina.autograd.ops._conv_inference import winograd_forward, winograd_kernel

    x = rng_padded.standard_normal((3, 14, 13, 16)).astype(np.float32)
    u = winograd_kernel(np, rng_padded.standard_normal((3, 3, 16, 5)).astype(np.float32), size)
    for top, left in [(1, 1), (2, 0), (0, 2)]:
        out_hw = (14 + top - 2 + 1, 13 + left - 2 + 1)  # one zero row / column after
        with accel.using(numba):
            a = winograd_forward(np, pad_input(np, x, ((top, 1), (left, 1))), u,
                                 np.empty((3, *out_hw, 5), np.float32), size)
            b = winograd_forward(np, x[:, :, ::-1][:, :, ::-1], u,  # not contiguous
                                 np.empty((3, *out_hw, 5), np.float32), size, pads=(top, left))
        assert a.tobytes() == b.tobytes()


def test_a_padded_input_kernel_that_fails_to_compile_hands_over_to_numpy(monkeypatch):
    from numba.core.errors import TypingError

    from lamina.autograd.ops import _winograd_kernels
    from lamina.autograd.ops._conv_inference import winograd_forward, winograd_kernel

    def broken(*args):
        raise TypingError("cannot compile on this machine")

    x = rng_padded.standard_normal((2, 7, 7, 16)).astype(np.float32)
    u = winograd_kernel(np, rng_padded.standard_normal((3, 3, 16, 4)).astype(np.float32), 4)
    with accel.using(False):
        expected = winograd_forward(np, x, u, np.empty((2, 7, 7, 4), np.float32), 4,
                                    pads=(1, 1))
    monkeypatch.setattr(_winograd_kernels, "input_4x4_padded", broken)
    monkeypatch.setitem(accel._modules, WINOGRAD, _winograd_kernels)
    with accel.using(True), pytest.warns(RuntimeWarning, match="failed to compile"):
        out = winograd_forward(np, x, u, np.empty((2, 7, 7, 4), np.float32), 4, pads=(1, 1))
    np.testing.assert_array_equal(out, expected)
