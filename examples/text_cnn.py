"""Kim's CNN for sentence classification (CNN-rand) on Debian's fortunes, 5-fold CV.

    python examples/text_cnn.py [--epochs 10] [--embedding-dim 64] [--sequence-length 128]
                                [--out runs/text_cnn]
    python examples/text_cnn.py --quick     # 600 texts, 2 of the 5 folds, a small network

Seed 001 ends with CNNs for text: words become vectors, filters slide over the sequence,
max pooling over time keeps each filter's strongest match (Kim 2014; Collobert et al.
2011). The network, as Kim's CNN-rand (embeddings learned from scratch)::

    TextVectorization (lower-case, strip punctuation, whitespace split, 128 tokens)
    -> Embedding(vocabulary, 64)
    -> Conv1D(100, 3) | Conv1D(100, 4) | Conv1D(100, 5), ReLU, side by side
    -> GlobalMaxPooling1D each -> Concatenate (300) -> Dropout(0.5)
    -> Dense(4, softmax) with the max-norm constraint ||w|| <= 3 on each class's weights

Kim trained with Adadelta, 300-d embeddings and batches of 50; here Adam (learning rate
1e-3), 64-d embeddings (the data are small: about 2,500 training texts per fold) and
batches of 50, a fixed number of epochs (no peeking at the test fold).

Texts are cut at 128 tokens (90% of the fortunes are shorter; a quarter of the songs and
poems are longer than 64). That length was chosen on the training texts of fold 1 only,
split again 80/20 (``StratifiedKFold(5, shuffle=True, random_state=1)``), never on a test
fold: validation accuracy after 10 epochs, seeds 0 and 1, was 0.7278 and 0.7198 at 64
tokens, 0.7480 and 0.7500 at 128, for twice the CPU time.

Task: the ``computers``, ``politics``, ``science`` and ``songs-poems`` fortunes (3,099
texts, :mod:`lamina.datasets.fortunes`), 5-fold cross-validation with scikit-learn's
``StratifiedKFold(5, shuffle=True, random_state=0)``. The vocabulary is adapted on each
training fold only. The classical baselines run on the same folds in the same run:
majority class, TF-IDF with multinomial naive Bayes (alpha 0.1), and TF-IDF with
logistic regression: C=1 (scikit-learn's defaults), C=1 on sublinear TF with English stop
words removed (the issue's 72.7%: 0.7267 on these folds; the stretch goal the CNN is
judged against, as measured in the run), and C=10.

Measured (2026-12-07 12:55-13:32 UTC, seed 0, 10 epochs, 128 tokens; 2-core VM shared
with other engineers' test suites and trainings, load average 16-22), accuracy per fold::

    model                                                 mean    per fold
    majority class                                        0.3391  0.3403 0.3387 0.3387 0.3387 0.3393
    TF-IDF + naive Bayes (alpha 0.1)                      0.7180  0.7242 0.7161 0.6968 0.7258 0.7270
    TF-IDF + logistic regression (C=1)                    0.7099  0.7242 0.6919 0.6855 0.7097 0.7383
    TF-IDF (sublinear, stop words) + logistic regression  0.7267  0.7274 0.7177 0.7113 0.7242 0.7528
    TF-IDF + logistic regression (C=10)                   0.7415  0.7629 0.7290 0.7097 0.7516 0.7544
    text CNN (lamina)                                     0.7383  0.7565 0.7339 0.7226 0.7290 0.7496

Goal (>= 0.70) and stretch (the issue's logistic regression, 0.7267 here) are met; the
logistic regression with C=10 (0.7415) stays ahead. The 5 folds took 193 s of CPU time
(37-40 s per fold, about 3.9 s per epoch); the wall time, 2,061 s, measured the shared
machine (the process got about a tenth of the CPU). At 64 tokens (the earlier default,
same machine, load 2-13): 0.7264 (0.7355 0.7258 0.7177 0.7161 0.7367) in 85 s of CPU time;
at 64 tokens with ``--embedding-dim 128``: 0.7354 in 143 s. After the 1-D convolution path
of da34aa6 (the conv sums added in another order; 2026-12-07 16:40, load 12-17): text CNN
0.7370 (0.7565 0.7323 0.7226 0.7290 0.7447) in 153 s of CPU time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

FOLDS = 5
SEQUENCE_LENGTH = 128  # tokens kept per text (padded or cut), see above
GOAL, STRETCH = 0.70, 0.727  # issue 19: >= 70%, stretch: the logistic regression's 72.7%
#: The baseline behind the issue's 72.7%: sublinear TF and English stop words removed
#: reproduce it (0.7267 on these folds; scikit-learn's defaults give 0.7099).
ISSUE_LR = "TF-IDF (sublinear, stop words) + logistic regression"


def build_model(vectorizer=None, n_classes=4, embedding_dim=64, filters=100, widths=(3, 4, 5),
                learning_rate=1e-3, vocabulary_size=None, sequence_length=None):
    """Kim's CNN-rand on strings through an adapted ``vectorizer`` (its vocabulary sizes the
    embedding), or, without one, on token ids ``(batch, sequence_length)`` in
    ``[0, vocabulary_size)`` (benchmarks/compare.py times that against PyTorch)."""
    from lamina.constraints import MaxNorm
    from lamina.layers import (
        Concatenate,
        Conv1D,
        Dense,
        Dropout,
        Embedding,
        GlobalMaxPooling1D,
        Input,
    )
    from lamina.models import Model
    from lamina.optimizers import Adam

    if vectorizer is not None:
        inputs = Input(shape=(), dtype="string", name="texts")
        ids, vocabulary_size = vectorizer(inputs), vectorizer.vocabulary_size()
    else:
        inputs = ids = Input(shape=(sequence_length,), name="token_ids")
    words = Embedding(vocabulary_size, embedding_dim, name="embedding")(ids)
    pooled = [GlobalMaxPooling1D(name=f"max_over_time_{k}")(
        Conv1D(filters, k, activation="relu", name=f"conv_{k}")(words)) for k in widths]
    features = Dropout(0.5)(Concatenate(name="features")(pooled))
    probs = Dense(n_classes, activation="softmax", kernel_constraint=MaxNorm(3.0),
                  name="classes")(features)
    model = Model(inputs, probs, name="text_cnn")
    model.compile(optimizer=Adam(learning_rate=learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def folds(y, n_folds=FOLDS):
    """The issue's folds: ``StratifiedKFold(5, shuffle=True, random_state=0)``."""
    from sklearn.model_selection import StratifiedKFold

    return list(StratifiedKFold(n_folds, shuffle=True, random_state=0).split(np.zeros(len(y)), y))


