import math

import numpy as np
import pytest
from scipy.signal import correlate2d

from lamina import Tensor
from lamina.autograd import ops
from lamina.autograd.ops import _conv_cpu_kernels, plans
from tests.gradcheck import check_grad

rng = np.random.default_rng(7)


def _pads(n, k_eff, s, padding):
    """(before, after) for one axis, written out independently of _spatial.py."""
    if padding == "valid":
        return 0, 0
    if padding == "same":
        total = max((math.ceil(n / s) - 1) * s + k_eff - n, 0)
        return total // 2, total - total // 2
    if isinstance(padding, int):
        return padding, padding
    return tuple(padding)


def conv2d_ref(x, kernel, bias, strides, padding, dilation):
    """scipy.signal.correlate2d per (sample, filter), summed over input channels."""
    (sh, sw), (dh, dw) = strides, dilation
    kh, kw, cin, cout = kernel.shape
    kd = np.zeros(((kh - 1) * dh + 1, (kw - 1) * dw + 1, cin, cout))
    kd[::dh, ::dw] = kernel
    per_axis = padding if isinstance(padding, (list, tuple)) else (padding, padding)
    ph = _pads(x.shape[1], kd.shape[0], sh, per_axis[0])
    pw = _pads(x.shape[2], kd.shape[1], sw, per_axis[1])
    xp = np.pad(x, ((0, 0), ph, pw, (0, 0)))
    out = np.zeros((x.shape[0], xp.shape[1] - kd.shape[0] + 1, xp.shape[2] - kd.shape[1] + 1,
                    cout))
    for n in range(x.shape[0]):
        for o in range(cout):
            for c in range(cin):
                out[n, :, :, o] += correlate2d(xp[n, :, :, c], kd[:, :, c, o], mode="valid")
    out = out[:, ::sh, ::sw]
    return out if bias is None else out + bias


# (x shape, kernel shape): N=1, C=1, non-square kernels, H != W
SHAPES = [((1, 7, 7, 1), (3, 3, 1, 1)), ((2, 6, 9, 3), (2, 3, 3, 4)),
          ((3, 8, 5, 2), (3, 1, 2, 5)), ((1, 5, 6, 4), (1, 1, 4, 2))]
PADDINGS = ["valid", "same", 1, ((2, 0), (1, 3))]
WINDOWS = [((1, 1), (1, 1)), ((2, 2), (1, 1)), ((1, 3), (1, 1)), ((1, 1), (2, 2)),
           ((1, 1), (1, 2))]


@pytest.mark.parametrize("xs,ks", SHAPES)
@pytest.mark.parametrize("padding", PADDINGS)
@pytest.mark.parametrize("strides,dilation", WINDOWS)
def test_conv2d_matches_scipy(xs, ks, padding, strides, dilation):
    x, k, b = rng.standard_normal(xs), rng.standard_normal(ks), rng.standard_normal(ks[3])
    try:
        expected = conv2d_ref(x, k, b, strides, padding, dilation)
    except ValueError:  # the window does not fit: checked in the error tests
        return
    if min(expected.shape[1:3]) < 1:
        return
    got = ops.conv2d(Tensor(x), Tensor(k), Tensor(b), strides=strides, padding=padding,
                     dilation_rate=dilation)
    np.testing.assert_allclose(got.data, expected, atol=1e-12)
    no_bias = ops.conv2d(Tensor(x), Tensor(k), strides=strides, padding=padding,
                         dilation_rate=dilation)
    np.testing.assert_allclose(no_bias.data, expected - b, atol=1e-12)


