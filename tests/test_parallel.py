import threading

import numpy as np
import pytest

from lamina import parallel
from tests.tolerance import assert_matmul_close, assert_sums_close


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


def test_the_caller_takes_a_bigger_part_of_a_short_product():
    """The calling thread (last part) takes an even part plus what it computes while the
    worker starts: more of a short product, about half of a long one, never over 0.1 more.
    The split comes from the sizes, so results do not vary run to run."""
    share = parallel.caller_share
    assert share(parallel.HANDOFF_MACS, 2) == 0.6  # capped
    assert share(10 * parallel.HANDOFF_MACS, 2) == pytest.approx(0.55)
    assert share(1000 * parallel.HANDOFF_MACS, 2) == pytest.approx(0.5005)
    assert share(40 * parallel.HANDOFF_MACS, 4) == pytest.approx(0.25 + 0.75 / 40)
    parallel.set_num_threads(2)
    try:
        main = threading.get_ident()
        parts = parallel._parallel_for(lambda lo, hi: (lo, hi, threading.get_ident() == main),
                                       100, share=0.55)
        assert parts == [(0, 45, False), (45, 100, True)]
        assert parallel._parallel_for(lambda lo, hi: (lo, hi), 3, share=0.55) == \
            [(0, 1), (1, 3)]
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
    # every output and gradient is a sum of at most 3*3*4*6 products of |values| < ~5 * 5
    for a, b in zip(*results):
        assert_sums_close(a, b, terms=3 * 3 * 4 * 6, scale=25.0, dtype=np.float32)


def test_plan_matmul_depends_on_sizes_and_thread_count_only():
    small = parallel.MATMUL_SPLIT_MIN - 1
    assert parallel.plan_matmul(1, 1, small, 2) == "whole"
    assert parallel.plan_matmul(64, 300, 200, 1) == "whole"
    assert parallel.plan_matmul(64, 300, 200, 2) == "columns"
    assert parallel.plan_matmul(300, 300, 200, 2) == "rows"


def test_products_cut_the_same_way_whatever_ran_before():
    """A product's rounding depends on where it is cut; the cut depends only on its sizes and
    the thread count, so the same product gives the same bits before and after other work was
    split over the threads (as a convolution does)."""
    parallel.set_num_threads(2)
    rng = np.random.default_rng(0)
    a = rng.standard_normal((300, 300)).astype("float32")
    b = rng.standard_normal((300, 200)).astype("float32")
    try:
        with parallel.lamina_threads():
            first = parallel.matmul(np, a, b)
            parallel.parallel_for(lambda lo, hi: None, 4)  # e.g. a convolution
            second = parallel.matmul(np, a, b)
    finally:
        parallel.set_num_threads(parallel._default_threads())
    np.testing.assert_array_equal(first, second)
    assert_matmul_close(first, a, b)


@pytest.mark.skipif(parallel._blas_control().set is None,
                    reason="needs a BLAS whose thread count lamina can set (OpenBLAS)")
def test_products_run_blas_at_one_thread_and_leave_blas_as_found(monkeypatch):
    """Inside lamina's scope BLAS runs one thread per call while lamina splits the product;
    outside it matmul leaves BLAS's thread count as the caller set it."""
    blas = parallel._blas_control()
    before = blas.get()
    parallel.set_num_threads(2)
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((300, 300)), rng.standard_normal((300, 200))
    split = []
    real = parallel._parallel_for

    def spy(fn, *args, **kwargs):
        def part(lo, hi):
            split.append(blas.get())
            return fn(lo, hi)
        return real(part, *args, **kwargs)

    monkeypatch.setattr(parallel, "_parallel_for", spy)
    try:
        with parallel.lamina_threads():
            assert_matmul_close(parallel.matmul(np, a, b), a, b)
        assert split == [1, 1] and blas.get() == before
        assert_matmul_close(parallel.matmul(np, a, b), a, b)  # outside lamina's scope
        assert blas.get() == before and len(split) == 4
    finally:
        blas.set(before)
        parallel.set_num_threads(parallel._default_threads())
