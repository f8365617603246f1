"""lamina image train: a few steps of each task, weights that load, seeded, the CLI plugin."""

import argparse

import numpy as np
import pytest

from lamina.apps.imaging import registry, training
from lamina.apps.imaging import train as train_command

pytest.importorskip("skimage")


@pytest.mark.parametrize("task", list(registry.TASKS))
def test_a_quick_training_learns_and_saves_loadable_weights(task, tmp_path):
    out = tmp_path / f"{task}.weights.npz"
    model, report = training.train(task, out=out, verbose=False, rounds=2, crops_per_round=32,
                                   batch_size=16)
    assert report["steps"] == 4 and len(report["rounds"]) == 2
    assert all(np.isfinite(r["loss"]) and r["psnr"] > 5 for r in report["rounds"])
    loaded = registry.load_model(task, out)
    x = np.random.default_rng(0).uniform(0, 1, (1, 16, 16, registry.TASKS[task].in_channels))
    np.testing.assert_array_equal(loaded.predict(x.astype("float32"), verbose=0),
                                  model.predict(x.astype("float32"), verbose=0))


def test_the_same_seed_gives_the_same_weights():
    a, _ = training.train("upscale", verbose=False, **training.QUICK)
    b, _ = training.train("upscale", verbose=False, **training.QUICK)
    for u, v in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(u, v)


def test_the_recipes_train_within_the_budget_of_the_issue():
    for recipe in training.RECIPES.values():
        steps = recipe.steps
        while recipe.after is not None:   # a recipe that continues another: both stages
            recipe = training.RECIPES[recipe.after]
            steps += recipe.steps
        assert steps <= 4000 and recipe.batch_size == 32 and recipe.size == 32
    for task in registry.TASKS:
        assert task in training.RECIPES


def test_a_recipe_that_continues_another_trains_it_first_or_starts_from_weights(tmp_path,
                                                                             monkeypatch):
    small = {"rounds": 1, "crops_per_round": 32, "batch_size": 16}
    later = training.Recipe(rounds=3, lr=3e-4, min_std=0.15, images=("china", "flower"),
                            sigma_range=(0.1, 0.2), after="denoise")
    monkeypatch.setitem(training.RECIPES, "denoise.later", later)
    model, report = training.train("denoise", recipe=later, verbose=False, **small)
    assert report["before"]["steps"] == 2 and report["before"]["before"] is None
    out = tmp_path / "base.weights.npz"
    training.train("denoise", out=out, verbose=False, **small)
    again, report = training.train("denoise", recipe=later, init=out, verbose=False, **small)
    assert report["before"] is None and report["init"] == str(out)
    for u, v in zip(again.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(u, v)   # the first stage's weights, loaded: the same


def test_a_run_cut_short_is_the_first_rounds_of_the_longer_schedule():
    small = {"crops_per_round": 32, "batch_size": 16}
    whole = training.Recipe(rounds=2, **small)
    cut = training.Recipe(rounds=1, schedule_rounds=2, **small)
    assert (cut.steps, cut.schedule_steps, whole.schedule_steps) == (2, 4, 4)
    _, long_run = training.train("upscale", recipe=whole, verbose=False)
    _, short_run = training.train("upscale", recipe=cut, verbose=False)
    assert short_run["rounds"] == long_run["rounds"][:1]


def test_blend_scales_the_correction_by_the_best_factor_on_held_out_crops():
    recipe = training.Recipe(rounds=1, crops_per_round=32, batch_size=16, loss="psnr",
                             blend="correction")
    model, report = training.train("inpaint", recipe=recipe, verbose=False)
    scores = report["blend"]["psnr"]
    assert set(scores) == set(training.BLEND_FACTORS)
    assert scores[report["blend"]["factor"]] == max(scores.values())


def test_the_psnr_loss_is_minus_each_images_psnr():
    y_true = np.zeros((2, 4, 4, 1), "float32")
    y_pred = np.stack([np.full((4, 4, 1), 0.1), np.full((4, 4, 1), 0.01)]).astype("float32")
    loss = training.psnr_loss(y_true, y_pred).numpy()
    # mean squared errors 0.01 and 0.0001, plus the floor 1e-5: 10 log10 of each
    expected = 10 * np.log10(np.array([0.01, 0.0001]) + training.MSE_FLOOR)
    np.testing.assert_allclose(loss, expected, rtol=1e-6)   # float32 log: a few ulps


def test_textured_crops_are_kept_until_there_are_enough():
    recipe = training.Recipe(rounds=1, min_std=0.1)
    crops = training._crops(recipe, 200, np.random.default_rng(0))
    assert crops.shape == (200, 32, 32, 1) and (crops.std(axis=(1, 2, 3)) >= 0.1).all()
    plain = training._crops(training.Recipe(rounds=1), 200, np.random.default_rng(0))
    assert (plain.std(axis=(1, 2, 3)) < 0.1).any()   # without it, flat crops come too


def _parse(*argv):
    parser = argparse.ArgumentParser()
    train_command.add_arguments(parser)
    return parser.parse_args(argv)


def test_the_cli_plugin_trains_and_writes(tmp_path, capsys):
    out = tmp_path / "sr.weights.npz"
    assert train_command.run(_parse("upscale", "--quick", "--out", str(out))) == 0
    assert out.is_file()
    assert "[lamina image train] upscale" in capsys.readouterr().out
    assert train_command.run(_parse("upscale", "--rounds", "0")) == 2
    assert "--rounds must be positive; received 0" in capsys.readouterr().err
