"""Who may ask the server for what: only its own names, only its own page writes, and on a
network only whoever holds the token.

:class:`Guard` is ASGI middleware in front of the app; it refuses, before a body is read:

* a request whose ``Host`` is not one of the server's names (403). On loopback these are
  ``localhost`` and the loopback addresses, so a DNS-rebinding page (``evil.example`` resolving
  to 127.0.0.1) gets nothing; on another address any name goes (the token protects writes),
  unless ``allowed_hosts`` lists them;
* a POST whose ``Origin`` is not the server itself (403): another web page may not write
  drawings, nor use the API, through the visitor's browser. A request without ``Origin``
  (curl, a script) is not a browser's cross-site request and passes;
* when the server has a token, a POST to any route but ``/api/classify`` without it (401):
  ``Authorization: Bearer <token>``. ``lamina serve`` makes one up and prints the page's
  address with ``?token=`` when it listens on anything but loopback, as Jupyter does; the page
  reads it from its address and sends it with every write;
* more writes per minute from one client address than ``rate`` allows (429, ``Retry-After``).
"""

from __future__ import annotations

import ipaddress
import secrets
from urllib.parse import urlsplit

from lamina.apps.recognizer.limits import RateLimit, reject

__all__ = ["LOOPBACK_NAMES", "Guard", "host_name", "is_loopback", "new_token"]

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
# reads that happen to be POSTs: no token, no rate limit (the image page's: lamina.apps.imaging.web)
OPEN_POSTS = ("/api/classify", "/api/imaging/picture", "/api/imaging/run")
_SAFE = ("GET", "HEAD", "OPTIONS")
_DEFAULT_PORT = {"http": 80, "https": 443}


def new_token() -> str:
    """A fresh random token (144 bits, URL-safe)."""
    return secrets.token_urlsafe(18)


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or address, no port) is this machine only."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_name(netloc: str) -> tuple[str, int | None]:
    """``("name", port)`` of a ``Host`` header or URL authority (port None when absent)."""
    try:
        parts = urlsplit("//" + netloc)
        return (parts.hostname or "").lower(), parts.port
    except ValueError:  # a port that is not a number
        return "", None


class Guard:
    """ASGI middleware: the checks of this module, in front of ``app``.

    Args:
        allowed_hosts: the names a request's ``Host`` may have (ports aside); None: any.
        token: the token writes need, or None (none needed).
        rate: a :class:`RateLimit` for writes, or None.
    """

    def __init__(self, app, *, allowed_hosts=None, token: str | None = None,
                 rate: RateLimit | None = None):
        self.app, self.token, self.rate = app, token, rate
        self.allowed = None if allowed_hosts is None else {h.lower() for h in allowed_hosts}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {}
        for name, value in scope.get("headers", ()):
            headers.setdefault(name.decode("latin-1"), value.decode("latin-1"))
        host, port = host_name(headers.get("host", ""))
        if self.allowed is not None and host not in self.allowed and not is_loopback(host):
            return await reject(send, 403, (
                f"this server does not answer to the name {host[:60]!r} (Host header); it "
                f"answers to {sorted(self.allowed)}. A name of your own: lamina serve "
                "--allow-host NAME"))
        if scope["method"] in _SAFE:
            return await self.app(scope, receive, send)
        problem = self._foreign(headers, scope.get("scheme", "http"), host, port)
        if problem:
            return await reject(send, 403, problem)
        if scope["path"] not in OPEN_POSTS:
            if self.token is not None and not self._has_token(headers):
                return await reject(send, 401, (
                    "this server needs its token to store drawings: open the address "
                    "lamina serve printed (it ends in ?token=...), or send the header "
                    "'Authorization: Bearer <token>'"), [(b"www-authenticate", b"Bearer")])
            client = (scope.get("client") or ("?", 0))[0]
            wait = self.rate.wait(client) if self.rate is not None else 0.0
            if wait > 0:
                return await reject(send, 429, (
                    f"too many drawings from {client}: at most {self.rate.capacity:g} a "
                    f"minute; retry in {wait:.0f} s"),
                    [(b"retry-after", self.rate.retry_after(wait).encode())])
        return await self.app(scope, receive, send)

    @staticmethod
    def _foreign(headers: dict, scheme: str, host: str, port: int | None) -> str | None:
        """Why a POST comes from another site (a message), or None."""
        origin = headers.get("origin")
        if origin is None:
            # Browsers send Origin with every POST; without one, Sec-Fetch-Site still tells.
            if headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none"):
                return None
            return f"cross-site request refused (Sec-Fetch-Site: {headers['sec-fetch-site']})"
        parts = urlsplit(origin) if origin != "null" else None
        try:
            theirs = (parts.hostname or "", parts.port or _DEFAULT_PORT.get(parts.scheme))
        except (AttributeError, ValueError):
            theirs = None
        ours = (host, port or _DEFAULT_PORT.get(scheme))
        if theirs == ours:
            return None
        return (f"cross-origin request refused: the page at {origin[:80]!r} may not use this "
                f"server's API; only its own page may")

    def _has_token(self, headers: dict) -> bool:
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if scheme.lower() not in ("bearer", "token"):
            return False
        return secrets.compare_digest(given.strip().encode(), self.token.encode())
