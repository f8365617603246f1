"""``BackupAndRestore``: a killed ``fit`` relaunched with the same callback carries on.

The backup (``backup_dir/backup.lamina-state``, a zip like a ``.lamina`` file, written
atomically) holds the weights, the optimizer state (step count, slots, learning rate),
the state of every random generator in the model's layers (Dropout, GaussianNoise) and
of lamina's global generator, and where training stood (epoch and step). Restored in
``on_train_begin``, ``fit`` resumes at that epoch (skipping the steps already done when
``save_freq`` is an int) and ends with the weights an unbroken run would have.

Bit-identical resumption needs what makes any lamina run repeatable: the same data and
arguments, and a fixed shuffling order (``fit(seed=...)`` or ``set_random_seed``).
"""

from __future__ import annotations

import contextlib
import json
import os
import zipfile

import numpy

from lamina.callbacks.callback import Callback, check_int

_FILE = "backup.lamina-state"
_MEMBERS = {"training.json", "model.weights.npz", "optimizer.npz"}
_FORMAT = "lamina-backup"


def _random_layers(model) -> list:
    """Layers holding a numpy Generator (``_rng``), in a fixed depth-first order."""
    found, seen = [], set()

    def walk(layer):
        for sub in layer._tracked_layers():
            if id(sub) in seen:
                continue
            seen.add(id(sub))
            if isinstance(getattr(sub, "_rng", None), numpy.random.Generator):
                found.append(sub)
            walk(sub)

    walk(model)
    return found


class BackupAndRestore(Callback):
    """Back up the training state, and restore it when ``fit`` is relaunched (Keras's name).

    Args:
        backup_dir: the directory of the backup; use it for this training run only.
        save_freq: ``"epoch"`` (back up at the end of each epoch) or an int: back up every
            that many training batches; a relaunch then skips the batches already done.
        delete_checkpoint: remove the backup when ``fit`` completes (default True).

    Example:
        >>> backup = BackupAndRestore("ckpt/backup")
        >>> model.fit(x, y, epochs=10, seed=0, callbacks=[backup])  # killed at epoch 4
        >>> model.fit(x, y, epochs=10, seed=0, callbacks=[backup])  # runs epochs 5-10
    """

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint=True):
        super().__init__()
        if not isinstance(backup_dir, (str, os.PathLike)) or not os.fspath(backup_dir):
            raise ValueError(f"BackupAndRestore: backup_dir must be a non-empty path; "
                             f"received backup_dir={backup_dir!r}")
        if save_freq != "epoch":
            try:
                check_int(save_freq, "save_freq", "BackupAndRestore", minimum=1)
            except (TypeError, ValueError):
                raise ValueError(f"Invalid value for argument `save_freq`. Received: "
                                 f"save_freq={save_freq!r}. Expected either 'epoch' or an "
                                 "integer value >= 1.") from None
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.delete_checkpoint = bool(delete_checkpoint)
        self._path = os.path.join(self.backup_dir, _FILE)
        self._epoch = 0
        self._batches_since_save = 0

    # ----------------------------------------------------------------- restore
    def on_train_begin(self, logs=None):
        if not self.model.built:
            raise ValueError(f"BackupAndRestore: model '{self.model.name}' must be built before "
                             "fit() (start it with Input(shape=...) or call it on a batch), so "
                             "that its weights can be restored")
        self._batches_since_save = 0
        if os.path.exists(self._path):
            self._restore(self._path)

    def _restore(self, path):
        from lamina import random as lamina_random
        from lamina.saving.api import parse_json
        from lamina.saving.archive import Archive
        from lamina.saving.npz import NpzReader
        from lamina.saving.weights import npz_limit, read_state, read_weights

        variables = self.model.weights
        limit = npz_limit(variables)
        with Archive(path, _MEMBERS, "backup") as archive:
            where = f"BackupAndRestore: {archive.where}"
            if "training.json" not in archive or "model.weights.npz" not in archive:
                raise ValueError(f"{where} is incomplete: training.json or model.weights.npz "
                                 "is missing")
            meta = parse_json(archive.read("training.json", 16 * 1024**2), where,
                              "training.json")
            if not isinstance(meta, dict) or meta.get("format") != _FORMAT:
                raise ValueError(f"{where} is not a lamina backup")
            generators = _random_layers(self.model)
            names = [layer.name for layer in generators]
            if meta.get("generators", {}).get("layers") != names:
                raise ValueError(f"{where} was made by another model: its random layers are "
                                 f"{meta.get('generators', {}).get('layers')}, this model's "
                                 f"are {names}")
            read_weights(NpzReader(archive.read("model.weights.npz", limit), where),
                         self.model, where)
            if "optimizer.npz" in archive and self.model.optimizer is not None:
                reader = NpzReader(archive.read("optimizer.npz", 4 * limit), where)
                self.model.optimizer.set_state(read_state(reader, variables, where))
        try:
            for layer, state in zip(generators, meta["generators"]["states"]):
                layer._rng.bit_generator.state = state
            lamina_random._global.bit_generator.state = meta["generators"]["global"]
            epoch, step = int(meta["epoch"]), int(meta["step"])
        except (KeyError, TypeError, ValueError) as err:
            raise ValueError(f"{where}: training.json is invalid ({err})") from None
        self._epoch = epoch
        self.model._initial_epoch = epoch  # read by fit after on_train_begin, as in Keras
        self.model._initial_step = step

    # ------------------------------------------------------------------ back up
    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            steps = (self.params or {}).get("steps")
            if steps is not None and batch + 1 >= steps:  # the epoch's last step:
                self._save(self._epoch + 1, 0)  # resume at the next epoch, not an empty one
            else:
                self._save(self._epoch, batch + 1)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch + 1, 0)

    def _save(self, epoch: int, step: int) -> None:
        from lamina import random as lamina_random
        from lamina.saving.archive import atomic_write
        from lamina.saving.npz import npz_bytes
        from lamina.saving.weights import weights_dict

        generators = _random_layers(self.model)
        meta = {"format": _FORMAT, "epoch": epoch, "step": step,
                "generators": {"layers": [layer.name for layer in generators],
                               "states": [layer._rng.bit_generator.state for layer in generators],
                               "global": lamina_random._global.bit_generator.state}}
        optimizer = self.model.optimizer
        state = optimizer.get_state() if optimizer is not None else None

        def write(f):
            with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as z:
                z.writestr("training.json", json.dumps(meta))
                z.writestr("model.weights.npz", npz_bytes(weights_dict(self.model)))
                if state is not None:
                    z.writestr("optimizer.npz", npz_bytes(state))

        atomic_write(self._path, write)

    def on_train_end(self, logs=None):
        if not self.delete_checkpoint:
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._path)
        with contextlib.suppress(OSError):
            os.rmdir(self.backup_dir)  # only if nothing else is in it
