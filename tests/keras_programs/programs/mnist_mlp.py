# Source: the Keras 2 examples folder, examples/mnist_mlp.py ("Trains a simple deep NN on
# the MNIST dataset"), written out again with `import keras` -> `import lamina as keras`.
# Offline stand-in: scikit-learn's 8x8 digits (lamina.datasets.digits) instead of MNIST,
# 64 inputs instead of 784; epochs 20 -> 8.
import lamina as keras  # was: import keras
from lamina.layers import Dense, Dropout  # was: from keras.layers import Dense, Dropout
from lamina.models import Sequential  # was: from keras.models import Sequential
from lamina.optimizers import RMSprop  # was: from keras.optimizers import RMSprop

batch_size = 128
num_classes = 10
epochs = 8

x, y = keras.datasets.digits.load_data()
x_train, y_train, x_test, y_test = x[:1400], y[:1400], x[1400:], y[1400:]

x_train = x_train.reshape(1400, 64).astype("float32")
x_test = x_test.reshape(len(x_test), 64).astype("float32")
x_train /= 16
x_test /= 16
print(x_train.shape[0], "train samples")
print(x_test.shape[0], "test samples")

y_train = keras.utils.to_categorical(y_train, num_classes)
y_test = keras.utils.to_categorical(y_test, num_classes)

keras.utils.set_random_seed(0)
model = Sequential()
model.add(Dense(512, activation="relu", input_shape=(64,)))
model.add(Dropout(0.2))
model.add(Dense(512, activation="relu"))
model.add(Dropout(0.2))
model.add(Dense(num_classes, activation="softmax"))

model.summary()

model.compile(loss="categorical_crossentropy", optimizer=RMSprop(), metrics=["accuracy"])

history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=1,
                    validation_data=(x_test, y_test))
score = model.evaluate(x_test, y_test, verbose=0)
print("Test loss:", score[0])
print("Test accuracy:", score[1])
