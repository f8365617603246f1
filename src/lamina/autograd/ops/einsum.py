"""``einsum``: sums of products named by subscripts, ``'ij,jk->ik'``.

Every term of the output is a product of one entry of each operand, so the gradient of
operand ``i`` is again an einsum: the output gradient times the other operands, summed
over every letter operand ``i`` does not carry. A letter only operand ``i`` carries and the
output drops (``'ij->i'``) gets the gradient broadcast along it. A letter repeated inside
one operand (a diagonal, ``'ii->i'``) is refused: its gradient would need a scatter.
"""

from __future__ import annotations

import string

from lamina.autograd.function import Function

__all__ = ["einsum"]


def _parse(subscripts, shapes):
    """Explicit subscripts: one letter string per operand and the output's (no ``...``)."""
    text = subscripts.replace(" ", "")
    ins, arrow, out = text.partition("->")
    terms = ins.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: subscripts {subscripts!r} name {len(terms)} operands; "
                         f"received {len(shapes)}")
    used = set(text) - set(",->.")
    free = [c for c in string.ascii_letters if c not in used]
    widths = [len(shape) - len(term.replace("...", "")) for term, shape in
              zip(terms, shapes, strict=True) if "..." in term]
    ellipsis = "".join(free[:max(widths, default=0)])  # aligned from the right, as NumPy
    for i, (term, shape) in enumerate(zip(terms, shapes, strict=True)):
        if "..." in term:
            n = len(shape) - len(term.replace("...", ""))
            terms[i] = term.replace("...", ellipsis[len(ellipsis) - n:] if n > 0 else "")
        if len(terms[i]) != len(shape):
            raise ValueError(f"einsum: operand {i} has {len(shape)} axes but its subscripts "
                             f"{term!r} name {len(terms[i])}")
        if len(set(terms[i])) != len(terms[i]):
            raise ValueError(f"einsum: operand {i} repeats a letter ({term!r}); lamina's einsum "
                             "takes distinct letters per operand (no diagonals)")
    if not arrow:
        counts = {c: "".join(terms).count(c) for c in "".join(terms)}
        out = ellipsis + "".join(sorted(c for c, n in counts.items()
                                        if n == 1 and c not in ellipsis))
    else:
        out = out.replace("...", ellipsis)
    return terms, out


class Einsum(Function):
    name = "einsum"

    def forward(self, *operands, subscripts):
        xp = self.xp
        self.terms, self.out = _parse(subscripts, [a.shape for a in operands])
        spec = ",".join(self.terms) + "->" + self.out
        try:
            result = xp.einsum(spec, *operands, optimize=len(operands) > 2)
        except ValueError as err:
            shapes = ", ".join(str(a.shape) for a in operands)
            raise ValueError(f"einsum: {subscripts!r} does not fit the shapes {shapes}: "
                             f"{err}") from None
        if self.recording:
            self.save_for_backward(*operands)
        return xp.asarray(result)

    def backward(self, grad):
        xp, operands = self.xp, self.saved
        grads = []
        for i, need in enumerate(self.needs_input_grad):
            if not need:
                grads.append(None)
                continue
            others = [t for j, t in enumerate(self.terms) if j != i]
            reach = set(self.out).union(*others)
            term = self.terms[i]
            kept = "".join(c for c in term if c in reach)
            spec = ",".join([self.out] + others) + "->" + kept
            g = xp.einsum(spec, grad, *[a for j, a in enumerate(operands) if j != i],
                          optimize=len(operands) > 1)
            shape = operands[i].shape
            g = g.reshape([g.shape[kept.index(c)] if c in kept else 1 for c in term])
            stretched = tuple(k for k, n in enumerate(shape) if n == 1 and g.shape[k] != 1)
            if stretched:  # a size-1 axis broadcast against the others: sum back
                g = g.sum(axis=stretched, keepdims=True)
            grads.append(xp.broadcast_to(g, shape))
        return tuple(grads)


def einsum(subscripts, *operands):
    """Einstein summation as ``numpy.einsum`` (``...`` allowed; one letter at most once per
    operand).

    >>> from lamina import Tensor
    >>> einsum("ij,j->i", Tensor([[1.0, 2.0]]), Tensor([3.0, 4.0])).data
    array([11.], dtype=float32)
    """
    if not isinstance(subscripts, str):
        raise TypeError(f"einsum: subscripts must be a string such as 'ij,jk->ik'; received "
                        f"{subscripts!r}")
    return Einsum.apply(*operands, subscripts=subscripts)
