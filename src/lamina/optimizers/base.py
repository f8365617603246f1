"""``Optimizer``: the shared machinery; each subclass writes one in-place update step.

Per call of :meth:`Optimizer.apply_gradients`, as in Keras 3: build on first use, skip
None gradients, clip (``clipnorm`` / ``global_clipnorm`` / ``clipvalue``), apply decoupled
weight decay, run ``update_step`` per variable, count the step, then apply each variable's
``constraint`` (called with the updated array ``variable.data``; its result is assigned).
"""

from __future__ import annotations

import math
import numbers
import re
import threading
import warnings

from lamina.autograd.grad_mode import no_grad
from lamina.backend import floatx, get_array_module
from lamina.optimizers import _args
from lamina.optimizers import schedules as _schedules
from lamina.optimizers.split import SplitUpdates
from lamina.optimizers.state import OptimizerState


def _raw(x):
    # requires_grad first: an ndarray has no such attribute, and its .data makes a buffer
    return x.data if hasattr(x, "requires_grad") and hasattr(x, "data") else x


def _label(variable, index=None) -> str:
    name = getattr(variable, "path", None) or getattr(variable, "name", None)
    return repr(name) if name else f"#{index}"


class Optimizer(SplitUpdates, OptimizerState):
    """Base class of all optimizers.

    Args:
        learning_rate: a float >= 0, a ``schedules.LearningRateSchedule`` (called with the
            step count) or a callable with no arguments.
        weight_decay: if set, decoupled weight decay ``w -= learning_rate * weight_decay * w``
            before each update.
        clipnorm: clip each gradient to this L2 norm.
        clipvalue: clip each gradient element to ``[-clipvalue, clipvalue]``.
        global_clipnorm: clip all gradients together to this global L2 norm.
        name: a label (Keras uses it to name the optimizer's variables).

    A subclass overrides three methods (everything else is shared):

    - ``build(variables)``: call ``super().build(variables)``, then create the slots with
      ``add_optimizer_variables(variables, "slot_name")`` (zero arrays shaped like each
      variable, saved by ``get_state`` as ``"slot_name/<index>"``);
    - ``update_step(grad, variable, learning_rate)``: update ``variable.data`` and the slots
      of one variable in place. ``grad`` is already clipped and has the variable's dtype;
      ``learning_rate`` is this step's float; ``self.iterations`` is the number of steps
      done before this one;
    - ``get_config()``: add the subclass's own arguments to ``super().get_config()``.

    Example (SGD with momentum, written against this contract):
        >>> import numpy as np
        >>> from lamina import Variable
        >>> class MomentumSGD(Optimizer):
        ...     def __init__(self, learning_rate=0.01, momentum=0.9, name="momentum_sgd",
        ...                  **kwargs):
        ...         super().__init__(learning_rate, name=name, **kwargs)
        ...         self.momentum = momentum
        ...
        ...     def build(self, variables):
        ...         super().build(variables)
        ...         self.velocities = self.add_optimizer_variables(variables, "velocity")
        ...
        ...     def update_step(self, grad, variable, learning_rate):
        ...         v = self.velocities[self._get_variable_index(variable)]
        ...         v *= self.momentum              # v = momentum * v - lr * g  (in place)
        ...         v -= learning_rate * grad
        ...         variable.data += v              # w = w + v                  (in place)
        ...
        ...     def get_config(self):
        ...         return {**super().get_config(), "momentum": self.momentum}
        >>> w = Variable([1.0, -2.0], name="w")
        >>> opt = MomentumSGD(learning_rate=0.1)
        >>> opt.apply_gradients([(np.array([1.0, 1.0], dtype="float32"), w)])
        1
        >>> w.data
        array([ 0.9, -2.1], dtype=float32)
        >>> sorted(opt.get_state())
        ['iterations', 'learning_rate', 'velocity/0']
    """

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None, **kwargs):
        owner = type(self).__name__
        learning_rate = _args.legacy_and_unknown(type(self), learning_rate, kwargs)
        self.name = name if name is not None else owner.lower()
        self._learning_rate = self._check_learning_rate(learning_rate)
        self.weight_decay = self._optional(weight_decay, "weight_decay", minimum=0.0)
        self.clipnorm, self.clipvalue, self.global_clipnorm = _args.clipping(
            owner, clipnorm, clipvalue, global_clipnorm)
        self._iterations = 0
        self.built = False
        self._variables = []
        self._index = {}            # id(variable) -> position in build order
        self._slots = {}            # state key ("momentum/3") -> array, in creation order
        self._work = {}             # (key, dtype, thread) -> flat scratch array, reused
        self._slot_lists = []       # the per-variable slot lists handed to subclasses
        self._parts = {}            # variable index -> its _Part slices (see _update)
        self._n_parts = 0           # virtual indices handed to parts so far
        self._exclude_ids = set()
        self._exclude_pattern = None
        self._pending_state = None
        self._warned_missing = False

    # ------------------------------------------------------------------ validation
    def _check_learning_rate(self, value):
        return _args.learning_rate(type(self).__name__, value)

    def _hyper(self, value, name, low=0.0, high=1.0, high_closed=False) -> float:
        """``value`` as a float in [low, high) (or [low, high]); a clear error otherwise."""
        return _args.in_range(type(self).__name__, value, name, low, high, high_closed)

    def _epsilon(self, value) -> float:
        """``epsilon`` as a float >= 0; None means 1e-7, Keras's ``backend.epsilon()`` (Keras 2
        accepted ``epsilon=None`` for it)."""
        return 1e-7 if value is None else self._optional(value, "epsilon")

    def _optional(self, value, name, minimum=0.0, positive=False):
        """None, or a float >= minimum (> 0 when ``positive``)."""
        return _args.optional(type(self).__name__, value, name, minimum, positive)

    # ------------------------------------------------------------------ properties
    @property
    def learning_rate(self) -> float:
        """This step's learning rate; setting a float replaces any schedule."""
        lr = self._learning_rate
        if isinstance(lr, _schedules.LearningRateSchedule):
            return float(lr(self._iterations))
        if callable(lr):
            return float(lr())
        return lr

    @learning_rate.setter
    def learning_rate(self, value):
        self._learning_rate = self._check_learning_rate(value)

    @property
    def iterations(self) -> int:
        """The number of update steps done so far."""
        return self._iterations

    @iterations.setter
    def iterations(self, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
            raise ValueError(f"{type(self).__name__}: iterations must be an int >= 0; "
                             f"received iterations={value!r}")
        self._iterations = int(value)

    # ------------------------------------------------------------------ building
    def build(self, variables):
        """Record ``variables`` (their order gives the state keys); subclasses add slots."""
        self._variables = list(variables)
        self._index = {id(v): i for i, v in enumerate(self._variables)}
        self._slot_lists, self._parts, self._n_parts = [], {}, 0
        self.built = True

    def add_variable(self, shape, name, initializer=0.0, dtype=None):
        """A slot not tied to one variable (e.g. Nadam's momentum product), keyed ``name``."""
        xp = get_array_module(*(v.data for v in self._variables[:1]))
        return self._add_slot(name, xp.full(shape, initializer, dtype=dtype or floatx()))

    def add_optimizer_variables(self, variables, name, initializer=0.0):
        """One slot per variable (its shape and dtype, filled with ``initializer``)."""
        slots = []
        for v in variables:
            data = v.data
            index = self._index[id(v)]
            slots.append(self._add_slot(f"{name}/{index}", get_array_module(data).full(
                data.shape, initializer, dtype=data.dtype)))
        self._slot_lists.append(slots)
        return slots

    def _add_slot(self, key, array):
        if key in self._slots:
            raise ValueError(f"{type(self).__name__}: slot {key!r} was created twice")
        self._slots[key] = array
        return array

    def _get_variable_index(self, variable) -> int:
        return self._index[id(variable)]

    def _scratch(self, like, key=0):
        """A reused work array shaped like ``like`` (contents undefined): no per-step allocation.
        One per thread, as parts of a big variable are updated on several threads."""
        k = (key, like.dtype.str, threading.get_ident())
        flat = self._work.get(k)
        size = like.size
        if flat is None or flat.size < size:
            flat = get_array_module(like).empty(max(size, 1), dtype=like.dtype)
            self._work[k] = flat
        return flat[:size].reshape(like.shape)

    # ------------------------------------------------------------------ the step
    def update_step(self, grad, variable, learning_rate):
        """Update ``variable.data`` in place for one gradient (subclasses override)."""
        raise NotImplementedError(f"{type(self).__name__} must override "
                                  "update_step(self, grad, variable, learning_rate)")

    def _prepare_step(self):
        """Hook run once per step before the per-variable updates (Nadam's momentum cache)."""

    def apply_gradients(self, grads_and_vars) -> int:
        """Apply ``(gradient, variable)`` pairs (None gradients are skipped); returns
        the new ``iterations``."""
        pairs = list(grads_and_vars)
        for pair in pairs:
            if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
                raise TypeError(f"{type(self).__name__}.apply_gradients: expected (gradient, "
                                f"variable) pairs; received {pair!r}")
        if not pairs:
            return self._iterations
        grads, variables = zip(*pairs, strict=True)
        return self.apply(grads, variables)

    def apply(self, grads, variables=None) -> int:
        """Apply ``grads`` to ``variables`` (or to the variables the optimizer was built on)."""
        owner = type(self).__name__
        grads = list(grads)
        if variables is None:
            if not self.built:
                raise ValueError(f"{owner}.apply: without variables the optimizer must be "
                                 "built first; call optimizer.build(variables)")
            variables = self._variables
        variables = list(variables)
        if len(grads) != len(variables):
            raise ValueError(f"{owner}.apply: received {len(grads)} gradients for "
                             f"{len(variables)} variables; expected one per variable")
        if not grads:
            return self._iterations
        if not self.built:
            self.build(variables)
        if self._pending_state is not None:
            pending, self._pending_state = self._pending_state, None
            self._load_slots(pending)
        pairs, missing = [], []
        indices = self._index
        for g, v in zip(grads, variables, strict=True):
            index = indices.get(id(v))
            if index is None:
                raise ValueError(
                    f"{owner}: unknown variable {_label(v)}; this optimizer was built on "
                    f"{len(self._variables)} other variables. Create a new optimizer for a new "
                    "set of variables."
                )
            if g is None:
                missing.append(_label(v, index))
                continue
            g = _raw(g)
            if not hasattr(g, "shape"):  # a list or number
                g = get_array_module(v.data).asarray(g, dtype=v.data.dtype)
            if g.shape != v.data.shape:
                raise ValueError(f"{owner}: the gradient for variable {_label(v, index)} has "
                                 f"shape {g.shape}, but the variable has shape {v.data.shape}")
            pairs.append((g, v))
        if not pairs:
            raise ValueError(f"{owner}: no gradients provided for any variable (all are None); "
                             "call loss.backward() before apply_gradients")
        if missing and not self._warned_missing:
            self._warned_missing = True
            warnings.warn(f"{owner}: gradients do not exist for variables "
                          f"[{', '.join(missing)}]; they are not updated", stacklevel=3)
        scales = self._clip_scales(pairs)
        lr = self.learning_rate
        if self.weight_decay:
            for _, v in pairs:
                if self._use_weight_decay(v):  # w -= w * wd * lr, as Keras
                    t = self._scratch(v.data)
                    get_array_module(v.data).multiply(v.data, self.weight_decay * lr, out=t)
                    v.data -= t
        self._prepare_step()
        split = self._splits()
        later = []  # big variables, updated on every thread at once (SplitUpdates)
        for (g, v), scale in zip(pairs, scales, strict=True):
            prepared = self._prepare_grad(g, v.data, scale)
            if prepared is g and self._split_later(v, split):  # not a reused scratch array
                later.append((g, v))
            else:
                self._update(prepared, v, lr, split)
        self._update_split(later, lr)
        self._iterations += 1
        constrained = [v for _, v in pairs if getattr(v, "constraint", None) is not None]
        if constrained:
            with no_grad():  # constraint(array) -> new array (or Tensor), as lamina.constraints
                for v in constrained:
                    v.assign(v.constraint(v.data))
        return self._iterations

    def _clip_scales(self, pairs):
        """Per pair: a factor for the gradient (None: leave it), per clipnorm/global_clipnorm."""
        if self.clipnorm is not None:
            norms = [math.sqrt(float(get_array_module(g).vdot(g, g))) for g, _ in pairs]
            return [self.clipnorm / n if n > self.clipnorm else None for n in norms]
        if self.global_clipnorm is not None:
            norm = math.sqrt(sum(float(get_array_module(g).vdot(g, g)) for g, _ in pairs))
            if not math.isfinite(norm):
                scale = math.nan  # as Keras: a non-finite global norm makes every update NaN
            else:
                scale = self.global_clipnorm / norm if norm > self.global_clipnorm else None
            return [scale] * len(pairs)
        return [None] * len(pairs)

    def _prepare_grad(self, g, data, scale):
        """The gradient clipped and in the variable's dtype, written to a scratch array."""
        if scale is None and g.dtype == data.dtype and self.clipvalue is None:
            return g
        xp = get_array_module(data)
        out = self._scratch(data, "grad")
        src = g
        if scale is not None:
            xp.multiply(src, scale, out=out)
            src = out
        if self.clipvalue is not None:
            xp.clip(src, -self.clipvalue, self.clipvalue, out=out)
            src = out
        if src is not out:
            out[...] = src
        return out

    # ------------------------------------------------------------------ weight decay
    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Leave out ``var_list`` and variables whose name or path contains one of
        ``var_names`` (e.g. ``["bias"]``) from weight decay. Call it before the first step."""
        if self.built:
            raise ValueError(f"{type(self).__name__}: exclude_from_weight_decay() must be "
                             "called before the optimizer is built (before the first step)")
        self._exclude_ids = {id(v) for v in var_list or ()}
        names = list(var_names or ())
        self._exclude_pattern = re.compile("|".join(map(re.escape, names))) if names else None

    def _use_weight_decay(self, variable) -> bool:
        if id(variable) in self._exclude_ids:
            return False
        if self._exclude_pattern is not None:
            for text in (getattr(variable, "name", None), getattr(variable, "path", None)):
                if text and self._exclude_pattern.search(text):
                    return False
        return True

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        """The constructor arguments (JSON-able); ``from_config`` rebuilds the optimizer."""
        lr = self._learning_rate
        if isinstance(lr, _schedules.LearningRateSchedule):
            lr = _schedules.serialize(lr)
        elif callable(lr):
            lr = float(lr())  # a plain callable cannot be saved; keep its current value
        return {"name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
                "clipvalue": self.clipvalue}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        """A new optimizer (without state) from ``get_config()``'s output."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = _schedules.deserialize(config["learning_rate"],
                                                             custom_objects)
        return cls(**config)

    def __repr__(self):
        return (f"<{type(self).__name__} name={self.name!r} learning_rate={self.learning_rate:g}"
                f" iterations={self._iterations}>")
