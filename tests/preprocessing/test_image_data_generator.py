import numpy as np
import pytest

import lamina
from lamina.preprocessing.image import ImageDataGenerator

rng = np.random.default_rng(0)
X = rng.uniform(0, 255, (10, 6, 6, 1)).astype("float32")
Y = np.arange(10) % 2


def test_flow_without_transforms_rescales_and_keeps_every_sample_once():
    gen = ImageDataGenerator(rescale=1 / 255.0)
    it = gen.flow(X, Y, batch_size=4, shuffle=False)
    assert len(it) == 3
    x0, y0 = it[0]
    np.testing.assert_allclose(x0, X[:4] / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y0, Y[:4])
    shuffled = gen.flow(X, Y, batch_size=10, seed=1)
    xs, ys = shuffled[0]
    assert sorted(ys.tolist()) == sorted(Y.tolist())
    np.testing.assert_allclose(np.sort(xs.ravel()), np.sort(X.ravel() / 255.0), rtol=1e-6)


def test_random_transforms_repeat_with_the_seed_and_change_with_the_epoch():
    gen = ImageDataGenerator(rotation_range=20, width_shift_range=0.2, horizontal_flip=True,
                             brightness_range=(0.8, 1.2))
    a, b = gen.flow(X, Y, batch_size=5, seed=7), gen.flow(X, Y, batch_size=5, seed=7)
    np.testing.assert_array_equal(a[0][0], b[0][0])
    first = a[0][0].copy()
    a.on_epoch_end()
    assert not np.array_equal(a[0][0], first)
    assert not np.allclose(first, X[:5])  # transformed


def test_featurewise_statistics_come_from_fit():
    gen = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True)
    with pytest.raises(ValueError, match="featurewise_center=True needs fit"):
        gen.flow(X, batch_size=10)[0]
    gen.fit(X)
    out = gen.flow(X, batch_size=10, shuffle=False)[0]
    assert abs(out.mean()) < 1e-4 and abs(out.std() - 1.0) < 1e-3


def test_keras_2_program_trains_on_flow_and_refuses_zca():
    gen = ImageDataGenerator(rescale=1 / 255.0, validation_split=0.2)
    model = lamina.Sequential([lamina.Input((6, 6, 1)), lamina.layers.Flatten(),
                               lamina.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    history = model.fit(gen.flow(X, Y, batch_size=4, subset="training", seed=0), epochs=2,
                        verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()
    assert len(gen.flow(X, Y, subset="validation").x) == 2
    with pytest.raises(ValueError, match="received zca_whitening=True"):
        ImageDataGenerator(zca_whitening=True)
