"""Absurd layer configs are refused by name before any weight is allocated (issue 14 §2)."""

import subprocess
import sys

import pytest

from lamina.layers import Dense, Embedding, Input
from lamina.models import Sequential
from lamina.saving.budget import weight_budget

BUILD = r"""
import resource
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # 1 GiB: the kernel needs 16
from lamina.layers import Dense, Input
from lamina.models import Sequential
try:
    Sequential([Input(shape=(64,)), Dense(2**26)])
except ValueError as err:
    print(err)
"""


def test_a_weight_over_2_31_elements_is_refused_before_allocation():
    out = subprocess.run([sys.executable, "-c", BUILD], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert "(Dense): weight 'kernel' would have shape (64, 67108864), 4,294,967,296 " \
           "elements, more than the 2**31" in out.stdout


def test_an_embedding_over_the_limit_is_refused_by_name():
    with pytest.raises(ValueError, match=r"layer 'big' \(Embedding\): weight 'embeddings'"):
        Sequential([Input(shape=(1,)), Embedding(2**31 + 1, 1, name="big")])


def test_within_a_budget_the_weights_may_not_exceed_what_the_file_holds():
    with weight_budget(4 * (3 * 4 + 4), "load_model: 'm.lamina'"):
        Sequential([Input(shape=(3,)), Dense(4)])  # exactly the budget
    with pytest.raises(ValueError, match=r"load_model: 'm.lamina': layer 'dense_b' \(Dense\) "
                                         r"would create weight 'bias' of shape \(5,\)"):
        with weight_budget(4 * (3 * 5 + 4), "load_model: 'm.lamina'"):
            Sequential([Input(shape=(3,)), Dense(5, name="dense_b")])
    Sequential([Input(shape=(3,)), Dense(5)])  # the budget ends with its block
