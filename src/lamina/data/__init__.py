"""The data pipeline: batching, splitting, scaling, label encoding and augmentation.

Everything here is NumPy, and everything random takes a ``seed`` (an int or a
``numpy.random.Generator``) so a run can be repeated exactly.

Example:
    >>> from lamina.data import ImageAugmenter, StandardScaler, to_categorical, train_test_split
    >>> x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.2, stratify=y, seed=0)
    >>> model.fit(x_tr, to_categorical(y_tr), augment=ImageAugmenter(rotation_range=10, seed=0))
"""

from lamina.data.augmentation import ImageAugmenter, affine_transform
from lamina.data.batching import batches
from lamina.data.encoding import to_categorical
from lamina.data.scaling import MinMaxScaler, NotFittedError, StandardScaler
from lamina.data.sequence import ArraySequence, PyDataset, Sequence
from lamina.data.split import train_test_split, validation_split

__all__ = [
    "ArraySequence",
    "ImageAugmenter",
    "MinMaxScaler",
    "NotFittedError",
    "PyDataset",
    "Sequence",
    "StandardScaler",
    "affine_transform",
    "batches",
    "to_categorical",
    "train_test_split",
    "validation_split",
]
