"""The image-to-image lecture (examples/lectures/image_to_image.py) in quick mode, with the
shipped networks: its figures, and the numbers it prints are the pictures' own."""

from __future__ import annotations

import numpy as np
import pytest

from tests.examples.conclusions import assert_same_as_full_run
from tests.examples.test_lectures_advanced import assert_figures, run

pytest.importorskip("skimage", reason="the lecture's photographs: pip install 'lamina[imaging]'")
pytest.importorskip("matplotlib")


def test_image_to_image_lecture_shows_each_task_beside_its_classical_method(tmp_path):
    result = run("image_to_image", tmp_path)
    assert_same_as_full_run("image_to_image", result)
    assert_figures(tmp_path, "image_to_image.png", "psnr_table.png")
    cases = result["cases"]
    assert list(cases) == ["denoise", "upscale", "colorize", "inpaint"]
    for task, psnr in cases.items():
        assert all(np.isfinite(v) and 5 < v < 60 for v in psnr.values()), (task, psnr)
    # the shipped upscaler beats bicubic, which beats the blocky nearest enlargement
    assert cases["upscale"]["cnn"] > cases["upscale"]["classical"] > cases["upscale"]["input"]
    # the gray image is the colorization baseline: same picture, same PSNR
    assert cases["colorize"]["input"] == cases["colorize"]["classical"]
    table = (tmp_path / "psnr_table.md").read_text().splitlines()
    assert len(table) == 2 + 4 and table[2].startswith("| denoise | PSNR |")
    summary = (tmp_path / "summary.txt").read_text()
    assert f"CNN {cases['upscale']['cnn']:6.2f}" in summary
