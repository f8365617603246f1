"""End to end in a real browser: Playwright drives Debian's Chromium against ``lamina serve``'s
app with the shipped model. It draws symbols with the mouse, checks the right LaTeX is in the
top 3, stores a drawing with ✓, uses the Train tab, and checks the page fits a phone.

Skipped, with the reason, without Playwright (``pip install playwright``), without
``/usr/bin/chromium`` (``apt-get install chromium``) or without the shipped model. Set
``LAMINA_SCREENSHOT=docs/recognizer.png`` to save a screenshot of a drawing and its results.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
pytest.importorskip("PIL")
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="Playwright is not installed: pip install playwright")
if not os.access(CHROMIUM, os.X_OK):
    pytest.skip(f"no browser: {CHROMIUM} is missing (apt-get install chromium)",
                allow_module_level=True)

from lamina.apps.recognizer.model import DEFAULT_MODEL  # noqa: E402
from tests.apps.conftest import ARROW, EQUALS, ONE, PLUS, ZERO  # noqa: E402

if not DEFAULT_MODEL.is_file():
    pytest.skip(f"the shipped model {DEFAULT_MODEL} is missing (lamina recognizer train)",
                allow_module_level=True)

# Symbol -> strokes in a 420 px box (the tests' drawings), and the LaTeX expected in the top 3.
SYMBOLS = {"1": ONE, "+": PLUS, "=": EQUALS, "0": ZERO, r"\rightarrow": ARROW}


def _serve(data_dir, **options):
    """``lamina serve``'s app and protocol in a thread: ``(url, app, stop)``."""
    import uvicorn

    from lamina.apps.recognizer.server import create_app
    from lamina.apps.recognizer.serving import protocol

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(None, data_dir, **options)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            http=protocol())
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)

    def stop():
        uv.should_exit = True
        thread.join(timeout=10)

    return f"http://127.0.0.1:{port}", app, stop


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    url, app, stop = _serve(tmp_path_factory.mktemp("browser-data"))
    yield url, app
    stop()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        except Exception as error:  # noqa: BLE001 - a broken install is a skip, with the reason
            pytest.skip(f"Chromium does not start: {str(error).splitlines()[0]}")
        yield chromium
        chromium.close()


def _draw(page, strokes):
    box = page.locator("#pad").bounding_box()
    scale = box["width"] / 420
    for stroke in strokes:
        points = [(box["x"] + x * scale, box["y"] + y * scale) for x, y in stroke]
        page.mouse.move(*points[0])
        page.mouse.down()
        for point in points[1:]:
            page.mouse.move(*point, steps=4)
        page.mouse.up()


def _top(page, n=3):
    page.wait_for_function("document.querySelectorAll('#results .result').length === 10")
    return page.eval_on_selector_all(
        "#results .result", f"rows => rows.slice(0, {n}).map(r => r.dataset.latex)")


def _settle(page):
    """Wait until the answer of the last stroke is shown: the page marks the request it asked
    last and the one whose answer it shows (it drops stale answers). Waiting for the network
    to be idle is not enough: that load state, once reached, stays reached, so on a busy
    machine the answer to the first stroke of a symbol could be read."""
    page.wait_for_function("(() => { const r = document.querySelector('#results');"
                           " return !!r.dataset.asked && r.dataset.asked === r.dataset.answered;"
                           " })()")
    return _top(page)


@pytest.mark.parametrize("latex", list(SYMBOLS))
def test_a_drawn_symbol_has_its_latex_in_the_top_3(server, browser, latex):
    url, _ = server
    page = browser.new_page(viewport={"width": 1000, "height": 760})
    page.goto(url)
    _draw(page, SYMBOLS[latex])
    top3 = _settle(page)
    assert latex in top3, f"drew {latex}, got {top3}"
    page.close()


