"""TextVectorization: Keras's vocabulary, ids, bag-of-words modes, saving, and odd input."""

import json
import math
import zipfile

import numpy as np
import pytest

from lamina.layers import (
    Conv1D,
    Dense,
    Embedding,
    GlobalMaxPooling1D,
    Input,
    TextVectorization,
)
from lamina.models import Model, Sequential, load_model
from lamina.random import set_random_seed
from tests.layers.harness import run_layer_test

TEXTS = ["The cat sat on the mat.", "The dog ate my homework!", "A cat, a dog; the end"]


@pytest.fixture(autouse=True)
def _seed():
    set_random_seed(0)


def adapted(**kwargs):
    layer = TextVectorization(**kwargs)
    layer.adapt(TEXTS)
    return layer


def test_adapt_orders_by_frequency_then_reverse_token_order_as_keras():
    layer = adapted()
    # the: 4, then dog, cat, a: 2 each, then the singletons. Keras ranks with
    # numpy.lexsort((tokens, counts))[::-1]: by count, then token, both descending.
    assert layer.get_vocabulary() == ["", "[UNK]", "the", "dog", "cat", "a", "sat", "on", "my",
                                      "mat", "homework", "end", "ate"]
    assert layer.vocabulary_size() == 13
    assert layer.get_vocabulary(include_special_tokens=False)[:2] == ["the", "dog"]
    # ties are cut at max_tokens in that order too; code points, so "Z" < "a" < "é"
    upper = TextVectorization(standardize=None, max_tokens=4)
    upper.adapt(["b Z é a b"])
    assert upper.get_vocabulary() == ["", "[UNK]", "b", "é"]
    # Keras's own ranking, on the fortunes-like mix of counts of a longer text
    words = ("to be or not to be that is the question whether tis nobler in the mind to "
             "suffer the slings and arrows of outrageous fortune").split()
    tokens, counts = np.unique(np.array([w.encode() for w in words]), return_counts=True)
    keras_order = [t.decode() for t in tokens[np.lexsort((tokens, counts))[::-1]]]
    shakespeare = TextVectorization()
    shakespeare.adapt([" ".join(words)])
    assert shakespeare.get_vocabulary(include_special_tokens=False) == keras_order


def test_int_ids_pad_truncate_and_unseen_words():
    layer = adapted(output_sequence_length=5)
    out = layer(["the cat", "", "Zebra cat!", "the cat sat on the mat again"])
    assert out.shape == (4, 5) and out.dtype == np.float32
    np.testing.assert_array_equal(out.data, [
        [2, 4, 0, 0, 0],        # padded with 0
        [0, 0, 0, 0, 0],        # an empty text is all padding
        [1, 4, 0, 0, 0],        # zebra is out of vocabulary: [UNK] = 1
        [2, 4, 6, 7, 2],        # longer than 5 tokens: the first 5 are kept
    ])
    ragged = adapted()(["the cat sat", "dog"])  # no length: pad to the batch's longest
    np.testing.assert_array_equal(ragged.data, [[2, 4, 6], [3, 0, 0]])


def test_max_tokens_counts_the_special_tokens():
    layer = adapted(max_tokens=5, output_sequence_length=3)
    assert layer.get_vocabulary() == ["", "[UNK]", "the", "dog", "cat"]
    np.testing.assert_array_equal(layer(["a cat the"]).data, [[1, 4, 2]])


def test_standardize_split_and_ngrams_as_keras():
    assert adapted(standardize="lower").get_vocabulary()[2:4] == ["the", "a"]
    raw = TextVectorization(standardize=None, vocabulary=["The", "cat"])
    np.testing.assert_array_equal(raw(["The the cat."]).data, [[2, 1, 1]])
    chars = TextVectorization(split="character", vocabulary=["a", "b"])
    np.testing.assert_array_equal(chars(["ab!a"]).data, [[2, 3, 2]])
    whole = TextVectorization(split=None, vocabulary=["hello world"])
    np.testing.assert_array_equal(whole(["Hello, world", "other"]).data, [[2], [1]])
    bigrams = TextVectorization(ngrams=2, vocabulary=["a", "b", "a b"])
    np.testing.assert_array_equal(bigrams(["a b c"]).data, [[2, 3, 1, 4, 1]])  # 1-grams first
    only = TextVectorization(ngrams=(2,), vocabulary=["a b"])
    np.testing.assert_array_equal(only(["a b a"]).data, [[2, 1]])
    custom = TextVectorization(standardize=str.upper, split=lambda s: s.split("-"),
                               vocabulary=["A", "B"])
    np.testing.assert_array_equal(custom(["a-b-c"]).data, [[2, 3, 1]])
    with pytest.raises(ValueError, match="callable `standardize` cannot be saved"):
        custom.get_config()


