"""Feature scaling fitted on the training data only (scikit-learn's scalers).

Fit the scaler on ``x_train`` and apply the same transform to the validation and
test data: statistics taken from the test set would leak it into training.
Learned state lives in attributes ending in ``_``; features are the last axis.

Example:
    >>> scaler = StandardScaler()
    >>> x_train = scaler.fit_transform(x_train)
    >>> x_test = scaler.transform(x_test)      # the training mean and std
"""

from __future__ import annotations

import numpy

from lamina.backend import floatx

__all__ = ["MinMaxScaler", "NotFittedError", "StandardScaler"]


class NotFittedError(ValueError, AttributeError):
    """A scaler was used before ``fit`` (scikit-learn's exception of the same name)."""


class _Scaler:
    """Shared plumbing: argument checks, dtype handling and (de)serialization."""

    _state: tuple = ()  # names of the learned attributes

    def _check(self, x, method: str, fitting: bool = False):
        x = numpy.asarray(x)
        name = type(self).__name__
        if x.dtype.kind not in "fiub":
            raise TypeError(f"{name}.{method}: x must be numeric; received dtype {x.dtype}")
        if x.ndim < 2:
            raise ValueError(f"{name}.{method}: expected an array of shape (n_samples, "
                             f"n_features); received shape {x.shape}. Reshape with "
                             "x.reshape(-1, 1) for one feature or x.reshape(1, -1) for one "
                             "sample")
        if x.dtype.kind != "f":
            x = x.astype(floatx())
        if fitting:
            if x.size == 0:
                raise ValueError(f"{name}.fit: x has no samples; received shape {x.shape}")
            return x
        if not hasattr(self, "n_features_in_"):
            raise NotFittedError(f"This {name} instance is not fitted yet; call 'fit' with "
                                 f"the training data before '{method}'")
        if x.shape[-1] != self.n_features_in_:
            raise ValueError(f"{name}.{method}: x has {x.shape[-1]} features, but {name} is "
                             f"expecting {self.n_features_in_} features as input")
        return x

    @staticmethod
    def _rows(x):
        """``x`` as ``(samples, features)``: every axis but the last holds samples."""
        return x.reshape(-1, x.shape[-1])

    def fit_transform(self, x, y=None):
        """``fit(x)`` then ``transform(x)``; ``y`` is ignored."""
        return self.fit(x, y).transform(x)

    def _params(self) -> dict:
        raise NotImplementedError

    def get_params(self, deep=True) -> dict:
        """The constructor arguments (scikit-learn's ``get_params``)."""
        return self._params()

    def get_config(self) -> dict:
        """JSON-able dict: the constructor arguments, plus the learned state once fitted."""
        config = self._params()
        if hasattr(self, "n_features_in_"):
            config["fitted"] = {k: (getattr(self, k).tolist() if hasattr(getattr(self, k),
                                "tolist") else getattr(self, k)) for k in self._state}
        return config

    @classmethod
    def from_config(cls, config: dict):
        """Rebuild a scaler (fitted if the config holds learned state)."""
        config = dict(config)
        fitted = config.pop("fitted", None)
        scaler = cls(**config)
        for key, value in (fitted or {}).items():
            setattr(scaler, key, numpy.asarray(value, dtype=numpy.float64)
                    if isinstance(value, list) else value)
        return scaler

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._params().items())
        return f"{type(self).__name__}({args})"


