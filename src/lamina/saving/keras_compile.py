"""A model's compile arguments to and from Keras 3's ``compile_config``.

Both hold the optimizer as an object config, the loss as a name, an object config, or a
list/dict of them per output, and the metrics by name. Keras adds ``run_eagerly``,
``steps_per_execution`` and ``jit_compile``, which do not change what is computed.
"""

from __future__ import annotations

import warnings

from lamina.saving import keras_objects as ko


def each(value, convert):
    """``convert`` applied to every entry of a loss or metrics spec (lists and dicts per
    output, nested)."""
    if isinstance(value, list):
        return [each(v, convert) for v in value]
    if isinstance(value, dict) and "class_name" not in value:
        return {k: each(v, convert) for k, v in value.items()}
    return convert(value)


def to_keras(config: dict | None) -> dict:
    """lamina's ``get_compile_config()`` as Keras 3 writes it (``{}``: not compiled)."""
    if not config:
        return {}  # what Keras writes for a model that is not compiled
    return {"optimizer": ko.object_to_keras("optimizer", config.get("optimizer")),
            "loss": each(config.get("loss"), lambda v: ko.object_to_keras("loss", v)),
            "loss_weights": config.get("loss_weights"),
            "metrics": each(config.get("metrics") or None,
                             lambda v: ko.object_to_keras("metric", v)),
            "weighted_metrics": config.get("weighted_metrics") or None,
            "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False}


def from_keras(config, where: str) -> dict | None:
    """A Keras ``compile_config`` as lamina's, or None (with a warning, as Keras does) if
    it cannot be read; the model then loads uncompiled."""
    if not isinstance(config, dict) or not config.get("optimizer"):
        return None
    try:
        return {"optimizer": ko.object_from_keras("optimizer", config["optimizer"], where,
                                                  "the optimizer"),
                "loss": each(config.get("loss"),
                                lambda v: ko.object_from_keras("loss", v, where, "the loss")),
                "loss_weights": config.get("loss_weights"),
                "metrics": each(config.get("metrics"),
                                    lambda v: ko.object_from_keras("metric", v, where,
                                                                   "a metric")),
                "weighted_metrics": each(config.get("weighted_metrics"),
                                             lambda v: ko.object_from_keras(
                                                 "metric", v, where, "a weighted metric"))}
    except ValueError as err:
        warnings.warn(f"{err}; the model is loaded uncompiled (compile it again to train)",
                      stacklevel=3)
        return None
