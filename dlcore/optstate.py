"""Inside the optimizer: the state it carries from step to step, recorded for one run.

Plain gradient descent forgets everything between steps; the others remember:

=========  =====================  ======================================================
optimizer  torch's state key      what it is
=========  =====================  ======================================================
Momentum   ``momentum_buffer``    the velocity b: b ← μ·b + g
Adam(W)    ``exp_avg``            m, a running mean of gradients (β1)
Adam(W)    ``exp_avg_sq``         v, a running mean of squared gradients (β2)
AdaGrad    ``sum``                s, the sum of all squared gradients so far
RMSprop    ``square_avg``         v, a running mean of squared gradients (α)
RMSprop    ``momentum_buffer``    the velocity, when momentum > 0
RMSprop    ``grad_avg``           a running mean of gradients, when centered
=========  =====================  ======================================================

``dlcore.train`` records parameters and losses but not this state (it would cost
memory for every run of a sweep). :func:`trace_state` re-runs ONE run with the same
operations as ``dlcore.train`` — full batch, the run's schedule, L1/L2 and clipping —
and keeps the state after every update, under torch's names, so it can be compared
with ``torch.optim``'s ``optimizer.state[p]`` directly.

Example::

    >>> from dlcore import SurfaceProblem, RunSpec, TrainConfig, preset
    >>> tr = trace_state(SurfaceProblem("bowl"), RunSpec(preset("Momentum", lr=0.01)), TrainConfig(steps=3))
    >>> sorted(tr.state)
    ['momentum_buffer']
    >>> tr.state["momentum_buffer"][0].tolist()       # after update 1: b = g(θ₀) = (x, 25y) at (−4, 1.5)
    [-4.0, 37.5]
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from .optimizers import BatchedOptimizer
from .problems.base import DTYPES
from .train import RunSpec, TrainConfig, initial_params

__all__ = ["STATE_NAMES", "DESCRIPTIONS", "StateTrace", "trace_state"]

# BatchedOptimizer's internal names -> torch.optim's state keys, per optimizer.
STATE_NAMES = {
    "sgd": {"buf": "momentum_buffer"},
    "adam": {"m": "exp_avg", "v": "exp_avg_sq"},
    "adamw": {"m": "exp_avg", "v": "exp_avg_sq"},
    "adagrad": {"s": "sum"},
    "rmsprop": {"v": "square_avg", "buf": "momentum_buffer", "gavg": "grad_avg"},
}

DESCRIPTIONS = {
    "momentum_buffer": "velocity (momentum buffer)",
    "exp_avg": "m: running mean of gradients",
    "exp_avg_sq": "v: running mean of squared gradients",
    "sum": "s: sum of squared gradients",
    "square_avg": "v: running mean of squared gradients",
    "grad_avg": "running mean of gradients",
    "grad": "gradient g",
    "update": "step taken Δθ",
    "rate": "effective rate |Δθ| / |g|",
}

MAX_STEPS = 20_000


@dataclass(frozen=True, eq=False)
class StateTrace:
    """``params`` (k+1, P): θ₀..θ_k; ``grads`` (k, P): the gradient each update used
    (after clipping); ``state``: torch state key → (k, P), the state after each update;
    k = the number of updates made (T, or fewer when the run diverged at ``diverged_at``)."""

    param_names: tuple[str, ...]
    params: np.ndarray
    grads: np.ndarray
    state: dict
    diverged_at: int | None

    @property
    def updates(self) -> int:
        return len(self.grads)

    def frame(self, max_points: int | None = None) -> pd.DataFrame:
        """Tidy table: step (update number 1..k), quantity, description, param, value —
        the gradient, the step taken, every state tensor, and the effective rate
        |Δθ|/|g| (the learning rate plain SGD would need to take the same step; NaN where
        g = 0), per parameter."""
        from .results import thin_steps
        k = self.updates
        if k == 0:
            return pd.DataFrame(columns=["step", "quantity", "description", "param", "value"])
        rows = thin_steps(k, max_points)
        steps = rows + 1
        update = np.diff(self.params, axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(self.grads != 0, np.abs(update) / np.abs(self.grads), np.nan)
        series = {"grad": self.grads, "update": update, **self.state, "rate": rate}
        frames = []
        for q, arr in series.items():
            for j, name in enumerate(self.param_names):
                frames.append(pd.DataFrame({"step": steps, "quantity": q, "description": DESCRIPTIONS[q],
                                            "param": name, "value": arr[rows, j].astype(np.float64)}))
        return pd.concat(frames, ignore_index=True)


    def norm_frame(self, max_points: int | None = None) -> pd.DataFrame:
        """Like :meth:`frame` for models with many parameters: per step the Euclidean norm
        of each quantity over all parameters (param = "‖·‖ of N"), and the effective rate
        as ‖Δθ‖/‖g‖."""
        from .results import thin_steps
        k = self.updates
        if k == 0:
            return pd.DataFrame(columns=["step", "quantity", "description", "param", "value"])
        rows = thin_steps(k, max_points)
        update = np.diff(self.params, axis=0)
        norms = {"grad": np.linalg.norm(self.grads, axis=1), "update": np.linalg.norm(update, axis=1),
                 **{q: np.linalg.norm(a, axis=1) for q, a in self.state.items()}}
        with np.errstate(divide="ignore", invalid="ignore"):
            norms["rate"] = np.where(norms["grad"] > 0, norms["update"] / norms["grad"], np.nan)
        name = f"‖·‖ of {len(self.param_names)}"
        return pd.concat([pd.DataFrame({"step": rows + 1, "quantity": q, "description": DESCRIPTIONS[q],
                                        "param": name, "value": v[rows]}) for q, v in norms.items()],
                         ignore_index=True)


def trace_state(problem, run: RunSpec, config: TrainConfig) -> StateTrace:
    """Train ``run`` alone, full batch, as ``dlcore.train`` would, recording the
    optimizer's state after every update (see the module docstring)."""
    if config.batch_size is not None:
        raise ValueError("trace_state follows full-batch training only (batch_size=None).")
    T = config.steps
    if T > MAX_STEPS:
        raise ValueError(f"trace_state records at most {MAX_STEPS} steps, got {T}.")
    dtype = DTYPES[config.dtype]
    obj = problem.build(dtype)
    P = obj.n_params
    spec = run.optimizer
    opt = BatchedOptimizer([spec], P, dtype)
    lrs = torch.from_numpy(run.schedule.lrs(spec.lr, T)).reshape(T, 1)
    mask = obj.penalty_mask.to(dtype)
    l1 = torch.tensor([run.l1], dtype=dtype)
    l2 = torch.tensor([run.l2], dtype=dtype)
    theta = initial_params(obj, [run])
    params, grads, states = [theta[0].clone()], [], {}
    names = STATE_NAMES[spec.name]
    threshold, diverged = None, None
    for t in range(T + 1):
        th = theta.detach().requires_grad_(True)
        data_loss = obj.loss(th)
        total = data_loss
        if run.l1 > 0:
            total = total + l1 * (th.abs() * mask).sum(dim=1)
        if run.l2 > 0:
            total = total + l2 * ((th * mask) ** 2).sum(dim=1)
        (g,) = torch.autograd.grad(total.sum(), th)
        with torch.no_grad():
            full = data_loss.detach()
            if threshold is None:   # the same divergence rule as dlcore.train
                ref = obj.optimum if obj.optimum is not None else 0.0
                threshold = ref + config.diverge_factor * torch.clamp(full.double() - ref, min=1.0).to(dtype)
            if not bool(((full <= threshold) & (full > -math.inf)).all()):
                diverged = t
                break
            if t == T:
                break
            if config.clip_norm is not None:
                gn = torch.linalg.vector_norm(g, dim=1)
                g = g * torch.clamp(config.clip_norm / (gn + 1e-6), max=1.0).unsqueeze(1)
            theta = opt.step(theta, g, lrs[t])
            grads.append(g[0].clone())
            params.append(theta[0].clone())
            for k, v in opt.state().items():
                states.setdefault(names[k], []).append(v[0].clone())
    k = len(grads)
    stack = lambda xs: torch.stack(xs).double().numpy() if xs else np.zeros((0, P))  # noqa: E731
    return StateTrace(param_names=tuple(obj.param_names), params=stack(params), grads=stack(grads),
                      state={key: stack(v) for key, v in states.items()},
                      diverged_at=diverged)
