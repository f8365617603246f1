"""Parameter counts: Keras's where Keras has the model, the published arithmetic elsewhere.

The big networks really are built (VGG19 allocates 575 MB of float32 weights and takes a
few seconds); each is dropped before the next is built."""

import gc

import pytest

from lamina import applications as A


def conv(cin, cout, k, bias=True):
    return cin * cout * k * k + (cout if bias else 0)


def dense(n_in, n_out):
    return n_in * n_out + n_out


def count(builder, **kwargs):
    model = builder(**kwargs)
    n, trainable = model.count_params(), sum(v.size for v in model.trainable_weights)
    del model
    gc.collect()
    return n, trainable


@pytest.mark.parametrize("builder, kwargs, expected", [
    (A.VGG16, {}, 138_357_544),                    # keras.applications.VGG16().count_params()
    (A.VGG16, {"include_top": False}, 14_714_688),
    (A.VGG19, {}, 143_667_240),
    (A.VGG19, {"include_top": False}, 20_024_384),
    (A.ResNet50, {}, 25_636_712),
    (A.ResNet50, {"include_top": False}, 23_587_712),
])
def test_counts_equal_keras(builder, kwargs, expected):
    assert count(builder, **kwargs)[0] == expected


def test_resnet50_trainable_count_equals_keras():
    # Keras: 25,583,592 trainable, 53,120 non-trainable (batch norm's moving statistics)
    assert count(A.ResNet50) == (25_636_712, 25_583_592)


def test_resnet18_trainable_count_equals_torchvision():
    # torchvision.models.resnet18().parameters() sums to 11,689,512; Keras's count adds the
    # two moving statistics of each of the 4,800 batch-norm channels
    n, trainable = count(A.ResNet18)
    assert trainable == 11_689_512
    assert n == 11_689_512 + 2 * 4_800


def test_alexnet_count_from_the_paper():
    convs = (conv(3, 96, 11) + conv(96, 256, 5) + conv(256, 384, 3) + conv(384, 384, 3)
             + conv(384, 256, 3))
    fcs = dense(6 * 6 * 256, 4096) + dense(4096, 4096) + dense(4096, 1000)
    assert count(A.AlexNet, groups=1)[0] == convs + fcs == 62_378_344
    # the paper's two towers: conv2, conv4, conv5 see half their inputs
    halved = (conv(96, 256, 5) - conv(48, 256, 5) + conv(384, 384, 3) - conv(192, 384, 3)
              + conv(384, 256, 3) - conv(192, 256, 3))
    assert count(A.AlexNet)[0] == convs + fcs - halved == 60_965_224
    assert count(A.AlexNet, include_top=False)[0] == 60_965_224 - fcs == 2_334_080


def test_alexnet_towers_are_groups():
    model = A.AlexNet(input_shape=(67, 67, 3), classes=10, alpha=0.25)
    conv2, conv3 = model.get_layer("conv2"), model.get_layer("conv3")
    assert (conv2.groups, conv3.groups) == (2, 1)
    assert conv2.kernel.shape == (5, 5, 12, 64) and conv3.kernel.shape == (3, 3, 64, 96)
    with pytest.raises(ValueError, match=r"AlexNet: `groups` must be 2 .* received groups=3"):
        A.AlexNet(groups=3)


def test_inception_v1_count_from_table_1():
    total, cin = conv(3, 64, 7) + conv(64, 64, 1) + conv(64, 192, 3), 192
    for f1, r3, f3, r5, f5, fp in A.inception.MODULES.values():
        total += (conv(cin, f1, 1) + conv(cin, r3, 1) + conv(r3, f3, 3) + conv(cin, r5, 1)
                  + conv(r5, f5, 5) + conv(cin, fp, 1))
        cin = f1 + f3 + f5 + fp
    assert cin == 1024
    assert count(A.InceptionV1, include_top=False)[0] == total == 5_973_552
    assert count(A.InceptionV1)[0] == total + dense(1024, 1000) == 6_998_552


def test_lenet5_count():
    expected = (conv(1, 6, 5) + conv(6, 16, 5) + dense(400, 120) + dense(120, 84)
                + dense(84, 10))
    assert count(A.LeNet5)[0] == expected == 61_706


def test_unet_count_of_the_paper_configuration():
    down = [(1, 64), (64, 128), (128, 256), (256, 512), (512, 1024)]
    expected = sum(conv(a, b, 3) + conv(b, b, 3) for a, b in down)
    for f in (512, 256, 128, 64):
        expected += conv(2 * f, f, 2) + conv(2 * f, f, 3) + conv(f, f, 3)
    expected += conv(64, 2, 1)
    assert count(A.UNet)[0] == expected == 31_030_658