@pytest.mark.parametrize("chunk_bytes", [1, 2000, 8000, 14000])
@pytest.mark.parametrize("small_c", [0, 4])
def test_chunked_paths_agree(monkeypatch, chunk_bytes, small_c):
    """Row blocks of one image (1 or 2 rows) and 2 whole images per chunk (5 = 2 + 2 + 1);
    with ``small_c`` the forward copies transposed columns, 1-3 images per chunk."""
    monkeypatch.setattr(plans, "CHUNK_BYTES", chunk_bytes)
    monkeypatch.setattr(plans, "SMALL_C", small_c)
    monkeypatch.setattr(plans, "SMALL_C_ROWS", chunk_bytes // 200 + 1)
    x, k, b = rng.standard_normal((5, 7, 6, 3)), rng.standard_normal((3, 2, 3, 4)), \
        rng.standard_normal(4)
    got = ops.conv2d(Tensor(x), Tensor(k), Tensor(b), strides=(2, 1), padding="same")
    np.testing.assert_allclose(got.data, conv2d_ref(x, k, b, (2, 1), "same", (1, 1)), atol=1e-12)
    check_grad(lambda *t: ops.conv2d(*t, strides=(2, 1), padding="same"), x[:2], k, b)
    check_grad(lambda *t: ops.conv2d(*t, padding="same", dilation_rate=(1, 2)), x[:3], k, b)
    y = rng.standard_normal((2, 4, 6, 3))
    check_grad(lambda *t: ops.conv2d_transpose(*t, strides=2, padding="same"), y,
               rng.standard_normal((3, 3, 2, 3)))


GRAD_CASES = [((1, 1), "valid", (1, 1)), ((1, 1), "same", (1, 1)), ((2, 2), "same", (1, 1)),
              ((2, 1), "valid", (1, 1)), ((1, 1), ((1, 2), (0, 1)), (1, 1)),
              ((2, 2), 1, (1, 1)), ((1, 1), "same", (2, 2)), ((1, 1), "valid", (2, 1)),
              ((1, 1), 1, (1, 2))]


@pytest.fixture(params=["fused", "products"])
def stride1_path(request, monkeypatch):
    """Both stride-1 backward kernels: the fused offset pass (``plans.SMALL_O`` 0: no layer has so
    few output channels) and the two im2col products (the default for these 3-channel kernels)."""
    if request.param == "fused":
        monkeypatch.setattr(plans, "SMALL_O", 0)
    return request.param


@pytest.mark.parametrize("strides,padding,dilation", GRAD_CASES)
def test_conv2d_gradients(strides, padding, dilation, stride1_path):
    x, k, b = rng.standard_normal((2, 6, 5, 2)), rng.standard_normal((2, 3, 2, 3)), \
        rng.standard_normal(3)
    check_grad(lambda *t: ops.conv2d(*t, strides=strides, padding=padding,
                                     dilation_rate=dilation), x, k, b)


@pytest.mark.parametrize("strides,padding,dilation", GRAD_CASES[:6])
@pytest.mark.parametrize("with_bias", [True, False])
def test_conv2d_fused_relu_equals_relu_of_conv_with_its_gradients(strides, padding, dilation,
                                                                  with_bias, stride1_path):
    x, k, b = rng.standard_normal((3, 6, 5, 2)), rng.standard_normal((2, 3, 2, 3)), \
        rng.standard_normal(3)
    args = (x, k, b) if with_bias else (x, k)
    kw = dict(strides=strides, padding=padding, dilation_rate=dilation)
    tensors = [Tensor(a, dtype="float64") for a in args]
    fused = ops.conv2d_relu(*tensors, **kw).data
    np.testing.assert_allclose(fused, np.maximum(ops.conv2d(*tensors, **kw).data, 0), atol=0)
    assert (fused == 0).any() and (fused > 0).any()  # both sides of the kink are exercised
    check_grad(lambda *t: ops.conv2d_relu(*t, **kw), *args)


@pytest.mark.parametrize("strides,padding,dilation", GRAD_CASES[:6])
@pytest.mark.parametrize("op", ["conv2d", "conv2d_relu"])
def test_conv2d_kernel_gradient_alone_few_channels(monkeypatch, strides, padding, dilation, op):
    """The first layer of an image model: only kernel and bias need gradients (the small-C
    kernel-gradient path, in chunks of 1-2 images)."""
    monkeypatch.setattr(plans, "SMALL_C_ROWS", 20)
    x, k, b = rng.standard_normal((3, 6, 5, 1)), rng.standard_normal((2, 3, 1, 3)), \
        rng.standard_normal(3)
    check_grad(lambda *t: getattr(ops, op)(*t, strides=strides, padding=padding,
                                           dilation_rate=dilation), x, k, b, wrt=[1, 2])


@pytest.mark.parametrize("padding,dilation", [("same", (1, 1)), ("valid", (2, 1)),
                                              (((2, 0), (1, 3)), (1, 1)), ("same", (1, 2))])
@pytest.mark.parametrize("op", ["conv2d", "conv2d_relu"])
def test_conv2d_many_channel_stride1_backward_as_products(monkeypatch, padding, dilation, op):
    """With many channels the stride-1 backward is two im2col products: the input gradient
    a convolution of the padded gradient with the flipped kernel."""
    monkeypatch.setattr(plans, "BIG_C", 2)
    x, k, b = rng.standard_normal((2, 6, 5, 2)), rng.standard_normal((2, 3, 2, 3)), \
        rng.standard_normal(3)
    check_grad(lambda *t: getattr(ops, op)(*t, padding=padding, dilation_rate=dilation),
               x, k, b)


def test_conv2d_relu_bias_only_gradient():
    x, k, b = rng.standard_normal((2, 5, 5, 2)), rng.standard_normal((3, 3, 2, 2)), \
        rng.standard_normal(2)
    bt = Tensor(b, dtype="float64", requires_grad=True)
    out = ops.conv2d_relu(Tensor(x, dtype="float64"), Tensor(k, dtype="float64"), bt,
                          padding="same")
    g = rng.standard_normal(out.shape)
    out.backward(g)
    np.testing.assert_allclose(bt.grad, (g * (out.data > 0)).sum(axis=(0, 1, 2)), rtol=1e-12)
    assert (out.data == 0).any() and (out.data > 0).any()  # the mask mattered


def test_conv2d_gradient_of_one_input_only():
    """Only the requested gradient is computed, and the forward keeps only what it needs."""
    x, k = rng.standard_normal((2, 5, 5, 2)), rng.standard_normal((3, 3, 2, 2))
    xt, kt = Tensor(x), Tensor(k, requires_grad=True)
    out = ops.conv2d(xt, kt, padding="same")
    assert out._ctx.saved[1] is None  # the kernel is not kept: no input gradient is needed
    g = rng.standard_normal(out.shape)
    out.backward(g)
    assert xt.grad is None
    expected = np.einsum("nhwijc,nhwo->ijco", np.lib.stride_tricks.sliding_window_view(
        np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0))), (3, 3), axis=(1, 2)).transpose(
        0, 1, 2, 4, 5, 3), g)
    np.testing.assert_allclose(kt.grad, expected, atol=1e-10)
    with_grad = ops.conv2d(Tensor(x, requires_grad=True), Tensor(k), padding="same")
    assert with_grad._ctx.saved[0] is None  # no kernel gradient: the input is not kept
    assert ops.conv2d(Tensor(x), Tensor(k))._ctx is None  # inference records nothing


