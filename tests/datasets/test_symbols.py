"""lamina.datasets.symbols: the catalog, clean rendering, the hand-drawn look, the generator."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from lamina.datasets import symbols  # noqa: E402
from lamina.datasets.symbols import augment, render  # noqa: E402
from lamina.datasets.symbols._skeleton import path_points  # noqa: E402

C = len(symbols.CLASSES)
SEED_EXAMPLES = {
    "\\heartsuit": "♡", "\\clubsuit": "♣", "\\fullmoon": "○", "\\male": "♂",
    "\\triangledown": "▽", "\\nabla": "∇", "\\lozenge": "◊", "\\astrosun": "☉",
}


@pytest.fixture(scope="module")
def clean():
    """Clean 32x32 images of every class in every style: (styles, C, 32, 32)."""
    return np.stack([
        np.stack([symbols.clean_image(i, style) for i in range(C)]) for style in symbols.STYLES
    ])


# ------------------------------------------------------------------ catalog


def test_catalog_has_enough_unique_classes():
    assert C >= 150
    latex = [s.latex for s in symbols.CLASSES]
    unicode = [s.unicode for s in symbols.CLASSES]
    assert len(set(latex)) == C and len(set(unicode)) == C
    assert symbols.CLASS_NAMES == latex
    assert all(len(u) == 1 for u in unicode)
    assert {s.group for s in symbols.CLASSES} == set(symbols.GROUPS)


def test_catalog_covers_the_issue():
    by_latex = {s.latex: s for s in symbols.CLASSES}
    for latex, char in SEED_EXAMPLES.items():
        assert by_latex[latex].unicode == char
    unicode = {s.unicode for s in symbols.CLASSES}
    assert set("0123456789") <= unicode
    assert set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") <= unicode
    assert set("+−×÷=≠≤≥±∑∏∫√∞∂∇") <= unicode
    assert set("αβγδθλμπσφωΓΔΣΩ") <= unicode
    groups = [s.group for s in symbols.CLASSES]
    assert groups.count("arrow") >= 10 and groups.count("set") >= 10
    assert groups.count("logic") >= 8 and groups.count("greek") >= 30


def test_index_of():
    assert symbols.CLASSES[symbols.index_of("\\alpha")].unicode == "α"
    assert symbols.index_of("α") == symbols.index_of("\\alpha")
    assert symbols.index_of("A") != symbols.index_of("a")
    assert symbols.index_of(np.int64(7)) == 7
    assert symbols.index_of(symbols.CLASSES[12]) == 12
    with pytest.raises(ValueError, match=r"Unknown symbol: '\\\\alpah'\. Did you mean '\\\\alpha'"):
        symbols.index_of("\\alpah")
    with pytest.raises(ValueError, match=rf"labels are in \[0, {C}\); received {C}"):
        symbols.index_of(C)


# ------------------------------------------------------------------ clean rendering


def test_resize_area_matches_block_means_and_keeps_mass():
    rng = np.random.default_rng(0)
    image = rng.random((12, 18)).astype(np.float32)
    expected = image.reshape(4, 3, 6, 3).mean(axis=(1, 3))
    np.testing.assert_allclose(render.resize_area(image, 4, 6), expected, rtol=1e-5)
    out = render.resize_area(image, 5, 7)  # non-integer factors: the mean ink is kept
    assert out.shape == (5, 7)
    np.testing.assert_allclose(out.mean(), image.mean(), rtol=1e-5)


def test_fit_to_box_scales_and_centres():
    image = np.zeros((100, 200), np.float32)
    image[10:30, 50:90] = 1.0  # a 20x40 bar
    out = symbols.fit_to_box(image, size=32)  # margin 2: the long side becomes 28
    rows, cols = np.nonzero(out > 0.5)
    assert (cols.min(), cols.max()) == (2, 29)
    assert (rows.min(), rows.max()) == (9, 22)  # 14 rows (aspect kept), centred
    assert out.dtype == np.float32 and out.max() == 1.0
    assert not symbols.fit_to_box(np.zeros((5, 5))).any()


def test_every_class_renders_non_empty_in_every_style(clean):
    assert clean.shape == (len(symbols.STYLES), C, 32, 32) and clean.dtype == np.float32
    assert clean.min() >= 0.0 and clean.max() <= 1.0
    ink = clean.mean(axis=(2, 3))
    assert ink.min() > 0.015 and ink.max() < 0.5, (ink.min(), ink.max())
    # Fitted to the box: every glyph's long side reaches the margin (2 px at 32).
    def span(profile):  # (..., 32) bool -> last - first + 1
        first = profile.argmax(-1)
        last = profile.shape[-1] - 1 - profile[..., ::-1].argmax(-1)
        return last - first + 1
    extent = np.maximum(span(clean.max(axis=3) > 0.2), span(clean.max(axis=2) > 0.2))
    assert extent.min() >= 26, extent.min()


def test_no_two_classes_render_alike(clean):
    flat = clean.reshape(len(symbols.STYLES), C, -1)
    for s, style in enumerate(symbols.STYLES):
        d = np.abs(flat[s][:, None] - flat[s][None]).mean(-1)
        np.fill_diagonal(d, np.inf)
        i, j = np.unravel_index(d.argmin(), d.shape)
        pair = (symbols.CLASSES[i].latex, symbols.CLASSES[j].latex)
        assert d.min() > 0.004, f"{style}: {pair} look the same ({d.min():.4f})"


def test_clean_image_arguments():
    image = symbols.clean_image("\\heartsuit", style="cm", size=16)
    assert image.shape == (16, 16) and image.dtype == np.float32
    np.testing.assert_array_equal(symbols.clean_image(0), symbols.clean_image("0"))
    with pytest.raises(ValueError, match="clean_image: size must be an int from 8 to 64"):
        symbols.clean_image("0", size=100)
    with pytest.raises(ValueError, match="Unknown style: 'stic'. Did you mean 'stix'"):
        symbols.clean_image("0", style="stic")


# ------------------------------------------------------------------ skeletons and morphology


def test_dilate_and_erode_match_loops():
    rng = np.random.default_rng(1)
    images = rng.random((2, 6, 7)).astype(np.float32)
    padded_max = np.pad(images, ((0, 0), (1, 1), (1, 1)), constant_values=-np.inf)
    padded_min = np.pad(images, ((0, 0), (1, 1), (1, 1)), constant_values=np.inf)
    want_max = np.empty_like(images)
    want_min = np.empty_like(images)
    for b in range(2):
        for r in range(6):
            for c in range(7):
                want_max[b, r, c] = padded_max[b, r:r + 3, c:c + 3].max()
                want_min[b, r, c] = padded_min[b, r:r + 3, c:c + 3].min()
    np.testing.assert_array_equal(augment.dilate(images), want_max)
    np.testing.assert_array_equal(augment.erode(images), want_min)


def test_thin_gives_one_pixel_lines_and_keeps_dots():
    masks = np.zeros((2, 20, 30), bool)
    masks[0, 8:13, 3:27] = True  # a 5-pixel-thick bar
    masks[1, 4:6, 4:6] = True  # a 2x2 dot (classic Zhang-Suen erases it)
    skeleton = augment.thin(masks)
    assert skeleton[0].sum(axis=0).max() == 1  # one pixel per column
    assert np.flatnonzero(skeleton[0].any(axis=1)).tolist() == [10]  # on the centre line
    assert skeleton[0].sum() >= 18
    assert skeleton[1].sum() == 1 and skeleton[1, 4:6, 4:6].any()


def test_prune_removes_spurs_but_keeps_stroke_length():
    line = np.zeros((1, 20, 30), bool)
    line[0, 10, 2:28] = True
    line[0, 8:10, 15] = True  # a 2-pixel spur
    pruned = augment.prune(line, length=3)
    assert not pruned[0, 8:10, 15].any()
    assert pruned[0, 10].sum() == 26  # the stroke keeps both ends


def test_path_points_follow_the_skeleton():
    skeleton = np.zeros((64, 64), bool)
    skeleton[32, 10:20] = True  # 9 horizontal edges, 2 ends
    points, dirs = path_points(skeleton, sigma=2.0)
    assert points.shape == dirs.shape == (9 * 3 + 2, 2)
    lengths = np.hypot(dirs[:27, 0], dirs[:27, 1])
    np.testing.assert_allclose(lengths.sum(), 9.0, rtol=1e-6)  # the path's length
    assert np.allclose(points[:, 0], 0.5)  # row 32 is +0.5 from the centre 31.5


# ------------------------------------------------------------------ the generator


def test_load_data_shapes_dtypes_ranges():
    x, y = symbols.load_data(n_per_class=2, seed=0)
    assert x.shape == (2 * C, 32, 32, 1) and x.dtype == np.float32
    assert y.shape == (2 * C,) and y.dtype == np.int64
    assert x.min() >= 0.0 and x.max() <= 1.0
    np.testing.assert_array_equal(np.bincount(y, minlength=C), np.full(C, 2))
    assert y[:C].tolist() != sorted(y[:C].tolist())  # shuffled
    ink = x.reshape(len(x), -1).mean(-1)
    assert ink.min() > 0.01 and ink.max() < 0.6


def test_same_seed_same_data_and_chunking_does_not_matter():
    a = symbols.load_data(n_per_class=1, seed=3)
    b = symbols.load_data(n_per_class=1, seed=3)
    c = symbols.load_data(n_per_class=1, seed=4)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])
    labels = np.arange(40)
    whole = augment.draw(labels, np.random.default_rng(5))
    pieces = augment.draw(labels, np.random.default_rng(5), chunk=7)
    np.testing.assert_array_equal(whole, pieces)


def test_augmentation_changes_images_but_keeps_the_symbol(clean):
    rng_labels = np.random.default_rng(0).permutation(C)[:60]
    x = symbols.generate(np.repeat(rng_labels, 2), seed=1)[..., 0]
    templates = clean[:, rng_labels]  # (styles, 60, 32, 32)
    # Changed: far from every clean rendering of its class.
    diff = np.abs(x[:, None] - np.repeat(templates.transpose(1, 0, 2, 3), 2, axis=0)).mean(
        axis=(2, 3))
    assert diff.min(axis=1).mean() > 0.05
    # Ink kept: comparable to the clean glyph's.
    ink, clean_ink = x.mean(axis=(1, 2)), np.repeat(templates.mean(axis=(0, 2, 3)), 2)
    ratio = ink / clean_ink
    assert ratio.min() > 0.15 and ratio.max() < 4.0, (ratio.min(), ratio.max())
    assert 0.7 < np.median(ratio) < 1.5
    # Recognisable: the best-correlated clean template is mostly its own class (chance 1/60).
    def normed(a):
        a = a.reshape(*a.shape[:-2], -1)
        a = a - a.mean(-1, keepdims=True)
        return a / np.linalg.norm(a, axis=-1, keepdims=True)
    score = np.einsum("nd,scd->nc", normed(x), normed(templates))
    accuracy = (score.argmax(1) == np.repeat(np.arange(60), 2)).mean()
    assert accuracy > 0.5, accuracy


def test_zero_jitter_draws_the_glyph_where_the_font_has_it():
    still = symbols.HandDrawn(rotation=0, shear=0, aspect=0, elastic=0, scale=1.0, shift=0,
                              pen=(2.0, 2.0), pressure=0, dilate=0, erode=0, binarize=0)
    minus = symbols.index_of("-")
    x = symbols.generate([minus], seed=0, augment=still, styles="dejavusans")[0, ..., 0]
    rows = x.sum(axis=1)
    assert rows.argmax() in (15, 16) and rows[:12].sum() == 0 and rows[20:].sum() == 0
    cols = np.flatnonzero(x.max(axis=0) > 0.5)
    assert cols.min() <= 3 and cols.max() >= 28  # spans the box like the clean minus


def test_generate_variants():
    labels = [symbols.index_of("\\alpha"), symbols.index_of("+")]
    plain = symbols.generate(labels, seed=0, augment=False, styles=["cm"])
    np.testing.assert_array_equal(plain[0, ..., 0], symbols.clean_image("\\alpha", "cm"))
    small = symbols.generate(labels, seed=0, size=16)
    assert small.shape == (2, 16, 16, 1)
    x, y = symbols.load_data(n_per_class=3, seed=0, classes=["0", "1", "\\heartsuit"])
    assert x.shape == (9, 32, 32, 1) and sorted(y.tolist()) == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    first, y_first = symbols.load_data(n_per_class=2, seed=0, n_classes=3)
    same, y_same = symbols.load_data(n_per_class=2, seed=0, classes=["0", "1", "2"])
    np.testing.assert_array_equal(first, same)
    np.testing.assert_array_equal(y_first, y_same)


def test_bad_arguments_say_what_is_wrong():
    with pytest.raises(ValueError, match=r"n_per_class must be a positive int; received n_per"):
        symbols.load_data(n_per_class=0)
    with pytest.raises(ValueError, match=r"generate: labels must be in \[0, "):
        symbols.generate([C])
    with pytest.raises(ValueError, match="generate: size must be an int from 8 to 64"):
        symbols.generate([0], size=4)
    with pytest.raises(TypeError, match="generate: augment must be True, False or a HandDrawn"):
        symbols.generate([0], augment="yes")
    with pytest.raises(ValueError, match=r"n_classes must be an int from 1 to \d+; received n_cl"):
        symbols.load_data(n_per_class=1, n_classes=0)
    with pytest.raises(ValueError, match="pass classes or n_classes, not both"):
        symbols.load_data(n_per_class=1, n_classes=2, classes=["0"])
    with pytest.raises(ValueError, match="without repeats"):
        symbols.load_data(n_per_class=1, classes=["0", "0"])
    with pytest.raises(ValueError, match=r"HandDrawn: fill is a probability in \[0, 1\]"):
        symbols.HandDrawn(fill=2)
    with pytest.raises(ValueError, match="HandDrawn: pen must be"):
        symbols.HandDrawn(pen=(3, 1))


def test_sample_sheet_writes_a_png(tmp_path):
    path = tmp_path / "sheet.png"
    symbols.sample_sheet(path, classes=["\\male", "\\astrosun"], variants=3)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
