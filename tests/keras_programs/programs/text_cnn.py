# Source: the Keras 2 examples folder, examples/imdb_cnn.py ("This example demonstrates the
# use of Convolution1D for text classification"), written out again with `import keras` ->
# `import lamina as keras`.
# Offline stand-in: Debian's fortunes (lamina.datasets.fortunes), 'computers' against
# 'politics', turned into word ids the way keras.datasets.imdb numbers them (1 = start,
# 2 = out of vocabulary, 3+ = words by frequency); maxlen 400 -> 60, filters and hidden
# units 250 -> 64, epochs 2 -> 4.
import collections
import re

import numpy as np

import lamina as keras  # was: import keras
from lamina.layers import Activation, Conv1D, Dense, Dropout, Embedding, GlobalMaxPooling1D
from lamina.models import Sequential  # was: from keras.models import Sequential
from lamina.preprocessing import sequence  # was: from keras.preprocessing import sequence


def load_data(num_words):
    """Like keras.datasets.imdb.load_data(num_words=...), from two fortune categories."""
    (x_train, y_train), (x_test, y_test) = keras.datasets.fortunes.load_data(
        categories=["computers", "politics"])
    words = lambda text: re.findall(r"[a-z']+", text.lower())  # noqa: E731
    counts = collections.Counter(w for text in x_train for w in words(text))
    index = {w: i + 3 for i, (w, _) in enumerate(counts.most_common(num_words - 3))}
    encode = lambda texts: [[1] + [index.get(w, 2) for w in words(t)] for t in texts]  # noqa: E731
    return (encode(x_train), y_train), (encode(x_test), y_test)


max_features = 5000
maxlen = 60
batch_size = 32
embedding_dims = 50
filters = 64
kernel_size = 3
hidden_dims = 64
epochs = 4

print("Loading data...")
(x_train, y_train), (x_test, y_test) = load_data(num_words=max_features)
print(len(x_train), "train sequences")
print(len(x_test), "test sequences")

print("Pad sequences (samples x time)")
x_train = sequence.pad_sequences(x_train, maxlen=maxlen)
x_test = sequence.pad_sequences(x_test, maxlen=maxlen)
print("x_train shape:", x_train.shape)
print("x_test shape:", x_test.shape)

print("Build model...")
keras.utils.set_random_seed(7)
model = Sequential()
model.add(Embedding(max_features, embedding_dims, input_length=maxlen))
model.add(Dropout(0.2))
model.add(Conv1D(filters, kernel_size, padding="valid", activation="relu", strides=1))
model.add(GlobalMaxPooling1D())
model.add(Dense(hidden_dims))
model.add(Dropout(0.2))
model.add(Activation("relu"))
model.add(Dense(1))
model.add(Activation("sigmoid"))

model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
history = model.fit(x_train, np.asarray(y_train), batch_size=batch_size, epochs=epochs,
                    validation_data=(x_test, np.asarray(y_test)))
score = model.evaluate(x_test, np.asarray(y_test), verbose=0)
print("Test accuracy:", score[1])
