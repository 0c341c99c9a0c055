"""Learning-rate sweeps and the learning-rate range test, each one batched training call.

``lr_sweep`` is the measured version of article 002's "learning rate → iterations to
convergence" table: every rate of a log grid trained together, then per rate the steps
to converge, the final loss, or the step it diverged.

``lr_range_test`` follows fastai's ``lr_find`` (and pytorch-lr-finder): one run whose
rate grows exponentially from ``start_lr`` to ``end_lr`` over ``num_iter`` steps,
lr_i = start·(end/start)^(i/(n−1)); the loss is smoothed with a debiased exponential
moving average (β = 0.98) and the test stops once the smoothed loss exceeds 4× its best.
It suggests rates three ways:

* **valley** (fastai's default): the middle of the longest steadily falling stretch;
* **steep**: where the smoothed loss falls fastest per unit of log-lr, skipping the
  first 10 and last 5 points (pytorch-lr-finder's rule; early spikes can fool it);
* **min/10**: a tenth of the rate at the lowest smoothed loss.

The test is functional: it returns a result and changes nothing — the problem, the
runs and any later training are exactly as if it had never run.

Example::

    >>> from dlcore.problems import LINE_FIT
    >>> from dlcore.optimizers import OptimizerSpec
    >>> table = lr_sweep(LINE_FIT, OptimizerSpec.make("sgd"), [0.001, 0.01, 0.1, 1.0], steps=2000, tol=1e-6)[1]
    >>> table[["lr", "status"]].values.tolist()
    [[0.001, 'not converged'], [0.01, 'converged'], [0.1, 'converged'], [1.0, 'diverged']]
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .optimizers import OptimizerSpec
from .results import TrainResult
from .schedules import ScheduleSpec
from .train import RunSpec, TrainConfig, train

__all__ = ["log_grid", "lr_sweep", "lr_range_test", "RangeTestResult", "ARTICLE_LR_TABLE"]

# Article 002's table, as printed (no problem, optimizer or tolerance is stated there).
ARTICLE_LR_TABLE = ((0.001, 500), (0.01, 300), (0.1, 150), (1.0, 50), (10.0, None))


def log_grid(lo: float, hi: float, n: int) -> list[float]:
    """n rates spaced evenly in log10 from lo to hi inclusive."""
    if not (math.isfinite(lo) and math.isfinite(hi) and 0 < lo < hi):
        raise ValueError(f"Need 0 < low < high for a log grid, got {lo}, {hi}.")
    if not 1 <= n <= 5000:
        raise ValueError(f"Number of rates must be from 1 to 5000, got {n}.")
    return np.logspace(math.log10(lo), math.log10(hi), n).tolist() if n > 1 else [lo]


def lr_sweep(problem, optimizer: OptimizerSpec, lrs, steps: int = 1000, tol: float = 1e-3,
             tol_mode: str = "gap", seed: int = 0, schedule: ScheduleSpec = ScheduleSpec(),
             batch_size: int | None = None, dtype: str = "float32", progress=None
             ) -> tuple[TrainResult, pd.DataFrame]:
    """Train one run per learning rate, together; return the result and a per-rate table
    (lr, status, steps_to_converge, final_loss, best_loss, diverged_at)."""
    runs = [RunSpec(optimizer.with_lr(float(lr)), schedule=schedule, seed=seed) for lr in lrs]
    cfg = TrainConfig(steps=steps, tol=tol, tol_mode=tol_mode, batch_size=batch_size, dtype=dtype,
                      record_params=False)
    res = train(problem, runs, cfg, progress=progress)
    s = res.summary()
    status = np.where(s["diverged_at"].notna(), "diverged",
                      np.where(s["converged_at"].notna(), "converged", "not converged"))
    table = pd.DataFrame({"lr": s["lr"], "status": status, "steps_to_converge": s["converged_at"],
                          "final_loss": s["final_loss"], "best_loss": s["best_loss"],
                          "diverged_at": s["diverged_at"]})
    return res, table


@dataclass(frozen=True, eq=False)
class RangeTestResult:
    table: pd.DataFrame          # step, lr, loss, smoothed (up to the stop)
    stopped_at: int | None       # step where the smoothed loss passed stop_factor × best
    suggestions: dict            # name -> lr
    best_loss: float


def _valley(losses: np.ndarray) -> int:
    """fastai's valley: index a third of the way plus a sixth into the longest stretch
    of decreasing loss (longest decreasing subsequence)."""
    n = len(losses)
    lds = [1] * n
    max_start = max_end = 0
    for i in range(1, n):
        for j in range(i):
            if losses[i] < losses[j] and lds[i] < lds[j] + 1:
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    return max_start + int(sections) + int(sections / 2)


def lr_range_test(problem, optimizer: OptimizerSpec, start_lr: float = 1e-7, end_lr: float = 10.0,
                  num_iter: int = 100, beta: float = 0.98, stop_factor: float = 4.0, seed: int = 0,
                  batch_size: int | None = None, dtype: str = "float32", progress=None) -> RangeTestResult:
    """Exponential learning-rate ramp with fastai's smoothing, stop rule and suggestions.
    ``progress(fraction)`` is passed on to the training loop."""
    if not (0 < start_lr < end_lr and math.isfinite(end_lr)):
        raise ValueError("Need 0 < start_lr < end_lr.")
    if not 10 <= num_iter <= 10_000:
        raise ValueError("num_iter must be between 10 and 10000.")
    if not (0 <= beta < 1 and stop_factor > 1):
        raise ValueError("Need 0 ≤ beta < 1 and stop_factor > 1.")
    gamma = (end_lr / start_lr) ** (1 / (num_iter - 1))
    run = RunSpec(replace(optimizer, lr=start_lr), ScheduleSpec("exponential", gamma=gamma), seed=seed)
    res = train(problem, [run], TrainConfig(steps=num_iter, batch_size=batch_size, dtype=dtype,
                                           record_params=False, diverge_factor=1e30), progress=progress)
    raw = (res.batch_loss if res.batch_loss is not None else res.loss)[:num_iter, 0].astype(np.float64)
    lrs = res.lr[:, 0]
    smoothed, avg, best, stop = [], 0.0, math.inf, None
    for i, loss in enumerate(raw):
        avg = beta * avg + (1 - beta) * loss
        s = avg / (1 - beta ** (i + 1))
        smoothed.append(s)
        if not math.isfinite(s) or (i > 0 and s > stop_factor * best):
            stop = i
            break
        best = min(best, s)
    n = len(smoothed)
    table = pd.DataFrame({"step": np.arange(n), "lr": lrs[:n], "loss": raw[:n], "smoothed": smoothed})
    usable = table.iloc[:-1] if stop is not None else table   # the stopping point itself is past the cliff
    sm = usable["smoothed"].to_numpy()
    sug = {}
    if len(sm) >= 3:
        sug["valley"] = float(usable["lr"].iloc[min(_valley(sm), len(sm) - 1)])
        lo, hi = (10, len(sm) - 5) if len(sm) > 20 else (0, len(sm))
        g = np.gradient(sm[lo:hi], np.log10(usable["lr"].to_numpy()[lo:hi]))
        sug["steep"] = float(usable["lr"].iloc[lo + int(np.argmin(g))])
        sug["min/10"] = float(usable["lr"].iloc[int(np.argmin(sm))]) / 10
    return RangeTestResult(table=table, stopped_at=stop, suggestions=sug, best_loss=float(best))