def test_float32_stays_float32():
    x = Tensor(rng.standard_normal((2, 6, 6, 3)).astype("float32"), requires_grad=True)
    k = Tensor(rng.standard_normal((3, 3, 3, 4)).astype("float32"), requires_grad=True)
    b = Tensor(np.zeros(4, "float32"), requires_grad=True)
    out = ops.conv2d(x, k, b, strides=2, padding="same")
    assert out.dtype == np.float32
    out.sum().backward()
    assert (x.grad.dtype, k.grad.dtype, b.grad.dtype) == (np.float32,) * 3
    np.testing.assert_allclose(b.grad, np.full(4, 18.0))  # 2 samples x 3 x 3 output pixels
    t = ops.conv2d_transpose(x, Tensor(rng.standard_normal((3, 3, 5, 3)).astype("float32")),
                             strides=2, padding="same")
    assert t.dtype == np.float32 and t.shape == (2, 12, 12, 5)


def test_nan_propagates():
    x = rng.standard_normal((1, 4, 4, 1))
    x[0, 0, 0, 0] = np.nan
    out = ops.conv2d(Tensor(x), Tensor(np.ones((2, 2, 1, 1))))
    assert np.isnan(out.data[0, 0, 0, 0]) and np.isfinite(out.data[0, 2, 2, 0])


