"""Every dataset test runs offline and away from the user's files.

The cache goes to a temporary directory, ``$LAMINA_DATA`` is unset, Fashion-MNIST's
Debian directory points to an empty place (tests that want the real files set it back),
and any attempt to download fails the test.
"""

from __future__ import annotations

import pytest

from lamina.datasets import _sources, fashion_mnist


def _no_download(url):
    raise AssertionError(f"tests must never download; tried {url}")


@pytest.fixture(autouse=True)
def offline(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMINA_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("LAMINA_DATA", raising=False)
    monkeypatch.setattr(fashion_mnist, "DEBIAN_DIR", str(tmp_path / "no-debian"))
    monkeypatch.setattr(_sources, "_urlopen", _no_download)
