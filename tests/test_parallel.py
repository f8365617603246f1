import threading

import numpy as np
import pytest

from lamina import parallel


def test_parallel_for_covers_the_range_in_order_and_restores_blas():
    blas = parallel._blas_control()
    before = blas.get() if blas.get else None
    parallel.set_num_threads(2)
    try:
        seen = []
        parts = parallel.parallel_for(lambda lo, hi: seen.append((lo, hi)) or (lo, hi), 10)
        assert parts == [(0, 5), (5, 10)]
        assert sorted(seen) == [(0, 5), (5, 10)]
        assert (blas.get() if blas.get else None) == before
    finally:
        parallel.set_num_threads(parallel._default_threads())


def test_blas_is_single_threaded_inside_and_nested_calls_run_serially():
    blas = parallel._blas_control()
    parallel.set_num_threads(2)
    try:
        inner = []

        def work(lo, hi):
            if blas.get:
                assert blas.get() == 1
            inner.append(parallel.parallel_for(lambda a, b: threading.get_ident(), 4))
            return hi - lo

        assert parallel.parallel_for(work, 8) == [4, 4]
        assert all(len(r) == 1 for r in inner)  # no nested splitting
    finally:
        parallel.set_num_threads(parallel._default_threads())


def test_balance_gives_the_caller_the_bigger_part():
    """With ``balance`` the calling thread (last part) takes CALLER_SHARE of the items: the
    worker starts after the hand-off. The split is fixed, so results do not vary run to run."""
    parallel.set_num_threads(2)
    try:
        main = threading.get_ident()
        parts = parallel._parallel_for(lambda lo, hi: (lo, hi, threading.get_ident() == main),
                                       100, balance=True)
        assert parts == [(0, 45, False), (45, 100, True)]
        assert parallel._parallel_for(lambda lo, hi: (lo, hi), 3, balance=True) == \
            [(0, 1), (1, 3)]
        assert not parallel.splits_work()  # products' own split does not switch the mode
    finally:
        parallel.set_num_threads(parallel._default_threads())


def test_small_work_and_one_thread_do_not_split():
    assert parallel.parallel_for(lambda lo, hi: (lo, hi), 1) == [(0, 1)]
    assert parallel.parallel_for(lambda lo, hi: (lo, hi), 6, min_per_thread=4) == [(0, 6)]
    parallel.set_num_threads(1)
    try:
        assert parallel.parallel_for(lambda lo, hi: (lo, hi), 100) == [(0, 100)]
    finally:
        parallel.set_num_threads(parallel._default_threads())


def test_errors_propagate_after_all_parts_finish():
    parallel.set_num_threads(2)
    try:
        def work(lo, hi):
            if lo == 0:
                raise RuntimeError("boom")
            return np.ones(3)

        with pytest.raises(RuntimeError, match="boom"):
            parallel.parallel_for(work, 4)
    finally:
        parallel.set_num_threads(parallel._default_threads())
    with pytest.raises(ValueError, match="positive int"):
        parallel.set_num_threads(0)


def test_conv_results_do_not_depend_on_the_thread_count():
    import lamina.functional as F
    from lamina import Tensor

    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 7, 7, 3)).astype("float32")
    w = rng.standard_normal((3, 3, 3, 4)).astype("float32")
    results = []
    for threads in (1, 2):
        parallel.set_num_threads(threads)
        xt, wt = Tensor(x, requires_grad=True), Tensor(w, requires_grad=True)
        out = F.conv2d(xt, wt, padding="same", strides=2)
        out.sum().backward()
        results.append((out.data, xt.grad, wt.grad))
    parallel.set_num_threads(parallel._default_threads())
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


@pytest.mark.skipif(parallel._blas_control().set is None,
                    reason="needs a BLAS whose thread count lamina can set (OpenBLAS)")
def test_products_use_blas_threads_until_lamina_splits_other_work(monkeypatch):
    """An MLP's products run on BLAS's own threads; the first op lamina splits itself (conv,
    pooling, optimizer) switches products to lamina's split for the rest of the process."""
    monkeypatch.setattr(parallel, "_split_elsewhere", False)
    parallel.set_num_threads(2)
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((64, 300)), rng.standard_normal((300, 200))
    assert 64 * 300 * 200 >= parallel.MATMUL_SPLIT_MIN
    split = []
    real = parallel._parallel_for
    monkeypatch.setattr(parallel, "_parallel_for", lambda *x, **k: split.append(1) or real(*x, **k))
    blas = parallel._blas_control()
    try:
        with parallel.lamina_threads():
            np.testing.assert_allclose(parallel.matmul(np, a, b), a @ b, rtol=1e-12)
            assert split == [] and not parallel.splits_work()
            if blas.get:
                assert blas.get() == 1  # back to one BLAS thread inside lamina's scope
            parallel.parallel_for(lambda lo, hi: None, 4)  # e.g. a convolution
            assert parallel.splits_work()
            np.testing.assert_allclose(parallel.matmul(np, a, b), a @ b, rtol=1e-12)
            assert len(split) == 2  # that parallel_for and the product's
    finally:
        parallel.set_num_threads(parallel._default_threads())


@pytest.mark.skipif(parallel._blas_control().set is None,
                    reason="needs a BLAS whose thread count lamina can set (OpenBLAS)")
def test_products_keep_the_callers_blas_limit_and_leave_blas_as_found(monkeypatch):
    """A caller that limited BLAS to one thread keeps products off BLAS's threads (lamina
    splits them), and matmul outside lamina's scope leaves BLAS's thread count alone."""
    monkeypatch.setattr(parallel, "_split_elsewhere", False)
    blas = parallel._blas_control()
    before = blas.get()
    parallel.set_num_threads(2)
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((64, 300)), rng.standard_normal((300, 200))
    split = []
    real = parallel._parallel_for
    monkeypatch.setattr(parallel, "_parallel_for", lambda *x, **k: split.append(1) or real(*x, **k))
    try:
        blas.set(1)  # as threadpool_limits(1) does
        with parallel.lamina_threads():
            np.testing.assert_allclose(parallel.matmul(np, a, b), a @ b, rtol=1e-12)
        assert split == [1] and blas.get() == 1
        blas.set(before)
        np.testing.assert_allclose(parallel.matmul(np, a, b), a @ b, rtol=1e-12)  # no scope
        assert blas.get() == before and len(split) == 2
    finally:
        blas.set(before)
        parallel.set_num_threads(parallel._default_threads())
