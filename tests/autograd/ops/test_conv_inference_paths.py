"""The inference-only conv2d paths ('winograd_2x2', 'winograd_4x4', 'pointwise') and the fused
epilogue against the reference (im2col + one product), float64 and float32.

Tolerances (tests/tolerance.py): a path sums the same products in another order. Winograd's
F(m x m, 3x3) sums, for each output, the cells of the transformed tile that the rows of A^T
pick (3 of 4 per axis for m = 2, 5 of 6 for m = 4), each a sum over the C channels of
products of the transformed input (at most ``b`` times the input, b the largest row sum of
|B^T| squared: 4 and 100) and the transformed kernel (``g``, the same for G: 2.25 and 1),
weighted by A^T's coefficients (``a``, the largest squared: 1 and 64). So there are 9C or
25C terms, up to ``b * g * a`` (9 or 6400) times the reference's; F(4x4, 3x3) is checked
closely in float64 only (in float32 its bound is a few percent of the output).
"""

import numpy as np
import pytest

from lamina import parallel
from lamina.autograd.ops import _conv_cpu, _conv_inference, _conv_reference, plans
from lamina.autograd.ops._spatial import output_length, resolve_padding
from tests.tolerance import assert_sums_close

#: path -> (terms per input channel, growth of the terms): see the module docstring
WINOGRAD = {"winograd_2x2": (9, 4 * 2.25 * 1), "winograd_4x4": (25, 100 * 1 * 64)}
CASES = 8
#: standard normals stay below 6, so a product of two below 36
PRODUCT = 36.0


