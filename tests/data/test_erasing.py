"""ImageAugmenter's random erasing (Zhong et al. 2017): the vectorised sampling against a
per-image loop of the paper's algorithm, the rectangles, the fills, the seed."""

import json

import numpy as np
import pytest

from lamina.data import ImageAugmenter
from lamina.data._erasing import ATTEMPTS, box_mask, erasing_boxes

N, H, W = 4000, 28, 28


def reference_boxes(rng, n, height, width, probability, area, aspect):
    """The paper's Algorithm 1 with its code's details (rounded sides, a draw that does not
    fit drawn again up to 100 times, then the corner uniform where it fits), image by image."""
    boxes = []
    for _ in range(n):
        box = (0, 0, 0, 0)
        if rng.random() < probability:
            for _ in range(ATTEMPTS):
                target = rng.uniform(*area) * height * width
                ratio = rng.uniform(*aspect)
                h = int(round(np.sqrt(target * ratio)))
                w = int(round(np.sqrt(target / ratio)))
                if h < height and w < width:
                    box = (rng.integers(0, height - h + 1), rng.integers(0, width - w + 1), h, w)
                    break
        boxes.append(box)
    return np.array(boxes).T


def erased(probability=1.0, area=(0.02, 0.4), aspect=(0.3, 3.3), seed=0, n=N):
    x = np.zeros((n, H, W, 1), "float32")
    aug = ImageAugmenter(erasing_probability=probability, erasing_area=area,
                         erasing_aspect=aspect, erasing_value=1.0, seed=seed)
    return aug(x)[..., 0] == 1.0


def summary(mask):
    """Per erased image: height, width (pixels) of its rectangle."""
    hit = mask.any(axis=(1, 2))
    rows, cols = mask[hit].any(axis=2), mask[hit].any(axis=1)
    np.testing.assert_array_equal(mask[hit], rows[:, :, None] & cols[:, None, :])
    return hit, rows.sum(1), cols.sum(1), rows, cols


def test_rectangles_match_the_papers_algorithm_run_image_by_image():
    hit, h, w, rows, cols = summary(erased())
    assert hit.all()  # probability 1 and a fitting draw among 100 (each fits with p 0.948)
    assert h.max() < H and w.max() < W
    ref = reference_boxes(np.random.default_rng(1), N, H, W, 1.0, (0.02, 0.4), (0.3, 3.3))
    ref_h, ref_w = ref[2], ref[3]
    assert (ref_h > 0).all()
    for ours, theirs in ((h, ref_h), (w, ref_w), (h * w, ref_h * ref_w),
                         (np.log(h / w), np.log(ref_h / ref_w))):
        # two independent samples of N: 5 standard errors of the difference of the means
        se = np.sqrt(ours.var() / N + theirs.var() / N)
        assert abs(ours.mean() - theirs.mean()) < 5 * se, (ours.mean(), theirs.mean())
    # the erased area against its expectation by quadrature: (area, aspect) on a fine grid
    # (midpoints of 2000 x 2000 cells of the uniform square), the cells that fit averaged
    s, r = np.meshgrid((np.arange(2000) + 0.5) / 2000 * 0.38 + 0.02,
                       (np.arange(2000) + 0.5) / 2000 * 3.0 + 0.3)
    gh, gw = np.rint(np.sqrt(s * H * W * r)), np.rint(np.sqrt(s * H * W / r))
    fits = (gh < H) & (gw < W)
    expected = (gh * gw)[fits].mean()  # 158.1 pixels: 0.202 of the image
    assert abs((h * w).mean() - expected) < 5 * (h * w).std() / np.sqrt(N)
    assert abs(h.mean() - gh[fits].mean()) < 5 * h.std() / np.sqrt(N)
    # the corner is uniform where the rectangle fits: first and last rows and columns used
    assert rows[:, 0].any() and rows[:, -1].any() and cols[:, 0].any() and cols[:, -1].any()
    top = rows.argmax(1)
    free = H - h  # top uniform on 0..free: mean free / 2
    assert abs((top - free / 2).mean()) < 5 * np.sqrt(((free + 1) ** 2 - 1) / 12 / N).mean()