def test_bag_of_words_modes():
    vocab = ["the", "cat", "dog"]
    texts = ["the cat the", "zebra", ""]
    multi = TextVectorization(output_mode="multi_hot", vocabulary=vocab)(texts)
    np.testing.assert_array_equal(multi.data, [[0, 1, 1, 0], [1, 0, 0, 0], [0, 0, 0, 0]])
    count = TextVectorization(output_mode="count", vocabulary=vocab, max_tokens=6,
                              pad_to_max_tokens=True)(texts)
    np.testing.assert_array_equal(count.data, [[0, 2, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0],
                                               [0] * 6])
    tfidf = TextVectorization(output_mode="tf_idf")
    tfidf.adapt(["the cat", "the dog", "the end"])
    assert tfidf.get_vocabulary() == ["[UNK]", "the", "end", "dog", "cat"]
    idf_the, idf_cat = math.log(1 + 3 / 4), math.log(1 + 3 / 2)
    out = tfidf(["the the cat zebra"]).data
    mean = (idf_the + 3 * idf_cat) / 4  # [UNK] weighs the vocabulary's mean idf
    np.testing.assert_allclose(out, [[mean, 2 * idf_the, 0, 0, idf_cat]], rtol=1e-6)


@pytest.mark.parametrize("kwargs,shape,expected", [
    ({"vocabulary": ["the", "cat"], "output_sequence_length": 4}, (3,), (3, 4)),
    ({"vocabulary": ["the", "cat"], "output_sequence_length": 2}, (3, 1), (3, 2)),
    ({"vocabulary": ["the", "cat", "sat"], "output_mode": "multi_hot"}, (3,), (3, 4)),
    ({"vocabulary": ["the", "cat"], "output_mode": "tf_idf", "idf_weights": [0.5, 1.5]},
     (3,), (3, 3)),
])
def test_shared_layer_test(kwargs, shape, expected, tmp_path):
    x = np.array(["the cat", "cat sat on the mat", ""], dtype=object).reshape(shape)
    layer = run_layer_test(TextVectorization, kwargs, shape, expected, 0, input_data=x,
                           tmp_path=tmp_path)
    assert layer.get_config()["vocabulary"] == kwargs["vocabulary"]


