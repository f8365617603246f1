"""``Function``: one recorded operation of the graph, and the backward pass.

An op is a subclass with two methods:

* ``forward(*arrays, **params)`` computes the output array from input arrays and
  keeps (with :meth:`Function.save_for_backward` or plain attributes) only what
  its backward needs;
* ``backward(grad)`` maps the gradient of the output to one gradient per input
  (``None`` where an input needs none).

``Function.apply`` wraps this in tensors and records the node when any input
requires a gradient. :func:`backward` walks the graph in reverse topological
order, without recursion, so a chain of thousands of ops works. This file and
the op files under ``ops/`` are the only places in lamina with derivative code.
"""

from __future__ import annotations

from lamina import _toposort
from lamina.autograd.grad_mode import is_grad_enabled
from lamina.backend import get_array_module
from lamina.parallel import in_lamina_threads, lamina_threads

#: ``Tensor`` and ``as_tensor``, set by lamina.autograd.tensor when it loads (it imports
#: this module, so this one cannot import it at the top)
_Tensor = _as_tensor = None


class Function:
    """Base class of every differentiable op. See the module docstring for the contract."""

    #: inputs that need a gradient, one bool per tensor input (set before ``forward`` runs)
    needs_input_grad: tuple = ()
    #: the array module of the inputs (numpy now, cupy later)
    xp = None
    #: the public name used in error messages (e.g. ``"conv2d"``)
    name = "op"
    #: set by the engine before ``backward`` when a leaf input has a gradient buffer
    #: (:func:`set_gradient_buffers`): one array or None per input; an op may write that
    #: input's gradient into it and return it (e.g. ``matmul(..., out=)``), or ignore it
    grad_out = None

    def forward(self, *arrays, **params):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def backward(self, grad):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.backward")

    def save_for_backward(self, *arrays) -> None:
        """Keep arrays for ``backward`` (read them back as ``self.saved``)."""
        self.saved = arrays

    @property
    def recording(self) -> bool:
        """True when this call builds a graph node: forward should then save what backward needs."""
        return any(self.needs_input_grad)

    @classmethod
    def apply(cls, *inputs, **params):
        """Run the op on tensors (positional) with non-differentiable ``params`` (keywords)."""
        tensors = tuple([x if isinstance(x, _Tensor) else _as_tensor(x, where=cls.name)
                         for x in inputs])
        fn = cls()
        arrays = [t.data for t in tensors]
        fn.xp = get_array_module(*arrays)
        needs = tuple([t.requires_grad for t in tensors]) if is_grad_enabled() else ()
        record = True in needs
        if record:
            fn.needs_input_grad = needs
        if in_lamina_threads():
            out = fn.forward(*arrays, **params)
        else:
            with lamina_threads():  # BLAS at one thread, lamina splits (see lamina.parallel)
                out = fn.forward(*arrays, **params)
        if not record:
            return _Tensor._wrap(out, None)
        fn.inputs = tensors
        return _Tensor._wrap(out, fn)


def unbroadcast(grad, shape):
    """Sum ``grad`` over the axes NumPy broadcasting added or stretched, so it has ``shape``.

    The single place where broadcast gradients are reduced: the engine calls it
    whenever an op returns a gradient whose shape differs from its input's.
    """
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    return grad.sum(axis=axes).reshape(shape)


def topological_order(root) -> list:
    """Tensors reachable from ``root`` that require grad, each after all of its inputs."""
    return _toposort.topological_order([root], _grad_inputs)


def _grad_inputs(tensor):
    fn = tensor._ctx
    if fn is None:
        return ()
    return [p for p in getattr(fn, "inputs", ()) if p.requires_grad]


#: id(leaf) -> (leaf, array): where the engine asks ops to write that leaf's gradient
_GRAD_BUFFERS: dict = {}


def set_gradient_buffers(pairs) -> None:
    """``pairs``: ``(leaf, array)`` with ``array`` shaped and typed as the leaf's data: from
    now on a backward pass asks the op that makes the leaf's first gradient (when its
    ``grad`` is None) to write it into ``array`` (``Function.grad_out``), as PyTorch DDP's
    ``gradient_as_bucket_view``: lamina.distributed's fused reduction buffer then holds the
    gradient without a copy. The leaf's ``grad`` is then a view of that buffer, overwritten
    by the next backward. An empty ``pairs`` (or :func:`clear_gradient_buffers`) ends it."""
    _GRAD_BUFFERS.clear()
    for leaf, array in pairs:
        if array.shape != leaf.data.shape or array.dtype != leaf.data.dtype:
            raise ValueError(f"set_gradient_buffers: the buffer for {getattr(leaf, 'path', '')!r}"
                             f" has shape {array.shape} and dtype {array.dtype}; expected the "
                             f"data's {leaf.data.shape} and {leaf.data.dtype}")
        _GRAD_BUFFERS[id(leaf)] = (leaf, array)


def clear_gradient_buffers() -> None:
    _GRAD_BUFFERS.clear()


def _grad_out(inputs, grads):
    """The buffers of ``inputs`` that are leaves whose gradient has not started yet."""
    outs, found = [], False
    for inp in inputs:
        entry = _GRAD_BUFFERS.get(id(inp))
        if entry is not None and entry[0] is inp and inp.grad is None and id(inp) not in grads:
            outs.append(entry[1])
            found = True
        else:
            outs.append(None)
    return tuple(outs) if found else None


def backward(root, grad, retain_graph: bool = False) -> None:
    """Propagate ``grad`` (d root / d root) to every leaf that requires a gradient.

    Leaves (and tensors marked with ``retain_grad()``) accumulate into ``.grad``.
    Unless ``retain_graph`` is set, each node drops its inputs and saved arrays as
    soon as its backward has run, so memory is returned during the pass.
    """
    with lamina_threads():  # BLAS at one thread, lamina splits (see lamina.parallel)
        _run_backward(root, grad, retain_graph)


def _run_backward(root, grad, retain_graph):
    order = topological_order(root)
    grads = {id(root): grad}
    for node in reversed(order):
        g = grads.pop(id(node), None)
        if g is None:
            continue
        fn = node._ctx
        if fn is None or node._retain:
            node.grad = g if node.grad is None else node.grad + g
        if fn is None:
            continue
        inputs = getattr(fn, "inputs", None)
        if inputs is None:
            raise RuntimeError(
                f"backward: the graph through {type(fn).__name__} was already freed by an "
                "earlier backward(); call backward(retain_graph=True) the first time to "
                "go through it twice"
            )
        if _GRAD_BUFFERS:  # lamina.distributed's fit: gradients into its reduction buffer
            fn.grad_out = _grad_out(inputs, grads)
        elif fn.grad_out is not None:  # a graph kept from a fit whose buffers are gone
            fn.grad_out = None
        input_grads = fn.backward(g)
        if not isinstance(input_grads, tuple):
            input_grads = (input_grads,)
        for inp, ig, need in zip(inputs, input_grads, fn.needs_input_grad):
            if not need or ig is None:
                continue
            data = inp.data
            if ig.shape != data.shape:
                ig = unbroadcast(ig, data.shape)
            if ig.dtype != data.dtype:
                ig = ig.astype(data.dtype)
            key = id(inp)
            grads[key] = ig if key not in grads else grads[key] + ig
        if not retain_graph:
            del fn.inputs
            fn.saved = None
