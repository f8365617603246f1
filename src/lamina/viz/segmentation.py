"""``plot_segmentation``: image | true labels | predicted labels, one row per example."""

from __future__ import annotations

import numpy

from lamina.viz._plt import finish, pyplot, to_numpy

__all__ = ["plot_segmentation"]


def plot_segmentation(images, truth, prediction, class_names=None, title=None, show=False):
    """Rows of image | truth | prediction, with one colour legend for the classes.

    Args:
        images: ``(n, h, w, 3)`` or ``(n, h, w)`` / ``(n, h, w, 1)`` in [0, 1].
        truth: labels ``(n, h, w)`` (class ids).
        prediction: class ids ``(n, h, w)``, or scores ``(n, h, w, classes)`` (their argmax).
        class_names: a name per class (default ``class 0``, ``class 1``...).
        title: the figure's title.
        show: call ``plt.show()``.

    Returns:
        the matplotlib Figure (3 columns, ``n`` rows); each row is titled with that
        image's pixel accuracy.
    """
    images, truth, prediction = to_numpy(images), to_numpy(truth), to_numpy(prediction)
    if prediction.ndim == truth.ndim + 1:
        prediction = prediction.argmax(axis=-1)
    if truth.shape != prediction.shape or len(images) != len(truth):
        raise ValueError(f"plot_segmentation: images {images.shape}, truth {truth.shape} and "
                         f"prediction {prediction.shape} must hold the same n images of "
                         "the same size")
    n = len(images)
    classes = int(max(truth.max(), prediction.max())) + 1
    if class_names is None:
        class_names = [f"class {c}" for c in range(classes)]
    classes = max(classes, len(class_names))
    plt = pyplot()
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    colours = plt.get_cmap("tab10")(numpy.arange(classes) % 10)
    cmap = ListedColormap(colours)
    fig, axes = plt.subplots(n, 3, figsize=(7.5, 2.3 * n + 0.8), squeeze=False,
                             layout="constrained")
    for i in range(n):
        img = images[i]
        if img.ndim == 3 and img.shape[-1] == 1:
            img = img[..., 0]
        axes[i, 0].imshow(img, cmap="gray" if img.ndim == 2 else None, vmin=0, vmax=1,
                          interpolation="nearest")
        axes[i, 1].imshow(truth[i], cmap=cmap, vmin=-0.5, vmax=classes - 0.5,
                          interpolation="nearest")
        axes[i, 2].imshow(prediction[i], cmap=cmap, vmin=-0.5, vmax=classes - 0.5,
                          interpolation="nearest")
        accuracy = float((truth[i] == prediction[i]).mean())
        axes[i, 2].set_title(f"prediction ({accuracy:.1%} of pixels right)", fontsize=9)
        axes[i, 0].set_title("image", fontsize=9)
        axes[i, 1].set_title("truth", fontsize=9)
        for ax in axes[i]:
            ax.set_xticks([])
            ax.set_yticks([])
    fig.legend(handles=[Patch(color=colours[c], label=class_names[c]) for c in range(classes)],
               loc="outside lower center", ncol=min(classes, 5), fontsize=10)
    if title:
        fig.suptitle(title, fontsize=11)
    return finish(fig, show)