def baselines(x, y, splits, only=None) -> dict:
    """Accuracy per fold of the classical models on the same folds (``only``: these names
    and the majority class)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.pipeline import make_pipeline
    from threadpoolctl import threadpool_limits

    models = {"TF-IDF + naive Bayes (alpha 0.1)": ({}, lambda: MultinomialNB(alpha=0.1)),
              "TF-IDF + logistic regression (C=1)": ({}, lambda: LogisticRegression(max_iter=2000)),
              ISSUE_LR: ({"sublinear_tf": True, "stop_words": "english"},
                         lambda: LogisticRegression(max_iter=2000)),
              "TF-IDF + logistic regression (C=10)":
                  ({}, lambda: LogisticRegression(C=10.0, max_iter=2000))}
    texts = list(x)
    out = {"majority class": [float(np.mean(y[test] == np.bincount(y[train]).argmax()))
                              for train, test in splits]}
    # one BLAS thread: L-BFGS's many small products only spin threads (100x the CPU time
    # measured on a busy machine); threadpoolctl comes with scikit-learn
    with threadpool_limits(1):
        for name, (tfidf, make) in models.items():
            if only is not None and name not in only:
                continue
            scores = []
            for train, test in splits:
                model = make_pipeline(TfidfVectorizer(**tfidf), make())
                model.fit([texts[i] for i in train], y[train])
                scores.append(float(model.score([texts[i] for i in test], y[test])))
            out[name] = scores
    return out


def train_fold(x_train, y_train, x_test, y_test, epochs, seed=0, sequence_length=SEQUENCE_LENGTH,
               verbose=0, **network):
    """Adapt a vectorizer on the training texts, train the CNN, return it and its accuracy."""
    import lamina.random
    from lamina.layers import TextVectorization

    lamina.random.set_random_seed(seed)
    vectorizer = TextVectorization(output_sequence_length=sequence_length, name="words")
    vectorizer.adapt(x_train)
    model = build_model(vectorizer, n_classes=int(y_train.max()) + 1, **network)
    model.fit(x_train, y_train, batch_size=50, epochs=epochs, shuffle=True, seed=seed,
              verbose=verbose)
    accuracy = float(np.mean(model.predict(x_test, batch_size=500, verbose=0).argmax(1)
                             == y_test))
    return model, accuracy


def cross_validate(x, y, splits, epochs, seed=0, **network) -> dict:
    """The CNN on every fold: accuracy, wall and CPU seconds per fold."""
    result = {"accuracy": [], "wall_s": [], "cpu_s": []}
    for k, (train, test) in enumerate(splits):
        wall, cpu = time.perf_counter(), time.process_time()
        _, accuracy = train_fold(x[train], y[train], x[test], y[test], epochs, seed, **network)
        result["accuracy"].append(accuracy)
        result["wall_s"].append(time.perf_counter() - wall)
        result["cpu_s"].append(time.process_time() - cpu)
        print(f"fold {k + 1}: text CNN accuracy {accuracy:.4f} ({result['wall_s'][-1]:.1f} s "
              f"wall, {result['cpu_s'][-1]:.1f} s CPU)", flush=True)
    return result


def report(cnn: dict, classical: dict) -> str:
    rows = [(name, scores) for name, scores in classical.items()]
    rows.append(("text CNN (lamina)", cnn["accuracy"]))
    width = max(len(name) for name, _ in rows)
    lines = [f"{'model':<{width}}  mean    per fold"]
    for name, scores in rows:
        folds_ = " ".join(f"{s:.4f}" for s in scores)
        lines.append(f"{name:<{width}}  {statistics.fmean(scores):.4f}  {folds_}")
    mean = statistics.fmean(cnn["accuracy"])
    stretch = statistics.fmean(classical[ISSUE_LR]) if ISSUE_LR in classical else STRETCH
    lines.append(f"text CNN: {mean:.4f} mean accuracy; goal >= {GOAL:.3f}: "
                 f"{'met' if mean >= GOAL else 'MISSED'}; stretch >= {stretch:.4f} (the "
                 f"issue's logistic regression, {STRETCH:.1%} in the issue, measured in this "
                 f"run): {'met' if mean >= stretch else 'missed'}")
    lines.append(f"time: {sum(cnn['wall_s']):.1f} s wall, {sum(cnn['cpu_s']):.1f} s CPU for "
                 f"{len(cnn['accuracy'])} folds ({os.cpu_count()} cores, load average "
                 f"{os.getloadavg()[0]:.1f} at the end)")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=None, help="default 10, 6 with --quick")
    parser.add_argument("--quick", action="store_true",
                        help="600 texts, the first 2 of 5 folds, a small network (for tests)")
    parser.add_argument("--embedding-dim", type=int, default=64, help="size of the word vectors")
    parser.add_argument("--filters", type=int, default=100, help="filters per width (3, 4, 5)")
    parser.add_argument("--sequence-length", type=int, default=SEQUENCE_LENGTH,
                        help="tokens kept per text (padded with 0 or cut)")
    parser.add_argument("--out", default=None, help="directory for results.json")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    epochs = args.epochs if args.epochs is not None else (6 if args.quick else 10)
    if min(epochs, args.embedding_dim, args.filters) < 1 or args.sequence_length < 5:
        parser.error(f"--epochs, --embedding-dim and --filters must be >= 1 and "
                     f"--sequence-length >= 5 (the widest filter); received {epochs}, "
                     f"{args.embedding_dim}, {args.filters} and {args.sequence_length}")

    from lamina.datasets import fortunes

    x, y = fortunes.load_texts()
    network = {"embedding_dim": args.embedding_dim, "filters": args.filters,
               "sequence_length": args.sequence_length}
    if args.quick:
        keep = np.random.default_rng(0).permutation(len(y))[:600]
        x, y = x[keep], y[keep]
        network = {"embedding_dim": 16, "filters": 16, "learning_rate": 1e-2,
                   "sequence_length": 64}
    splits = folds(y)[:2 if args.quick else FOLDS]
    print(f"{len(x)} texts, classes {dict(zip(fortunes.CLASS_NAMES, np.bincount(y).tolist()))}"
          f", {len(splits)} folds of StratifiedKFold(5, shuffle=True, random_state=0), "
          f"{epochs} epochs", flush=True)
    start = time.perf_counter()
    classical = baselines(x, y, splits)
    print(f"baselines: {time.perf_counter() - start:.1f} s", flush=True)
    cnn = cross_validate(x, y, splits, epochs, args.seed, **network)
    print(report(cnn, classical))
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        record = {"epochs": epochs, "quick": args.quick, "seed": args.seed, "network": network,
                  "cnn": cnn, "baselines": classical}
        tmp = out / "results.json.tmp"
        tmp.write_text(json.dumps(record, indent=1))
        tmp.replace(out / "results.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
