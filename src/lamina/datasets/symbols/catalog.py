"""The symbol classes: each a LaTeX command, its Unicode character and a group.

The order of :data:`CLASSES` is part of the API (label ``i`` is ``CLASSES[i]``): append new
classes at the end, never reorder. Groups: ``digit``, ``latin``, ``greek``, ``operator``,
``arrow``, ``set``, ``logic``, ``misc`` (the write-math seed's examples such as
``\\heartsuit``, ``\\fullmoon``, ``\\astrosun`` are in ``misc``).

Example:
    >>> from lamina.datasets.symbols import CLASSES, index_of
    >>> CLASSES[index_of(r"\\alpha")]
    Symbol(latex='\\\\alpha', unicode='α', group='greek')
"""

from __future__ import annotations

import numbers
import string
from dataclasses import dataclass, field

__all__ = ["CLASSES", "GROUPS", "Symbol", "index_of"]


@dataclass(frozen=True)
class Symbol:
    """One class: ``latex`` (what the recognizer answers), ``unicode`` (how the page shows it),
    ``group``, ``mathtext``: the expression matplotlib renders, when it is not ``latex``
    itself (mathtext lacks ``\\male``, ``\\lozenge``, ... so those render their Unicode
    character from a bundled font that has it), and ``filled``: a solid glyph (``\\clubsuit``)
    that people draw as an outline or scribble in."""

    latex: str
    unicode: str
    group: str
    mathtext: str | None = field(default=None, repr=False, compare=False)
    filled: bool = field(default=False, repr=False, compare=False)

    @property
    def expression(self) -> str:
        """The mathtext source that draws this symbol (without the ``$`` delimiters)."""
        return self.mathtext if self.mathtext is not None else self.latex


def _s(latex, unicode, group, mathtext=None, filled=False):
    return Symbol(latex, unicode, group, mathtext, filled)


_DIGITS = [_s(c, c, "digit") for c in string.digits]
_LATIN = [_s(c, c, "latin") for c in string.ascii_uppercase + string.ascii_lowercase]

_GREEK_LOWER = [
    ("alpha", "α"), ("beta", "β"), ("gamma", "γ"), ("delta", "δ"), ("epsilon", "ϵ"),
    ("varepsilon", "ε"), ("zeta", "ζ"), ("eta", "η"), ("theta", "θ"), ("vartheta", "ϑ"),
    ("iota", "ι"), ("kappa", "κ"), ("lambda", "λ"), ("mu", "μ"), ("nu", "ν"), ("xi", "ξ"),
    ("pi", "π"), ("rho", "ρ"), ("varrho", "ϱ"), ("sigma", "σ"), ("tau", "τ"),
    ("upsilon", "υ"), ("phi", "ϕ"), ("varphi", "φ"), ("chi", "χ"), ("psi", "ψ"),
    ("omega", "ω"),
]
_GREEK_UPPER = [
    ("Gamma", "Γ"), ("Delta", "Δ"), ("Theta", "Θ"), ("Lambda", "Λ"), ("Xi", "Ξ"), ("Pi", "Π"),
    ("Sigma", "Σ"), ("Phi", "Φ"), ("Psi", "Ψ"), ("Omega", "Ω"),
]
# mathtext maps \epsilon to the same glyph as \varepsilon; LaTeX's \epsilon is the lunate one.
_GREEK = [
    _s("\\" + name, char, "greek", "ϵ" if name == "epsilon" else None)
    for name, char in _GREEK_LOWER + _GREEK_UPPER
]

_OPERATORS = [
    _s("+", "+", "operator"), _s("-", "−", "operator"), _s("\\times", "×", "operator"),
    _s("\\div", "÷", "operator"), _s("=", "=", "operator"), _s("\\neq", "≠", "operator"),
    _s("\\leq", "≤", "operator"), _s("\\geq", "≥", "operator"), _s("<", "<", "operator"),
    _s(">", ">", "operator"), _s("\\pm", "±", "operator"), _s("\\mp", "∓", "operator"),
    _s("\\sum", "∑", "operator"), _s("\\prod", "∏", "operator"), _s("\\int", "∫", "operator"),
    _s("\\oint", "∮", "operator"), _s("\\iint", "∬", "operator"),
    _s("\\sqrt{}", "√", "operator", "\\sqrt{\\ }"), _s("\\infty", "∞", "operator"),
    _s("\\partial", "∂", "operator"), _s("\\nabla", "∇", "operator"),
    _s("\\approx", "≈", "operator"), _s("\\equiv", "≡", "operator"),
    _s("\\sim", "∼", "operator"), _s("\\simeq", "≃", "operator"),
    _s("\\cong", "≅", "operator"), _s("\\propto", "∝", "operator"),
    _s("\\ll", "≪", "operator"), _s("\\gg", "≫", "operator"), _s("\\oplus", "⊕", "operator"),
    _s("\\otimes", "⊗", "operator"), _s("\\ast", "∗", "operator"),
    _s("\\star", "⋆", "operator", filled=True),
]

_ARROWS = [
    _s("\\rightarrow", "→", "arrow"), _s("\\leftarrow", "←", "arrow"),
    _s("\\uparrow", "↑", "arrow"), _s("\\downarrow", "↓", "arrow"),
    _s("\\leftrightarrow", "↔", "arrow"), _s("\\Rightarrow", "⇒", "arrow"),
    _s("\\Leftarrow", "⇐", "arrow"), _s("\\Leftrightarrow", "⇔", "arrow"),
    _s("\\mapsto", "↦", "arrow"), _s("\\nearrow", "↗", "arrow"), _s("\\searrow", "↘", "arrow"),
    _s("\\hookrightarrow", "↪", "arrow"), _s("\\rightleftharpoons", "⇌", "arrow"),
    _s("\\rightsquigarrow", "↝", "arrow"), _s("\\circlearrowleft", "↺", "arrow"),
    _s("\\curvearrowright", "↷", "arrow"),
]

