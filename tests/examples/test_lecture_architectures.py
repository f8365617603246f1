"""The architectures lecture: the table's counts are the published ones, the small variants
train, and the figure is drawn."""

from pathlib import Path

import pytest

from lamina import lectures
from tests.examples.conclusions import assert_same_as_full_run
from tests.examples.data import needs_fashion_mnist

LECTURES = Path(__file__).resolve().parents[2] / "examples" / "lectures"


@needs_fashion_mnist
def test_architectures_table_and_small_variants(tmp_path):
    pytest.importorskip("matplotlib")
    r = lectures.run("architectures", tmp_path, quick=True, directory=LECTURES)
    assert_same_as_full_run("architectures", r)
    table = {row["name"]: row for row in r["table"]}
    assert table["VGG16"]["params"] == 138_357_544
    assert table["VGG19"]["params"] == 143_667_240
    assert table["ResNet50"]["params"] == 25_636_712
    assert table["AlexNet"]["params"] == 60_965_224
    # multiply-adds of VGG16's convolutions at 224x224 plus its dense layers
    convs = [(224, 3, 64), (224, 64, 64), (112, 64, 128), (112, 128, 128),
             (56, 128, 256), (56, 256, 256), (56, 256, 256), (28, 256, 512),
             (28, 512, 512), (28, 512, 512), (14, 512, 512), (14, 512, 512), (14, 512, 512)]
    macs = sum(s * s * 9 * a * b for s, a, b in convs) + 25088 * 4096 + 4096 * 4096 + 4096 * 1000
    assert table["VGG16"]["macs"] == macs
    assert table["VGG16"]["dense_share"] == pytest.approx(123_642_856 / 138_357_544)
    markdown = (tmp_path / "architectures.md").read_text()
    assert "| VGG16 | 224x224x3 | 138,357,544 | 15.47 G |" in markdown
    small = {row["name"]: row for row in r["small"]}
    assert list(small) == ["LeNet-5", "VGG-ish", "Inception-ish", "ResNet-ish"]
    assert small["LeNet-5"]["params"] == 61_706
    # two epochs on 2,048 images (64 steps), 500 test images; chance 0.1. Measured: LeNet-5
    # 0.75, Inception-ish (the slowest to start) 0.47, ResNet-ish 0.74
    assert small["LeNet-5"]["accuracy"] > 0.6
    assert all(len(row["curve"]) == 2 and row["seconds"] > 0 for row in small.values())
    figure = tmp_path / "architectures.png"
    assert figure.stat().st_size > 20_000
