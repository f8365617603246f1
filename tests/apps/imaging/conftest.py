"""Stand-in networks for every task (see :mod:`.standins`)."""

from __future__ import annotations

import pytest

from tests.apps.imaging import standins


@pytest.fixture
def networks(monkeypatch):
    """Every task answered by a tiny stand-in: denoise and upscale on one channel (run per
    channel on RGB), colorize 1 -> 3, inpaint RGB + mask -> RGB through strided layers."""
    return standins.install(monkeypatch, denoise=standins.plain(),
                            upscale=standins.upscaler(),
                            colorize=standins.plain(1, 3, seed=5),
                            inpaint=standins.encoder_decoder(4, 3, seed=9))
