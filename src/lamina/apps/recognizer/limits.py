"""How much one client may ask of the server: the body size, writes per minute, and how many
PNGs are decoded at once.

* :class:`BodyLimit` (ASGI middleware): a body over the limit is 413 before the app reads it.
* :class:`RateLimit`: a token bucket per client address; a write over the rate is 429 with
  ``Retry-After``.
* :class:`DecodeSlots`: PNG decoding runs on a pool of ``workers`` threads of its own (2), so
  at most that many decoded images are in memory at once whatever the number of requests;
  when ``max_waiting`` requests already wait for a slot, the next one is 503.
"""

from __future__ import annotations

import asyncio
import collections
import json
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor

__all__ = ["MAX_BODY", "BodyLimit", "Busy", "DecodeSlots", "RateLimit", "reject"]

MAX_BODY = 512 * 1024


async def reject(send, status: int, detail: str, headers=()) -> None:
    """Answer an ASGI request with ``{"detail": detail}`` and close the connection."""
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"), *headers]})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """ASGI middleware: buffer request bodies up to ``limit`` bytes; larger ones get 413 before
    the app sees them (by ``Content-Length`` when sent, else while the body streams in).
    ``routes``: ``(path prefix, limit)`` pairs for routes that take more (uploads)."""

    def __init__(self, app, limit: int = MAX_BODY, routes=()):
        self.app, self.limit, self.routes = app, limit, tuple(routes)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        limit = next((n for prefix, n in self.routes if path.startswith(prefix)), self.limit)
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    too_big = int(value) > limit
                except ValueError:
                    return await reject(send, 400, "invalid Content-Length header")
                if too_big:
                    return await reject(send, 413, self._message(limit))
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return await reject(send, 413, self._message(limit))
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body, delivered = b"".join(chunks), False

        async def replay():
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        return await self.app(scope, replay, send)

    @staticmethod
    def _message(limit: int) -> str:
        return f"request body too large: at most {limit // 1024} KB are accepted"


class RateLimit:
    """At most ``per_minute`` events per client and minute, in bursts of up to ``per_minute``
    (a token bucket refilled continuously). Remembers the ``max_clients`` most recent clients;
    a client forgotten has a full bucket again, which only ever favours it."""

    def __init__(self, per_minute: float, max_clients: int = 10_000):
        if not per_minute > 0:
            raise ValueError(f"RateLimit: per_minute must be positive; received {per_minute!r}")
        self.capacity, self.rate = float(per_minute), per_minute / 60.0
        self.max_clients = max_clients
        self._buckets: collections.OrderedDict = collections.OrderedDict()
        self._lock = threading.Lock()

    def wait(self, client, now: float | None = None) -> float:
        """Take one event for ``client``: 0.0 if allowed, else the seconds until it would be."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, then = self._buckets.pop(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - then) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return 0.0 if allowed else (1.0 - tokens) / self.rate

    def retry_after(self, seconds: float) -> str:
        return str(max(1, math.ceil(seconds)))


class Busy(RuntimeError):
    """Too many requests already wait for a decode slot."""


class DecodeSlots:
    """Run decoding jobs on ``workers`` threads of their own; refuse (:class:`Busy`) a job when
    ``max_waiting`` already wait. Own threads, not the shared pool: a few threads decode, so
    the decoded images of a burst never sit in memory all at once."""

    def __init__(self, workers: int = 2, max_waiting: int = 64):
        self.workers, self.max_waiting = workers, max_waiting
        self._pool: ThreadPoolExecutor | None = None
        self._pending = 0  # jobs running or waiting (touched on the event loop only)

    async def run(self, function, *args):
        """``function(*args)`` on a decoding thread; raises :class:`Busy` when too many wait."""
        if self._pending >= self.workers + self.max_waiting:
            raise Busy(f"the server is busy decoding {self._pending} images; retry in a moment")
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="lamina-decode")
        self._pending += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, function, *args)
        finally:
            self._pending -= 1

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
