"""Learning-rate schedules: the learning rate as a function of the optimizer step.

Pass a schedule as any optimizer's ``learning_rate``; the optimizer calls it with its
``iterations`` (0 on the first step) before each update. Formulas, argument names and
defaults are Keras 3's.

Example:
    >>> from lamina.optimizers import SGD
    >>> from lamina.optimizers.schedules import ExponentialDecay
    >>> schedule = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    >>> schedule(10)
    0.05
    >>> opt = SGD(learning_rate=schedule)
"""

from __future__ import annotations

import math
import numbers

from lamina._registry import Configurable, Registry

__all__ = [
    "CosineDecay",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "deserialize",
    "serialize",
]


def _number(owner, name, value, minimum=None, strict=False):
    """``value`` as a float; a TypeError/ValueError naming ``owner`` and the argument."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a number; received {name}={value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{owner}: {name} must be finite; received {name}={value}")
    if minimum is not None and (value <= minimum if strict else value < minimum):
        sign = ">" if strict else ">="
        raise ValueError(f"{owner}: {name} must be {sign} {minimum}; received {name}={value}")
    return value


def _decay_start(owner, initial_learning_rate, decay_steps):
    """The arguments every decay has, checked: ``(initial_learning_rate as a float,
    decay_steps as given)``; ``decay_steps`` must be > 0."""
    initial_learning_rate = _number(owner, "initial_learning_rate", initial_learning_rate)
    _number(owner, "decay_steps", decay_steps, minimum=0, strict=True)
    return initial_learning_rate, decay_steps


class LearningRateSchedule(Configurable):
    """Base class: a callable ``schedule(step) -> learning rate`` (a Python float).

    Subclasses override ``__call__(step)`` and ``get_config()``; ``from_config`` calls
    ``cls(**config)``.

    Example:
        >>> class Halving(LearningRateSchedule):
        ...     def __init__(self, initial_learning_rate):
        ...         self.initial_learning_rate = initial_learning_rate
        ...     def __call__(self, step):
        ...         return self.initial_learning_rate / 2 ** int(step)
        ...     def get_config(self):
        ...         return {"initial_learning_rate": self.initial_learning_rate}
        >>> Halving(1.0)(3)
        0.125
    """

    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override __call__(self, step)."
        )

    def get_config(self) -> dict:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override get_config() "
            "to be serializable."
        )


class _RateDecay(LearningRateSchedule):
    """The arguments and config shared by ExponentialDecay and InverseTimeDecay."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase, name):
        owner = type(self).__name__
        self.initial_learning_rate, self.decay_steps = _decay_start(
            owner, initial_learning_rate, decay_steps)
        self.decay_rate = _number(owner, "decay_rate", decay_rate)
        self.staircase = bool(staircase)
        self.name = name

    def _progress(self, step):
        """``step / decay_steps``, floored with ``staircase``."""
        p = float(step) / self.decay_steps
        return math.floor(p) if self.staircase else p

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_RateDecay):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``.

    With ``staircase=True`` the exponent is ``floor(step / decay_steps)``: the rate drops
    once every ``decay_steps`` steps.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: > 0; steps per factor of ``decay_rate``.
        decay_rate: the factor per ``decay_steps`` steps.
        staircase: decay at discrete intervals.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step):
        return self.initial_learning_rate * self.decay_rate ** self._progress(step)


class InverseTimeDecay(_RateDecay):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``.

    ``InverseTimeDecay(lr, decay_steps=1, decay_rate=d)`` is exactly Keras 1/2's
    ``SGD(lr=lr, decay=d)``. With ``staircase=True``, ``step / decay_steps`` is floored.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step):
        return self.initial_learning_rate / (1.0 + self.decay_rate * self._progress(step))


