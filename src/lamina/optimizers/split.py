"""Updating a big variable on several threads: its flat slices, each updated as a variable.

lamina's own update rules are elementwise, so a slice of a variable can be updated like a
variable of its own: each :class:`_Part` holds a flat slice of the data, and every
per-variable slot list gets the matching slices of its slots at the part's (virtual)
index. The slices are views: the updates land in the real arrays, and an elementwise rule
gives the same bits however the variable is cut.
"""

from __future__ import annotations

from lamina import parallel

#: variables with fewer elements are updated on one thread (a hand-off costs ~30 us)
_SPLIT_MIN = 1 << 16


class _Part:
    """A flat slice ``data`` = ``base.reshape(-1)[lo:hi]`` of a variable, updated by
    ``update_step`` as if it were a variable (see ``Optimizer._update``)."""

    __slots__ = ("base", "data", "lo", "hi")

    def __init__(self, base, data, lo, hi):
        self.base, self.data, self.lo, self.hi = base, data, lo, hi


class SplitUpdates:
    """The part of :class:`lamina.optimizers.Optimizer` that cuts big variables over
    lamina's threads (uses its ``_slot_lists``, ``_index``, ``_parts``, ``_n_parts``)."""

    def _splits(self) -> bool:
        """Whether big variables are split this step: lamina's own update rules only (a
        subclass with its own ``update_step`` may not be elementwise), on several threads."""
        own_rule = type(self).update_step.__module__.startswith("lamina.optimizers.")
        return own_rule and parallel.num_threads() >= 2

    def _update(self, grad, variable, learning_rate, split):
        """``update_step``, split over lamina's threads for a big variable (module
        docstring) when ``split`` (:meth:`_splits`) allows it."""
        if self._split_later(variable, split):
            self._update_split([(grad, variable)], learning_rate)
        else:
            self.update_step(grad, variable, learning_rate)

    @staticmethod
    def _split_later(variable, split) -> bool:
        """Whether ``variable`` is big enough to be updated in parts (and ``split`` allows)."""
        data = variable.data
        return split and data.size >= _SPLIT_MIN and data.flags.c_contiguous

    def _update_split(self, pairs, learning_rate):
        """``update_step`` on the big variables of ``pairs`` (gradient, variable), each cut into
        one flat part per thread: thread ``i`` updates part ``i`` of every variable, so the
        whole step costs one hand-off to the workers."""
        if not pairs:
            return
        cut = [(grad.reshape(-1) if grad.flags.c_contiguous else grad.ravel(),
                self._parts_of(variable)) for grad, variable in pairs]

        def work(lo, hi):
            for flat, parts in cut:
                for part in parts[lo:hi]:
                    self.update_step(flat[part.lo:part.hi], part, learning_rate)

        parallel.parallel_for(work, parallel.num_threads())

    def _parts_of(self, variable):
        """The cached parts of ``variable`` (remade, at the same indices, when its array or
        the thread count changed)."""
        index = self._get_variable_index(variable)
        threads = parallel.num_threads()
        parts = self._parts.get(index)
        if parts is not None and len(parts) == threads and parts[0].base is variable.data:
            return parts
        if parts is None or len(parts) != threads:  # new virtual indices after all others
            first = len(self._variables) + self._n_parts
            self._n_parts += threads
            indices = range(first, first + threads)
        else:
            indices = [self._index[id(p)] for p in parts]
            for p in parts:
                del self._index[id(p)]
        data = variable.data.reshape(-1)
        bounds = [data.size * i // threads for i in range(threads + 1)]
        parts = []
        for part_index, lo, hi in zip(indices, bounds[:-1], bounds[1:]):
            part = _Part(variable.data, data[lo:hi], lo, hi)
            self._index[id(part)] = part_index
            for slots in self._slot_lists:
                slots.extend([None] * (part_index + 1 - len(slots)))
                slots[part_index] = slots[index].reshape(-1)[lo:hi]
            parts.append(part)
        self._parts[index] = parts
        return parts
