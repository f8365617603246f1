"""The optimizer's state in a ``.keras`` archive: group ``optimizer/vars`` of
``model.weights.h5``, datasets ``0``, ``1``... in Keras 3's order.

Keras lists an optimizer's variables as ``iteration``, ``learning_rate`` (unless it is a
schedule), then its slots: per group of :data:`SLOT_GROUPS`, for each trainable variable
of the model (Keras's order: :func:`lamina.saving.h5_legacy_weights.layer_weights`), each
slot of the group (Adam: ``momentum, velocity`` of variable 0, then of variable 1...,
then ``velocity_hat`` of each with ``amsgrad``), then the optimizer's own scalars
(Nadam's ``u_product``). lamina's slots carry the same names (``"momentum/<i>"``, ``i``
the variable's position in ``model.trainable_weights``), so the two orders map one to
one. A state that does not match (another optimizer, other options, other variables) is
not loaded, with a warning, as Keras does.
"""

from __future__ import annotations

import warnings

import numpy

from lamina.saving import h5_safety as safe

SLOT_GROUPS = {
    "SGD": [("momentum",)],
    "Adam": [("momentum", "velocity"), ("velocity_hat",)],
    "AdamW": [("momentum", "velocity"), ("velocity_hat",)],
    "RMSprop": [("velocity",), ("momentum",), ("average_gradient",)],
    "Adagrad": [("accumulator",)],
    "Adadelta": [("accumulated_grad", "accumulated_delta_var")],
    "Adamax": [("momentum", "norm")],
    "Nadam": [("momentum", "velocity")],
}
SCALARS = {"Nadam": ("u_product",)}


def _keras_variables(model) -> list:
    from lamina.saving.h5_legacy_weights import _ordered

    return _ordered(model, True)


def keras_keys(model, state: dict) -> list | None:
    """The keys of lamina's optimizer ``state`` in Keras's order; None if the optimizer or
    its state has no Keras layout."""
    groups = SLOT_GROUPS.get(type(model.optimizer).__name__)
    if groups is None:
        return None
    keys = [k for k in ("iterations", "learning_rate") if k in state]
    index = {id(v): i for i, v in enumerate(model.trainable_weights)}
    order = [index.get(id(v)) for v in _keras_variables(model)]
    if None in order:
        return None
    for group in groups:
        keys += [f"{slot}/{i}" for i in order for slot in group if f"{slot}/{i}" in state]
    keys += [k for k in SCALARS.get(type(model.optimizer).__name__, ()) if k in state]
    return keys if set(keys) == set(state) else None


def write(h5, model) -> None:
    """``model.optimizer``'s state into an open weights file (nothing if it has none)."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return
    state = optimizer.get_state()
    keys = keras_keys(model, state)
    if keys is None:
        warnings.warn(f"save: the state of {type(optimizer).__name__} has no Keras layout; "
                      "the archive holds its configuration only", stacklevel=4)
        return
    group = h5.create_group("optimizer/vars")
    group.attrs["name"] = optimizer.name
    for i, key in enumerate(keys):
        value = numpy.asarray(state[key])
        group.create_dataset(str(i), data=value.astype(
            numpy.int64 if key == "iterations" else numpy.float32))


def read(h5, model, where: str) -> None:
    """Restore ``model.optimizer``'s state from an open weights file when it matches."""
    if not safe.has(h5, "optimizer"):
        return
    group = safe.child(h5, "optimizer", where)
    if not safe.has(group, "vars"):
        return
    group = safe.child(group, "vars", where)
    optimizer = model.optimizer
    if not optimizer.built:
        optimizer.build(model.trainable_weights)
    shapes = optimizer.state_shapes()  # get_state() would copy every slot
    keys = keras_keys(model, shapes)
    names = sorted(group.keys(), key=lambda k: (len(k), k))
    reason = None
    if keys is None:
        reason = f"lamina's {type(optimizer).__name__} has no Keras layout"
    elif len(names) == 2 and len(keys) > 2:
        keys = keys[:2]  # saved before the first step: the step count and learning rate only
    if reason is None and names != [str(i) for i in range(len(keys))]:
        reason = f"the file holds {len(names)} variables, this optimizer {len(keys)}"
    if reason is None:
        datasets = [safe.check_dataset(safe.child(group, n, where), where) for n in names]
        bad = [k for k, ds in zip(keys, datasets)
               if tuple(ds.shape) != shapes[k]]
        if bad:
            reason = f"{bad[0]!r} has another shape in the file"
    if reason is not None:
        warnings.warn(f"{where}: the optimizer's state is not loaded ({reason}); training "
                      f"continues with a fresh {type(optimizer).__name__}", stacklevel=4)
        return
    loaded = {k: safe.Lazy(ds, where) for k, ds in zip(keys, datasets)}
    rest = {} if set(loaded) == set(shapes) else optimizer.get_state()
    optimizer.set_state({**rest, **loaded})
