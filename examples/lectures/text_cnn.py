"""Lecture 16: a CNN reads sentences, Kim's design on Debian's fortunes (seed 001, CNNs in NLP).

    python examples/lectures/text_cnn.py [--out DIR] [--quick]
    lamina lecture run text_cnn

Seed 001 closes with CNNs for language (Collobert et al. 2011; Kim 2014): each word
becomes a learned vector, a filter of width k slides over the sentence like a 1-D
convolution kernel over k consecutive words, and max pooling over time keeps, for every
filter, its best match anywhere in the sentence. The network is the one of
``examples/text_cnn.py``; it is trained on the first of its five folds, then opened up:

* the sliding window: for filters that vote strongly for each class, the k-grams that
  excite them most (printed), and ``sliding_window.png``, the activation of those filters
  at every position of one test sentence;
* the learned embeddings: the nearest neighbours (cosine) of a few frequent words;
* ``accuracy.png``: the CNN next to the classical baselines on the same fold.

Writes those figures and ``summary.txt``.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path

import numpy as np

NAME = "text_cnn"
WORDS = ("computer", "program", "president", "government", "science", "love", "night")


def example():
    """``examples/text_cnn.py`` as a module (the network, the folds, the baselines)."""
    path = Path(__file__).resolve().parents[1] / "text_cnn.py"
    spec = importlib.util.spec_from_file_location("lamina_example_text_cnn", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def conv_activations(model, ids, widths):
    """``{k: (texts, positions, filters)}``: each filter's ReLU output at each window
    start, computed by the model's own Embedding and Conv1D layers."""
    from lamina import no_grad

    with no_grad():
        words = model.get_layer("embedding")(ids)
        return {k: model.get_layer(f"conv_{k}")(words).data for k in widths}


def top_ngrams(acts, ids, vocabulary, k, f, count=3):
    """The ``count`` distinct k-grams that excite filter ``f`` most, each text offering its
    best window: ``[(ngram, activation)]``."""
    best_pos = acts[:, :, f].argmax(axis=1)
    best = acts[np.arange(len(acts)), best_pos, f]
    found, seen = [], set()
    for i in np.argsort(-best, kind="stable"):
        gram = " ".join(vocabulary[t] or "<pad>" for t in ids[i, best_pos[i]:best_pos[i] + k])
        if gram not in seen:
            seen.add(gram)
            found.append((gram, float(best[i])))
        if len(found) == count:
            break
    return found


