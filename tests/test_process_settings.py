"""lamina.process_settings: the one place process-wide settings are applied and reported."""

import json
import os
import subprocess
import sys

SCRIPT = """
import json, sys
import lamina
from lamina import process_settings
before = process_settings.applied()
import numpy as np, lamina.functional as F
F.relu(lamina.Tensor(np.ones(3)))
print(json.dumps([before, process_settings.applied()]))
"""


def test_nothing_is_applied_at_import_and_everything_at_the_first_op():
    env = {**os.environ, "LAMINA_MALLOC_TUNING": "0", "LAMINA_NUM_THREADS": "3"}
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                         text=True, check=True)
    before, after = json.loads(out.stdout)
    assert before["malloc"].startswith("not yet")
    assert after == {"malloc": "off (LAMINA_MALLOC_TUNING)", "lamina_threads": 3}
