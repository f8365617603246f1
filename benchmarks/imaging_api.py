"""How long ``lamina.apps.imaging`` takes on a 512x512 picture, per task (issue 16: <= 2 s).

    python benchmarks/imaging_api.py [--repeats 3] [--threads N]

Times ``imaging.denoise``, ``upscale``, ``colorize`` and ``inpaint`` (the user's API: tiles,
type conversion, RGB handling) on scikit-image's ``camera`` (512x512 gray) and
``astronaut`` (512x512 RGB): for upscale the 256x256 half, so the result is 512x512; for
inpaint a 32x32 hole. Prints, per case, the best wall time, the CPU time of that run (all
threads: on an idle machine the wall time is about CPU / cores) and the load average, since
the machine this is measured on is shared; the first call of each task (loading the network)
is not timed. The peak memory of the process is printed at the end.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np


def cases():
    import skimage.data

    from lamina.apps import imaging

    gray, rgb = skimage.data.camera(), skimage.data.astronaut()
    hole = np.zeros((512, 512), bool)
    hole[240:272, 300:332] = True
    return {
        "denoise, gray": lambda: imaging.denoise(gray),
        "denoise, RGB": lambda: imaging.denoise(rgb),
        "upscale 256->512, gray": lambda: imaging.upscale(gray[::2, ::2].copy()),
        "upscale 256->512, RGB": lambda: imaging.upscale(rgb[::2, ::2].copy()),
        "colorize, gray -> RGB": lambda: imaging.colorize(gray),
        "inpaint 32x32 hole, gray": lambda: imaging.inpaint(gray, hole),
        "inpaint 32x32 hole, RGB": lambda: imaging.inpaint(rgb, hole),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None,
                        help="lamina's threads (default: LAMINA_NUM_THREADS or the cores)")
    args = parser.parse_args()
    import lamina.parallel

    if args.threads:
        lamina.parallel.set_num_threads(args.threads)
    print(f"lamina threads: {lamina.parallel.num_threads()}, cores: {os.cpu_count()}")
    print(f"| case | wall s (best of {args.repeats}) | CPU s | load (1 min) |")
    print("|---|---:|---:|---:|")
    for name, run in cases().items():
        run()  # loads the network
        best = None
        for _ in range(args.repeats):
            cpu, wall = time.process_time(), time.perf_counter()
            run()
            timing = (time.perf_counter() - wall, time.process_time() - cpu)
            best = timing if best is None or timing < best else best
        print(f"| {name} | {best[0]:.2f} | {best[1]:.2f} | {os.getloadavg()[0]:.1f} |",
              flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
