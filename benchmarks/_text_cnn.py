"""compare.py's text row: Kim's CNN-rand (examples/text_cnn.py) in lamina and in PyTorch.

Both sides train on the same token ids: the first fold of the example's 5-fold split of
the 4 fortune categories, vectorized once by lamina's ``TextVectorization`` (128 tokens,
vocabulary adapted on the training texts). The network: Embedding(vocabulary, 64) ->
Conv1D(100, k) + ReLU for k = 3, 4, 5 -> max over time -> concatenate -> Dropout(0.5) ->
Dense(4) with each class's weights renormed to at most 3 after every step; Adam 1e-3,
batch 50. Each side also reports ``train_cpu_s``, the CPU seconds of all its threads while
training (on a busy machine, wall times say little and PyTorch's spinning threads add CPU
time too; with one thread each, CPU seconds compare the work). PyTorch uses
``nn.Embedding`` / ``nn.Conv1d`` (channels first, so the embedded sequence is transposed)
with its own default initializations.
"""

from __future__ import annotations

import importlib.util
import statistics
import time
from pathlib import Path

import numpy as np

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "text_cnn.py"
EMBEDDING_DIM, FILTERS, WIDTHS, MAX_NORM = 64, 100, (3, 4, 5), 3.0


def _example():
    spec = importlib.util.spec_from_file_location("text_cnn_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def prepare_data(directory: str) -> tuple[str, dict]:
    """Token ids of fold 1 (train and test) written once for every worker."""
    from lamina.datasets import fortunes
    from lamina.layers import TextVectorization

    x, y = fortunes.load_texts()
    example = _example()
    train, test = example.folds(y)[0]
    vectorizer = TextVectorization(output_sequence_length=example.SEQUENCE_LENGTH)
    vectorizer.adapt(x[train])
    arrays = {"x_train": vectorizer.vectorize(x[train]), "y_train": y[train],
              "x_test": vectorizer.vectorize(x[test]), "y_test": y[test],
              "vocabulary_size": np.array(vectorizer.vocabulary_size())}
    path = str(Path(directory) / "fortunes_ids.npz")
    np.savez(path, **arrays)
    return path, {"train_rows": len(train), "test_rows": len(test),
                  "vocabulary_size": vectorizer.vocabulary_size()}


def _load(data_path: str) -> dict:
    with np.load(data_path, allow_pickle=False) as d:
        return {k: d[k] for k in d.files}


def lamina_run(data_path, epochs, seed, infer_repeats, infer_batch, batch):
    """Train and time the example's network on ids in lamina; ``(result, model, arrays)``."""
    import lamina.random

    d = _load(data_path)
    lamina.random.set_random_seed(seed)
    start = time.perf_counter()
    model = _example().build_model(vocabulary_size=int(d["vocabulary_size"]),
                                   sequence_length=d["x_train"].shape[1],
                                   embedding_dim=EMBEDDING_DIM, filters=FILTERS, widths=WIDTHS)
    compile_s = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    history = model.fit(d["x_train"], d["y_train"], batch_size=batch, epochs=epochs,
                        shuffle=True, seed=seed, verbose=0)
    train_s, train_cpu_s = time.perf_counter() - start, time.process_time() - cpu
    times = []
    for i in range(infer_repeats + 1):  # the first pass warms up
        start = time.perf_counter()
        probs = model.predict(d["x_test"], batch_size=infer_batch, verbose=0)
        if i:
            times.append(time.perf_counter() - start)
    return {"train_s": train_s, "epoch_s": train_s / epochs, "compile_s": compile_s,
            "train_cpu_s": train_cpu_s,
            "train_loss": float(history.history["loss"][-1]),
            "infer_s": statistics.median(times), "infer_times_s": times,
            "infer_rows": len(d["x_test"]),
            "accuracy": float((probs.argmax(axis=1) == d["y_test"]).mean())}, d


def torch_run(data_path, epochs, seed, infer_repeats, infer_batch, batch):
    """The same network and loop in PyTorch; ``(result, arrays)``."""
    import torch
    from torch import nn

    d = _load(data_path)
    torch.manual_seed(seed)

    class KimCNN(nn.Module):
        def __init__(self, vocabulary_size, n_classes):
            super().__init__()
            self.embedding = nn.Embedding(vocabulary_size, EMBEDDING_DIM)
            self.convs = nn.ModuleList(nn.Conv1d(EMBEDDING_DIM, FILTERS, k) for k in WIDTHS)
            self.dropout = nn.Dropout(0.5)
            self.classes = nn.Linear(FILTERS * len(WIDTHS), n_classes)

        def forward(self, ids):
            words = self.embedding(ids).transpose(1, 2)  # (N, E, L): channels first
            pooled = [torch.relu(conv(words)).amax(dim=2) for conv in self.convs]
            return self.classes(self.dropout(torch.cat(pooled, dim=1)))

    model = KimCNN(int(d["vocabulary_size"]), int(d["y_train"].max()) + 1)
    x, y = torch.from_numpy(d["x_train"]), torch.from_numpy(d["y_train"].astype(np.int64))
    x_test = torch.from_numpy(d["x_test"])
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(seed)
    start, cpu = time.perf_counter(), time.process_time()
    model.train()
    n = len(x)
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator)
        total = 0.0
        for i in range(0, n, batch):
            idx = order[i:i + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            optimizer.step()
            with torch.no_grad():  # Kim's max-norm: each class's weight vector, norm <= 3
                model.classes.weight.copy_(torch.renorm(model.classes.weight, 2, 0, MAX_NORM))
            total += loss.item() * len(idx)
    train_s, train_cpu_s = time.perf_counter() - start, time.process_time() - cpu
    model.eval()
    times = []
    for i in range(infer_repeats + 1):
        start = time.perf_counter()
        with torch.no_grad():
            logits = torch.cat([model(x_test[j:j + infer_batch])
                                for j in range(0, len(x_test), infer_batch)])
        if i:
            times.append(time.perf_counter() - start)
    return {"train_s": train_s, "epoch_s": train_s / epochs, "train_cpu_s": train_cpu_s,
            "train_loss": total / n,
            "infer_s": statistics.median(times), "infer_times_s": times,
            "infer_rows": len(x_test),
            "accuracy": float((logits.argmax(1).numpy() == d["y_test"]).mean())}, d
