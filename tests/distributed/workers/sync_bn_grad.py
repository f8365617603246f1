"""Synchronized batch norm against batch norm on the whole batch, in float64.

    mpiexec -n N python sync_bn_grad.py OUT.npz

Every rank draws the same global batch (16, 3, 3, 4), keeps its contiguous share, runs
BatchNormalization(synchronized=True) and a nonlinear loss whose sum over the ranks is the
global objective ``sum(tanh(out) * weights) / 16``. Rank 0 also runs the plain fused
``batch_norm`` on the whole batch in the same process (the reference) and a central
difference of the global objective for a few inputs (all ranks evaluate it together).
Rank 0 writes the differences to OUT.npz.
"""

import sys

import numpy as np

import lamina.distributed as dist
from lamina import Tensor, Variable
from lamina.autograd import ops as F
from lamina.distributed import _world
from lamina.distributed.batch_norm import synchronized_batch_norm

GLOBAL = (16, 3, 3, 4)


def objective(x, gamma, beta, weights, sync, mm, mv):
    if sync:
        out = synchronized_batch_norm(x, gamma, beta, mm, mv, 0.9, 1e-3, -1)
    else:
        out = F.batch_norm(x, gamma, beta, mm, mv, training=True, momentum=0.9, epsilon=1e-3)
    return F.sum(F.tanh(out) * weights) * (1.0 / GLOBAL[0])


def main():
    dist.init(timeout=60)
    n, r = dist.size(), dist.rank()
    rng = np.random.default_rng(5)
    x_all = rng.normal(2.0, 3.0, GLOBAL)
    w_all = rng.normal(size=GLOBAL)
    g0, b0 = rng.normal(1.0, 0.2, GLOBAL[-1]), rng.normal(0.0, 0.2, GLOBAL[-1])
    share = slice(r * GLOBAL[0] // n, (r + 1) * GLOBAL[0] // n)
    x = Tensor(x_all[share], requires_grad=True, dtype="float64")
    gamma, beta = Variable(g0, dtype="float64"), Variable(b0, dtype="float64")
    mm, mv = np.zeros(GLOBAL[-1]), np.ones(GLOBAL[-1])
    loss = objective(x, gamma, beta, w_all[share], True, mm, mv)
    loss.backward()
    dx = np.zeros(GLOBAL)
    dx[share] = x.grad
    dx = dist.allreduce(dx)
    dgamma, dbeta = dist.allreduce(gamma.grad), dist.allreduce(beta.grad)

    def global_objective(x_global):  # every rank calls it: the forward pass communicates
        with_grad = Tensor(x_global[share], dtype="float64")
        value = objective(with_grad, Tensor(g0, dtype="float64"), Tensor(b0, dtype="float64"),
                          w_all[share], True, np.zeros(4), np.ones(4))
        return float(dist.allreduce(np.array([float(value.data)]))[0])

    numeric, analytic, h = [], [], 1e-6
    for index in [(0, 0, 0, 0), (5, 1, 2, 3), (11, 2, 0, 1), (15, 2, 2, 2)]:
        plus, minus = x_all.copy(), x_all.copy()
        plus[index] += h
        minus[index] -= h
        numeric.append((global_objective(plus) - global_objective(minus)) / (2 * h))
        analytic.append(dx[index])
    if r == 0:
        xr = Tensor(x_all, requires_grad=True, dtype="float64")
        gr, br = Variable(g0, dtype="float64"), Variable(b0, dtype="float64")
        mm_ref, mv_ref = np.zeros(4), np.ones(4)
        ref = objective(xr, gr, br, w_all, False, mm_ref, mv_ref)
        ref.backward()
        total = float(dist.allreduce(np.array([float(loss.data)]))[0]) if n > 1 else \
            float(loss.data)
        np.savez(sys.argv[1], loss=abs(total - float(ref.data)),
                 dx=np.abs(dx - xr.grad).max(), dgamma=np.abs(dgamma - gr.grad).max(),
                 dbeta=np.abs(dbeta - br.grad).max(), moving_mean=np.abs(mm - mm_ref).max(),
                 moving_variance=np.abs(mv - mv_ref).max(),
                 gradcheck=np.abs(np.array(numeric) - np.array(analytic)).max(),
                 grad_scale=np.abs(analytic).max(), calls=_world.comm_stats()["calls"])
    elif n > 1:
        dist.allreduce(np.array([float(loss.data)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
