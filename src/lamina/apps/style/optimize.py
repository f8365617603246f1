"""Optimizing the image, not the network: the objective and its two optimizers.

:class:`Objective` holds the targets (the content image's features, the style image's Gram
matrices) and returns ``alpha * content + beta * style + tv_weight * total_variation`` of an
image with its gradient, from one forward and one backward pass through the frozen network.

:func:`run` minimizes it over the pixels, kept in [0, 1]:

* ``"lbfgs"``: SciPy's L-BFGS-B with the bounds [0, 1] (the first Keras style-transfer
  example used SciPy's L-BFGS too); one step is one L-BFGS iteration (a line search may
  evaluate the objective more than once);
* ``"adam"``: :class:`lamina.optimizers.Adam` on a :class:`~lamina.autograd.Variable` image,
  clipped to [0, 1] after every step.
"""

from __future__ import annotations

import time

import numpy

from lamina.apps.style.losses import content_loss, gram_matrix, style_loss, total_variation_loss
from lamina.autograd import Tensor, Variable, no_grad

__all__ = ["Objective", "run"]

_PARTS = ("loss", "content_loss", "style_loss", "tv_loss")


class Objective:
    """``alpha * L_content + beta * L_style + tv_weight * L_tv`` of an image in [0, 1].

    Args:
        network: a :class:`~lamina.apps.style.network.FeatureNetwork`.
        content: the content image, (H, W, C) in [0, 1], or None (texture synthesis).
        style: the style image (or texture sample), (H', W', C) in [0, 1].
        alpha, beta: the weights of the content and style losses (Gatys's ratio alpha/beta).
        tv_weight: the weight of the total-variation prior (0: none).
        style_weights: one weight per style layer (default ``1 / L`` each).
    """

    def __init__(self, network, content=None, style=None, alpha=1.0, beta=1.0, tv_weight=0.0,
                 style_weights=None):
        if style is None:
            raise ValueError("Objective: a style image (or texture sample) is required")
        self.network = network
        self.alpha, self.beta, self.tv_weight = float(alpha), float(beta), float(tv_weight)
        self.style_weights = style_weights
        with no_grad():
            grams = network.features(Tensor(style[None].astype("float32")))
            self.style_targets = [gram_matrix(grams[n]).data for n in network.style_layers]
            self.content_targets = None
            if content is not None:
                feats = network.features(Tensor(content[None].astype("float32")))
                self.content_targets = [feats[n].data for n in network.content_layers]
        self.evaluations = 0

    def loss(self, image: Tensor):
        """``(total, parts)``: the total loss (a scalar tensor with a graph to ``image``) and
        its parts as floats: ``loss``, ``content_loss``, ``style_loss``, ``tv_loss``."""
        feats = self.network.features(image)
        s = style_loss([feats[n] for n in self.network.style_layers],
                       [Tensor(a) for a in self.style_targets], self.style_weights)
        total = s * self.beta
        parts = {"style_loss": float(s.data)}
        if self.content_targets is not None:
            c = None
            for name, target in zip(self.network.content_layers, self.content_targets):
                term = content_loss(feats[name], Tensor(target))
                c = term if c is None else c + term
            total = total + c * self.alpha
            parts["content_loss"] = float(c.data)
        if self.tv_weight:
            tv = total_variation_loss(image)
            total = total + tv * self.tv_weight
            parts["tv_loss"] = float(tv.data)
        parts["loss"] = float(total.data)
        self.evaluations += 1
        return total, parts

    def value_and_grad(self, pixels: numpy.ndarray):
        """``(loss, d loss / d pixels, parts)`` for an image array of shape (1, H, W, C)."""
        image = Tensor(pixels.astype("float32", copy=False), requires_grad=True)
        total, parts = self.loss(image)
        total.backward()
        return parts["loss"], image.grad, parts


def _record(history, parts, start):
    for key in _PARTS:
        if key in parts:
            history.setdefault(key, []).append(parts[key])
    history.setdefault("seconds", []).append(time.perf_counter() - start)


