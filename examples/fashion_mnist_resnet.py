"""A ResNet-ish network with augmentation on Fashion-MNIST (issue 17's target: >= 94.5%
test accuracy within 30 minutes on 2 cores).

    python examples/fashion_mnist_resnet.py [--epochs 12] [--alpha 0.25] [--out runs/resnet]
    python examples/fashion_mnist_resnet.py --quick      # 1,024 training images, one epoch

The network: ``lamina.applications.ResNet18(input_shape=(28, 28, 1), classes=10,
alpha=0.25, stem='cifar')``: ResNet18's four stages of two basic blocks at a quarter of the
width (16, 32, 64, 128 filters), a 3x3 stride-1 stem instead of ImageNet's 7x7/2 and pool,
so the stages see 28, 14, 7 and 4 pixels; 703,578 parameters, 28.6 M multiply-adds per
image. Batch norm's momentum is set to 0.9 (Keras: 0.99) so the moving statistics used at
test time settle within a few dozen steps.

Training: AdamW (weight decay 4e-3, Keras's default) with the learning rate 3e-3 decayed
per step along a cosine to 3e-5, batch 128 (32 with --quick), 5,000 training images held
out (stratified) for validation; augmentation: random horizontal flips and shifts of up to
2 pixels. Seeded throughout.

Prints the validation accuracy after each epoch, the test accuracy, wall time and CPU time
(on a shared machine the wall time is inflated by other programs; the CPU time is not), and
writes ``history.json`` (the epoch curve) and ``curve.png`` to ``--out``.

Not yet measured at full length. What was measured (2026-12-07, 2-core AMD EPYC VM shared
with other jobs, load average ~15, ``--epochs 2``, stopped after the first epoch): one epoch
of 55,000 images took 2,074 s wall and about 340 s of CPU time; validation accuracy 0.8764
after it. Twelve such epochs are about 68 CPU-minutes, so the 30-minute target on 2 free
cores needs both cores busy all the time and is unverified; the >= 94.5% target too.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from fashion_mnist_cnn import load


def build(alpha=0.25, seed=0):
    """The ResNet-ish network described in the module docstring."""
    import lamina.random
    from lamina.applications import ResNet18

    lamina.random.set_random_seed(seed)
    model = ResNet18(input_shape=(28, 28, 1), classes=10, alpha=alpha, stem="cifar",
                     name="fashion_mnist_resnet")
    for layer in model.layers:
        if type(layer).__name__ == "BatchNormalization":
            layer.momentum = 0.9
    return model


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=None, help="default 12 (1 with --quick)")
    parser.add_argument("--batch-size", type=int, default=None, help="default 128 (32 with "
                        "--quick: more steps, so batch norm's statistics catch up)")
    parser.add_argument("--alpha", type=float, default=0.25, help="ResNet18's width multiplier")
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    parser.add_argument("--quick", action="store_true",
                        help="train on 1,024 images, validate on 256, test on 500 (for the tests)")
    parser.add_argument("--out", default="runs/fashion_mnist_resnet",
                        help="directory for history.json and curve.png")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    epochs = args.epochs or (1 if args.quick else 12)
    args.batch_size = args.batch_size or (32 if args.quick else 128)

    from lamina.callbacks import LambdaCallback
    from lamina.data import ImageAugmenter
    from lamina.optimizers import AdamW
    from lamina.optimizers.schedules import CosineDecay
    from lamina.viz import plot_history

    (x_train, y_train), (x_val, y_val), (x_test, y_test), _ = load(args.quick, args.seed)
    print(f"train {x_train.shape}, validation {x_val.shape}, test {x_test.shape}", flush=True)
    model = build(args.alpha, args.seed)
    steps = -(-len(x_train) // args.batch_size) * epochs
    model.compile(optimizer=AdamW(learning_rate=CosineDecay(args.learning_rate, steps,
                                                            alpha=0.01), weight_decay=4e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    augment = ImageAugmenter(horizontal_flip=True, width_shift_range=2, height_shift_range=2,
                             seed=args.seed)
    start, cpu = time.perf_counter(), time.process_time()
    clock = []
    tick = LambdaCallback(on_epoch_end=lambda epoch, logs: clock.append(
        (time.perf_counter() - start, time.process_time() - cpu)))
    history = model.fit(x_train, y_train, batch_size=args.batch_size, epochs=epochs,
                        validation_data=(x_val, y_val), seed=args.seed, augment=augment,
                        callbacks=[tick], verbose=2)
    probabilities = model.predict(x_test, batch_size=500, verbose=0)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    accuracy = float((probabilities.argmax(axis=1) == y_test).mean())
    print(f"test accuracy: {accuracy:.4f} on {len(x_test)} images "
          f"({model.count_params():,} parameters)")
    print(f"wall time: {wall:.1f} s, CPU time: {cpu:.1f} s")

    os.makedirs(args.out, exist_ok=True)
    record = {"test_accuracy": accuracy, "epochs": epochs, "alpha": args.alpha,
              "batch_size": args.batch_size, "seed": args.seed, "quick": args.quick,
              "wall_s": wall, "cpu_s": cpu, "epoch_end_wall_s": [c[0] for c in clock],
              "epoch_end_cpu_s": [c[1] for c in clock],
              "history": {k: [float(v) for v in vs] for k, vs in history.history.items()}}
    path = os.path.join(args.out, "history.json")
    with open(path + ".tmp", "w") as f:
        json.dump(record, f, indent=1)
    os.replace(path + ".tmp", path)
    fig = plot_history(history, title=f"ResNet18 x{args.alpha:g} on Fashion-MNIST: test "
                                      f"accuracy {accuracy:.4f}")
    fig.savefig(os.path.join(args.out, "curve.png"), dpi=110)
    print(f"wrote {args.out}/history.json and curve.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
