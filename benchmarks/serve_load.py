"""Load test of the symbol recognizer's ``POST /api/classify`` on loopback.

Starts ``lamina serve``'s app (uvicorn, one process, the shipped model unless ``--model``) on
127.0.0.1 with a throw-away data directory, waits for ``/health``, then sends a bounded number
of requests from ``--concurrency`` keep-alive connections of a small asyncio HTTP/1.1 client
(raw sockets: the client must cost the 2 cores less than the server). Each request carries a
drawing the way the page sends it (JSON strokes), or a PNG data URL (``--payload png``).
A request counts as an error unless it answers 200 with 10 results.

Reports requests per second, p50/p90/p99 latency and errors, the server's CPU time per
request (a figure other programs on the machine disturb less than req/s) and the share of the
CPU other programs took during the run (bg); writes
``benchmarks/results/serve_load-<stamp>.json``. The target is >= 200 req/s with 0 errors.

Run: ``.venv/bin/python benchmarks/serve_load.py [--requests 3000] [--concurrency 16]``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from _machine_load import BackgroundLoad, _process_ticks, cpu_busy
from _timing import format_table, machine_info, write_results

SERVER = """
import sys, uvicorn
from lamina.apps.recognizer.server import create_app
app = create_app(sys.argv[1] or None, sys.argv[2])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[3]), access_log=False, log_level="warning")
"""

# A few drawings in page coordinates (a 420 px canvas): "+", "1", "=", "0", an arrow.
DRAWINGS = [
    [[[210, 80], [212, 200], [210, 330]], [[90, 205], [210, 208], [330, 204]]],
    [[[170, 120], [215, 70], [214, 200], [216, 350]]],
    [[[100, 160], [220, 162], [320, 160]], [[100, 260], [220, 262], [320, 258]]],
    [[[210 + 90 * math.cos(t / 10), 210 + 130 * math.sin(t / 10)] for t in range(64)]],
    [[[60, 210], [200, 212], [350, 210]], [[290, 160], [352, 210], [290, 262]]],
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _png_data_url(strokes) -> str:
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (420, 420), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    for stroke in strokes:
        draw.line([tuple(p) for p in stroke], fill=(0, 0, 0, 255), width=8, joint="curve")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _bodies(payload: str) -> list[bytes]:
    if payload == "png":
        return [json.dumps({"image": _png_data_url(d), "k": 10}).encode() for d in DRAWINGS]
    return [json.dumps({"strokes": d, "k": 10}).encode() for d in DRAWINGS]


def _wait_ready(port: int, process, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not answer /health in time")


async def _request(reader, writer, body: bytes, port: int) -> tuple[int, bytes]:
    writer.write(b"POST /api/classify HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                 b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                 % (port, len(body), body))
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(int(line.split(":", 1)[1]) for line in lines
                  if line.lower().startswith("content-length:"))
    return status, await reader.readexactly(length)


async def _drive(port: int, bodies: list[bytes], total: int, concurrency: int):
    latencies, errors, issued = [], [], 0

    async def connection():
        nonlocal issued
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while issued < total:
                body = bodies[issued % len(bodies)]
                issued += 1
                start = time.perf_counter()
                try:
                    status, data = await _request(reader, writer, body, port)
                    ok = status == 200 and len(json.loads(data)["results"]) == 10
                    if not ok:
                        errors.append(f"{status}: {data[:80]!r}")
                except (OSError, asyncio.IncompleteReadError, ValueError, KeyError) as error:
                    errors.append(repr(error))
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                latencies.append(time.perf_counter() - start)
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return time.perf_counter() - start, latencies, errors


def _percentile(values, q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="requests to send (3000)")
    parser.add_argument("--concurrency", type=int, default=16, help="connections (16)")
    parser.add_argument("--warmup", type=int, default=100, help="untimed requests first (100)")
    parser.add_argument("--payload", choices=("strokes", "png"), default="strokes")
    parser.add_argument("--model", default="", help="model path (default: the shipped model)")
    parser.add_argument("--no-save", action="store_true", help="do not write a results file")
    args = parser.parse_args(argv)

    background = cpu_busy(1.0)
    port, bodies = _free_port(), _bodies(args.payload)
    with tempfile.TemporaryDirectory() as data_dir:
        process = subprocess.Popen([sys.executable, "-c", SERVER, args.model, data_dir,
                                    str(port)], env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            _wait_ready(port, process)
            asyncio.run(_drive(port, bodies, args.warmup, min(args.concurrency, 4)))
            ticks = _process_ticks(process.pid)
            with BackgroundLoad(pids=[process.pid]) as others:
                seconds, latencies, errors = asyncio.run(
                    _drive(port, bodies, args.requests, args.concurrency))
            ticks = _process_ticks(process.pid) - ticks
            alive = process.poll() is None
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    result = {
        "requests": len(latencies), "concurrency": args.concurrency, "payload": args.payload,
        "seconds": round(seconds, 3), "requests_per_second": round(len(latencies) / seconds, 1),
        "p50_ms": round(1000 * _percentile(latencies, 50), 2),
        "p90_ms": round(1000 * _percentile(latencies, 90), 2),
        "p99_ms": round(1000 * _percentile(latencies, 99), 2),
        "errors": len(errors), "first_errors": errors[:5], "server_alive": alive,
        "server_cpu_ms_per_request": round(1000 * ticks / os.sysconf("SC_CLK_TCK")
                                           / max(len(latencies), 1), 2),
        "cpu_busy_before_percent": round(background, 1),
        "background_percent": round(others.percent, 1),
    }
    print(f"POST /api/classify ({args.payload}) on loopback; {os.cpu_count()} cores; "
          f"CPU busy before the run: {background:.0f}%; other programs during it (bg): "
          f"{others.percent:.0f}%; server CPU per request: "
          f"{result['server_cpu_ms_per_request']} ms")
    print(format_table(
        ["requests", "conns", "req/s", "p50 ms", "p90 ms", "p99 ms", "errors"],
        [[result["requests"], args.concurrency, result["requests_per_second"], result["p50_ms"],
          result["p90_ms"], result["p99_ms"], result["errors"]]]))
    for error in errors[:5]:
        print("error:", error)
    if not args.no_save:
        path = write_results("serve_load", {"machine": machine_info(), "result": result})
        print(f"results: {path}")
    target = result["requests_per_second"] >= 200 and not errors and alive
    print("target (>= 200 req/s, 0 errors):", "met" if target else "NOT met")
    return 0 if target else 1


if __name__ == "__main__":
    sys.exit(main())
