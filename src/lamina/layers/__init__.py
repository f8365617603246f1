"""Keras-compatible layers. Each layer builds its weights in ``build`` and computes with
engine ops in ``call``; none holds gradient code."""

from lamina.layers.activation import Activation
from lamina.layers.activations import ELU, LeakyReLU, ReLU, Softmax
from lamina.layers.conv import (
    Conv1D,
    Conv2D,
    Conv2DTranspose,
    Convolution1D,
    Convolution2D,
    Convolution2DTranspose,
)
from lamina.layers.dense import Dense
from lamina.layers.depthwise_conv import DepthwiseConv2D, SeparableConv2D
from lamina.layers.embedding import Embedding
from lamina.layers.flatten import Flatten
from lamina.layers.input_layer import Input, InputLayer
from lamina.layers.lambda_layer import Lambda
from lamina.layers.layer import InputSpec, Layer
from lamina.layers.lp_pooling import L2Pooling2D, LPPooling2D
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
from lamina.layers.pooling import (
    AveragePooling1D,
    AveragePooling2D,
    AvgPool1D,
    AvgPool2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAvgPool1D,
    GlobalAvgPool2D,
    GlobalMaxPool1D,
    GlobalMaxPool2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    MaxPool1D,
    MaxPool2D,
    MaxPooling1D,
    MaxPooling2D,
)
from lamina.layers.prelu import PReLU
from lamina.layers.preprocessing import (
    Normalization,
    RandomContrast,
    RandomErasing,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Rescaling,
    Resizing,
)
from lamina.layers.regularization import Dropout, GaussianNoise, SpatialDropout2D
from lamina.layers.reshaping import (
    Cropping2D,
    DepthToSpace,
    Permute,
    Reshape,
    SpaceToDepth,
    UpSampling1D,
    UpSampling2D,
    ZeroPadding2D,
)
from lamina.layers.serialization import deserialize, serialize
from lamina.layers.text_vectorization import TextVectorization

__all__ = [
    "AveragePooling1D", "AveragePooling2D", "AvgPool1D", "AvgPool2D", "Conv1D", "Conv2D",
    "Conv2DTranspose", "Convolution1D", "Convolution2D", "Convolution2DTranspose", "Cropping2D",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAvgPool1D", "GlobalAvgPool2D",
    "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
    "MaxPool1D", "MaxPool2D", "MaxPooling1D", "MaxPooling2D", "Reshape", "UpSampling2D",
    "ZeroPadding2D", "L2Pooling2D", "LPPooling2D", "DepthToSpace", "SpaceToDepth",
    "TextVectorization",
    "DepthwiseConv2D", "SeparableConv2D", "Lambda", "PReLU", "Permute", "UpSampling1D",
    "Normalization", "RandomContrast", "RandomErasing", "RandomFlip", "RandomRotation",
    "RandomTranslation", "RandomZoom", "Rescaling", "Resizing",
    "ELU", "Activation", "Add", "Average", "BatchNormalization", "Concatenate", "Dense",
    "Dropout", "Embedding", "Flatten", "GaussianNoise", "Input", "InputLayer", "InputSpec",
    "Layer", "LayerNormalization", "LeakyReLU", "Maximum", "Minimum", "Multiply", "ReLU",
    "Softmax", "SpatialDropout2D", "Subtract", "add", "average", "concatenate", "deserialize",
    "maximum", "minimum", "multiply", "serialize", "subtract",
]
