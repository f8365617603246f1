"""conv2d_batch_norm: a convolution, batch norm with its moving statistics, an optional
residual and ReLU, as one inference op.

In inference a batch norm uses fixed (moving) statistics, so it is a per-channel affine map::

    scale = gamma / sqrt(moving_variance + epsilon)      shift = beta - moving_mean * scale
    out   = relu(scale * (conv2d(x, kernel) + bias) + shift + residual)

Run as one op, the affine map, the residual's add and ReLU are the convolution's epilogue,
applied to each chunk of its output while it is in the cache (``_conv_cpu``), instead of
three more passes over memory; and as an op that records no gradient, the convolution may
take the inference paths (``plans.conv2d_inference``). It is what ``predict`` and
``evaluate`` of a functional model run for a Conv2D followed by a BatchNormalization (and
the Add of a residual block, and a ReLU): ``lamina.models.inference_graph``. It has no
backward: training runs conv2d and batch_norm.
"""

from __future__ import annotations

from lamina.autograd.ops.conv import Conv2D

__all__ = ["conv2d_batch_norm"]


class Conv2DBatchNorm(Conv2D):
    """``relu(bn(conv2d(x, kernel, bias)) + residual)`` with batch norm's moving statistics.

    Inputs: x, kernel, then bias, gamma, beta, residual where ``has`` says they are given,
    and moving_mean, moving_variance (after gamma and beta).
    """

    name = "conv2d_batch_norm"

    def forward(self, x, kernel, *rest, has, epsilon, relu, strides, padding, dilation_rate):
        op, xp = self.name, self.xp
        if self.recording:
            raise RuntimeError(f"{op}: an inference op (batch norm with its moving statistics "
                               "folded in) has no gradient; call it under no_grad(), or train "
                               "with conv2d and batch_norm")
        rest = list(rest)
        bias = rest.pop(0) if has[0] else None
        gamma = rest.pop(0) if has[1] else None
        beta = rest.pop(0) if has[2] else None
        mean, variance = rest.pop(0), rest.pop(0)
        residual = rest.pop(0) if has[3] else None
        o = kernel.shape[-1]
        for label, a in (("gamma", gamma), ("beta", beta), ("moving_mean", mean),
                         ("moving_variance", variance)):
            if a is not None and tuple(a.shape) != (o,):
                raise ValueError(f"{op}: {label} must have shape ({o},), one value per filter; "
                                 f"received shape {tuple(a.shape)}")
        if residual is not None and x.ndim == kernel.ndim == 4:  # else conv2d's errors
            out_hw = self.geometry(x.shape, kernel.shape, strides, padding, dilation_rate)[3]
            if tuple(residual.shape) != (x.shape[0], *out_hw, o):
                raise ValueError(f"{op}: the residual must have the output's shape "
                                 f"{(x.shape[0], *out_hw, o)}; received shape "
                                 f"{tuple(residual.shape)}")
        dtype = xp.result_type(x, kernel)
        scale = 1.0 / xp.sqrt(variance.astype(xp.float64) + epsilon)
        if gamma is not None:
            scale = scale * gamma
        shift = -mean * scale
        if beta is not None:
            shift = shift + beta
        self.epilogue = {"scale": scale.astype(dtype), "shift": shift.astype(dtype),
                         "residual": None if residual is None else residual.astype(dtype,
                                                                                   copy=False)}
        self.relu = bool(relu)
        return super().forward(x, kernel, *([] if bias is None else [bias]), strides=strides,
                               padding=padding, dilation_rate=dilation_rate)


def conv2d_batch_norm(x, kernel, bias, gamma, beta, moving_mean, moving_variance, epsilon,
                      residual=None, relu=False, strides=1, padding="valid", dilation_rate=1):
    """``relu(batch_norm(conv2d(x, kernel, bias, ...)) + residual)`` in inference, as one op.

    Args:
        x, kernel, bias, strides, padding, dilation_rate: as :func:`conv2d` (no groups).
        gamma, beta: batch norm's (O,) scale and offset, or None (Keras's ``scale`` /
            ``center`` off). moving_mean, moving_variance: its (O,) moving statistics.
        epsilon: added to the variance. residual: None, or an array shaped like the output,
            added after batch norm (a residual block's Add). relu: clip at 0 last.
    Returns (N, Ho, Wo, O). Under ``no_grad()`` only (it has no gradient).
    """
    has = tuple(a is not None for a in (bias, gamma, beta, residual))
    inputs = [a for a in (x, kernel, bias, gamma, beta) if a is not None]
    inputs += [moving_mean, moving_variance] + ([] if residual is None else [residual])
    return Conv2DBatchNorm.apply(*inputs, has=has, epsilon=float(epsilon), relu=relu,
                                 strides=strides, padding=padding, dilation_rate=dilation_rate)
