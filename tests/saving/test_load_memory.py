"""Issue 14 §2: a load never allocates more than a small multiple of what the model needs.

A model of 40 MiB of float32 weights, trained one step with Adam (two moments: 80 MiB
more), is saved in every format; a fresh interpreter per format imports lamina and h5py,
resets its peak resident memory (``/proc/self/clear_refs``), loads the file and reports
``VmHWM`` minus its resident size before the load.

The bound: the loaded model itself must be resident, its state S (weights, plus the two
Adam moments for a full model; for a weights file the model exists before the load, so
S = 0). A model loader may hold one array of the file in flight beside it (an optimizer
slot is read, then copied into its place: the largest weight, 30.3 MiB here); weights
are read straight into their variables, so a weights file needs none. Plus 48 MiB for
what does not scale with the model (HDF5's and zipfile's buffers, the 1 MiB read chunks,
the initializers' temporaries while the layers are built, the allocator's slack). Before
this change the full loads took 1.7x-3.4x S, a weights file 75 MB; a copy of the whole
file or state in memory (even a stored member's bytes) breaks the bound.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("h5py")

if not os.path.exists("/proc/self/clear_refs"):
    pytest.skip("peak memory is read from /proc (Linux only)", allow_module_level=True)

MIB = 1 << 20
INPUTS, UNITS = 1024, 2816  # 1024*2816 + 2816*2816 + 2816*10 float32 weights: 40.4 MiB
FORMATS = {"model.lamina": "model", "model.h5": "model", "model.keras": "model",
           "w.weights.npz": "weights", "w.weights.h5": "weights"}

SAVE = r"""
import sys
import numpy as np
import lamina
from lamina import layers
directory = sys.argv[1]
model = lamina.Sequential([layers.Input((INPUTS,)), layers.Dense(UNITS), layers.Dense(UNITS),
                           layers.Dense(10)])
model.compile(optimizer="adam", loss="mse")
rng = np.random.default_rng(0)
model.fit(rng.standard_normal((8, INPUTS)).astype("float32"),
          rng.standard_normal((8, 10)).astype("float32"), batch_size=8, epochs=1, verbose=0)
for name in ("model.lamina", "model.h5", "model.keras"):
    model.save(f"{directory}/{name}")
model.save_weights(f"{directory}/w.weights.npz")
model.save_weights(f"{directory}/w.weights.h5")
""".replace("INPUTS", str(INPUTS)).replace("UNITS", str(UNITS))

LOAD = r"""
import json, sys
import h5py, lamina
from lamina import layers
path, kind = sys.argv[1], sys.argv[2]
# compiling loads the optimizer's numba kernels once per process (~120 MB of LLVM, the
# same for any model): done on a tiny model first, so the figure is the load's own
tiny = lamina.Sequential([layers.Input((2,)), layers.Dense(1)])
tiny.compile(optimizer="adam", loss="mse")
if kind == "weights":
    model = lamina.Sequential([layers.Input((INPUTS,)), layers.Dense(UNITS), layers.Dense(UNITS),
                               layers.Dense(10)])
def status(field):
    with open("/proc/self/status") as f:
        return [int(l.split()[1]) / 1024 for l in f if l.startswith(field + ":")][0]
base = status("VmRSS")
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # VmHWM := VmRSS
if kind == "model":
    model = lamina.models.load_model(path)
    assert model.optimizer.iterations == 1, model.optimizer.iterations
else:
    model.load_weights(path)
print(json.dumps({"base": base, "peak": status("VmHWM")}))
""".replace("INPUTS", str(INPUTS)).replace("UNITS", str(UNITS))


def _env():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.join(root, "src"), root])
    return env


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    directory = tmp_path_factory.mktemp("load_memory")
    subprocess.run([sys.executable, "-c", SAVE, str(directory)], env=_env(), check=True,
                   timeout=300)
    return directory


ALLOWANCE_MB = 48


def weights_mb() -> float:
    return (INPUTS * UNITS + UNITS + UNITS * UNITS + UNITS + UNITS * 10 + 10) * 4 / MIB


LARGEST_MB = UNITS * UNITS * 4 / MIB  # the second Dense's kernel


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_load_peak_is_a_small_multiple_of_the_state(files, name):
    kind = FORMATS[name]
    state = weights_mb() * 3 if kind == "model" else 0.0  # Adam: two moments per weight
    proc = subprocess.run([sys.executable, "-c", LOAD, str(files / name), kind], env=_env(),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    extra = result["peak"] - result["base"]
    bound = state + (LARGEST_MB if kind == "model" else 0.0) + ALLOWANCE_MB
    print(f"\n{name}: state {state:.0f} MB, load peak +{extra:.0f} MB (bound {bound:.0f})")
    assert extra <= bound
