# Source: keras.io/examples/timeseries/timeseries_classification_from_scratch
# ("Timeseries classification from scratch", hfawaz), written out again with
# `import keras` -> `import lamina as keras`; the matplotlib figures are left out.
# Offline stand-in: generated series instead of FordA (class 1: a sine of period 20 under
# noise, class 0: noise of the same power), 400 training and 200 test series of length
# 100; epochs 500 -> 6.
import numpy as np

import lamina as keras  # was: import keras


def make_series(n, length, rng):
    y = rng.integers(0, 2, n)
    t = np.arange(length)
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    signal = np.sqrt(2) * np.sin(2 * np.pi * t / 20 + phase)
    x = np.where(y[:, None] == 1, signal + rng.normal(0, 1, (n, length)),
                 rng.normal(0, np.sqrt(2), (n, length)))
    x = (x - x.mean(axis=1, keepdims=True)) / x.std(axis=1, keepdims=True)  # z-normalized
    return x, np.where(y == 1, 1, -1)


rng = np.random.default_rng(42)
x_train, y_train = make_series(400, 100, rng)
x_test, y_test = make_series(200, 100, rng)

x_train = x_train.reshape((x_train.shape[0], x_train.shape[1], 1))
x_test = x_test.reshape((x_test.shape[0], x_test.shape[1], 1))

num_classes = len(np.unique(y_train))

idx = np.random.default_rng(0).permutation(len(x_train))
x_train = x_train[idx]
y_train = y_train[idx]

y_train[y_train == -1] = 0
y_test[y_test == -1] = 0


def make_model(input_shape):
    input_layer = keras.layers.Input(input_shape)

    conv1 = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(input_layer)
    conv1 = keras.layers.BatchNormalization()(conv1)
    conv1 = keras.layers.ReLU()(conv1)

    conv2 = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(conv1)
    conv2 = keras.layers.BatchNormalization()(conv2)
    conv2 = keras.layers.ReLU()(conv2)

    conv3 = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(conv2)
    conv3 = keras.layers.BatchNormalization()(conv3)
    conv3 = keras.layers.ReLU()(conv3)

    gap = keras.layers.GlobalAveragePooling1D()(conv3)

    output_layer = keras.layers.Dense(num_classes, activation="softmax")(gap)

    return keras.models.Model(inputs=input_layer, outputs=output_layer)


keras.utils.set_random_seed(0)
model = make_model(input_shape=x_train.shape[1:])
keras.utils.plot_model(model, show_shapes=True)

epochs = 6
batch_size = 32

callbacks = [
    keras.callbacks.ModelCheckpoint("best_model.keras", save_best_only=True, monitor="val_loss"),
    keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=20,
                                      min_lr=0.0001),
    keras.callbacks.EarlyStopping(monitor="val_loss", patience=50, verbose=1),
]
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
              metrics=["sparse_categorical_accuracy"])
history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs,
                    callbacks=callbacks, validation_split=0.2, verbose=1)

model = keras.models.load_model("best_model.keras")

test_loss, test_acc = model.evaluate(x_test, y_test)

print("Test accuracy", test_acc)
print("Test loss", test_loss)
