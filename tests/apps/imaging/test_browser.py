"""The image page end to end in Debian's Chromium (Playwright), on stand-in networks: a sample
through each task, an uploaded picture, a hole painted with the mouse, and bad uploads shown
as messages on the page while the server carries on.

Skipped, with the reason, without Playwright (``pip install playwright``), without
``/usr/bin/chromium`` (``apt-get install chromium``) or without scikit-image (the samples).
"""

from __future__ import annotations

import base64
import io
import os
import socket
import threading
import time

import numpy as np
import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
pytest.importorskip("skimage", reason="the samples need scikit-image: pip install "
                                      "'lamina[imaging]'")
Image = pytest.importorskip("PIL.Image")
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="Playwright is not installed: pip install playwright")
if not os.access(CHROMIUM, os.X_OK):
    pytest.skip(f"no browser: {CHROMIUM} is missing (apt-get install chromium)",
                allow_module_level=True)

from lamina.apps.imaging import engine, files  # noqa: E402
from tests.apps.conftest import tiny_model  # noqa: E402
from tests.apps.imaging import standins  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``lamina serve``'s app in a thread, the networks stood in for: ``url``."""
    import uvicorn

    from lamina.apps.recognizer.server import create_app
    from lamina.apps.recognizer.serving import protocol
    from lamina.datasets.symbols import CLASSES

    saved = engine._cache
    engine._cache = {task: engine.Network.of(model) for task, model in {
        "denoise": standins.plain(), "upscale": standins.upscaler(),
        "colorize": standins.plain(1, 3, seed=5),
        "inpaint": standins.encoder_decoder(4, 3, seed=9)}.items()}
    model = tmp_path_factory.mktemp("model") / "tiny.lamina"
    tiny_model(len(CLASSES)).save(model)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(model, tmp_path_factory.mktemp("data"))
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                       http=protocol()))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=10)
    engine._cache = saved


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        except Exception as error:  # noqa: BLE001 - a broken install is a skip, with the reason
            pytest.skip(f"Chromium does not start: {str(error).splitlines()[0]}")
        yield chromium
        chromium.close()


@pytest.fixture
def page(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/imaging")
    page.wait_for_function("document.body.dataset.ready === '1'")
    yield page
    page.close()


def _run(page):
    """Click Run and wait for its answer; the status line's text."""
    runs = int(page.evaluate("document.body.dataset.runs || 0"))
    page.click("#run")
    page.wait_for_function(f"Number(document.body.dataset.runs || 0) > {runs}")
    return page.text_content("#status")


def _shown(page, selector):
    url = page.get_attribute(selector, "src")
    return files.decode(base64.b64decode(url.split(",", 1)[1]))


@pytest.mark.parametrize("task,shape", [("denoise", (400, 600, 3)), ("upscale", (400, 600, 3)),
                                        ("colorize", (400, 600, 3))])
def test_a_sample_through_each_task_shows_input_result_original_and_psnr(page, task, shape):
    import skimage.data

    assert page.input_value("#sample") == "coffee"
    page.check(f'input[name="task"][value="{task}"]')
    text = _run(page)
    assert "dB" in text and not page.locator("#status.error").count(), text
    assert page.get_attribute("#results", "data-task") == task
    assert _shown(page, "#out-result").shape == shape
    assert (_shown(page, "#out-original") == skimage.data.coffee()).all()
    assert "PSNR" in page.text_content("#psnr-result")
    assert page.is_visible("#out-input") and page.is_visible("#out-original")


def test_a_hole_painted_with_the_mouse_is_filled(page):
    import skimage.data

    page.select_option("#sample", "chelsea")
    page.wait_for_function("document.querySelector('#picture-note').textContent"
                           ".startsWith('451×300')")
    page.check('input[name="task"][value="inpaint"]')
    assert "paint the hole" in _run(page)                # nothing painted yet: said so
    assert page.locator("#status.error").count() == 1
    box = page.locator("#mask").bounding_box()
    sx, sy = box["width"] / 451, box["height"] / 300     # picture pixels -> screen
    page.mouse.move(box["x"] + 200 * sx, box["y"] + 150 * sy)
    page.mouse.down()
    page.mouse.move(box["x"] + 260 * sx, box["y"] + 150 * sy, steps=8)
    page.mouse.up()
    assert "dB" in _run(page)
    hole = (_shown(page, "#out-input") == 128).all(axis=2)
    rows, cols = np.nonzero(hole)
    assert hole.sum() > 300 and 140 <= np.median(rows) <= 160 and 215 <= np.median(cols) <= 245
    result, original = _shown(page, "#out-result"), skimage.data.chelsea()
    assert (result[~hole] == original[~hole]).all() and (result[hole] != original[hole]).any()
    page.click("#clear-mask")
    assert "paint the hole" in _run(page)


def _upload(page, tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    page.set_input_files("#upload", str(path))


def test_an_uploaded_picture_is_used_and_a_large_one_reduced(page, tmp_path):
    rgb = np.random.default_rng(0).integers(0, 256, (90, 120, 3), dtype=np.uint8)
    _upload(page, tmp_path, "mine.png", files.encode(rgb))
    page.wait_for_function("document.querySelector('#status').textContent === 'Uploaded'")
    assert page.text_content("#picture-note").startswith("120×90")
    page.check('input[name="use"][value="input"]')
    assert _run(page) == "denoise: done"
    assert _shown(page, "#out-result").shape == (90, 120, 3)
    assert not page.is_visible("#out-original")
    big = np.zeros((1200, 1600, 3), np.uint8)
    _upload(page, tmp_path, "big.png", files.encode(big))
    page.wait_for_function("document.querySelector('#status').textContent.includes('reduced')")
    assert "reduced from 1600x1200 to 591x443" in page.text_content("#picture-note")


@pytest.mark.parametrize("name,data,message", [
    ("notes.png", b"these are my notes, not a picture", "not an image this tool reads"),
    ("empty.png", b"", "is empty"),
    ("huge.png", "BOMB", "100.0 megapixels"),
])
def test_bad_uploads_are_a_message_on_the_page_and_the_server_carries_on(
        page, tmp_path, name, data, message):
    if data == "BOMB":
        out = io.BytesIO()
        Image.new("L", (10000, 10000)).save(out, "PNG")
        data = out.getvalue()
    _upload(page, tmp_path, name, data)
    page.wait_for_function("document.querySelector('#status.error') !== null")
    assert message in page.text_content("#status")
    assert "dB" in _run(page)                    # the sample still there, the server too
