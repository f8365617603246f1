"""Drawing normalisation (strokes and PNG to the 32x32 the CNN reads) and the Recognizer."""

from __future__ import annotations

import numpy
import pytest

pytest.importorskip("PIL")

from lamina.apps.recognizer.model import (  # noqa: E402
    BadDrawing,
    EmptyDrawing,
    Recognizer,
    decode_data_url,
    image_from_png,
    strokes_to_image,
)
from lamina.datasets.symbols import CLASSES  # noqa: E402
from tests.apps.conftest import ARROW, PLUS, ZERO, data_url, png_bytes, tiny_model  # noqa: E402
from tests.tolerance import assert_sums_close  # noqa: E402


def _ink_box(image):
    rows = numpy.flatnonzero(image.max(axis=1) > 0.05)
    cols = numpy.flatnonzero(image.max(axis=0) > 0.05)
    return rows[0], rows[-1], cols[0], cols[-1]


def test_strokes_become_a_centred_32x32_ink_image_with_a_2_pixel_margin():
    image = strokes_to_image(PLUS)
    assert image.shape == (32, 32) and image.dtype == numpy.float32
    assert image.min() == 0.0 and 0.9 < image.max() <= 1.0
    top, bottom, left, right = _ink_box(image)
    assert min(top, left) >= 2 and max(bottom, right) <= 29  # the margin is size // 16
    assert max(bottom - top, right - left) >= 26  # the longest side fills the box
    assert image[16, 3:29].mean() > 0.5 and image[3:29, 16].mean() > 0.5  # the two bars
    assert image[5, 5] == 0.0 and image[26, 26] == 0.0  # empty corners


def test_strokes_ignore_position_and_scale_and_keep_the_aspect():
    shifted = [[[3 * x + 1000, 3 * y - 50] for x, y in stroke] for stroke in ARROW]
    numpy.testing.assert_allclose(strokes_to_image(shifted), strokes_to_image(ARROW), atol=0.06)
    flat = strokes_to_image([[[0, 0], [100, 0]]])  # a minus sign stays flat
    top, bottom, left, right = _ink_box(flat)
    assert right - left >= 26 and bottom - top <= 4


def test_a_single_click_is_a_dot_and_extra_point_values_are_ignored():
    dot = strokes_to_image([[[5, 5]]])
    assert dot.max() > 0.9 and dot[16, 16] > 0.9
    timed = [[[x, y, 1000 + i] for i, (x, y) in enumerate(stroke)] for stroke in PLUS]
    named = [[{"x": x, "y": y} for x, y in stroke] for stroke in PLUS]
    numpy.testing.assert_array_equal(strokes_to_image(timed), strokes_to_image(PLUS))
    numpy.testing.assert_array_equal(strokes_to_image(named), strokes_to_image(PLUS))


@pytest.mark.parametrize("strokes, message", [
    ({"a": 1}, "strokes must be a list"),
    ([[[0, float("inf")]]], "finite"),
    ([[[0, True]]], "finite"),
    ([[None]], "a point must be"),
    ([[[0, 0]] * 20_001], "at most 20000 points"),
])
def test_bad_strokes_raise_bad_drawing(strokes, message):
    with pytest.raises(BadDrawing, match=message):
        strokes_to_image(strokes)


def test_no_points_raise_empty_drawing():
    for strokes in ([], [[]], [[], []]):
        with pytest.raises(EmptyDrawing, match="nothing drawn"):
            strokes_to_image(strokes)


def test_png_dark_on_light_transparent_or_inverted_give_the_same_image():
    on_transparent = image_from_png(png_bytes(ZERO))
    on_white = image_from_png(png_bytes(ZERO, mode="L", paper=255, ink=0))
    inverted = image_from_png(png_bytes(ZERO, mode="L", paper=0, ink=255))  # MNIST-style
    assert on_transparent.shape == (32, 32) and on_transparent.max() > 0.9
    numpy.testing.assert_allclose(on_white, on_transparent, atol=1e-5)
    numpy.testing.assert_allclose(inverted, on_transparent, atol=1e-5)
    assert on_transparent[16, 16] == 0.0  # the hole of the zero