_SETS = [
    _s("\\in", "∈", "set"), _s("\\notin", "∉", "set"), _s("\\ni", "∋", "set"),
    _s("\\subset", "⊂", "set"), _s("\\supset", "⊃", "set"), _s("\\subseteq", "⊆", "set"),
    _s("\\supseteq", "⊇", "set"), _s("\\subsetneq", "⊊", "set"), _s("\\cup", "∪", "set"),
    _s("\\cap", "∩", "set"), _s("\\emptyset", "∅", "set"), _s("\\setminus", "∖", "set"),
    _s("\\mathbb{N}", "ℕ", "set", "ℕ"), _s("\\mathbb{Z}", "ℤ", "set", "ℤ"),
    _s("\\mathbb{Q}", "ℚ", "set", "ℚ"), _s("\\mathbb{R}", "ℝ", "set", "ℝ"),
    _s("\\mathbb{C}", "ℂ", "set", "ℂ"), _s("\\aleph", "ℵ", "set"),
]

_LOGIC = [
    _s("\\forall", "∀", "logic"), _s("\\exists", "∃", "logic"),
    _s("\\nexists", "∄", "logic"), _s("\\neg", "¬", "logic"), _s("\\wedge", "∧", "logic"),
    _s("\\vee", "∨", "logic"), _s("\\top", "⊤", "logic"), _s("\\bot", "⊥", "logic"),
    _s("\\vdash", "⊢", "logic"), _s("\\models", "⊧", "logic"),
    _s("\\therefore", "∴", "logic"), _s("\\because", "∵", "logic"),
]

_MISC = [
    # The write-math seed's examples (\heartsuit ... \astrosun) first.
    _s("\\heartsuit", "♡", "misc"), _s("\\clubsuit", "♣", "misc", filled=True),
    _s("\\fullmoon", "○", "misc", "○"), _s("\\male", "♂", "misc", "♂"),
    _s("\\triangledown", "▽", "misc", "\\bigtriangledown"), _s("\\lozenge", "◊", "misc", "◊"),
    _s("\\astrosun", "☉", "misc", "☉"), _s("\\spadesuit", "♠", "misc", filled=True),
    _s("\\diamondsuit", "♢", "misc"), _s("\\female", "♀", "misc", "♀"),
    _s("\\triangle", "△", "misc"), _s("\\checkmark", "✓", "misc"),
    _s("\\dagger", "†", "misc"), _s("\\S", "§", "misc"), _s("\\hbar", "ħ", "misc"),
    _s("\\ell", "ℓ", "misc"), _s("\\wp", "℘", "misc"), _s("\\Re", "ℜ", "misc"),
    _s("\\Im", "ℑ", "misc"), _s("\\angle", "∠", "misc"), _s("\\parallel", "∥", "misc"),
    _s("|", "|", "misc"), _s("\\#", "#", "misc"), _s("\\%", "%", "misc"),
    _s("\\&", "&", "misc", "&"), _s("\\$", "$", "misc"), _s("@", "@", "misc"),
    _s("?", "?", "misc"), _s("!", "!", "misc"), _s("(", "(", "misc"), _s(")", ")", "misc"),
    _s("[", "[", "misc"), _s("]", "]", "misc"), _s("\\{", "{", "misc"),
    _s("\\}", "}", "misc"), _s("\\langle", "⟨", "misc"), _s("\\rangle", "⟩", "misc"),
    _s("\\sharp", "♯", "misc"), _s("\\flat", "♭", "misc"), _s("\\mho", "℧", "misc"),
    _s("\\copyright", "©", "misc", "©"),
]

CLASSES: list[Symbol] = (
    _DIGITS + _LATIN + _GREEK + _OPERATORS + _ARROWS + _SETS + _LOGIC + _MISC
)
"""Every class in label order: ``CLASSES[y]`` is the symbol of label ``y``."""

GROUPS: tuple[str, ...] = (
    "digit", "latin", "greek", "operator", "arrow", "set", "logic", "misc",
)

_INDEX = {symbol.latex: i for i, symbol in enumerate(CLASSES)}
_BY_UNICODE = {symbol.unicode: i for i, symbol in enumerate(CLASSES)}


def index_of(symbol) -> int:
    """The label of a class, given its LaTeX command (``'\\\\alpha'``), its Unicode character
    (``'α'``), the :class:`Symbol` or the label itself. Case matters (``'A'`` and ``'a'`` are
    two classes); an unknown name raises a ValueError that suggests the closest command."""
    if isinstance(symbol, Symbol):
        return CLASSES.index(symbol)
    if isinstance(symbol, numbers.Integral) and not isinstance(symbol, bool):
        if not 0 <= symbol < len(CLASSES):
            raise ValueError(f"symbols: labels are in [0, {len(CLASSES)}); received {symbol!r}")
        return int(symbol)
    if symbol in _INDEX:
        return _INDEX[symbol]
    if symbol in _BY_UNICODE:
        return _BY_UNICODE[symbol]
    from lamina._lookup import lookup

    return lookup(_INDEX, symbol, "symbol")
