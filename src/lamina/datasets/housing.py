"""Housing prices, the lectures' first regression: (bedrooms, size, age) -> price.

A documented synthetic generator rather than scikit-learn's diabetes set, because:

* it has exactly the lecture's inputs and output (diabetes has ten standardised
  medical measurements predicting disease progression: nothing to do with houses);
* the true rule is known (:data:`INTERCEPT`, :data:`COEFFICIENTS`), so a learner can
  compare what a model learned with the truth, and see the noise floor
  (the best reachable mean squared error is ``noise**2``);
* it needs no scikit-learn and no download, and any ``n`` can be drawn, with a seed.
  (scikit-learn's California housing, the realistic alternative, must be downloaded.)

The generator, one house at a time::

    bedrooms ~ 1..5 with probabilities 0.10, 0.30, 0.35, 0.18, 0.07
    size     = 20 + 25 * bedrooms + Normal(0, 15)   square metres, at least 20
    age      ~ Uniform(0, 80)                        years
    price    = 40 + 12 * bedrooms + 2.5 * size - 0.6 * age + Normal(0, noise)
                                                     thousands (of euros, say)

Size grows with the number of bedrooms, as in real data, so the two inputs are
correlated. Standardise the inputs before training (their scales differ a lot).

Example:
    >>> from lamina.datasets import housing
    >>> x, y = housing.load_data(n=500, seed=0)
    >>> x.shape, y.shape
    ((500, 3), (500,))
"""

from __future__ import annotations

import numpy

from lamina.backend import floatx
from lamina.random import make_rng

__all__ = ["COEFFICIENTS", "FEATURE_NAMES", "INTERCEPT", "load_data"]

#: Column j of ``x`` is ``FEATURE_NAMES[j]``.
FEATURE_NAMES = ("bedrooms", "size", "age")
#: The true price rule: ``price = INTERCEPT + x @ COEFFICIENTS + noise`` (thousands).
INTERCEPT = 40.0
COEFFICIENTS = (12.0, 2.5, -0.6)

_BEDROOM_P = (0.10, 0.30, 0.35, 0.18, 0.07)


def load_data(n: int = 1000, seed=None, noise: float = 15.0):
    """Draw ``n`` houses and their prices from the generator in the module docstring.

    Args:
        n: number of houses (a positive int).
        seed: int or ``numpy.random.Generator``; the same seed gives the same houses.
        noise: standard deviation of the price noise, in thousands (0 for the exact rule).

    Returns:
        ``(x, y)``: ``x`` ``(n, 3)`` with columns bedrooms, size (m²), age (years); ``y`` the
        prices ``(n,)`` in thousands. Both in lamina's floatx (float32 by default).
    """
    if not isinstance(n, (int, numpy.integer)) or isinstance(n, bool) or n < 1:
        raise ValueError(f"housing.load_data: n must be a positive int; received n={n!r}")
    if not noise >= 0:
        raise ValueError(f"housing.load_data: noise must be >= 0; received noise={noise!r}")
    rng = make_rng(seed)
    bedrooms = rng.choice(numpy.arange(1, 6), size=n, p=_BEDROOM_P).astype(float)
    size = numpy.maximum(20.0 + 25.0 * bedrooms + rng.normal(0.0, 15.0, n), 20.0)
    age = rng.uniform(0.0, 80.0, n)
    x = numpy.stack([bedrooms, size, age], axis=1)
    price = INTERCEPT + x @ numpy.asarray(COEFFICIENTS) + rng.normal(0.0, 1.0, n) * noise
    return x.astype(floatx()), price.astype(floatx())
