"""The recognizer's HTTP API through FastAPI's TestClient: every endpoint, every bad input,
and drawings surviving a restart."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
pytest.importorskip("PIL")
pytest.importorskip("multipart")

from lamina.apps.recognizer.server import MAX_BODY  # noqa: E402
from lamina.datasets.symbols import CLASSES  # noqa: E402
from tests.apps.conftest import ONE, PLUS, data_url, make_client, png_bytes  # noqa: E402


def _check_results(response, k=10):
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert len(results) == k
    assert all(set(r) == {"latex", "unicode", "probability"} for r in results)
    probs = [r["probability"] for r in results]
    assert probs == sorted(probs, reverse=True)
    assert all(0.0 <= p <= 1.0 for p in probs) and sum(probs) <= 1.0 + 1e-5
    known = {s.latex: s.unicode for s in CLASSES}
    assert all(known[r["latex"]] == r["unicode"] for r in results)
    return results


# ------------------------------------------------------------------------------ GET
def test_page_and_its_assets_are_served_without_any_cdn(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<canvas id="pad"' in html and 'id="undo"' in html and 'id="clear"' in html
    assert 'id="tab-train"' in html and 'name="viewport"' in html
    for asset in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert asset.startswith("/static/") or asset in ("/imaging", "/review"), \
            f"{asset} is not served by the app"
        assert client.get(asset).status_code == 200
    script = client.get("/static/app.js").text
    assert "pointerdown" in script and "touchstart" in script  # mouse, pen and touch
    assert "/api/classify" in script and "/api/drawings" in script
    for text in (html, script, client.get("/static/style.css").text):
        assert "http://" not in text and "https://" not in text  # works offline


def test_health(client):
    body = client.get("/health").json()
    assert body == {"status": "ok", "classes": len(CLASSES), "drawings": 0}


def test_symbols_lists_every_class_with_its_drawing_count(client):
    symbols = client.get("/api/symbols").json()["symbols"]
    assert len(symbols) == len(CLASSES)
    heart = next(s for s in symbols if s["latex"] == r"\heartsuit")
    assert heart["unicode"] == "♡" and heart["drawings"] == 0
    client.post("/api/drawings", json={"label": r"\heartsuit", "strokes": PLUS})
    symbols = client.get("/api/symbols").json()["symbols"]
    assert next(s for s in symbols if s["latex"] == r"\heartsuit")["drawings"] == 1


# ------------------------------------------------------------------------- classify
def test_classify_strokes_returns_top_10_then_top_k(client):
    _check_results(client.post("/api/classify", json={"strokes": PLUS}))
    _check_results(client.post("/api/classify", json={"strokes": PLUS, "k": 3}), k=3)


def test_classify_accepts_png_as_data_url_upload_and_raw_body(client):
    png = png_bytes(PLUS)
    by_url = _check_results(client.post("/api/classify", json={"image": data_url(png)}))
    upload = client.post("/api/classify", files={"file": ("plus.png", png, "image/png")})
    raw = client.post("/api/classify", content=png, headers={"content-type": "image/png"})
    assert _check_results(upload) == by_url == _check_results(raw)


def test_same_drawing_gives_the_same_answer_every_time(client):
    first = client.post("/api/classify", json={"strokes": ONE}).json()
    assert all(client.post("/api/classify", json={"strokes": ONE}).json() == first
               for _ in range(3))


@pytest.mark.parametrize("body, message", [
    ({"image": "data:text/plain;base64,aGVsbG8="}, "must hold an image"),
    ({"image": "data:image/png;base64,@@not base64@@"}, "base64 payload is malformed"),
    ({"image": "data:image/png,rawbytes"}, "base64"),
    ({"image": "iVBORw0KGgo="}, "must be a data URL"),
    ({"image": "data:image/png;base64,aGVsbG8gd29ybGQ="}, "only PNG images are accepted"),
    ({"image": "data:image/png;base64,"}, "empty"),
    ({"image": 12}, "data URL"),
    ({"strokes": "a plus"}, "strokes must be a list"),
    ({"strokes": [[["x", 1]]]}, "finite numbers"),
    ({"strokes": [[[1]]]}, "a point must be"),
    ({"strokes": [5]}, "stroke 0 must be a list"),
    ({"k": 3}, "send a drawing"),
])
def test_bad_drawings_are_400_with_a_message(client, body, message):
    response = client.post("/api/classify", json=body)
    assert response.status_code == 400
    assert message in response.json()["detail"]


@pytest.mark.parametrize("content, ctype, message", [
    (b"{not json", "application/json", "not valid JSON"),
    (b"[1, 2]", "application/json", "must be an object"),
    (b"", "application/json", "the body is empty"),
    (b"\x89PNG\r\n\x1a\n broken", "image/png", "not a readable image"),
    (b'{"strokes": [[[NaN, 1], [2, 3]]]}', "application/json", "finite"),
])
def test_malformed_bodies_are_400(client, content, ctype, message):
    response = client.post("/api/classify", content=content, headers={"content-type": ctype})
    assert response.status_code == 400 and message in response.json()["detail"]


def test_a_non_image_upload_is_400(client):
    response = client.post("/api/classify", files={"file": ("notes.txt", b"hello", "text/plain")})
    assert response.status_code == 400 and "only PNG" in response.json()["detail"]


def test_an_image_with_too_many_pixels_is_400(client):
    png = png_bytes([[[0, 0], [10, 10]]], size=(5000, 5000), mode="1", paper=1, ink=0)
    assert len(png) < MAX_BODY  # small on the wire, huge in memory
    response = client.post("/api/classify", content=png, headers={"content-type": "image/png"})
    assert response.status_code == 400 and "4096x4096" in response.json()["detail"]


@pytest.mark.parametrize("body", [
    {"strokes": []},
    {"strokes": [[], []]},
    {"image": data_url(png_bytes([]))},  # a blank, transparent canvas
    {"image": data_url(png_bytes([], mode="RGB", paper=(255, 255, 255)))},  # blank paper
])
def test_an_empty_drawing_is_422_nothing_drawn(client, body):
    response = client.post("/api/classify", json=body)
    assert response.status_code == 422 and response.json()["detail"] == "nothing drawn"


@pytest.mark.parametrize("k", [0, -1, 10_000, "ten", 2.5, True])
def test_bad_k_is_422(client, k):
    response = client.post("/api/classify", json={"strokes": PLUS, "k": k})
    assert response.status_code == 422 and "k must be" in response.json()["detail"]


def test_a_body_over_512_kb_is_413(client):
    big = b'{"strokes": [], "pad": "' + b"x" * MAX_BODY + b'"}'
    response = client.post("/api/classify", content=big,
                           headers={"content-type": "application/json"})
    assert response.status_code == 413 and "512 KB" in response.json()["detail"]
    upload = client.post("/api/drawings", files={"file": ("a.png", b"\0" * (MAX_BODY + 1))})
    assert upload.status_code == 413


def test_a_streamed_body_without_length_over_512_kb_is_413(client):
    def chunks():  # chunked transfer encoding: no Content-Length header
        for _ in range(9):
            yield b"x" * (64 * 1024)

    response = client.post("/api/classify", content=chunks(),
                           headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_a_body_just_under_the_limit_is_read(client):
    body = b'{"strokes": [[[0, 0], [5, 9]]], "pad": "' + b"x" * (MAX_BODY - 100) + b'"}'
    assert len(body) <= MAX_BODY
    response = client.post("/api/classify", content=body,
                           headers={"content-type": "application/json"})
    _check_results(response)


def test_an_internal_error_is_a_500_and_the_server_keeps_serving(model_path, data_dir):
    with make_client(model_path, data_dir, {"raise_server_exceptions": False}) as client:
        recognizer = client.app.state.recognizer

        def broken(images):
            raise RuntimeError("boom")

        good = recognizer.predict
        recognizer.predict = broken
        response = client.post("/api/classify", json={"strokes": PLUS})
        assert response.status_code == 500 and "RuntimeError" in response.json()["detail"]
        recognizer.predict = good
        _check_results(client.post("/api/classify", json={"strokes": PLUS}))


# -------------------------------------------------------------------------- drawings
def test_store_a_vote_and_a_training_drawing(client):
    first = client.post("/api/drawings", json={"label": r"\alpha", "strokes": ONE})
    assert first.status_code == 201
    assert first.json() == {"id": 1, "label": r"\alpha", "unicode": "α", "mode": "vote",
                            "count": 1, "total": 1}
    second = client.post("/api/drawings", json={"label": "α", "mode": "train",
                                                "image": data_url(png_bytes(ONE))})
    assert second.status_code == 201
    assert second.json()["label"] == r"\alpha" and second.json()["count"] == 2
    upload = client.post("/api/drawings", data={"label": "+", "mode": "train"},
                         files={"file": ("plus.png", png_bytes(PLUS), "image/png")})
    assert upload.status_code == 201 and upload.json()["total"] == 3
    store = client.app.state.store
    assert store.counts() == {r"\alpha": 2, "+": 1}
    assert store.get(1)["strokes"] == ONE and store.get(1)["mode"] == "vote"
    assert store.get(3)["mode"] == "train"


@pytest.mark.parametrize("label", [r"\alpah", "", None, 7, "'; DROP TABLE drawings; --"])
def test_unknown_labels_are_422_and_nothing_is_stored(client, label):
    response = client.post("/api/drawings", json={"label": label, "strokes": ONE})
    assert response.status_code == 422 and "unknown label" in response.json()["detail"]
    assert client.get("/health").json()["drawings"] == 0


def test_an_unknown_label_gets_a_suggestion(client):
    detail = client.post("/api/drawings", json={"label": r"\alpah", "strokes": ONE}).json()
    assert r"did you mean '\\alpha'" in detail["detail"]


def test_bad_mode_bad_or_empty_drawing_store_nothing(client):
    bad_mode = client.post("/api/drawings", json={"label": "1", "mode": "x", "strokes": ONE})
    assert bad_mode.status_code == 422 and "mode must be" in bad_mode.json()["detail"]
    empty = client.post("/api/drawings", json={"label": "1", "strokes": []})
    assert empty.status_code == 422 and empty.json()["detail"] == "nothing drawn"
    bad = client.post("/api/drawings", json={"label": "1", "image": "data:image/png;base64,!"})
    assert bad.status_code == 400
    assert client.get("/health").json()["drawings"] == 0


def test_drawings_survive_a_restart(model_path, data_dir):
    with make_client(model_path, data_dir) as client:
        for label in (r"\heartsuit", r"\heartsuit", "+"):
            assert client.post("/api/drawings", json={"label": label,
                                                      "strokes": PLUS}).status_code == 201
        image = client.app.state.store.get(1)["image"]
    with make_client(model_path, data_dir) as client:  # a new app: the server restarted
        assert client.get("/health").json()["drawings"] == 3
        counts = {s["latex"]: s["drawings"] for s in client.get("/api/symbols").json()["symbols"]}
        assert counts[r"\heartsuit"] == 2 and counts["+"] == 1
        assert (client.app.state.store.get(1)["image"] == image).all()
        assert client.post("/api/drawings", json={"label": "+",
                                                  "strokes": PLUS}).json()["id"] == 4


def test_the_server_answers_after_every_kind_of_bad_input(client):
    for body in ({"strokes": "x"}, {"image": "data:,"}, {"strokes": []}, {"label": 3}):
        client.post("/api/classify", json=body)
        client.post("/api/drawings", json=body)
    client.post("/api/classify", content=b"\xff" * 100, headers={"content-type": "image/gif"})
    client.post("/api/classify", content=b"--x\r\n", headers={
        "content-type": "multipart/form-data; boundary=x"})
    assert client.get("/health").json()["status"] == "ok"
    _check_results(client.post("/api/classify", json={"strokes": PLUS}))
