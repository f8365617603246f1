"""The one topological sort of lamina: the engine orders its backward pass with it, and the
functional model orders its layer calls with it.

An explicit stack replaces recursion: micrograd's recursive sort fails on deep graphs.
"""

from __future__ import annotations


def topological_order(roots, parents_of) -> list:
    """The nodes reachable from ``roots``, each after all of its parents.

    ``parents_of(node)`` lists a node's parents; they are visited last to first, so
    ``parents_of`` decides which branch comes first in the order (it may also raise, e.g.
    for a node that cannot be reached from a model's inputs). Nodes are compared by identity.
    """
    order, visited = [], set()
    stack = [(root, False) for root in reversed(roots)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for parent in parents_of(node):
            if id(parent) not in visited:
                stack.append((parent, False))
    return order
