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


def _shape_text(layer, which):
    try:
        shape = getattr(layer, which)
    except (AttributeError, ValueError, RuntimeError):
        return "?"
    return str(shape).replace("None", "None")


def _label(layer, show_shapes, show_dtype, show_layer_names, show_layer_activations,
           show_trainable):
    head = f"{layer.name} ({type(layer).__name__})" if show_layer_names else \
        type(layer).__name__
    lines = [head]
    if show_layer_activations and getattr(layer, "activation", None) is not None:
        activation = layer.activation
        lines.append(f"Activation: {getattr(activation, '__name__', activation)}")
    if show_shapes:
        if type(layer).__name__ != "InputLayer":
            lines.append(f"Input shape: {_shape_text(layer, 'input_shape')}")
        lines.append(f"Output shape: {_shape_text(layer, 'output_shape')}")
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
    gap_x, gap_y = 0.5, 0.7
    width = max(len(r) for r in rows.values()) * (box_w + gap_x)
    height = len(rows) * (box_h + gap_y)
    horizontal = rankdir == "LR"
    centres = {}
    for d, layers in rows.items():
        row_w = len(layers) * (box_w + gap_x) - gap_x
        for i, layer in enumerate(layers):
            across = (width - row_w) / 2 + i * (box_w + gap_x) + box_w / 2
            along = d * (box_h + gap_y) + box_h / 2
            centres[id(layer)] = ((along, height - across) if horizontal
                                  else (across, height - along))
    fig_w, fig_h = (height, width) if horizontal else (width, height)
    fig = Figure(figsize=(max(fig_w, 2.5), max(fig_h, 1.2)))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, max(fig_w, 2.5))
    ax.set_ylim(max(fig_h, 1.2) - height if not horizontal else 0, max(fig_h, 1.2))
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
            ax.annotate("", xy=end, xytext=start,
                        arrowprops={"arrowstyle": "-|>", "color": "#33507a", "lw": 1.2})
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
    labels = {id(layer): _label(layer, show_shapes, show_dtype, show_layer_names,
                                show_layer_activations, show_trainable)
              for layer, _ in graph}
    from lamina.saving.archive import atomic_path  # noqa: PLC0415

    with atomic_path(to_file) as tmp:
        if plot_backend() == "graphviz":
            _draw_graphviz(graph, labels, tmp, fmt, rankdir, dpi, splines)
        else:
            _draw_matplotlib(graph, labels, tmp, fmt, rankdir, dpi)
