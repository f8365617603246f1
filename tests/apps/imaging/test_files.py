"""Image files: what is read, what is refused before decoding, atomic writes."""

from __future__ import annotations

import io
import os

import numpy as np
import pytest

from lamina.apps.imaging import ImageError, files

Image = pytest.importorskip("PIL.Image")

RGB = np.random.default_rng(0).integers(0, 256, (20, 30, 3), dtype=np.uint8)


def _bytes(img, fmt="PNG", **options):
    out = io.BytesIO()
    img.save(out, fmt, **options)
    return out.getvalue()


@pytest.mark.parametrize("ext", [".png", ".bmp", ".tif", ".webp"])
def test_lossless_formats_round_trip(tmp_path, ext):
    files.write_image(tmp_path / f"x{ext}", RGB)
    assert (files.read_image(tmp_path / f"x{ext}") == RGB).all()
    files.write_image(tmp_path / f"g{ext}", RGB[..., 0])
    gray = files.read_image(tmp_path / f"g{ext}")
    if ext == ".webp":  # WebP has no gray: three equal channels come back
        assert gray.shape == (20, 30, 3) and (gray == gray[..., :1]).all()
        gray = gray[..., 0]
    assert (gray == RGB[..., 0]).all()


def test_jpeg_round_trip_is_close_and_16_bit_png_is_exact(tmp_path):
    smooth = np.repeat(np.linspace(0, 255, 30, dtype=np.uint8)[None], 20, 0)
    files.write_image(tmp_path / "x.jpg", smooth)
    assert np.abs(files.read_image(tmp_path / "x.jpg").astype(int) - smooth).max() <= 3
    deep = (np.arange(600).reshape(20, 30) * 100).astype(np.uint16)
    files.write_image(tmp_path / "d.png", deep)
    back = files.read_image(tmp_path / "d.png")
    assert back.dtype == np.uint16 and (back == deep).all()


def test_transparency_is_laid_on_white_and_palettes_expanded():
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[:2, :, :] = (255, 0, 0, 255)      # opaque red on top, transparent below
    out = files.decode(_bytes(Image.fromarray(rgba, "RGBA")))
    assert out.shape == (4, 4, 3)
    assert (out[0, 0] == (255, 0, 0)).all() and (out[3, 3] == 255).all()
    pal = Image.fromarray(RGB).convert("P")
    assert files.decode(_bytes(pal)).shape == (20, 30, 3)


@pytest.mark.parametrize("data,message", [
    (b"", "is empty"),
    (b"root:x:0:0:root:/root:/bin/bash\n", "not an image this tool reads"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not an image this tool reads|damaged"),
])
def test_non_images_are_refused(data, message):
    with pytest.raises(ImageError, match=message):
        files.decode(data, "upload.png")


def test_a_huge_declared_size_is_refused_before_decoding():
    # a 10000x10000 PNG of one colour: 100 megapixels in a few hundred kilobytes
    big = _bytes(Image.new("L", (10000, 10000)), optimize=False)
    assert len(big) < 1_000_000
    with pytest.raises(ImageError, match=r"10000x10000 \(100.0 megapixels\); at most 16 "):
        files.decode(big, max_pixels=16_000_000)


def test_a_truncated_file_is_damaged_not_a_traceback():
    data = _bytes(Image.fromarray(RGB), "PNG")
    with pytest.raises(ImageError, match="damaged|not an image"):
        files.decode(data[: len(data) // 2])


def test_masks_are_light_and_opaque_pixels_and_must_match(tmp_path):
    mask = np.zeros((20, 30), np.uint8)
    mask[5:10, 5:15] = 255
    files.write_image(tmp_path / "m.png", mask)
    hole = files.read_mask(tmp_path / "m.png", (20, 30))
    assert hole.dtype == bool and hole.sum() == 50 and hole[5:10, 5:15].all()
    painted = np.zeros((20, 30, 4), np.uint8)
    painted[..., :3] = 255                  # white everywhere, opaque only in the hole
    painted[5:10, 5:15, 3] = 255
    Image.fromarray(painted, "RGBA").save(tmp_path / "p.png")
    assert (files.read_mask(tmp_path / "p.png") == hole).all()
    with pytest.raises(ImageError, match="is 30x20 pixels but the image is 40x10"):
        files.read_mask(tmp_path / "m.png", (10, 40))


def test_writes_are_atomic_and_the_format_follows_the_extension(tmp_path, monkeypatch):
    with pytest.raises(ImageError, match="unknown image format '.xyz'"):
        files.write_image(tmp_path / "x.xyz", RGB)
    files.write_image(tmp_path / "keep.png", RGB)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(files, "encode", lambda a, f: b"partial")
    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError):
        files.write_image(tmp_path / "keep.png", RGB[::-1])
    assert (files.read_image(tmp_path / "keep.png") == RGB).all()   # untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.png"]  # no temporary left


def test_missing_files_and_directories_say_so(tmp_path):
    with pytest.raises(ImageError, match="no such file"):
        files.read_image(tmp_path / "nope.png")
    with pytest.raises(ImageError, match="is a directory"):
        files.read_image(tmp_path)


def test_a_fifo_or_a_device_is_refused_at_once(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.png")  # reading it would wait for a writer forever
    with pytest.raises(ImageError, match=r"pipe\.png' is a FIFO, not a regular file"):
        files.read_image(tmp_path / "pipe.png")
    with pytest.raises(ImageError, match=r"is a device, not a regular file"):
        files.read_mask("/dev/zero")
