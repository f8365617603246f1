"""``image_dataset_from_directory``: a folder of class folders of images as a dataset.

``main_directory/class_a/*.jpg``, ``main_directory/class_b/*.png``... become batches of
``(images, labels)``: images float32 ``(batch, height, width, channels)`` in [0, 255],
labels by ``label_mode``. Keras returns a ``tf.data.Dataset``; lamina returns an
:class:`ImageDirectoryDataset`, a :class:`~lamina.utils.PyDataset` that ``fit``,
``evaluate`` and ``predict`` take and that reads its images batch by batch.
"""

from __future__ import annotations

import os

import numpy

from lamina._checks import is_int
from lamina.data.sequence import PyDataset
from lamina.random import make_rng
from lamina.utils import image_utils

__all__ = ["ImageDirectoryDataset", "image_dataset_from_directory"]

EXTENSIONS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
LABEL_MODES = ("int", "categorical", "binary", None)
CHANNELS = {"grayscale": 1, "rgb": 3, "rgba": 4}


def _files(directory, class_names, follow_links):
    """(paths, labels, class names) from the class subfolders, sorted as Keras sorts them."""
    found = sorted(d for d in os.listdir(directory)
                   if os.path.isdir(os.path.join(directory, d)))
    if class_names is not None:
        missing = sorted(set(class_names) - set(found))
        if missing or sorted(class_names) != sorted(found):
            raise ValueError(f"image_dataset_from_directory: class_names must match the "
                             f"subdirectories of {directory!r} ({found}); received "
                             f"class_names={list(class_names)!r}")
        found = list(class_names)
    paths, labels = [], []
    for label, name in enumerate(found):
        for root, _, names in sorted(os.walk(os.path.join(directory, name),
                                             followlinks=follow_links)):
            for file in sorted(names):
                if file.lower().endswith(EXTENSIONS):
                    paths.append(os.path.join(root, file))
                    labels.append(label)
    return paths, labels, found


