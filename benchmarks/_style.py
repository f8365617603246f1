"""compare.py's style-transfer row (issue 18): one L-BFGS iteration on a 128x128 image.

Both sides run the same optimisation: SciPy's L-BFGS-B (bounds [0, 1], from the content
image, ``ITERATIONS`` iterations) over the pixels of a 128x128 RGB image, minimizing
``alpha * content + beta * style`` through the same feature network: lamina's random network
(``lamina.apps.style.feature_network(3, seed=0)``, four blocks of two 3x3 ReLU convolutions,
32-64-128-128 filters, 2x2 average pools; content ``block4_conv2``, style every block's first
convolution), its weights copied into PyTorch (``F.conv2d`` / ``F.avg_pool2d``, NCHW, the
weights frozen, the gradient taken with respect to the input only). Content ``skimage:chelsea``,
style ``skimage:immunohistochemistry`` (random images when scikit-image is missing).

Run alone (``python benchmarks/_style.py [--repeats N]``) or as the last table of
``compare.py``. Reported per side: seconds per L-BFGS iteration (the whole loop: every
forward and backward of the line searches and SciPy's own work, divided by the
iterations), seconds per evaluation
(one forward + backward), and the losses at the start and end, which must agree between the
two sides (float32 rounding apart) for the timing to compare the same work.
"""

from __future__ import annotations

import time

import numpy as np

SIZE, ITERATIONS, ALPHA, BETA = 128, 10, 1.0, 1e3
TARGET = 1.0  # issue 18: lamina's iteration at most 1.0x PyTorch's


def _images():
    try:
        from lamina.apps.style import load_image

        return (load_image("skimage:chelsea", size=(SIZE, SIZE)),
                load_image("skimage:immunohistochemistry", size=(SIZE, SIZE)))
    except ImportError:
        rng = np.random.default_rng(0)
        return (rng.random((SIZE, SIZE, 3), dtype=np.float32),
                rng.random((SIZE, SIZE, 3), dtype=np.float32))


def _lbfgs(value_and_grad, x0):
    """SciPy's L-BFGS-B as lamina.apps.style runs it; ``(seconds, iterations, evaluations,
    evaluation seconds, first loss, last loss)``."""
    from scipy.optimize import minimize

    evals, losses = [], []

    def fun(flat):
        start = time.perf_counter()
        loss, grad = value_and_grad(flat.reshape(x0.shape).astype(np.float32))
        evals.append(time.perf_counter() - start)
        losses.append(loss)
        return loss, grad.astype(np.float64).reshape(-1)

    start = time.perf_counter()
    result = minimize(fun, x0.astype(np.float64).reshape(-1), jac=True, method="L-BFGS-B",
                      bounds=[(0.0, 1.0)] * x0.size,
                      options={"maxiter": ITERATIONS, "maxfun": 4 * ITERATIONS, "ftol": 0.0,
                               "gtol": 0.0})
    seconds = time.perf_counter() - start
    return {"lbfgs_s": seconds, "iterations": int(result.nit), "evaluations": len(evals),
            "iter_s": seconds / max(int(result.nit), 1), "eval_s": float(np.median(evals)),
            "first_loss": float(losses[0]), "last_loss": float(result.fun)}


def lamina_run():
    """Worker factory: the lamina side; returns ``({}, result)``."""
    import lamina
    from lamina.apps import style

    content, painting = _images()
    net = style.feature_network(3, seed=0)
    objective = style.Objective(net, content=content, style=painting, alpha=ALPHA, beta=BETA)

    def value_and_grad(x):
        loss, grad, _ = objective.value_and_grad(x)
        return loss, grad

    value_and_grad(content[None])  # warm-up (plans, allocator)
    result = _lbfgs(value_and_grad, content[None])
    return {}, {**result, "lamina": lamina.__version__}


def _torch_network(torch):
    """lamina's random network as PyTorch tensors: ``[(kind, name, weight, bias), ...]``."""
    from lamina.apps import style
    from lamina.layers import AveragePooling2D, Conv2D

    net = style.feature_network(3, seed=0)
    steps = []
    for layer in net.model.layers:
        if isinstance(layer, Conv2D):
            kernel, bias = layer.get_weights()  # (kh, kw, in, out) -> (out, in, kh, kw)
            steps.append(("conv", layer.name,
                          torch.from_numpy(np.ascontiguousarray(kernel.transpose(3, 2, 0, 1))),
                          torch.from_numpy(bias)))
        elif isinstance(layer, AveragePooling2D):
            steps.append(("pool", layer.name, None, None))
    return steps, net.content_layers, net.style_layers


