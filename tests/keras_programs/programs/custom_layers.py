# Source: keras.io/guides/making_new_layers_and_models_via_subclassing ("Making new layers
# and models via subclassing", fchollet), its runnable parts written out again with
# `import keras` -> `import lamina as keras`: Linear with weights in __init__ and in build,
# ComputeSum's non-trainable state, nested MLPBlock, get_config / from_config, and
# CustomDropout with the privileged training argument and a SeedGenerator.
# Offline stand-in for the guide's end-to-end training: scikit-learn's digits
# (lamina.datasets.digits) fitted by a model built from these layers, 5 epochs.
import numpy as np

import lamina as keras  # was: import keras
from lamina import ops  # was: from keras import ops


class Linear(keras.layers.Layer):
    def __init__(self, units=32, input_dim=32):
        super().__init__()
        self.w = self.add_weight(shape=(input_dim, units), initializer="random_normal",
                                 trainable=True)
        self.b = self.add_weight(shape=(units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b


x = ops.ones((2, 2))
linear_layer = Linear(4, 2)
y = linear_layer(x)
print(y)
assert linear_layer.weights == [linear_layer.w, linear_layer.b]


class ComputeSum(keras.layers.Layer):
    def __init__(self, input_dim):
        super().__init__()
        self.total = self.add_weight(initializer="zeros", shape=(input_dim,), trainable=False)

    def call(self, inputs):
        self.total.assign_add(ops.sum(inputs, axis=0))
        return self.total


x = ops.ones((2, 2))
my_sum = ComputeSum(2)
y = my_sum(x)
print(y.numpy())
first_sum = ops.convert_to_numpy(y).copy()
y = my_sum(x)
print(y.numpy())
second_sum = ops.convert_to_numpy(y).copy()
print("weights:", len(my_sum.weights))
print("non-trainable weights:", len(my_sum.non_trainable_weights))
print("trainable_weights:", my_sum.trainable_weights)


class Linear(keras.layers.Layer):  # noqa: F811 - the guide redefines it with build()
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer="random_normal",
                                 trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units})
        return config


linear_layer = Linear(32)
y = linear_layer(x)


class MLPBlock(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.linear_1 = Linear(32)
        self.linear_2 = Linear(32)
        self.linear_3 = Linear(10)

    def call(self, inputs):
        x = self.linear_1(inputs)
        x = keras.activations.relu(x)
        x = self.linear_2(x)
        x = keras.activations.relu(x)
        return self.linear_3(x)


mlp = MLPBlock()
y = mlp(ops.ones(shape=(3, 64)))
print("weights:", len(mlp.weights))
print("trainable weights:", len(mlp.trainable_weights))
mlp_weight_count = len(mlp.weights)

layer = Linear(64)
config = layer.get_config()
print(config)
new_layer = Linear.from_config(config)


class CustomDropout(keras.layers.Layer):
    def __init__(self, rate, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs, training=None):
        if training:
            return keras.random.dropout(inputs, rate=self.rate, seed=self.seed_generator)
        return inputs


dropout = CustomDropout(0.5)
dropped = dropout(ops.ones((4, 10)), training=True)
kept = dropout(ops.ones((4, 10)), training=False)

# Training a model made of these layers (digits instead of the guide's MNIST).
(features, labels) = keras.datasets.digits.load_data()
features = features.astype("float32") / 16.0
x_train, y_train = features[:1400], labels[:1400]
x_test, y_test = features[1400:], labels[1400:]

keras.utils.set_random_seed(3)
inputs = keras.Input(shape=(64,))
h = CustomDropout(0.1)(inputs)
logits = MLPBlock()(h)
model = keras.Model(inputs, logits)
model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-2),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
history = model.fit(x_train, y_train, batch_size=64, epochs=5, verbose=2)
test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
print("Test accuracy:", test_accuracy)
predicted = np.argmax(ops.convert_to_numpy(model.predict(x_test[:5])), axis=-1)
