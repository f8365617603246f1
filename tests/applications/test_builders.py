"""The builders' Keras arguments, layer names and small variants (tiny inputs only)."""

import numpy as np
import pytest

from lamina import applications as A
from lamina.layers import Input
from lamina.random import set_random_seed


def test_resnet50_has_keras_layer_names_in_keras_order():
    names = [layer.name for layer in A.ResNet50(weights=None).layers]
    assert names[1:7] == ["conv1_pad", "conv1_conv", "conv1_bn", "conv1_relu", "pool1_pad",
                          "pool1_pool"]
    assert "conv2_block1_0_conv" in names and "conv4_block6_3_bn" in names
    assert names[-3:] == ["conv5_block3_out", "avg_pool", "predictions"]
    # Keras's ResNet50 has 53 convolutions and 53 batch norms
    assert sum(n.endswith("_conv") for n in names) == 53
    assert sum(n.endswith("_bn") for n in names) == 53


def test_vgg16_layer_names():
    names = [layer.name for layer in A.VGG16(include_top=False, input_shape=(32, 32, 3)).layers]
    assert names[1:4] == ["block1_conv1", "block1_conv2", "block1_pool"]
    assert names[-1] == "block5_pool" and len(names) == 19   # Keras's 19 layers


@pytest.mark.parametrize("pooling, shape", [(None, (None, 1, 1, 512)), ("avg", (None, 512)),
                                            ("max", (None, 512))])
def test_pooling_without_top(pooling, shape):
    model = A.VGG16(include_top=False, input_shape=(32, 32, 3), pooling=pooling)
    assert model.output_shape == shape


def test_headless_default_takes_any_image_size_as_keras():
    model = A.ResNet50(include_top=False, pooling="avg", alpha=1 / 16)
    assert model.inputs[0].shape == (None, None, None, 3)
    out = model.predict(np.zeros((1, 64, 48, 3), "float32"), verbose=0)
    assert out.shape == (1, 128)


def test_input_tensor_builds_on_the_given_input():
    x = Input(shape=(32, 32, 3))
    model = A.ResNet18(input_tensor=x, classes=7, alpha=0.125)
    assert model.inputs[0] is x
    assert model.output_shape == (None, 7)


def test_classifier_activation_none_gives_logits():
    set_random_seed(0)
    model = A.LeNet5(input_shape=(28, 28, 1), classifier_activation=None)
    x = np.random.default_rng(0).random((3, 28, 28, 1), dtype=np.float32)
    y = np.asarray(model.predict(x, verbose=0))
    assert y.shape == (3, 10)
    assert not np.allclose(y.sum(axis=1), 1.0)   # logits, not probabilities
    probs = np.asarray(A.LeNet5(input_shape=(28, 28, 1)).predict(x, verbose=0))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


def test_lenet5_pads_28x28_to_32x32():
    model = A.LeNet5(input_shape=(28, 28, 1))
    assert model.get_layer("pad").output_shape == (None, 32, 32, 1)
    assert model.count_params() == 61_706


@pytest.mark.parametrize("builder, kwargs, out", [
    (A.LeNet5, {"alpha": 0.5}, (None, 10)),
    (A.VGG16, {"alpha": 1 / 16, "blocks": 3}, (None, 10)),
    (A.VGG19, {"alpha": 1 / 16, "blocks": 3}, (None, 10)),
    (A.InceptionV1, {"alpha": 1 / 16, "stem": "cifar"}, (None, 10)),
    (A.ResNet18, {"alpha": 0.125, "stem": "cifar"}, (None, 10)),
    (A.ResNet50, {"alpha": 0.0625, "stem": "cifar"}, (None, 10)),
])
def test_small_variants_run_on_fashion_mnist_sized_images(builder, kwargs, out):
    set_random_seed(1)
    model = builder(input_shape=(28, 28, 1), classes=10, **kwargs)
    assert model.output_shape == out
    x = np.random.default_rng(1).random((2, 28, 28, 1), dtype=np.float32)
    y = np.asarray(model.predict(x, verbose=0))
    assert y.shape == (2, 10)
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=1e-5)


def test_small_resnet_trains():
    set_random_seed(2)
    rng = np.random.default_rng(2)
    x = rng.random((32, 16, 16, 1), dtype=np.float32)
    y = (x.mean(axis=(1, 2, 3)) > 0.5).astype("int64")
    model = A.ResNet18(input_shape=(16, 16, 1), classes=2, alpha=0.125, stem="cifar")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_alpha_scales_widths():
    model = A.VGG16(input_shape=(32, 32, 3), alpha=0.25, classes=10)
    assert model.get_layer("block1_conv1").kernel.shape == (3, 3, 3, 16)
    assert model.get_layer("fc1").kernel.shape == (1 * 1 * 128, 1024)


def test_unet_shapes_and_skips():
    model = A.UNet((32, 32, 3), classes=4, filters=8, depth=3, batch_norm=True)
    assert model.output_shape == (None, 32, 32, 4)
    assert model.get_layer("up1_concat").output_shape == (None, 32, 32, 16)
    nearest = A.UNet((32, 32, 3), classes=4, filters=8, depth=3, upsampling="nearest")
    plain = A.UNet((32, 32, 3), classes=4, filters=8, depth=3)
    assert nearest.count_params() == plain.count_params()


def test_imagenet_weights_error_says_where_the_file_is():
    with pytest.raises(ValueError, match="vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"):
        A.VGG16(include_top=False, weights="imagenet")
    with pytest.raises(ValueError, match="resnet50_weights_tf_dim_ordering_tf_kernels.h5"):
        A.ResNet50(weights="imagenet")
    with pytest.raises(ValueError, match="no ImageNet weights"):
        A.ResNet18(weights="imagenet")


@pytest.mark.parametrize("kwargs, match", [
    ({"weights": "/no/such/file.h5"}, "not an existing file"),
    ({"pooling": "sum", "include_top": False}, "pooling"),
    ({"classes": 0}, "classes"),
    ({"input_shape": (16, 16, 3)}, "at least 32x32"),
    ({"input_shape": (32, 32)}, "input_shape"),
    ({"alpha": 0}, "alpha"),
    ({"blocks": 6}, "blocks"),
])
def test_argument_errors_name_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        A.VGG16(**kwargs)


def test_other_argument_errors():
    with pytest.raises(ValueError, match="stem"):
        A.ResNet18(stem="tiny")
    with pytest.raises(ValueError, match="multiples of 2\\*\\*depth"):
        A.UNet((30, 30, 1), depth=2)
    with pytest.raises(TypeError, match="input_tensor"):
        A.LeNet5(input_tensor=np.zeros((1, 32, 32, 1)))
