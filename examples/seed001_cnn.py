"""Seed 001's Keras program on lamina: only the import lines differ from the slide.

    python examples/seed001_cnn.py

Trains Conv2D(16) -> MaxPooling2D -> Conv2D(16) -> Flatten -> Dense(128, relu) ->
Dense(10, softmax) on Fashion-MNIST for one epoch (Keras's default), saves it to
model.h5, loads it back and predicts. The lines after the slide's program report
the test accuracy.
"""

import data

from lamina.layers import Dense, Flatten, Conv2D, MaxPooling2D
from lamina.models import Sequential, load_model

model = Sequential()
model.add(Conv2D(16, (3, 3)))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Conv2D(16, (3, 3)))
model.add(Flatten())
model.add(Dense(128, activation='relu'))
model.add(Dense(data.n_classes, activation='softmax'))

model.compile(loss='categorical_crossentropy', optimizer='adam')
model.fit(data.x_train, data.y_train)

model.save('model.h5')
model = load_model('model.h5')
y_predicted = model.predict(data.x_test)

# Not on the slide: how well did it do?
accuracy = float((y_predicted.argmax(axis=1) == data.labels_test).mean())
print(f"test accuracy: {accuracy:.4f} on {len(data.x_test)} images")
