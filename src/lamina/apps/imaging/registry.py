"""The trained image-to-image networks that ship with lamina, one per task.

:data:`TASKS` says, per task, what the network takes and gives and how it was trained;
:func:`load_model` builds the network (:mod:`.networks`) and loads its shipped weights from
``weights/TASK.weights.npz`` inside this package (or from a file that
``lamina image train TASK --out FILE`` wrote). The architecture lives in code, the file
holds only numbers, so a weights file cannot run code.

Example:
    >>> from lamina.apps.imaging import registry
    >>> model = registry.load_model("denoise")          # doctest: +SKIP
    >>> model.predict(noisy_batch).shape                # (N, H, W, 1) in, the same out
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lamina.apps.imaging import networks

__all__ = ["Task", "TASKS", "WEIGHTS_DIR", "weights_path", "build", "load_model"]

WEIGHTS_DIR = Path(__file__).with_name("weights")


@dataclass(frozen=True)
class Task:
    """One task: its network builder and arguments, and what goes in and out."""

    name: str
    summary: str
    builder: str
    kwargs: tuple = ()
    #: channels in and out (the imaging functions run a 1-channel network per RGB channel)
    in_channels: int = 1
    out_channels: int = 1
    #: output size / input size
    scale: int = 1
    #: H and W of the input must be multiples of this
    multiple: int = 1


TASKS = {
    "denoise": Task("denoise", "blind Gaussian denoising (sigma 5-55/255), gray, DnCNN",
                    "denoiser"),
    "upscale": Task("upscale", "super-resolution x2 of bicubic-shrunk gray images, ESPCN",
                    "super_resolver", scale=2),
    "colorize": Task("colorize", "BT.601 luma -> RGB of that luma, U-Net encoder-decoder",
                     "colorizer", out_channels=3, multiple=4),
    "inpaint": Task("inpaint", "fill the pixels where the mask is 1; input (image with the "
                    "hole filled biharmonically, mask), gray, U-Net encoder-decoder that "
                    "corrects the fill", "inpainter",
                    in_channels=2, multiple=8),
}


def _task(task: str) -> Task:
    if task not in TASKS:
        raise ValueError(f"unknown imaging task {task!r}; the tasks are {', '.join(TASKS)}")
    return TASKS[task]


def weights_path(task: str) -> Path:
    """Where the shipped weights of ``task`` are."""
    return WEIGHTS_DIR / f"{_task(task).name}.weights.npz"


def build(task: str):
    """The untrained network of ``task`` (a lamina functional ``Model``)."""
    spec = _task(task)
    return getattr(networks, spec.builder)(**dict(spec.kwargs))


def load_model(task: str, weights=None):
    """The trained network of ``task``: :func:`build` plus its weights.

    Args:
        task: ``'denoise'``, ``'upscale'``, ``'colorize'`` or ``'inpaint'``.
        weights: a ``.weights.npz`` file of the same network (default: the shipped one).
    Raises:
        FileNotFoundError: the weights file is missing, with how to make it.
    """
    path = Path(weights) if weights is not None else weights_path(task)
    if not path.is_file():
        raise FileNotFoundError(f"no weights for the imaging task {task!r} at {path}; train "
                                f"them with `lamina image train {task}`")
    model = build(task)
    model.load_weights(path)
    return model
