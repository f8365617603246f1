"""Keras 2's ``ImageDataGenerator``: random image transforms and normalization, batch by
batch, through ``flow(x, y)``.

Keras 3 dropped it (its replacement is augmentation layers); many Keras 2 programs still
call it, so lamina keeps it, built on :class:`lamina.data.ImageAugmenter`. Each batch is
transformed (shifts, rotation, shear, zoom, flips, brightness, channel shift), then passed
through ``preprocessing_function``, ``rescale`` and the centring / scaling options, in
Keras's order. Every draw comes from ``seed``.
"""

from __future__ import annotations

import numpy

from lamina._checks import is_int
from lamina.data.augmentation import ImageAugmenter
from lamina.data.sequence import PyDataset
from lamina.random import make_rng

__all__ = ["ImageDataGenerator", "NumpyArrayIterator"]


class ImageDataGenerator:
    """Keras 2's arguments and meanings (``zca_whitening`` is not available in lamina and
    is refused; so is ``save_to_dir`` in ``flow``)."""

    def __init__(self, featurewise_center=False, samplewise_center=False,
                 featurewise_std_normalization=False, samplewise_std_normalization=False,
                 zca_whitening=False, zca_epsilon=1e-06, rotation_range=0,
                 width_shift_range=0.0, height_shift_range=0.0, brightness_range=None,
                 shear_range=0.0, zoom_range=0.0, channel_shift_range=0.0, fill_mode="nearest",
                 cval=0.0, horizontal_flip=False, vertical_flip=False, rescale=None,
                 preprocessing_function=None, data_format=None, validation_split=0.0,
                 interpolation_order=1, dtype=None):
        if zca_whitening:
            raise ValueError("ImageDataGenerator: lamina has no zca_whitening; received "
                             "zca_whitening=True")
        if data_format not in (None, "channels_last"):
            raise ValueError(f"ImageDataGenerator: lamina's images are channels_last; received "
                             f"data_format={data_format!r}")
        if interpolation_order not in (0, 1):
            raise ValueError(f"ImageDataGenerator: interpolation_order must be 0 (nearest) or "
                             f"1 (bilinear); received interpolation_order={interpolation_order!r}")
        if brightness_range is not None and len(brightness_range) != 2:
            raise ValueError(f"ImageDataGenerator: brightness_range must be (low, high); "
                             f"received brightness_range={brightness_range!r}")
        if not 0.0 <= validation_split < 1.0:
            raise ValueError(f"ImageDataGenerator: validation_split must be in [0, 1); received "
                             f"validation_split={validation_split!r}")
        self.featurewise_center = featurewise_center
        self.samplewise_center = samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_epsilon = zca_epsilon
        self.brightness_range, self.channel_shift_range = brightness_range, channel_shift_range
        self.rescale, self.preprocessing_function = rescale, preprocessing_function
        self.validation_split, self.dtype = validation_split, dtype or "float32"
        self.geometry = dict(rotation_range=rotation_range, width_shift_range=width_shift_range,
                             height_shift_range=height_shift_range, shear_range=shear_range,
                             zoom_range=zoom_range, horizontal_flip=horizontal_flip,
                             vertical_flip=vertical_flip, fill_mode=fill_mode, cval=cval,
                             interpolation="nearest" if interpolation_order == 0 else "bilinear")
        ImageAugmenter(**self.geometry)  # checks the arguments now, with their names
        self.mean = self.std = None

    def fit(self, x, augment=False, rounds=1, seed=None):
        """Compute the per-channel mean and std of ``x`` for the featurewise options
        (with ``augment``, over ``rounds`` randomly transformed copies)."""
        x = numpy.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError(f"ImageDataGenerator.fit: x must be (samples, height, width, "
                             f"channels); received shape {x.shape}")
        if augment:
            rng = make_rng(seed)
            x = numpy.concatenate([self.random_transform_batch(x, rng) for _ in range(rounds)])
        self.mean = x.mean(axis=(0, 1, 2), keepdims=True)[0]
        self.std = x.std(axis=(0, 1, 2), keepdims=True)[0]

    def random_transform_batch(self, x, rng):
        """``x`` (a batch) with this generator's random transforms drawn from ``rng``."""
        out = ImageAugmenter(**self.geometry, seed=rng)(x) if self._moves() else x.copy()
        n = len(out)
        if self.brightness_range is not None:
            out = out * rng.uniform(*self.brightness_range, (n, 1, 1, 1)).astype(out.dtype)
        if self.channel_shift_range:
            shift = rng.uniform(-self.channel_shift_range, self.channel_shift_range, (n, 1, 1, 1))
            lo, hi = out.min(axis=(1, 2, 3), keepdims=True), out.max(axis=(1, 2, 3), keepdims=True)
            out = numpy.clip(out + shift.astype(out.dtype), lo, hi)
        return out

    def _moves(self):
        g = self.geometry
        return any(g[k] for k in ("rotation_range", "width_shift_range", "height_shift_range",
                                  "shear_range", "zoom_range", "horizontal_flip",
                                  "vertical_flip"))

    def standardize(self, x):
        """``preprocessing_function``, ``rescale``, then the centring and scaling options."""
        if self.preprocessing_function is not None:
            x = numpy.stack([self.preprocessing_function(img) for img in x])
        if self.rescale:
            x = x * self.rescale
        if self.samplewise_center:
            x = x - x.mean(axis=(1, 2, 3), keepdims=True)
        if self.samplewise_std_normalization:
            x = x / (x.std(axis=(1, 2, 3), keepdims=True) + 1e-6)
        for flag, stat in (("featurewise_center", self.mean),
                           ("featurewise_std_normalization", self.std)):
            if getattr(self, flag) and stat is None:
                raise ValueError(f"ImageDataGenerator: {flag}=True needs fit(x) first")
        if self.featurewise_center:
            x = x - self.mean
        if self.featurewise_std_normalization:
            x = x / (self.std + 1e-6)
        return x.astype(self.dtype, copy=False)

    def flow(self, x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None,
             save_to_dir=None, save_prefix="", save_format="png", ignore_class_split=False,
             subset=None):
        """Batches ``(x, y)`` (or ``x``) of transformed images, reshuffled every epoch."""
        if save_to_dir is not None:
            raise ValueError("ImageDataGenerator.flow: lamina does not write the batches to "
                             f"disk; received save_to_dir={save_to_dir!r}")
        x = numpy.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError(f"ImageDataGenerator.flow: x must be (samples, height, width, "
                             f"channels); received shape {x.shape}")
        rows = numpy.arange(len(x))
        if subset is not None:
            if subset not in ("training", "validation") or not self.validation_split:
                raise ValueError(f"ImageDataGenerator.flow: subset must be 'training' or "
                                 f"'validation' with a validation_split; received "
                                 f"subset={subset!r}")
            cut = int(len(x) * self.validation_split)
            rows = rows[cut:] if subset == "training" else rows[:cut]
        def take(a):
            return None if a is None else numpy.asarray(a)[rows]

        return NumpyArrayIterator(x[rows], take(y), self, batch_size, shuffle,
                                  take(sample_weight), seed)


