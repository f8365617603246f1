"""The review page in a real browser (Playwright, Debian's Chromium): the stored drawings of
a symbol appear as thumbnails, Delete removes one; the calibration sentence is on the
drawing page. Skipped as tests/apps/test_browser.py is (no Playwright, Chromium or model).
Set ``LAMINA_SCREENSHOT_REVIEW=review.png`` to save a screenshot of the review page."""

from __future__ import annotations

import os

import pytest

from tests.apps.conftest import ONE, PLUS
from tests.apps.test_browser import _serve, browser  # noqa: F401 - the fixture


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    url, app, stop = _serve(tmp_path_factory.mktemp("review-data"))
    yield url, app
    stop()


def test_review_lists_thumbnails_and_deletes_one(server, browser):  # noqa: F811
    url, app = server
    store = app.state.store
    from lamina.apps.recognizer.model import strokes_to_image

    for strokes in (PLUS, ONE, ONE):                # a "+" among the y's: the wrong one
        store.add("y", strokes_to_image(strokes), mode="train")
    store.add(r"\alpha", strokes_to_image(ONE))
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    page.goto(f"{url}/review")
    page.wait_for_selector("#thumbnails .thumb")
    # the symbol with the most drawings is shown first: y, newest first
    assert page.locator("#drawings-title").inner_text() == "y"     # not "y y"
    assert page.locator("#thumbnails .thumb").count() == 3
    assert page.locator("#symbol-list .symbol").count() == 2
    ink = page.evaluate("""() => {
        const c = document.querySelector('#thumbnails canvas');
        const d = c.getContext('2d').getImageData(0, 0, 32, 32).data;
        let dark = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 128) dark++;
        return dark; }""")
    assert 20 < ink < 600            # a drawn symbol, dark on white
    if os.environ.get("LAMINA_SCREENSHOT_REVIEW"):
        page.screenshot(path=os.environ["LAMINA_SCREENSHOT_REVIEW"])
    oldest = page.locator("#thumbnails .thumb").last   # the "+", stored first
    oldest.get_by_role("button", name="Delete").click()
    page.wait_for_function("document.querySelectorAll('#thumbnails .thumb').length === 2")
    assert "Deleted drawing #1" in page.locator("#status").inner_text()
    assert store.count("y") == 2 and store.count() == 3
    # the drawing page shows the model's calibration under it
    page.goto(url)
    page.wait_for_function("document.getElementById('calibration').textContent.length > 0")
    assert "expected calibration error" in page.locator("#calibration").inner_text()
    page.close()
