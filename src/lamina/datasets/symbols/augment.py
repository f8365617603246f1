"""Make clean glyphs look hand-drawn: thin them to a pen path, distort the path, re-stroke it.

The pipeline (why each step helps is in ``docs/symbols.md``):

1. **Pen path** (once per glyph, cached): the 64x64 master is thresholded and thinned to a
   one-pixel skeleton (:func:`thin`, Zhang-Suen), which is turned into points along its edges.
   Filled glyphs (``\\clubsuit``, ``\\spadesuit``, ``\\star``) get their outline as the path,
   and also keep their area for a "filled in" variant. Font contrast (thick and thin parts,
   serifs' weight) is gone: a pen has one width.
2. **Elastic distortion** of the points: a smooth random displacement field (a sum of three
   low-frequency random waves per axis).
3. **Affine jitter**: rotation, shear, aspect ratio; then the symbol is fitted back into the
   box (as write-math does with a drawing) with a little scale and translation jitter.
4. **Re-stroking** at twice the output resolution: points are splatted, blurred with a
   Gaussian and turned into ink by an estimated distance to the path, so every stroke gets
   the same pen width, jittered per image and along the stroke ("pressure").
5. **Stroke width** by morphology: some images are dilated or eroded by one step.
6. Downsampling by 2x2 averaging (anti-aliasing); some images are binarised like HASY's.

Everything is vectorised over the batch with NumPy and driven by one ``numpy.random.Generator``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy

from lamina.datasets.symbols._skeleton import dilate, erode, path_points, prune, thin
from lamina.datasets.symbols.catalog import CLASSES
from lamina.datasets.symbols.render import MASTER_SIZE, masters

__all__ = ["HandDrawn", "dilate", "draw", "erode", "pen_paths", "prune", "thin"]

_SIGMA = 2.0  # blur of the splatted path, in canvas pixels at a 64x64 canvas


@dataclass(frozen=True)
class HandDrawn:
    """Strength of each augmentation (angles in degrees, lengths in output pixels at 32x32).

    Args:
        rotation: standard deviation of the rotation (clipped at 2.5x).
        shear: standard deviation of the horizontal shear factor.
        aspect: standard deviation of the log aspect ratio.
        elastic: largest standard deviation of the elastic displacement.
        scale: smallest fill of the box (1.0 = the long side touches the margin).
        shift: largest translation.
        pen: (thinnest, thickest) pen width.
        pressure: relative change of the pen width along the strokes.
        fill: probability that a filled glyph is drawn filled rather than as an outline.
        dilate, erode: probability of one step of dilation / erosion.
        binarize: probability of a 0/1 image (HASY's PNGs are black and white).
    """

    rotation: float = 7.0
    shear: float = 0.12
    aspect: float = 0.12
    elastic: float = 1.0
    scale: float = 0.85
    shift: float = 1.0
    pen: tuple[float, float] = (1.3, 3.0)
    pressure: float = 0.2
    fill: float = 0.3
    dilate: float = 0.1
    erode: float = 0.1
    binarize: float = 0.15

    def __post_init__(self):
        for name in ("rotation", "shear", "aspect", "elastic", "shift", "pressure"):
            value = getattr(self, name)
            if not value >= 0:
                raise ValueError(f"HandDrawn: {name} must be >= 0; received {name}={value!r}")
        for name in ("fill", "dilate", "erode", "binarize"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValueError(
                    f"HandDrawn: {name} is a probability in [0, 1]; received {name}={value!r}"
                )
        if not 0 < self.scale <= 1:
            raise ValueError(f"HandDrawn: scale must be in (0, 1]; received {self.scale!r}")
        if len(self.pen) != 2 or not 0 < self.pen[0] <= self.pen[1]:
            raise ValueError(
                f"HandDrawn: pen must be (thinnest, thickest) with 0 < thinnest <= thickest; "
                f"received {self.pen!r}"
            )


# ---------------------------------------------------------------- pen paths


@dataclass(frozen=True)
class _Paths:
    points: numpy.ndarray  # (total, 2) float32, all shapes concatenated
    dirs: numpy.ndarray  # (total, 2)
    offsets: numpy.ndarray  # (shapes + 1,) int64
    stroke: numpy.ndarray  # (classes,) shape id of each class's pen path
    fill: numpy.ndarray  # (classes,) shape id of its filled area, -1 when not filled


@functools.cache
def pen_paths(style: str) -> _Paths:
    """The cached pen paths of every class in ``style`` (built from the clean masters)."""
    clean = masters(style)
    masks = clean > 0.2  # low, so hairlines (thin strokes of serif fonts) stay connected
    filled = numpy.array([symbol.filled for symbol in CLASSES])
    outline = masks & ~erode(masks)
    skeletons = prune(thin(numpy.where(filled[:, None, None], outline, masks)))
    shapes = [path_points(sk, _SIGMA) for sk in skeletons]
    fill_of = numpy.full(len(clean), -1, dtype=numpy.int64)
    center = (MASTER_SIZE - 1) / 2
    for label in numpy.flatnonzero(filled):
        rows, cols = numpy.nonzero(masks[label])
        area = numpy.stack([rows, cols], axis=1).astype(numpy.float32) - center
        fill_of[label] = len(shapes)
        shapes.append((area, numpy.tile(numpy.array([[1.0, 0.0]], numpy.float32),
                                        (len(area), 1))))
    lengths = [len(p) for p, _ in shapes]
    return _Paths(
        points=numpy.concatenate([p for p, _ in shapes]),
        dirs=numpy.ascontiguousarray(numpy.concatenate([d for _, d in shapes])),
        offsets=numpy.concatenate([[0], numpy.cumsum(lengths)]).astype(numpy.int64),
        stroke=numpy.arange(len(clean), dtype=numpy.int64),
        fill=fill_of,
    )


@functools.lru_cache(maxsize=8)
def _table(styles: tuple[str, ...]) -> _Paths:
    """The pen paths of several styles in one flat table; ``stroke``/``fill`` are (styles, C)."""
    paths = [pen_paths(style) for style in styles]
    shift = numpy.cumsum([0] + [len(p.offsets) - 1 for p in paths[:-1]])
    offsets = [paths[0].offsets[:1]]
    base = 0
    for p in paths:
        offsets.append(p.offsets[1:] + base)
        base += p.offsets[-1]
    return _Paths(
        points=numpy.concatenate([p.points for p in paths]),
        dirs=numpy.concatenate([p.dirs for p in paths]),
        offsets=numpy.concatenate(offsets),
        stroke=numpy.stack([p.stroke + k for p, k in zip(paths, shift)]),
        fill=numpy.stack([numpy.where(p.fill >= 0, p.fill + k, -1) for p, k in zip(paths, shift)]),
    )


def _draw_parameters(n: int, rng: numpy.random.Generator, config: HandDrawn, n_styles: int):
    """Every random number of a batch, drawn at once (so chunking never changes the result)."""
    def clipped_normal(scale, shape=n):
        return numpy.clip(rng.normal(0.0, scale, shape), -2.5 * scale, 2.5 * scale)

    waves = 3
    angle = rng.uniform(0, 2 * math.pi, (n, 2, waves))
    wavelength = rng.uniform(24.0, 64.0, (n, 2, waves))  # master pixels (64 per box)
    strength = rng.uniform(0.0, 2.0 * config.elastic, (n, 1, 1))  # output px -> master px
    pressure_angle = rng.uniform(0, 2 * math.pi, n)
    return {
        "style": rng.integers(n_styles, size=n),
        "fill": rng.random(n) < config.fill,
        "omega": numpy.stack([numpy.cos(angle), numpy.sin(angle)], -1) * (2 * math.pi / wavelength)[
            ..., None],
        "phase": rng.uniform(0, 2 * math.pi, (n, 2, waves)),
        "amplitude": strength * math.sqrt(2 / waves) * numpy.ones((1, 2, waves)),
        "rotation": numpy.deg2rad(clipped_normal(config.rotation)),
        "shear": clipped_normal(config.shear),
        "aspect": clipped_normal(config.aspect),
        "scale": rng.uniform(config.scale, 1.0, n),
        "shift": rng.uniform(-config.shift, config.shift, (n, 2)),
        "pen": rng.uniform(config.pen[0], config.pen[1], n),
        "pressure": rng.uniform(0.0, config.pressure, n),
        "pressure_omega": numpy.stack([numpy.cos(pressure_angle), numpy.sin(pressure_angle)], -1)
        * (2 * math.pi / rng.uniform(20.0, 60.0, (n, 1))),
        "pressure_phase": rng.uniform(0, 2 * math.pi, n),
        "morph": rng.random(n),
        "binarize": rng.random(n) < config.binarize,
    }


def _blur(images: numpy.ndarray, sigma: float) -> numpy.ndarray:
    """Separable Gaussian blur of (B, H, W), zero outside."""
    radius = int(math.ceil(3 * sigma))
    taps = numpy.exp(-0.5 * (numpy.arange(-radius, radius + 1) / sigma) ** 2)
    taps = (taps / taps.sum()).astype(numpy.float32)
    h, w = images.shape[1:]
    padded = numpy.pad(images, ((0, 0), (radius, radius), (0, 0)))
    rows = sum(t * padded[:, k:k + h] for k, t in enumerate(taps))
    padded = numpy.pad(rows, ((0, 0), (0, 0), (radius, radius)))
    return sum(t * padded[:, :, k:k + w] for k, t in enumerate(taps))


def _splat(row: numpy.ndarray, col: numpy.ndarray, weights: numpy.ndarray,
           side: int) -> numpy.ndarray:
    """Bilinear splat of canvas points ``(row, col)`` (each (B, P)) with (B, P) weights."""
    b = row.shape[0]
    r0, c0 = numpy.floor(row), numpy.floor(col)
    fr, fc = row - r0, col - c0
    r0, c0 = r0.astype(numpy.int64), c0.astype(numpy.int64)
    batch = numpy.arange(b, dtype=numpy.int64)[:, None] * (side * side)
    indices, values = [], []
    for dr in (0, 1):
        for dc in (0, 1):
            r, c = r0 + dr, c0 + dc
            share = (fr if dr else 1 - fr) * (fc if dc else 1 - fc)
            inside = (r >= 0) & (r < side) & (c >= 0) & (c < side)
            indices.append(numpy.where(inside, batch + r * side + c, 0).ravel())
            values.append((weights * share * inside).ravel())
    canvas = numpy.bincount(numpy.concatenate(indices), numpy.concatenate(values),
                            minlength=b * side * side)
    return canvas.reshape(b, side, side).astype(numpy.float32)


def _shapes(labels, params, table: _Paths) -> numpy.ndarray:
    """The path (shape id) each image is drawn from: its style's stroke or filled variant."""
    shape = table.stroke[params["style"], labels]
    fill = table.fill[params["style"], labels]
    return numpy.where(params["fill"] & (fill >= 0), fill, shape)


def _draw_chunk(shape, params, table: _Paths, size: int, config: HandDrawn) -> numpy.ndarray:
    n = len(shape)
    f32 = numpy.float32
    side = 2 * size  # drawn at twice the resolution, then averaged down
    unit = size / 32.0  # output pixels at this size per output pixel at 32
    start, length = table.offsets[shape], table.offsets[shape + 1] - table.offsets[shape]
    steps = numpy.arange(length.max())
    valid = steps[None, :] < length[:, None]
    index = numpy.where(valid, start[:, None] + steps[None, :], 0)
    row, col = table.points[index, 0], table.points[index, 1]  # (B, P) each

    # Elastic distortion: three random plane waves per axis.
    omega, phase, amplitude = (params[k].astype(f32) for k in ("omega", "phase", "amplitude"))
    shift = []
    for axis in (0, 1):
        wave = (row[:, :, None] * omega[:, None, axis, :, 0]
                + col[:, :, None] * omega[:, None, axis, :, 1] + phase[:, None, axis])
        shift.append((numpy.sin(wave) * amplitude[:, None, axis]).sum(-1))
    row, col = row + shift[0], col + shift[1]

    # Affine jitter: A = rotation @ shear @ aspect, in (row, col) coordinates.
    cos, sin = numpy.cos(params["rotation"]), numpy.sin(params["rotation"])
    stretch = numpy.exp(params["aspect"] / 2)
    rotation = numpy.stack([numpy.stack([cos, -sin], -1), numpy.stack([sin, cos], -1)], -2)
    shear = numpy.zeros((n, 2, 2))
    shear[:, 0, 0] = shear[:, 1, 1] = 1.0
    shear[:, 1, 0] = params["shear"]
    aspect = numpy.zeros((n, 2, 2))
    aspect[:, 0, 0], aspect[:, 1, 1] = stretch, 1 / stretch
    a = (rotation @ shear @ aspect).astype(f32)[:, :, :, None]  # (B, 2, 2, 1)
    row, col = a[:, 0, 0] * row + a[:, 0, 1] * col, a[:, 1, 0] * row + a[:, 1, 1] * col

    # Fit back into the box (aspect kept), as write-math normalises a drawing; then jitter.
    lows, highs = [], []
    for v in (row, col):
        lows.append(numpy.where(valid, v, numpy.inf).min(1))
        highs.append(numpy.where(valid, v, -numpy.inf).max(1))
    extent = numpy.maximum(numpy.maximum(highs[0] - lows[0], highs[1] - lows[1]), 1.0)
    scale = (params["scale"] * (side - side / 8) / extent).astype(f32)[:, None]
    center = ((side - 1) / 2 + 2 * unit * params["shift"]).astype(f32)
    row = (row - (lows[0] + highs[0])[:, None] / 2) * scale + center[:, 0, None]
    col = (col - (lows[1] + highs[1])[:, None] / 2) * scale + center[:, 1, None]
    d_row, d_col = table.dirs[index, 0], table.dirs[index, 1]
    weights = numpy.hypot(a[:, 0, 0] * d_row + a[:, 0, 1] * d_col,
                          a[:, 1, 0] * d_row + a[:, 1, 1] * d_col) * scale * valid

    # Re-stroke: blurred path -> estimated distance to it -> ink within the pen's half width.
    sigma = _SIGMA * unit
    density = _blur(_splat(row, col, weights, side), sigma)
    peak = 1.0 / (math.sqrt(2 * math.pi) * sigma)
    ratio = numpy.maximum(peak / numpy.maximum(density, f32(1e-12)), f32(1.0))
    distance = f32(sigma) * numpy.sqrt(2 * numpy.log(ratio))
    grid = numpy.arange(side, dtype=f32) - (side - 1) / 2
    p_omega = params["pressure_omega"].astype(f32)
    wave = (grid[None, :, None] * p_omega[:, 0, None, None]
            + grid[None, None, :] * p_omega[:, 1, None, None]
            + params["pressure_phase"].astype(f32)[:, None, None])
    half_width = (params["pen"] * unit).astype(f32)[:, None, None] * (
        1 + params["pressure"].astype(f32)[:, None, None] * numpy.sin(wave))
    ink = numpy.clip(half_width + 0.5 - distance, 0.0, 1.0)

    # Stroke width by morphology, then 2x2 averaging down to the output size.
    grow = params["morph"] < config.dilate
    shrink = (params["morph"] >= config.dilate) & (params["morph"] < config.dilate + config.erode)
    shrink &= params["pen"] >= 2.0  # never erode a thin pen away
    if grow.any():
        ink[grow] = dilate(ink[grow])
    if shrink.any():
        ink[shrink] = erode(ink[shrink])
    out = ink.reshape(n, size, 2, size, 2).mean(axis=(2, 4))
    binary = params["binarize"]
    out[binary] = (out[binary] >= 0.4).astype(f32)
    return out


def draw(labels, rng: numpy.random.Generator, size: int = 32, styles=None,
         config: HandDrawn | None = None, chunk: int = 256) -> numpy.ndarray:
    """Hand-drawn-looking images of the classes ``labels`` (ints into ``CLASSES``).

    Args:
        labels: ``(N,)`` int labels.
        rng: the generator all randomness comes from (one draw per image, independent of
            ``chunk``).
        size: output side in pixels.
        styles: font styles to draw from (default: all of ``STYLES``), picked uniformly.
        config: a :class:`HandDrawn` (default strengths when None).
        chunk: images drawn per vectorised step (memory vs. speed only).
    Returns:
        ``(N, size, size)`` float32 in [0, 1], ink 1.0.
    """
    from lamina.datasets.symbols.render import STYLES

    config = HandDrawn() if config is None else config
    styles = tuple(STYLES if styles is None else styles)
    labels = numpy.asarray(labels, dtype=numpy.int64)
    params = _draw_parameters(len(labels), rng, config, len(styles))
    table = _table(styles)
    shape = _shapes(labels, params, table)
    # Draw in order of path length, so a chunk pads its paths little; results do not change.
    order = numpy.argsort(table.offsets[shape + 1] - table.offsets[shape], kind="stable")
    out = numpy.empty((len(labels), size, size), dtype=numpy.float32)
    for begin in range(0, len(labels), chunk):
        part = order[begin:begin + chunk]
        sub = {key: value[part] for key, value in params.items()}
        out[part] = _draw_chunk(shape[part], sub, table, size, config)
    return out
