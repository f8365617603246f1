"""Every differentiable op of lamina, one concept per module.

* ``arithmetic``: add, sub, mul, div, neg, power, matmul, cast
* ``linear``: x @ kernel + bias, fused (the Dense layer); linear_relu, linear_sigmoid
* ``elementwise``: exp, expm1, log, log1p, sqrt, abs, clip, maximum, minimum, where
* ``trigonometric``: sin, cos, arcsin, arctan, arctan2
* ``cumulative``: cumsum
* ``einsum``: einsum (sums of products named by subscripts)
* ``reduction``: sum, mean, max, min, var, prod
* ``shape``: reshape, transpose, getitem, concatenate, stack, pad
* ``activation``: identity, heaviside, sigmoid, tanh, relu, leaky_relu, elu, softplus,
  softmax, log_softmax
* ``loss``: mse, mae, huber, binary / categorical / sparse categorical cross-entropy
* ``conv``: conv2d, conv2d_relu, conv2d_transpose(_relu), conv1d (im2col + one product;
  reference code in ``_conv_reference``, fast paths chosen in ``plans``)
* ``conv_inference``: conv2d_batch_norm (conv2d, batch norm's moving statistics, a residual
  and ReLU as one inference op; ``lamina.models.inference_graph`` runs it in ``predict``)
* ``pooling``: max_pool2d, avg_pool2d, global average / max pooling
* ``resize``: upsampling_nearest2d, zero_padding2d, cropping2d, depth_to_space,
  space_to_depth
* ``depthwise_conv``: depthwise_conv2d (loop over kernel offsets)
* ``affine_transform``: affine warps of images (rotation, zoom, translation)
* ``dropout``: inverted, seeded dropout
* ``normalization``: batch_norm, layer_norm
* ``batch_norm_relu``: batch norm then ReLU as one op (a functional model trains its
  ``BatchNormalization -> ReLU`` pairs with it, ``lamina.models.training_graph``)
"""

from lamina.autograd.ops.activation import *  # noqa: F403
from lamina.autograd.ops.affine_transform import *  # noqa: F403
from lamina.autograd.ops.arithmetic import *  # noqa: F403
from lamina.autograd.ops.batch_norm_relu import *  # noqa: F403
from lamina.autograd.ops.conv import *  # noqa: F403
from lamina.autograd.ops.conv_inference import *  # noqa: F403
from lamina.autograd.ops.cumulative import *  # noqa: F403
from lamina.autograd.ops.depthwise_conv import *  # noqa: F403
from lamina.autograd.ops.dropout import *  # noqa: F403
from lamina.autograd.ops.einsum import *  # noqa: F403
from lamina.autograd.ops.elementwise import *  # noqa: F403
from lamina.autograd.ops.linear import *  # noqa: F403
from lamina.autograd.ops.loss import *  # noqa: F403
from lamina.autograd.ops.normalization import *  # noqa: F403
from lamina.autograd.ops.pooling import *  # noqa: F403
from lamina.autograd.ops.reduction import *  # noqa: F403
from lamina.autograd.ops.resize import *  # noqa: F403
from lamina.autograd.ops.shape import *  # noqa: F403
from lamina.autograd.ops.trigonometric import *  # noqa: F403
