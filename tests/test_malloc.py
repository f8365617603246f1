"""lamina._malloc: glibc's thresholds are raised on first compute, unless the user opts out."""

import os
import subprocess
import sys

import pytest

from lamina import _malloc

SCRIPT = ("import numpy as np, lamina, lamina.functional as F\n"
          "F.relu(lamina.Tensor(np.ones(3)))\n"
          "from lamina import _malloc; print(_malloc.status)")


def run(**env):
    ours = ("LAMINA_MALLOC_TUNING", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_",
            "GLIBC_TUNABLES")
    full = {k: v for k, v in os.environ.items() if k not in ours}
    full.update(env)
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=full, capture_output=True,
                         text=True, check=True)
    return out.stdout.strip()


@pytest.mark.skipif(not _malloc._glibc(), reason="glibc only")
def test_first_op_tunes_malloc_on_glibc():
    assert run() == "tuned"


def test_opt_outs_leave_malloc_alone():
    assert run(LAMINA_MALLOC_TUNING="0") == "off (LAMINA_MALLOC_TUNING)"
    assert run(MALLOC_TRIM_THRESHOLD_="1000000") == "off (MALLOC_*_ set by the user)"
    assert run(GLIBC_TUNABLES="glibc.malloc.trim_threshold=1000000") == \
        "off (MALLOC_*_ set by the user)"


def test_import_alone_does_not_tune():
    out = subprocess.run([sys.executable, "-c", "import lamina\nfrom lamina import _malloc\n"
                          "print(_malloc.status)"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "None"
