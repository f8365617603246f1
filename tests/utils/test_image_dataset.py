import numpy as np
import pytest

import lamina
from lamina import utils

pytest.importorskip("PIL")


class Scale(lamina.Layer):
    """Pixels to [0, 1], written with lamina.ops as a Keras custom layer."""

    def call(self, inputs):
        return lamina.ops.multiply(inputs, 1.0 / 255.0)


@pytest.fixture
def folder(tmp_path):
    """cats/ with 3 dark images, dogs/ with 2 bright ones (8x6 PNGs)."""
    for name, count, value in (("cats", 3, 20.0), ("dogs", 2, 230.0)):
        (tmp_path / name).mkdir()
        for i in range(count):
            utils.save_img(tmp_path / name / f"{i}.png", np.full((8, 6, 3), value + i),
                           scale=False)
    (tmp_path / "cats" / "notes.txt").write_text("not an image")
    return tmp_path


def test_batches_labels_and_class_names(folder, capsys):
    ds = utils.image_dataset_from_directory(folder, image_size=(4, 4), batch_size=2,
                                            shuffle=False)
    assert "Found 5 files belonging to 2 classes." in capsys.readouterr().out
    assert ds.class_names == ["cats", "dogs"] and len(ds) == 3
    x, y = ds[0]
    assert x.shape == (2, 4, 4, 3) and x.dtype == np.float32 and y.dtype == np.int32
    labels = np.concatenate([ds[i][1] for i in range(len(ds))])
    assert labels.tolist() == [0, 0, 0, 1, 1]
    np.testing.assert_allclose(ds[2][0][0], 231.0)  # dogs/1.png, every pixel 230 + 1


def test_label_modes_and_validation_split(folder):
    kw = dict(image_size=(4, 4), batch_size=8, verbose=False, seed=3)
    _, y = utils.image_dataset_from_directory(folder, label_mode="categorical", **kw)[0]
    assert y.shape == (5, 2) and y.sum() == 5
    _, y = utils.image_dataset_from_directory(folder, label_mode="binary", **kw)[0]
    assert y.shape == (5, 1)
    train, val = utils.image_dataset_from_directory(folder, validation_split=0.4, subset="both",
                                                    **kw)
    assert len(train.file_paths) == 3 and len(val.file_paths) == 2
    assert not set(train.file_paths) & set(val.file_paths)
    with pytest.raises(ValueError, match="subset must be 'training'"):
        utils.image_dataset_from_directory(folder, validation_split=0.2, **kw)


def test_fit_trains_on_the_directory_dataset(folder):
    ds = utils.image_dataset_from_directory(folder, image_size=(4, 4), batch_size=2, seed=0,
                                            verbose=False)
    utils.set_random_seed(0)
    model = lamina.Sequential([lamina.Input((4, 4, 3)), Scale(), lamina.layers.Flatten(),
                               lamina.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=lamina.optimizers.SGD(0.5),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(ds, epochs=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.evaluate(ds, verbose=0)[1] == 1.0  # dark against bright: separable


def test_a_fifo_named_like_an_image_is_refused_not_waited_on(folder):
    import os

    os.mkfifo(folder / "dogs" / "2.png")  # reading it would wait for a writer forever
    ds = utils.image_dataset_from_directory(folder, image_size=(4, 4), batch_size=8,
                                            shuffle=False)
    with pytest.raises(ValueError, match=r"2\.png' is a FIFO, not a regular file"):
        ds[0]
