"""``keras.preprocessing`` on lamina: ``image`` (files as arrays, ImageDataGenerator),
``sequence`` (pad_sequences) and the dataset makers of ``lamina.utils``."""

from lamina.preprocessing import image, sequence
from lamina.utils.image_dataset import image_dataset_from_directory
from lamina.utils.timeseries_dataset import timeseries_dataset_from_array

__all__ = ["image", "image_dataset_from_directory", "sequence", "timeseries_dataset_from_array"]
