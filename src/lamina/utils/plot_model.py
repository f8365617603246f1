"""``plot_model``: a picture of a model's layer graph (PNG, SVG or PDF).

With ``pydot`` and Graphviz's ``dot`` installed, Graphviz lays the graph out, as in Keras.
Without them lamina draws it with matplotlib (``pip install 'lamina[plot]'``): one box per
layer, a row per depth (its longest path from an input), arrows from each layer to the
layers it feeds; ``rankdir='LR'`` turns the rows into columns. ``plot_backend()`` says which
of the two this machine uses.
"""

from __future__ import annotations

import os
import shutil

import numpy

__all__ = ["layer_graph", "plot_backend", "plot_model"]


def layer_graph(model) -> list:
    """``[(layer, [parent layers])]`` in topological order: a functional model's call graph
    (a layer called twice is one box with the parents of both calls), or a Sequential chain."""
    nodes = getattr(model, "_nodes", None)
    if nodes is None:
        layers = list(model.layers)
        return [(layer, [] if i == 0 else [layers[i - 1]]) for i, layer in enumerate(layers)]
    graph: dict = {}
    for tensor in model.inputs:
        graph.setdefault(id(tensor.node.layer), (tensor.node.layer, []))
    for node in nodes:
        _, parents = graph.setdefault(id(node.layer), (node.layer, []))
        for p in node.parents:
            if all(p.node.layer is not q for q in parents):
                parents.append(p.node.layer)
    return list(graph.values())


def _output_shape(layer):
    """The layer's output shape as text, or '?' when the model never fixed it."""
    if type(layer).__name__ == "InputLayer":
        return str((layer.batch_size, *layer.input_shape_))
    try:
        return str(layer.output_shape)
    except (AttributeError, ValueError, RuntimeError):
        return "?"


def _label(layer, parents, show_shapes, show_dtype, show_layer_names, show_layer_activations,
           show_trainable):
    head = f"{layer.name} ({type(layer).__name__})" if show_layer_names else \
        type(layer).__name__
    lines = [head]
    if show_layer_activations and getattr(layer, "activation", None) is not None:
        activation = layer.activation
        lines.append(f"Activation: {getattr(activation, '__name__', activation)}")
    if show_shapes:
        if parents:
            shapes = [_output_shape(p) for p in parents]
            lines.append("Input shape: " + (shapes[0] if len(shapes) == 1 else
                                            "[" + ", ".join(shapes) + "]"))
        lines.append(f"Output shape: {_output_shape(layer)}")
    if show_dtype:
        lines.append(f"dtype: {getattr(layer, 'dtype', None)}")
    if show_trainable:
        lines.append("Trainable" if layer.trainable else "Non-trainable")
    return lines


def plot_backend() -> str:
    """``'graphviz'`` when pydot and Graphviz's ``dot`` are installed, else ``'matplotlib'``."""
    try:
        import pydot  # noqa: F401, PLC0415
    except ImportError:
        return "matplotlib"
    return "graphviz" if shutil.which("dot") else "matplotlib"


def _depths(graph):
    depth = {}
    for layer, parents in graph:
        depth[id(layer)] = 1 + max((depth[id(p)] for p in parents), default=-1)
    return depth


