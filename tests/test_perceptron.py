import warnings

import numpy as np
import pytest

from lamina.perceptron import ConvergenceWarning, Perceptron

GATES_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float32")
OR = np.array([0, 1, 1, 1])
AND = np.array([0, 0, 0, 1])
XOR = np.array([0, 1, 1, 0])


def test_or_converges_with_the_hand_worked_weights():
    # lr = 1, w = b = 0, H(0) = 0. Epoch 1: (0,1) fires 0 instead of 1 -> w = (0, 1), b = 1.
    # Epoch 2: (0,0) fires -> b = 0; (1,0) silent -> w = (1, 1), b = 1. Epoch 3: (0,0) fires
    # -> b = 0. Epoch 4: no error.
    p = Perceptron().fit(GATES_X, OR)
    assert p.converged_ and p.n_epochs_ == 4 <= 10
    assert p.errors_per_epoch_ == [1, 2, 1, 0]
    np.testing.assert_array_equal(p.weights_per_epoch_[0], [0.0, 1.0])
    assert p.bias_per_epoch_[0] == 1.0
    np.testing.assert_array_equal(p.weights_, [1.0, 1.0])
    assert p.bias_ == 0.0
    assert p.result_ == "converged in 4 epochs"
    np.testing.assert_array_equal(p.predict(GATES_X), OR)
    assert p.score(GATES_X, OR) == 1.0


def test_and_converges_in_a_few_epochs():
    p = Perceptron().fit(GATES_X, AND)
    assert p.converged_ and p.n_epochs_ <= 10
    assert p.errors_per_epoch_ == [1, 3, 3, 2, 1, 0]
    np.testing.assert_array_equal(p.weights_, [2.0, 1.0])
    assert p.bias_ == -2.0
    np.testing.assert_array_equal(p.predict(GATES_X), AND)
    np.testing.assert_array_equal(p.decision_function(GATES_X), [-2.0, -1.0, 0.0, 1.0])


def test_one_epoch_by_hand_with_a_learning_rate():
    # lr = 0.5. x = (2, 1), d = 0: net 0 -> y = 0, right. x = (-1, 3), d = 1: y = 0, wrong:
    # w = 0.5 * (-1, 3) = (-0.5, 1.5), b = 0.5.
    X = np.array([[2.0, 1.0], [-1.0, 3.0]])
    with pytest.warns(ConvergenceWarning, match="did not converge in 1 epoch \\(1 error"):
        p = Perceptron(learning_rate=0.5, max_epochs=1).fit(X, [0, 1])
    np.testing.assert_array_equal(p.weights_, [-0.5, 1.5])
    assert p.bias_ == 0.5 and not p.converged_
    # Epoch 2: (2, 1) now fires (net 1): w -= 0.5 (2, 1) -> (-1.5, 1.0), b = 0. Epoch 3: clean.
    p = Perceptron(learning_rate=0.5).fit(X, [0, 1])
    np.testing.assert_array_equal(p.weights_, [-1.5, 1.0])
    assert p.bias_ == 0.0 and p.n_epochs_ == 3 and p.errors_per_epoch_ == [1, 1, 0]


def test_xor_is_never_separated():
    with pytest.warns(ConvergenceWarning, match="did not converge in 1000 epochs"):
        p = Perceptron(max_epochs=1000).fit(GATES_X, XOR)
    assert not p.converged_ and p.n_epochs_ == 1000
    assert min(p.errors_per_epoch_) >= 1          # every single epoch has an error
    assert p.score(GATES_X, XOR) < 1.0
    assert "did not converge" in p.result_


