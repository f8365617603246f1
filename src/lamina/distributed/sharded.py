"""The optimizer update sharded over the ranks (ZeRO stage 1): each rank updates 1/n of it.

With one all-reduce per step every rank receives the whole averaged gradient and runs the
whole optimizer update, the same work n times. Here the trainable weights live in one flat
buffer (each variable's ``data`` is a view of it), cut into n equal chunks; per step:

1. each rank writes its gradients, divided by n, into a flat send buffer laid out the same
   way (plus, in every chunk, one "present" flag per variable and the extras: the loss;
   in shared memory, lamina.distributed._node, the backward writes the big gradients into
   the rank's shared row itself, and the sum divides by n);
2. ``Reduce_scatter_block``: rank r receives the sum over the ranks of chunk r only;
3. rank r runs the optimizer on chunk r: every variable's slice that falls in the chunk is
   updated as a variable of its own, with the matching slices of the optimizer's slots
   (lamina's update rules are elementwise, so a slice gives the same bits as the whole:
   lamina.optimizers.split does the same to spread a big variable over threads);
4. ``Allgather`` in place into the flat weight buffer: every rank receives every updated
   chunk, straight into the variables, then applies the variables' constraints (on one
   machine, where the weights are one shared buffer, rank 0 alone applies them).

The bytes moved are those of the all-reduce (a reduce-scatter and an all-gather are its two
halves), the optimizer work per rank is 1/n, and nothing is copied back: the all-gather
writes into the variables themselves. The optimizer's slots are then current on each rank
only for its own chunk; :meth:`ShardedUpdate.gather_state` makes them whole on every rank
(``fit`` calls it at each epoch's end, before any callback saves, and when training ends).

Only for lamina's own elementwise update rules without ``clipnorm`` / ``global_clipnorm``
(those need each variable's whole gradient) and one dtype for all the weights and
gradients; :func:`shardable` says so, and ``fit`` uses the all-reduce otherwise.
"""

from __future__ import annotations

import os
import warnings

import numpy

from lamina.autograd.function import clear_gradient_buffers, set_gradient_buffers
from lamina.distributed import _world
from lamina.distributed._node import NodeExchange, fits, on_one_machine


class _Shard:
    """The flat slice ``lo:hi`` of variable ``base``'s data that falls in this rank's chunk,
    updated by the optimizer as a variable (it has the name, path and the data it needs)."""

    __slots__ = ("base", "data", "lo", "hi", "index", "name", "path")

    def __init__(self, base, data, lo, hi, index):
        self.base, self.data, self.lo, self.hi, self.index = base, data, lo, hi, index
        self.name, self.path = getattr(base, "name", None), getattr(base, "path", None)


def shardable(optimizer, variables) -> bool:
    """Whether :class:`ShardedUpdate` can update ``variables`` with ``optimizer`` (module
    docstring): lamina's own rule, no norm clipping, one float dtype, several ranks."""
    if _world.size() < 2 or not variables:
        return False
    own_rule = type(optimizer).update_step.__module__.startswith("lamina.optimizers.")
    if not own_rule or optimizer.clipnorm is not None or optimizer.global_clipnorm is not None:
        return False
    return len({v.data.dtype for v in variables}) == 1


def _checked(g, v):
    """The gradient ``g`` of variable ``v`` as an array of its shape."""
    g = numpy.asarray(g.data if hasattr(g, "requires_grad") else g)
    if g.shape != v.data.shape:
        raise ValueError(f"fit(distributed=True): the gradient of variable {v.path!r} has "
                         f"shape {g.shape}; expected {v.data.shape}")
    return g


