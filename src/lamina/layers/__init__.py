"""Keras-compatible layers. Each layer builds its weights in ``build`` and computes with
engine ops in ``call``; none holds gradient code."""

from lamina.layers.activation import Activation
from lamina.layers.activations import ELU, LeakyReLU, ReLU, Softmax
from lamina.layers.dense import Dense
from lamina.layers.embedding import Embedding
from lamina.layers.flatten import Flatten
from lamina.layers.input_layer import Input, InputLayer
from lamina.layers.layer import InputSpec, Layer
from lamina.layers.merging import (
    Add,
    Average,
    Concatenate,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    maximum,
    minimum,
    multiply,
    subtract,
)
from lamina.layers.normalization import BatchNormalization, LayerNormalization
from lamina.layers.regularization import Dropout, GaussianNoise, SpatialDropout2D
from lamina.layers.serialization import deserialize, serialize

__all__ = [
    "ELU", "Activation", "Add", "Average", "BatchNormalization", "Concatenate", "Dense",
    "Dropout", "Embedding", "Flatten", "GaussianNoise", "Input", "InputLayer", "InputSpec",
    "Layer", "LayerNormalization", "LeakyReLU", "Maximum", "Minimum", "Multiply", "ReLU",
    "Softmax", "SpatialDropout2D", "Subtract", "add", "average", "concatenate", "deserialize",
    "maximum", "minimum", "multiply", "serialize", "subtract",
]
