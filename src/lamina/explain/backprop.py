"""``explain``: build the trace (forward, loss, backward) and check it against autograd."""

from __future__ import annotations

import textwrap

import numpy

from lamina.explain.network import (
    ACTIVATIONS,
    LOSS_ALIASES,
    LOSSES,
    layers_of,
    node_names,
    weight_name,
)
from lamina.explain.trace import Factor, Step, Trace, factor_number, number, product_texts

__all__ = ["explain"]

DIGITS = 4  # significant digits in the ``numbers`` of each step (values keep full precision)


def explain(network, x, d, loss: str = "half_squared_error") -> Trace:
    """Trace one example through a small network: forward, loss, backward, all valued.

    Args:
        network: a ``Sequential``/``Model`` of ``Dense`` layers (each optionally followed
            by an ``Activation``), or a list of ``(kernel, bias, activation)`` with kernel
            ``(inputs, units)`` and bias ``(units,)`` or None. Activations: sigmoid, tanh,
            relu, identity (``'linear'``).
        x: one input, shape ``(n_inputs,)`` (or ``(1, n_inputs)``).
        d: the desired output: a number or shape ``(n_outputs,)``.
        loss: ``'half_squared_error'`` (the slides' ``J = ½(d − y)²``, summed over the
            outputs), ``'squared_error'`` (``(d − y)²``), ``'mse'`` (Keras's mean over the
            outputs) or ``'binary_crossentropy'``.

    Returns:
        a :class:`~lamina.explain.Trace`: ``print(trace)`` shows every step,
        ``trace.gradients["w20"]`` is ``∂J/∂w20``. Computed in float64 and checked
        against lamina's autograd (``trace.max_error``).

    Example:
        >>> trace = explain(slides_network(), x=[1.0, 0.5], d=1.0)
        >>> print(trace.step("∂J/∂w20").text())
        ∂J/∂w20 (C → y) = ∂J/∂y · ∂y/∂y_in · ∂y_in/∂w20
                        = (y − d) · 1 · C
                        = (−0.174) · 1 · 0.6281 = −0.1093
    """
    layers = layers_of(network, x)
    loss = LOSS_ALIASES.get(loss, loss)
    if loss not in LOSSES:
        raise ValueError(f"explain: unknown loss {loss!r}; use one of "
                         f"{', '.join([*LOSSES, *LOSS_ALIASES])}")
    widths = [layers[0][0].shape[0]] + [kernel.shape[1] for kernel, *_ in layers]
    x = numpy.asarray(x, dtype="float64").ravel()
    d = numpy.asarray(d, dtype="float64").ravel()
    if x.shape != (widths[0],) or d.shape != (widths[-1],):
        raise ValueError(f"explain: the network takes {widths[0]} input(s) and gives "
                         f"{widths[-1]} output(s); received x of shape {x.shape} and d of "
                         f"shape {d.shape}")
    builder = _Builder(layers, widths)
    builder.forward(x)
    builder.loss(d, loss)
    builder.backward(d, loss)
    trace = builder.trace
    trace.autograd = _autograd(layers, x, d, loss)
    trace.max_error = max(float(numpy.max(numpy.abs(mine[key] - ref[key])))
                          for mine, ref in zip(trace.layer_gradients, trace.autograd)
                          for key in ("kernel", "bias") if mine[key] is not None)
    trace.header = builder.header(x, d)
    return trace