# --------------------------------------------------------------------- conv2d_transpose
def keras_deconv_length(n, k, s, padding, output_padding, d):
    """keras.src.utils.conv_utils.deconv_output_length."""
    k = k + (k - 1) * (d - 1)
    if output_padding is None:
        return n * s + max(k - s, 0) if padding == "valid" else n * s
    pad = k // 2 if padding == "same" else 0
    return (n - 1) * s + k - 2 * pad + output_padding


@pytest.mark.parametrize("k,s,d", [(3, 1, 1), (3, 2, 1), (4, 2, 1), (1, 2, 1), (2, 3, 1),
                                   (5, 3, 1), (3, 1, 2)])
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("output_padding", [None, 0, 1])
def test_conv2d_transpose_output_shape(k, s, d, padding, output_padding):
    if output_padding is not None and output_padding >= s:
        return
    x = Tensor(rng.standard_normal((2, 4, 5, 3)))
    kernel = Tensor(rng.standard_normal((k, k, 2, 3)))
    out = ops.conv2d_transpose(x, kernel, strides=s, padding=padding,
                               output_padding=output_padding, dilation_rate=d)
    expected = tuple(keras_deconv_length(n, k, s, padding, output_padding, d) for n in (4, 5))
    assert out.shape == (2, *expected, 2)


def transpose_scatter_ref(x, kernel, strides, padding, output_padding):
    """Each input pixel adds x . kernel into its window; TensorFlow's crop for 'same'."""
    n, h, w, _ = x.shape
    kh, kw, cout, _ = kernel.shape
    (sh, sw) = strides
    full = np.zeros((n, (h - 1) * sh + kh + 4, (w - 1) * sw + kw + 4, cout))
    for i in range(h):
        for j in range(w):
            full[:, i * sh:i * sh + kh, j * sw:j * sw + kw] += np.einsum(
                "nc,abdc->nabd", x[:, i, j], kernel)
    lengths = [keras_deconv_length(m, k, s, padding, p, 1) for m, k, s, p in
               zip((h, w), (kh, kw), strides, output_padding or (None, None))]
    before = [max((m - 1) * s + k - length, 0) // 2 if padding == "same" else 0
              for m, k, s, length in zip((h, w), (kh, kw), strides, lengths)]
    return full[:, before[0]:before[0] + lengths[0], before[1]:before[1] + lengths[1]]


@pytest.mark.parametrize("ks,strides,padding,output_padding", [
    ((3, 3), (2, 2), "same", None), ((3, 2), (2, 1), "valid", None),
    ((4, 4), (2, 2), "same", None), ((3, 3), (2, 2), "same", (1, 0)),
    ((2, 3), (3, 2), "valid", (2, 1)), ((1, 1), (2, 2), "same", None),
])
def test_conv2d_transpose_matches_scatter(ks, strides, padding, output_padding):
    x, k = rng.standard_normal((2, 3, 4, 3)), rng.standard_normal((*ks, 2, 3))
    got = ops.conv2d_transpose(Tensor(x), Tensor(k), strides=strides, padding=padding,
                               output_padding=output_padding)
    np.testing.assert_allclose(got.data, transpose_scatter_ref(x, k, strides, padding,
                                                               output_padding), atol=1e-12)


@pytest.mark.parametrize("size,ks,strides,padding,dilation", [
    (7, (3, 3), (1, 1), "valid", (1, 1)), (8, (3, 3), (2, 2), "same", (1, 1)),
    (7, (3, 2), (2, 2), "valid", (1, 1)), (6, (2, 2), (1, 1), "same", (1, 1)),
    (9, (3, 3), (1, 1), "same", (2, 2)), (9, (3, 3), (3, 3), "valid", (1, 1)),
])
def test_conv2d_transpose_is_the_adjoint_of_conv2d(size, ks, strides, padding, dilation):
    """<conv2d(x), y> == <x, conv2d_transpose(y)> with the same kernel array."""
    x = rng.standard_normal((2, size, size + 1 if padding == "same" else size, 3))
    k = rng.standard_normal((*ks, 3, 4))
    y_shape = ops.conv2d(Tensor(x), Tensor(k), strides=strides, padding=padding,
                         dilation_rate=dilation).shape
    y = rng.standard_normal(y_shape)
    forward = ops.conv2d(Tensor(x), Tensor(k), strides=strides, padding=padding,
                         dilation_rate=dilation).data
    op = [n - keras_deconv_length(m, kk, s, padding, 0, d) for n, m, kk, s, d in
          zip(x.shape[1:3], y_shape[1:3], ks, strides, dilation)]
    back = ops.conv2d_transpose(Tensor(y), Tensor(k), strides=strides, padding=padding,
                                output_padding=op if max(strides) > 1 else None,
                                dilation_rate=dilation).data
    assert back.shape == x.shape
    np.testing.assert_allclose(np.sum(forward * y), np.sum(x * back), rtol=1e-10)