class ShardedUpdate:
    """One step = reduce-scatter of the gradients, the update of this rank's chunk, an
    all-gather of the weights (module docstring)."""

    def __init__(self, optimizer):
        self.optimizer = optimizer
        self._variables = None   # the variables of the layout, in order
        self._views = ()         # their data: views of self._weights
        self._exchange = None    # a NodeExchange when all ranks share this machine's memory
        self._grad_views = []    # in shared memory: each variable's gradient in the row
        self._moved = {}         # id(a gradient view of freed rows): its copy (release)
        self._warned = False
        # what _register gave the optimizer: its index table, the shards, their indices
        self._registered, self._registered_layout = None, None
        self._registered_shards, self._owned, self._whole = [], [], ([], [])

    # ------------------------------------------------------------------ layout
    def _ensure_layout(self, variables, extras):
        same = (self._variables is not None and len(variables) == len(self._variables)
                and all(a is b for a, b in zip(variables, self._variables)))
        if same and all(v.data is w for v, w in zip(variables, self._views)):
            return
        if same and self._exchange is not None:  # the ranks must agree: no new windows
            moved = [repr(v.path) for v, w in zip(variables, self._views) if v.data is not w]
            raise ValueError(f"fit(distributed=True): the data of variable(s) {', '.join(moved)}"
                             " was replaced during training; change weights in place "
                             "(Variable.assign, set_weights)")
        if self._variables is not None:  # new chunks: each rank's slots must be whole first
            self.gather_state()
        self.release()
        n, r = _world.size(), _world.rank()
        dtype = variables[0].data.dtype
        sizes = [v.data.size for v in variables]
        total = sum(sizes)
        chunk = -(-total // n)
        k = len(variables)
        self._variables, self._n_extras = list(variables), extras
        self._chunk, self._stride = chunk, chunk + k + extras
        shared = (on_one_machine() and os.environ.get("LAMINA_DISTRIBUTED_SHARED_MEMORY")
                  != "0" and fits(chunk, k + extras, dtype))
        # every rank must take the same way (Allocate_shared is collective): rank 0 decides,
        # as each rank reads /dev/shm's free space and its own environment at another moment
        comm = _world.WORLD.comm
        if comm.bcast(bool(shared), root=0) if comm is not None else shared:
            self._exchange = NodeExchange(chunk, k + extras, dtype)
            weights, row = self._exchange.weights, self._exchange.rows[r]
        else:
            weights = numpy.zeros(n * chunk, dtype=dtype)
            row = self._send = numpy.zeros(n * self._stride, dtype=dtype)
        views, offsets, lo = [], [], 0
        for v, size in zip(variables, sizes):
            view = weights[lo:lo + size].reshape(v.data.shape)
            if self._exchange is None or r == 0:  # shared: the same weights on every rank
                view[...] = v.data
            v.data = view
            views.append(view)
            offsets.append(lo)
            lo += size
        self._weights, self._views, self._offsets = weights, tuple(views), offsets
        self._received = numpy.empty(self._stride, dtype=dtype)
        # In shared memory each variable's gradient has its place in the rank's row, laid
        # out as the weights: the backward writes it there itself where the op can
        # (lamina.autograd.function.set_gradient_buffers), the others are copied; the sum
        # divides by n (NodeExchange.reduce). Through MPI: where each piece of a variable's
        # flat gradient goes, one piece per chunk, divided by n on the way: (lo, hi, the
        # chunk's block of the send buffer)
        self._grad_views, self._copies = [], []
        if self._exchange is not None:
            self._grad_views = [row[off:off + size].reshape(v.data.shape)
                                for v, off, size in zip(variables, offsets, sizes)]
            set_gradient_buffers(zip(variables, self._grad_views))
        for off, size in zip(offsets, sizes) if self._exchange is None else ():
            pieces, start = [], off
            while start < off + size:
                owner = start // chunk
                end = min(off + size, (owner + 1) * chunk)
                at = owner * self._stride + start % chunk
                pieces.append((start - off, end - off, row[at:at + end - start]))
                start = end
            self._copies.append(pieces)
        self._row = row
        self._tails = [row[row.size - k - extras:]] if self._exchange is not None else \
            list(row.reshape(n, self._stride)[:, chunk:])
        # this rank's chunk: the slices of the variables that fall in it
        self._shards = []
        first, last = r * chunk, (r + 1) * chunk
        for i, (v, off, size) in enumerate(zip(variables, offsets, sizes)):
            a, b = max(off, first), min(off + size, last)
            if a < b:
                shard = _Shard(v, weights[a:b], a - off, b - off, i)
                self._shards.append((shard, a - first))

    def release(self):
        """Back to each rank's own weight arrays (from shared memory, if they were there)."""
        clear_gradient_buffers()  # before the shared rows are freed
        for v, view in zip(self._variables or (), self._grad_views):
            if v.grad is view:  # a view of the row: its own copy, as any gradient
                v.grad = self._moved[id(view)] = view.copy()
        self._grad_views = []
        if self._exchange is not None:
            self._exchange.release(self._variables)
            self._exchange, self._variables, self._views = None, None, ()

    def _register(self):
        """Make the optimizer know this rank's shards as variables (virtual indices after
        its own, slot lists extended with the slots' matching slices; see split.py), and
        the runs of them that the usual step updates in one call each (:meth:`_runs_of`).
        A new layout takes over the previous layout's indices (and more after all others
        when it has more shards): the old shards leave the optimizer's tables, so laying
        out again (layers frozen during fit) neither grows them nor keeps dead shards' ids."""
        opt = self.optimizer
        if not opt.built:
            opt.build(self._variables)
        index = opt._index
        if self._registered is index and self._registered_layout is self._shards:
            return
        flats = self._flat_slots(opt)
        runs = self._runs_of(opt) if flats is not None else []
        every = self._shards + runs
        owned = self._owned if self._registered is index else []  # built anew: none
        for shard, _ in self._registered_shards if self._registered is index else ():
            index.pop(id(shard), None)
            opt._exclude_ids.discard(id(shard))
        if len(owned) < len(every):
            first = len(opt._variables) + opt._n_parts
            opt._n_parts += len(every) - len(owned)
            owned = owned + list(range(first, first + len(every) - len(owned)))
        start = _world.rank() * self._chunk  # where this rank's chunk starts in the layout
        for (shard, at), i in zip(every, owned):
            index[id(shard)] = i
            for j, slots in enumerate(opt._slot_lists):
                slots.extend([None] * (i + 1 - len(slots)))
                slots[i] = flats[j][start + at:start + at + shard.hi - shard.lo] if flats \
                    else slots[index[id(shard.base)]].reshape(-1)[shard.lo:shard.hi]
            if id(shard.base) in opt._exclude_ids:
                opt._exclude_ids.add(id(shard))
        for i in owned[len(every):]:  # left over: keep no slices (nor thread parts)
            for slots in opt._slot_lists:
                slots[i] = None
            for part in opt._parts.pop(i, ()):
                for slots in opt._slot_lists:
                    slots[index.pop(id(part))] = None
        self._registered, self._registered_layout = index, self._shards
        self._registered_shards, self._owned = every, owned
        received = self._received
        pairs = runs or self._shards
        self._whole = ([received[at:at + s.hi - s.lo] for s, at in pairs], [s for s, _ in pairs])

    def _flat_slots(self, opt):
        """Move the optimizer's per-variable slots of the layout's variables into one flat
        buffer per slot list, laid out as the weights (the slot lists and the optimizer's
        state then hold views of it, and a rank's chunk of a slot is one slice); returns
        the buffers, or None when a slot is not shaped like its variable."""
        positions = [opt._index[id(v)] for v in self._variables]
        dtype = self._weights.dtype
        for slots in opt._slot_lists:
            if any(slots[i] is None or slots[i].shape != v.data.shape or slots[i].dtype != dtype
                   for i, v in zip(positions, self._variables)):
                return None
        keys = {id(a): key for key, a in opt._slots.items()}
        flats = []
        for slots in opt._slot_lists:
            flat = numpy.zeros(self._weights.size, dtype=dtype)
            for i, off in zip(positions, self._offsets):
                old = slots[i]
                slots[i] = flat[off:off + old.size].reshape(old.shape)
                slots[i][...] = old
                if id(old) in keys:
                    opt._slots[keys[id(old)]] = slots[i]
            flats.append(flat)
        return flats

    def _runs_of(self, opt):
        """The shards of this rank's chunk joined into runs of neighbours that the optimizer
        treats alike (with weight decay: the same exclusion), each a "variable" named as
        its first shard's variable: the usual step (every gradient present) updates a run
        in one call instead of one per variable (~20 us of Python each)."""
        groups = []  # [first shard, where it starts in the chunk, size, decay]
        for shard, at in self._shards:
            decay = opt._use_weight_decay(shard.base) if opt.weight_decay else True
            if groups and groups[-1][3] == decay:
                groups[-1][2] = at + shard.hi - shard.lo - groups[-1][1]
            else:
                groups.append([shard, at, shard.hi - shard.lo, decay])
        start = _world.rank() * self._chunk
        return [(_Shard(first.base, self._weights[start + at:start + at + size], first.lo,
                        first.lo + size, None), at) for first, at, size, _ in groups]

    # ------------------------------------------------------------------ the step
    def __call__(self, grads_and_vars, extras=()):
        """Average the gradients over the ranks and update the variables (every rank ends
        with the same weights); returns the extras summed over the ranks."""
        grads = [g for g, _ in grads_and_vars]
        variables = [v for _, v in grads_and_vars]
        self._ensure_layout(variables, len(extras))
        if self._moved:  # laid out anew: the old rows are freed, their gradients copied
            grads = [self._moved.get(id(g), g) for g in grads]
            self._moved = {}
        chunk, k = self._chunk, len(variables)
        present = [0.0 if g is None else 1.0 for g in grads]
        if self._exchange is not None:
            for g, v, view in zip(grads, variables, self._grad_views):
                if g is None:
                    view.fill(0)
                elif g is not view:  # not written there by the backward: copied
                    view[...] = _checked(g, v)
        else:
            scale = 1.0 / _world.size()
            for g, v, pieces in zip(grads, variables, self._copies):
                if g is None:
                    for _, _, destination in pieces:
                        destination.fill(0)
                    continue
                flat = _checked(g, v).reshape(-1)
                for lo, hi, destination in pieces:
                    numpy.multiply(flat[lo:hi], scale, out=destination)
        for tail in self._tails:
            tail[:k] = present
            tail[k:] = extras
        received = self._received
        if self._exchange is not None:
            self._exchange.reduce(received, "the gradient reduce-scatter")
        else:
            _world.reduce_scatter_(self._row, received, "the gradient reduce-scatter")
        self._update(received, received[chunk:chunk + k])
        if self._exchange is not None:  # every chunk is in the shared weights once all are done
            self._exchange.barrier("the weight update")
        else:
            _world.allgather_(self._weights, "the weight all-gather")
        constrained = [v for v in variables if getattr(v, "constraint", None) is not None]
        if constrained:  # on the whole variables: by every rank, or once in shared memory
            from lamina.autograd import no_grad

            if self._exchange is None or _world.rank() == 0:
                with no_grad():
                    for v in constrained:
                        v.assign(v.constraint(v.data))
            if self._exchange is not None:
                self._exchange.barrier("the constraints")
        return [float(e) for e in received[chunk + k:]]

    def _update(self, received, flags):
        opt = self.optimizer
        self._register()
        if flags.min() > 0:  # every variable has a gradient (the usual step): no checks
            if self._shards:
                opt.apply(*self._whole)
            else:  # nothing of this rank's chunk to update: the step still counts
                opt._prepare_step()
                opt.iterations = opt.iterations + 1
            return
        if not (flags > 0).any():  # the optimizer's own error: no gradient for any variable
            opt.apply([None] * len(self._variables), self._variables)
        if not self._warned:
            self._warned = True
            missing = [repr(v.path) for v, f in zip(self._variables, flags) if not f > 0]
            warnings.warn(f"{type(opt).__name__}: gradients do not exist for variables "
                          f"[{', '.join(missing)}]; they are not updated", stacklevel=4)
        pairs = [(received[at:at + shard.hi - shard.lo], shard) for shard, at in self._shards
                 if flags[shard.index] > 0]
        if pairs:
            opt.apply([g for g, _ in pairs], [s for _, s in pairs])
        else:
            opt._prepare_step()
            opt.iterations = opt.iterations + 1

    def gather_state(self):
        """Make the optimizer's slots whole on every rank: each rank holds its chunk's."""
        opt = self.optimizer
        if self._variables is None or not opt.built:
            return
        indices = [opt._index[id(v)] for v in self._variables]  # the layout's, in its order
        buffer = numpy.empty_like(self._weights)
        for slots in opt._slot_lists:
            mine = [slots[i] for i in indices]
            lo = 0
            for slot in mine:
                buffer[lo:lo + slot.size] = slot.reshape(-1)
                lo += slot.size
            _world.allgather_(buffer, "the optimizer-state all-gather")
            lo = 0
            for slot in mine:
                slot.reshape(-1)[...] = buffer[lo:lo + slot.size]
                lo += slot.size
