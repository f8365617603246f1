"""``weights=path``: a Keras-layout ``.h5`` (written here with h5py as Keras writes it) loads
by layer name; hostile or mismatched files are refused before anything is assigned."""

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")

from lamina import applications as A  # noqa: E402
from lamina.random import set_random_seed  # noqa: E402

SMALL = {"input_shape": (32, 32, 3), "classes": 5, "alpha": 1 / 16}


def layer_weights(layer):
    return [*layer.trainable_weights, *layer.non_trainable_weights]


def keras_arrays(model, seed):
    """{layer name: [arrays in Keras's weight order]} with fresh random values."""
    rng = np.random.default_rng(seed)
    return {layer.name: [rng.standard_normal(w.shape).astype("float32")
                         for w in layer_weights(layer)] for layer in model.layers}


def write_keras_h5(path, model, arrays, root_group=None):
    """Keras 2's ``save_weights`` layout: ``layer_names`` on the root, a group per layer
    (layers without weights too) with ``weight_names`` such as ``b'fc1/kernel:0'``; the
    datasets sit at those paths inside the layer's group (so ``fc1/fc1/kernel:0``)."""
    with h5py.File(path, "w") as f:
        root = f.create_group(root_group) if root_group else f
        root.attrs["layer_names"] = [layer.name.encode() for layer in model.layers]
        root.attrs["backend"] = b"tensorflow"
        root.attrs["keras_version"] = b"2.15.0"
        for layer in model.layers:
            g = root.create_group(layer.name)
            names = [f"{layer.name}/{w.name}:0" for w in layer_weights(layer)]
            g.attrs["weight_names"] = [n.encode() for n in names]
            for name, value in zip(names, arrays[layer.name]):
                g.create_dataset(name, data=value)


def all_weights(model):
    return [np.array(v.data) for v in model.weights]


def test_keras_layout_file_loads_by_name(tmp_path):
    set_random_seed(0)
    donor = A.ResNet50(**SMALL)
    arrays = keras_arrays(donor, seed=1)
    path = tmp_path / "resnet50_small.h5"
    write_keras_h5(path, donor, arrays)
    model = A.ResNet50(weights=str(path), **SMALL)
    loaded = 0
    for layer in model.layers:
        got = [np.asarray(w.data) for w in layer_weights(layer)]
        if not got:
            continue
        loaded += len(got)
        assert len(got) == len(arrays[layer.name])
        for a, b in zip(got, arrays[layer.name]):
            np.testing.assert_array_equal(a, b)
    assert loaded == len(model.weights)
    # batch norm's four weights in Keras's order: gamma, beta, moving_mean, moving_variance
    bn = model.get_layer("conv2_block1_1_bn")
    np.testing.assert_array_equal(bn.moving_variance.data, arrays["conv2_block1_1_bn"][3])


def test_headless_model_takes_the_top_file_and_skips_the_top(tmp_path):
    donor = A.VGG16(**SMALL)
    arrays = keras_arrays(donor, seed=2)
    path = tmp_path / "vgg16_small.h5"
    write_keras_h5(path, donor, arrays, root_group="model_weights")  # a whole-model file
    model = A.VGG16(include_top=False, weights=path, **SMALL)
    np.testing.assert_array_equal(model.get_layer("block5_conv3").kernel.data,
                                  arrays["block5_conv3"][0])


def test_weight_names_split_as_keras_splits_long_lists_load(tmp_path):
    """Keras writes a list of names over HDF5's 64 KB attribute limit as ``weight_names0``,
    ``weight_names1``...; a file of that form loads (it was refused as 0 weights)."""
    donor = A.VGG16(**SMALL)
    arrays = keras_arrays(donor, seed=3)
    path = tmp_path / "vgg16_split.h5"
    write_keras_h5(path, donor, arrays)
    with h5py.File(path, "a") as f:
        g = f["block1_conv1"]
        names = g.attrs["weight_names"]
        del g.attrs["weight_names"]
        g.attrs["weight_names0"], g.attrs["weight_names1"] = names[:1], names[1:]
    model = A.VGG16(weights=path, **SMALL)
    np.testing.assert_array_equal(model.get_layer("block1_conv1").bias.data,
                                  arrays["block1_conv1"][1])


def test_keras3_weights_h5_layout_loads(tmp_path):
    """Keras 3's ``save_weights('x.weights.h5')``: ``layers/<name>/vars/<i>``."""
    donor = A.ResNet18(**SMALL, stem="cifar")
    arrays = keras_arrays(donor, seed=6)
    path = tmp_path / "resnet18.weights.h5"
    with h5py.File(path, "w") as f:
        f.create_group("vars")
        layers = f.create_group("layers")
        for layer in donor.layers:
            g = layers.create_group(layer.name).create_group("vars")
            for i, value in enumerate(arrays[layer.name]):
                g.create_dataset(str(i), data=value)
    model = A.ResNet18(**SMALL, stem="cifar", weights=path)
    bn = model.get_layer("conv3_block1_0_bn")
    for var, expected in zip([*bn.trainable_weights, *bn.non_trainable_weights],
                             arrays["conv3_block1_0_bn"]):
        np.testing.assert_array_equal(var.data, expected)
    assert all(np.array_equal(v.data, a) for layer in model.layers[1:]
               for v, a in zip(layer_weights(layer), arrays[layer.name], strict=True))


def test_lamina_save_weights_h5_loads(tmp_path):
    set_random_seed(3)
    donor = A.InceptionV1(input_shape=(32, 32, 3), classes=3, alpha=1 / 16, stem="cifar")
    path = tmp_path / "inception.h5"
    donor.save_weights(path)
    model = A.InceptionV1(input_shape=(32, 32, 3), classes=3, alpha=1 / 16, stem="cifar",
                          weights=path)
    for a, b in zip(all_weights(model), all_weights(donor)):
        np.testing.assert_array_equal(a, b)


def test_other_architecture_is_refused_and_nothing_assigned(tmp_path):
    donor = A.VGG16(**SMALL)
    path = tmp_path / "vgg16.h5"
    write_keras_h5(path, donor, keras_arrays(donor, seed=4))
    with pytest.raises(ValueError, match="no weights for layer 'block3_conv4'"):
        A.VGG19(weights=path, **SMALL)
    wider = {**SMALL, "alpha": 1 / 8}
    model = A.VGG16(**wider)
    before = all_weights(model)
    with pytest.raises(ValueError, match="shape"):
        A.load_keras_weights(model, path)
    for a, b in zip(all_weights(model), before):
        np.testing.assert_array_equal(a, b)


def test_links_out_of_the_file_are_refused(tmp_path):
    donor = A.LeNet5()
    path = tmp_path / "lenet.h5"
    write_keras_h5(path, donor, keras_arrays(donor, seed=5))
    with h5py.File(path, "a") as f:
        del f["c1/c1/kernel:0"]
        f["c1/c1/kernel:0"] = h5py.ExternalLink(str(tmp_path / "other.h5"), "/secret")
    with pytest.raises(ValueError, match="ExternalLink"):
        A.LeNet5(weights=path)


def test_not_hdf5_is_refused(tmp_path):
    path = tmp_path / "weights.h5"
    path.write_bytes(b"not an hdf5 file")
    with pytest.raises(ValueError, match="not a readable HDF5 file"):
        A.LeNet5(weights=path)
