"""``lamina style transfer`` and ``lamina style texture``: files in, image and history out,
and the errors users see."""

import csv

import numpy as np
import pytest

from lamina.apps.style import load_image, save_image
from lamina.cli import main

pytest.importorskip("scipy")
pytest.importorskip("PIL")


@pytest.fixture()
def photos(tmp_path):
    rng = np.random.default_rng(0)
    content, painting = tmp_path / "content.png", tmp_path / "style.jpg"
    save_image(content, rng.random((24, 32, 3)))
    y, x = np.mgrid[0:40, 0:40]
    save_image(painting, np.stack([0.5 + 0.4 * np.sin(x * 0.9 + k * y * 0.3)
                                   for k in range(3)], -1))
    return content, painting


def test_transfer_writes_the_image_and_the_losses_of_every_step(photos, tmp_path, capsys):
    content, painting = photos
    out, history = tmp_path / "out.png", tmp_path / "h.csv"
    assert main(["style", "transfer", str(content), str(painting), str(out), "--size", "16",
                 "--steps", "4", "--history", str(history)]) == 0
    assert load_image(out).shape == (16, 21, 3)  # 16 high, the content's aspect ratio
    rows = list(csv.DictReader(history.open()))
    assert 3 <= len(rows) <= 5 and rows[0]["step"] == "0"
    assert set(rows[0]) == {"step", "loss", "content_loss", "style_loss", "seconds"}
    assert float(rows[-1]["loss"]) < float(rows[0]["loss"])
    printed = capsys.readouterr().out
    assert "style_loss:" in printed and f"wrote {out}" in printed


def test_texture_from_a_sample_with_adam(photos, tmp_path, capsys):
    out = tmp_path / "texture.png"
    assert main(["style", "texture", str(photos[1]), str(out), "--size", "16x20", "--steps",
                 "3", "--optimizer", "adam", "--quiet"]) == 0
    assert load_image(out).shape == (16, 20, 3)
    assert "3 adam steps" in capsys.readouterr().out


def test_errors(photos, tmp_path, capsys):
    content, painting = photos
    gray = tmp_path / "gray.png"
    save_image(gray, np.full((16, 16), 0.5))
    assert main(["style", "transfer", str(content), str(gray), str(tmp_path / "o.png"),
                 "--size", "16", "--steps", "1"]) == 2
    assert "is RGB but the style image" in capsys.readouterr().err
    junk = tmp_path / "junk.png"
    junk.write_text("hello")
    assert main(["style", "texture", str(junk), str(tmp_path / "o.png")]) == 2
    assert "cannot read" in capsys.readouterr().err
    for bad, message in ((["--steps", "0"], "--steps: must be a positive int"),
                         (["--size", "3"], "--size: expected HEIGHT or HEIGHTxWIDTH")):
        with pytest.raises(SystemExit) as exit_info:
            main(["style", "texture", str(painting), str(tmp_path / "o.png"), *bad])
        assert exit_info.value.code == 2
        assert message in capsys.readouterr().err
    assert not (tmp_path / "o.png").exists()
    assert main(["style"]) == 0 and "transfer" in capsys.readouterr().out
