"""``lamina image ...`` on files, with stand-in networks."""

from __future__ import annotations

import numpy as np
import pytest

from lamina.cli import main

pytest.importorskip("PIL")
from lamina.apps.imaging import files  # noqa: E402

RGB = np.random.default_rng(0).integers(0, 256, (24, 40, 3), dtype=np.uint8)


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "in.png"
    files.write_image(path, RGB)
    return path


@pytest.mark.parametrize("command,shape", [
    (["denoise"], (24, 40, 3)), (["denoise", "--sigma", "25"], (24, 40, 3)),
    (["upscale", "--scale", "2"], (48, 80, 3)), (["colorize"], (24, 40, 3))])
def test_each_task_writes_its_result(networks, photo, tmp_path, capsys, command, shape):
    out = tmp_path / "out.png"
    assert main(["image", *command[:1], str(photo), str(out), *command[1:]]) == 0
    assert files.read_image(out).shape == shape
    assert f"wrote {out} ({shape[1]}x{shape[0]}" in capsys.readouterr().out


def test_inpaint_fills_the_white_of_the_mask_only(networks, photo, tmp_path):
    mask = np.zeros((24, 40), np.uint8)
    mask[4:12, 8:20] = 255
    files.write_image(tmp_path / "mask.png", mask)
    assert main(["image", "inpaint", str(photo), str(tmp_path / "mask.png"),
                 str(tmp_path / "out.png")]) == 0
    out = files.read_image(tmp_path / "out.png")
    assert (out[mask == 0] == RGB[mask == 0]).all() and (out[mask > 0] != RGB[mask > 0]).any()


@pytest.mark.parametrize("args,message", [
    (["upscale", "IN", "OUT", "--scale", "3"], "scale=3 is not available"),
    (["denoise", "IN", "OUT", "--sigma", "90"], "outside the noise levels"),
    (["denoise", "NOTIMAGE", "OUT"], "not an image this tool reads"),
    (["denoise", "EMPTY", "OUT"], "is empty"),
    (["denoise", "IN", "OUT.xyz"], "unknown image format"),
    (["inpaint", "IN", "SMALLMASK", "OUT"], "is 4x4 pixels but the image is 40x24"),
    (["colorize", "MISSING", "OUT"], "no such file"),
])
def test_bad_input_is_one_clear_line_and_exit_2(networks, photo, tmp_path, capsys, args,
                                                message):
    (tmp_path / "notimage").write_text("hello")
    (tmp_path / "empty.png").write_bytes(b"")
    files.write_image(tmp_path / "small.png", np.zeros((4, 4), np.uint8))
    names = {"IN": str(photo), "OUT": str(tmp_path / "o.png"),
             "OUT.xyz": str(tmp_path / "o.xyz"), "NOTIMAGE": str(tmp_path / "notimage"),
             "EMPTY": str(tmp_path / "empty.png"), "SMALLMASK": str(tmp_path / "small.png"),
             "MISSING": str(tmp_path / "missing.png")}
    assert main(["image", *[names.get(a, a) for a in args]]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o.png").exists()


def test_image_without_a_subcommand_prints_the_usage(capsys):
    assert main(["image"]) == 2
    assert "denoise" in capsys.readouterr().err
