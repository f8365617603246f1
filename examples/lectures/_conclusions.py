"""What each lecture concludes, read from what its ``main`` returns (issue 20).

A lecture's *conclusion* is what a learner takes away, never a number that only the budget
sets: which optimizer wins, which curve lies below which, which method helps, which minimum a
run ends in, whether the slide's number is reproduced. ``--quick`` may be coarser than the
full run, never different: ``full_run_conclusions.json`` beside this file holds the
conclusions of the full runs (``python scripts/record_lecture_conclusions.py`` writes it), and
the lectures' tests assert that the quick run reaches the same ones
(``tests/examples/conclusions.py``).

Every function here maps a lecture's result to a JSON-able dict of names, booleans and
orderings (lists of labels, best first).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

RECORD = Path(__file__).with_name("full_run_conclusions.json")


def ranked(scores: dict, best="low") -> list:
    """The labels of ``scores`` ordered best first (lowest first when ``best == "low"``)."""
    return sorted(scores, key=lambda k: scores[k] if best == "low" else -scores[k])


def perceptron_logic_gates(r):
    return {"perceptron converges on": sorted(g for g, ok in r["converged"].items() if ok),
            "best line on XOR gets 3 of 4": r["xor_best_line_accuracy"] == 0.75,
            "a 2-2-1 network learns XOR": bool(r["mlp_xor_solved"]),
            "some restarts of the 2-2-1 network fail": r["mlp_restarts_solved"]
            < r["mlp_restarts"]}


def backprop_by_hand(r):
    return {"the trace equals autograd": r["max_error_autograd"] < 1e-10,
            "the hand step equals SGD": r["max_error_sgd_step"] < 1e-12,
            "every step lowers the loss": all(b < a for a, b in zip(r["losses"], r["losses"][1:]))}


def activation_functions(r):
    return {"autograd equals the formulas": max(r["max_error"].values()) < 1e-12,
            "largest slopes": {k: round(v, 4) for k, v in r["max_slope"].items()}}


def universal_approximation(r):
    narrow, wide = min(r["widths"]), max(r["widths"])
    return {"the widest layer beats one unit 5x on": sorted(
                f for f, m in r["mse"].items() if m[wide] < m[narrow] / 5),
            "hardest at the widest layer": ranked({f: m[wide] for f, m in r["mse"].items()})[-1]}


def gradient_descent(r):
    def verdict(x):
        d = abs(x - 2.0)
        return "converged" if d < 1e-3 else "diverged" if d > 5.0 else "not there yet"
    global_min = float(np.sort(np.roots([4.0, 0.0, -6.0, 1.0]).real)[0])
    return {"learning rates": {str(lr): verdict(x) for lr, x in r["final_x"].items()},
            "best momentum at lr 0.02": str(ranked(r["momentum_distance"])[0]),
            "runs that reach the global minimum": sorted(
                k for k, x in r["local_minima"].items() if abs(x - global_min) < 0.05)}


def optimizers(r):
    return {"winner": r["winner"],
            "reach Beale's minimum": sorted(k for k, v in r["steps_to_threshold"]["beale"].items()
                                            if v is not None),
            "stuck at the saddle": sorted(r["stuck_at_saddle"])}


def loss_choice(r):
    acc = r["test_accuracy"]
    wrong = r["gradient_at"]["0.001"]
    return {"better test accuracy": ranked(acc, "high")[0],
            "cross-entropy pushes harder when confidently wrong":
                wrong["cross_entropy"] > 100 * wrong["mse"]}


def minibatch(r):
    runs = r["runs"]
    noise = r["step_noise"]
    final = {s: v["loss_per_epoch"][-1] for s, v in runs.items()}
    return {"the smaller the batch, the lower the loss after the same epochs":
                ranked(final) == sorted(final),
            "full batch reaches the target": runs[max(runs)]["epochs_to_target"] is not None,
            "smallest batch reaches the target": runs[min(runs)]["epochs_to_target"] is not None,
            "the smaller the batch, the noisier the per-step loss":
                ranked(noise, "high") == sorted(noise)}


def overfitting(r):
    h = r["history"]
    base = r["regularizers"]["baseline"]
    helps = sorted(m for m, v in r["regularizers"].items()
                   if m != "baseline" and v["noisy"] > base["noisy"])
    losses = {k: v["loss"][-1] for k, v in r["normalization"].items()}
    online = r["normalization_online"]
    return {"validation loss turns back up": h["val_loss"][-1] > min(h["val_loss"]),
            "early stopping stops before the end": r["early_stopping"]["epochs_run"]
            < len(h["loss"]),
            "noise hurts the baseline": base["noisy"] < base["clean"],
            "help on noisy images": helps,
            "lowest training loss, batches of 100": ranked(losses),
            "best accuracy, one example per step": ranked(online, "high")[0]}


def initialization(r):
    acc = r["test_accuracy"]
    return {"initializers that train (test accuracy > 0.3)": {
                a: sorted(k for k, v in accs.items() if v > 0.3) for a, accs in acc.items()},
            "zeros learn nothing": all(v["zeros"] < 0.2 for v in acc.values()),
            "sigmoid gradient kept, most first": ranked(r["gradient_ratio"]["sigmoid"], "high"),
            "orthogonal gain that keeps ReLU's scale": [
                str(round(g, 3)) for g, v in r["orthogonal_relu_activation_ratio"].items()
                if 0.5 < v < 2]}


def convolution(r):
    return {"seed 001 reproduced, but for": [list(m) for m in r["seed001_mismatches"]],
            "seed 002 reproduced": all(r["seed002_ok"].values()),
            "seed 003 outputs": [int(r["seed003_outputs"][k]) for k in sorted(
                r["seed003_outputs"])],
            "the Laplacian sums to": int(r["seed003_kernel_sum"])}


def cnn_inside(r):
    h = r["history"]
    return {"beats chance 5x": r["test_accuracy"] > 0.5,
            "training loss falls": h["loss"][-1] < h["loss"][0],
            "the filters move": r["kernel_change"] > 0.05}


def classical_vs_neural(r):
    fashion = {k: v["accuracy"] for k, v in r["fashion_mnist"].items()}
    return {"every Iris model at least 0.85": all(v["accuracy"] >= 0.85
                                                  for v in r["iris"].values()),
            "the lamina CNN within 0.03 of the best on Fashion-MNIST":
                fashion["lamina CNN"] >= max(fashion.values()) - 0.03,
            "the lamina CNN beats the Perceptron and a single tree on Fashion-MNIST":
                fashion["lamina CNN"] > max(fashion["lamina Perceptron"],
                                            fashion["decision tree"]),
            "CNN features separate the classes better than pixels":
                r["separation"]["cnn"] > r["separation"]["pixels"],
            "the seed's PCA ratio": np.array_str(r["pca_ratio"])}


def housing_regression(r):
    res = r["results"]
    linear, lstsq = res["linear, Dense(1)"], res["least squares (NumPy)"]
    return {"the linear model reaches least squares": linear["mae"] < 1.03 * lstsq["mae"],
            "signs of (bedrooms, size, age)": [int(np.sign(c)) for c in r["coefficients"]],
            "the MLP beats the linear model": res["MLP 3-64-64-1"]["mae"] < linear["mae"]}


def architectures(r):
    return {"parameters": {row["name"]: row["params"] for row in r["table"]},
            "small networks that beat chance 3x (test accuracy > 0.3)": sorted(
                row["name"] for row in r["small"] if row["accuracy"] > 0.3)}


def text_cnn(r):
    scores = {**r["baselines"], "text CNN (lamina)": r["accuracy"]}
    return {"best": ranked(scores, "high")[0],
            "the text CNN beats the majority class": r["accuracy"] > max(
                v for k, v in r["baselines"].items() if "majority" in k.lower())}


def network_function(r):
    return {"f rounded to two decimals": {str(k): np.round(v, 2).tolist()
                                          for k, v in r["f"].items()},
            "equals the slide": bool(r["matches_slides"])}


def style_transfer(r):
    sweep = r["sweep"]
    keys = sorted(sweep, reverse=True)
    return {"texture style loss falls 95 %": all(f < 0.05 for f in r["texture_fall"].values()),
            "each texture nearest its own sample": all(a == b for a, b in r["nearest"].items()),
            "smaller alpha/beta: more content loss, less style loss": all(
                sweep[a]["content_loss"] < sweep[b]["content_loss"]
                and sweep[a]["style_loss"] > sweep[b]["style_loss"]
                for a, b in zip(keys, keys[1:]))}


def tabular(r):
    acc = r["accuracy"]
    bayes = acc["Bayes classifier (knows the rule)"]
    return {"no classifier beats the Bayes rule by more than 0.01": all(
                v <= bayes + 0.01 for v in acc.values()),
            "points needed, fewest first": ranked(r["needed"]),
            "most confused": "shoes vs handbags" if r["confusion"][0, 1] + r["confusion"][1, 0]
            > r["confusion"][:2, 2].sum() + r["confusion"][2, :2].sum() else "other"}


def decision_regions(r):
    acc = r["classifiers"]
    memorisers = ("decision tree", "random forest (100 trees)")
    svr = r["svr"]
    train = {k: v["train"] for k, v in acc.items()}
    return {"a memoriser (tree or forest) trains best": ranked(train, "high")[0] in memorisers,
            "memorisers test worse than the best": max(acc[m]["test"] for m in memorisers)
            < max(v["test"] for v in acc.values()),
            "the MLP tests at least as well as the RBF SVM":
                acc["lamina MLP 2-32-32-3"]["test"] >= acc["SVM, RBF kernel"]["test"],
            "lowest SVR error": ranked({k: v["mse"] for k, v in svr.items()
                                       if k.startswith("SVR")})[0]}


def dropout(r):
    t = r["table"]
    plain = t["no dropout"]
    return {"dropout helps on noisy images": sorted(
                k for k, v in t.items() if k != "no dropout" and v["noisy"] > plain["noisy"]),
            "noise hurts": plain["noisy"] < plain["clean"],
            "one thinned network is worse than the full one": all(
                e["single_mean"] < e["full"] for e in r["ensemble"].values()),
            "50 thinned networks average to the full one (within 0.02)": all(
                abs(e["average"][50] - e["full"]) < 0.02 for e in r["ensemble"].values())}


def image_to_image(r):
    tasks = sorted({row["task"] for row in r["rows"]})
    return {"the CNN beats the classical method in every measure of": [
        t for t in tasks if all(row["model"] > row["baseline_value"]
                                for row in r["rows"] if row["task"] == t)]}


def pooling(r):
    change = r["shift_change"]
    pooled = {k: v for k, v in change.items() if k != "no pooling"}
    return {"lamina equals the loops": r["largest_difference"] < 1e-12,
            "mean|x| <= max|x| <= L2 in every window": bool(r["ordered"]),
            "pooling lowers the change after a shift": all(
                v < change["no pooling"] for v in pooled.values()),
            "most shift-invariant first": ranked(pooled)}


def of(name: str, result: dict) -> dict:
    """The conclusions of lecture ``name``, as JSON would give them back."""
    return json.loads(json.dumps(globals()[name](result)))


def recorded(name: str) -> dict | None:
    """The full run's conclusions of lecture ``name`` (from :data:`RECORD`); None while its
    full run is still to be recorded (listed under ``"pending"`` with the reason)."""
    data = json.loads(RECORD.read_text())
    if name in data.get("pending", {}):
        return None
    return data["lectures"][name]["conclusions"]
