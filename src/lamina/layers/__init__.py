"""Keras-compatible layers. Each layer builds its weights in ``build`` and computes with
engine ops in ``call``; none holds gradient code."""

from lamina.layers.activation import Activation
from lamina.layers.dense import Dense
from lamina.layers.flatten import Flatten
from lamina.layers.input_layer import Input, InputLayer
from lamina.layers.layer import InputSpec, Layer
from lamina.layers.serialization import deserialize, serialize

__all__ = ["Activation", "Dense", "Flatten", "Input", "InputLayer", "InputSpec", "Layer",
           "deserialize", "serialize"]