class StandardScaler(_Scaler):
    """Standardize features: ``(x - mean_) / scale_``, zero mean and unit variance.

    Helps gradient descent: features on one scale give a better-conditioned loss, so
    one learning rate suits every weight.

    Args:
        with_mean: subtract the mean. with_std: divide by the (population) std.

    Learned: ``mean_``, ``var_``, ``scale_`` (std, with 1 for constant features),
    ``n_features_in_``, ``n_samples_seen_``. NaNs are ignored by ``fit``, kept by
    ``transform``.
    """

    _state = ("mean_", "var_", "scale_", "n_features_in_", "n_samples_seen_")

    def __init__(self, with_mean=True, with_std=True):
        self.with_mean, self.with_std = with_mean, with_std

    def _params(self):
        return {"with_mean": bool(self.with_mean), "with_std": bool(self.with_std)}

    def fit(self, x, y=None):
        """Learn the per-feature mean and std of ``x`` ``(n_samples, n_features)``."""
        rows = self._rows(self._check(x, "fit", fitting=True))
        # accumulate in float64 (one pass at fit time); transform stays in x's dtype
        self.mean_ = numpy.nanmean(rows, axis=0, dtype=numpy.float64)
        self.var_ = numpy.nanvar(rows, axis=0, dtype=numpy.float64)
        std = numpy.sqrt(self.var_)
        self.scale_ = numpy.where(std < 10 * numpy.finfo(numpy.float64).eps, 1.0, std)
        self.n_features_in_ = int(rows.shape[1])
        self.n_samples_seen_ = int(rows.shape[0])
        return self

    def transform(self, x):
        """Standardize ``x`` with the training statistics; returns a new array."""
        x = self._check(x, "transform")
        if self.with_mean:
            x = x - self.mean_.astype(x.dtype)
        if self.with_std:
            x = x / self.scale_.astype(x.dtype)
        return x.copy() if not (self.with_mean or self.with_std) else x

    def inverse_transform(self, x):
        """Undo :meth:`transform`: ``x * scale_ + mean_``."""
        x = self._check(x, "inverse_transform")
        if self.with_std:
            x = x * self.scale_.astype(x.dtype)
        if self.with_mean:
            x = x + self.mean_.astype(x.dtype)
        return x.copy() if not (self.with_mean or self.with_std) else x


class MinMaxScaler(_Scaler):
    """Scale each feature linearly so the training min/max map to ``feature_range``.

    ``x * scale_ + min_`` where ``scale_ = (hi - lo) / (data_max_ - data_min_)``. Keeps
    zeros meaningful for bounded data such as pixels (e.g. ``(0, 1)``).

    Args:
        feature_range: ``(lo, hi)`` with ``lo < hi``.
        clip: clip transformed values into ``feature_range`` (new data outside the
            training range otherwise lands outside it).

    Learned: ``data_min_``, ``data_max_``, ``data_range_``, ``scale_``, ``min_``,
    ``n_features_in_``, ``n_samples_seen_``.
    """

    _state = ("data_min_", "data_max_", "data_range_", "scale_", "min_", "n_features_in_",
              "n_samples_seen_")

    def __init__(self, feature_range=(0, 1), clip=False):
        ok = isinstance(feature_range, (tuple, list)) and len(feature_range) == 2 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in feature_range)
        if not ok or not feature_range[0] < feature_range[1]:
            raise ValueError("MinMaxScaler: feature_range must be a pair (min, max) with "
                             f"min < max; received feature_range={feature_range!r}")
        self.feature_range, self.clip = tuple(feature_range), clip

    def _params(self):
        return {"feature_range": list(self.feature_range), "clip": bool(self.clip)}

    def fit(self, x, y=None):
        """Learn the per-feature min and max of ``x`` ``(n_samples, n_features)``."""
        rows = self._rows(self._check(x, "fit", fitting=True))
        lo, hi = self.feature_range
        self.data_min_ = numpy.nanmin(rows, axis=0).astype(numpy.float64)
        self.data_max_ = numpy.nanmax(rows, axis=0).astype(numpy.float64)
        self.data_range_ = self.data_max_ - self.data_min_
        safe = numpy.where(self.data_range_ < 10 * numpy.finfo(numpy.float64).eps, 1.0,
                           self.data_range_)
        self.scale_ = (hi - lo) / safe
        self.min_ = lo - self.data_min_ * self.scale_
        self.n_features_in_ = int(rows.shape[1])
        self.n_samples_seen_ = int(rows.shape[0])
        return self

    def transform(self, x):
        """Scale ``x`` with the training min/max; returns a new array."""
        x = self._check(x, "transform")
        out = x * self.scale_.astype(x.dtype) + self.min_.astype(x.dtype)
        if self.clip:
            numpy.clip(out, self.feature_range[0], self.feature_range[1], out=out)
        return out

    def inverse_transform(self, x):
        """Undo :meth:`transform`: ``(x - min_) / scale_``."""
        x = self._check(x, "inverse_transform")
        return (x - self.min_.astype(x.dtype)) / self.scale_.astype(x.dtype)