def test_a_2_2_1_sigmoid_mlp_learns_xor():
    from lamina.initializers import RandomNormal
    from lamina.layers import Dense, Input
    from lamina.models import Sequential
    from lamina.optimizers import SGD

    model = Sequential([
        Input(shape=(2,)),
        Dense(2, activation="sigmoid", kernel_initializer=RandomNormal(stddev=1.0, seed=2)),
        Dense(1, activation="sigmoid", kernel_initializer=RandomNormal(stddev=1.0, seed=102)),
    ])
    model.compile(optimizer=SGD(learning_rate=2.0), loss="binary_crossentropy")
    model.fit(GATES_X, XOR[:, None].astype("float32"), epochs=1000, batch_size=4, verbose=0)
    out = model.predict(GATES_X, verbose=0).ravel()
    np.testing.assert_array_equal((out > 0.5).astype(int), XOR)
    assert np.all(np.abs(out - XOR) < 0.1)


def test_shuffle_is_repeatable_with_a_seed():
    a = Perceptron(shuffle=True, seed=3).fit(GATES_X, AND)
    b = Perceptron(shuffle=True, seed=3).fit(GATES_X, AND)
    assert a.errors_per_epoch_ == b.errors_per_epoch_
    np.testing.assert_array_equal(a.weights_, b.weights_)
    assert a.converged_


def test_several_classes_one_unit_per_class():
    rng = np.random.default_rng(0)
    centers = np.array([[4.0, 0.0], [-4.0, 0.0], [0.0, 5.0]])
    y = rng.integers(0, 3, 90)
    X = centers[y] + 0.5 * rng.standard_normal((90, 2))
    p = Perceptron(max_epochs=200).fit(X, y)
    assert p.weights_.shape == (2, 3) and p.bias_.shape == (3,)
    assert p.converged_
    assert p.score(X, y) == 1.0
    np.testing.assert_array_equal(p.classes_, [0, 1, 2])


def test_two_named_labels():
    d = np.array(["no", "yes", "yes", "yes"])
    p = Perceptron().fit(GATES_X, d)
    np.testing.assert_array_equal(p.predict(GATES_X), d)
    assert p.n_epochs_ == 4  # the same run as OR: "yes" is the unit's 1


def test_sklearn_manners():
    p = Perceptron(learning_rate=0.1, max_epochs=5)
    assert not hasattr(p, "weights_")
    assert p.get_params() == {"learning_rate": 0.1, "max_epochs": 5, "shuffle": False,
                              "seed": None}
    assert p.set_params(max_epochs=50) is p and p.max_epochs == 50
    assert p.fit(GATES_X, OR) is p
    assert "Perceptron(learning_rate=0.1" in repr(p)
    with pytest.raises(ValueError, match="invalid parameter 'epochs'"):
        p.set_params(epochs=3)


def test_lr_is_the_keras_1_spelling():
    with pytest.warns(DeprecationWarning, match="use `learning_rate`"):
        p = Perceptron(lr=0.5)
    assert p.learning_rate == 0.5


def test_bad_inputs_have_clear_messages():
    with pytest.raises(RuntimeError, match="not fitted yet"):
        Perceptron().predict(GATES_X)
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, n_features\)"):
        Perceptron().fit([0, 1, 1], [0, 1, 1])
    with pytest.raises(ValueError, match=r"d must have shape \(n_samples,\) = \(4,\)"):
        Perceptron().fit(GATES_X, [0, 1])
    with pytest.raises(ValueError, match="learning_rate must be a positive number"):
        Perceptron(learning_rate=0).fit(GATES_X, OR)
    with pytest.raises(ValueError, match="max_epochs must be a positive int"):
        Perceptron(max_epochs=2.5).fit(GATES_X, OR)
    with pytest.raises(ValueError, match="at least two classes"):
        Perceptron().fit(GATES_X, [2, 2, 2, 2])
    with pytest.raises(TypeError, match="unrecognized keyword argument"):
        Perceptron(epochs=3)
    p = Perceptron().fit(GATES_X, OR)
    with pytest.raises(ValueError, match="X has 3 features, but the perceptron was fitted with 2"):
        p.predict(np.zeros((2, 3)))


def test_converging_fit_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a ConvergenceWarning would raise here
        p = Perceptron().fit(GATES_X, OR)
    np.testing.assert_array_equal(p.predict(GATES_X), OR)  # it did converge
