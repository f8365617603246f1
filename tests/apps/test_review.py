"""The review page: stored drawings per symbol as thumbnails, deleting wrong ones (a write:
same origin, token, rate limit), and the calibration shown through /api/model."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
pytest.importorskip("PIL")
pytest.importorskip("multipart")

from lamina.apps.recognizer.model import strokes_to_image  # noqa: E402
from lamina.apps.recognizer.review import MAX_PAGE  # noqa: E402
from tests.apps.conftest import ONE, PLUS, make_client, tiny_model  # noqa: E402


def store(client, label, strokes, mode="vote"):
    response = client.post("/api/drawings", json={"label": label, "strokes": strokes,
                                                  "mode": mode})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_review_page_and_its_assets_work_offline(client):
    page = client.get("/review")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'id="thumbnails"' in page.text and 'id="symbol-list"' in page.text
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text):
        assert client.get(asset).status_code == 200
    script = client.get("/static/review.js").text
    assert "/api/drawings" in script and '"DELETE"' in script and "Authorization" in script
    assert "http://" not in script and "https://" not in script


def test_lists_the_drawings_of_a_symbol_newest_first_with_their_pixels(client):
    first = store(client, "y", PLUS)                 # a "+" stored under "y": a wrong one
    second = store(client, "y", ONE, mode="train")
    store(client, "+", PLUS)
    body = client.get("/api/drawings", params={"label": "y"}).json()
    assert body["label"] == "y" and body["total"] == 2 and body["offset"] == 0
    assert [d["id"] for d in body["drawings"]] == [second, first]
    assert [d["mode"] for d in body["drawings"]] == ["train", "vote"]
    # the thumbnail is the 32x32 image the recognizer saw, ink 255 on 0
    pixels = np.frombuffer(base64.b64decode(body["drawings"][1]["pixels"]), np.uint8)
    expected = np.clip(strokes_to_image(PLUS).reshape(-1), 0, 1) * 255 + 0.5
    np.testing.assert_array_equal(pixels, expected.astype(np.uint8))
    # paging, and a glyph names the symbol as well as its LaTeX
    page = client.get("/api/drawings", params={"label": "y", "offset": 1, "limit": 1}).json()
    assert [d["id"] for d in page["drawings"]] == [first] and page["total"] == 2
    alpha = client.get("/api/drawings", params={"label": "α"}).json()
    assert alpha["label"] == r"\alpha" and alpha["total"] == 0 and alpha["drawings"] == []


@pytest.mark.parametrize("params, message", [
    ({"label": "nope"}, "unknown label 'nope'"),
    ({"label": "y", "limit": MAX_PAGE + 1}, f"limit must be from 1 to {MAX_PAGE}"),
    ({"label": "y", "limit": 0}, "limit must be from 1"),
    ({"label": "y", "offset": -1}, "offset must be from 0"),
    ({"label": "y", "offset": "1e400"}, "offset must be an integer"),
])
def test_listing_checks_its_arguments(client, params, message):
    response = client.get("/api/drawings", params=params)
    assert response.status_code == 422 and message in response.json()["detail"]


def test_delete_removes_one_drawing_and_only_from_the_own_page(client):
    wrong, right = store(client, "y", PLUS), store(client, "y", ONE)
    foreign = client.delete(f"/api/drawings/{wrong}",
                            headers={"Origin": "http://evil.example"})
    assert foreign.status_code == 403 and "cross-origin" in foreign.json()["detail"]
    assert client.get("/api/drawings", params={"label": "y"}).json()["total"] == 2
    own = client.delete(f"/api/drawings/{wrong}", headers={"Origin": "http://127.0.0.1"})
    assert own.status_code == 200
    assert own.json() == {"deleted": wrong, "label": "y", "count": 1}
    left = client.get("/api/drawings", params={"label": "y"}).json()
    assert [d["id"] for d in left["drawings"]] == [right]
    assert client.get("/health").json()["drawings"] == 1
    assert client.delete(f"/api/drawings/{wrong}").status_code == 404
    assert client.delete("/api/drawings/abc").status_code == 422


def test_delete_needs_the_token_on_a_server_that_has_one(model_path, data_dir):
    with make_client(model_path, data_dir, token="s3cret") as client:
        headers = {"Authorization": "Bearer s3cret"}
        drawing = client.post("/api/drawings", json={"label": "y", "strokes": PLUS},
                              headers=headers).json()["id"]
        assert client.delete(f"/api/drawings/{drawing}").status_code == 401
        assert client.delete(f"/api/drawings/{drawing}", headers=headers).status_code == 200


def test_api_model_shows_the_calibration_beside_the_model(tmp_path, data_dir, client):
    assert client.get("/api/model").json()["calibration"] is None
    path = tmp_path / "calibrated.lamina"
    tiny_model(12).save(path)
    report = {"temperature": 1.7, "source": "stored drawings", "images": 50, "fit_images": 50,
              "n_bins": 15, "ece_before": 0.21, "ece_after": 0.04, "nll_before": 1.2,
              "nll_after": 0.8, "top1": 0.7}
    path.with_suffix(".json").write_text(json.dumps({"calibration": report}))
    with make_client(path, data_dir) as calibrated:
        info = calibrated.get("/api/model").json()
        assert info["classes"] == 12 and info["temperature"] == 1.7
        assert info["calibration"] == report
        assert info["calibration_text"] == (
            "temperature 1.7 fitted on 50 held-out stored drawings; expected calibration "
            "error 21.00% before, 4.00% after (on 50 others)")
        # and the page shows it
        assert "/api/model" in calibrated.get("/static/app.js").text
        assert 'id="calibration"' in calibrated.get("/").text
