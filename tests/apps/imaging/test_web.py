"""The image page's API (``lamina serve``, /imaging) with stand-in networks: each task, each
kind of bad input answered 4xx with a message, and the server still up after them."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
Image = pytest.importorskip("PIL.Image")

from lamina.apps.imaging import files  # noqa: E402
from tests.apps.conftest import make_client  # noqa: E402

RGB = np.random.default_rng(0).integers(0, 256, (48, 64, 3), dtype=np.uint8)
ORIGIN = {"Origin": "http://127.0.0.1"}


@pytest.fixture
def web(networks, model_path, data_dir):
    with make_client(model_path, data_dir) as client:
        yield client


def _png(array) -> bytes:
    return files.encode(array)


def _image(data_url: str) -> np.ndarray:
    assert data_url.startswith("data:image/png;base64,")
    return files.decode(base64.b64decode(data_url.split(",", 1)[1]))


def _run(web, picture=RGB, **fields):
    upload = {"picture": ("p.png", _png(picture), "image/png")}
    if "mask" in fields:
        upload["mask"] = ("m.png", _png(fields.pop("mask")), "image/png")
    return web.post("/api/imaging/run", data=fields, files=upload, headers=ORIGIN)


def test_the_page_and_its_script_are_served(web):
    page = web.get("/imaging")
    assert page.status_code == 200 and "Denoise, upscale, colorize, inpaint" in page.text
    assert web.get("/imaging/static/imaging.js").status_code == 200
    assert 'href="/imaging"' in web.get("/").text  # the recognizer links to it


def test_samples_are_the_held_out_photographs(web):
    pytest.importorskip("skimage")
    listed = web.get("/api/imaging/samples").json()
    assert [s["name"] for s in listed["samples"]] == ["coffee", "chelsea", "camera"]
    coffee = web.get("/api/imaging/samples/coffee")
    assert coffee.headers["content-type"] == "image/png"
    assert files.decode(coffee.content).shape == (400, 600, 3)
    missing = web.get("/api/imaging/samples/astronaut")  # trained on: not a sample
    assert missing.status_code == 404 and "the samples are" in missing.json()["detail"]
    assert web.get("/api/imaging/samples/..%2F..%2Fetc%2Fpasswd").status_code == 404


@pytest.mark.parametrize("task,input_shape,result_shape", [
    ("denoise", (48, 64, 3), (48, 64, 3)), ("upscale", (24, 32, 3), (48, 64, 3)),
    ("colorize", (48, 64), (48, 64, 3))])
def test_each_task_shows_input_result_original_and_psnr(web, task, input_shape, result_shape):
    answer = _run(web, task=task, use="original", sigma="25")
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert _image(data["input"]).shape == input_shape
    assert _image(data["result"]).shape == result_shape
    assert (_image(data["original"]) == RGB).all()
    assert set(data["psnr"]) == {"input", "result"} and 0 < data["psnr"]["input"] < 60
    assert data["baseline"] and data["seconds"] > 0 and data["size"] == [64, 48]


def test_inpaint_measures_the_hole_and_keeps_the_rest(web):
    mask = np.zeros((48, 64), np.uint8)
    mask[10:26, 20:36] = 255
    data = _run(web, task="inpaint", use="original", mask=mask).json()
    result = _image(data["result"])
    assert (result[mask == 0] == RGB[mask == 0]).all()
    assert (_image(data["input"])[mask > 0] == 128).all()   # the hole shown mid-gray
    assert np.isfinite(data["psnr"]["result"])


def test_use_as_input_applies_the_network_without_an_original(web):
    data = _run(web, task="upscale", use="input").json()
    assert data["original"] is None and data["psnr"] == {}
    assert _image(data["result"]).shape == (96, 128, 3)


def test_an_upload_larger_than_the_page_works_on_is_reduced_and_says_so(web):
    big = np.random.default_rng(1).integers(0, 256, (800, 1200, 3), dtype=np.uint8)
    answer = web.post("/api/imaging/picture", files={"file": ("big.png", _png(big))},
                      headers=ORIGIN)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["width"] * data["height"] <= 512 * 512 and data["width"] > data["height"]
    assert "reduced from 1200x800" in data["note"]
    small = web.post("/api/imaging/picture", files={"file": ("s.png", _png(RGB))},
                     headers=ORIGIN).json()
    assert (small["width"], small["height"], small["note"]) == (64, 48, "")


def _bomb() -> bytes:
    out = io.BytesIO()
    Image.new("L", (10000, 10000)).save(out, "PNG")  # 100 megapixels in about 100 KB
    return out.getvalue()


@pytest.mark.parametrize("route", ["picture", "run"])
@pytest.mark.parametrize("data,status,message", [
    (b"hello, not an image", 400, "not an image this tool reads"),
    (b"", 400, "is empty"),
    ("BOMB", 413, r"10000x10000 (100.0 megapixels); at most 40 megapixels"),
    ("ZERO", 400, "not an image this tool reads"),  # a PNG header of 0x0 pixels
])
def test_bad_pictures_are_4xx_with_a_message(web, route, data, status, message):
    if data == "BOMB":
        data = _bomb()
    elif data == "ZERO":
        data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 8 + b"\x08\x00\x00\x00\x00"
    field = "file" if route == "picture" else "picture"
    answer = web.post(f"/api/imaging/{route}", data={"task": "denoise"},
                      files={field: ("x.png", data)}, headers=ORIGIN)
    assert answer.status_code == status, answer.text
    assert message in answer.json()["detail"]


@pytest.mark.parametrize("fields,message", [
    ({"task": "upscale", "scale": "3"}, "scale=3 is not available"),
    ({"task": "denoise", "sigma": "90"}, "outside the noise levels"),
    ({"task": "sharpen"}, "unknown task 'sharpen'"),
    ({"task": "inpaint"}, "inpaint needs a mask"),
    ({"task": "inpaint", "mask": np.zeros((10, 10), np.uint8)}, "is 10x10 pixels but the "
                                                                "image is 64x48"),
    ({"task": "inpaint", "mask": np.zeros((48, 64), np.uint8)}, "the mask is empty"),
    ({"task": "denoise", "use": "both"}, "use must be 'original' or 'input'"),
    ({"task": "denoise", "sigma": "lots"}, "sigma must be a number"),
])
def test_bad_requests_are_422_with_a_message(web, fields, message):
    answer = _run(web, **fields)
    assert answer.status_code == 422, answer.text
    assert message in answer.json()["detail"]


def test_oversized_bodies_foreign_pages_and_other_encodings_are_refused(web):
    huge = web.post("/api/imaging/run", content=b"x" * (25 * 1024 * 1024),
                    headers={**ORIGIN, "Content-Type": "multipart/form-data; boundary=x"})
    assert huge.status_code == 413 and "too large" in huge.json()["detail"]
    foreign = _run(web, task="denoise")
    assert foreign.status_code == 200
    evil = web.post("/api/imaging/run", files={"picture": ("p.png", _png(RGB))},
                    data={"task": "denoise"}, headers={"Origin": "http://evil.example"})
    assert evil.status_code == 403 and "cross-origin" in evil.json()["detail"]
    as_json = web.post("/api/imaging/run", json={"task": "denoise"}, headers=ORIGIN)
    assert as_json.status_code == 415 and "multipart" in as_json.json()["detail"]
    # the recognizer's own limit is unchanged: 512 KB
    classify = web.post("/api/classify", content=b"x" * (600 * 1024),
                        headers={"Content-Type": "image/png"})
    assert classify.status_code == 413


def test_the_server_answers_after_all_that(web):
    for data in (b"junk", _bomb(), b""):
        web.post("/api/imaging/run", data={"task": "denoise"},
                 files={"picture": ("x.png", data)}, headers=ORIGIN)
    assert web.get("/health").json()["status"] == "ok"
    assert _run(web, task="denoise").status_code == 200


def test_without_the_networks_the_page_says_how_to_get_them(web, monkeypatch):
    import sys

    from lamina.apps import imaging
    from lamina.apps.imaging import engine

    monkeypatch.setattr(engine, "_cache", {})
    monkeypatch.setitem(sys.modules, "lamina.apps.imaging.registry", None)
    monkeypatch.delattr(imaging, "registry", raising=False)
    answer = _run(web, task="denoise")
    assert answer.status_code == 503 and "lamina image train" in answer.json()["detail"]
