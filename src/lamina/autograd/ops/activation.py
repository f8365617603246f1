"""Activation functions, each one op whose derivative is written out in ``backward``.

Most backward passes use the saved *output*, which the graph holds anyway; inference
keeps nothing. Every formula is the stable one: no overflow warnings for any input,
exact limits, NaN in gives NaN out. ``activation_by_name('relu')`` resolves the Keras
names of ``Dense(..., activation='relu')`` through the table ``ACTIVATIONS``.
"""

from __future__ import annotations

import difflib
import math
import numbers

from lamina.autograd.function import Function
from lamina.autograd.ops._erf import erfc
from lamina.autograd.ops._rows import by_rows, unary
from lamina.autograd.ops.reduction import _axes

__all__ = ["identity", "heaviside", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu",
           "softplus", "gelu", "silu", "swish", "hard_sigmoid", "softmax", "log_softmax",
           "activation_by_name"]

SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805  # Klambauer et al. 2017


def _real(op, arg, value, minimum=None):
    """``value`` as a Python float (so float32 stays float32), or a ValueError naming ``arg``."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and value == value
    if not ok or (minimum is not None and value < minimum):
        need = "a real number" if minimum is None else f"a real number >= {minimum}"
        raise ValueError(f"{op}: {arg} must be {need}; received {arg}={value!r}")
    return float(value)


def _sigmoid(x, xp, out=None, bias=None):
    """``sigmoid(x + bias)`` (``bias``: None or an array broadcasting against ``x``) as
    ``1 / (1 + exp(-(x + bias)))``, in four in-place passes; ``out`` may be ``x`` itself.

    ``-(x + bias)`` is computed as ``(-bias) - x``, which rounds to the same bits, so a bias
    costs no pass of its own. Both tails keep full precision: for x > 0, exp(-x) < 1; for
    x << 0, 1 / (1 + exp(-x)) ~ exp(x) to a few ulps. exp(-x) overflows to inf below
    x = -88.7 (float32; -709.8 in float64), where 1 / inf gives the limit 0 (the overflow is
    expected and silenced): below the smallest normal float sigmoid is 0, not a subnormal.
    """
    e = xp.empty_like(x) if out is None else out
    if bias is None:
        xp.negative(x, out=e)
    else:
        xp.subtract(-bias, x, out=e)
    with xp.errstate(over="ignore"):
        xp.exp(e, out=e)
    e += 1.0
    xp.divide(1.0, e, out=e)
    return e


def sigmoid_grad(xp, grad, s):
    """``grad * s * (1 - s)``, sigmoid's derivative from its output ``s``, in one new buffer.
    The one place it is written: the sigmoid op and the fused ``linear(..., 'sigmoid')``."""
    out = 1.0 - s
    out *= s
    out *= grad
    return out


def relu_grad(xp, grad, out):
    """``grad`` where ReLU's output ``out`` is > 0, else 0 (0 at the kink, as Keras); the one
    place it is written (relu, ``linear(..., 'relu')``, batch_norm_relu), cut over threads."""
    if grad.shape != out.shape or not grad.ndim:
        return xp.multiply(grad, out > 0)
    result = xp.empty(grad.shape, dtype=xp.result_type(grad.dtype, xp.bool_))

    def part(lo, hi):  # grad * (out > 0)'s bits, without its bool array and mixed-type loop
        xp.greater(out[lo:hi], 0, out=result[lo:hi])
        result[lo:hi] *= grad[lo:hi]

    by_rows(part, grad)
    return result


class Heaviside(Function):
    name = "heaviside"

    def forward(self, x, *, value_at_zero):
        return self.xp.heaviside(x, value_at_zero)  # NaN stays NaN

    def backward(self, grad):
        # Flat on both sides (a Dirac spike at 0): zero gradient everywhere, which is why a
        # perceptron cannot learn by backpropagation and uses  w += lr (y - y_hat) x  instead.
        return self.xp.zeros_like(grad)


class Sigmoid(Function):
    name = "sigmoid"

    def forward(self, x):
        out = _sigmoid(x, self.xp)
        if self.recording:
            self.save_for_backward(out)
        return out

    def backward(self, grad):
        (s,) = self.saved
        return sigmoid_grad(self.xp, grad, s)  # sigma' = sigma (1 - sigma)


class Tanh(Function):
    name = "tanh"

    def forward(self, x):
        out = self.xp.tanh(x)
        if self.recording:
            self.save_for_backward(out)
        return out

    def backward(self, grad):
        (t,) = self.saved
        return grad * (1.0 - t * t)  # tanh' = 1 - tanh^2


class ReLU(Function):
    name = "relu"

    def forward(self, x):
        out = unary(self.xp, self.xp.maximum, x, 0)
        if self.recording:
            self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return relu_grad(self.xp, grad, out)  # 1 where x > 0, else 0


class LeakyReLU(Function):
    name = "leaky_relu"

    def forward(self, x, *, negative_slope):
        self.slope = negative_slope
        pick = self.xp.maximum if negative_slope <= 1 else self.xp.minimum
        out = pick(x, x * negative_slope)
        if self.recording:
            self.save_for_backward(out)  # slope >= 0, so out > 0 exactly where x > 0
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad * (out > 0) * (1.0 - self.slope) + grad * self.slope  # 1 or slope


class ELU(Function):
    """``scale * (x if x > 0 else alpha (exp(x) - 1))``: ELU with scale 1, SELU otherwise."""

    name = "elu"

    def forward(self, x, *, alpha, scale=1.0):
        xp = self.xp
        neg = xp.expm1(xp.minimum(x, 0)) * (alpha * scale)  # exp of x <= 0 only: no overflow
        out = xp.maximum(x, 0) * scale if scale != 1.0 else xp.maximum(x, 0)
        out += neg  # each part is 0 where the other applies
        if self.recording:
            self.save_for_backward(x > 0, out)
            self.alpha, self.scale = alpha, scale
        return out

    def backward(self, grad):
        positive, out = self.saved
        # x > 0: scale;  x <= 0: d/dx [scale alpha (exp(x) - 1)] = out + scale alpha
        g = out + self.alpha * self.scale
        g *= ~positive
        g += positive if self.scale == 1.0 else positive * self.xp.asarray(self.scale, g.dtype)
        return g * grad


class SELU(ELU):
    name = "selu"


class Softplus(Function):
    name = "softplus"

    def forward(self, x):
        xp = self.xp
        out = xp.log1p(xp.exp(-xp.abs(x)))  # log(1 + exp(x)), exp of -|x| <= 0 only
        out += xp.maximum(x, 0)
        if self.recording:
            self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        # softplus' = sigmoid(x) = 1 - exp(-softplus(x)), accurate as -expm1(-out)
        return grad * -self.xp.expm1(-out)


class GELU(Function):
    name = "gelu"

    def forward(self, x, *, approximate):
        xp = self.xp
        xc = xp.clip(x, -100.0, 100.0)  # beyond |x| = 100 both forms are exactly x or 0
        if approximate:  # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
            cdf = 0.5 * (1.0 + xp.tanh(math.sqrt(2.0 / math.pi) * (xc + 0.044715 * xc * xc * xc)))
        else:  # x * Phi(x), Phi the standard normal CDF = erfc(-x / sqrt 2) / 2
            cdf = 0.5 * erfc(xc * -math.sqrt(0.5), xp)
        if self.recording:
            self.save_for_backward(xc, cdf)
            self.approximate = approximate
        return x * cdf

    def backward(self, grad):
        xc, cdf = self.saved
        if self.approximate:
            c = math.sqrt(2.0 / math.pi)
            # d/dx [x * cdf] with cdf = (1 + t)/2:  cdf + x (1 - t^2)/2 * c (1 + 3 * 0.044715 x^2)
            return grad * (cdf + 2.0 * xc * cdf * (1.0 - cdf) * c * (1.0 + 0.134145 * xc * xc))
        pdf = self.xp.exp(-0.5 * xc * xc) * (1.0 / math.sqrt(2.0 * math.pi))
        return grad * (cdf + xc * pdf)  # d/dx [x Phi(x)] = Phi(x) + x phi(x)


class SiLU(Function):
    name = "silu"

    def forward(self, x):
        s = _sigmoid(x, self.xp)
        if self.recording:
            self.save_for_backward(x, s)
        return x * s

    def backward(self, grad):
        x, s = self.saved
        return grad * s * (1.0 + x * (1.0 - s))  # d/dx x sigma(x) = sigma + x sigma (1 - sigma)


class HardSigmoid(Function):
    name = "hard_sigmoid"

    def forward(self, x):
        out = self.xp.clip(x + 3.0, 0.0, 6.0) / 6.0
        if self.recording:
            self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad * ((out > 0) & (out < 1)) * (1.0 / 6.0)  # slope 1/6 on (-3, 3), 0 outside


class Softmax(Function):
    name = "softmax"

    def forward(self, x, *, axis):
        self.axes = _class_axes(x, axis, self.name)
        z = x - x.max(axis=self.axes, keepdims=True) if x.size else x.copy()
        self.xp.exp(z, out=z)  # exponents <= 0: no overflow for any logits
        z /= z.sum(axis=self.axes, keepdims=True)
        if self.recording:
            self.save_for_backward(z)
        return z

    def backward(self, grad):
        (s,) = self.saved  # Jacobian-vector product: s_i (g_i - sum_j g_j s_j)
        return s * (grad - (grad * s).sum(axis=self.axes, keepdims=True))


class LogSoftmax(Function):
    name = "log_softmax"

    def forward(self, x, *, axis):
        self.axes = _class_axes(x, axis, self.name)
        z = x - x.max(axis=self.axes, keepdims=True) if x.size else x.copy()
        z -= self.xp.log(self.xp.exp(z).sum(axis=self.axes, keepdims=True))  # log-sum-exp
        if self.recording:
            self.save_for_backward(z)
        return z

    def backward(self, grad):
        (out,) = self.saved
        return grad - self.xp.exp(out) * grad.sum(axis=self.axes, keepdims=True)


def _class_axes(x, axis, op):
    if x.ndim == 0:
        raise ValueError(f"{op}: expected an input with at least one axis; received a scalar")
    return _axes(axis, x.ndim, op)


def identity(x):
    """``x`` itself (Keras's ``'linear'``): no op and no graph node."""
    return x


def heaviside(x, value_at_zero=1.0):
    """Heaviside step: 1 where ``x > 0``, 0 where ``x < 0``, ``value_at_zero`` at 0.

    The default gives the perceptron's "fire when w.x + b >= 0"; the lecture slide's
    H(x) = 1 for x > 0 only is ``value_at_zero=0.0``. The gradient is zero everywhere, so
    backpropagation cannot train it: the perceptron uses its own learning rule.
    ``heaviside(Tensor([-1.0, 0.0, 2.0]))`` -> ``[0., 1., 1.]``.
    """
    return Heaviside.apply(x, value_at_zero=_real("heaviside", "value_at_zero", value_at_zero))


def sigmoid(x):
    """Logistic sigmoid 1 / (1 + exp(-x)); exactly 0 / 1 for large |x|, no overflow warning."""
    return Sigmoid.apply(x)


def tanh(x):
    """Hyperbolic tangent."""
    return Tanh.apply(x)


def relu(x):
    """max(x, 0). The gradient at 0 is taken as 0."""
    return ReLU.apply(x)


def leaky_relu(x, negative_slope=0.2):
    """``x`` for x > 0, ``negative_slope * x`` otherwise (Keras's default slope 0.2)."""
    return LeakyReLU.apply(
        x, negative_slope=_real("leaky_relu", "negative_slope", negative_slope, minimum=0))


def elu(x, alpha=1.0):
    """Exponential linear unit: ``x`` for x > 0, ``alpha * (exp(x) - 1)`` otherwise."""
    return ELU.apply(x, alpha=_real("elu", "alpha", alpha))


def selu(x):
    """Scaled ELU: ``SELU_SCALE * elu(x, SELU_ALPHA)`` (self-normalising; use lecun_normal)."""
    return SELU.apply(x, alpha=SELU_ALPHA, scale=SELU_SCALE)


def softplus(x):
    """log(1 + exp(x)), computed as log1p(exp(-|x|)) + max(x, 0): stable for any x."""
    return Softplus.apply(x)


def gelu(x, approximate=False):
    """Gaussian error linear unit ``x * Phi(x)``, Phi the standard normal CDF.

    ``approximate=False`` (Keras's default): the exact erf form, erf computed in NumPy to
    float64 accuracy. ``approximate=True``: the tanh form ``0.5 x (1 + tanh(sqrt(2/pi)
    (x + 0.044715 x^3)))``, within 5e-4 of the exact one."""
    return GELU.apply(x, approximate=bool(approximate))


def silu(x):
    """Sigmoid linear unit ``x * sigmoid(x)``, also called swish."""
    return SiLU.apply(x)


def hard_sigmoid(x):
    """Piecewise-linear sigmoid, Keras 3's ``relu6(x + 3) / 6``: 0 below -3, 1 above 3."""
    return HardSigmoid.apply(x)


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) over ``axis`` (an int or tuple), shifted by the max: stable."""
    return Softmax.apply(x, axis=axis)


def log_softmax(x, axis=-1):
    """x - logsumexp(x) over ``axis``: finite even where softmax underflows to 0."""
    return LogSoftmax.apply(x, axis=axis)


swish = silu

#: Keras activation names (plus lamina's ``'identity'`` and ``'heaviside'``) -> function.
ACTIVATIONS = {"linear": identity, "identity": identity, "heaviside": heaviside,
               "sigmoid": sigmoid, "tanh": tanh, "relu": relu, "leaky_relu": leaky_relu,
               "elu": elu, "selu": selu, "softplus": softplus, "gelu": gelu, "silu": silu,
               "swish": swish, "hard_sigmoid": hard_sigmoid, "softmax": softmax,
               "log_softmax": log_softmax}


def get(identifier):
    """The activation for a name in ``ACTIVATIONS`` (``'relu'``, ``'linear'``...), a callable
    (returned as it is) or None (identity), like ``keras.activations.get``."""
    if identifier is None:
        return identity
    if isinstance(identifier, str):
        fn = ACTIVATIONS.get(identifier)
        if fn is not None:
            return fn
        close = difflib.get_close_matches(identifier.lower(), ACTIVATIONS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"activation_by_name: unknown activation {identifier!r}{hint}; "
                         f"valid names are {', '.join(sorted(ACTIVATIONS))}")
    if callable(identifier):
        return identifier
    raise TypeError("activation_by_name: expected an activation name (str), a callable or "
                    f"None; received {type(identifier).__name__} {identifier!r}")


activation_by_name = get