def test_probability_and_ranges():
    hit, h, w, *_ = summary(erased(probability=0.3, seed=2))
    assert abs(hit.mean() - 0.3) < 5 * np.sqrt(0.3 * 0.7 / N)
    _, h, w, *_ = summary(erased(area=(0.25, 0.25), aspect=(1.0, 1.0), seed=3, n=200))
    assert (h == 14).all() and (w == 14).all()  # sqrt(0.25 * 784) = 14
    assert not erased(probability=0.0, n=50).any()
    top, left, bh, bw = erasing_boxes(np.random.default_rng(0), 50, H, W, 1.0, (0.3, 0.3),
                                      (1.0, 1.0))
    assert ((top + bh <= H) & (left + bw <= W)).all()
    assert box_mask((top, left, bh, bw), H, W).sum(axis=(1, 2)).tolist() == (bh * bw).tolist()


def test_random_fill_in_the_batch_range_and_the_rest_untouched():
    x = np.random.default_rng(0).uniform(-2.0, 3.0, (500, H, W, 1)).astype("float32")
    base = dict(horizontal_flip=True, width_shift_range=2, interpolation="nearest", seed=4)
    plain = ImageAugmenter(**base)(x)
    out = ImageAugmenter(**base, erasing_probability=1.0)(x)
    changed = out != plain
    # erasing draws after the flips and shifts: outside the rectangles, the same output
    mask = summary(changed[..., 0])[0]
    assert mask.mean() > 0.99
    values = out[changed]
    low, high = float(plain.min()), float(plain.max())
    assert values.min() >= low and values.max() <= high
    # uniform on [low, high]: mean (low + high) / 2, std (high - low) / sqrt(12)
    n = values.size
    assert abs(values.mean() - (low + high) / 2) < 5 * (high - low) / np.sqrt(12 * n)
    assert abs(values.std() - (high - low) / np.sqrt(12)) < 0.01 * (high - low)


def test_seeded_config_round_trip_and_dtype():
    x = np.random.default_rng(0).random((16, 12, 10, 3)).astype("float64")
    aug = ImageAugmenter(rotation_range=5, erasing_probability=0.7, erasing_area=(0.1, 0.3),
                         erasing_aspect=(0.5, 2.0), seed=5)
    again = ImageAugmenter.from_config(json.loads(json.dumps(aug.get_config())))
    first = aug(x)
    assert first.dtype == np.float64
    np.testing.assert_array_equal(first, again(x))
    np.testing.assert_array_equal(aug(x), again(x))
    assert not np.array_equal(first, ImageAugmenter(**{**aug.get_config(), "seed": 6})(x))
    assert repr(ImageAugmenter(erasing_probability=0.5, erasing_value=0)) == (
        "ImageAugmenter(erasing_probability=0.5, erasing_value=0.0)")


@pytest.mark.parametrize("kwargs, message", [
    ({"erasing_probability": 1.5}, r"ImageAugmenter: erasing_probability must be in \[0, 1\]; "
                                   r"received erasing_probability=1.5"),
    ({"erasing_probability": -0.1}, r"erasing_probability must be a number >= 0"),
    ({"erasing_area": (0.4, 0.1)}, r"ImageAugmenter: erasing_area must be \(low, high\) with "
                                   r"0 < low <= high <= 1; received erasing_area=\(0.4, 0.1\)"),
    ({"erasing_area": (0.1, 1.5)}, r"<= 1; received erasing_area=\(0.1, 1.5\)"),
    ({"erasing_area": 0.3}, r"erasing_area must be a pair \(low, high\); received "
                            r"erasing_area=0.3"),
    ({"erasing_aspect": (0, 2)}, r"erasing_aspect\[0\] must be a number > 0; received "
                                 r"erasing_aspect\[0\]=0"),
    ({"erasing_value": "mean"}, r"erasing_value must be 'random' or a number; received "
                                r"erasing_value='mean'"),
])
def test_bad_erasing_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ImageAugmenter(**kwargs)
