"""``keras.utils`` on lamina: labels, seeds, datasets from folders and arrays, image files,
padding, downloads (offline-aware) and model plots.

Keras returns ``tf.data`` datasets from ``image_dataset_from_directory`` and
``timeseries_dataset_from_array``; lamina returns :class:`PyDataset` objects, which
``fit``, ``evaluate`` and ``predict`` take the same way.
"""

from lamina.backend import clear_session
from lamina.data.encoding import to_categorical as _to_categorical
from lamina.data.sequence import PyDataset, Sequence
from lamina.random import set_random_seed
from lamina.saving.registry import custom_object_scope
from lamina.utils.file_utils import get_file
from lamina.utils.image_dataset import image_dataset_from_directory
from lamina.utils.image_utils import array_to_img, img_to_array, load_img, save_img
from lamina.utils.numerical_utils import normalize
from lamina.utils.plot_model import plot_model
from lamina.utils.sequence_utils import pad_sequences
from lamina.utils.timeseries_dataset import timeseries_dataset_from_array

__all__ = ["PyDataset", "Sequence", "array_to_img", "clear_session", "custom_object_scope",
           "get_file", "image_dataset_from_directory", "img_to_array", "load_img", "normalize",
           "pad_sequences", "plot_model", "save_img", "set_random_seed",
           "timeseries_dataset_from_array", "to_categorical"]


def to_categorical(x, num_classes=None):
    """One-hot encode integer class labels ``x`` (float32), as ``keras.utils.to_categorical``.

    >>> to_categorical([0, 2], num_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.]], dtype=float32)
    """
    return _to_categorical(x, num_classes=num_classes)