def _lbfgs(objective, x0, steps, callback):
    from scipy.optimize import minimize

    shape = x0.shape
    last = {}

    def fun(flat):
        loss, grad, parts = objective.value_and_grad(flat.reshape(shape))
        last["x"], last["parts"] = flat.copy(), parts
        return loss, grad.astype("float64").reshape(-1)

    def on_step(xk):
        parts = last["parts"]
        if not numpy.array_equal(xk, last["x"]):  # the accepted point was not the last tried
            with no_grad():
                _, parts = objective.loss(Tensor(xk.reshape(shape).astype("float32")))
        callback(xk.reshape(shape), parts)

    minimize(fun, x0.astype("float64").reshape(-1), jac=True, method="L-BFGS-B",
             bounds=[(0.0, 1.0)] * x0.size, callback=on_step,
             options={"maxiter": steps, "maxfun": 4 * steps, "ftol": 0.0, "gtol": 0.0})


def _adam(objective, x0, steps, callback, learning_rate):
    from lamina.optimizers import Adam

    image = Variable(x0.astype("float32"), name="image", constraint=lambda v: v.clip(0, 1))
    optimizer = Adam(learning_rate)
    for step in range(steps + 1):
        image.grad = None
        if step == steps:  # the loss of the final image: a forward pass only
            with no_grad():
                _, parts = objective.loss(image)
        else:
            total, parts = objective.loss(image)
        if step:
            callback(image.data, parts)  # the image after `step` steps, and its loss
        if step < steps:
            total.backward()
            optimizer.apply_gradients([(image.grad, image)])


def run(objective: Objective, x0, steps: int, optimizer: str = "lbfgs",
        learning_rate: float = 0.02, verbose: int = 1, callback=None):
    """Minimize ``objective`` over the pixels of ``x0`` ((H, W, C) in [0, 1]) for ``steps``
    iterations of ``optimizer`` (``"lbfgs"`` or ``"adam"``).

    ``verbose=1`` shows a progress bar with the losses of the current step. ``callback(step,
    image, parts)``, if given, runs after every step.

    Returns ``(image, history)``: the image (H, W, C) float32 in [0, 1] and a dict of lists
    ``loss``, ``style_loss`` (and ``content_loss``, ``tv_loss`` when used) and ``seconds``
    since the start, entry ``k`` for the image after ``k`` steps: entry 0 is the starting
    image, so ``steps + 1`` entries. L-BFGS may stop early when its line search cannot
    improve the loss any more; the history then is shorter.
    """
    from lamina.callbacks.progbar import Progbar

    if isinstance(steps, bool) or not isinstance(steps, (int, numpy.integer)) or steps <= 0:
        raise ValueError(f"style: steps must be a positive int; received steps={steps!r}")
    if optimizer not in ("lbfgs", "adam"):
        raise ValueError(f"style: optimizer must be 'lbfgs' or 'adam'; received {optimizer!r}")
    x0 = numpy.asarray(x0, dtype="float32")[None]
    history: dict = {}
    bar = Progbar(int(steps), verbose=verbose, stateful_metrics=_PARTS)
    start = time.perf_counter()
    best = {"image": x0[0]}

    with no_grad():
        _record(history, objective.loss(Tensor(x0))[1], start)  # entry 0: the start

    def on_step(image, parts):
        _record(history, parts, start)
        best["image"] = numpy.asarray(image, dtype="float32")[0]
        step = len(history["loss"]) - 1
        bar.update(step, [(k, parts[k]) for k in _PARTS if k in parts])
        if callback is not None:
            callback(step, best["image"], parts)

    if optimizer == "lbfgs":
        _lbfgs(objective, x0, int(steps), on_step)
    else:
        _adam(objective, x0, int(steps), on_step, learning_rate)
    if len(history["loss"]) - 1 < steps:
        bar.update(len(history["loss"]) - 1, finalize=True)
    return numpy.clip(best["image"], 0.0, 1.0).astype("float32"), history
