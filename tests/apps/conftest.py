"""Fixtures for the recognizer's tests: a tiny seeded model (untrained: the API tests check
plumbing, not accuracy), an app on a temporary data directory, and drawings."""

from __future__ import annotations

import base64
import io
import math
import warnings

import pytest

from lamina.datasets.symbols import CLASSES

# Drawings in page coordinates (a 420 px canvas).
PLUS = [[[210, 80], [212, 200], [210, 330]], [[90, 205], [210, 208], [330, 204]]]
ONE = [[[170, 120], [215, 70], [214, 200], [216, 350]]]
EQUALS = [[[100, 160], [220, 162], [320, 160]], [[100, 260], [220, 262], [320, 258]]]
ZERO = [[[210 + 90 * math.cos(t / 10), 210 + 130 * math.sin(t / 10)] for t in range(64)]]
ARROW = [[[60, 210], [200, 212], [350, 210]], [[290, 160], [352, 210], [290, 262]]]
# Similar symbols (issue 20: a drawn α came back as ∝ at 100 %), written point by point as a
# hand draws them on the page, not taken from the generator: α as a "fish" (a loop whose two
# straight ends cross and stop on the right), once each way round and with a flicked end; ∝
# with its ends bending out level; × as two strokes; x as two bowed strokes.
ALPHA_FISH = [[[300, 118], [284, 140], [266, 166], [246, 196], [224, 228], [200, 258],
               [174, 282], [146, 296], [118, 292], [98, 270], [90, 238], [96, 204], [114, 176],
               [142, 160], [172, 164], [200, 186], [226, 216], [250, 248], [274, 280],
               [302, 306]]]
ALPHA_FLICK = [[[312, 150], [296, 162], [270, 190], [244, 224], [218, 256], [190, 282],
                [160, 298], [130, 296], [108, 278], [98, 248], [102, 214], [120, 186],
                [148, 170], [178, 172], [206, 192], [230, 222], [252, 256], [270, 284],
                [288, 300], [306, 304], [322, 296]]]
ALPHA_UP = [[[286, 296], [262, 266], [238, 236], [212, 206], [186, 182], [156, 168], [128, 172],
             [106, 196], [100, 230], [108, 262], [132, 284], [162, 288], [190, 270], [214, 240],
             [238, 204], [260, 170], [284, 140]]]
PROPTO = [[[340, 152], [312, 159], [282, 179], [252, 210], [222, 244], [192, 271], [160, 281],
           [130, 271], [110, 241], [106, 203], [118, 169], [142, 145], [172, 142], [202, 162],
           [232, 196], [262, 230], [292, 258], [322, 271], [346, 271]]]
PROPTO_SMALL = [[[300, 170], [276, 182], [250, 206], [226, 234], [200, 258], [174, 266],
                 [150, 254], [136, 226], [136, 190], [150, 166], [174, 158], [200, 174],
                 [226, 202], [252, 230], [278, 250], [304, 254]]]
TIMES = [[[150, 150], [210, 210], [270, 270]], [[270, 150], [210, 210], [150, 270]]]
X_BOWED = [[[160, 140], [188, 150], [206, 176], [214, 210], [222, 246], [240, 274], [266, 284]],
           [[272, 146], [246, 156], [226, 182], [214, 212], [200, 246], [180, 272], [150, 282]]]


def tiny_model(n_outputs: int, seed: int = 0, activation: str = "softmax"):
    from lamina import layers, models

    init = {"class_name": "GlorotUniform", "config": {"seed": seed}}
    return models.Sequential([
        layers.Input((32, 32, 1)),
        layers.Conv2D(4, 3, activation="relu", kernel_initializer=init),
        layers.MaxPooling2D(4),
        layers.Flatten(),
        layers.Dense(n_outputs, activation=activation, kernel_initializer=init),
    ])


@pytest.fixture(scope="session")
def model_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "tiny.lamina"
    tiny_model(len(CLASSES)).save(path)
    return path


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


def make_client(model_path, data_dir, client_options=None, **app_options):
    """A TestClient on a fresh app (``create_app(..., **app_options)``), asking for
    ``http://127.0.0.1`` (the app answers to its own names only). The web extra and httpx are
    needed: tests that use this importorskip them first."""
    from lamina.apps.recognizer.server import create_app

    with warnings.catch_warnings():  # starlette nags about its httpx transport; irrelevant
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    options = {"base_url": "http://127.0.0.1", **(client_options or {})}
    return TestClient(create_app(model_path, data_dir, **app_options), **options)


@pytest.fixture
def client(model_path, data_dir):
    with make_client(model_path, data_dir) as test_client:
        yield test_client


def png_bytes(strokes=PLUS, size=(420, 420), mode="RGBA", paper=(0, 0, 0, 0),
              ink=(0, 0, 0, 255), width=10) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new(mode, size, paper)
    draw = ImageDraw.Draw(img)
    for stroke in strokes:
        draw.line([tuple(p) for p in stroke], fill=ink, width=width, joint="curve")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def data_url(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say why the browser test was skipped, also without ``-rs`` (a bare ``s`` in CI's log
    would hide that Chromium or Playwright is missing)."""
    chars = (getattr(config.option, "reportchars", "") or "").lower()
    if "s" in chars or "a" in chars:
        return  # pytest prints the reasons itself
    for report in terminalreporter.stats.get("skipped", []):
        if "test_browser" in report.nodeid and isinstance(report.longrepr, tuple):
            terminalreporter.write_line(f"SKIPPED {report.nodeid}: {report.longrepr[2]}")
