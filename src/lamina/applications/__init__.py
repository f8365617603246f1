"""Ready-made architectures with Keras's names and arguments (``keras.applications``).

Each builder returns a functional :class:`~lamina.models.Model`; its docstring says which
variant of the published network it is and its parameter count::

    >>> from lamina.applications import ResNet50
    >>> ResNet50().count_params()                                 # doctest: +SKIP
    25636712

Keras's arguments: ``include_top``, ``weights`` (None, or the path of a Keras ``.h5``
weights file of the same architecture; lamina downloads nothing), ``input_tensor``,
``input_shape``, ``pooling``, ``classes``, ``classifier_activation``. lamina adds small
variants: ``alpha`` (width multiplier) and, where it matters, ``stem='cifar'`` or
``blocks`` for 28x28 and 32x32 images, so the same families train on Fashion-MNIST in
minutes.
"""

from lamina.applications import cost
from lamina.applications.inception import InceptionV1
from lamina.applications.lenet import AlexNet, LeNet5
from lamina.applications.resnet import ResNet18, ResNet50
from lamina.applications.unet import UNet
from lamina.applications.vgg import VGG16, VGG19
from lamina.applications.weights import load_keras_weights

__all__ = ["AlexNet", "InceptionV1", "LeNet5", "ResNet18", "ResNet50", "UNet", "VGG16", "VGG19",
           "cost", "load_keras_weights"]