class _Builder:
    """Writes the steps of one trace; ``acts[l]`` feeds layer ``l``, ``nets[l]`` is its
    net input."""

    def __init__(self, layers, widths):
        self.layers, self.widths = layers, widths
        self.names = node_names(widths)
        self.compact = len(layers) <= 10 and all(a * b <= 10 for a, b in zip(widths, widths[1:]))
        self.trace = Trace()
        self.acts, self.nets = [], []
        self.loss_text = ""

    def weight(self, l, i, j):
        return weight_name(l, i, j, self.layers[l][0].shape[1], self.compact)

    def add(self, phase, symbol, terms, note=""):
        """A step that sums products of factors (net inputs, gradients)."""
        sep = "·" if phase == "forward" else " · "
        texts = [product_texts(t, DIGITS, sep) for t in terms]
        value = float(sum(numpy.prod([f.value for f in t]) for t in terms))
        self.trace.steps.append(Step(phase, symbol, " + ".join(t[0] for t in texts),
                                     " + ".join(t[1] for t in texts),
                                     " + ".join(t[2] for t in texts), value, tuple(terms), note))
        return value

    # -------------------------------------------------------------------- forward
    def forward(self, x):
        values = self.trace.values
        self.acts = [x]
        values.update(zip(self.names[0], x.tolist()))
        for l, (kernel, bias, act, _) in enumerate(self.layers):
            symbol, fn = ACTIVATIONS[act][:2]
            a = self.acts[-1]
            z = a @ kernel + (0.0 if bias is None else bias)
            out = fn(z)
            self.nets.append(z)
            self.acts.append(out)
            for j, node in enumerate(self.names[l + 1]):
                terms = [(Factor(self.weight(l, i, j), self.weight(l, i, j), kernel[i, j]),
                          Factor(src, src, a[i])) for i, src in enumerate(self.names[l])]
                if bias is not None:
                    terms.append((Factor(f"b_{node}", f"b_{node}", bias[j]),))
                self.add("forward", f"{node}_in", terms)
                self.trace.steps.append(Step("forward", node, f"{symbol}({node}_in)", "",
                                             f"{symbol}({number(z[j], DIGITS)})", float(out[j])))
                values[f"{node}_in"], values[node] = float(z[j]), float(out[j])

    # -------------------------------------------------------------------- loss
    def loss(self, d, loss):
        y, outputs, k = self.acts[-1], self.names[-1], len(self.names[-1])
        template = LOSSES[loss][0]
        targets = ["d"] if k == 1 else [f"d{i}" for i in range(k)]
        parts = [template.format(d=t, y=o) for t, o in zip(targets, outputs)]
        valued = [template.format(d=factor_number(di, DIGITS), y=factor_number(yi, DIGITS))
                  for di, yi in zip(d, y)]
        if loss == "binary_crossentropy":
            per = -(d * numpy.log(y) + (1.0 - d) * numpy.log(1.0 - y))
        else:
            per = (d - y) ** 2 * (0.5 if loss == "half_squared_error" else 1.0)
        mean = loss == "mean_squared_error" and k > 1
        J = float(per.sum() / k) if mean else float(per.sum())

        def join(p):
            return f"({' + '.join(p)})/{k}" if mean else " + ".join(p)

        self.loss_text = join(parts)
        self.trace.steps.append(Step("loss", "J", join(parts), "", join(valued), J))
        self.trace.values["J"] = self.trace.loss = J
        self.trace.output = y

    # -------------------------------------------------------------------- backward
    def backward(self, d, loss):
        y, outputs, k = self.acts[-1], self.names[-1], len(self.names[-1])
        template, grad_template, grad_fn = LOSSES[loss]
        g = grad_fn(y, d, k)   # ∂J/∂(node) for the nodes of the current layer
        upstream = {}          # output node -> its ∂J/∂y written out, e.g. "(y − d)"
        for i, out in enumerate(outputs):
            target = "d" if k == 1 else f"d{i}"
            expr = grad_template.format(y=out, d=target, k=k)
            upstream[out] = f"({expr})" if any(c in expr for c in "−+/") else expr
            formula = f"∂/∂{out} " + (template.format(d=target, y=out) if k == 1 else "J")
            numbers = grad_template.format(y=factor_number(y[i], DIGITS),
                                           d=factor_number(d[i], DIGITS), k=k)
            self.trace.steps.append(Step("backward", f"∂J/∂{out}", formula, expr, numbers,
                                         float(g[i])))
        grads = []
        for l in range(len(self.layers) - 1, -1, -1):
            kernel, bias, act, _ = self.layers[l]
            local = self._local_derivatives(l)
            grads.append(self._weight_gradients(l, g, local, upstream))
            if l > 0:
                self._node_gradients(l, g, local, upstream)
                g = kernel @ (g * local)
        self.trace.layer_gradients = grads[::-1]

    def _local_derivatives(self, l):
        """``∂N/∂N_in`` of every node N of layer ``l``."""
        act = self.layers[l][2]
        symbol, _, d_template, d_fn = ACTIVATIONS[act]
        z, out = self.nets[l], self.acts[l + 1]
        local = d_fn(z, out)
        for j, node in enumerate(self.names[l + 1]):
            numbers, note = d_template.format(n=factor_number(out[j], DIGITS)), ""
            if act == "relu":  # the derivative is a case, not a formula: say which case
                numbers = ""
                note = f"{node}_in = {number(z[j], DIGITS)} {'>' if z[j] > 0 else '≤'} 0"
            self.trace.steps.append(Step("backward", f"∂{node}/∂{node}_in",
                                         f"{symbol}'({node}_in)", d_template.format(n=node),
                                         numbers, float(local[j]), note=note))
        return local

    def _chain(self, l, j, g, local, upstream, wrt, expression, value):
        """``∂J/∂N · ∂N/∂N_in · ∂N_in/∂wrt`` for node j of layer l, as three factors."""
        node = self.names[l + 1][j]
        act = self.layers[l][2]
        symbol = ACTIVATIONS[act][0]
        return (Factor(f"∂J/∂{node}", upstream.get(node, f"∂J/∂{node}"), g[j]),
                Factor(f"∂{node}/∂{node}_in", "1" if act == "identity" else
                       f"{symbol}'({node}_in)", local[j]),
                Factor(f"∂{node}_in/∂{wrt}", expression, value))

    def _weight_gradients(self, l, g, local, upstream):
        kernel, bias, _, _ = self.layers[l]
        a, gradients = self.acts[l], self.trace.gradients
        grad_kernel = numpy.zeros_like(kernel)
        for i, src in enumerate(self.names[l]):
            for j, node in enumerate(self.names[l + 1]):
                w = self.weight(l, i, j)
                terms = [self._chain(l, j, g, local, upstream, w, src, a[i])]
                grad_kernel[i, j] = gradients[w] = self.add("backward", f"∂J/∂{w}", terms,
                                                            f"{src} → {node}")
        grad_bias = None if bias is None else numpy.zeros_like(bias)
        for j, node in enumerate(self.names[l + 1] if bias is not None else []):
            terms = [self._chain(l, j, g, local, upstream, f"b_{node}", "1", 1.0)]
            grad_bias[j] = gradients[f"b_{node}"] = self.add("backward", f"∂J/∂b_{node}",
                                                             terms, f"bias of {node}")
        return {"kernel": grad_kernel, "bias": grad_bias}

    def _node_gradients(self, l, g, local, upstream):
        """``∂J/∂N`` for each node N feeding layer l: one chain per node that N feeds."""
        kernel = self.layers[l][0]
        for i, src in enumerate(self.names[l]):
            terms = [self._chain(l, j, g, local, upstream, src, self.weight(l, i, j),
                                 kernel[i, j]) for j in range(kernel.shape[1])]
            self.add("backward", f"∂J/∂{src}", terms)

    # -------------------------------------------------------------------- header
    def header(self, x, d) -> str:
        sizes = "-".join(map(str, self.widths))
        arrows = " → ".join(", ".join(n) + ("" if l == 0 else f" ({self.layers[l - 1][2]})")
                            for l, n in enumerate(self.names))
        lines = [f"Network {sizes}: {arrows}"]
        for l, (kernel, bias, _, label) in enumerate(self.layers):
            weights = [f"{self.weight(l, i, j)} = {number(kernel[i, j], DIGITS)} ({src} → {dst})"
                       for i, src in enumerate(self.names[l])
                       for j, dst in enumerate(self.names[l + 1])]
            if bias is not None:
                weights += [f"b_{dst} = {number(b, DIGITS)}"
                            for dst, b in zip(self.names[l + 1], bias)]
            head = f"  layer {l} {label if label != f'layer {l}' else ''}".rstrip() + ": "
            lines.append(textwrap.fill(", ".join(weights), width=96, initial_indent=head,
                                       subsequent_indent=" " * len(head)))
        given = ", ".join(f"{n} = {number(v, DIGITS)}" for n, v in zip(self.names[0], x))
        wanted = ", ".join(f"{'d' if len(d) == 1 else f'd{i}'} = {number(v, DIGITS)}"
                           for i, v in enumerate(d))
        lines.append(f"Example: {given}; desired {wanted}; loss J = {self.loss_text}")
        return "\n".join(lines)


def _autograd(layers, x, d, loss):
    """The same gradients from lamina's engine (ops and backward), in float64."""
    from lamina import activations
    from lamina.autograd import Tensor, Variable
    from lamina.autograd import ops as F

    out = Tensor(x[None], dtype="float64")
    params = []
    for kernel, bias, act, _ in layers:
        w = Variable(kernel.copy(), dtype="float64")
        b = None if bias is None else Variable(bias.copy(), dtype="float64")
        params.append((w, b))
        out = F.matmul(out, w)
        out = activations.get(act)(out if b is None else out + b)
    target = Tensor(d[None], dtype="float64")
    if loss == "binary_crossentropy":
        J = -(target * F.log(out) + (1.0 - target) * F.log(1.0 - out)).sum()
    else:
        diff = target - out
        J = (diff * diff).sum()
        J = J * 0.5 if loss == "half_squared_error" else J
        J = J / d.size if loss == "mean_squared_error" else J
    J.backward()
    return [{"kernel": w.grad, "bias": None if b is None else b.grad} for w, b in params]