def test_vote_stores_the_drawing_and_undo_clear_work(server, browser):
    url, app = server
    page = browser.new_page(viewport={"width": 1000, "height": 760})
    page.goto(url)
    before = app.state.store.count("+")
    _draw(page, EQUALS)
    page.click("#undo")  # back to one bar
    page.click("#clear")
    assert page.locator("#results .result").count() == 0
    _draw(page, PLUS)
    _settle(page)
    row = page.locator('#results .result[data-latex="+"]')
    row.locator(".code").click()
    page.wait_for_function("document.querySelector('#status').textContent.includes('Copied')")
    if os.environ.get("LAMINA_SCREENSHOT"):
        path = Path(os.environ["LAMINA_SCREENSHOT"])
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path))
    row.locator(".vote").click()
    page.wait_for_function("document.querySelector('#status').textContent.includes('Stored')")
    assert app.state.store.count("+") == before + 1
    stored = app.state.store.get(max(d for d in range(1, app.state.store.count() + 1)))
    assert stored["label"] == "+" and stored["mode"] == "vote" and len(stored["strokes"]) == 2
    assert page.locator("#results .result").count() == 0  # the pad is clear for the next one
    page.close()


def test_train_tab_asks_for_a_symbol_and_stores_it(server, browser):
    url, app = server
    page = browser.new_page(viewport={"width": 1000, "height": 760})
    page.goto(url)
    page.click("#tab-train")
    page.wait_for_function("document.querySelector('#train-latex').textContent.length > 0")
    asked = page.text_content("#train-latex")
    assert page.is_visible("#train-prompt") and not page.is_visible("#answers")
    before = app.state.store.count(asked)
    _draw(page, ZERO)
    dialogs = []
    page.once("dialog", lambda dialog: dialogs.append(dialog.message) or dialog.accept())
    page.click("#train-submit")
    page.wait_for_function("document.querySelector('#status').textContent.includes('Stored')")
    assert app.state.store.count(asked) == before + 1
    # the symbol asked for is drawn at random: when the model's top 3 for this 0 miss it,
    # the page asked before storing (a random O or o, say, is stored without a question;
    # test_train_tab_asks_before_storing... checks both cases on fixed symbols)
    assert all(f"not {asked}. Store it as {asked} anyway?" in m for m in dialogs)
    assert len(dialogs) <= 1
    page.close()


def _ask_for(page, latex):
    """Make the Train tab ask for ``latex`` (as nextTarget does, with that symbol)."""
    page.evaluate("""latex => {
        state.target = state.symbols.find(s => s.latex === latex);
        $("train-char").textContent = state.target.unicode;
        $("train-latex").textContent = state.target.latex;
        $("train-latex").hidden = state.target.latex === state.target.unicode;
    }""", latex)


def test_train_tab_asks_before_storing_a_drawing_that_is_not_the_prompted_symbol(
        server, browser):
    url, app = server
    page = browser.new_page(viewport={"width": 1000, "height": 760})
    page.goto(url)
    page.click("#tab-train")
    page.wait_for_function("document.querySelector('#train-latex').textContent.length > 0")
    _ask_for(page, "y")
    assert page.inner_text("#train-prompt").split() == ["Draw", "y"]  # not "Draw y y"
    _ask_for(page, r"\alpha")
    assert page.inner_text("#train-prompt").split() == ["Draw", "α", r"\alpha"]
    _ask_for(page, "y")
    before = app.state.store.count("y")
    _draw(page, PLUS)
    dialogs = []
    page.once("dialog", lambda dialog: dialogs.append(dialog.message) or dialog.dismiss())
    page.click("#train-submit")
    page.wait_for_function("document.querySelector('#status').textContent.includes('Not stored')")
    assert "reads this drawing as +" in dialogs[0] and "not y." in dialogs[0]
    assert app.state.store.count("y") == before      # dismissed: nothing stored
    assert page.inner_text("#train-prompt").split() == ["Draw", "y"]  # still asking for y
    # the drawing of the prompted symbol itself is stored without a question
    _ask_for(page, "+")
    page.on("dialog", lambda dialog: dialogs.append(dialog.message) or dialog.dismiss())
    before = app.state.store.count("+")
    page.click("#train-submit")
    page.wait_for_function("document.querySelector('#status').textContent.includes('Stored')")
    assert app.state.store.count("+") == before + 1 and len(dialogs) == 1
    page.close()


