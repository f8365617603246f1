"""``Model.get_compile_config`` / ``compile_from_config``: the compile arguments as JSON.

Losses are names or ``{"class_name", "config"}`` dicts (one, or a list/dict with one per
output); metrics keep the names (a metric object or function cannot be written as JSON
and is left out, as before); ``loss_weights`` are numbers.
"""

from __future__ import annotations


def _loss_json(spec):
    from lamina import losses

    if isinstance(spec, losses.Loss):
        return losses.serialize(spec)
    if isinstance(spec, dict):
        return {k: _loss_json(v) for k, v in spec.items()}
    if isinstance(spec, (list, tuple)):
        return [_loss_json(v) for v in spec]
    return spec if spec is None or isinstance(spec, str) else None  # a function: not JSON


def _metrics_json(specs, several: bool):
    """Names only: a list of names (one output), or per output a name, a list or None."""
    def names(entry):
        if isinstance(entry, str):
            return entry
        if isinstance(entry, (list, tuple)):
            return [e for e in entry if isinstance(e, str)]
        return None

    if isinstance(specs, dict):
        return {k: names(v) for k, v in specs.items()}
    if several:
        return [names(e) for e in specs]
    return [e for e in specs if isinstance(e, str)]


def get_compile_config(model) -> dict:
    from lamina import optimizers

    several = model._compile_loss.names is not None
    return {"optimizer": optimizers.serialize(model.optimizer),
            "loss": _loss_json(model.loss),
            "loss_weights": model.loss_weights,
            "metrics": _metrics_json(model._metric_specs, several),
            "weighted_metrics": _metrics_json(model._weighted_metric_specs, several)}


def _loss_from_json(spec):
    from lamina import losses

    if isinstance(spec, dict):
        if "class_name" in spec:
            return losses.deserialize(spec)
        return {k: _loss_from_json(v) for k, v in spec.items()}
    if isinstance(spec, list):
        return [_loss_from_json(v) for v in spec]
    return spec


def compile_from_config(model, config: dict) -> None:
    from lamina import optimizers

    if not isinstance(config, dict) or "optimizer" not in config:
        raise ValueError(f"compile_from_config: expected the dict of get_compile_config() with "
                         f"an 'optimizer'; received {str(config)[:200]}")
    model.compile(optimizer=optimizers.deserialize(config["optimizer"]),
                  loss=_loss_from_json(config.get("loss")),
                  loss_weights=config.get("loss_weights"),
                  metrics=config.get("metrics") or None,
                  weighted_metrics=config.get("weighted_metrics") or None)
