"""``model.summary()``: layers, output shapes and parameter counts in Keras 3's table."""

from __future__ import annotations


def readable_size(n_bytes: float) -> str:
    """Bytes as Keras prints them: ``2.47 MB``, ``0.00 B``."""
    for unit in ("B", "KB", "MB", "GB"):
        if n_bytes < 1024 or unit == "GB":
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.2f} TB"  # pragma: no cover


def _shape(shape) -> str:
    return "(" + ", ".join("None" if s is None else str(s) for s in shape) + (
        ",)" if len(shape) == 1 else ")")


def _rows(model):
    from lamina.layers.input_layer import InputLayer
    from lamina.models.functional import Functional

    rows = []
    if isinstance(model, Functional):
        for t in model.inputs:
            layer = t.node.layer
            rows.append([f"{layer.name} ({type(layer).__name__})", _shape(t.shape), "0", "-"])
        for node in model._nodes:  # Keras's layer[node][tensor]: the tensor index matters
            parents = ", ".join(f"{p.node.layer.name}[0][{p.index}]" for p in node.parents)
            shapes = [_shape(t.shape) for t in node.outputs]  # a list for several outputs
            rows.append([f"{node.layer.name} ({type(node.layer).__name__})",
                         shapes[0] if len(shapes) == 1 else "[" + ", ".join(shapes) + "]",
                         f"{node.layer.count_params():,}", parents])
        return rows, ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    for layer in model.layers:
        if isinstance(layer, InputLayer):
            continue
        shape = getattr(layer, "_output_shape", None)
        rows.append([f"{layer.name} ({type(layer).__name__})",
                     _shape(shape) if shape is not None else "?",
                     f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"])
    return rows, ["Layer (type)", "Output Shape", "Param #"]


def _table(headers, rows, right_aligned=(2,)) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    widths = [max(w, m) for w, m in zip(widths, (31, 22, 13, 20))]

    def cells(values, left, sep, right):
        parts = [(v.rjust(w) if i in right_aligned else v.ljust(w))
                 for i, (v, w) in enumerate(zip(values, widths))]
        return left + " " + f" {sep} ".join(parts) + " " + right

    def rule(left, fill, sep, right):
        return left + sep.join(fill * (w + 2) for w in widths) + right

    lines = [rule("┏", "━", "┳", "┓"), cells(headers, "┃", "┃", "┃"), rule("┡", "━", "╇", "┩")]
    for i, row in enumerate(rows):
        if i:
            lines.append(rule("├", "─", "┼", "┤"))
        lines.append(cells(row, "│", "│", "│"))
    lines.append(rule("└", "─", "┴", "┘"))
    return lines


def print_summary(model, line_length=None, print_fn=None, show_trainable=False) -> None:
    """Print (or pass to ``print_fn``) the summary of a built model."""
    if not model.built:
        raise ValueError(f"The model '{model.name}' has not been built yet. Build it first: "
                         "start it with Input(shape=...), give the first layer input_shape=, "
                         "or call it / fit it on data.")
    print_fn = print_fn or print
    rows, headers = _rows(model)
    trainable = sum(int(v.size) for v in model.trainable_weights)
    weights = sum(int(v.size) for v in model.weights)
    itemsize = max({v.dtype.itemsize for v in model.weights} or {4})
    opt = getattr(model, "optimizer", None)
    # As Keras 3: once the optimizer is built, its variables count in the total.
    slots = (sum(int(a.size) for a in opt.get_state().values())
             if opt is not None and getattr(opt, "built", False) else 0)
    total = weights + slots
    lines = [f'Model: "{model.name}"', *_table(headers, rows)]
    lines.append(f" Total params: {total:,} ({readable_size(total * itemsize)})")
    lines.append(f" Trainable params: {trainable:,} ({readable_size(trainable * itemsize)})")
    lines.append(f" Non-trainable params: {weights - trainable:,} "
                 f"({readable_size((weights - trainable) * itemsize)})")
    if slots:
        lines.append(f" Optimizer params: {slots:,} ({readable_size(slots * itemsize)})")
    for line in lines:
        print_fn(line)
