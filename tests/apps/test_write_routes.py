"""Every route of ``lamina serve`` that is not a plain read (any method but GET and HEAD),
found by walking the app's routes so that a route added later is checked too, accepts only
its own page's requests (issue 14, section 4): another site's Origin is 403, a DNS-rebinding
Host is 403, and on a network address every route that stores something needs the token
(401). Nothing is stored or deleted by a refused request."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
pytest.importorskip("PIL")
pytest.importorskip("multipart")

from lamina.apps.recognizer.guard import OPEN_POSTS  # noqa: E402
from tests.apps.conftest import PLUS, make_client, png_bytes  # noqa: E402

OWN = "http://127.0.0.1"
SAFE = {"GET", "HEAD", "OPTIONS"}
KNOWN = {("POST", "/api/classify"), ("POST", "/api/drawings"),
         ("DELETE", "/api/drawings/{drawing_id}"), ("POST", "/api/imaging/picture"),
         ("POST", "/api/imaging/run")}


def write_routes(app) -> list[tuple[str, str]]:
    """``(method, path template)`` of every route that takes more than GET/HEAD."""
    found = []
    for route in app.routes:
        for method in sorted(getattr(route, "methods", None) or ()):
            if method not in SAFE:
                found.append((method, route.path))
    return found


def _request(client, method, template, drawing_id, headers):
    """A well-formed request to the route (what its own page would send), with ``headers``."""
    path = template.replace("{drawing_id}", str(drawing_id))
    if path.startswith("/api/imaging/"):
        files = {"file": ("p.png", png_bytes(), "image/png"),
                 "picture": ("p.png", png_bytes(), "image/png")}
        return client.request(method, path, files=files, data={"task": "denoise"},
                              headers=headers)
    body = json.dumps({"label": "+", "strokes": PLUS}) if method == "POST" else None
    return client.request(method, path, content=body,
                          headers={"content-type": "application/json", **headers})


def _store_one(client) -> int:
    response = client.post("/api/drawings", json={"label": "+", "strokes": PLUS},
                           headers={"origin": OWN})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_the_write_routes_are_found(client):
    assert KNOWN <= set(write_routes(client.app))


@pytest.mark.parametrize("headers", [
    {"origin": "http://evil.example"},                      # another site's page
    {"origin": "null"},                                     # a sandboxed frame, a file: page
    {"origin": "http://127.0.0.1:9999"},                    # another server on this machine
    {"sec-fetch-site": "cross-site"},                       # a browser that sent no Origin
    {"host": "evil.example:8000", "origin": "http://evil.example:8000"},  # DNS rebinding
])
def test_every_write_route_refuses_another_sites_request_with_403(client, headers):
    drawing_id = _store_one(client)
    routes = write_routes(client.app)
    for method, template in routes:
        response = _request(client, method, template, drawing_id, headers)
        assert response.status_code == 403, (method, template, response.text)
        assert client.app.state.store.count() == 1, (method, template)  # nothing stored/deleted


def test_off_loopback_every_storing_route_needs_the_token(model_path, data_dir):
    with make_client(model_path, data_dir, host="0.0.0.0") as client:
        token = client.app.state.token
        drawing_id = _store_one_with(client, token)
        storing = [(m, t) for m, t in write_routes(client.app) if t not in OPEN_POSTS]
        assert {("POST", "/api/drawings"), ("DELETE", "/api/drawings/{drawing_id}")} <= \
            set(storing)
        for method, template in storing:
            for auth in ({}, {"authorization": "Bearer not-the-token"}):
                response = _request(client, method, template, drawing_id,
                                    {"origin": OWN, **auth})
                assert response.status_code == 401, (method, template, response.text)
        assert client.app.state.store.count() == 1
        deleted = _request(client, "DELETE", "/api/drawings/{drawing_id}", drawing_id,
                           {"origin": OWN, "authorization": f"Bearer {token}"})
        assert deleted.status_code == 200 and client.app.state.store.count() == 0


def _store_one_with(client, token) -> int:
    response = client.post("/api/drawings", json={"label": "+", "strokes": PLUS},
                           headers={"origin": OWN, "authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_the_own_page_reaches_every_write_route(client):
    drawing_id = _store_one(client)
    for method, template in write_routes(client.app):
        response = _request(client, method, template, drawing_id, {"origin": OWN})
        assert response.status_code not in (401, 403, 429), (method, template, response.text)
