"""Binary-image tools for the pen paths: 3x3 morphology, Zhang-Suen thinning, spur pruning,
and turning a skeleton into points along its strokes. Vectorised over a batch ``(B, H, W)``."""

from __future__ import annotations

import math

import numpy

from lamina.datasets.symbols.render import MASTER_SIZE

__all__ = ["dilate", "erode", "path_points", "prune", "thin"]


# ---------------------------------------------------------------- morphology and thinning


def _neighbourhood(images: numpy.ndarray, reduce) -> numpy.ndarray:
    """``reduce`` (maximum/minimum) over each pixel's 3x3 neighbourhood, for (B, H, W)."""
    pad = 0 if reduce is numpy.maximum else 1
    padded = numpy.pad(images, ((0, 0), (1, 1), (1, 1)), constant_values=pad)
    h, w = images.shape[1:]
    rows = reduce(reduce(padded[:, :-2], padded[:, 1:-1]), padded[:, 2:])
    return reduce(reduce(rows[:, :, :w], rows[:, :, 1:w + 1]), rows[:, :, 2:])


def dilate(images: numpy.ndarray, steps: int = 1) -> numpy.ndarray:
    """Grey dilation by a 3x3 square, ``steps`` times, of a batch ``(B, H, W)`` (thicker ink)."""
    for _ in range(steps):
        images = _neighbourhood(images, numpy.maximum)
    return images


def erode(images: numpy.ndarray, steps: int = 1) -> numpy.ndarray:
    """Grey erosion by a 3x3 square, ``steps`` times, of a batch ``(B, H, W)`` (thinner ink)."""
    for _ in range(steps):
        images = _neighbourhood(images, numpy.minimum)
    return images


def _last_of_cluster(ink: numpy.ndarray, remove: numpy.ndarray) -> numpy.ndarray:
    """Pixels of ``remove`` to keep so that no cluster of ink vanishes entirely: a pixel whose
    whole ink neighbourhood is being removed and that comes first in raster order."""
    h, w = ink.shape[1:]
    ink_pad = numpy.pad(ink, ((0, 0), (1, 1), (1, 1)))
    remove_pad = numpy.pad(remove, ((0, 0), (1, 1), (1, 1)))
    lonely = remove.copy()
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            neighbour = ink_pad[:, 1 + dy:1 + dy + h, 1 + dx:1 + dx + w]
            lonely &= ~(neighbour & ~remove_pad[:, 1 + dy:1 + dy + h, 1 + dx:1 + dx + w])
    earlier = sum(ink_pad[:, 1 + dy:1 + dy + h, 1 + dx:1 + dx + w]
                  for dy, dx in ((-1, -1), (-1, 0), (-1, 1), (0, -1)))
    return lonely & ~earlier.astype(bool)


def thin(masks: numpy.ndarray) -> numpy.ndarray:
    """Zhang-Suen thinning of a batch of binary images ``(B, H, W)`` to one-pixel skeletons.

    The classic algorithm deletes a 2x2 block (a dot) completely; here the top-left pixel of
    a vanishing cluster is kept, so the dot of an ``i`` survives.
    """
    img = numpy.pad(numpy.asarray(masks, dtype=bool), ((0, 0), (1, 1), (1, 1)))
    h, w = img.shape[1] - 2, img.shape[2] - 2

    def at(dy, dx):
        return img[:, 1 + dy:1 + dy + h, 1 + dx:1 + dx + w]

    while True:
        changed = False
        for step in (0, 1):
            p = img[:, 1:-1, 1:-1]
            # p2..p9: N, NE, E, SE, S, SW, W, NW (clockwise from the top).
            ring = [at(-1, 0), at(-1, 1), at(0, 1), at(1, 1), at(1, 0), at(1, -1), at(0, -1),
                    at(-1, -1)]
            count = sum(r.astype(numpy.uint8) for r in ring)
            transitions = sum((~ring[i] & ring[(i + 1) % 8]).astype(numpy.uint8) for i in range(8))
            n, e, s, west = ring[0], ring[2], ring[4], ring[6]
            if step == 0:
                side = ~(n & e & s) & ~(e & s & west)
            else:
                side = ~(n & e & west) & ~(n & s & west)
            remove = p & (count >= 2) & (count <= 6) & (transitions == 1) & side
            if not remove.any():
                continue
            remove &= ~_last_of_cluster(img[:, 1:-1, 1:-1], remove)
            img[:, 1:-1, 1:-1] = p & ~remove
            changed = True
        if not changed:
            return img[:, 1:-1, 1:-1].copy()


