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
