"""Running the app under uvicorn with a cap on request heads.

A request's line and headers (its head) are buffered until they end, and neither httptools
nor uvicorn caps them: a 64 MB header was read whole. :class:`CappedHttpToolsProtocol` counts
the bytes of an unfinished head and answers ``431 Request Header Fields Too Large`` once they
pass ``MAX_HEAD``, before reading more; without httptools, uvicorn's h11 protocol gets the
same cap (``h11_max_incomplete_event_size``; it answers 400).

:func:`run` is what ``lamina serve`` runs; tests start it in a subprocess.
"""

from __future__ import annotations

__all__ = ["MAX_CONNECTIONS", "MAX_HEAD", "protocol", "run"]

MAX_HEAD = 32 * 1024
"""Bytes of request line and headers accepted (browsers send 1-2 KB, plus their cookies)."""
MAX_CONNECTIONS = 128
"""Connections and requests served at once; more are answered 503 (each may hold a body)."""


def protocol(max_head: int = MAX_HEAD):
    """The uvicorn HTTP protocol class capping heads at ``max_head`` bytes, or ``"h11"`` when
    httptools is missing (then pass ``h11_max_incomplete_event_size`` too, as :func:`run`
    does)."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:
        return "h11"

    class CappedHttpToolsProtocol(HttpToolsProtocol):
        """uvicorn's httptools protocol, answering 431 to a head over ``max_head`` bytes."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._in_head, self._heads, self._head_bytes, self._refused = True, 0, 0, False

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return
            was_in_head, heads = self._in_head, self._heads
            super().data_received(data)
            # A chunk that began and ended inside one head is all head. One in which a head
            # ended is not counted: the start of the next head in it is less than a chunk.
            if was_in_head and self._in_head and self._heads == heads:
                self._head_bytes += len(data)
                if self._head_bytes > max_head:
                    self._refuse()

        def on_headers_complete(self) -> None:
            self._in_head, self._heads, self._head_bytes = False, self._heads + 1, 0
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self._in_head = True

        def _refuse(self) -> None:
            self._refused = True
            detail = (f"request headers too large: at most {max_head // 1024} KB of request "
                      "line and headers are accepted").encode()
            self.transport.write(
                b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                b"content-type: text/plain; charset=utf-8\r\n"
                b"content-length: " + str(len(detail)).encode() + b"\r\n"
                b"connection: close\r\n\r\n" + detail)
            self.transport.close()

    return CappedHttpToolsProtocol


def run(app, host: str = "127.0.0.1", port: int = 8000, *, access_log: bool = False,
        max_head: int = MAX_HEAD, log_level: str = "info") -> None:
    """Serve ``app`` with uvicorn until interrupted, heads capped at ``max_head`` bytes."""
    import uvicorn

    uvicorn.run(app, host=host, port=port, access_log=access_log, log_level=log_level,
                http=protocol(max_head), h11_max_incomplete_event_size=max_head,
                limit_concurrency=MAX_CONNECTIONS)
