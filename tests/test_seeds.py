"""The worked examples printed in the lecture seeds (../shared/seeds/), reproduced by lamina."""

import numpy as np
import pytest

import lamina.functional as F
from lamina import Tensor


def _conv(image, kernel, **kwargs):
    """2-D cross-correlation of one single-channel image with one kernel, through conv2d."""
    x = Tensor(np.asarray(image, dtype=np.float64)[None, :, :, None])
    k = Tensor(np.asarray(kernel, dtype=np.float64)[:, :, None, None])
    return F.conv2d(x, k, **kwargs).data[0, :, :, 0]


# Seed 001: a 7x7 image and a 3x3 kernel; the 7x7 result with zero 'same' padding.
IMAGE_7 = [[104, 116, 116, 112, 58, 47, 47], [109, 97, 114, 116, 105, 110, 45],
           [116, 104, 111, 109, 97, 46, 100], [101, 47, 109, 97, 115, 116, 101],
           [114, 47, 99, 97, 116, 99, 97], [116, 99, 97, 116, 46, 112, 104],
           [112, 63, 118, 61, 49, 46, 48]]
KERNEL_3 = [[9, -3, -1], [-6, 5, 3], [2, -8, 0]]
# As printed in the seed, except the top-right entry: the slide shows 187 where the
# arithmetic gives -187 (see the next test).
RESULT_7 = [[-4, -254, -498, -662, -849, -642, -187], [-520, 45, 240, 211, 388, 215, -861],
            [-340, 559, -105, 185, -138, -180, 503], [-718, 429, 350, 173, 251, 268, -655],
            [-567, -53, -75, 80, 571, -128, 24], [-408, 596, -550, 368, 26, 976, 156],
            [302, 647, 879, 223, 811, 54, 660]]


def test_seed001_7x7_same_cross_correlation():
    np.testing.assert_array_equal(_conv(IMAGE_7, KERNEL_3, padding="same"), RESULT_7)


def test_seed001_top_right_entry_is_minus_187():
    # The window at (0, 6) with zero padding: rows -1..1, columns 5..7.
    window = np.zeros((3, 3))
    window[1:, :2] = np.array(IMAGE_7)[0:2, 5:7]  # [[47, 47], [110, 45]]; the rest is padding
    # 47*-6 + 47*5 + 110*2 + 45*-8 = -187
    assert (window * np.array(KERNEL_3)).sum() == -187
    assert _conv(IMAGE_7, KERNEL_3, padding="same")[0, 6] == -187


def test_seed001_pointwise_product_of_the_printed_window():
    # The slide's "result of point-wise multiplication" is the window centred on row 3, column 2.
    product = np.array(IMAGE_7)[2:5, 1:4] * np.array(KERNEL_3)
    np.testing.assert_array_equal(product, [[936, -333, -109], [-282, 545, 291], [94, -792, 0]])
    assert product.sum() == 350
    assert _conv(IMAGE_7, KERNEL_3, padding="same")[3, 2] == 350


# Seed 002: a 6x6 binary image with Filter 1 and Filter 2.
IMAGE_6 = [[1, 0, 0, 0, 0, 1], [0, 1, 0, 0, 1, 0], [0, 0, 1, 1, 0, 0],
           [1, 0, 0, 0, 1, 0], [0, 1, 0, 0, 1, 0], [0, 0, 1, 0, 1, 0]]
FILTER_1 = [[1, -1, -1], [-1, 1, -1], [-1, -1, 1]]
FILTER_2 = [[-1, 1, -1], [-1, 1, -1], [-1, 1, -1]]


def test_seed002_filter1_stride1():
    np.testing.assert_array_equal(
        _conv(IMAGE_6, FILTER_1, strides=1),
        [[3, -1, -3, -1], [-3, 1, 0, -3], [-3, -3, 0, 1], [3, -2, -2, -1]])


def test_seed002_filter1_stride2():
    np.testing.assert_array_equal(_conv(IMAGE_6, FILTER_1, strides=2), [[3, -3], [-3, 0]])


def test_seed002_filter2_stride1_gives_the_second_feature_map():
    np.testing.assert_array_equal(
        _conv(IMAGE_6, FILTER_2, strides=1),
        [[-1, -1, -1, -1], [-1, -1, -2, 1], [-1, -1, -2, 1], [-1, 0, -4, 3]])


def test_seed002_two_filters_make_a_4x4x2_volume():
    x = Tensor(np.array(IMAGE_6, dtype=np.float32)[None, :, :, None])
    k = Tensor(np.stack([FILTER_1, FILTER_2], axis=-1).astype(np.float32)[:, :, None, :])
    out = F.conv2d(x, k)
    assert out.shape == (1, 4, 4, 2)
    np.testing.assert_array_equal(out.data[0, :, :, 1], _conv(IMAGE_6, FILTER_2))