def _png_reference(data: bytes) -> numpy.ndarray:
    """The plain way: composite the whole image on white, invert a dark border, fit."""
    import io

    from PIL import Image

    from lamina.datasets.symbols import fit_to_box

    with Image.open(io.BytesIO(data)) as img:
        rgba = img.convert("RGBA")
    paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    gray = Image.alpha_composite(paper, rgba).convert("L")
    ink = 1.0 - numpy.asarray(gray, dtype=numpy.float32) / 255.0
    border = numpy.concatenate([ink[0], ink[-1], ink[:, 0], ink[:, -1]])
    return fit_to_box(1.0 - ink if numpy.median(border) > 0.5 else ink, 32)


@pytest.mark.parametrize("case", ["semi-transparent", "touches-edges", "inverted-margin",
                                  "transparent-key", "rgb", "la"])
def test_png_shortcuts_give_the_plain_composite(case):
    """Only the visible part of a transparent image is composited, and opaque L/RGB images
    skip compositing; the result must equal compositing everything, up to the rounding of
    the float32 box filter that brings the drawing to 32x32 (about (300/32)**2 terms in [0, 1]
    per pixel; the two paths cut the image differently, so they round differently)."""
    import io

    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.line([(40, 30), (200, 150), (260, 60)], fill=(30, 60, 90, 160), width=9)
    if case == "touches-edges":
        draw.line([(0, 5), (299, 199)], fill=(0, 0, 0, 255), width=3)
    if case == "inverted-margin":  # a black sheet (light ink) inside a transparent margin
        img = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
        img.paste((0, 0, 0, 255), (0, 0, 300, 190))
        ImageDraw.Draw(img).line([(40, 30), (200, 150)], fill=(255, 255, 255, 255), width=9)
    if case == "transparent-key":
        img = img.convert("RGB").convert("P")
        img.info["transparency"] = 0
    if case in ("rgb", "la"):
        img = Image.alpha_composite(Image.new("RGBA", img.size, "white"), img)
        img = img.convert("RGB") if case == "rgb" else img.convert("LA")
    buf = io.BytesIO()
    img.save(buf, "PNG", **({"transparency": 0} if case == "transparent-key" else {}))
    data = buf.getvalue()
    expected = _png_reference(data)
    assert expected.max() > 0.3  # something was drawn
    assert_sums_close(image_from_png(data), expected, terms=(300 // 32 + 1) ** 2, scale=1.0,
                      dtype=numpy.float32)


def test_a_fully_transparent_png_is_nothing_drawn():
    with pytest.raises(EmptyDrawing, match="nothing drawn"):
        image_from_png(png_bytes([]))


def test_png_and_strokes_of_one_drawing_look_alike():
    from_png = image_from_png(png_bytes(PLUS, width=30))
    from_strokes = strokes_to_image(PLUS)
    overlap = (from_png > 0.3) & (from_strokes > 0.3)
    assert overlap.sum() > 0.7 * (from_strokes > 0.3).sum()


def test_data_urls_decode_or_raise_bad_drawing():
    png = png_bytes(PLUS)
    assert decode_data_url(data_url(png)) == png
    for url, message in [("data:image/png;base64", "must be a data URL"),
                         ("data:application/pdf;base64,AAAA", "must hold an image"),
                         ("data:image/png;base64,AAA", "malformed"),
                         (None, "data URL string")]:
        with pytest.raises(BadDrawing, match=message):
            decode_data_url(url)


def test_recognizer_ranks_the_model_outputs_as_symbols(tmp_path):
    model = tiny_model(5)
    recognizer = Recognizer(model)
    assert [s.latex for s in recognizer.classes] == [s.latex for s in CLASSES[:5]]
    image = strokes_to_image(PLUS)
    probs = recognizer.predict(image)
    assert probs.shape == (1, 5) and probs.dtype == numpy.float32
    expected = model.predict(image.reshape(1, 32, 32, 1), verbose=0)
    numpy.testing.assert_allclose(probs, expected, rtol=1e-6)
    top = recognizer.top_k(image, k=3)
    order = numpy.argsort(-expected[0])[:3]
    assert [r["latex"] for r in top] == [CLASSES[i].latex for i in order]
    assert [r["probability"] for r in top] == pytest.approx(expected[0][order].tolist())
    assert len(recognizer.top_k(image, k=99)) == 5


def test_a_model_that_outputs_logits_gets_a_softmax():
    recognizer = Recognizer(tiny_model(4, activation="linear"))
    probs = recognizer.predict(numpy.stack([strokes_to_image(PLUS), strokes_to_image(ZERO)]))
    assert probs.shape == (2, 4)
    numpy.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


def test_a_model_with_more_outputs_than_classes_is_refused():
    with pytest.raises(ValueError, match=f"only {len(CLASSES)} symbol classes"):
        Recognizer(tiny_model(len(CLASSES) + 1))


def test_load_tells_how_to_train_a_missing_model(tmp_path):
    with pytest.raises(FileNotFoundError, match="lamina recognizer train"):
        Recognizer.load(tmp_path / "none.lamina")


@pytest.mark.parametrize("mode, size", [("RGBA", (4100, 1500)), ("L", (1500, 3000)),
                                        ("RGB", (2049, 2049)), ("P", (3000, 1100))])
def test_large_images_are_reduced_strip_by_strip_exactly_as_whole(mode, size):
    from PIL import Image

    from lamina.apps.recognizer.model import MAX_SIDE, _reduced

    rng = numpy.random.default_rng(0)
    pixels = rng.integers(0, 256, (size[1], size[0], 4), dtype=numpy.uint8)
    img = Image.fromarray(pixels, "RGBA")
    if mode == "P":
        img = img.convert("RGB").quantize(16)
        img.info["transparency"] = 3
    elif mode != "RGBA":
        img = img.convert(mode)
    factor = -(-max(size) // MAX_SIDE)
    whole = img.convert("RGBA" if mode == "P" else mode).reduce(factor)
    reduced = _reduced(img)
    assert max(reduced.size) <= MAX_SIDE and reduced.mode == whole.mode
    numpy.testing.assert_array_equal(numpy.asarray(reduced), numpy.asarray(whole))
    small = img.crop((0, 0, 1000, 1000))
    assert _reduced(small) is small  # up to MAX_SIDE, the image as it is


def test_a_large_png_gives_the_drawing_of_its_small_copy():
    big = png_bytes([[[x * 8, y * 8] for x, y in s] for s in PLUS], size=(3360, 3360), width=80)
    small = png_bytes(PLUS, size=(420, 420), width=10)
    overlap = (image_from_png(big) > 0.3) & (image_from_png(small) > 0.3)
    assert overlap.sum() > 0.7 * (image_from_png(small) > 0.3).sum()


@pytest.mark.parametrize("data", [b"GIF89a....", b"\xff\xd8\xff\xe0JFIF", b"BM....", b"",
                                  b"\x89PNG\r\n"])
def test_only_png_bytes_are_decoded(data):
    with pytest.raises(BadDrawing, match="only PNG images are accepted"):
        image_from_png(data)


def test_a_png_signature_on_another_format_is_not_a_readable_image():
    with pytest.raises(BadDrawing, match="not a readable image"):
        image_from_png(b"\x89PNG\r\n\x1a\n" + b"GIF89a" + b"\0" * 64)


@pytest.mark.parametrize("point", [[1.7e308, 0], [0, -1e9 - 1], [1e10, 1e10]])
def test_coordinates_beyond_a_billion_raise_bad_drawing(point):
    with pytest.raises(BadDrawing, match=r"within \+-1e\+09"):
        strokes_to_image([[[0, 0], point]])


def test_coordinates_up_to_a_billion_and_a_subnormal_extent_draw():
    far = strokes_to_image([[[-1e9, -1e9], [1e9, 1e9]]])
    near = strokes_to_image([[[0, 0], [10, 10]]])
    numpy.testing.assert_array_equal(far, near)
    numpy.testing.assert_array_equal(strokes_to_image([[[0, 0], [5e-324, 0]]]),
                                     strokes_to_image([[[0, 0]]]))
