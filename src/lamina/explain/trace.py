"""The trace's data: ``Factor``, ``Step`` and ``Trace``, and how they print."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Factor", "Step", "Trace"]

_ASCII = str.maketrans({"∂": "d", "·": "*", "−": "-", "σ": "sigmoid", "½": "1/2", "²": "^2",
                        "→": "->", "𝟙": "id", "≤": "<="})
_WIDTH = 88  # a step longer than this is written on aligned lines, one "=" per line


@dataclass(frozen=True)
class Factor:
    """One factor of a chain-rule product, e.g. ``∂y/∂y_in``, written ``1``, valued 1.0."""

    symbol: str
    expression: str
    value: float


@dataclass(frozen=True)
class Step:
    """One line of the trace.

    Attributes:
        phase: ``"forward"``, ``"loss"`` or ``"backward"``.
        symbol: what is computed: ``"A_in"``, ``"A"``, ``"J"``, ``"∂J/∂w20"``...
        formula: in symbols: ``"∂J/∂y · ∂y/∂y_in · ∂y_in/∂w20"``.
        expression: each factor's expression: ``"(y − d) · 1 · C"``.
        numbers: the same with numbers: ``"(−0.174) · 1 · 0.6281"``.
        value: the result (float64).
        terms: the products that are summed, each a tuple of :class:`Factor` (one term for
            a weight's gradient; one per node fed for ``∂J/∂A``; the weighted inputs for
            a net input ``A_in``).
        note: e.g. ``"x1 → A"``, the edge a weight sits on.
    """

    phase: str
    symbol: str
    formula: str
    expression: str
    numbers: str
    value: float
    terms: tuple = ()
    note: str = ""

    @property
    def factors(self) -> tuple:
        """The factors of a single product (empty when the step is a sum)."""
        return self.terms[0] if len(self.terms) == 1 else ()

    def text(self, digits: int = 4, width: int = 0) -> str:
        """``symbol = formula = expression = numbers = value``; long steps are written on
        aligned lines. ``width`` pads the symbol so that a column of steps lines up."""
        parts = []
        for part in (self.formula, self.expression, self.numbers):
            if part and part not in parts:
                parts.append(part)
        value = number(self.value, digits)
        if parts[-1] == value:
            parts.pop()
        head = self.symbol + (f" ({self.note})" if self.note else "")
        head = head.ljust(width)
        line = f"{head} = " + " = ".join([*parts, value])
        if len(line) <= _WIDTH or len(parts) < 2:
            return line
        pad = " " * len(head)
        return f"{head} = {parts[0]}" + "".join(f"\n{pad} = {p}" for p in parts[1:]) + \
            f" = {value}"


@dataclass
class Trace:
    """The forward and backward pass of one example, step by step.

    ``print(trace)`` (or ``trace.text()``) shows it all.

    Attributes:
        steps: every :class:`Step`, in order (forward, loss, backward).
        values: node values by name (``"x0"``, ``"A_in"``, ``"A"``, ``"y"``, ``"J"``).
        gradients: ``∂J/∂w`` by parameter name (``"w20"``, ``"b_A"``), output layer first.
        layer_gradients: per layer ``{"kernel": array, "bias": array or None}``, laid out as
            the model's weights (first layer first).
        autograd: the same gradients computed by lamina's engine (float64).
        max_error: the largest ``|trace − autograd|`` over all parameters.
        loss: J. output: the network's output ``y`` (array).
        header: the network, its weights and the loss, printed first.
    """

    steps: list = field(default_factory=list)
    values: dict = field(default_factory=dict)
    gradients: dict = field(default_factory=dict)
    layer_gradients: list = field(default_factory=list)
    autograd: list = field(default_factory=list)
    max_error: float = float("nan")
    loss: float = float("nan")
    output: object = None
    header: str = ""

    def step(self, symbol: str) -> Step:
        """The step that computes ``symbol`` (``"∂J/∂w20"``, ``"A"``...)."""
        for s in self.steps:
            if s.symbol == symbol:
                return s
        raise KeyError(f"Trace.step: no step computes {symbol!r}; the symbols are "
                       f"{', '.join(s.symbol for s in self.steps)}")

    def text(self, digits: int = 4, ascii: bool = False) -> str:
        """The whole trace as text. ``digits``: significant digits of the numbers;
        ``ascii=True`` writes ``dJ/dw20``, ``*`` and ``-`` for terminals without Unicode."""
        titles = {"forward": "Forward pass (every node's value is stored for the backward pass)",
                  "loss": "Loss",
                  "backward": "Backward pass (chain rule, from the loss back to the first "
                              "weights)"}
        width = max(len(s.symbol) for s in self.steps)
        lines, phase = [self.header], None
        for s in self.steps:
            if s.phase != phase:
                phase = s.phase
                lines += ["", titles[phase]]
            body = s.text(digits, width if not s.note else 0)
            lines.append("  " + body.replace("\n", "\n  "))
        grads = ", ".join(f"{k} = {number(v, digits)}" for k, v in self.gradients.items())
        lines += ["", f"Gradients ∂J/∂w: {grads}",
                  f"Check: lamina's autograd gives the same gradients (largest difference "
                  f"{self.max_error:.1e})"]
        out = "\n".join(lines)
        return out.translate(_ASCII) if ascii else out

    def __str__(self) -> str:
        return self.text()

    def to_dict(self) -> dict:
        """JSON-able: loss, gradients, max_error and the steps as dicts."""
        steps = [{"phase": s.phase, "symbol": s.symbol, "formula": s.formula,
                  "expression": s.expression, "numbers": s.numbers, "value": s.value,
                  "note": s.note, "terms": [[{"symbol": f.symbol, "expression": f.expression,
                                              "value": float(f.value)} for f in term]
                                             for term in s.terms]}
                 for s in self.steps]
        return {"loss": self.loss, "gradients": dict(self.gradients),
                "max_error": self.max_error, "steps": steps}


def number(value: float, digits: int = 4) -> str:
    """``value`` with ``digits`` significant digits and a true minus sign: ``−0.174``."""
    return f"{float(value):.{digits}g}".replace("-", "−")


def factor_number(value: float, digits: int = 4) -> str:
    """:func:`number`, in parentheses when negative (a factor of a product)."""
    text = number(value, digits)
    return f"({text})" if text.startswith("−") else text


def product_texts(factors, digits: int = 4, sep: str = " · ") -> tuple:
    """``(symbols, expressions, numbers)`` of a product of :class:`Factor`, joined by ``sep``."""
    return (sep.join(f.symbol for f in factors),
            sep.join(f.expression for f in factors),
            sep.join(factor_number(f.value, digits) for f in factors))