def _case(seed, dtype, ksize, strides=(1, 1)):
    rng = np.random.default_rng(seed)
    n, h, w = int(rng.integers(1, 4)), int(rng.integers(3, 12)), int(rng.integers(3, 12))
    c, o = int(rng.choice([16, 17, 24])), int(rng.choice([1, 3, 8, 17]))
    if ksize == (1, 1):
        c = int(rng.choice([1, 3, 16]))
    padding = ["valid", "same", 1, ((2, 0), (1, 1))][seed % 4] if ksize == (3, 3) else "valid"
    pads = resolve_padding(padding, (h, w), ksize, strides, (1, 1), "test")
    out_hw = tuple(output_length(a, k, s, p, 1, "test", "axis") for a, k, s, p in
                   zip((h, w), ksize, strides, pads))
    x = rng.standard_normal((n, h, w, c)).astype(dtype)
    kernel = rng.standard_normal((*ksize, c, o)).astype(dtype)
    bias = rng.standard_normal(o).astype(dtype)
    return rng, x, kernel, bias, pads, out_hw


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("path", list(WINOGRAD))
@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("seed", range(CASES))
def test_winograd_equals_the_reference(seed, relu, path, dtype):
    _, x, kernel, bias, pads, out_hw = _case(seed, dtype, (3, 3))
    c = kernel.shape[2]
    want = _conv_reference.conv2d_forward(np, x, kernel, bias, pads, (1, 1), (1, 1), out_hw)
    got, xpad = _conv_cpu.conv2d_forward(np, x, kernel, bias, pads, (1, 1), (1, 1), out_hw,
                                         relu=relu, path=path, inference=True)
    assert xpad is None and got.dtype == np.dtype(dtype) and got.shape == want.shape
    terms, growth = WINOGRAD[path]
    assert_sums_close(got, np.maximum(want, 0) if relu else want, terms=terms * c + 1,
                      scale=growth * PRODUCT, dtype=dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("strides", [(1, 1), (2, 2), (2, 1)])
@pytest.mark.parametrize("seed", range(CASES))
def test_pointwise_equals_the_reference(seed, strides, dtype):
    _, x, kernel, bias, pads, out_hw = _case(seed, dtype, (1, 1), strides)
    assert plans.conv2d_inference(x.shape[3], (1, 1), strides, (1, 1), False) == "pointwise"
    want = _conv_reference.conv2d_forward(np, x, kernel, bias, pads, strides, (1, 1), out_hw)
    got, _ = _conv_cpu.conv2d_forward(np, x, kernel, bias, pads, strides, (1, 1), out_hw,
                                      inference=True)
    assert_sums_close(got, want, terms=x.shape[3] + 1, scale=PRODUCT, dtype=dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("path", plans.CONV_FORWARD + plans.CONV_INFERENCE)
@pytest.mark.parametrize("seed", range(4))
def test_the_epilogue_is_scale_shift_residual_relu(seed, path, dtype):
    """``relu(scale * (conv + bias) + shift + residual)`` on every path."""
    ksize = (1, 1) if path == "pointwise" else (3, 3)
    rng, x, kernel, bias, pads, out_hw = _case(seed, dtype, ksize)
    o = kernel.shape[3]
    scale = rng.uniform(0.5, 2.0, o).astype(dtype)
    shift = rng.standard_normal(o).astype(dtype)
    residual = rng.standard_normal((x.shape[0], *out_hw, o)).astype(dtype)
    conv = _conv_reference.conv2d_forward(np, x, kernel, bias, pads, (1, 1), (1, 1), out_hw)
    want = np.maximum(conv * scale + shift + residual, 0)
    got, _ = _conv_cpu.conv2d_forward(np, x, kernel, bias, pads, (1, 1), (1, 1), out_hw,
                                      relu=True, path=path, inference=True, scale=scale,
                                      shift=shift, residual=residual)
    c = kernel.shape[2]
    terms, growth = WINOGRAD.get(path, (9, 1))
    assert_sums_close(got, want, terms=terms * c + 3, scale=2 * growth * PRODUCT, dtype=dtype)


def test_the_inference_plan_depends_on_the_shape_only():
    big, small = (plans.WINOGRAD_4X4_FROM,) * 2, (plans.WINOGRAD_4X4_FROM - 1,) * 2
    assert plans.conv2d_inference(64, (3, 3), (1, 1), (1, 1), True, big) == "winograd_4x4"
    assert plans.conv2d_inference(64, (3, 3), (1, 1), (1, 1), True, small) == "winograd_2x2"
    assert plans.conv2d_inference(3, (3, 3), (1, 1), (1, 1), True) == "column_chunks"
    assert plans.conv2d_inference(1, (3, 3), (1, 1), (1, 1), True) == "transposed_columns"
    assert plans.conv2d_inference(1, (7, 7), (2, 2), (1, 1), True) == "transposed_columns"
    assert plans.conv2d_inference(64, (3, 3), (2, 2), (1, 1), True) == "column_chunks"
    assert plans.conv2d_inference(64, (3, 3), (1, 1), (2, 2), True) == "column_chunks"
    assert plans.conv2d_inference(64, (1, 1), (2, 2), (1, 1), False) == "pointwise"
    assert plans.conv2d_inference(64, (1, 1), (1, 1), (1, 1), True) == "column_chunks"
    assert plans.conv2d_inference(3, (7, 7), (2, 2), (1, 1), False) == "column_chunks"
    # ResNet50's last stage at batch 8: 392 output pixels, one product; 14x14 stays Winograd
    assert plans.conv2d_inference(512, (3, 3), (1, 1), (1, 1), True, (7, 7), 8) == "one_product"
    assert plans.conv2d_inference(2048, (1, 1), (1, 1), (1, 1), False, (7, 7), 8) == \
        "one_product"
    assert plans.conv2d_inference(256, (3, 3), (1, 1), (1, 1), True, (14, 14), 8) == \
        "winograd_2x2"
    assert plans.conv2d_inference(1024, (1, 1), (1, 1), (1, 1), False, (14, 14), 8) == \
        "pointwise"


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("ksize, strides", [((3, 3), (1, 1)), ((3, 3), (2, 1)), ((1, 1), (2, 2)),
                                            ((1, 1), (1, 1))])
@pytest.mark.parametrize("seed", range(4))
def test_one_product_equals_the_reference(seed, ksize, strides, dtype):
    _, x, kernel, bias, pads, out_hw = _case(seed, dtype, ksize, strides)
    want = _conv_reference.conv2d_forward(np, x, kernel, bias, pads, strides, (1, 1), out_hw)
    got, _ = _conv_cpu.conv2d_forward(np, x, kernel, bias, pads, strides, (1, 1), out_hw,
                                      relu=True, path="one_product", inference=True)
    terms = ksize[0] * ksize[1] * kernel.shape[2] + 1
    assert_sums_close(got, np.maximum(want, 0), terms=terms, scale=PRODUCT, dtype=dtype)


@pytest.mark.parametrize("threads", [1, 2])
def test_one_product_cut_over_threads_equals_the_reference(threads, monkeypatch):
    """A product big enough for lamina.parallel.matmul to cut (by rows or by filters); a spy
    on its plan shows the cut the product took."""
    plans_taken = {}
    plan_matmul = parallel.plan_matmul

    def spy(m, k, n, count):
        plans_taken[m, k, n] = plan = plan_matmul(m, k, n, count)
        return plan

    rng = np.random.default_rng(threads)
    x = rng.standard_normal((2, 7, 7, 64)).astype("float32")
    # fewer filters than rows (cut by rows), more (cut by filters)
    for o, cut in ((48, "rows"), (160, "columns")):
        kernel = rng.standard_normal((3, 3, 64, o)).astype("float32")
        pads = ((1, 1), (1, 1))
        want = _conv_reference.conv2d_forward(np, x, kernel, None, pads, (1, 1), (1, 1), (7, 7))
        before = parallel.num_threads()
        parallel.set_num_threads(threads)
        try:
            with monkeypatch.context() as patch:
                patch.setattr(parallel, "plan_matmul", spy)
                got, _ = _conv_cpu.conv2d_forward(np, x, kernel, None, pads, (1, 1), (1, 1),
                                                  (7, 7), path="one_product", inference=True)
        finally:
            parallel.set_num_threads(before)
        assert plans_taken[2 * 7 * 7, 9 * 64, o] == (cut if threads == 2 else "whole")
        assert_sums_close(got, want, terms=9 * 64, scale=PRODUCT, dtype="float32")


@pytest.mark.parametrize("path", list(WINOGRAD))
@pytest.mark.parametrize("seed", range(4))
def test_winograd_in_small_chunks_equals_the_reference(seed, path, monkeypatch):
    """Chunks of one tile row (several per image, odd sizes cropped) put every block in place;
    a spy on the chunking shows that each chunk was one tile row of one image."""
    monkeypatch.setattr(plans, "WINOGRAD_BYTES", 1)
    monkeypatch.setattr(plans, "WINOGRAD_TILES", 1)
    chunks = []
    cut = _conv_inference._chunks

    def spy(*args):
        chunks.extend(found := cut(*args))
        return found

    monkeypatch.setattr(_conv_inference, "_chunks", spy)
    _, x, kernel, bias, pads, out_hw = _case(seed, "float64", (3, 3))
    want = _conv_reference.conv2d_forward(np, x, kernel, bias, pads, (1, 1), (1, 1), out_hw)
    got, _ = _conv_cpu.conv2d_forward(np, x, kernel, bias, pads, (1, 1), (1, 1), out_hw,
                                      path=path, inference=True)
    tile_rows = -(-out_hw[0] // int(path[-1]))
    assert all(n1 - n0 == 1 and h1 - h0 == 1 for n0, n1, h0, h1 in chunks), chunks
    assert len(chunks) == x.shape[0] * tile_rows
    terms, growth = WINOGRAD[path]
    assert_sums_close(got, want, terms=terms * kernel.shape[2] + 1, scale=growth * PRODUCT,
                      dtype="float64")