@pytest.mark.parametrize("strides,padding,output_padding,dilation", [
    ((1, 1), "valid", None, (1, 1)), ((2, 2), "same", None, (1, 1)), ((2, 1), "valid", (1, 0),
                                                                      (1, 1)),
    ((1, 1), "same", None, (2, 2)), ((3, 2), "same", (1, 1), (1, 1)),
    ((3, 2), "valid", None, (1, 1)),  # windows that tile the output: plans' "tiles" path
])
def test_conv2d_transpose_gradients(strides, padding, output_padding, dilation):
    x, k, b = rng.standard_normal((2, 3, 4, 2)), rng.standard_normal((3, 2, 3, 2)), \
        rng.standard_normal(3)
    check_grad(lambda *t: ops.conv2d_transpose(*t, strides=strides, padding=padding,
                                               output_padding=output_padding,
                                               dilation_rate=dilation), x, k, b)


# ------------------------------------------------------------------------------ conv1d
def conv1d_ref(x, kernel, bias, stride, padding, dilation):
    """numpy.correlate per (sample, in channel, filter)."""
    k, cin, cout = kernel.shape
    kd = np.zeros(((k - 1) * dilation + 1, cin, cout))
    kd[::dilation] = kernel
    pads = (kd.shape[0] - 1, 0) if padding == "causal" else _pads(x.shape[1], kd.shape[0],
                                                                 stride, padding)
    xp = np.pad(x, ((0, 0), pads, (0, 0)))
    out = np.zeros((x.shape[0], xp.shape[1] - kd.shape[0] + 1, cout))
    for n in range(x.shape[0]):
        for o in range(cout):
            for c in range(cin):
                out[n, :, o] += np.correlate(xp[n, :, c], kd[:, c, o], mode="valid")
    return out[:, ::stride] + bias


@pytest.mark.parametrize("padding", ["valid", "same", "causal", 2, (1, 3)])
@pytest.mark.parametrize("stride,dilation", [(1, 1), (2, 1), (3, 1), (1, 2)])
@pytest.mark.parametrize("op", ["conv1d", "conv1d_relu"])
def test_conv1d_matches_numpy_correlate(op, padding, stride, dilation):
    x, k, b = rng.standard_normal((2, 11, 3)), rng.standard_normal((3, 3, 2)), \
        rng.standard_normal(2)
    got = getattr(ops, op)(Tensor(x), Tensor(k), Tensor(b), strides=stride, padding=padding,
                           dilation_rate=dilation)
    want = conv1d_ref(x, k, b, stride, padding, dilation)
    np.testing.assert_allclose(got.data, np.maximum(want, 0) if op == "conv1d_relu" else want,
                               atol=1e-12)


@pytest.mark.parametrize("stride,padding,dilation", [(1, "causal", 2), (2, "same", 1),
                                                     (1, "valid", 1)])
@pytest.mark.parametrize("op", ["conv1d", "conv1d_relu"])
def test_conv1d_gradients(op, stride, padding, dilation):
    x, k, b = rng.standard_normal((2, 7, 2)), rng.standard_normal((3, 2, 3)), \
        rng.standard_normal(3)
    check_grad(lambda *t: getattr(ops, op)(*t, strides=stride, padding=padding,
                                           dilation_rate=dilation), x, k, b)