class ImageDirectoryDataset(PyDataset):
    """Batches of images read from ``file_paths`` with their labels; reshuffled every epoch
    when ``shuffle`` (from ``seed``). ``class_names`` and ``file_paths`` as in Keras."""

    def __init__(self, file_paths, labels, class_names, label_mode, color_mode, batch_size,
                 image_size, shuffle, seed, interpolation, crop_to_aspect_ratio,
                 pad_to_aspect_ratio):
        super().__init__()
        self.file_paths, self.class_names = list(file_paths), class_names
        self.labels = None if labels is None else numpy.asarray(labels)
        self.label_mode, self.color_mode = label_mode, color_mode
        self.batch_size, self.image_size = batch_size, tuple(int(n) for n in image_size)
        self.shuffle, self.seed, self.epoch = shuffle, seed, 0
        self.interpolation = interpolation
        self.crop, self.pad = crop_to_aspect_ratio, pad_to_aspect_ratio
        self._order = self._make_order()

    def _make_order(self):
        n = len(self.file_paths)
        if not self.shuffle:
            return numpy.arange(n)
        return numpy.random.default_rng([self.seed, self.epoch]).permutation(n)

    def __len__(self) -> int:
        if self.batch_size is None:
            return len(self.file_paths)
        return -(-len(self.file_paths) // self.batch_size)

    def _image(self, path):
        height, width = self.image_size
        img = image_utils.load_img(path, self.color_mode, interpolation=self.interpolation,
                                   target_size=None)
        if self.crop:
            img = img.crop(image_utils._centre_crop(img.width, img.height, width, height))
        elif self.pad:
            side_w = max(img.width, round(img.height * width / height))
            side_h = max(img.height, round(img.width * height / width))
            canvas = image_utils.pil_image().new(img.mode, (side_w, side_h))
            canvas.paste(img, ((side_w - img.width) // 2, (side_h - img.height) // 2))
            img = canvas
        if img.size != (width, height):
            img = img.resize((width, height), image_utils._resample(self.interpolation,
                                                                    "image_dataset"))
        return image_utils.img_to_array(img)

    def _labels(self, rows):
        y = self.labels[rows]
        if self.label_mode == "categorical":
            return numpy.eye(len(self.class_names), dtype="float32")[y]
        if self.label_mode == "binary":
            return y.astype("float32")[:, None]
        return y.astype("int32")

    def __getitem__(self, index):
        if not is_int(index) or not -len(self) <= index < len(self):
            raise IndexError(f"ImageDirectoryDataset: batch index {index!r} out of range for "
                             f"{len(self)} batches")
        index %= len(self)
        size = self.batch_size or 1
        rows = self._order[index * size:(index + 1) * size]
        x = numpy.stack([self._image(self.file_paths[i]) for i in rows])
        if self.batch_size is None:
            x, rows = x[0], rows[0:1]
        if self.labels is None or self.label_mode is None:
            return x
        y = self._labels(rows)
        return (x, y) if self.batch_size is not None else (x, y[0])

    def on_epoch_end(self) -> None:
        self.epoch += 1
        self._order = self._make_order()


def image_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, color_mode="rgb", batch_size=32,
                                 image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False,
                                 pad_to_aspect_ratio=False, data_format=None, format="tf",
                                 verbose=True):
    """Keras's ``image_dataset_from_directory``; returns :class:`ImageDirectoryDataset`
    (two of them for ``subset='both'``). ``format`` ('tf' or 'grain') chooses the kind of
    dataset in Keras; lamina has one kind and returns it for both."""
    where = "image_dataset_from_directory"
    if label_mode not in LABEL_MODES:
        raise ValueError(f"{where}: label_mode must be one of {LABEL_MODES}; received "
                         f"label_mode={label_mode!r}")
    if color_mode not in CHANNELS:
        raise ValueError(f"{where}: color_mode must be one of {tuple(CHANNELS)}; received "
                         f"color_mode={color_mode!r}")
    if data_format not in (None, "channels_last"):
        raise ValueError(f"{where}: lamina's images are channels_last; received "
                         f"data_format={data_format!r}")
    if format not in ("tf", "grain"):
        raise ValueError(f"{where}: format must be 'tf' or 'grain'; received format={format!r}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(f"{where}: give crop_to_aspect_ratio or pad_to_aspect_ratio, not both")
    if batch_size is not None and (not is_int(batch_size) or batch_size < 1):
        raise ValueError(f"{where}: batch_size must be a positive int or None; received "
                         f"batch_size={batch_size!r}")
    if not os.path.isdir(directory):
        raise ValueError(f"{where}: directory {directory!r} is not a folder")
    paths, inferred, found = _files(directory, class_names, follow_links)
    if labels == "inferred":
        label_list = inferred
    elif labels is None:
        label_list, label_mode = None, None
    else:
        label_list = list(labels)
        paths = sorted(os.path.join(r, f) for r, _, fs in os.walk(directory, followlinks=
                                                                  follow_links)
                       for f in fs if f.lower().endswith(EXTENSIONS))
        if len(label_list) != len(paths):
            raise ValueError(f"{where}: labels has {len(label_list)} entries but the directory "
                             f"holds {len(paths)} images")
        found = [str(c) for c in sorted(set(label_list))] if class_names is None else \
            list(class_names)
    if label_mode == "binary" and len(found) != 2:
        raise ValueError(f"{where}: label_mode='binary' needs exactly 2 classes; found "
                         f"{len(found)}: {found}")
    if verbose:
        print(f"Found {len(paths)} files belonging to {len(found)} classes.")
    seed = int(make_rng(seed).integers(2**31)) if seed is None else int(seed)
    order = numpy.arange(len(paths))
    if validation_split:
        if subset not in ("training", "validation", "both"):
            raise ValueError(f"{where}: with validation_split, subset must be 'training', "
                             f"'validation' or 'both'; received subset={subset!r}")
        order = numpy.random.default_rng(seed).permutation(len(paths))  # as Keras: shuffle once
    elif subset is not None:
        raise ValueError(f"{where}: subset={subset!r} needs validation_split")

    def make(rows, shuffle_rows):
        return ImageDirectoryDataset(
            [paths[i] for i in rows], None if label_list is None else
            [label_list[i] for i in rows], found, label_mode, color_mode, batch_size,
            image_size, shuffle_rows, seed, interpolation, crop_to_aspect_ratio,
            pad_to_aspect_ratio)

    if not validation_split:
        return make(order, shuffle)
    cut = len(paths) - int(validation_split * len(paths))
    if subset == "training":
        return make(order[:cut], shuffle)
    if subset == "validation":
        return make(order[cut:], False)
    return make(order[:cut], shuffle), make(order[cut:], False)