def _draw_matplotlib(graph, labels, path, fmt, rankdir, dpi):
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
        from matplotlib.figure import Figure  # noqa: PLC0415
        from matplotlib.patches import FancyBboxPatch  # noqa: PLC0415
    except ImportError:
        raise ImportError("plot_model needs pydot with Graphviz, or matplotlib: pip install "
                          "'lamina[plot]'") from None
    depth = _depths(graph)
    rows: dict = {}
    for layer, _ in graph:
        rows.setdefault(depth[id(layer)], []).append(layer)
    longest = max(len(line) for lines in labels.values() for line in lines)
    box_w, line_h = max(2.2, 0.105 * longest), 0.3
    box_h = line_h * max(len(lines) for lines in labels.values()) + 0.2
    gap_x, gap_y, margin = 0.5, 0.6, 0.25
    width = max(len(r) for r in rows.values()) * (box_w + gap_x) - gap_x
    horizontal = rankdir == "LR"
    centres = {}
    for d, layers in rows.items():
        row_w = len(layers) * (box_w + gap_x) - gap_x
        for i, layer in enumerate(layers):
            across = (width - row_w) / 2 + i * (box_w + gap_x) + box_w / 2
            along = d * ((box_w if horizontal else box_h) + gap_y)
            centres[id(layer)] = (along, -across) if horizontal else (across, -along)
    xs = [c[0] for c in centres.values()]
    ys = [c[1] for c in centres.values()]
    # an edge that skips rows bows out around the boxes between (to the right, or below)
    skips = [depth[id(layer)] - depth[id(p)] for layer, parents in graph for p in parents]
    bow = (box_h if horizontal else box_w) / 2 + 0.3 if max(skips, default=1) > 1 else 0.0
    left, right = min(xs) - box_w / 2 - margin, max(xs) + box_w / 2 + margin
    bottom, top = min(ys) - box_h / 2 - margin, max(ys) + box_h / 2 + margin
    if horizontal:
        bottom -= bow
    else:
        right += bow
    fig = Figure(figsize=(right - left, top - bottom))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)
    ax.axis("off")
    for layer, parents in graph:
        x, y = centres[id(layer)]
        ax.add_patch(FancyBboxPatch((x - box_w / 2, y - box_h / 2), box_w, box_h,
                                    boxstyle="round,pad=0.02", facecolor="#eef3fb",
                                    edgecolor="#33507a", linewidth=1.2))
        ax.text(x, y, "\n".join(labels[id(layer)]), ha="center", va="center", fontsize=9,
                family="monospace")
        for parent in parents:
            px, py = centres[id(parent)]
            start = (px + box_w / 2, py) if horizontal else (px, py - box_h / 2)
            end = (x - box_w / 2, y) if horizontal else (x, y + box_h / 2)
            span = float(numpy.hypot(end[0] - start[0], end[1] - start[1]))
            rad = 2 * bow / span if depth[id(layer)] - depth[id(parent)] > 1 else 0.0
            rad = rad if horizontal else -rad  # below a row, or right of a column
            ax.annotate("", xy=end, xytext=start,
                        arrowprops={"arrowstyle": "-|>", "color": "#33507a", "lw": 1.2,
                                    "connectionstyle": f"arc3,rad={rad:.3f}"})
    fig.savefig(path, format=fmt, dpi=dpi)


def _draw_graphviz(graph, labels, path, fmt, rankdir, dpi, splines):
    import pydot  # noqa: PLC0415

    dot = pydot.Dot(graph_type="digraph", rankdir=rankdir, dpi=str(dpi), splines=splines)
    for layer, parents in graph:
        dot.add_node(pydot.Node(str(id(layer)), label="\n".join(labels[id(layer)]),
                                shape="box", style="rounded"))
        for parent in parents:
            dot.add_edge(pydot.Edge(str(id(parent)), str(id(layer))))
    dot.write(path, format=fmt)


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=False, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, splines="ortho", **kwargs):
    """Draw ``model``'s layers and their connections to ``to_file`` (format from its suffix:
    png, svg or pdf). Boxes show each layer's class, and with the flags its name, shapes,
    dtype, activation and trainability. ``expand_nested`` draws a nested model as one box
    (lamina does not open it). Returns None."""
    if kwargs:
        raise TypeError(f"plot_model: unexpected arguments {sorted(kwargs)}")
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"plot_model: rankdir must be 'TB' or 'LR'; received rankdir={rankdir!r}")
    fmt = os.path.splitext(os.fspath(to_file))[1].lstrip(".").lower() or "png"
    if fmt not in ("png", "svg", "pdf"):
        raise ValueError(f"plot_model: to_file must end in .png, .svg or .pdf; received "
                         f"to_file={to_file!r}")
    if not getattr(model, "built", True) or not model.layers:
        raise ValueError(f"plot_model: model '{model.name}' has no layers to draw yet; build it "
                         "first (give it an Input or call it on data)")
    graph = layer_graph(model)
    labels = {id(layer): _label(layer, parents, show_shapes, show_dtype, show_layer_names,
                                show_layer_activations, show_trainable)
              for layer, parents in graph}
    from lamina.saving.archive import atomic_path  # noqa: PLC0415

    with atomic_path(to_file) as tmp:
        if plot_backend() == "graphviz":
            _draw_graphviz(graph, labels, tmp, fmt, rankdir, dpi, splines)
        else:
            _draw_matplotlib(graph, labels, tmp, fmt, rankdir, dpi)
