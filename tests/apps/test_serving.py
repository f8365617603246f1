"""``lamina serve`` as a real server in a subprocess (issue 14, section 4): request heads are
capped (a 64 MB header was read whole), a burst of eight 4096x4096 PNGs stays under 500 MB of
resident memory (it took the server from 188 MB to 2.4 GB), and on a network address the
token printed at start is what writes need."""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
pytest.importorskip("PIL")

import lamina  # noqa: E402
from lamina.apps.recognizer.limits import MAX_BODY  # noqa: E402
from lamina.apps.recognizer.serving import MAX_HEAD  # noqa: E402
from tests.apps.conftest import PLUS  # noqa: E402

LINUX = sys.platform.startswith("linux")


class Server:
    """``lamina serve`` in a subprocess on a free port; ``lines`` is what it printed."""

    def __init__(self, model_path, data_dir, *options, host="127.0.0.1"):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        src = str(Path(lamina.__file__).parents[1])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
        self.process = subprocess.Popen(
            [sys.executable, "-c", "import sys; from lamina.cli import main; sys.exit(main())",
             "serve", "--host", host, "--port", str(self.port), "--model", str(model_path),
             "--data-dir", str(data_dir), *options],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + 60
        while True:
            assert self.process.poll() is None, "".join(self.lines)
            assert time.monotonic() < deadline, "the server did not start: " + "".join(self.lines)
            try:
                if self.request("GET", "/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line)

    def request(self, method, path, body=b"", headers=None, timeout=120):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers={
                "Host": f"127.0.0.1:{self.port}", **(headers or {})})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def memory(self) -> dict:
        """Resident set now and at its peak, in MB."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return {key: int(re.search(rf"{key}:\s+(\d+)", status).group(1)) / 1024
                for key in ("VmRSS", "VmHWM")}

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def server(model_path, tmp_path_factory):
    running = Server(model_path, tmp_path_factory.mktemp("serve-data"))
    yield running
    running.stop()


def _raw(port: int, head: bytes, chunks=(), read=True) -> bytes:
    """Send a request head (and body chunks) on a raw socket; the start of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        try:
            s.sendall(head)
            for chunk in chunks:
                s.sendall(chunk)
        except OSError:  # the server closed the connection while we were still sending
            pass
        try:
            return s.recv(4096) if read else b""
        except OSError:
            return b""


# ---------------------------------------------------------------------------- heads
@pytest.mark.parametrize("headers", [
    {"X-Big": "a" * (1 << 20)},                       # one 1 MB header
    {f"X-{i}": "a" for i in range(20_000)},           # many small ones
])
def test_a_head_over_the_cap_is_431(server, headers):
    status, body = server.request("GET", "/health", headers=headers)
    assert status == 431 and b"at most 32 KB" in body


def test_a_long_url_is_431(server):
    assert server.request("GET", "/health?" + "a" * (1 << 20))[0] == 431


def test_a_64_mb_header_is_cut_off_early(server):
    megabyte = b"a" * (1 << 20)
    answer = _raw(server.port, f"GET /health HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                               "X-Big: ".encode(), [megabyte] * 64 + [b"\r\n\r\n"])
    assert answer.startswith(b"HTTP/1.1 431")
    if LINUX:
        assert server.memory()["VmRSS"] < 300  # it was 386 MB after reading the header whole


def test_heads_just_under_the_cap_and_bodies_up_to_the_limit_are_served(server):
    status, _ = server.request("GET", "/health", headers={"X-Pad": "a" * (MAX_HEAD - 1024)})
    assert status == 200
    # A body in the same packets as its head is no head: a 500 KB JSON body is read.
    body = (b'{"strokes": %s, "pad": "' % json.dumps(PLUS).encode()) + b"x" * (MAX_BODY - 200)
    body += b'"}'
    assert len(body) <= MAX_BODY
    head = (f"POST /api/classify HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    assert _raw(server.port, head + body).startswith(b"HTTP/1.1 200")
    # Keep-alive: several requests with bodies on one connection.
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    for _ in range(3):
        connection.request("POST", "/api/classify", body=body,
                           headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        assert response.status == 200, response.read()
        response.read()
    connection.close()


def test_a_foreign_host_is_403_over_http(server):
    status, body = server.request("GET", "/", headers={"Host": "evil.example"})
    assert status == 403 and b"evil.example" in body


# --------------------------------------------------------------------------- memory
def _big_png() -> bytes:
    """4096x4096 RGBA with ink from corner to corner: 100 KB on the wire, 64 MB decoded."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (4096, 4096), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.line([(0, 0), (4096, 4096)], fill=(0, 0, 0, 255), width=40)
    draw.line([(0, 4096), (4096, 0)], fill=(0, 0, 0, 255), width=40)
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=True)
    return buf.getvalue()


@pytest.mark.skipif(not LINUX, reason="reads the server's memory from /proc")
def test_a_burst_of_eight_4096_pngs_stays_under_500_mb(model_path, tmp_path):
    png = _big_png()
    assert len(png) < MAX_BODY
    running = Server(model_path, tmp_path / "data")
    try:
        at_rest = running.memory()["VmRSS"]
        statuses = []

        def post():
            statuses.append(running.request("POST", "/api/classify", png,
                                            {"Content-Type": "image/png"})[0])

        threads = [threading.Thread(target=post) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        memory = running.memory()
    finally:
        running.stop()
    print(f"\nPNG burst: at rest {at_rest:.0f} MB, peak {memory['VmHWM']:.0f} MB, "
          f"after {memory['VmRSS']:.0f} MB")
    assert statuses == [200] * 8
    assert memory["VmHWM"] < 500  # was 2,502 MB
    assert memory["VmRSS"] < at_rest + 100  # was 964 MB afterwards


# ---------------------------------------------------------------------------- token
def test_on_a_network_address_the_printed_token_is_needed_to_write(model_path, tmp_path):
    running = Server(model_path, tmp_path / "data", host="0.0.0.0")
    try:
        printed = "".join(running.lines)
        match = re.search(r"http://127\.0\.0\.1:\d+/\?token=([\w-]+)", printed)
        assert match, printed
        drawing = json.dumps({"label": "+", "strokes": PLUS}).encode()
        json_type = {"Content-Type": "application/json"}
        assert running.request("POST", "/api/drawings", drawing, json_type)[0] == 401
        status, body = running.request("POST", "/api/drawings", drawing, {
            **json_type, "Authorization": f"Bearer {match.group(1)}"})
        assert status == 201, body
        assert running.request("POST", "/api/classify", json.dumps(
            {"strokes": PLUS}).encode(), json_type)[0] == 200
    finally:
        running.stop()
