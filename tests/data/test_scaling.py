import json

import numpy as np
import pytest

from lamina.data import MinMaxScaler, NotFittedError, StandardScaler

X = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 10.0]])


def test_standard_scaler_against_hand_computed_numbers():
    scaler = StandardScaler().fit(X)
    np.testing.assert_allclose(scaler.mean_, [3.0, 6.0])
    np.testing.assert_allclose(scaler.var_, [8 / 3, 32 / 3])  # population variance
    np.testing.assert_allclose(scaler.scale_, [np.sqrt(8 / 3), np.sqrt(32 / 3)])
    assert scaler.n_features_in_ == 2 and scaler.n_samples_seen_ == 3
    z = 2 / np.sqrt(8 / 3)  # 1.2247...
    np.testing.assert_allclose(scaler.transform(X), [[-z, -z], [0, 0], [z, z]])
    # new data uses the training statistics, not its own
    np.testing.assert_allclose(scaler.transform([[7.0, 6.0]]), [[4 / np.sqrt(8 / 3), 0.0]])
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(X)), X)
    np.testing.assert_allclose(StandardScaler(with_mean=False).fit_transform(X)[0],
                               [1 / np.sqrt(8 / 3), 2 / np.sqrt(32 / 3)])


def test_standard_scaler_constant_feature_dtype_nan_and_images():
    x = np.array([[1, 5], [3, 5], [5, 5]], dtype=np.int64)
    out = StandardScaler().fit_transform(x)
    assert out.dtype == np.float32 and np.all(out[:, 1] == 0)
    x32 = X.astype(np.float32)
    scaler = StandardScaler().fit(x32)
    assert scaler.transform(x32).dtype == np.float32
    assert scaler.inverse_transform(scaler.transform(x32)).dtype == np.float32
    with_nan = StandardScaler().fit([[1.0, np.nan], [3.0, 2.0], [5.0, 4.0]])
    np.testing.assert_allclose(with_nan.mean_, [3.0, 3.0])
    assert np.isnan(with_nan.transform([[np.nan, 2.0]])[0, 0])
    images = np.random.default_rng(0).random((8, 4, 4, 3))
    per_channel = StandardScaler().fit_transform(images)  # features = last axis
    np.testing.assert_allclose(per_channel.mean(axis=(0, 1, 2)), 0, atol=1e-12)
    np.testing.assert_allclose(per_channel.std(axis=(0, 1, 2)), 1)


def test_standard_scaler_matches_scikit_learn():
    sk = pytest.importorskip("sklearn.preprocessing")
    x = np.random.default_rng(1).normal(3.0, 2.0, (50, 4))
    ours, theirs = StandardScaler().fit(x[:40]), sk.StandardScaler().fit(x[:40])
    np.testing.assert_allclose(ours.transform(x[40:]), theirs.transform(x[40:]), rtol=1e-12)
    ours, theirs = MinMaxScaler((-2, 3)).fit(x[:40]), sk.MinMaxScaler((-2, 3)).fit(x[:40])
    np.testing.assert_allclose(ours.transform(x[40:]), theirs.transform(x[40:]), rtol=1e-12)


def test_min_max_scaler_against_hand_computed_numbers():
    x = np.array([[1.0, -1.0], [3.0, 1.0], [5.0, 3.0]])
    scaler = MinMaxScaler().fit(x)
    np.testing.assert_allclose(scaler.data_min_, [1.0, -1.0])
    np.testing.assert_allclose(scaler.data_max_, [5.0, 3.0])
    np.testing.assert_allclose(scaler.scale_, [0.25, 0.25])
    np.testing.assert_allclose(scaler.min_, [-0.25, 0.25])
    np.testing.assert_allclose(scaler.transform(x), [[0, 0], [0.5, 0.5], [1, 1]])
    np.testing.assert_allclose(scaler.transform([[7.0, -3.0]]), [[1.5, -0.5]])
    np.testing.assert_allclose(scaler.inverse_transform([[0.5, 1.0]]), [[3.0, 3.0]])
    sym = MinMaxScaler(feature_range=(-1, 1)).fit(x)
    np.testing.assert_allclose(sym.transform(x)[:, 0], [-1, 0, 1])
    np.testing.assert_allclose(sym.inverse_transform(sym.transform(x)), x)
    clipped = MinMaxScaler(clip=True).fit(x)
    np.testing.assert_allclose(clipped.transform([[7.0, -3.0]]), [[1.0, 0.0]])
    flat = MinMaxScaler().fit([[2.0], [2.0]])  # zero range: no division by zero
    np.testing.assert_allclose(flat.transform([[2.0], [3.0]]), [[0.0], [1.0]])


@pytest.mark.parametrize("cls", [StandardScaler, MinMaxScaler])
def test_config_round_trip_through_json(cls):
    x = np.random.default_rng(2).normal(size=(20, 3))
    scaler = cls().fit(x)
    config = json.loads(json.dumps(scaler.get_config()))
    restored = cls.from_config(config)
    np.testing.assert_allclose(restored.transform(x), scaler.transform(x))
    np.testing.assert_allclose(restored.inverse_transform(x), scaler.inverse_transform(x))
    unfitted = cls.from_config(cls().get_config())
    assert "fitted" not in cls().get_config()
    with pytest.raises(NotFittedError):
        unfitted.transform(x)
    assert repr(cls()).startswith(cls.__name__ + "(")


def test_scaler_errors():
    with pytest.raises(NotFittedError, match="This StandardScaler instance is not fitted yet; "
                                             "call 'fit'.*before 'transform'"):
        StandardScaler().transform(X)
    with pytest.raises(NotFittedError, match="MinMaxScaler instance is not fitted yet"):
        MinMaxScaler().inverse_transform(X)
    scaler = StandardScaler().fit(X)
    with pytest.raises(ValueError, match="StandardScaler.transform: x has 3 features, but "
                                         "StandardScaler is expecting 2 features as input"):
        scaler.transform(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"expected an array of shape \(n_samples, n_features\);"
                                         r" received shape \(3,\). Reshape with x.reshape"):
        StandardScaler().fit([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="StandardScaler.fit: x has no samples"):
        StandardScaler().fit(np.zeros((0, 2)))
    with pytest.raises(TypeError, match="x must be numeric; received dtype <U1"):
        MinMaxScaler().fit([["a"], ["b"]])
    with pytest.raises(ValueError, match=r"feature_range must be a pair \(min, max\) with min < "
                                         r"max; received feature_range=\(1, 0\)"):
        MinMaxScaler(feature_range=(1, 0))
