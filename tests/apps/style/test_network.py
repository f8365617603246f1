"""The feature network: a frozen multi-output model, random filters from a seed, or Keras's
VGG19 read from an .h5 file with Gatys's layers."""

import numpy as np
import pytest

from lamina.apps.style import feature_network
from lamina.autograd import Tensor


def test_random_network_outputs_one_feature_map_per_layer_at_each_scale():
    net = feature_network(channels=3, seed=0, filters=(4, 6, 8))
    assert net.style_layers == ["block1_conv1", "block2_conv1", "block3_conv1"]
    assert net.content_layers == ["block3_conv2"]
    feats = net.features(Tensor(np.random.default_rng(0).random((1, 16, 12, 3), "float32")))
    assert {k: v.shape for k, v in feats.items()} == {
        "block1_conv1": (1, 16, 12, 4), "block2_conv1": (1, 8, 6, 6),
        "block3_conv1": (1, 4, 3, 8), "block3_conv2": (1, 4, 3, 8)}
    assert all(v.data.min() >= 0 and v.data.max() > 0 for v in feats.values())  # ReLU, alive
    assert net.model.trainable_weights == []  # frozen: only the image gets gradients
    assert all(not w.requires_grad for w in net.model.weights)


def test_the_seed_draws_the_filters():
    a, b, c = (feature_network(1, seed=s, filters=(4,)).model.get_weights() for s in (0, 0, 1))
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.allclose(a[0], c[0])


def test_vgg19_weights_give_gatys_layers_and_caffe_preprocessing(tmp_path):
    pytest.importorskip("h5py")
    from lamina.applications import VGG19

    vgg = VGG19(include_top=False, input_shape=(None, None, 3))
    path = tmp_path / "vgg19.weights.h5"
    vgg.save_weights(path)
    net = feature_network(weights=path)
    assert net.content_layers == ["block4_conv2"]
    assert net.style_layers == [f"block{b}_conv1" for b in range(1, 6)]
    image = np.random.default_rng(1).random((1, 32, 32, 3)).astype("float32")
    bgr = image[..., ::-1] * 255 - np.array([103.939, 116.779, 123.68], "float32")
    # block1_conv1 of the file's weights on Keras's preprocessing, by a plain NumPy conv
    kernel, bias = vgg.get_layer("block1_conv1").get_weights()
    padded = np.pad(bgr[0], ((1, 1), (1, 1), (0, 0)))
    want = np.maximum(sum(padded[i:i + 32, j:j + 32] @ kernel[i, j] for i in range(3)
                          for j in range(3)) + bias, 0)
    got = net.features(Tensor(image))["block1_conv1"].data[0]
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-3 * np.abs(want).max())
    assert np.abs(want).max() > 1


def test_mistakes_are_named(tmp_path):
    with pytest.raises(ValueError, match="channels must be 1 .gray. or 3"):
        feature_network(channels=2)
    with pytest.raises(ValueError, match="content_layers must name layers"):
        feature_network(content_layers=["block9_conv1"])
    with pytest.raises(ValueError, match="filters must be positive ints"):
        feature_network(filters=(8, 0))
    with pytest.raises(ValueError, match="VGG19 weights take RGB"):
        feature_network(channels=1, weights=tmp_path / "w.h5")
