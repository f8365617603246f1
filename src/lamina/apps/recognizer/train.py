"""``lamina recognizer train``: train the symbol CNN on generated data (and collected drawings).

The recipe is fixed by :data:`RECIPE` and one seed, so the same command (``--out`` naming it)
reproduces the model shipped in ``weights/symbols.lamina``: the generator, the weight
initialisation and the shuffling all draw from that seed. The run reports top-1 and top-3
accuracy on a held-out generated set (another seed, never trained on) and on the drawings
people stored through the page. With ``--with-drawings`` four of every five stored drawings
join the training data (each repeated :data:`DRAWING_REPEATS` times: they are few, and they
are the real thing), and the fifth is kept for the report.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy

from lamina.saving.archive import atomic_write

__all__ = ["DRAWING_REPEATS", "RECIPE", "build_model", "stored_drawings", "top_k_accuracy",
           "train"]

RECIPE = {"n_per_class": 150, "held_out_per_class": 20, "epochs": 8, "batch_size": 64,
          "learning_rate": 2e-3, "seed": 7}
"""The shipped model's training settings (``train``'s defaults)."""

DRAWING_REPEATS = 4


def build_model(n_classes: int, seed: int = 7):
    """The CNN: three conv blocks (32x32 -> 16 -> 8 -> 4) and a small dense head, about
    300 k parameters (1.2 MB), so one drawing takes about a millisecond on a laptop CPU."""
    from lamina import layers, models

    def conv(filters, i):
        return layers.Conv2D(filters, 3, padding="same", activation="relu",
                             kernel_initializer={"class_name": "HeNormal",
                                                 "config": {"seed": seed + i}})

    return models.Sequential([
        layers.Input((32, 32, 1)),
        conv(32, 0), layers.MaxPooling2D(),
        conv(64, 1), layers.MaxPooling2D(),
        conv(64, 2), layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dropout(0.3, seed=seed + 3),
        layers.Dense(256, activation="relu",
                     kernel_initializer={"class_name": "HeNormal", "config": {"seed": seed + 4}}),
        layers.Dropout(0.4, seed=seed + 5),
        layers.Dense(n_classes, activation="softmax",
                     kernel_initializer={"class_name": "GlorotUniform",
                                         "config": {"seed": seed + 6}}),
    ], name="symbols")


def top_k_accuracy(probabilities, labels, k: int) -> float:
    """Share of rows whose true label is among the ``k`` highest probabilities."""
    probabilities = numpy.asarray(probabilities)
    labels = numpy.asarray(labels).reshape(-1)
    if len(labels) == 0:
        return float("nan")
    top = numpy.argsort(-probabilities, axis=1, kind="stable")[:, :k]
    return float(numpy.mean(numpy.any(top == labels[:, None], axis=1)))


def stored_drawings(data_dir, n_classes):
    """Stored drawings whose label the model covers: ``x, y`` in id order."""
    from lamina.apps.recognizer.storage import DrawingStore
    from lamina.datasets.symbols import CLASSES

    path = Path(data_dir) / "drawings.sqlite3"
    if not path.is_file():
        return numpy.zeros((0, 32, 32, 1), numpy.float32), numpy.zeros(0, numpy.int64)
    index = {s.latex: i for i, s in enumerate(CLASSES[:n_classes])}
    x, labels = DrawingStore(path).images(labels=index)
    return x, numpy.array([index[label] for label in labels], dtype=numpy.int64)


def _say(verbose, *parts):
    if verbose:
        print(*parts, flush=True)


def train(out=None, *, with_drawings: bool = False, data_dir=None, n_classes: int | None = None,
          n_per_class: int = RECIPE["n_per_class"],
          held_out_per_class: int = RECIPE["held_out_per_class"], epochs: int = RECIPE["epochs"],
          batch_size: int = RECIPE["batch_size"], learning_rate: float = RECIPE["learning_rate"],
          seed: int = RECIPE["seed"], verbose: int = 1) -> dict:
    """Train, evaluate and save the recognizer; returns the report (also saved as JSON beside
    the model, ``<out>.json``).

    Args:
        out: where to save (``.lamina``); default ``<data_dir>/symbols.lamina``, which
            ``lamina serve`` then uses: the model shipped inside the package is never
            overwritten unless ``out`` names it.
        with_drawings: add 4/5 of the stored drawings to training (the rest are evaluated).
        data_dir: the server's data directory (``drawings.sqlite3``); default as ``serve``.
        n_classes: train on the first ``n_classes`` classes only (tests); default all.
        n_per_class, held_out_per_class: generated training / evaluation images per class.
        epochs, batch_size, learning_rate, seed: the rest of the recipe.
        verbose: 1 prints progress bars and the report; 0 is silent.
    """
    import lamina
    from lamina import optimizers
    from lamina.apps.recognizer.model import TRAINED_MODEL_NAME
    from lamina.apps.recognizer.server import default_data_dir
    from lamina.datasets.symbols import CLASSES, load_data

    started = time.monotonic()
    data_dir = Path(default_data_dir() if data_dir is None else data_dir)
    out = Path(data_dir / TRAINED_MODEL_NAME if out is None else out)
    n_classes = len(CLASSES) if n_classes is None else int(n_classes)
    if not 2 <= n_classes <= len(CLASSES):
        raise ValueError(f"train: n_classes must be from 2 to {len(CLASSES)}; received "
                         f"n_classes={n_classes}")
    lamina.random.set_random_seed(seed)

    _say(verbose, f"generating {n_per_class} training images for each of {n_classes} symbols "
                  f"(seed {seed}) ...")
    x, y = load_data(n_per_class=n_per_class, seed=seed, n_classes=n_classes)
    x_test, y_test = load_data(n_per_class=held_out_per_class, seed=seed + 1_000_003,
                               n_classes=n_classes)
    x_draw, y_draw = stored_drawings(data_dir, n_classes)
    if with_drawings and len(y_draw):
        keep = numpy.arange(len(y_draw)) % 5 != 4
        x = numpy.concatenate([x] + [x_draw[keep]] * DRAWING_REPEATS)
        y = numpy.concatenate([y] + [y_draw[keep]] * DRAWING_REPEATS)
        x_draw, y_draw = x_draw[~keep], y_draw[~keep]
        _say(verbose, f"added {int(keep.sum())} stored drawings (x{DRAWING_REPEATS}); "
                      f"{len(y_draw)} kept for evaluation")
    _say(verbose, f"{len(y)} training images, {len(y_test)} held-out generated images")

    model = build_model(n_classes, seed)
    steps = epochs * -(-len(y) // batch_size)
    schedule = optimizers.schedules.CosineDecay(learning_rate, decay_steps=steps, alpha=0.02)
    model.compile(optimizer=optimizers.Adam(learning_rate=schedule),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=epochs, batch_size=batch_size, seed=seed, verbose=verbose)

    probs = model.predict(x_test, batch_size=256, verbose=0)
    report = {
        "seed": seed, "n_classes": n_classes, "n_per_class": n_per_class, "epochs": epochs,
        "batch_size": batch_size, "learning_rate": learning_rate,
        "with_drawings": bool(with_drawings), "train_images": int(len(y)),
        "held_out": {"images": int(len(y_test)), "top1": top_k_accuracy(probs, y_test, 1),
                     "top3": top_k_accuracy(probs, y_test, 3)},
        "drawings": {"images": int(len(y_draw))},
    }
    if len(y_draw):
        probs = model.predict(x_draw, batch_size=256, verbose=0)
        report["drawings"].update(top1=top_k_accuracy(probs, y_draw, 1),
                                  top3=top_k_accuracy(probs, y_draw, 3))
    from lamina.apps.recognizer.calibration import calibrate, describe
    from lamina.apps.recognizer.model import Recognizer

    report["calibration"] = calibrate(Recognizer(model), (x_draw, y_draw),
                                      per_class=held_out_per_class, seed=seed + 2_000_003)
    _say(verbose, f"calibration: {describe(report['calibration'])}")
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out, include_optimizer=False)
    report["model_bytes"] = out.stat().st_size
    report["seconds"] = round(time.monotonic() - started, 1)
    text = json.dumps(report, indent=2) + "\n"
    atomic_write(out.with_suffix(".json"), lambda f: f.write(text.encode()))

    held = report["held_out"]
    _say(verbose, f"held-out generated ({held['images']} images): top-1 {held['top1']:.1%}, "
                  f"top-3 {held['top3']:.1%}")
    if len(y_draw):
        d = report["drawings"]
        _say(verbose, f"stored drawings ({d['images']}): top-1 {d['top1']:.1%}, "
                      f"top-3 {d['top3']:.1%}")
    else:
        _say(verbose, f"stored drawings: none to evaluate in {data_dir}")
    _say(verbose, f"saved {out} ({report['model_bytes'] / 1e6:.2f} MB) in {report['seconds']} s")
    return report
