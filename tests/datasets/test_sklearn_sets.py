import sys

import numpy as np
import pytest

from lamina.datasets import digits, iris


def test_iris():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    x, y = iris.load_data()
    assert x.shape == (150, 4) and x.dtype == np.float32
    assert y.shape == (150,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [50, 50, 50])
    np.testing.assert_allclose(x[0], [5.1, 3.5, 1.4, 0.2], rtol=1e-6)  # Fisher's first flower
    bunch = sklearn_datasets.load_iris()
    assert iris.CLASS_NAMES == tuple(bunch.target_names)
    assert iris.FEATURE_NAMES == tuple(n.replace(" (cm)", "") for n in bunch.feature_names)


def test_digits_flat_and_as_images():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    x, y = digits.load_data()
    assert x.shape == (1797, 64) and x.dtype == np.float32 and y.dtype == np.int64
    assert x.min() == 0 and x.max() == 16 and sorted(set(y.tolist())) == list(range(10))
    images, y2 = digits.load_data(as_images=True)
    assert images.shape == (1797, 8, 8)
    np.testing.assert_array_equal(images.reshape(1797, 64), x)
    np.testing.assert_array_equal(y2, y)
    assert digits.CLASS_NAMES == tuple(str(t) for t in sklearn_datasets.load_digits().target_names)


@pytest.mark.parametrize(("module", "name"), [(iris, "iris"), (digits, "digits")])
def test_without_scikit_learn_the_error_says_what_to_install(monkeypatch, module, name):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # makes `import sklearn` fail
    with pytest.raises(ImportError, match=rf"{name}\.load_data\(\) needs scikit-learn, which "
                       r"ships this dataset: pip install 'lamina\[interop\]'"):
        module.load_data()
