"""keras.io's "Image classification from scratch" model (Xception-like: data augmentation,
Rescaling, SeparableConv2D residual blocks), written as there with ``lamina`` for
``keras``, at a tiny size: it builds, trains a few steps and saves/loads."""

import numpy as np

import lamina as keras
from lamina import layers


def make_model(input_shape, num_classes):
    data_augmentation = keras.models.Sequential(
        [layers.RandomFlip("horizontal", seed=1), layers.RandomRotation(0.1, seed=2)])
    inputs = keras.layers.Input(shape=input_shape)
    x = data_augmentation(inputs)
    x = layers.Rescaling(1.0 / 255)(x)
    x = layers.Conv2D(8, 3, strides=2, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    previous_block_activation = x
    for size in [8, 16]:
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
        residual = layers.Conv2D(size, 1, strides=2, padding="same")(previous_block_activation)
        x = layers.add([x, residual])
        previous_block_activation = x
    x = layers.SeparableConv2D(16, 3, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.25, seed=3)(x)
    outputs = layers.Dense(1, activation=None)(x)
    return keras.models.Model(inputs, outputs)


def test_the_keras_io_classifier_trains_and_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (16, 16, 16, 3)).astype("float32")
    y = (x[..., 0].mean(axis=(1, 2)) > 127).astype("float32")  # labels (N,) vs output (N, 1)
    model = make_model((16, 16, 3), 2)
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy(name="acc"),
                           keras.metrics.AUC(from_logits=True)])
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0).history
    assert set(history) == {"loss", "acc", "auc"} and np.isfinite(history["loss"]).all()
    model.save(tmp_path / "m.lamina")
    loaded = keras.models.load_model(tmp_path / "m.lamina")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