def text_model(layer, seed=0):
    set_random_seed(seed)
    inputs = Input(shape=(), dtype="string")
    h = Embedding(layer.vocabulary_size(), 4)(layer(inputs))
    outputs = Dense(2, activation="softmax")(GlobalMaxPooling1D()(Conv1D(3, 2)(h)))
    model = Model(inputs, outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def test_fit_and_predict_take_python_strings_and_the_model_saves_its_vocabulary(tmp_path):
    layer = adapted(output_sequence_length=6)
    model = text_model(layer)
    texts = ["the cat sat", "a dog ate", "the mat", "my homework"] * 4
    labels = np.array([0, 1, 0, 1] * 4)
    history = model.fit(texts, labels, epochs=3, batch_size=4, verbose=0, seed=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    probs = model.predict(texts, verbose=0)
    assert probs.shape == (16, 2)
    path = tmp_path / "text.lamina"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        config = json.loads(archive.read("config.json"))
    saved = next(c["config"] for c in config["model"]["config"]["layers"]
                 if c["class_name"] == "TextVectorization")
    assert saved["vocabulary"] == layer.get_vocabulary(include_special_tokens=False)
    assert saved["vocabulary"][:3] == ["the", "dog", "cat"]  # the vocabulary is data in JSON
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict(texts, verbose=0), probs)
    assert loaded.get_layer(layer.name).get_vocabulary() == layer.get_vocabulary()
    # the same in a Sequential model, strings of shape (batch,) and (batch, 1)
    seq = Sequential([adapted(output_sequence_length=6), Embedding(13, 4), GlobalMaxPooling1D(),
                      Dense(2, activation="softmax")])
    seq.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    seq.fit(np.array(texts, dtype=object), labels, epochs=1, batch_size=8, verbose=0, seed=0)
    column = np.array(texts, dtype=object).reshape(-1, 1)
    np.testing.assert_array_equal(seq.predict(column, verbose=0), seq.predict(texts, verbose=0))


def test_non_strings_are_refused_with_the_item_named():
    layer = adapted(output_sequence_length=3)
    with pytest.raises(TypeError, match=r"item 1 is int"):
        layer(["the cat", 3])
    with pytest.raises(TypeError, match=r"item 0 is NoneType"):
        layer(np.array([None, "x"], dtype=object))
    with pytest.raises(TypeError, match="wrap it in a list"):
        layer("the cat")
    with pytest.raises(ValueError, match=r"shape \(batch,\) or \(batch, 1\)"):
        layer(np.array([["a", "b"]]))
    np.testing.assert_array_equal(layer([b"the cat"]).data, [[2, 4, 0]])  # bytes: UTF-8
    with pytest.raises(ValueError, match="not valid UTF-8"):
        layer([b"\xff"])
    model = text_model(layer)
    with pytest.raises(TypeError, match=r"item 1 is float"):
        model.fit(["the cat", 2.5], [0, 1], verbose=0)  # not silently made into "2.5"
    with pytest.raises(TypeError, match="expected strings"):
        layer(np.zeros((2, 1), "float32"))


def test_empty_vocabulary_and_missing_vocabulary_raise():
    layer = TextVectorization()
    with pytest.raises(ValueError, match="no vocabulary: call adapt"):
        layer(["the cat"])
    with pytest.raises(ValueError, match=r"adapt found no tokens in 3 text\(s\)"):
        layer.adapt(["", "  ", "?!."])
    with pytest.raises(ValueError, match="adapt found no tokens in 0"):
        layer.adapt([])
    layer.adapt(["one"])  # one token is enough
    assert layer.get_vocabulary() == ["", "[UNK]", "one"]
    layer.adapt(["one", "two two", "three"], batch_size=1, steps=2)  # the first 2 texts only
    assert layer.get_vocabulary() == ["", "[UNK]", "two", "one"]
    layer.adapt(["one"])
    assert layer.get_vocabulary() == ["", "[UNK]", "one"]


def test_bad_arguments_and_vocabularies_are_named():
    with pytest.raises(ValueError, match="`output_mode` must be one of"):
        TextVectorization(output_mode="binary")
    with pytest.raises(ValueError, match="`max_tokens` must be None or an integer >= 3"):
        TextVectorization(max_tokens=2)
    with pytest.raises(ValueError, match="output_sequence_length` applies to output_mode='int'"):
        TextVectorization(output_mode="count", output_sequence_length=3)
    with pytest.raises(ValueError, match="`ngrams` must be None"):
        TextVectorization(ngrams=0)
    with pytest.raises(ValueError, match="only ragged=False"):
        TextVectorization(ragged=True)
    with pytest.raises(ValueError, match="holds 'a' more than once"):
        TextVectorization(vocabulary=["a", "b", "a"])
    with pytest.raises(ValueError, match="may only lead the vocabulary"):
        TextVectorization(vocabulary=["a", "[UNK]"])
    with pytest.raises(ValueError, match="more than max_tokens=4"):
        TextVectorization(vocabulary=["a", "b", "c"], max_tokens=4)
    with pytest.raises(TypeError, match="every vocabulary entry must be a str"):
        TextVectorization(vocabulary=["a", 3])
    with pytest.raises(TypeError, match="read a file yourself"):
        TextVectorization(vocabulary="vocab.txt")
    with pytest.raises(ValueError, match="needs idf_weights"):
        TextVectorization(output_mode="tf_idf", vocabulary=["a"])
    with pytest.raises(ValueError, match="must hold 1 finite non-negative"):
        TextVectorization(output_mode="tf_idf", vocabulary=["a"], idf_weights=[float("nan")])
    # the special tokens may lead a given vocabulary, as get_vocabulary() returns it
    layer = TextVectorization(vocabulary=["", "[UNK]", "a"])
    assert layer.get_vocabulary() == ["", "[UNK]", "a"]
