"""Only the server's own page writes: Host names, Origin, Content-Type, the token, and the
per-client rate of writes (issue 14, section 4). Every case here was stored (201) or served
(200) before the guard."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
pytest.importorskip("PIL")
pytest.importorskip("multipart")

from lamina.apps.recognizer.guard import host_name, is_loopback  # noqa: E402
from lamina.apps.recognizer.limits import RateLimit  # noqa: E402
from tests.apps.conftest import PLUS, make_client  # noqa: E402

OWN = "http://127.0.0.1"
DRAWING = {"label": "+", "strokes": PLUS}


def _stored(client) -> int:
    return client.app.state.store.count()


# -------------------------------------------------------------------- Origin and Host
@pytest.mark.parametrize("headers, body", [
    ({"content-type": "text/plain", "origin": "http://evil.example"}, json.dumps(DRAWING)),
    ({"content-type": "application/json", "origin": "http://evil.example"}, json.dumps(DRAWING)),
    ({"content-type": "application/json", "origin": "null"}, json.dumps(DRAWING)),
    ({"content-type": "application/json", "origin": "http://127.0.0.1:8001"},  # another port
     json.dumps(DRAWING)),
    ({"content-type": "application/x-www-form-urlencoded", "origin": "http://evil.example"},
     "label=%2B&strokes=" + json.dumps(PLUS)),
    ({"content-type": "application/json", "sec-fetch-site": "cross-site"}, json.dumps(DRAWING)),
])
def test_a_write_from_another_site_is_403_and_stores_nothing(client, headers, body):
    response = client.post("/api/drawings", content=body, headers=headers)
    assert response.status_code == 403, response.text
    assert "refused" in response.json()["detail"]
    assert _stored(client) == 0


def test_a_multipart_upload_from_another_site_is_403(client):
    response = client.post("/api/drawings", data={"label": "+", "strokes": json.dumps(PLUS)},
                           headers={"origin": "http://evil.example"})
    assert response.status_code == 403 and _stored(client) == 0


def test_another_site_may_not_use_classify_either(client):
    response = client.post("/api/classify", json={"strokes": PLUS},
                           headers={"origin": "https://evil.example"})
    assert response.status_code == 403


@pytest.mark.parametrize("origin", [None, OWN, "http://127.0.0.1:80", "HTTP://127.0.0.1"])
def test_the_own_page_and_clients_without_origin_write(client, origin):
    headers = {} if origin is None else {"origin": origin}
    response = client.post("/api/drawings", json=DRAWING, headers=headers)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("path", ["/", "/api/symbols", "/health", "/static/app.js"])
def test_a_foreign_host_name_is_403_dns_rebinding(client, path):
    response = client.get(path, headers={"host": "evil.example"})
    assert response.status_code == 403 and "evil.example" in response.json()["detail"]


def test_a_rebinding_page_cannot_write_with_its_own_origin(client):
    # evil.example resolves to 127.0.0.1: to the browser, the page and the API are one origin.
    response = client.post("/api/drawings", json=DRAWING, headers={
        "host": "evil.example:8000", "origin": "http://evil.example:8000"})
    assert response.status_code == 403 and _stored(client) == 0


@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1", "[::1]:8000", "127.0.0.2"])
def test_loopback_names_are_served(client, host):
    assert client.get("/health", headers={"host": host}).status_code == 200


def test_allowed_hosts_add_names(model_path, data_dir):
    with make_client(model_path, data_dir, allowed_hosts=["pad.lan"]) as client:
        assert client.get("/health", headers={"host": "pad.lan:8000"}).status_code == 200
        assert client.get("/health", headers={"host": "evil.example"}).status_code == 403


def test_on_a_network_address_any_name_is_served(model_path, data_dir):
    with make_client(model_path, data_dir, host="0.0.0.0") as client:
        assert client.get("/health", headers={"host": "192.168.1.20:8000"}).status_code == 200


@pytest.mark.parametrize("text, expected", [
    ("localhost", True), ("LOCALHOST", True), ("app.localhost", True), ("127.0.0.1", True),
    ("127.8.9.1", True), ("::1", True), ("[::1]", True), ("0.0.0.0", False),
    ("192.168.1.2", False), ("evil.example", False), ("", False),
])
def test_is_loopback(text, expected):
    assert is_loopback(text) is expected


def test_host_name_parses_ports_and_ipv6():
    assert host_name("Example.org:8000") == ("example.org", 8000)
    assert host_name("[::1]:80") == ("::1", 80)
    assert host_name("127.0.0.1") == ("127.0.0.1", None)
    assert host_name("x:notaport") == ("", None)


# ------------------------------------------------------------------------ Content-Type
@pytest.mark.parametrize("ctype", ["text/plain", "", "image/gif", "application/xml"])
def test_json_is_read_only_as_application_json(client, ctype):
    headers = {"content-type": ctype} if ctype else {}
    response = client.post("/api/drawings", content=json.dumps(DRAWING), headers=headers)
    assert response.status_code == 415, response.text
    assert "application/json" in response.json()["detail"]
    assert _stored(client) == 0


# ------------------------------------------------------------------------------- token
def test_with_a_token_writes_need_it(model_path, data_dir):
    with make_client(model_path, data_dir, token="s3cret") as client:
        missing = client.post("/api/drawings", json=DRAWING)
        assert missing.status_code == 401 and "token" in missing.json()["detail"]
        assert missing.headers["www-authenticate"] == "Bearer"
        wrong = client.post("/api/drawings", json=DRAWING,
                            headers={"authorization": "Bearer guess"})
        assert wrong.status_code == 401 and _stored(client) == 0
        right = client.post("/api/drawings", json=DRAWING,
                            headers={"authorization": "Bearer s3cret"})
        assert right.status_code == 201
        # Reading needs no token: the page, the symbols, classifying.
        assert client.get("/").status_code == 200
        assert client.post("/api/classify", json={"strokes": PLUS}).status_code == 200


def test_a_server_on_a_network_address_makes_up_a_token(model_path, data_dir):
    with make_client(model_path, data_dir, host="0.0.0.0") as client:
        token = client.app.state.token
        assert isinstance(token, str) and len(token) >= 20
        assert client.post("/api/drawings", json=DRAWING).status_code == 401
        assert client.post("/api/drawings", json=DRAWING, headers={
            "authorization": f"Bearer {token}"}).status_code == 201
    with make_client(model_path, data_dir, host="0.0.0.0") as other:
        assert other.app.state.token != token  # a new one each start


def test_on_loopback_no_token_is_needed(client):
    assert client.app.state.token is None
    assert client.post("/api/drawings", json=DRAWING).status_code == 201


# -------------------------------------------------------------------------- rate limit
def test_writes_over_the_rate_are_429_with_retry_after(model_path, data_dir):
    with make_client(model_path, data_dir, writes_per_minute=5) as client:
        codes = [client.post("/api/drawings", json=DRAWING).status_code for _ in range(7)]
        assert codes == [201] * 5 + [429] * 2
        refused = client.post("/api/drawings", json=DRAWING)
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert "at most 5 a minute" in refused.json()["detail"]
        assert _stored(client) == 5
        assert client.post("/api/classify", json={"strokes": PLUS}).status_code == 200
    # Another client address has its own allowance.
    with make_client(model_path, data_dir, {"client": ("10.0.0.9", 5000)},
                     writes_per_minute=5) as other:
        assert other.post("/api/drawings", json=DRAWING).status_code == 201


def test_the_rate_limit_refills_and_forgets_old_clients():
    rate = RateLimit(per_minute=2, max_clients=3)
    assert [rate.wait("a", now=0.0) for _ in range(3)] == [0.0, 0.0, 30.0]
    assert rate.wait("a", now=29.0) == pytest.approx(1.0)  # 29 s refilled 0.97 of one
    assert rate.wait("a", now=61.0) == 0.0
    for client in "bcd":
        rate.wait(client, now=61.0)
    assert "a" not in rate._buckets and len(rate._buckets) == 3
    with pytest.raises(ValueError, match="per_minute must be positive"):
        RateLimit(0)
