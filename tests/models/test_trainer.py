import numpy as np
import pytest

from lamina.layers import Dense, Input
from lamina.models import Sequential, load_model
from lamina.optimizers import SGD, Adam


def blobs(n=120, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centers = np.array([[2.0, 0.0], [-2.0, 1.0], [0.0, -2.5]])
    x = (centers[y] + 0.6 * rng.standard_normal((n, 2))).astype("float32")
    return x, y


def classifier(seed=0):
    from lamina.initializers import GlorotUniform

    return Sequential([Input(shape=(2,)),
                       Dense(16, activation="relu", kernel_initializer=GlorotUniform(seed)),
                       Dense(3, activation="softmax", kernel_initializer=GlorotUniform(seed + 1))])


def test_fit_learns_blobs_and_reports_accuracy():
    x, y = blobs()
    model = classifier()
    model.compile(optimizer=Adam(0.05), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0, seed=1,
                        validation_split=0.25)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.history["accuracy"][-1] > 0.9
    loss, acc = model.evaluate(x, y, verbose=0)
    assert acc > 0.9 and loss < 0.4
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert logs == pytest.approx({"loss": loss, "accuracy": acc})


def test_same_seed_same_run():
    x, y = blobs()
    runs = []
    for _ in range(2):
        model = classifier()
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        runs.append(model.fit(x, y, epochs=2, batch_size=10, verbose=0, seed=7).history["loss"])
    assert runs[0] == runs[1]


def test_resume_after_save_and_load_matches_unbroken_training(tmp_path):
    x, y = blobs()
    straight = classifier()
    straight.compile(optimizer=Adam(0.01), loss="sparse_categorical_crossentropy")
    resumed = classifier()
    resumed.compile(optimizer=Adam(0.01), loss="sparse_categorical_crossentropy")
    np.testing.assert_array_equal(straight.get_weights()[0], resumed.get_weights()[0])

    straight.fit(x, y, epochs=2, batch_size=16, verbose=0, seed=3)
    resumed.fit(x, y, epochs=1, batch_size=16, verbose=0, seed=3)
    resumed.save(tmp_path / "half.lamina")
    resumed = load_model(tmp_path / "half.lamina")
    resumed.fit(x, y, epochs=2, initial_epoch=1, batch_size=16, verbose=0, seed=3)
    for a, b in zip(straight.get_weights(), resumed.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_validation_data_sample_and_class_weights():
    x, y = blobs()
    model = classifier()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    h = model.fit(x, y, epochs=1, verbose=0, validation_data=(x[:20], y[:20]),
                  class_weight={0: 1.0, 1: 2.0, 2: 1.0})
    assert "val_loss" in h.history
    # a zero sample weight removes the sample from the loss
    w = np.ones(len(x), "float32")
    w[::2] = 0.0
    full = model.evaluate(x, y, sample_weight=w, verbose=0)
    half = model.evaluate(x[1::2], y[1::2], verbose=0)
    assert full == pytest.approx(half / 2, rel=1e-5)  # sum over all / batch size


def test_train_test_predict_on_batch():
    x, y = blobs(32)
    model = classifier()
    model.compile(optimizer=SGD(0.1), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    before = model.test_on_batch(x, y)
    model.train_on_batch(x, y)
    after = model.test_on_batch(x, y, return_dict=True)
    assert after["loss"] < before[0]
    assert model.predict_on_batch(x).shape == (32, 3)


def test_nb_epoch_and_lr_legacy_names():
    x, y = blobs(20)
    model = classifier()
    with pytest.warns(DeprecationWarning, match="learning_rate"):
        opt = SGD(lr=0.1)
    model.compile(optimizer=opt, loss="sparse_categorical_crossentropy")
    with pytest.warns(DeprecationWarning, match="epochs"):
        h = model.fit(x, y, nb_epoch=3, verbose=0)
    assert len(h.history["loss"]) == 3


def test_bad_inputs_speak_to_users():
    x, y = blobs(20)
    model = classifier()
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(x, y, verbose=0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="'x' sizes: 20 'y' sizes: 19"):
        model.fit(x, y[:19], verbose=0)
    with pytest.raises(ValueError, match="label 7.*3 classes|7.*out of range"):
        model.fit(x, np.full(20, 7), verbose=0)
    with pytest.raises(ValueError, match="looks one-hot"):
        model.fit(x, np.eye(3)[y], verbose=0)
    model2 = classifier()
    model2.compile(optimizer="adam", loss="categorical_crossentropy")
    with pytest.raises(ValueError, match="integer class ids"):
        model2.fit(x, y, verbose=0)
    with pytest.raises(ValueError, match="Unknown optimizer: 'adamm'. Did you mean 'adam'"):
        model.compile(optimizer="adamm", loss="mse")
    with pytest.raises(ValueError, match="Unknown loss: 'mse2'"):
        model.compile(optimizer="adam", loss="mse2")


def test_terminate_on_nan_stops_and_says_where(capsys):
    from lamina.callbacks import TerminateOnNaN

    x, y = blobs(40)
    model = classifier()
    model.compile(optimizer=SGD(1e30), loss="sparse_categorical_crossentropy")
    with np.errstate(all="ignore"):
        h = model.fit(x, y, epochs=5, batch_size=4, verbose=0, callbacks=[TerminateOnNaN()])
    assert len(h.history.get("loss", [])) <= 1
    captured = capsys.readouterr()
    assert "Batch" in captured.out + captured.err and "nan" in (captured.out + captured.err)


def test_generator_and_sequence_inputs():
    x, y = blobs(40)

    class Seq:
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return x[i * 10:(i + 1) * 10], y[i * 10:(i + 1) * 10]

    model = classifier()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    h = model.fit(Seq(), epochs=2, verbose=0)
    assert len(h.history["loss"]) == 2

    def gen():
        while True:
            for i in range(4):
                yield x[i * 10:(i + 1) * 10], y[i * 10:(i + 1) * 10]

    h = model.fit(gen(), steps_per_epoch=4, epochs=2, verbose=0)
    assert len(h.history["loss"]) == 2


def test_augment_is_applied_to_training_batches_only():
    x, y = blobs(40)
    seen = []

    def augment(batch):
        seen.append(batch.shape)
        return batch + 0.0

    model = classifier()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=16, verbose=0, augment=augment,
              validation_data=(x, y))
    assert seen == [(16, 2), (16, 2), (8, 2)] * 2
    with pytest.raises(TypeError, match="augment must be a callable"):
        model.fit(x, y, verbose=0, augment=3)
