# Source: keras.io/examples/vision/autoencoder ("Convolutional autoencoder for image
# denoising", Santiago L. Valdarrama), written out again with `import keras` ->
# `import lamina as keras`; the matplotlib display() helper is left out.
# Offline stand-in: Fashion-MNIST (lamina.datasets) instead of MNIST, 1,000 training and
# 200 test images; epochs 50 + 100 -> 2 + 2.
# ruff: noqa: NPY002 - the example's legacy NumPy random calls, kept as written
import numpy as np

import lamina as keras  # was: import keras
from lamina import layers  # was: from keras import layers
from lamina.models import Model  # was: from keras.models import Model


def preprocess(array):
    """Normalizes the supplied array and reshapes it."""
    array = array.astype("float32") / 255.0
    array = np.reshape(array, (len(array), 28, 28, 1))
    return array


def noise(array):
    """Adds random noise to each image in the supplied array."""
    noise_factor = 0.4
    noisy_array = array + noise_factor * np.random.normal(loc=0.0, scale=1.0, size=array.shape)
    return np.clip(noisy_array, 0.0, 1.0)


(train_data, _), (test_data, _) = keras.datasets.fashion_mnist.load_data()
train_data, test_data = train_data[:1000], test_data[:200]

np.random.seed(0)
train_data = preprocess(train_data)
test_data = preprocess(test_data)

noisy_train_data = noise(train_data)
noisy_test_data = noise(test_data)

keras.utils.set_random_seed(0)
input = layers.Input(shape=(28, 28, 1))

# Encoder
x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(input)
x = layers.MaxPooling2D((2, 2), padding="same")(x)
x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(x)
x = layers.MaxPooling2D((2, 2), padding="same")(x)

# Decoder
x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
x = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)

autoencoder = Model(input, x)
autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
autoencoder.summary()

autoencoder.fit(
    x=train_data,
    y=train_data,
    epochs=2,
    batch_size=128,
    shuffle=True,
    validation_data=(test_data, test_data),
)
predictions = autoencoder.predict(test_data)

history = autoencoder.fit(
    x=noisy_train_data,
    y=train_data,
    epochs=2,
    batch_size=128,
    shuffle=True,
    validation_data=(noisy_test_data, test_data),
)
predictions = autoencoder.predict(noisy_test_data)