def test_seed003_laplacian_on_a_3x3_patch_gives_83():
    patch = [[52, 59, 78], [59, 64, 79], [138, 142, 153]]
    laplacian = [[0, 1, 0], [1, -4, 1], [0, 1, 0]]
    # 59 + 59 - 256 + 79 + 142 = 83
    assert _conv(patch, laplacian)[0, 0] == 83


@pytest.mark.parametrize("size,k,s,p", [(7, 3, 1, 0), (7, 3, 2, 0), (6, 3, 1, 1), (28, 5, 1, 2),
                                        (28, 3, 2, 1), (32, 5, 3, 2), (10, 4, 2, 0)])
def test_seed004_output_size_formula(size, k, s, p):
    """(in - k + 2p) / s + 1, rounded down, for explicit padding p (and 'valid' when p = 0)."""
    x = Tensor(np.zeros((1, size, size, 1), dtype=np.float32))
    w = Tensor(np.zeros((k, k, 1, 1), dtype=np.float32))
    expected = (size - k + 2 * p) // s + 1
    assert F.conv2d(x, w, strides=s, padding=p).shape == (1, expected, expected, 1)
    if p == 0:
        assert F.conv2d(x, w, strides=s, padding="valid").shape == (1, expected, expected, 1)
    # 'same' keeps ceil(in / s), whatever the kernel
    assert F.conv2d(x, w, strides=s, padding="same").shape[1] == -(-size // s)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def test_seed003_backprop_network_matches_the_chain_rule_on_the_slides():
    """Inputs x0, x1; sigmoid units A, B then C, D; identity output y; J = 1/2 (d - y)^2.

    The slides write A = s(w00 x0 + w02 x1), C = s(w10 A + w12 B), y = w20 C + w21 D. We
    complete the naming the same way: B = s(w01 x0 + w03 x1), D = s(w11 A + w13 B).
    """
    x0, x1, d = 0.35, 0.9, 0.5
    w = {"w00": 0.1, "w01": 0.4, "w02": 0.8, "w03": 0.6, "w10": 0.3, "w11": 0.9,
         "w12": -0.5, "w13": 0.2, "w20": 0.7, "w21": -0.4}
    t = {k: Tensor(v, requires_grad=True, dtype="float64") for k, v in w.items()}
    A = F.sigmoid(t["w00"] * x0 + t["w02"] * x1)
    B = F.sigmoid(t["w01"] * x0 + t["w03"] * x1)
    C = F.sigmoid(t["w10"] * A + t["w12"] * B)
    D = F.sigmoid(t["w11"] * A + t["w13"] * B)
    y = F.identity(t["w20"] * C + t["w21"] * D)
    J = 0.5 * (d - y) ** 2
    J.backward()

    # The chain rule exactly as on the slides, in plain floats.
    a_in, b_in = w["w00"] * x0 + w["w02"] * x1, w["w01"] * x0 + w["w03"] * x1
    a, b = _sigmoid(a_in), _sigmoid(b_in)
    c_in, d_in = w["w10"] * a + w["w12"] * b, w["w11"] * a + w["w13"] * b
    c, dd = _sigmoid(c_in), _sigmoid(d_in)
    y_val = w["w20"] * c + w["w21"] * dd
    dJ_dy = y_val - d                                   # d/dy 1/2 (d - y)^2
    dy_dyin = 1.0                                       # identity output
    hand = {"w20": dJ_dy * dy_dyin * c, "w21": dJ_dy * dy_dyin * dd}
    dJ_dC = dJ_dy * dy_dyin * w["w20"]
    dJ_dD = dJ_dy * dy_dyin * w["w21"]
    sig_c, sig_d = c * (1 - c), dd * (1 - dd)           # sigma'(C_in), sigma'(D_in)
    hand.update(w10=dJ_dC * sig_c * a, w12=dJ_dC * sig_c * b,
                w11=dJ_dD * sig_d * a, w13=dJ_dD * sig_d * b)
    dJ_dA = dJ_dC * sig_c * w["w10"] + dJ_dD * sig_d * w["w11"]
    dJ_dB = dJ_dC * sig_c * w["w12"] + dJ_dD * sig_d * w["w13"]
    sig_a, sig_b = a * (1 - a), b * (1 - b)
    hand.update(w00=dJ_dA * sig_a * x0, w02=dJ_dA * sig_a * x1,
                w01=dJ_dB * sig_b * x0, w03=dJ_dB * sig_b * x1)

    assert y.item() == pytest.approx(y_val, rel=1e-12)
    for name, value in hand.items():
        assert t[name].grad == pytest.approx(value, rel=1e-10, abs=1e-14), name
