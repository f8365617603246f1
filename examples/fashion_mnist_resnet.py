"""A small fast ResNet with augmentation on Fashion-MNIST (issue 17's target: >= 94.5% test
accuracy within 30 minutes on 2 cores).

    python examples/fashion_mnist_resnet.py [--epochs 12] [--widths 32,64,128] [--out DIR]
    python examples/fashion_mnist_resnet.py --quick      # 1,280 training images, one epoch
    python examples/fashion_mnist_resnet.py --erasing 0.5  # with random erasing

The network is Page's DAWNBench "ResNet-9" (myrtle.ai, "How to train your ResNet", 2018)
cut to a 28x28 grey image and one stage fewer: a 3x3 convolution of ``w1`` filters at 28x28,
max pool to 14x14, a 3x3 convolution of ``w2`` filters and a residual block of two at
14x14, max pool to 7x7, a convolution of ``w3`` filters and a residual block at 7x7, global
average pooling and a softmax. Every convolution is conv (no bias) - batch norm - ReLU.
What makes it fast is where the work sits: the 28x28 stage has one convolution with one
input channel (the expensive resolution sees the fewest filters), the downsampling comes
early, and the channel counts where most multiply-adds happen (64 and 128) are wide enough
for the matrix products to run near the CPU's speed. With the default widths it has
464,810 parameters and 36.4 M multiply-adds per image (ResNet18 at a quarter width with a
3x3 stem, the previous design: 703,578 and 28.6 M, but with most of its work in products
only 16 and 32 channels wide at 28x28 and 14x14, which run at a fraction of that speed).

Training (the fast-CIFAR recipe): SGD with Nesterov momentum 0.9, batch 128, the learning
rate rising linearly from 0.01 to 0.1 over the first 20% of the steps, then falling along a
cosine to 0 (a one-cycle schedule), decoupled weight decay 5e-3 (times the rate: 5e-4 per
step at the peak), label smoothing 0.1; augmentation: random horizontal flips and random
crops (shifts of up to 2 pixels, zeros filled in); with ``--erasing p``, random erasing
(Zhong et al. 2017: with probability p a rectangle of 2-40% of the image, ``--erasing-area``
the largest, aspect 0.3-3.3, is filled with uniform noise). All 60,000 training images are
used; the test set is evaluated after each epoch for the curve only (the schedule is fixed,
no choice is made from it). The reported accuracy averages the predictions for each test image
and its mirror image (test-time augmentation), as Page does. Seeded throughout.

Prints the test accuracy after each epoch, the final one (with and without the mirror
average), wall time and CPU time (on a shared machine the wall time is inflated by other
programs; the CPU time is not), and writes ``history.json`` (the epoch curve, with the
time at each epoch's end) and ``curve.png`` to ``--out``.

Measured on a 2-core Xeon VM (2026-12-07), issue 17's goal of 94.5% is not yet reached:
- 12 epochs (the defaults), quiet machine (load 1.7-2.1): 0.9411 with the mirror average
  (0.9375 without), 1,378 s wall, 2,504 CPU s; test accuracy by epoch 0.8782 (2),
  0.8920 (4), 0.9080 (5), 0.9263 (9), 0.9311 (10), 0.9370 (11), 0.9375 (12).
- ``--epochs 15 --validation-freq 3``: 0.9421 with the mirror average (0.9400 without);
  3,447 CPU s (about 225 per epoch), 3,930 s wall because other programs held the cores
  (load 2-16); test accuracy 0.8303 (3), 0.9112 (6), 0.8998 (9), 0.9342 (12), 0.9400 (15).
After the faster training convolutions (quiet machine, load 1.7-1.8, eeb2dcd):
- ``--epochs 20 --validation-freq 2`` (on a664b78): 0.9444 with the mirror average (0.9447
  without), 1,563 s wall, 2,658 CPU s (~77 s per epoch).
- ``--epochs 22 --validation-freq 11`` (eeb2dcd): 0.9441 (0.9431 without), 1,481 s wall,
  2,547 CPU s (~66 s per epoch); test accuracy 0.8912 (11), 0.9431 (22).
So 20-22 epochs fit in 30 minutes now and land at 94.4%, 0.1 point short of 94.5%: the
network saturates there with this recipe; more learning per epoch (e.g. stronger
augmentation) is what is left to try. Earlier, three more epochs (12 -> 15) had bought
0.1 point.
Random erasing (``--erasing``, off by default) was that next try, and it did not help:
``--epochs 26 --validation-freq 26 --erasing 0.5`` (2026-12-08, a 2-core AMD EPYC VM, on
dd463a7) reached 0.9444 with the mirror average (0.9431 without), the same as 20 epochs
without erasing; 3,543 CPU s (~136 per epoch; 63 s per epoch wall for the first two, then
76-85 s with nothing else running, and 150-160 s while CI shared the cores: 3,047 s wall, so
over the 30 minutes in any case). With p=0.5 it erases 10% of the pixels of an image on
average, about what Page's 8x8 cutout takes from a 32x32 CIFAR image (6%).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np


def load(quick: bool):
    """Train and test arrays: float32 NHWC images in [0, 1], int64 labels."""
    from lamina.datasets import fashion_mnist

    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    n_train, n_test = (1280, 500) if quick else (None, None)
    return tuple((x[:n, ..., None].astype("float32") / 255.0, y[:n].astype("int64"))
                 for x, y, n in ((x_train, y_train, n_train), (x_test, y_test, n_test)))


def _conv_bn_relu(x, filters, name):
    from lamina.layers import Activation, BatchNormalization, Conv2D

    x = Conv2D(filters, 3, padding="same", use_bias=False, name=name + "_conv")(x)
    x = BatchNormalization(momentum=0.9, name=name + "_bn")(x)
    return Activation("relu", name=name + "_relu")(x)


def _residual(x, filters, name):
    from lamina.layers import Add

    y = _conv_bn_relu(x, filters, name + "_a")
    y = _conv_bn_relu(y, filters, name + "_b")
    return Add(name=name + "_add")([x, y])


def build(widths=(32, 64, 128), seed=0):
    """The network of the module docstring. Batch norm's momentum is 0.9 (Keras: 0.99), so
    the moving statistics used at test time follow the weights within a few dozen steps."""
    import lamina.random
    from lamina.layers import Dense, GlobalAveragePooling2D, Input, MaxPooling2D
    from lamina.models import Model

    lamina.random.set_random_seed(seed)
    w1, w2, w3 = widths
    inputs = Input((28, 28, 1), name="image")
    x = _conv_bn_relu(inputs, w1, "prep")                                    # 28x28
    x = MaxPooling2D(name="pool1")(x)                                        # 14x14
    x = _residual(_conv_bn_relu(x, w2, "layer1"), w2, "res1")
    x = MaxPooling2D(name="pool2")(x)                                        # 7x7
    x = _residual(_conv_bn_relu(x, w3, "layer2"), w3, "res2")
    x = GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = Dense(10, activation="softmax", name="predictions")(x)
    return Model(inputs, outputs, name="fashion_mnist_resnet")


def predict_with_mirror(model, x, batch_size=500):
    """The mean of the predicted probabilities for ``x`` and for ``x`` mirrored left-right."""
    return 0.5 * (model.predict(x, batch_size=batch_size, verbose=0)
                  + model.predict(x[:, :, ::-1], batch_size=batch_size, verbose=0))


def compile_for(model, steps_per_epoch, epochs, peak=0.1, warmup=0.2):
    """SGD (Nesterov) on the one-cycle schedule of the module docstring (the first
    ``warmup`` of the steps rising), label smoothing."""
    from lamina.losses import CategoricalCrossentropy
    from lamina.optimizers import SGD
    from lamina.optimizers.schedules import CosineDecay

    total = epochs * steps_per_epoch
    warmup = round(warmup * total)
    schedule = CosineDecay(peak / 10, max(total - warmup, 1), alpha=0.0, warmup_target=peak,
                           warmup_steps=warmup)
    model.compile(optimizer=SGD(schedule, momentum=0.9, nesterov=True, weight_decay=5e-3),
                  loss=CategoricalCrossentropy(label_smoothing=0.1), metrics=["accuracy"])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=None, help="default 12 (1 with --quick)")
    parser.add_argument("--batch-size", type=int, default=None,
                        help="default 128 (32 with --quick: more steps on few images)")
    parser.add_argument("--widths", default="32,64,128",
                        help="filters at 28x28, 14x14 and 7x7 (comma-separated)")
    parser.add_argument("--learning-rate", type=float, default=0.1, help="the peak rate")
    parser.add_argument("--quick", action="store_true",
                        help="train on 1,280 images and test on 500 (for the tests)")
    parser.add_argument("--out", default="runs/fashion_mnist_resnet",
                        help="directory for history.json and curve.png")
    parser.add_argument("--validation-freq", type=int, default=1,
                        help="test the network every n epochs for the curve (Keras's "
                             "validation_freq; the last epoch is always tested)")
    parser.add_argument("--erasing", type=float, default=0.0,
                        help="random erasing's probability per image (Zhong et al. 2017)")
    parser.add_argument("--erasing-area", type=float, default=0.4,
                        help="the largest erased fraction of the image (the smallest: 0.02)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    epochs = args.epochs or (1 if args.quick else 12)
    args.batch_size = args.batch_size or (32 if args.quick else 128)
    widths = tuple(int(v) for v in args.widths.split(","))
    if len(widths) != 3 or min(widths) < 1 or epochs < 1 or args.batch_size < 1:
        parser.error(f"--widths needs 3 positive ints, --epochs and --batch-size >= 1; "
                     f"received {args.widths!r}, {epochs}, {args.batch_size}")

    from lamina.callbacks import LambdaCallback
    from lamina.data import ImageAugmenter
    from lamina.viz import plot_history

    (x_train, y_train), (x_test, y_test) = load(args.quick)
    print(f"train {x_train.shape}, test {x_test.shape}", flush=True)
    model = build(widths, args.seed)
    steps = -(-len(x_train) // args.batch_size)
    compile_for(model, steps, epochs, peak=args.learning_rate)
    one_hot = np.eye(10, dtype="float32")
    augment = ImageAugmenter(horizontal_flip=True, width_shift_range=2, height_shift_range=2,
                             interpolation="nearest", seed=args.seed,
                             erasing_probability=args.erasing,
                             erasing_area=(0.02, args.erasing_area))
    start, cpu = time.perf_counter(), time.process_time()
    clock = []
    tick = LambdaCallback(on_epoch_end=lambda epoch, logs: clock.append(
        (time.perf_counter() - start, time.process_time() - cpu, os.getloadavg()[0])))
    every = max(args.validation_freq, 1)
    tested = sorted({e for e in range(every, epochs + 1, every)} | {epochs})
    history = model.fit(x_train, one_hot[y_train], batch_size=args.batch_size, epochs=epochs,
                        validation_data=(x_test, one_hot[y_test]), validation_freq=tested,
                        seed=args.seed,
                        augment=augment, callbacks=[tick], verbose=2)
    plain = float((model.predict(x_test, batch_size=500, verbose=0).argmax(1) == y_test).mean())
    accuracy = float((predict_with_mirror(model, x_test).argmax(1) == y_test).mean())
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"test accuracy: {accuracy:.4f} with the mirror average, {plain:.4f} without, on "
          f"{len(x_test)} images ({model.count_params():,} parameters)")
    print(f"wall time: {wall:.1f} s, CPU time: {cpu:.1f} s, load average at the end "
          f"{os.getloadavg()[0]:.2f}")

    os.makedirs(args.out, exist_ok=True)
    record = {"test_accuracy": accuracy, "test_accuracy_plain": plain, "epochs": epochs,
              "erasing": args.erasing, "erasing_area": args.erasing_area,
              "widths": list(widths), "batch_size": args.batch_size, "seed": args.seed,
              "quick": args.quick, "tested_epochs": tested,
              "parameters": model.count_params(), "wall_s": wall,
              "cpu_s": cpu, "epoch_end_wall_s": [c[0] for c in clock],
              "epoch_end_cpu_s": [c[1] for c in clock], "epoch_end_load": [c[2] for c in clock],
              "history": {k: [float(v) for v in vs] for k, vs in history.history.items()}}
    path = os.path.join(args.out, "history.json")
    with open(path + ".tmp", "w") as f:
        json.dump(record, f, indent=1)
    os.replace(path + ".tmp", path)
    fig = plot_history(history, validation_epochs=tested,
                       title=f"Small ResNet {args.widths} on Fashion-MNIST: test accuracy "
                             f"{accuracy:.4f} (val = test set)")
    fig.savefig(os.path.join(args.out, "curve.png"), dpi=110)
    print(f"wrote {args.out}/history.json and curve.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
