"""A small U-Net segments synthetic scenes (disks, squares, triangles) to mean IoU >= 0.90.

    python examples/segmentation_unet.py [--epochs 12] [--out runs/segmentation]
    python examples/segmentation_unet.py --quick      # 256 scenes, one epoch (for the tests)

Data: :mod:`lamina.datasets.shapes`, 32x32 RGB scenes of one to three overlapping shapes on
striped or checked backgrounds with noise; labels per pixel (background, disk, square,
triangle). 4,000 training scenes, 1,000 held-out test scenes from a separate seed stream.

The network: ``UNet((32, 32, 3), classes=4, filters=16, depth=3, batch_norm=True)``
(484,196 parameters): three halvings (32 -> 4), 2x2 up-convolutions, skip
concatenations, a per-pixel softmax. Trained with Adam (learning rate 3e-3 along a cosine
to 3e-5), batch 32, per-pixel sparse categorical cross-entropy; random horizontal and
vertical flips.

Reports the held-out mean IoU (Keras's ``MeanIoU``), the IoU of each class, wall and CPU
time, and draws ``segmentation.png``: image | truth | prediction for four test scenes.

Measured (2026-12-07, 2-core AMD EPYC VM shared with other jobs, load average ~15, seed 0,
12 epochs): held-out mean IoU 0.9528 on 1,000 scenes (background 0.996, disk 0.949, square
0.950, triangle 0.916); 0.9426 already after 8 epochs. CPU time 300 s in all (25 s per
epoch); the wall time, 1,918 s, was six times the CPU time because other programs held the
cores, so the 10-minute budget on 2 free cores is inferred from the CPU time, not seen.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

CLASSES = 4


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=None, help="default 12 (1 with --quick)")
    parser.add_argument("--train", type=int, default=None, help="training scenes (4000)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    parser.add_argument("--quick", action="store_true", help="256 scenes, one epoch")
    parser.add_argument("--out", default="runs/segmentation", help="figure and results.json")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    epochs = args.epochs or (1 if args.quick else 12)
    n_train = args.train or (256 if args.quick else 4000)
    n_test = 64 if args.quick else 1000

    import numpy as np

    import lamina.random
    from lamina.applications import UNet
    from lamina.data import ImageAugmenter
    from lamina.datasets import shapes
    from lamina.metrics import MeanIoU
    from lamina.metrics.iou import iou_per_class
    from lamina.optimizers import Adam
    from lamina.optimizers.schedules import CosineDecay
    from lamina.viz import plot_segmentation

    lamina.random.set_random_seed(args.seed)
    (x, y), (x_test, y_test) = shapes.load_data(n_train, n_test, size=32, seed=args.seed)
    print(f"train {x.shape}, test {x_test.shape}; pixel shares "
          f"{np.round(np.bincount(y.ravel(), minlength=CLASSES) / y.size, 3).tolist()}",
          flush=True)
    model = UNet((32, 32, 3), classes=CLASSES, filters=16, depth=3, batch_norm=True)
    steps = -(-n_train // args.batch_size) * epochs
    model.compile(optimizer=Adam(CosineDecay(args.learning_rate, steps, alpha=0.01)),
                  loss="sparse_categorical_crossentropy")
    # flips move image and labels together: the labels ride along as an extra channel
    augment = ImageAugmenter(horizontal_flip=True, vertical_flip=True, seed=args.seed)
    xy = np.concatenate([x, y[..., None].astype(x.dtype)], axis=-1)

    start, cpu = time.perf_counter(), time.process_time()
    curve = []
    for epoch in range(epochs):
        order = np.random.default_rng([args.seed, epoch]).permutation(n_train)
        flipped = augment(xy[order])
        history = model.fit(flipped[..., :3], flipped[..., 3].astype("int64"),
                            batch_size=args.batch_size, epochs=1, shuffle=False, verbose=0)
        iou = MeanIoU(CLASSES, sparse_y_pred=False)
        iou.update_state(y_test, model.predict(x_test, batch_size=250, verbose=0))
        curve.append({"epoch": epoch + 1, "loss": float(history.history["loss"][0]),
                      "test_mean_iou": iou.result(),
                      "wall_s": time.perf_counter() - start,
                      "cpu_s": time.process_time() - cpu})
        print(f"epoch {epoch + 1}/{epochs}: loss {curve[-1]['loss']:.4f}, held-out mean IoU "
              f"{iou.result():.4f} ({curve[-1]['wall_s']:.0f} s wall, "
              f"{curve[-1]['cpu_s']:.0f} s CPU)", flush=True)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    per_class, _ = iou_per_class(iou.total_cm)
    print(f"held-out mean IoU: {iou.result():.4f} on {n_test} scenes; per class "
          + ", ".join(f"{n} {v:.3f}" for n, v in zip(shapes.CLASS_NAMES, per_class)))
    print(f"wall time: {wall:.1f} s, CPU time: {cpu:.1f} s ({model.count_params():,} parameters)")

    os.makedirs(args.out, exist_ok=True)
    show = x_test[:4]
    fig = plot_segmentation(show, y_test[:4], model.predict(show, verbose=0),
                            class_names=shapes.CLASS_NAMES,
                            title=f"U-Net on held-out scenes: mean IoU {iou.result():.3f}")
    fig.savefig(os.path.join(args.out, "segmentation.png"), dpi=110)
    record = {"mean_iou": iou.result(), "iou_per_class": dict(zip(shapes.CLASS_NAMES,
                                                               per_class.tolist())),
              "epochs": epochs, "n_train": n_train, "n_test": n_test, "wall_s": wall,
              "cpu_s": cpu, "curve": curve, "quick": args.quick, "seed": args.seed}
    path = os.path.join(args.out, "results.json")
    with open(path + ".tmp", "w") as f:
        json.dump(record, f, indent=1)
    os.replace(path + ".tmp", path)
    print(f"wrote {args.out}/segmentation.png and results.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