def torch_run():
    """Worker factory: the same network, losses and L-BFGS in PyTorch (CPU)."""
    import torch
    import torch.nn.functional as F  # noqa: N812

    steps, content_layers, style_layers = _torch_network(torch)
    wanted = set(content_layers) | set(style_layers)

    def features(x):  # x: (1, H, W, 3) in [0, 1]
        h = ((x - 0.5) * 4.0).permute(0, 3, 1, 2)
        taps = {}
        for kind, name, weight, bias in steps:
            if kind == "conv":
                h = F.relu(F.conv2d(h, weight, bias, padding=1))
                if name in wanted:
                    taps[name] = h
            else:
                h = F.avg_pool2d(h, 2)
            if len(taps) == len(wanted):
                break
        return taps

    def gram(f):
        _, c, hh, ww = f.shape
        flat = f.reshape(c, hh * ww)
        return flat @ flat.T / (hh * ww)

    content, painting = _images()
    with torch.no_grad():
        grams = {n: gram(f) for n, f in features(torch.from_numpy(painting[None])).items()
                 if n in style_layers}
        targets = {n: f for n, f in features(torch.from_numpy(content[None])).items()
                   if n in content_layers}

    def value_and_grad(x):
        image = torch.from_numpy(x).requires_grad_(True)
        taps = features(image)
        s = sum(((gram(taps[n]) - grams[n]) ** 2).sum() / (4 * taps[n].shape[1] ** 2)
                for n in style_layers) / len(style_layers)
        c = sum(0.5 * ((taps[n] - targets[n]) ** 2).sum() for n in content_layers)
        loss = ALPHA * c + BETA * s
        loss.backward()
        return float(loss.detach()), image.grad.numpy()

    value_and_grad(content[None])
    result = _lbfgs(value_and_grad, content[None])
    return {}, {**result, "torch": torch.__version__, "torch_threads": torch.get_num_threads()}


def row(repeats: int = 3) -> dict:
    """Both sides ``repeats`` times, taking turns, a fresh worker each; medians and ratio."""
    import statistics
    import sys

    from _timing import BackgroundLoad, Worker

    runs = {"lamina": [], "torch": []}
    factories = {"lamina": lamina_run, "torch": torch_run}
    with BackgroundLoad() as load:
        for r in range(repeats):
            for side in ("lamina", "torch") if r % 2 == 0 else ("torch", "lamina"):
                print(f"  style transfer {SIZE}x{SIZE}: {side}, run {r + 1}/{repeats} ...",
                      file=sys.stderr, flush=True)
                worker = Worker(factories[side])
                runs[side].append(worker.info)
                worker.close()
    out = {"size": SIZE, "iterations": ITERATIONS, "background_cpu_percent": load.percent,
           "runs": runs}
    for side, results in runs.items():
        for field in ("iter_s", "eval_s", "first_loss", "last_loss", "iterations"):
            out[f"{side}_{field}"] = statistics.median(res[field] for res in results)
    out["ratio"] = out["lamina_iter_s"] / out["torch_iter_s"]
    out["eval_ratio"] = out["lamina_eval_s"] / out["torch_eval_s"]
    return out


def table(r: dict) -> str:
    from _timing import format_table

    verdict = "ok" if r["ratio"] <= TARGET else "MISS"
    return format_table(
        [f"style transfer, {r['size']}x{r['size']} RGB", "lamina ms", "torch ms",
         "lamina/torch", f"<= {TARGET:g}", "loss lamina", "loss torch", "bg%"],
        [["one L-BFGS iteration", f"{1000 * r['lamina_iter_s']:.0f}",
          f"{1000 * r['torch_iter_s']:.0f}", f"{r['ratio']:.2f}", verdict,
          f"{r['lamina_last_loss']:.5g}", f"{r['torch_last_loss']:.5g}",
          f"{r['background_cpu_percent']:.0f}"],
         ["  one forward + backward", f"{1000 * r['lamina_eval_s']:.0f}",
          f"{1000 * r['torch_eval_s']:.0f}", f"{r['eval_ratio']:.2f}", "-",
          f"{r['lamina_first_loss']:.5g}", f"{r['torch_first_loss']:.5g}", ""]])


def main(argv=None) -> int:
    import argparse

    from _timing import machine_info, wait_for_quiet, write_results

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per library")
    parser.add_argument("--no-json", action="store_true", help="do not write results/*.json")
    args = parser.parse_args(argv)
    machine = machine_info()
    quiet = wait_for_quiet()
    print(f"{machine['date']}  {machine['cpu']}  ({quiet:.0f}% busy before start)")
    r = row(args.repeats)
    print(table(r))
    if not args.no_json:
        print(f"wrote {write_results('style', {'machine': machine, 'style': r})}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
