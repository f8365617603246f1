"""Does real Keras 3 load the files lamina writes? Write them with lamina, load them with
Keras in its own environment, compare predictions, record the outcome.

    python scripts/check_keras_reads_lamina.py --keras-python /path/to/kerasenv/bin/python

(the Keras environment: ``python3 -m venv E && E/bin/pip install keras==3.15.1 h5py torch``;
Keras runs with KERAS_BACKEND=torch.) For every model of
tests/saving/fixtures/keras_catalogue.py, lamina writes ``NAME.keras``, ``NAME.h5`` and
``NAME.weights.h5``; Keras loads the first two with ``keras.saving.load_model`` and the
third into the same model built by Keras, and predicts on the same inputs. Models in
``catalogue.TRAINED`` are trained 2 steps by lamina first, and after loading the
``.keras`` file Keras takes one more step, which must land where lamina's does (the
optimizer's state travelled). The outcome
goes to tests/saving/fixtures/keras_reads_lamina.json with a fingerprint of what lamina
wrote: tests/saving/test_keras_files.py checks, without Keras, that lamina still writes
exactly that and that every check passed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "saving" / "fixtures"
RESULT = FIXTURES / "keras_reads_lamina.json"
TOLERANCE = 1e-5
sys.path.insert(0, str(ROOT))  # the catalogue as the tests import it (same module names)
from tests.saving.fixtures import keras_catalogue as catalogue  # noqa: E402


def fingerprint(model) -> dict:
    """SHA-256 of the config and of the weights layout lamina writes for ``model``."""
    from lamina.saving import keras_archive, keras_weights

    config = json.dumps(keras_archive.model_config(model), sort_keys=True)
    layout = json.dumps([[p, n, [list(v.shape) for v in vs]]
                         for p, n, vs in keras_weights.layout(model)])
    return {"config_sha256": hashlib.sha256(config.encode()).hexdigest(),
            "weights_layout_sha256": hashlib.sha256(layout.encode()).hexdigest()}


def write_with_lamina(out: Path) -> dict:
    prints = {}
    for name in catalogue.NAMES:
        model = catalogue.build_lamina(name)
        catalogue.set_weights(model, seed=1)
        x = catalogue.inputs(name)
        if name in catalogue.TRAINED:
            model.fit(x[0], catalogue.targets(name), batch_size=3, epochs=2, verbose=0)
        y = catalogue.flat(model.predict(x if len(x) > 1 else x[0], verbose=0))
        model.save(out / f"{name}.keras")
        model.save(out / f"{name}.h5")
        model.save_weights(out / f"{name}.weights.h5")
        if name in catalogue.TRAINED:  # the next step needs the optimizer's state
            model.train_on_batch(x[0], catalogue.targets(name))
            np.save(out / f"{name}_step.npy", model.predict(x[0], verbose=0))
        np.savez(out / f"{name}_io.npz", **{f"x{i}": v for i, v in enumerate(x)},
                 **{f"y{i}": v for i, v in enumerate(y)})
        prints[name] = fingerprint(model)
    return prints


def check_with_keras(out: Path) -> dict:  # runs in the Keras environment
    import keras

    ns = catalogue.keras_namespace()
    results = {}
    for name in catalogue.NAMES:
        io = np.load(out / f"{name}_io.npz")
        x = [io[k] for k in sorted(io) if k.startswith("x")]
        y = [io[k] for k in sorted(io) if k.startswith("y")]
        for fmt in (".keras", ".h5", ".weights.h5"):
            keras.backend.clear_session()
            try:
                if fmt == ".weights.h5":
                    model = catalogue.build(ns, name)
                    model.load_weights(out / f"{name}{fmt}")
                else:
                    model = keras.saving.load_model(out / f"{name}{fmt}")
                p = catalogue.flat(model.predict(x if len(x) > 1 else x[0], verbose=0))
                diff = max(float(np.abs(a - b).max()) for a, b in zip(p, y))
                results[f"{name}{fmt}"] = {"loaded": True, "max_abs_diff": diff,
                                           "error": None}
                if fmt == ".keras" and name in catalogue.TRAINED:
                    model.train_on_batch(x[0], catalogue.targets(name))
                    step = np.load(out / f"{name}_step.npy")
                    diff = float(np.abs(model.predict(x[0], verbose=0) - step).max())
                    results[f"{name}.keras+train_step"] = {
                        "loaded": True, "max_abs_diff": diff, "error": None,
                        "iterations": int(model.optimizer.iterations)}
            except Exception as err:  # noqa: BLE001 - the outcome is the record
                results[f"{name}{fmt}"] = {"loaded": False, "max_abs_diff": None,
                                           "error": f"{type(err).__name__}: {err}"[:500]}
    return {"keras_version": keras.__version__, "backend": keras.backend.backend(),
            "results": results}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keras-python", help="python of the environment with Keras")
    parser.add_argument("--check-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.check_dir:
        print(json.dumps(check_with_keras(Path(args.check_dir))))
        return 0
    if not args.keras_python:
        parser.error("--keras-python is required")
    with tempfile.TemporaryDirectory() as tmp:
        prints = write_with_lamina(Path(tmp))
        env = dict(os.environ, KERAS_BACKEND="torch")
        done = subprocess.run([args.keras_python, __file__, "--check-dir", tmp], env=env,
                              capture_output=True, text=True, check=True)
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    outcome["tolerance"] = TOLERANCE
    outcome["lamina_wrote"] = prints
    RESULT.write_text(json.dumps(outcome, indent=1, sort_keys=True) + "\n")
    failed = {k: v for k, v in outcome["results"].items()
              if not v["loaded"] or v["max_abs_diff"] > TOLERANCE}
    for key, value in sorted(outcome["results"].items()):
        status = "FAIL" if key in failed else "ok"
        print(f"{status:4} {key:20} {value['max_abs_diff'] if value['loaded'] else value['error']}")
    print(f"{len(outcome['results']) - len(failed)}/{len(outcome['results'])} files loaded by "
          f"Keras {outcome['keras_version']} with predictions within {TOLERANCE}; "
          f"written to {RESULT.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