def class_filters(model, widths, filters, per_class=2):
    """For each class, the ``per_class`` filters with the largest weight toward it in the
    last layer: ``[[(width, filter index), ...] per class]``."""
    kernel = model.get_layer("classes").kernel.data  # (features, classes)
    out = []
    for c in range(kernel.shape[1]):
        order = np.argsort(-kernel[:, c], kind="stable")[:per_class]
        out.append([(widths[j // filters], int(j % filters)) for j in order])
    return out


def neighbours(model, vocabulary, words, among=2000, count=5):
    """Cosine nearest neighbours of ``words`` among the ``among`` most frequent tokens."""
    table = model.get_layer("embedding").embeddings.data
    unit = table / np.maximum(np.linalg.norm(table, axis=1, keepdims=True), 1e-12)
    index = {w: i for i, w in enumerate(vocabulary)}
    pool = np.arange(2, min(among, len(vocabulary)))
    out = {}
    for word in words:
        if word not in index:
            continue
        sims = unit[pool] @ unit[index[word]]
        order = [j for j in np.argsort(-sims, kind="stable") if pool[j] != index[word]][:count]
        out[word] = [(vocabulary[pool[j]], float(sims[j])) for j in order]
    return out


def _save(fig, file):
    import matplotlib.pyplot as plt

    fig.savefig(file, dpi=110)
    plt.close(fig)


def plot_window(acts, ids, vocabulary, row, chosen, names, label):
    """Heat map: the chosen filters' activations at each window start of text ``row``."""
    import matplotlib.pyplot as plt

    length = int(np.count_nonzero(ids[row])) or 1
    length = min(length, 30)
    grid = np.array([acts[k][row, :length, f] if length <= acts[k].shape[1] else
                     np.pad(acts[k][row, :, f], (0, length - acts[k].shape[1]))
                     for k, f, _ in chosen])
    fig, ax = plt.subplots(figsize=(min(16, 2 + 0.55 * length), 1.4 + 0.42 * len(chosen)))
    image = ax.imshow(grid, aspect="auto", cmap="viridis")
    ax.set_xticks(range(length))
    ax.set_xticklabels([vocabulary[t] for t in ids[row, :length]], rotation=60, ha="right")
    ax.set_yticks(range(len(chosen)))
    ax.set_yticklabels([f"conv_{k} #{f} ({names[c]})" for k, f, c in chosen])
    ax.set_xlabel("window start (the word where the filter's k-word window begins)")
    ax.set_title(f"Filter activations sliding over one test text ({names[label]}); max over "
                 "time keeps the brightest cell of each row", fontsize=10)
    fig.colorbar(image, ax=ax, label="ReLU output")
    fig.tight_layout()
    return fig


def plot_accuracy(scores):
    import matplotlib.pyplot as plt

    names = list(scores)
    fig, ax = plt.subplots(figsize=(9, 0.6 + 0.55 * len(names)))
    bars = ax.barh(names, [scores[n] for n in names],
                   color=["tab:orange" if "CNN" in n else "tab:blue" for n in names])
    ax.bar_label(bars, fmt="%.3f", padding=3)
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.set_xlabel("test accuracy (fold 1 of StratifiedKFold(5, shuffle=True, random_state=0))")
    ax.set_title("4 fortune categories: a CNN on words vs classical baselines")
    fig.tight_layout()
    return fig


def main(out_dir, quick=False) -> dict:
    """Run the lecture; write figures and ``summary.txt`` to ``out_dir``; return numbers."""
    from lamina.datasets import fortunes

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ex = example()
    x, y = fortunes.load_texts()
    network = {"embedding_dim": 64, "filters": 100}
    epochs = 10
    if quick:
        keep = np.random.default_rng(0).permutation(len(y))[:600]
        x, y = x[keep], y[keep]
        network, epochs = {"embedding_dim": 16, "filters": 16, "learning_rate": 1e-2,
                           "sequence_length": 64}, 6
    train, test = ex.folds(y)[0]
    start = time.perf_counter()
    model, accuracy = ex.train_fold(x[train], y[train], x[test], y[test], epochs, **network)
    seconds = time.perf_counter() - start
    classical = {name: s[0] for name, s in ex.baselines(x, y, [(train, test)]).items()}
    scores = {**classical, "text CNN (lamina)": accuracy}

    vectorizer = model.get_layer("words")
    vocabulary = vectorizer.get_vocabulary()
    ids = vectorizer.vectorize(x[test])
    widths, n_filters = (3, 4, 5), network["filters"]
    acts = conv_activations(model, ids, widths)
    names = fortunes.CLASS_NAMES
    lines = ["Lecture 16: a CNN reads sentences (Kim's CNN-rand on 4 fortune categories)", "",
             f"Fold 1 of 5: {len(train)} training and {len(test)} test texts; {epochs} epochs, "
             f"{seconds:.1f} s; {model.count_params()} parameters "
             f"(vocabulary {len(vocabulary)} words x {network['embedding_dim']}).", "",
             "Accuracy on the test fold:"]
    width = max(map(len, scores))
    lines += [f"  {name:<{width}}  {score:.4f}" for name, score in scores.items()]
    lines += ["", "The sliding window: the k-grams that excite the filters voting most for "
              "each class (activation):"]
    ngrams, chosen = {}, []
    for c, picks in enumerate(class_filters(model, widths, n_filters)):
        for k, f in picks:
            found = top_ngrams(acts[k], ids, vocabulary, k, f)
            ngrams[f"conv_{k}/{f}"] = {"class": names[c], "ngrams": found}
            chosen.append((k, f, c))
            shown = "; ".join(f"'{g}' ({a:.2f})" for g, a in found)
            lines.append(f"  {names[c]:<12} conv_{k} filter {f:>3}: {shown}")
    near = neighbours(model, vocabulary, WORDS)
    lines += ["", "Nearest neighbours in the learned embedding (cosine, among the 2,000 most "
              "frequent words):"]
    lines += [f"  {w:<11} " + ", ".join(f"{n} ({s:.2f})" for n, s in nb)
              for w, nb in near.items()]
    row = int(np.argmax(acts[chosen[0][0]][:, :, chosen[0][1]].max(axis=1)))
    _save(plot_window(acts, ids, vocabulary, row, chosen, names, int(y[test][row])),
          out / "sliding_window.png")
    _save(plot_accuracy(scores), out / "accuracy.png")
    text = "\n".join(lines) + "\n"
    (out / "summary.txt").write_text(text)
    print(text)
    return {"accuracy": accuracy, "baselines": classical, "seconds": seconds,
            "ngrams": ngrams, "neighbours": near, "model": model, "ids": ids,
            "activations": acts, "window_row": row}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=f"runs/lectures/{NAME}", help="output directory")
    parser.add_argument("--quick", action="store_true", help="a small budget (seconds)")
    args = parser.parse_args()
    main(args.out, quick=args.quick)
