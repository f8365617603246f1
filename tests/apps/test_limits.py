"""What one request may cost (issue 14, section 4): the storage quota (507), PNG only, a few
PNG decodes at once, and the bodies that gave HTTP 500 (deep JSON, k=1e400, coordinates near
1.7e308), now 4xx."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import threading
import time

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
pytest.importorskip("PIL")
pytest.importorskip("multipart")

from lamina.apps.recognizer.limits import Busy, DecodeSlots  # noqa: E402
from tests.apps.conftest import ONE, PLUS, data_url, make_client, png_bytes  # noqa: E402


def _other_format(fmt: str) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (64, 64), "white")
    ImageDraw.Draw(image).line([(10, 32), (54, 32)], fill="black", width=5)
    buf = io.BytesIO()
    image.save(buf, fmt)
    return buf.getvalue()


# ----------------------------------------------------------------------- storage quota
def test_a_full_store_is_507_and_stores_nothing_more(model_path, data_dir):
    with make_client(model_path, data_dir, max_storage=64 * 1024) as client:
        codes = []
        for _ in range(200):
            response = client.post("/api/drawings", json={"label": "+", "strokes": PLUS})
            codes.append(response.status_code)
            if response.status_code != 201:
                break
        assert codes[-1] == 507 and set(codes[:-1]) == {201}, codes
        detail = response.json()["detail"]
        assert "store is full" in detail and "65,536 bytes" in detail and "--max-storage" in detail
        store = client.app.state.store
        stored = store.count()
        assert stored == len(codes) - 1 and store.size() <= 64 * 1024
        assert client.post("/api/drawings", json={"label": "1", "strokes": ONE}).status_code == 507
        assert store.count() == stored
        assert client.post("/api/classify", json={"strokes": PLUS}).status_code == 200


# ------------------------------------------------------------------------------ PNG only
@pytest.mark.parametrize("fmt", ["GIF", "JPEG", "BMP", "WEBP"])
def test_images_other_than_png_are_refused(client, fmt):
    data = _other_format(fmt)
    raw = client.post("/api/classify", content=data, headers={"content-type": "image/png"})
    assert raw.status_code == 400 and "only PNG" in raw.json()["detail"]
    upload = client.post("/api/drawings", data={"label": "+"},
                         files={"file": ("x.png", data, "image/png")})
    assert upload.status_code == 400 and "only PNG" in upload.json()["detail"]
    mime = f"image/{fmt.lower()}"
    by_url = client.post("/api/classify", json={"image": data_url(data, mime)})
    assert by_url.status_code == 400 and "only PNG" in by_url.json()["detail"]
    disguised = client.post("/api/classify", json={"image": data_url(data)})  # image/png URL
    assert disguised.status_code == 400 and "only PNG" in disguised.json()["detail"]
    assert client.app.state.store.count() == 0


# --------------------------------------------------------------- bodies that were a 500
@pytest.mark.parametrize("path", ["/api/classify", "/api/drawings"])
def test_json_nested_200k_deep_is_400(client, path):
    body = b'{"label": "+", "strokes": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400 and "too deeply" in response.json()["detail"]


def test_a_deep_strokes_form_field_is_400(client):
    response = client.post("/api/classify", data={"strokes": "[" * 50_000 + "]" * 50_000})
    assert response.status_code == 400 and "too deeply" in response.json()["detail"]


@pytest.mark.parametrize("k", ["1e400", "-1e400", "1e308"])
def test_k_beyond_any_integer_is_422(client, k):
    body = f'{{"strokes": {json.dumps(PLUS)}, "k": {k}}}'
    response = client.post("/api/classify", content=body,
                           headers={"content-type": "application/json"})
    assert response.status_code == 422 and "k must be" in response.json()["detail"]


@pytest.mark.parametrize("strokes", [
    [[[1.7e308, 0], [-1.7e308, 1.7e308]]],
    [[[1.7e308, 1.7e308], [0, 0]]],
    [[[1e308, 0], [0, 0]]],
    [[[0, 0], [1e10, 5]]],
])
@pytest.mark.parametrize("path", ["/api/classify", "/api/drawings"])
def test_coordinates_beyond_a_billion_are_400(client, strokes, path):
    response = client.post(path, json={"label": "+", "strokes": strokes})
    assert response.status_code == 400 and "within +-1e+09" in response.json()["detail"]
    assert client.app.state.store.count() == 0


def test_a_subnormal_extent_is_a_dot(client):
    dot = client.post("/api/classify", json={"strokes": [[[0, 0]]]}).json()
    tiny = client.post("/api/classify", json={"strokes": [[[0, 0], [5e-324, 0]]]})
    assert tiny.status_code == 200 and tiny.json() == dot


# ------------------------------------------------------------------- PNG decodes at once
def test_decode_slots_run_at_most_workers_at_once_and_refuse_a_long_queue():
    running, peak, lock = [0], [0], threading.Lock()

    def decode(x):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1
        return x

    async def burst():
        slots = DecodeSlots(workers=2, max_waiting=6)
        try:
            results = await asyncio.gather(*(slots.run(decode, i) for i in range(12)),
                                           return_exceptions=True)
        finally:
            slots.close()
        return results

    results = asyncio.run(burst())
    assert results[:8] == list(range(8))  # 2 running + 6 waiting
    assert all(isinstance(r, Busy) for r in results[8:])
    assert peak[0] == 2


def test_a_busy_decoder_is_503_with_retry_after(model_path, data_dir, monkeypatch):
    with make_client(model_path, data_dir) as client:
        slots = client.app.state.decode_slots
        monkeypatch.setattr(slots, "max_waiting", -slots.workers)  # every slot taken
        response = client.post("/api/classify", json={"image": data_url(png_bytes(PLUS))})
        assert response.status_code == 503 and response.headers["retry-after"] == "1"
        assert "busy" in response.json()["detail"]
        assert client.post("/api/classify", json={"strokes": PLUS}).status_code == 200


def test_a_png_data_url_of_the_page_still_works(client):
    png = png_bytes(PLUS)
    url = "data:image/png;base64," + base64.b64encode(png).decode()
    assert client.post("/api/classify", json={"image": url}).status_code == 200
