"""``Model``: a layer that trains. ``Model(inputs, outputs)`` builds a functional model;
subclass it (layers as attributes, a ``call`` method) for free-form models."""

from __future__ import annotations

from lamina.layers.layer import Layer
from lamina.models.trainer import Trainer


class Model(Trainer, Layer):
    """Groups layers into an object with training and inference features.

    Three ways to make one, as in Keras:

    * ``Model(inputs, outputs)``, with symbolic tensors from ``Input`` (functional API);
    * :class:`~lamina.models.Sequential`, a plain stack of layers;
    * a subclass that creates its layers in ``__init__`` and uses them in ``call``.
    """

    _accepts_text = True  # strings reach the model's first layers (TextVectorization)

    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from lamina.models.functional import Functional

            return object.__new__(Functional)  # Python then runs Functional.__init__
        return object.__new__(cls)

    def __init__(self, *, name=None, trainable=True, dtype=None, **kwargs):
        super().__init__(name=name, trainable=trainable, dtype=dtype, **kwargs)
        self.history = None

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """Rebuild a model from ``get_config()``, as ``keras.Model.from_config``: a functional
        config gives a functional model; ``custom_objects`` maps class names the config uses
        to their classes."""
        from lamina.saving.registry import custom_object_scope

        with custom_object_scope(custom_objects or {}):
            if cls is Model and "layers" in config and "nodes" in config:
                from lamina.models.functional import Functional

                return Functional.from_config(config)
            return super().from_config(config)

    def _tracked_layers(self) -> list[Layer]:
        found: list[Layer] = []
        for value in vars(self).values():
            items = value if isinstance(value, (list, tuple)) else [value]
            for item in items:
                if isinstance(item, Layer) and item is not self and all(
                        item is not f for f in found):
                    found.append(item)
        return found

    @property
    def layers(self) -> list[Layer]:
        return self._tracked_layers()

    def get_layer(self, name=None, index=None) -> Layer:
        """A layer by ``name`` or by ``index`` in ``layers``."""
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(f"get_layer: index={index} is out of range; the model has "
                                 f"{len(layers)} layers")
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name!r}. Existing layers are: "
                         f"{[layer.name for layer in layers]}")

    def summary(self, line_length=None, print_fn=None, expand_nested=False, show_trainable=False):
        """Print the layers, their output shapes and parameter counts, as Keras does."""
        from lamina.models.summary import print_summary

        print_summary(self, line_length=line_length, print_fn=print_fn,
                      show_trainable=show_trainable)

    # Saving lives in lamina.saving; these are the Keras method names.
    def save(self, filepath, overwrite=True, **kwargs):
        """Save architecture, weights and optimizer state (``.lamina`` zip, or ``.h5``)."""
        from lamina.saving import api

        api.save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath, overwrite=True):
        """Save the weights only (``.weights.npz`` or ``.weights.h5``)."""
        from lamina.saving import api

        api.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch=False):
        """Load weights saved by ``save_weights`` (or a Keras ``.h5`` of the same model)."""
        from lamina.saving import api

        api.load_weights(self, filepath, skip_mismatch=skip_mismatch)

    def export(self, filepath, format="onnx", verbose=None, input_signature=None,  # noqa: A002
               **kwargs):
        """Write the model for inference elsewhere: ``format='onnx'`` (``lamina.export``)."""
        from lamina.export import export_model

        export_model(self, filepath, format=format, verbose=verbose,
                     input_signature=input_signature, **kwargs)