class PiecewiseConstantDecay(LearningRateSchedule):
    """A step function: ``values[0]`` while ``step <= boundaries[0]``, ``values[1]`` while
    ``boundaries[0] < step <= boundaries[1]``, ..., ``values[-1]`` after ``boundaries[-1]``.

    Args:
        boundaries: strictly increasing step numbers.
        values: one more value than boundaries.

    Example:
        >>> s = PiecewiseConstantDecay([100, 200], [1.0, 0.5, 0.1])
        >>> s(100), s(101), s(201)
        (1.0, 0.5, 0.1)
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        owner = type(self).__name__
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                f"{owner}: values must have one more entry than boundaries; received "
                f"boundaries={boundaries} (length {len(boundaries)}) and values={values} "
                f"(length {len(values)})"
            )
        for b in boundaries:
            _number(owner, "boundaries", b)
        if any(b1 >= b2 for b1, b2 in zip(boundaries, boundaries[1:], strict=False)):
            raise ValueError(f"{owner}: boundaries must be strictly increasing; received "
                             f"boundaries={boundaries}")
        self.boundaries = boundaries
        self.values = [_number(owner, "values", v) for v in values]
        self.name = name

    def __call__(self, step):
        for boundary, value in zip(self.boundaries, self.values, strict=False):
            if step <= boundary:
                return value
        return self.values[-1]

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """``(initial - end) * (1 - min(step, decay_steps) / decay_steps) ** power + end``.

    With ``cycle=True`` the decay restarts: ``decay_steps`` is multiplied by
    ``ceil(step / decay_steps)`` (1 at step 0).
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):
        owner = type(self).__name__
        self.initial_learning_rate, self.decay_steps = _decay_start(
            owner, initial_learning_rate, decay_steps)
        self.end_learning_rate = _number(owner, "end_learning_rate", end_learning_rate)
        self.power = _number(owner, "power", power)
        self.cycle = bool(cycle)
        self.name = name

    def __call__(self, step):
        step = float(step)
        decay_steps = float(self.decay_steps)
        if self.cycle:
            decay_steps *= 1.0 if step == 0 else math.ceil(step / decay_steps)
        else:
            step = min(step, decay_steps)
        p = step / decay_steps
        delta = self.initial_learning_rate - self.end_learning_rate
        return delta * (1.0 - p) ** self.power + self.end_learning_rate

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Cosine decay, with an optional linear warmup first.

    Without warmup (``warmup_target=None``)::

        step = min(step, decay_steps)
        lr = initial_learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * step / decay_steps))
                                      + alpha)

    With ``warmup_target``: for ``step < warmup_steps`` the rate rises linearly from
    ``initial_learning_rate`` to ``warmup_target``; then it decays as above from
    ``warmup_target`` over ``decay_steps`` more steps (``step - warmup_steps``).

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: > 0; steps to decay over.
        alpha: the final rate as a fraction of the decay's starting rate.
        warmup_target: the rate reached at the end of the warmup, or None for no warmup.
        warmup_steps: >= 0; steps to warm up over.
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        owner = type(self).__name__
        self.initial_learning_rate, self.decay_steps = _decay_start(
            owner, initial_learning_rate, decay_steps)
        self.alpha = _number(owner, "alpha", alpha)
        self.name = name
        self.warmup_target = (None if warmup_target is None
                              else _number(owner, "warmup_target", warmup_target))
        self.warmup_steps = warmup_steps
        _number(owner, "warmup_steps", warmup_steps, minimum=0)

    def _decay(self, step, start):
        cosine = 0.5 * (1.0 + math.cos(math.pi * step / self.decay_steps))
        return start * ((1.0 - self.alpha) * cosine + self.alpha)

    def __call__(self, step):
        step = float(step)
        if self.warmup_target is None:
            return self._decay(min(step, self.decay_steps), self.initial_learning_rate)
        step = min(step, self.decay_steps + self.warmup_steps)
        if step < self.warmup_steps:
            fraction = step / self.warmup_steps
            return ((self.warmup_target - self.initial_learning_rate) * fraction
                    + self.initial_learning_rate)
        return self._decay(step - self.warmup_steps, self.warmup_target)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


_SCHEDULES = {cls.__name__: cls for cls in (
    ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, PolynomialDecay, CosineDecay)}
_REGISTRY = Registry("learning rate schedule", LearningRateSchedule, _SCHEDULES, registered=False,
                     config_error=(ValueError, "a dict with 'class_name' and 'config'"))


def serialize(schedule: LearningRateSchedule) -> dict:
    """``{"class_name": ..., "config": ...}``, the form Keras stores in optimizer configs."""
    return _REGISTRY.serialize(schedule)


def deserialize(config: dict, custom_objects: dict | None = None) -> LearningRateSchedule:
    """Rebuild a schedule from :func:`serialize`'s output (extra Keras keys are ignored)."""
    cls, config = _REGISTRY.resolve(config, custom_objects)
    return cls.from_config(config)
