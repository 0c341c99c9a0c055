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

``dlcore.train`` keeps this state only when asked (``TrainConfig.record_state``: it
costs memory for every run of a sweep). :func:`trace_state` trains ONE run that way and
returns the state after every update under torch's names, so it can be compared with
``torch.optim``'s ``optimizer.state[p]`` directly.

Example::

    >>> from dlcore import SurfaceProblem, RunSpec, TrainConfig, preset
    >>> tr = trace_state(SurfaceProblem("bowl"), RunSpec(preset("Momentum", lr=0.01)), TrainConfig(steps=3))
    >>> sorted(tr.state)
    ['momentum_buffer']
    >>> tr.state["momentum_buffer"][0].tolist()       # after update 1: b = g(θ₀) = (x, 25y) at (−4, 1.5)
    [-4.0, 37.5]
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .train import RunSpec, TrainConfig, train

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
    """Train ``run`` alone with ``dlcore.train`` (``record_state=True``), and return the
    optimizer's state after every update under torch's names (see the module docstring).
    The trace ends where the run diverged, if it did."""
    T = config.steps
    if T > MAX_STEPS:
        raise ValueError(f"trace_state records at most {MAX_STEPS} steps, got {T}.")
    res = train(problem, [run], replace(config, record_state=True, record_params=True))
    div = int(res.diverged_at[0])
    k = div if div >= 0 else T                      # updates made before the run stopped
    names = STATE_NAMES[run.optimizer.name]
    as64 = lambda a: np.asarray(a, dtype=np.float64)  # noqa: E731
    state = {names[key]: as64(v[:k, 0]) for key, v in (res.opt_state or {}).items()}
    return StateTrace(param_names=tuple(res.param_names), params=as64(res.params[:k + 1, 0]),
                      grads=as64(res.grads[:k, 0]) if res.grads is not None else np.zeros((0, len(res.param_names))),
                      state=state, diverged_at=div if div >= 0 else None)