def _ring(skeletons: numpy.ndarray) -> list[numpy.ndarray]:
    """The 8 neighbours of every pixel, clockwise from the top (False outside the image)."""
    padded = numpy.pad(skeletons, ((0, 0), (1, 1), (1, 1)))
    h, w = skeletons.shape[1:]
    return [padded[:, 1 + dy:1 + dy + h, 1 + dx:1 + dx + w] for dy, dx in (
        (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1))]


def _ends(skeletons: numpy.ndarray, dots: bool = False) -> numpy.ndarray:
    """Stroke ends: pixels whose neighbours form one run of at most 3 around them (so a spur's
    last pixel, touching three pixels of the stroke it grows from, counts as an end); with
    ``dots``, isolated pixels too."""
    ring = _ring(skeletons)
    count = sum(r.astype(numpy.uint8) for r in ring)
    runs = sum((~ring[i] & ring[(i + 1) % 8]).astype(numpy.uint8) for i in range(8))
    ends = (count >= 1) & (count <= 3) & (runs == 1)
    return skeletons & (ends | (count == 0) if dots else ends)


def prune(skeletons: numpy.ndarray, length: int = 3) -> numpy.ndarray:
    """Remove spurs up to ``length`` pixels (thinning artefacts at corners and junctions) from
    a batch of skeletons, keeping the full length of real strokes.

    Stroke ends are peeled ``length`` times (a cluster about to vanish keeps one pixel: dots
    stay), then the remaining ends grow back along the original skeleton by as many steps.
    """
    original = numpy.asarray(skeletons, dtype=bool)
    current = original.copy()
    for _ in range(length):
        ends = _ends(current)
        current &= ~(ends & ~_last_of_cluster(current, ends))
    front = _ends(current, dots=True)
    for _ in range(length):
        front = dilate(front) & original & ~current
        current |= front
    return current


def path_points(skeleton: numpy.ndarray, sigma: float):
    """Points along a skeleton's pixel graph: ``(P, 2)`` positions (row, col) and ``(P, 2)``
    direction vectors whose length is the stretch of path each point stands for."""
    s = skeleton
    h, w = s.shape
    ring = numpy.pad(s, 1)

    def shifted(dy, dx):  # shifted(dy, dx)[r, c] == s[r + dy, c + dx] (False outside)
        return ring[1 + dy:1 + dy + h, 1 + dx:1 + dx + w]

    pts, dirs = [], []
    # Each 8-neighbour edge once; a diagonal edge is skipped when a 4-path already joins its
    # ends (else the corners of a staircase would be drawn twice as dense).
    for dy, dx in ((0, 1), (1, 0), (1, 1), (1, -1)):
        edge = s & shifted(dy, dx)
        if dy and dx:
            edge &= ~(shifted(0, dx) | shifted(dy, 0))
        start = numpy.argwhere(edge).astype(numpy.float32)
        step = numpy.array([dy, dx], dtype=numpy.float32)
        for t in (1 / 6, 1 / 2, 5 / 6):
            pts.append(start + t * step)
            dirs.append(numpy.broadcast_to(step / 3, start.shape))
    # Dots (isolated pixels) get a full pen dab, stroke ends half a one: a line's blurred
    # density halves at its end, and the dab restores a round pen cap there.
    dots = _ends(s[None], dots=True)[0] & ~_ends(s[None])[0]
    dab = 2.0 * math.sqrt(2 * math.pi) * sigma
    for cells, weight in ((dots, dab), (_ends(s[None])[0], dab / 2)):
        cells = numpy.argwhere(cells).astype(numpy.float32)
        pts.append(cells)
        dirs.append(numpy.tile(numpy.array([[weight, 0.0]], numpy.float32), (len(cells), 1)))
    center = (MASTER_SIZE - 1) / 2
    return numpy.concatenate(pts) - center, numpy.concatenate(dirs)
