"""Lecture 21: seed 002's dropout table on noisy test images, and dropout as an ensemble."""

from tests.examples.conclusions import assert_same_as_full_run
from tests.examples.data import needs_fashion_mnist
from tests.examples.test_lectures_advanced import assert_figures, lecture


@needs_fashion_mnist
def test_dropout_table_and_implicit_ensemble(tmp_path):
    module = lecture("dropout")
    r = module.main(tmp_path, quick=True)
    assert_same_as_full_run("dropout", r)
    assert_figures(tmp_path, "table.png", "ensemble.png")
    table = r["table"]
    plain, half, slide = (table[k] for k in ("no dropout", "Dropout(0.5)",
                                             "Dropout(0.8), the slide's"))
    # 1,000 test images: 0.001 each. Noise halves the plain network (the slide: 0.50);
    # dropout lifts the noisy accuracy (the slide: + 0.13), at most a few points of the
    # clean one (Dropout(0.8) keeps 1 unit in 5: it learns slower in this budget)
    assert plain["clean"] > 0.8 and plain["noisy"] < 0.5
    assert half["noisy"] > plain["noisy"] + 0.08 and slide["noisy"] > plain["noisy"] + 0.03
    assert plain["clean"] - 0.05 < half["clean"] < plain["clean"]
    assert slide["clean"] > 0.7
    # the ensemble: one thinned network is worse than the scaled full network; the average
    # of 50 thinned networks lands within 0.02 of it and agrees on > 90 % of the images
    for which, run in r["ensemble"].items():
        assert run["single_mean"] < run["full"] - 0.03, which
        assert abs(run["average"][50] - run["full"]) < 0.02, which
        assert run["average"][1] < run["average"][50] and run["agreement"] > 0.9, which
    # one pass of the whole set vs evaluate's batches of 32: the float32 sums differ in
    # order, which may flip a near tie or two
    assert abs(r["ensemble"]["clean"]["full"] - half["clean"]) <= 0.003
    assert abs(r["ensemble"]["noisy"]["full"] - half["noisy"]) <= 0.003
    assert module.SEED_TABLE == {"no dropout": 0.50, "dropout": 0.63}
