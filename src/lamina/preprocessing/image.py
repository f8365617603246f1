"""``keras.preprocessing.image``: image files as arrays, and Keras 2's ImageDataGenerator."""

from lamina.preprocessing.image_data_generator import ImageDataGenerator, NumpyArrayIterator
from lamina.utils.image_utils import array_to_img, img_to_array, load_img, save_img, smart_resize

__all__ = ["ImageDataGenerator", "NumpyArrayIterator", "array_to_img", "img_to_array",
           "load_img", "save_img", "smart_resize"]