def test_the_page_fits_a_phone(server, browser):
    url, _ = server
    context = browser.new_context(viewport={"width": 375, "height": 740}, has_touch=True,
                                  is_mobile=True, device_scale_factor=2)
    page = context.new_page()
    page.goto(url)
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    box = page.locator("#pad").bounding_box()
    assert 300 <= box["width"] <= 375 and abs(box["width"] - box["height"]) < 2
    _draw(page, ONE)
    _settle(page)
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    vote = page.locator("#results .result .vote").first.bounding_box()
    assert vote["x"] + vote["width"] <= 375 and vote["height"] >= 32  # a finger can hit it
    context.close()


def test_with_a_token_the_page_from_the_printed_address_stores_and_without_it_says_why(
        tmp_path, browser):
    url, app, stop = _serve(tmp_path / "data", token="page-token-1")
    try:
        page = browser.new_page(viewport={"width": 1000, "height": 760})
        page.goto(f"{url}/?token=page-token-1")
        assert "token" not in page.url  # taken out of the address bar (and of screenshots)
        _draw(page, PLUS)
        _settle(page)
        page.locator('#results .result[data-latex="+"] .vote').click()
        page.wait_for_function("document.querySelector('#status').textContent.includes('Stored')")
        assert app.state.store.count("+") == 1
        page.reload()  # the tab keeps the token
        _draw(page, PLUS)
        _settle(page)
        page.locator('#results .result[data-latex="+"] .vote').click()
        page.wait_for_function("document.querySelector('#status').textContent.includes('Stored')")
        assert app.state.store.count("+") == 2
        page.close()

        stranger = browser.new_page(viewport={"width": 1000, "height": 760})
        stranger.goto(url)  # no token: classifying works, storing is refused with the reason
        _draw(stranger, PLUS)
        _settle(stranger)
        stranger.locator('#results .result[data-latex="+"] .vote').click()
        stranger.wait_for_function(
            "document.querySelector('#status').textContent.includes('token')")
        assert stranger.locator("#status.error").count() == 1
        assert app.state.store.count("+") == 2
        stranger.close()
    finally:
        stop()


def test_search_finds_any_symbol_by_latex_or_name_and_stores_under_it(server, browser):
    url, app = server
    page = browser.new_page(viewport={"width": 1000, "height": 760})
    page.goto(url)
    _draw(page, PLUS)
    _settle(page)

    def found(query):
        page.fill("#search", query)
        page.wait_for_function("document.querySelectorAll('#search-results .result').length > 0")
        return page.eval_on_selector_all("#search-results .result",
                                         "rows => rows.map(r => r.dataset.latex)")

    assert found(r"\heartsuit")[0] == r"\heartsuit"      # by LaTeX command
    assert found("heartsuit")[0] == r"\heartsuit"        # without the backslash
    assert found("lamda")[0] == r"\lambda"               # by the glyph's Unicode name
    assert r"\alpha" in found("greek small letter alp")
    assert found("α")[0] == r"\alpha"                    # by the glyph itself
    before = app.state.store.count(r"\heartsuit")
    found("heart")
    page.locator('#search-results .result[data-latex="\\\\heartsuit"] .vote').click()
    page.wait_for_function("document.querySelector('#status').textContent.includes('Stored')")
    assert app.state.store.count(r"\heartsuit") == before + 1
    assert page.input_value("#search") == ""                # ready for the next drawing
    assert page.locator("#search-results .result").count() == 0
    page.close()


def test_a_phone_shows_the_top_3_without_scrolling(server, browser):
    url, _ = server
    context = browser.new_context(viewport={"width": 375, "height": 667}, has_touch=True,
                                  is_mobile=True, device_scale_factor=2)  # an iPhone 8's screen
    page = context.new_page()
    page.goto(url)
    _draw(page, ONE)
    _settle(page)
    assert page.evaluate("window.scrollY") == 0
    third = page.locator("#results .result").nth(2).bounding_box()
    assert third["y"] + third["height"] <= 667, third
    context.close()