class NumpyArrayIterator(PyDataset):
    """The batches of ``ImageDataGenerator.flow``: a PyDataset ``fit`` takes."""

    def __init__(self, x, y, generator, batch_size, shuffle, sample_weight, seed):
        super().__init__()
        if not is_int(batch_size) or batch_size < 1:
            raise ValueError(f"ImageDataGenerator.flow: batch_size must be a positive int; "
                             f"received batch_size={batch_size!r}")
        if y is not None and len(y) != len(x):
            raise ValueError(f"ImageDataGenerator.flow: x has {len(x)} samples but y has "
                             f"{len(y)}")
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self.generator, self.batch_size, self.shuffle = generator, batch_size, shuffle
        self.seed = int(make_rng(seed).integers(2**62))
        self.epoch = 0

    def __len__(self) -> int:
        return -(-len(self.x) // self.batch_size)

    def __getitem__(self, index):
        if not is_int(index) or not -len(self) <= index < len(self):
            raise IndexError(f"NumpyArrayIterator: batch index {index!r} out of range for "
                             f"{len(self)} batches")
        index %= len(self)
        order = (numpy.random.default_rng([self.seed, self.epoch]).permutation(len(self.x))
                 if self.shuffle else numpy.arange(len(self.x)))
        rows = order[index * self.batch_size:(index + 1) * self.batch_size]
        rng = numpy.random.default_rng([self.seed, self.epoch, index, 1])
        x = self.generator.standardize(self.generator.random_transform_batch(self.x[rows], rng))
        if self.y is None:
            return x
        if self.sample_weight is None:
            return x, self.y[rows]
        return x, self.y[rows], self.sample_weight[rows]

    def on_epoch_end(self) -> None:
        self.epoch += 1