# ------------------------------------------------------------------------------ errors
def test_errors_speak_to_users():
    x, k = Tensor(np.ones((2, 5, 5, 3))), Tensor(np.ones((3, 3, 3, 4)))
    with pytest.raises(ValueError, match=r"conv2d: the input has 2 channels \(shape \(2, 5, 5, "
                                         r"2\)\) but the kernel expects 3 \(kernel shape \(3, 3, "
                                         r"3, 4\)"):
        ops.conv2d(Tensor(np.ones((2, 5, 5, 2))), k)
    with pytest.raises(ValueError, match=r"conv2d: the window \(7 along height.*larger than "
                                         r"the padded input \(5"):
        ops.conv2d(x, Tensor(np.ones((7, 3, 3, 1))))
    with pytest.raises(ValueError, match=r"conv2d: the `strides` argument must be .*positive"
                                         r".*received strides=0"):
        ops.conv2d(x, k, strides=0)
    with pytest.raises(ValueError, match=r"conv2d: the `dilation_rate` argument must be .*received "
                                         r"dilation_rate=\(1, -1\)"):
        ops.conv2d(x, k, dilation_rate=(1, -1))
    with pytest.raises(ValueError, match=r"conv2d: `strides > 1` cannot be combined with "
                                         r"`dilation_rate > 1`"):
        ops.conv2d(x, k, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match=r"conv2d: expected a 4-D input \(N, H, W, C\); "
                                         r"received shape \(5, 5, 3\)"):
        ops.conv2d(Tensor(np.ones((5, 5, 3))), k)
    with pytest.raises(ValueError, match=r"conv2d: expected a 4-D kernel .*received kernel "
                                         r"shape \(3, 3\)"):
        ops.conv2d(x, Tensor(np.ones((3, 3))))
    with pytest.raises(TypeError, match=r"conv2d: expected a float array.*int64"):
        ops.conv2d(np.ones((2, 5, 5, 3), dtype=np.int64), k)
    with pytest.raises(ValueError, match=r"conv2d: bias must have shape \(4,\).*received bias "
                                         r"shape \(3,\)"):
        ops.conv2d(x, k, Tensor(np.ones(3)))
    with pytest.raises(ValueError, match=r"conv2d: padding must be .*received "
                                         r"padding='causal'"):
        ops.conv2d(x, k, padding="causal")


def test_transpose_and_1d_errors():
    x = Tensor(np.ones((1, 4, 4, 3)))
    with pytest.raises(ValueError, match=r"conv2d_transpose: the input has 3 channels.*kernel "
                                         r"expects 2"):
        ops.conv2d_transpose(x, Tensor(np.ones((3, 3, 8, 2))))
    with pytest.raises(ValueError, match=r"conv2d_transpose: padding must be 'valid' or 'same'"):
        ops.conv2d_transpose(x, Tensor(np.ones((3, 3, 8, 3))), padding=1)
    with pytest.raises(ValueError, match=r"conv2d_transpose: each output_padding must be smaller "
                                         r"than its stride"):
        ops.conv2d_transpose(x, Tensor(np.ones((3, 3, 8, 3))), strides=2, output_padding=2)
    with pytest.raises(ValueError, match=r"conv1d: the window \(5 along length"):
        ops.conv1d(Tensor(np.ones((1, 4, 3))), Tensor(np.ones((5, 3, 2))))
    with pytest.raises(ValueError, match=r"conv1d: expected a 3-D input \(N, L, C\)"):
        ops.conv1d(x, Tensor(np.ones((3, 3, 2))))
    with pytest.raises(ValueError, match=r"conv1d: `strides > 1` cannot be combined"):
        ops.conv1d(Tensor(np.ones((1, 9, 3))), Tensor(np.ones((3, 3, 2))), strides=2,
                   dilation_rate=2)


@pytest.mark.parametrize("k", [100, 8 * 1024, 8 * 1024 + 37, 30011])
def test_long_product_equals_matmul(k):
    """The K-blocked product of the first layer's kernel gradient, remainder included."""
    a, b = rng.standard_normal((10, k)), rng.standard_normal((k, 16))
    buf = np.zeros((10, k + 5))
    buf[:, :k] = a  # rows contiguous but not the whole buffer, as the column buffer is sliced
    got = _conv_cpu_kernels._long_product(np, buf[:, :k], b)
    np.testing.assert_allclose(got, a @ b, rtol=1e-12, atol=1e-10)
